//! [`compress`]: selected files and directories of a server, read through the jail, streamed
//! into a new archive written through the jail.
//!
//! What goes in, and what is left out on purpose:
//!
//! - regular files and directories, walked without following any symbolic link;
//! - **symbolic links are left out** (not stored as links, not followed): a link may point
//!   outside the volume, and an archive holding it would recreate that link wherever it is
//!   unpacked. Selecting a link by name leaves it out too;
//! - files the egg's denylist covers, files with more than one hard link (the jail never reads
//!   those, see `aerie_fs::jail`), FIFOs, sockets and devices are left out;
//! - the archive being written, and the staging directories of extractions in progress
//!   (`.aerie-extract-*`), are left out;
//! - a file that disappears during the walk is left out; one that shrinks is padded with
//!   zeros to the size it had when its entry was started (a game server may be writing to it).
//! - a file selected twice (by name and through its directory) is stored once.
//!
//! Each omission is logged at `debug` with its path. The archive is charged to the server's
//! disk limit as it is written (the jail's [`aerie_fs::Writer`]); if any step fails, including
//! the limit, the partial archive is deleted.

use std::cell::Cell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::rc::Rc;

use aerie_fs::{Jail, RelPath, Stat, Writer};
use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::error::{Error, Result};
use crate::format::Format;
use crate::{STAGING_PREFIX, join};

/// Makes an archive in `root` (a directory of the volume) holding `files` (names relative to
/// `root`; a name may contain `/` to reach deeper) in `format`, and returns the archive's path
/// relative to the server root (`/logs/archive-2024-05-01T100000.tar.gz`).
///
/// The name follows Wings: `archive-<UTC date>T<HHMMSS>.<ext>`, with `-1`, `-2`, … appended if
/// a file of that name already exists (two archives in the same second). Entries are named
/// relative to `root`. See the [module docs](self) for what is left out. Blocking: run it from
/// `spawn_blocking`.
pub fn compress(jail: &Jail, root: &str, files: &[String], format: Format) -> Result<String> {
    if files.is_empty() {
        return Err(Error::NothingSelected);
    }
    let root_rel = RelPath::parse(root)?;
    if !jail.stat(&root_rel.to_string())?.directory {
        return Err(aerie_fs::Error::NotADirectory.into());
    }
    let mut selected = Vec::with_capacity(files.len());
    for f in files {
        let rel = RelPath::parse(&join(root, f))?;
        if rel.is_root() {
            // Compressing the root itself: everything in it, named from the root.
            for entry in jail.list(&rel.to_string())? {
                let child = rel.join(&entry.name)?;
                selected.push((child.to_string(), entry.name.clone()));
            }
            continue;
        }
        let name = match rel.names().strip_prefix(root_rel.names()) {
            Some(rest) if !rest.is_empty() => rest.join("/"),
            _ => rel.file_name().unwrap_or_default().to_owned(),
        };
        selected.push((rel.to_string(), name));
    }

    let stamp = Utc::now().format("%Y-%m-%dT%H%M%S").to_string();
    let archive = free_name(jail, &root_rel, &stamp, format)?;
    let state = Rc::new(TrackState::default());
    let writer = Tracked {
        inner: jail.create_write(&archive, true)?,
        state: Rc::clone(&state),
        pos: 0,
        end: 0,
    };
    let mut walker = Walker {
        jail,
        archive: archive.clone(),
        sink: Sink::new(writer, format)?,
        seen: HashSet::new(),
    };

    let result = (|| -> Result<()> {
        for (path, name) in &selected {
            walker.add(path, name, 0, true)?;
        }
        walker.sink.finish()
    })();
    match result {
        Ok(()) => Ok(archive),
        Err(e) => {
            state.discard.set(true);
            drop(walker);
            if let Err(rm) = jail.remove(&archive) {
                tracing::warn!(archive = %archive, error = %rm, "could not delete a failed archive");
            }
            // An encoder may have wrapped the disk-limit error it got from the jail's writer.
            Err(match state.disk_limit.get() {
                Some((limit, needed)) => Error::Fs(aerie_fs::Error::DiskLimit { limit, needed }),
                None => e,
            })
        }
    }
}

/// `archive-<stamp>.<ext>` in `root`, or with `-n` before the extension if that exists.
fn free_name(jail: &Jail, root: &RelPath, stamp: &str, format: Format) -> Result<String> {
    for n in 0..1000u32 {
        let file = if n == 0 {
            format!("archive-{stamp}.{}", format.extension())
        } else {
            format!("archive-{stamp}-{n}.{}", format.extension())
        };
        let path = root.join(&file)?.to_string();
        match jail.symlink_metadata(&path) {
            Err(aerie_fs::Error::NotFound) => return Ok(path),
            Err(e) => return Err(e.into()),
            Ok(_) => continue,
        }
    }
    Err(Error::Fs(aerie_fs::Error::Exists))
}

