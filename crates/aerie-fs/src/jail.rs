//! [`Jail`]: every file operation on a server volume.
//!
//! How each kind of operation stays inside the root:
//!
//! - **Reads** (`stat`, `list`, `open_read`, `symlink_metadata`, the source of `copy`) resolve
//!   the whole path beneath the root fd, following symbolic links only while they stay beneath
//!   it (Wings lets users keep links inside their volume). A link to `/`, to a host file, or
//!   climbing out with `..` is [`Error::Escape`].
//! - **Modifications** (`create_write`, `create_dir_all`, `rename`, `remove`, `chmod`, the
//!   destination of `copy`) follow no link at all: the parent directory is opened with
//!   `RESOLVE_NO_SYMLINKS` (or a walk with `O_NOFOLLOW`), and the last step is a single-name
//!   `*at` call relative to that directory fd (`openat(O_NOFOLLOW)`, `renameat2`, `unlinkat`,
//!   `fchmod` on an fd opened with `O_NOFOLLOW`). A directory swapped for a symlink between
//!   two operations cannot redirect the second: it is either refused as a link or the fd we
//!   hold still names the old directory.
//! - **Hard links**: a regular file with more than one link is neither read nor written
//!   ([`Error::HardLink`]), nor chmod-ed. Its other name may be outside the volume (a host
//!   file), and nothing in the inode says where. `fs.protected_hardlinks` normally stops the
//!   container user from linking to files it does not own, but a volume restored from an
//!   archive, transferred, or written by root (an install script) can contain one, and wings
//!   runs as root. Renaming or deleting such a name is allowed: it touches only the volume's
//!   directory entry, never the shared content.
//! - **FIFOs, sockets and devices** are never opened for reading or writing
//!   ([`Error::NotAFile`]); the type is checked on an `O_PATH` descriptor first, and opens use
//!   `O_NONBLOCK` so even a swapped-in FIFO cannot block.
//! - **Denylist**: a denied path (or one beneath a denied directory) is [`Error::Denied`] for
//!   every operation; listings still show it. When a read follows a link, the path actually
//!   reached is checked too. Renaming or deleting a directory that contains a denied path is
//!   refused.
//! - **Disk limit**: see [`Jail::create_write`] and [`Writer`].

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{self as rfs, AtFlags, Dir, FileType, Gid, Mode, OFlags, RenameFlags, Uid};
use rustix::io::Errno;

use crate::denylist::Denylist;
use crate::error::{Error, Result};
use crate::path::{NAME_MAX, RelPath};
use crate::resolve::{self, Follow, Resolver};
use crate::stat::{Meta, Stat};
use crate::usage::{self, DiskUsage, MAX_DEPTH};
use crate::writer::Writer;

/// Mode of files the jail creates (before the owner is set to the server's user).
const FILE_MODE: u32 = 0o644;
/// Mode of directories the jail creates.
const DIR_MODE: u32 = 0o755;

/// How to open a server volume.
#[derive(Debug, Clone, Default)]
pub struct JailOptions {
    /// Owner given to files and directories the jail creates or writes (the container user).
    pub uid: u32,
    /// Group given to files and directories the jail creates or writes.
    pub gid: u32,
    /// The disk limit in bytes; 0 means unlimited.
    pub disk_limit_bytes: u64,
    /// The egg's `file_denylist` patterns (see [`crate::denylist`]).
    pub denylist: Vec<String>,
    /// Refuse every modification with [`Error::ReadOnly`].
    pub read_only: bool,
}

/// A server volume: every path is resolved beneath its root directory, which is opened once.
#[derive(Debug)]
pub struct Jail {
    root: OwnedFd,
    root_path: PathBuf,
    uid: u32,
    gid: u32,
    read_only: bool,
    denylist: Denylist,
    usage: Arc<DiskUsage>,
    resolver: Resolver,
}

