//! Disk accounting: one atomic byte counter per server, kept current by the jail's own writes
//! and removals and recomputed by a scan.
//!
//! **What is counted: the apparent size (`st_size`) of regular files**, each inode once (a file
//! with several hard links inside the volume counts once); directories and symbolic links
//! count nothing. Chosen over allocated blocks (`st_blocks * 512`) because:
//!
//! - it is what the user sees in the file manager and what the panel's limit means to them;
//! - it makes incremental accounting exact: writing `n` bytes past the end of a file grows it
//!   by exactly `n`, whereas block allocation depends on the filesystem, compression and
//!   delayed allocation, which would make "fail *before* exceeding the limit" unknowable;
//! - a sparse file counts at its full size, the conservative side (a backup or archive of it
//!   is that big), and a user cannot hide usage in holes.
//!
//! The counter is only as current as the last scan plus the jail's own changes: the game
//! server also writes to the volume directly, so callers rescan periodically (Wings' disk
//! checker) and before decisions that matter.

use std::collections::HashSet;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{self as rfs, AtFlags, Dir, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::error::{Error, Result};
use crate::stat::Meta;

/// The deepest directory nesting a scan or a recursive operation descends (each level holds
/// one open fd, and a volume can be nested arbitrarily deep by the game server).
pub const MAX_DEPTH: usize = 512;

/// A server's disk usage and limit, shared by every writer of the jail.
#[derive(Debug, Default)]
pub struct DiskUsage {
    used: AtomicU64,
    limit: AtomicU64,
}

impl DiskUsage {
    /// A counter starting at `used` bytes with `limit` bytes allowed (0 = unlimited).
    pub fn new(used: u64, limit: u64) -> DiskUsage {
        DiskUsage {
            used: AtomicU64::new(used),
            limit: AtomicU64::new(limit),
        }
    }

    /// Bytes in use.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Acquire)
    }

    /// The limit in bytes; 0 means unlimited.
    pub fn limit(&self) -> u64 {
        self.limit.load(Ordering::Acquire)
    }

    /// Changes the limit (the panel changed the server's disk space).
    pub fn set_limit(&self, limit: u64) {
        self.limit.store(limit, Ordering::Release);
    }

    /// Whether `extra` more bytes would go over the limit.
    pub fn would_exceed(&self, extra: u64) -> bool {
        let limit = self.limit();
        limit != 0 && self.used().saturating_add(extra) > limit
    }

    /// Adds `extra` bytes if that stays within the limit, atomically with respect to other
    /// reservations; otherwise [`Error::DiskLimit`] and nothing changes.
    pub fn try_reserve(&self, extra: u64) -> Result<()> {
        if extra == 0 {
            return Ok(());
        }
        let limit = self.limit();
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                let next = used.saturating_add(extra);
                (limit == 0 || next <= limit).then_some(next)
            })
            .map(|_| ())
            .map_err(|used| Error::DiskLimit {
                limit,
                needed: used.saturating_add(extra).saturating_sub(limit),
            })
    }

    /// Adds `n` bytes unconditionally (something already on disk grew).
    pub fn add(&self, n: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                Some(u.saturating_add(n))
            });
    }

    /// Removes `n` bytes (never below zero).
    pub fn sub(&self, n: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                Some(u.saturating_sub(n))
            });
    }

    /// Replaces the count (after a scan).
    pub fn set(&self, used: u64) {
        self.used.store(used, Ordering::Release);
    }
}

/// Sums the apparent size of the regular files beneath `root`, without following any symbolic
/// link, each inode once. Directories deeper than [`MAX_DEPTH`] are not descended (documented
/// limit); entries that vanish during the scan are skipped.
pub(crate) fn scan(root: BorrowedFd<'_>) -> Result<u64> {
    let mut total = 0u64;
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut stack: Vec<Dir> = vec![Dir::read_from(root).map_err(Error::from_errno)?];
    loop {
        let depth = stack.len();
        let Some(dir) = stack.last_mut() else { break };
        let Some(entry) = dir.read() else {
            stack.pop();
            continue;
        };
        let entry = entry.map_err(Error::from_errno)?;
        let name = entry.file_name();
        if name.to_bytes() == b"." || name.to_bytes() == b".." {
            continue;
        }
        let name = name.to_owned();
        let dir_fd = dir.fd().map_err(Error::from_errno)?;
        let st = match rfs::statat(dir_fd, &name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Meta::from(&st),
            Err(Errno::NOENT) => continue,
            Err(e) => return Err(Error::from_errno(e)),
        };
        match FileType::from_raw_mode(st.mode) {
            // Each inode once: a second name of a hard-linked file adds nothing.
            FileType::RegularFile if st.nlink <= 1 || seen.insert((st.dev, st.ino)) => {
                total = total.saturating_add(st.size);
            }
            FileType::Directory if depth < MAX_DEPTH => {
                let child = match rfs::openat(
                    dir_fd,
                    &name,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                ) {
                    Ok(fd) => fd,
                    // Replaced by a link or removed since the stat: not ours to count.
                    Err(Errno::NOENT | Errno::LOOP | Errno::NOTDIR) => continue,
                    Err(e) => return Err(Error::from_errno(e)),
                };
                stack.push(Dir::new(child).map_err(Error::from_errno)?);
            }
            _ => {}
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_never_passes_the_limit() {
        let u = DiskUsage::new(90, 100);
        assert!(!u.would_exceed(10));
        assert!(u.would_exceed(11));
        assert!(matches!(
            u.try_reserve(11),
            Err(Error::DiskLimit {
                limit: 100,
                needed: 1
            })
        ));
        assert_eq!(u.used(), 90);
        u.try_reserve(10).unwrap();
        assert_eq!(u.used(), 100);
        u.sub(500);
        assert_eq!(u.used(), 0);
        let unlimited = DiskUsage::new(0, 0);
        unlimited.try_reserve(u64::MAX).unwrap();
        assert!(!unlimited.would_exceed(1));
    }
}
