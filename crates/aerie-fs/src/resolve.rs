//! Resolving a normalised path beneath the root directory fd, by the kernel.
//!
//! Two resolvers give the same answers:
//!
//! - [`Resolver::Openat2`] (Linux ≥ 5.6): one `openat2` call with `RESOLVE_BENEATH |
//!   RESOLVE_NO_MAGICLINKS`, plus `RESOLVE_NO_SYMLINKS` when no link may be followed. The kernel
//!   refuses any step above the root (`..`, an absolute symlink, a relative one that climbs out)
//!   with `EXDEV`, atomically with the lookup, so a rename or symlink swap racing us cannot
//!   slip a step outside.
//! - [`Resolver::ComponentWalk`], used when `openat2` is missing (`ENOSYS` on older kernels) or
//!   blocked (`EPERM` from a seccomp filter): one `openat(dirfd, name, O_NOFOLLOW)` per name,
//!   each relative to the directory fd opened in the previous step. A single name without `/`
//!   opened with `O_NOFOLLOW` cannot leave its directory, and the walk holds every directory
//!   it passed as an fd, so `..` (only ever from a symlink target) pops back to an fd we
//!   already hold instead of asking the kernel for a parent. Symbolic links are read with
//!   `readlinkat` and followed by the same rules as `RESOLVE_BENEATH`: absolute targets and
//!   targets climbing above the root are refused, at most 40 links per lookup.
//!
//! The walk also knows which names it really went through, which the denylist needs when a
//! symlink is followed (`link -> secret.cfg` must not read a denylisted `secret.cfg`); with
//! `openat2` the jail first resolves without following links and walks only when that hits one.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use crate::error::{Error, Result};
use crate::path::kernel_path;

/// How paths are resolved beneath the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// One `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS [| RESOLVE_NO_SYMLINKS])` per lookup.
    Openat2,
    /// One `openat(O_NOFOLLOW)` per name, symlinks followed by hand under the same rules.
    ComponentWalk,
}

impl Resolver {
    /// Picks `Openat2` if the kernel answers it for `root`, else `ComponentWalk`.
    pub fn detect(root: BorrowedFd<'_>) -> Resolver {
        match rfs::openat2(
            root,
            ".",
            OFlags::PATH | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        ) {
            // ENOSYS: kernel before 5.6. EPERM: a seccomp profile that blocks the syscall
            // (opening `.` of a directory we hold cannot fail with EPERM otherwise).
            Err(Errno::NOSYS) | Err(Errno::PERM) => Resolver::ComponentWalk,
            _ => Resolver::Openat2,
        }
    }
}

/// Whether symbolic links may be followed during a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Follow {
    /// Follow links whose targets stay beneath the root (reads, like Wings).
    Beneath,
    /// Refuse any link on the way (writes and every modifying operation).
    Never,
}

/// An opened object and, when known, the names actually walked to reach it.
pub(crate) struct Resolved {
    pub fd: OwnedFd,
    /// Set by the component walk; `None` when the requested names were used as they are.
    pub walked: Option<PathBuf>,
}

const MAX_SYMLINK_HOPS: usize = 40;
const EAGAIN_RETRIES: usize = 32;

/// Opens `names` beneath `root`.
///
/// `oflags` are the `open` flags for the final object (`O_CLOEXEC` is always added); with
/// `O_NOFOLLOW` a final symlink is not followed even under [`Follow::Beneath`]. `need_walked`
/// asks for the names actually walked whenever a symlink was followed.
pub(crate) fn open(
    root: BorrowedFd<'_>,
    resolver: Resolver,
    names: &[String],
    oflags: OFlags,
    mode: Mode,
    follow: Follow,
    need_walked: bool,
) -> Result<Resolved> {
    let oflags = oflags | OFlags::CLOEXEC;
    if resolver == Resolver::Openat2 {
        // When the caller needs to know where links led, try without following any: the
        // common case (no links) needs one syscall, and a link sends us to the walk.
        let first = if need_walked { Follow::Never } else { follow };
        match openat2_beneath(root, names, oflags, mode, first) {
            Ok(fd) => return Ok(Resolved { fd, walked: None }),
            Err(Errno::NOSYS) => {}
            // ELOOP while following means a loop, a magic link, or (with O_NOFOLLOW) a final
            // link, which the errno alone cannot tell apart; the walk reports it precisely.
            Err(Errno::LOOP) if follow == Follow::Beneath => {}
            Err(e) => return Err(resolve_error(e, first)),
        }
    }
    walk(root, names, oflags, mode, follow)
}

fn openat2_beneath(
    root: BorrowedFd<'_>,
    names: &[String],
    oflags: OFlags,
    mode: Mode,
    follow: Follow,
) -> Result<OwnedFd, Errno> {
    let mut how = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
    if follow == Follow::Never {
        how |= ResolveFlags::NO_SYMLINKS;
    }
    let path = kernel_path(names);
    let mut tries = 0;
    loop {
        match rfs::openat2(root, &path, oflags, mode, how) {
            // EAGAIN: a concurrent rename or mount made the kernel unsure the lookup stayed
            // beneath the root; it asks us to try again.
            Err(Errno::AGAIN) if tries < EAGAIN_RETRIES => tries += 1,
            other => return other,
        }
    }
}