impl Jail {
    /// Opens the volume at `root` (a path from wings' own configuration, trusted), picks the
    /// resolver the kernel supports, and scans the disk usage. Every operation is blocking
    /// I/O (the scan of a large volume takes a while): call from `spawn_blocking`.
    pub fn open(root: &Path, options: JailOptions) -> Result<Jail> {
        let fd = rfs::open(
            root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(Error::from_errno)?;
        let resolver = Resolver::detect(fd.as_fd());
        let used = usage::scan(fd.as_fd())?;
        Ok(Jail {
            root: fd,
            root_path: root.to_path_buf(),
            uid: options.uid,
            gid: options.gid,
            read_only: options.read_only,
            denylist: Denylist::new(&options.denylist),
            usage: Arc::new(DiskUsage::new(used, options.disk_limit_bytes)),
            resolver,
        })
    }

    /// Uses `resolver` instead of the detected one. `Openat2` on a kernel without it still
    /// works (each lookup falls back to the walk); this exists so both paths can be tested.
    pub fn with_resolver(mut self, resolver: Resolver) -> Jail {
        self.resolver = resolver;
        self
    }

    /// The resolver in use.
    pub fn resolver(&self) -> Resolver {
        self.resolver
    }

    /// The host path the volume was opened from (for logs; never used to reach files).
    pub fn root_path(&self) -> &Path {
        &self.root_path
    }

    /// Whether the denylist covers `path` (false for paths that do not parse).
    pub fn is_denied(&self, path: &str) -> bool {
        RelPath::parse(path).is_ok_and(|rel| self.denylist.is_denied(&rel.as_match_path()))
    }

    // ---- reads -------------------------------------------------------------------------

    /// Metadata of `path`, following a final symbolic link if it stays inside the root (the
    /// result then has `symlink: true` and the target's other fields). A dangling link is
    /// [`Error::NotFound`], one leading outside [`Error::Escape`].
    pub fn stat(&self, path: &str) -> Result<Stat> {
        let rel = self.parse_guarded(path)?;
        let Some(name) = rel.file_name() else {
            return Ok(Stat::new("/", fstat(&self.root)?, false));
        };
        let link = self.lookup(
            rel.names(),
            OFlags::PATH | OFlags::NOFOLLOW,
            Follow::Beneath,
        )?;
        let meta = fstat(&link)?;
        if meta.file_type() != FileType::Symlink {
            return Ok(Stat::new(name, meta, false));
        }
        let target = self.lookup(rel.names(), OFlags::PATH, Follow::Beneath)?;
        Ok(Stat::new(name, fstat(&target)?, true))
    }

    /// Metadata of `path` itself: a final symbolic link is described, not followed.
    pub fn symlink_metadata(&self, path: &str) -> Result<Stat> {
        let rel = self.parse_guarded(path)?;
        let Some(name) = rel.file_name() else {
            return Ok(Stat::new("/", fstat(&self.root)?, false));
        };
        let fd = self.lookup(
            rel.names(),
            OFlags::PATH | OFlags::NOFOLLOW,
            Follow::Beneath,
        )?;
        Ok(Stat::new(name, fstat(&fd)?, false))
    }

    /// The entries of directory `dir`, directories first, then by name. Entries are described
    /// without following links (a link shows as `Lrwxrwxrwx`, `symlink: true`); denylisted
    /// entries are listed. Names that are not UTF-8 are shown lossily.
    pub fn list(&self, dir: &str) -> Result<Vec<Stat>> {
        let rel = self.parse_guarded(dir)?;
        let fd = self.lookup(
            rel.names(),
            OFlags::RDONLY | OFlags::DIRECTORY,
            Follow::Beneath,
        )?;
        let mut out = Vec::new();
        for name in read_names(&fd)? {
            let meta = match rfs::statat(&fd, &name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => Meta::from(&st),
                Err(Errno::NOENT) => continue,
                Err(e) => return Err(Error::from_errno(e)),
            };
            out.push(Stat::new(&name.to_string_lossy(), meta, false));
        }
        out.sort_by(|a, b| {
            b.directory
                .cmp(&a.directory)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// Opens regular file `path` for reading. Links inside the root are followed; directories
    /// are [`Error::IsADirectory`]; FIFOs, sockets and devices [`Error::NotAFile`] (never
    /// opened, so never blocking); hard-linked files [`Error::HardLink`].
    pub fn open_read(&self, path: &str) -> Result<File> {
        let rel = self.parse_guarded(path)?;
        Ok(self.open_read_rel(&rel)?.0)
    }

    // ---- writes ------------------------------------------------------------------------

    /// Opens `path` for writing, creating it (and its parent directories) if needed; with
    /// `truncate` an existing file is emptied first, otherwise writing starts at offset 0 over
    /// the existing bytes. No symbolic link is followed anywhere on the path.
    ///
    /// New files are mode 0644, new directories 0755; files and new directories are owned by
    /// the jail's uid/gid. Every byte that grows the file is charged to the disk limit before
    /// it is written (see [`Writer`]).
    ///
    /// The file is written in place, not through a temporary file: with `truncate` and an
    /// unknown length, a write refused halfway by the disk limit leaves a partial file, as in
    /// Wings. When the length is known, use [`Jail::create_write_sized`], which refuses before
    /// touching an existing file, or [`Jail::replace_atomic`] for all-or-nothing replacement.
    pub fn create_write(&self, path: &str, truncate: bool) -> Result<Writer> {
        self.open_for_write(path, truncate, None)
    }

    /// Like [`Jail::create_write`] with `truncate`, for a replacement whose length is known
    /// (an upload's `Content-Length`): if `len` bytes would not fit, this fails with
    /// [`Error::DiskLimit`] before the existing file is truncated or a new one created.
    pub fn create_write_sized(&self, path: &str, len: u64) -> Result<Writer> {
        self.open_for_write(path, true, Some(len))
    }

    /// Writes `bytes` as the whole content of `path` (creating it and its parents).
    pub fn write_all(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let mut w = self.create_write_sized(path, bytes.len() as u64)?;
        w.write_all(bytes).map_err(Error::from_io)?;
        w.finish().map(|_| ())
    }

    /// Replaces `path` with `bytes` atomically: a temporary file in the same directory is
    /// written, synced, then renamed over the target, so readers see the old or the new
    /// content, never a mix (config-file edits). An existing file keeps its permission bits; a
    /// symbolic link at `path` is replaced by the file, never followed.
    pub fn replace_atomic(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.writable()?;
        let rel = self.parse_guarded(path)?;
        let (parent_rel, name) = split(&rel).ok_or(Error::IsADirectory)?;
        let parent = self.make_dirs(parent_rel.names())?;
        let (old_size, perm) = match rfs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => {
                let m = Meta::from(&st);
                match m.file_type() {
                    FileType::RegularFile => {
                        (if m.nlink <= 1 { m.size } else { 0 }, m.mode & 0o777)
                    }
                    FileType::Symlink => (0, FILE_MODE),
                    FileType::Directory => return Err(Error::IsADirectory),
                    _ => return Err(Error::NotAFile),
                }
            }
            Err(Errno::NOENT) => (0, FILE_MODE),
            Err(e) => return Err(Error::from_errno(e)),
        };
        let len = bytes.len() as u64;
        self.check_room(len.saturating_sub(old_size))?;
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = format!(
            ".aerie-tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let fd = rfs::openat(
            &parent,
            &tmp,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(FILE_MODE),
        )
        .map_err(Error::from_errno)?;
        let written = (|| -> Result<()> {
            self.own(&fd, Some(perm))?;
            let mut f = File::from(fd);
            f.write_all(bytes)?;
            f.sync_all()?;
            rfs::renameat(&parent, &tmp, &parent, name).map_err(Error::from_errno)
        })();
        if let Err(e) = written {
            let _ = rfs::unlinkat(&parent, &tmp, AtFlags::empty());
            return Err(e);
        }
        self.usage.add(len);
        self.usage.sub(old_size);
        Ok(())
    }

    /// Creates directory `path` and any missing parents (0755, owned by the jail's user).
    /// An existing directory is fine; an existing file is [`Error::Exists`].
    pub fn create_dir_all(&self, path: &str) -> Result<()> {
        self.writable()?;
        let rel = self.parse_guarded(path)?;
        let Some((parent_rel, name)) = split(&rel) else {
            return Ok(());
        };
        let parent = self.make_dirs(parent_rel.names())?;
        match self.child_dir(&parent, name) {
            Err(Error::NotADirectory) => Err(Error::Exists),
            other => other.map(|_| ()),
        }
    }

    /// Renames `from` to `to` (both relative to the root), creating `to`'s parent
    /// directories. Refuses an existing destination ([`Error::Exists`], atomically with
    /// `RENAME_NOREPLACE`), links on either parent path, and denylisted paths on either side
    /// (including a directory that contains one). A link at `from` is moved as a link.
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        self.writable()?;
        let src = self.parse_guarded(from)?;
        let dst = self.parse_guarded(to)?;
        let (Some((src_parent_rel, src_name)), Some((dst_parent_rel, dst_name))) =
            (split(&src), split(&dst))
        else {
            return Err(Error::InvalidPath {
                reason: "the server root cannot be renamed or replaced",
            });
        };
        if dst.starts_with(&src) && dst != src {
            return Err(Error::InvalidPath {
                reason: "a directory cannot be moved into itself",
            });
        }
        let src_parent = self.lookup(
            src_parent_rel.names(),
            OFlags::PATH | OFlags::DIRECTORY,
            Follow::Never,
        )?;
        let meta = statat_nofollow(&src_parent, src_name)?;
        if meta.file_type() == FileType::Directory
            && self.tree_has_denied(&src_parent, src_name, &src)?
        {
            return Err(Error::Denied);
        }
        let dst_parent = self.make_dirs(dst_parent_rel.names())?;
        match rfs::renameat_with(
            &src_parent,
            src_name,
            &dst_parent,
            dst_name,
            RenameFlags::NOREPLACE,
        ) {
            Ok(()) => Ok(()),
            Err(Errno::EXIST | Errno::NOTEMPTY) => Err(Error::Exists),
            // EINVAL: a filesystem without RENAME_NOREPLACE (or a move into itself, which the
            // plain rename reports again). The existence check is then best effort.
            Err(Errno::INVAL) => {
                if statat_nofollow(&dst_parent, dst_name).is_ok() {
                    return Err(Error::Exists);
                }
                rfs::renameat(&src_parent, src_name, &dst_parent, dst_name).map_err(|e| match e {
                    Errno::INVAL => Error::InvalidPath {
                        reason: "a directory cannot be moved into itself",
                    },
                    Errno::EXIST | Errno::NOTEMPTY => Error::Exists,
                    other => Error::from_errno(other),
                })
            }
            Err(Errno::XDEV) => Err(Error::Io(std::io::Error::other(
                "cannot move between filesystems",
            ))),
            Err(e) => Err(Error::from_errno(e)),
        }
    }

    /// Copies regular file `path` next to itself with Pterodactyl's naming (`name copy.ext`,
    /// `name copy 2.ext`, …) and returns the new path (`/dir/name copy.ext`). The source is
    /// read like [`Jail::open_read`]; the copy is created exclusively (never overwriting) in
    /// the source's directory, which must not be reached through a link.
    pub fn copy(&self, path: &str) -> Result<String> {
        self.writable()?;
        let rel = self.parse_guarded(path)?;
        let (parent_rel, name) = split(&rel).ok_or(Error::IsADirectory)?;
        let (mut src, meta) = self.open_read_rel(&rel)?;
        let parent = self.lookup(
            parent_rel.names(),
            OFlags::PATH | OFlags::DIRECTORY,
            Follow::Never,
        )?;
        self.check_room(meta.size)?;
        for n in 1..=MAX_COPY_NUMBER {
            let candidate = copy_name(name, n);
            if candidate.len() > NAME_MAX {
                return Err(Error::InvalidPath {
                    reason: "the copy's name would be too long",
                });
            }
            let dest_rel = parent_rel.join(&candidate)?;
            if self.denylist.is_denied(&dest_rel.as_match_path()) {
                return Err(Error::Denied);
            }
            let fd = match rfs::openat(
                &parent,
                &candidate,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(FILE_MODE),
            ) {
                Ok(fd) => fd,
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(Error::from_errno(e)),
            };
            let copied = (|| -> Result<()> {
                self.own(&fd, Some(meta.mode & 0o777))?;
                let mut w = Writer::new(File::from(fd), Arc::clone(&self.usage), 0);
                std::io::copy(&mut src, &mut w).map_err(Error::from_io)?;
                w.finish().map(|_| ())
            })();
            if let Err(e) = copied {
                if let Ok(st) = rfs::statat(&parent, &candidate, AtFlags::SYMLINK_NOFOLLOW) {
                    self.usage.sub(Meta::from(&st).size);
                }
                let _ = rfs::unlinkat(&parent, &candidate, AtFlags::empty());
                return Err(e);
            }
            return Ok(dest_rel.to_string());
        }
        Err(Error::Exists)
    }

    /// Deletes `path`: a file or link is unlinked (a link is removed itself, never followed), a
    /// directory is removed with everything beneath it, without following any link. The root
    /// cannot be removed. Nesting deeper than [`MAX_DEPTH`] is refused (with what was already
    /// deleted staying deleted).
    pub fn remove(&self, path: &str) -> Result<()> {
        self.writable()?;
        let rel = self.parse_guarded(path)?;
        let (parent_rel, name) = split(&rel).ok_or(Error::InvalidPath {
            reason: "the server root cannot be deleted",
        })?;
        let parent = self.lookup(
            parent_rel.names(),
            OFlags::PATH | OFlags::DIRECTORY,
            Follow::Never,
        )?;
        let meta = statat_nofollow(&parent, name)?;
        if meta.file_type() == FileType::Directory {
            if self.tree_has_denied(&parent, name, &rel)? {
                return Err(Error::Denied);
            }
            let freed = remove_tree(&parent, name)?;
            self.usage.sub(freed);
            return Ok(());
        }
        rfs::unlinkat(&parent, name, AtFlags::empty()).map_err(Error::from_errno)?;
        if meta.file_type() == FileType::RegularFile && meta.nlink <= 1 {
            self.usage.sub(meta.size);
        }
        Ok(())
    }

    /// Sets the permission bits of `path` (a file or directory; not through or on a link).
    /// Modes above 0o777 (setuid, setgid, sticky) are [`Error::InvalidMode`].
    pub fn chmod(&self, path: &str, mode: u32) -> Result<()> {
        self.writable()?;
        if mode > 0o777 {
            return Err(Error::InvalidMode);
        }
        let rel = self.parse_guarded(path)?;
        let Some((parent_rel, name)) = split(&rel) else {
            return rfs::fchmod(&self.root, Mode::from_raw_mode(mode)).map_err(Error::from_errno);
        };
        let parent = self.lookup(
            parent_rel.names(),
            OFlags::PATH | OFlags::DIRECTORY,
            Follow::Never,
        )?;
        let before = statat_nofollow(&parent, name)?;
        let flags = match before.file_type() {
            FileType::Symlink => return Err(Error::Symlink),
            FileType::Directory => OFlags::RDONLY | OFlags::DIRECTORY,
            FileType::RegularFile if before.nlink > 1 => return Err(Error::HardLink),
            FileType::RegularFile => OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY,
            _ => return Err(Error::NotAFile),
        };
        let fd = rfs::openat(
            &parent,
            name,
            flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(open_error)?;
        let now = fstat(&fd)?;
        if !now.same_inode(&before) || (now.file_type() == FileType::RegularFile && now.nlink > 1) {
            return Err(Error::Io(std::io::Error::other(
                "the file changed during the operation",
            )));
        }
        rfs::fchmod(&fd, Mode::from_raw_mode(mode)).map_err(Error::from_errno)
    }

    // ---- disk usage --------------------------------------------------------------------

    /// Bytes in use as currently known (see [`crate::usage`] for what is counted).
    pub fn disk_usage(&self) -> u64 {
        self.usage.used()
    }

    /// The shared counter (e.g. for the disk checker, or to change the limit).
    pub fn usage(&self) -> &Arc<DiskUsage> {
        &self.usage
    }

    /// Whether `extra_bytes` more would go over the disk limit.
    pub fn would_exceed(&self, extra_bytes: u64) -> bool {
        self.usage.would_exceed(extra_bytes)
    }

    /// Recomputes the usage from the disk and returns it. Writes running during the scan may
    /// be counted twice or not at all until the next scan.
    pub fn rescan(&self) -> Result<u64> {
        let used = usage::scan(self.root.as_fd())?;
        self.usage.set(used);
        Ok(used)
    }

    // ---- internals ---------------------------------------------------------------------

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly)
        } else {
            Ok(())
        }
    }