struct Walker<'a> {
    jail: &'a Jail,
    archive: String,
    sink: Sink,
    /// Entry names written so far: selecting `a` and `a/b` must not store `a/b` twice (zip
    /// refuses duplicate names, and tar would unpack it twice).
    seen: HashSet<String>,
}

impl Walker<'_> {
    /// Adds `path` (relative to the server root) as `name`. `top` marks a path the user
    /// selected: one that does not exist is an error rather than a skip.
    fn add(&mut self, path: &str, name: &str, depth: usize, top: bool) -> Result<()> {
        if path == self.archive || self.jail.is_denied(path) || self.seen.contains(name) {
            tracing::debug!(
                path,
                "left out of the archive: denied, or the archive itself"
            );
            return Ok(());
        }
        let stat = match self.jail.symlink_metadata(path) {
            Ok(s) => s,
            Err(aerie_fs::Error::NotFound) if !top => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if stat.symlink {
            tracing::debug!(path, "left out of the archive: symbolic link");
            return Ok(());
        }
        if stat.directory {
            if depth >= aerie_fs::usage::MAX_DEPTH {
                return Err(aerie_fs::Error::InvalidPath {
                    reason: "the directory tree is nested too deeply",
                }
                .into());
            }
            if stat.name.starts_with(STAGING_PREFIX) {
                return Ok(());
            }
            self.sink.dir(name, &stat)?;
            self.seen.insert(name.to_owned());
            let children = match self.jail.list(path) {
                Ok(c) => c,
                Err(aerie_fs::Error::NotFound) if !top => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            for child in children {
                let child_path = format!("{}/{}", path.trim_end_matches('/'), child.name);
                let child_name = format!("{name}/{}", child.name);
                self.add(&child_path, &child_name, depth + 1, false)?;
            }
            return Ok(());
        }
        if !stat.file {
            tracing::debug!(path, "left out of the archive: not a regular file");
            return Ok(());
        }
        let file = match self.jail.open_read(path) {
            Ok(f) => f,
            Err(
                aerie_fs::Error::HardLink | aerie_fs::Error::NotAFile | aerie_fs::Error::Symlink,
            ) => {
                tracing::debug!(
                    path,
                    "left out of the archive: hard link, special file, or swapped for a link"
                );
                return Ok(());
            }
            Err(aerie_fs::Error::NotFound) if !top => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        // The size of the file as opened, not as listed (it may have changed in between).
        let size = file.metadata().map_err(aerie_fs::Error::from)?.len();
        self.sink.file(name, &stat, size, file)?;
        self.seen.insert(name.to_owned());
        Ok(())
    }
}

/// The jail's writer, remembering a disk-limit refusal so that it survives encoders that
/// re-wrap the `io::Error`. Once the archive has failed, `discard` makes every further write
/// vanish: the zip writer finalises itself when dropped, and that must neither write to the
/// file being deleted nor complain on stderr.
struct Tracked {
    inner: Writer,
    state: Rc<TrackState>,
    pos: u64,
    end: u64,
}

#[derive(Default)]
struct TrackState {
    disk_limit: Cell<Option<(u64, u64)>>,
    discard: Cell<bool>,
}

impl Tracked {
    fn finish(self) -> Result<()> {
        self.inner.finish().map(|_| ()).map_err(Error::from)
    }
}

impl Write for Tracked {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = if self.state.discard.get() {
            buf.len()
        } else {
            self.inner
                .write(buf)
                .map_err(|e| match aerie_fs::Error::from_io(e) {
                    aerie_fs::Error::DiskLimit { limit, needed } => {
                        self.state.disk_limit.set(Some((limit, needed)));
                        io::Error::other(aerie_fs::Error::DiskLimit { limit, needed })
                    }
                    aerie_fs::Error::Io(e) => e,
                    other => io::Error::other(other),
                })?
        };
        self.pos += n as u64;
        self.end = self.end.max(self.pos);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.state.discard.get() {
            Ok(())
        } else {
            self.inner.flush()
        }
    }
}

impl io::Seek for Tracked {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        if !self.state.discard.get() {
            self.pos = self.inner.seek(to)?;
            return Ok(self.pos);
        }
        let base = match to {
            io::SeekFrom::Start(n) => Some(n),
            io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            io::SeekFrom::End(d) => self.end.checked_add_signed(d),
        };
        self.pos = base.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(self.pos)
    }
}

/// The compressor around a tar stream.
enum Compressor {
    Gzip(flate2::write::GzEncoder<Tracked>),
    Zstd(zstd::Encoder<'static, Tracked>),
}

impl Write for Compressor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressor::Gzip(w) => w.write(buf),
            Compressor::Zstd(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressor::Gzip(w) => w.flush(),
            Compressor::Zstd(w) => w.flush(),
        }
    }
}