/// Turns an errno from an `openat2` lookup into a jail error.
fn resolve_error(e: Errno, follow: Follow) -> Error {
    match e {
        Errno::XDEV => Error::Escape,
        Errno::LOOP if follow == Follow::Never => Error::Symlink,
        Errno::LOOP => Error::InvalidPath {
            reason: "too many levels of symbolic links",
        },
        other => Error::from_errno(other),
    }
}

/// The component walk (see the module docs).
fn walk(
    root: BorrowedFd<'_>,
    names: &[String],
    oflags: OFlags,
    mode: Mode,
    follow: Follow,
) -> Result<Resolved> {
    let keep_final_link = oflags.contains(OFlags::NOFOLLOW);
    let mut pending: VecDeque<OsString> = names.iter().map(OsString::from).collect();
    let mut stack: Vec<(OwnedFd, OsString)> = Vec::new();
    let mut hops = 0usize;
    let walked = |stack: &[(OwnedFd, OsString)], last: Option<&OsStr>| -> PathBuf {
        let mut p: PathBuf = stack.iter().map(|(_, n)| n.as_os_str()).collect();
        if let Some(l) = last {
            p.push(l);
        }
        p
    };
    let mut follow_link =
        |pending: &mut VecDeque<OsString>, target: std::ffi::CString| -> Result<()> {
            if follow == Follow::Never {
                return Err(Error::Symlink);
            }
            hops += 1;
            if hops > MAX_SYMLINK_HOPS {
                return Err(Error::InvalidPath {
                    reason: "too many levels of symbolic links",
                });
            }
            let bytes = target.as_bytes();
            if bytes.first() == Some(&b'/') {
                // RESOLVE_BENEATH refuses absolute links too: their target is on the host.
                return Err(Error::Escape);
            }
            if bytes.is_empty() {
                return Err(Error::NotFound);
            }
            for part in bytes.split(|b| *b == b'/').rev() {
                pending.push_front(OsString::from_vec(part.to_vec()));
            }
            Ok(())
        };

    loop {
        let cur = stack.last().map_or(root, |(fd, _)| fd.as_fd());
        let Some(name) = pending.pop_front() else {
            // Nothing left (the root, or a target ending in `.`/`..`): the current directory.
            let flags = oflags - OFlags::NOFOLLOW - OFlags::CREATE - OFlags::EXCL;
            let fd = rfs::openat(cur, ".", flags, mode).map_err(Error::from_errno)?;
            return Ok(Resolved {
                fd,
                walked: Some(walked(&stack, None)),
            });
        };
        match name.as_bytes() {
            b"" | b"." => continue,
            b".." => {
                if stack.pop().is_none() {
                    return Err(Error::Escape);
                }
                continue;
            }
            _ => {}
        }
        if !pending.is_empty() {
            // A directory on the way (or a link to one).
            let fd = rfs::openat(
                cur,
                &name,
                OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(Error::from_errno)?;
            let st = rfs::fstat(&fd).map_err(Error::from_errno)?;
            match FileType::from_raw_mode(st.st_mode) {
                FileType::Directory => stack.push((fd, name)),
                FileType::Symlink => {
                    // Reading the link through the O_PATH fd reads exactly the link we checked.
                    let target = rfs::readlinkat(&fd, "", Vec::new()).map_err(Error::from_errno)?;
                    follow_link(&mut pending, target)?;
                }
                _ => return Err(Error::NotADirectory),
            }
            continue;
        }
        // The final name.
        match rfs::openat(cur, &name, oflags | OFlags::NOFOLLOW, mode) {
            Ok(fd) => {
                if oflags.contains(OFlags::PATH) && !keep_final_link {
                    // O_PATH|O_NOFOLLOW opened the link itself; follow it as asked.
                    let st = rfs::fstat(&fd).map_err(Error::from_errno)?;
                    if FileType::from_raw_mode(st.st_mode) == FileType::Symlink {
                        let target =
                            rfs::readlinkat(&fd, "", Vec::new()).map_err(Error::from_errno)?;
                        follow_link(&mut pending, target)?;
                        continue;
                    }
                }
                return Ok(Resolved {
                    fd,
                    walked: Some(walked(&stack, Some(&name))),
                });
            }
            Err(e @ (Errno::LOOP | Errno::NOTDIR)) => {
                // O_NOFOLLOW met a link (ELOOP, or ENOTDIR with O_PATH|O_DIRECTORY).
                let is_link = rfs::statat(cur, &name, AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink);
                if !is_link {
                    return Err(Error::from_errno(e));
                }
                if keep_final_link {
                    return Err(Error::Symlink);
                }
                let target = rfs::readlinkat(cur, &name, Vec::new()).map_err(Error::from_errno)?;
                follow_link(&mut pending, target)?;
            }
            Err(e) => return Err(Error::from_errno(e)),
        }
    }
}