    fn parse_guarded(&self, path: &str) -> Result<RelPath> {
        let rel = RelPath::parse(path)?;
        if self.denylist.is_denied(&rel.as_match_path()) {
            return Err(Error::Denied);
        }
        Ok(rel)
    }

    /// Resolves `names` beneath the root; when links were followed, the path reached must
    /// not be denylisted either.
    fn lookup(&self, names: &[String], oflags: OFlags, follow: Follow) -> Result<OwnedFd> {
        let need_walked = follow == Follow::Beneath && !self.denylist.is_empty();
        let r = resolve::open(
            self.root.as_fd(),
            self.resolver,
            names,
            oflags,
            Mode::empty(),
            follow,
            need_walked,
        )?;
        if let Some(walked) = &r.walked
            && self.denylist.is_denied(walked)
        {
            return Err(Error::Denied);
        }
        Ok(r.fd)
    }

    fn check_room(&self, extra: u64) -> Result<()> {
        if self.usage.would_exceed(extra) {
            let limit = self.usage.limit();
            return Err(Error::DiskLimit {
                limit,
                needed: self
                    .usage
                    .used()
                    .saturating_add(extra)
                    .saturating_sub(limit),
            });
        }
        Ok(())
    }

    fn open_read_rel(&self, rel: &RelPath) -> Result<(File, Meta)> {
        // Check the type on an O_PATH descriptor, which opens nothing, before a real open.
        let probe = self.lookup(rel.names(), OFlags::PATH, Follow::Beneath)?;
        let first = fstat(&probe)?;
        check_content_access(&first)?;
        let fd = self.lookup(
            rel.names(),
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY,
            Follow::Beneath,
        )?;
        let meta = fstat(&fd)?;
        if !meta.same_inode(&first) {
            return Err(Error::Io(std::io::Error::other(
                "the file changed while it was being opened",
            )));
        }
        check_content_access(&meta)?;
        rfs::fcntl_setfl(&fd, OFlags::empty()).map_err(Error::from_errno)?;
        Ok((File::from(fd), meta))
    }