impl Compressor {
    fn finish(self) -> io::Result<Tracked> {
        match self {
            Compressor::Gzip(w) => w.finish(),
            Compressor::Zstd(w) => w.finish(),
        }
    }
}

/// Where entries go. `None` once finished.
enum Sink {
    Zip(Option<Box<zip::ZipWriter<Tracked>>>),
    Tar(Option<tar::Builder<Compressor>>),
}

fn zip_err(e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(e) => Error::Fs(aerie_fs::Error::from_io(e)),
        other => Error::Io(io::Error::other(other)),
    }
}

fn write_err(e: io::Error) -> Error {
    // Reading the source file or writing the archive: both are the jail's files.
    Error::Fs(aerie_fs::Error::from_io(e))
}

fn finished() -> Error {
    Error::Io(io::Error::other("the archive was already finished"))
}

impl Sink {
    fn new(writer: Tracked, format: Format) -> Result<Sink> {
        Ok(match format {
            Format::Zip => Sink::Zip(Some(Box::new(zip::ZipWriter::new(writer)))),
            Format::TarGz => Sink::Tar(Some(tar_builder(Compressor::Gzip(
                flate2::write::GzEncoder::new(writer, flate2::Compression::default()),
            )))),
            Format::TarZst => Sink::Tar(Some(tar_builder(Compressor::Zstd(
                zstd::Encoder::new(writer, 0).map_err(Error::Io)?,
            )))),
        })
    }

    fn dir(&mut self, name: &str, stat: &Stat) -> Result<()> {
        match self {
            Sink::Zip(z) => {
                let z = z.as_mut().ok_or_else(finished)?;
                z.add_directory(format!("{name}/"), zip_options(stat, 0))
                    .map_err(zip_err)
            }
            Sink::Tar(t) => {
                let t = t.as_mut().ok_or_else(finished)?;
                let mut h = tar_header(stat, tar::EntryType::Directory, 0);
                t.append_data(&mut h, format!("{name}/"), io::empty())
                    .map_err(write_err)
            }
        }
    }

    fn file(&mut self, name: &str, stat: &Stat, size: u64, file: File) -> Result<()> {
        let mut data = Exact {
            inner: file,
            left: size,
        };
        match self {
            Sink::Zip(z) => {
                let z = z.as_mut().ok_or_else(finished)?;
                z.start_file(name, zip_options(stat, size))
                    .map_err(zip_err)?;
                io::copy(&mut data, z).map(|_| ()).map_err(write_err)
            }
            Sink::Tar(t) => {
                let t = t.as_mut().ok_or_else(finished)?;
                let mut h = tar_header(stat, tar::EntryType::Regular, size);
                t.append_data(&mut h, name, data).map_err(write_err)
            }
        }
    }

    fn finish(&mut self) -> Result<()> {
        match self {
            Sink::Zip(z) => {
                let z = z.take().ok_or_else(finished)?;
                z.finish().map_err(zip_err)?.finish()
            }
            Sink::Tar(t) => {
                let t = t.take().ok_or_else(finished)?;
                t.into_inner()
                    .map_err(write_err)?
                    .finish()
                    .map_err(write_err)?
                    .finish()
            }
        }
    }
}

fn tar_builder(c: Compressor) -> tar::Builder<Compressor> {
    let mut b = tar::Builder::new(c);
    // Never read anything from the host: headers are built from the jail's metadata.
    b.follow_symlinks(false);
    b
}

fn tar_header(stat: &Stat, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(stat.meta.mode & 0o777);
    h.set_mtime(u64::try_from(stat.modified.timestamp()).unwrap_or(0));
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn zip_options(stat: &Stat, size: u64) -> zip::write::SimpleFileOptions {
    let mut o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(stat.meta.mode & 0o777)
        .large_file(size >= u64::from(u32::MAX));
    if let Some(t) = zip_time(&stat.modified) {
        o = o.last_modified_time(t);
    }
    o
}

/// Zip's MS-DOS time (1980..2107, two-second resolution); `None` outside that range.
fn zip_time(t: &DateTime<Utc>) -> Option<zip::DateTime> {
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).ok()?,
        u8::try_from(t.month()).ok()?,
        u8::try_from(t.day()).ok()?,
        u8::try_from(t.hour()).ok()?,
        u8::try_from(t.minute()).ok()?,
        u8::try_from(t.second()).ok()?,
    )
    .ok()
}

/// Reads exactly `left` bytes: the file's content, then zeros if it shrank meanwhile, so the
/// size written in a tar header is always honoured.
struct Exact {
    inner: File,
    left: u64,
}

impl Read for Exact {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = match self.inner.read(&mut buf[..want])? {
            0 => {
                buf[..want].fill(0);
                want
            }
            n => n,
        };
        self.left -= n as u64;
        Ok(n)
    }
}