    fn open_for_write(&self, path: &str, truncate: bool, declared: Option<u64>) -> Result<Writer> {
        self.writable()?;
        let rel = self.parse_guarded(path)?;
        let (parent_rel, name) = split(&rel).ok_or(Error::IsADirectory)?;
        let parent = self.make_dirs(parent_rel.names())?;
        let existing = match rfs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Some(Meta::from(&st)),
            Err(Errno::NOENT) => None,
            Err(e) => return Err(Error::from_errno(e)),
        };
        if let Some(m) = &existing {
            check_content_access(m)?;
        }
        if let Some(len) = declared {
            // The replacement frees the old content: only the growth must fit.
            self.check_room(len.saturating_sub(existing.map_or(0, |m| m.size)))?;
        }
        let common =
            OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let (fd, created) = match existing {
            None => {
                match rfs::openat(
                    &parent,
                    name,
                    common | OFlags::CREATE | OFlags::EXCL,
                    Mode::from_raw_mode(FILE_MODE),
                ) {
                    Ok(fd) => (fd, true),
                    Err(Errno::EXIST) => (
                        rfs::openat(&parent, name, common, Mode::empty()).map_err(open_error)?,
                        false,
                    ),
                    Err(e) => return Err(open_error(e)),
                }
            }
            Some(_) => (
                rfs::openat(&parent, name, common, Mode::empty()).map_err(open_error)?,
                false,
            ),
        };
        let meta = fstat(&fd)?;
        check_content_access(&meta)?;
        self.own(&fd, created.then_some(FILE_MODE))?;
        rfs::fcntl_setfl(&fd, OFlags::empty()).map_err(Error::from_errno)?;
        let mut size = meta.size;
        if truncate && size > 0 {
            rfs::ftruncate(&fd, 0).map_err(Error::from_errno)?;
            self.usage.sub(size);
            size = 0;
        }
        Ok(Writer::new(File::from(fd), Arc::clone(&self.usage), size))
    }

    /// Opens (creating as needed) the directory `names`, following no link.
    fn make_dirs(&self, names: &[String]) -> Result<OwnedFd> {
        match self.lookup(names, OFlags::PATH | OFlags::DIRECTORY, Follow::Never) {
            Err(Error::NotFound) => {}
            other => return other,
        }
        let mut cur = rfs::openat(
            &self.root,
            ".",
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(Error::from_errno)?;
        for name in names {
            cur = self.child_dir(&cur, name)?;
        }
        Ok(cur)
    }

    /// Opens directory `name` in `parent`, creating it if missing; a link there is refused.
    fn child_dir(&self, parent: &OwnedFd, name: &str) -> Result<OwnedFd> {
        for _ in 0..8 {
            match rfs::openat(
                parent,
                name,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            ) {
                Ok(fd) => return Ok(fd),
                Err(Errno::NOENT) => {
                    match rfs::mkdirat(parent, name, Mode::from_raw_mode(DIR_MODE)) {
                        Ok(()) => {
                            let fd = rfs::openat(
                                parent,
                                name,
                                OFlags::RDONLY
                                    | OFlags::DIRECTORY
                                    | OFlags::NOFOLLOW
                                    | OFlags::CLOEXEC,
                                Mode::empty(),
                            )
                            .map_err(open_error)?;
                            self.own(&fd, Some(DIR_MODE))?;
                            return Ok(fd);
                        }
                        Err(Errno::EXIST) => continue,
                        Err(e) => return Err(Error::from_errno(e)),
                    }
                }
                Err(Errno::NOTDIR | Errno::LOOP) => {
                    let is_link = statat_nofollow(parent, name)
                        .is_ok_and(|m| m.file_type() == FileType::Symlink);
                    return Err(if is_link {
                        Error::Symlink
                    } else {
                        Error::NotADirectory
                    });
                }
                Err(e) => return Err(Error::from_errno(e)),
            }
        }
        Err(Error::Io(std::io::Error::other(
            "the directory kept changing while it was being created",
        )))
    }

    /// Gives `fd` the jail's owner (if it differs) and, for new objects, `mode`.
    fn own(&self, fd: &OwnedFd, mode: Option<u32>) -> Result<()> {
        let meta = fstat(fd)?;
        if meta.uid != self.uid || meta.gid != self.gid {
            rfs::fchown(
                fd,
                Some(Uid::from_raw(self.uid)),
                Some(Gid::from_raw(self.gid)),
            )
            .map_err(Error::from_errno)?;
        }
        if let Some(mode) = mode {
            rfs::fchmod(fd, Mode::from_raw_mode(mode)).map_err(Error::from_errno)?;
        }
        Ok(())
    }

    /// Whether anything at or beneath directory `name` in `parent` (which is `rel`) is denied.
    fn tree_has_denied(&self, parent: &OwnedFd, name: &str, rel: &RelPath) -> Result<bool> {
        if self.denylist.is_empty() {
            return Ok(false);
        }
        let top = match rfs::openat(
            parent,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(e) => return Err(open_error(e)),
        };
        let mut stack: Vec<(OwnedFd, PathBuf, Vec<OsString>)> = Vec::new();
        let names = read_names(&top)?;
        stack.push((top, rel.as_match_path(), names));
        loop {
            let depth = stack.len();
            let Some((fd, at, names)) = stack.last_mut() else {
                break;
            };
            let Some(n) = names.pop() else {
                stack.pop();
                continue;
            };
            let child = at.join(&n);
            if self.denylist.is_denied(&child) {
                return Ok(true);
            }
            if let Ok(m) = statat_nofollow(&*fd, &n)
                && m.file_type() == FileType::Directory
            {
                if depth >= MAX_DEPTH {
                    return Err(too_deep());
                }
                if let Ok(cfd) = rfs::openat(
                    &*fd,
                    &n,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                ) {
                    let names = read_names(&cfd)?;
                    stack.push((cfd, child, names));
                }
            }
        }
        Ok(false)
    }
}

const MAX_COPY_NUMBER: u32 = 1000;

/// The name of the `n`th copy of `name` (Pterodactyl's naming): `a.txt` → `a copy.txt`,
/// `a copy 2.txt`, …; archive double extensions stay whole (`b.tar.gz` → `b copy.tar.gz`);
/// a leading dot is not an extension (`.env` → `.env copy`).
pub fn copy_name(name: &str, n: u32) -> String {
    const DOUBLE: [&str; 5] = [".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz4"];
    let lower = name.to_ascii_lowercase();
    let ext_len = DOUBLE
        .iter()
        .find(|d| lower.ends_with(*d) && lower.len() > d.len())
        .map(|d| d.len())
        .or_else(|| name.rfind('.').filter(|&i| i > 0).map(|i| name.len() - i))
        .unwrap_or(0);
    let (stem, ext) = name.split_at(name.len() - ext_len);
    if n <= 1 {
        format!("{stem} copy{ext}")
    } else {
        format!("{stem} copy {n}{ext}")
    }
}

fn split(rel: &RelPath) -> Option<(RelPath, &str)> {
    Some((rel.parent()?, rel.file_name()?))
}

fn fstat<Fd: AsFd>(fd: Fd) -> Result<Meta> {
    rfs::fstat(fd)
        .map(|st| Meta::from(&st))
        .map_err(Error::from_errno)
}

fn statat_nofollow<Fd: AsFd, P: rustix::path::Arg>(dir: Fd, name: P) -> Result<Meta> {
    rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .map(|st| Meta::from(&st))
        .map_err(Error::from_errno)
}

/// Maps the errno of a single-name `openat(O_NOFOLLOW)`.
fn open_error(e: Errno) -> Error {
    match e {
        Errno::LOOP => Error::Symlink,
        // O_WRONLY|O_NONBLOCK on a FIFO without a reader.
        Errno::NXIO => Error::NotAFile,
        other => Error::from_errno(other),
    }
}

/// Reading or writing content is allowed for regular files with a single link only.
fn check_content_access(m: &Meta) -> Result<()> {
    match m.file_type() {
        FileType::RegularFile if m.nlink > 1 => Err(Error::HardLink),
        FileType::RegularFile => Ok(()),
        FileType::Directory => Err(Error::IsADirectory),
        FileType::Symlink => Err(Error::Symlink),
        _ => Err(Error::NotAFile),
    }
}

fn too_deep() -> Error {
    Error::InvalidPath {
        reason: "the directory tree is nested too deeply",
    }
}

/// The names in a directory, without `.` and `..`.
fn read_names<Fd: AsFd>(fd: Fd) -> Result<Vec<OsString>> {
    use std::os::unix::ffi::OsStrExt;
    let mut dir = Dir::read_from(fd).map_err(Error::from_errno)?;
    let mut names = Vec::new();
    while let Some(entry) = dir.read() {
        let entry = entry.map_err(Error::from_errno)?;
        let bytes = entry.file_name().to_bytes();
        if bytes != b"." && bytes != b".." {
            names.push(std::ffi::OsStr::from_bytes(bytes).to_owned());
        }
    }
    Ok(names)
}

/// Removes directory `name` in `parent` and everything beneath it, following no link;
/// returns the bytes freed (regular files with a single link).
fn remove_tree(parent: &OwnedFd, name: &str) -> Result<u64> {
    struct Frame {
        fd: OwnedFd,
        names: Vec<OsString>,
        name: OsString,
    }
    let open_dir = |at: BorrowedFd<'_>, n: &std::ffi::OsStr| {
        rfs::openat(
            at,
            n,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
    };
    let mut freed = 0u64;
    let top = match open_dir(parent.as_fd(), name.as_ref()) {
        Ok(fd) => fd,
        // Swapped for a link or a file since the caller's stat: remove just that entry.
        Err(Errno::LOOP | Errno::NOTDIR) => {
            rfs::unlinkat(parent, name, AtFlags::empty()).map_err(Error::from_errno)?;
            return Ok(0);
        }
        Err(e) => return Err(Error::from_errno(e)),
    };
    let names = read_names(&top)?;
    let mut stack = vec![Frame {
        fd: top,
        names,
        name: name.into(),
    }];
    loop {
        let depth = stack.len();
        let Some(frame) = stack.last_mut() else { break };
        let Some(n) = frame.names.pop() else {
            let done = stack.pop();
            if let Some(done) = done {
                drop(done.fd);
                let at = stack.last().map_or(parent.as_fd(), |f| f.fd.as_fd());
                match rfs::unlinkat(at, &done.name, AtFlags::REMOVEDIR) {
                    Ok(()) | Err(Errno::NOENT) => {}
                    Err(Errno::NOTEMPTY | Errno::EXIST) => {
                        return Err(Error::Io(std::io::Error::other(
                            "the directory changed while it was being deleted",
                        )));
                    }
                    Err(e) => return Err(Error::from_errno(e)),
                }
            }
            continue;
        };
        let meta = match rfs::statat(&frame.fd, &n, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Meta::from(&st),
            Err(Errno::NOENT) => continue,
            Err(e) => return Err(Error::from_errno(e)),
        };
        if meta.file_type() == FileType::Directory {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            match open_dir(frame.fd.as_fd(), &n) {
                Ok(fd) => {
                    let names = read_names(&fd)?;
                    stack.push(Frame { fd, names, name: n });
                    continue;
                }
                Err(Errno::NOENT) => continue,
                Err(Errno::LOOP | Errno::NOTDIR) => {}
                Err(e) => return Err(Error::from_errno(e)),
            }
        }
        match rfs::unlinkat(&frame.fd, &n, AtFlags::empty()) {
            Ok(()) => {
                if meta.file_type() == FileType::RegularFile && meta.nlink <= 1 {
                    freed = freed.saturating_add(meta.size);
                }
            }
            Err(Errno::NOENT) => {}
            Err(e) => return Err(Error::from_errno(e)),
        }
    }
    Ok(freed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jail_is_shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Jail>();
        assert_send_sync::<Writer>();
    }

    #[test]
    fn copy_names() {
        assert_eq!(copy_name("a.txt", 1), "a copy.txt");
        assert_eq!(copy_name("a.txt", 2), "a copy 2.txt");
        assert_eq!(copy_name("a.txt", 10), "a copy 10.txt");
        assert_eq!(copy_name("server.jar", 1), "server copy.jar");
        assert_eq!(copy_name("backup.tar.gz", 1), "backup copy.tar.gz");
        assert_eq!(copy_name("backup.TAR.GZ", 3), "backup copy 3.TAR.GZ");
        assert_eq!(copy_name("noext", 1), "noext copy");
        assert_eq!(copy_name(".env", 1), ".env copy");
        assert_eq!(copy_name(".env.local", 1), ".env copy.local");
        assert_eq!(copy_name("a.b.c", 2), "a.b copy 2.c");
        assert_eq!(copy_name(".tar.gz", 1), ".tar copy.gz");
    }
}
