//! [`decompress`]: unpacking an archive of the volume into the volume, only through the jail.
//!
//! # How an extraction stays safe
//!
//! 1. **Format** by magic bytes, then name ([`crate::format`]); anything else is
//!    [`Error::UnknownFormat`].
//! 2. **Staging.** Entries are written into a fresh directory `.aerie-extract-<random>` inside
//!    the target directory, through the jail (so every byte counts against the disk limit and no
//!    path can leave the volume). Nothing in the destination changes while the archive is read.
//! 3. **Names.** Every entry name is normalised before anything is written for it: `.` and
//!    empty components vanish; an absolute name (`/etc/x`) or any `..` component (`../x`,
//!    `a/../../x`, and also the harmless-looking `a/../b`) fails the whole extraction with
//!    [`Error::UnsafeEntry`] naming the entry. Zip names use `\` as a separator too (archives
//!    made on Windows), so `..\x` is refused as well. The jail then resolves each name beneath
//!    the staging directory without following any link.
//! 4. **Links are skipped, never created.** Symbolic-link and hard-link entries are left out
//!    (a link to `/` followed by `link/etc/x` therefore writes `link/etc/x` as a plain
//!    directory and file, inside the volume). FIFOs, devices and sockets are left out. Entries
//!    whose destination the egg's denylist covers are left out. Each is logged at `debug`.
//! 5. **Bombs.** [`Limits`] are checked on the bytes actually produced by the decompressor as
//!    they are produced (headers are never trusted): total bytes, expansion ratio against the
//!    archive's size on disk (after a 1 MiB allowance, so tiny archives of repetitive text
//!    work), and the number of entries. Tar metadata the parser buffers in memory (long names,
//!    pax headers) is capped at 1 MiB per entry. The jail's disk limit applies on top.
//! 6. **Failure** of any kind (a limit, a refused name, a damaged archive, the disk limit)
//!    deletes the staging directory: the volume is as it was, and existing files were never
//!    touched.
//! 7. **Moving into place**, only once the whole archive was unpacked: the staged tree is
//!    merged into the target directory. First every destination is checked; a file where the
//!    archive has a directory, or a directory where it has a file, fails the extraction with
//!    [`Error::TypeConflict`] before anything moves. Then directories that exist are merged
//!    into, and files (or links) that exist are replaced by the archive's: Pterodactyl
//!    overwrites on decompress, and so do we. A replaced file is removed, then the new one
//!    renamed into place (the jail's rename never overwrites), so a crash exactly between the
//!    two loses that one file; an I/O failure halfway through the moves leaves the entries
//!    moved so far in place. Both are far narrower windows than extracting in place.
//!
//! What is not kept from the archive: ownership (everything belongs to the server's user, as
//! the jail writes it), modification times, and special permission bits. File permission bits
//! are kept, with owner read and write always added; directories are 0755.

use std::cell::RefCell;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use aerie_fs::{Jail, RelPath};

use crate::error::{Error, Result, corrupt};
use crate::format::{Compression, Kind, detect, single_file_name};
use crate::{STAGING_PREFIX, join};

/// Bytes of expansion always allowed before the ratio limit applies.
pub const RATIO_ALLOWANCE: u64 = 1 << 20;
/// The most tar metadata (long names, pax headers) buffered for one entry.
const MAX_ENTRY_METADATA: u64 = 1 << 20;
/// Memory the xz decoder may use for its dictionary (xz -9 needs 64 MiB).
const XZ_MEMORY_LIMIT_KIB: u32 = 256 * 1024;
const CHUNK: usize = 64 * 1024;

/// Decompression-bomb limits, checked against the bytes the decompressor actually produces.
/// `u64::MAX` disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes the archive may expand to (file contents, plus tar headers and the data
    /// of skipped entries, which cost the same time to decompress).
    pub max_total_bytes: u64,
    /// The most the archive may expand relative to its size on disk (uncompressed /
    /// compressed), once past [`RATIO_ALLOWANCE`].
    pub max_ratio: u64,
    /// The most entries (files, directories, links, anything) the archive may hold.
    pub max_entries: u64,
}

impl Limits {
    /// Cap on the total for servers without a disk limit: 10 GiB.
    pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 10 << 30;
    /// Default ratio: 1000. Deflate cannot exceed about 1032:1, so zip and tar.gz archives are
    /// in practice bounded only by the total; real game data (worlds, mods, logs) stays well
    /// under 100:1, and even zero-filled preallocated files in gzip fit. What this stops is
    /// xz/zstd archives that expand tens of thousands of times.
    pub const DEFAULT_MAX_RATIO: u64 = 1000;
    /// Default entry cap: 500,000 (a large modded Minecraft server has around 50,000 files).
    pub const DEFAULT_MAX_ENTRIES: u64 = 500_000;

    /// The limits for extracting into `jail`: the total is the server's free disk space, or
    /// [`Limits::DEFAULT_MAX_TOTAL_BYTES`] without a disk limit; the default ratio and entry
    /// cap. (The jail's own disk limit is enforced on every write as well.)
    pub fn for_jail(jail: &Jail) -> Limits {
        let usage = jail.usage();
        let max_total_bytes = match usage.limit() {
            0 => Limits::DEFAULT_MAX_TOTAL_BYTES,
            limit => limit.saturating_sub(usage.used()),
        };
        Limits {
            max_total_bytes,
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_total_bytes: Limits::DEFAULT_MAX_TOTAL_BYTES,
            max_ratio: Limits::DEFAULT_MAX_RATIO,
            max_entries: Limits::DEFAULT_MAX_ENTRIES,
        }
    }
}

/// Unpacks archive `file` (relative to `root`; a name may contain `/`) into directory `root`
/// and returns the bytes of file content written. See the [module docs](self) for the rules.
/// Blocking: run it from `spawn_blocking`.
pub fn decompress(jail: &Jail, root: &str, file: &str, limits: Limits) -> Result<u64> {
    let root_rel = RelPath::parse(root)?;
    let archive_rel = RelPath::parse(&join(root, file))?;
    let archive_name = archive_rel
        .file_name()
        .ok_or(aerie_fs::Error::IsADirectory)?
        .to_owned();
    let mut src = jail.open_read(&archive_rel.to_string())?;
    let compressed = src.metadata().map_err(aerie_fs::Error::from)?.len();
    let mut head = Vec::with_capacity(512);
    (&mut src)
        .take(512)
        .read_to_end(&mut head)
        .map_err(aerie_fs::Error::from)?;
    src.seek(SeekFrom::Start(0))
        .map_err(aerie_fs::Error::from)?;
    let kind = detect(&head, &archive_name).ok_or(Error::UnknownFormat)?;
    // The target directory must exist (it does when the archive is in it, which is the API's
    // shape; a `file` with `/` may point elsewhere).
    if !jail.stat(&root_rel.to_string())?.directory {
        return Err(aerie_fs::Error::NotADirectory.into());
    }

    let staging = create_staging(jail, &root_rel)?;
    let budget = Rc::new(RefCell::new(Budget::new(limits, compressed)));
    let mut ex = Extractor {
        jail,
        root: root_rel,
        staging: staging.clone(),
        budget: Rc::clone(&budget),
        written: 0,
    };
    let result = ex
        .unpack(kind, src, &archive_name)
        .and_then(|()| ex.move_into_place());
    let written = ex.written;
    match jail.remove(&staging.to_string()) {
        Ok(()) | Err(aerie_fs::Error::NotFound) => {}
        Err(e) => {
            tracing::warn!(dir = %staging, error = %e, "could not delete an extraction's staging directory")
        }
    }
    // A tripped limit explains whatever error it caused further up (the parser's or ours).
    if let Some(trip) = budget.borrow_mut().tripped.take() {
        return Err(trip);
    }
    result.map(|()| written)
}

/// Creates `.aerie-extract-<random>` in `root`, never reusing an existing name.
fn create_staging(jail: &Jail, root: &RelPath) -> Result<RelPath> {
    let state = std::collections::hash_map::RandomState::new();
    for attempt in 0u64..16 {
        let mut h = state.build_hasher();
        h.write_u64(attempt);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let dir = root.join(&format!("{STAGING_PREFIX}{:016x}", h.finish()))?;
        match jail.symlink_metadata(&dir.to_string()) {
            Err(aerie_fs::Error::NotFound) => {
                jail.create_dir_all(&dir.to_string())?;
                return Ok(dir);
            }
            Err(e) => return Err(e.into()),
            Ok(_) => continue,
        }
    }
    Err(aerie_fs::Error::Exists.into())
}

/// The limits being consumed, shared by the guarded reader and the extractor.
struct Budget {
    limits: Limits,
    /// Bytes allowed by the ratio: `max_ratio × archive size`, at least the allowance.
    ratio_cap: u64,
    expanded: u64,
    entries: u64,
    /// Bytes the tar parser read outside entry data since the last entry.
    metadata: u64,
    in_data: bool,
    /// The limit that stopped the extraction, kept here because it usually surfaces as an
    /// `io::Error` from inside a decoder or the tar parser.
    tripped: Option<Error>,
}

impl Budget {
    fn new(limits: Limits, compressed: u64) -> Budget {
        let ratio_cap = limits
            .max_ratio
            .saturating_mul(compressed)
            .max(RATIO_ALLOWANCE);
        Budget {
            limits,
            ratio_cap,
            expanded: 0,
            entries: 0,
            metadata: 0,
            in_data: false,
            tripped: None,
        }
    }

    fn trip(&mut self, e: Error) -> Error {
        let shown = Error::Corrupt(e.to_string());
        self.tripped = Some(e);
        shown
    }

    /// Counts `n` more bytes out of the decompressor.
    fn charge(&mut self, n: u64) -> Result<()> {
        let next = self.expanded.saturating_add(n);
        if next > self.limits.max_total_bytes {
            return Err(self.trip(Error::TooLarge {
                limit: self.limits.max_total_bytes,
            }));
        }
        if self.limits.max_ratio != u64::MAX && next > self.ratio_cap {
            return Err(self.trip(Error::RatioExceeded {
                ratio: self.limits.max_ratio,
            }));
        }
        self.expanded = next;
        if !self.in_data {
            self.metadata = self.metadata.saturating_add(n);
            if self.metadata > MAX_ENTRY_METADATA {
                return Err(self.trip(Error::Corrupt(
                    "an entry's header is larger than 1 MiB".into(),
                )));
            }
        }
        Ok(())
    }

    /// Counts one more entry.
    fn entry(&mut self) -> Result<()> {
        self.entries += 1;
        self.metadata = 0;
        if self.entries > self.limits.max_entries {
            return Err(self.trip(Error::TooManyEntries {
                limit: self.limits.max_entries,
            }));
        }
        Ok(())
    }
}

/// A decompressed stream that charges every byte it yields to the budget.
struct Guarded<R> {
    inner: R,
    budget: Rc<RefCell<Budget>>,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.budget
            .borrow_mut()
            .charge(n as u64)
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(n)
    }
}

/// The decompressor for `c` over the archive file.
fn decoder(c: Compression, src: File) -> Result<Box<dyn Read>> {
    let src = io::BufReader::with_capacity(CHUNK, src);
    Ok(match c {
        Compression::None => Box::new(src),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(src)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            src,
            true,
            XZ_MEMORY_LIMIT_KIB,
        )),
        Compression::Zstd => Box::new(zstd::Decoder::with_buffer(src).map_err(corrupt)?),
    })
}

struct Extractor<'a> {
    jail: &'a Jail,
    root: RelPath,
    staging: RelPath,
    budget: Rc<RefCell<Budget>>,
    written: u64,
}

/// What an entry is, as far as extraction cares.
enum EntryKind {
    File,
    Dir,
    Skip(&'static str),
}

impl Extractor<'_> {
    fn unpack(&mut self, kind: Kind, src: File, archive_name: &str) -> Result<()> {
        match kind {
            Kind::Zip => self.unpack_zip(src),
            Kind::Tar(c) => {
                let stream = Guarded {
                    inner: decoder(c, src)?,
                    budget: Rc::clone(&self.budget),
                };
                self.unpack_tar(stream)
            }
            Kind::Single(c) => {
                let keep = single_file_name(&archive_name.to_ascii_lowercase())
                    .unwrap_or(archive_name.len());
                let name = archive_name
                    .get(..keep)
                    .ok_or(Error::UnknownFormat)?
                    .to_owned();
                let mut stream = Guarded {
                    inner: decoder(c, src)?,
                    budget: Rc::clone(&self.budget),
                };
                self.budget.borrow_mut().entry()?;
                self.budget.borrow_mut().in_data = true;
                self.entry(&name, EntryKind::File, None, &mut stream, true)
            }
        }
    }

    fn unpack_zip(&mut self, src: File) -> Result<()> {
        let mut zip =
            zip::ZipArchive::new(io::BufReader::with_capacity(CHUNK, src)).map_err(corrupt)?;
        // No parser buffers anything between entries here: every byte read is entry data.
        self.budget.borrow_mut().in_data = true;
        for i in 0..zip.len() {
            self.budget.borrow_mut().entry()?;
            let mut f = zip.by_index(i).map_err(corrupt)?;
            let name = f.name().map_err(corrupt)?.replace('\\', "/");
            let mode = f.unix_mode();
            let kind = if f.is_symlink() {
                EntryKind::Skip("symbolic link")
            } else if f.is_dir() {
                EntryKind::Dir
            } else if mode.is_some_and(|m| m & 0o170000 != 0 && m & 0o170000 != 0o100000) {
                EntryKind::Skip("special file")
            } else {
                EntryKind::File
            };
            // Each zip entry has its own decompressor, not a guarded stream: `pump` charges the
            // budget as it copies (`charged` is false).
            let raw = f.name().map_err(corrupt)?.into_owned();
            self.entry(&name, kind, mode, &mut f, false)
                .map_err(|e| match e {
                    // Name the entry as stored, not as normalised.
                    Error::UnsafeEntry { .. } => Error::UnsafeEntry { entry: raw },
                    other => other,
                })?;
        }
        Ok(())
    }

    fn unpack_tar<R: Read>(&mut self, stream: Guarded<R>) -> Result<()> {
        let mut ar = tar::Archive::new(stream);
        for entry in ar.entries().map_err(corrupt)? {
            let mut entry = entry.map_err(corrupt)?;
            self.budget.borrow_mut().entry()?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let mode = entry.header().mode().ok();
            use tar::EntryType as T;
            let kind = match entry.header().entry_type() {
                T::Regular | T::Continuous | T::GNUSparse => EntryKind::File,
                T::Directory => EntryKind::Dir,
                T::Symlink => EntryKind::Skip("symbolic link"),
                T::Link => EntryKind::Skip("hard link"),
                T::Char | T::Block | T::Fifo => EntryKind::Skip("device or FIFO"),
                T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {
                    EntryKind::Skip("metadata")
                }
                _ => EntryKind::Skip("unknown entry type"),
            };
            // Entry data goes through the guarded stream, which charges the budget already.
            self.budget.borrow_mut().in_data = true;
            let done = self.entry(&name, kind, mode, &mut entry, true);
            self.budget.borrow_mut().in_data = false;
            done?;
        }
        Ok(())
    }

    /// Handles one entry: checks its name, then writes, creates or drains it. `charged` says
    /// the reader already charges the budget.
    fn entry(
        &mut self,
        raw: &str,
        kind: EntryKind,
        mode: Option<u32>,
        data: &mut dyn Read,
        charged: bool,
    ) -> Result<()> {
        let rel = entry_path(raw)?;
        let skip = match (&rel, &kind) {
            (_, EntryKind::Skip(why)) => Some(*why),
            (None, _) => Some("names the target directory itself"),
            (Some(rel), _) if rel.first().is_some_and(|n| n.starts_with(STAGING_PREFIX)) => {
                Some("reserved name")
            }
            (Some(rel), _)
                if self
                    .jail
                    .is_denied(&self.under(&self.root, rel)?.to_string()) =>
            {
                Some("denied by the egg")
            }
            _ => None,
        };
        let (Some(rel), None) = (rel, skip) else {
            tracing::debug!(
                entry = raw,
                why = skip.unwrap_or_default(),
                "archive entry skipped"
            );
            return self.pump(data, None, raw, charged);
        };
        let staged = self.under(&self.staging, &rel)?.to_string();
        let in_jail = |e: aerie_fs::Error| Error::Entry {
            entry: raw.to_owned(),
            source: e,
        };
        match kind {
            EntryKind::Dir => {
                self.jail.create_dir_all(&staged).map_err(in_jail)?;
                self.pump(data, None, raw, charged)
            }
            EntryKind::File => {
                let mut w = self.jail.create_write(&staged, true).map_err(in_jail)?;
                self.pump(data, Some(&mut w), raw, charged)?;
                w.finish().map_err(in_jail)?;
                if let Some(m) = mode {
                    self.jail
                        .chmod(&staged, (m & 0o777) | 0o600)
                        .map_err(in_jail)?;
                }
                Ok(())
            }
            EntryKind::Skip(_) => Ok(()),
        }
    }

    /// Copies an entry's data into `out`, or drains it (a skipped entry still costs its
    /// decompression, and the budget counts it).
    fn pump(
        &mut self,
        data: &mut dyn Read,
        mut out: Option<&mut aerie_fs::Writer>,
        raw: &str,
        charged: bool,
    ) -> Result<()> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match data.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(corrupt(format!("{raw}: {e}"))),
            };
            if !charged {
                self.budget.borrow_mut().charge(n as u64)?;
            }
            if let Some(w) = out.as_deref_mut() {
                w.write_all(&buf[..n]).map_err(|e| Error::Entry {
                    entry: raw.to_owned(),
                    source: aerie_fs::Error::from_io(e),
                })?;
                self.written += n as u64;
            }
        }
    }

    /// `base` plus the entry's names.
    fn under(&self, base: &RelPath, names: &[String]) -> Result<RelPath> {
        let mut p = base.clone();
        for n in names {
            p = p.join(n)?;
        }
        Ok(p)
    }

    /// Merges the staged tree into the target directory (see the module docs).
    fn move_into_place(&mut self) -> Result<()> {
        let mut moves = Vec::new();
        self.plan(&self.staging, &self.root, 0, &mut moves)?;
        for m in &moves {
            if m.replace {
                self.jail.remove(&m.to.to_string())?;
            }
            self.jail.rename(&m.from.to_string(), &m.to.to_string())?;
        }
        Ok(())
    }

    fn plan(
        &self,
        from: &RelPath,
        to: &RelPath,
        depth: usize,
        moves: &mut Vec<Move>,
    ) -> Result<()> {
        if depth >= aerie_fs::usage::MAX_DEPTH {
            return Err(aerie_fs::Error::InvalidPath {
                reason: "the directory tree is nested too deeply",
            }
            .into());
        }
        for entry in self.jail.list(&from.to_string())? {
            let src = from.join(&entry.name)?;
            let dst = to.join(&entry.name)?;
            let existing = match self.jail.symlink_metadata(&dst.to_string()) {
                Ok(s) => s,
                Err(aerie_fs::Error::NotFound) => {
                    moves.push(Move {
                        from: src,
                        to: dst,
                        replace: false,
                    });
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let what = |dir: bool| if dir { "directory" } else { "file" };
            if existing.symlink {
                moves.push(Move {
                    from: src,
                    to: dst,
                    replace: true,
                });
            } else if existing.directory && entry.directory {
                self.plan(&src, &dst, depth + 1, moves)?;
            } else if existing.directory || entry.directory {
                return Err(Error::TypeConflict {
                    path: dst.to_string(),
                    existing: what(existing.directory),
                    incoming: what(entry.directory),
                });
            } else {
                moves.push(Move {
                    from: src,
                    to: dst,
                    replace: true,
                });
            }
        }
        Ok(())
    }
}

struct Move {
    from: RelPath,
    to: RelPath,
    replace: bool,
}

/// Normalises an entry name into plain names; `None` for the target directory itself (`./`).
/// Absolute names and `..` components are [`Error::UnsafeEntry`].
pub(crate) fn entry_path(raw: &str) -> Result<Option<Vec<String>>> {
    let unsafe_entry = || Error::UnsafeEntry {
        entry: raw.to_owned(),
    };
    if raw.starts_with('/') || raw.contains('\0') {
        return Err(unsafe_entry());
    }
    let mut names = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(unsafe_entry()),
            name => names.push(name.to_owned()),
        }
    }
    Ok(if names.is_empty() { None } else { Some(names) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_normalised_or_refused() {
        assert_eq!(
            entry_path("a/b.txt").unwrap(),
            Some(vec!["a".into(), "b.txt".into()])
        );
        assert_eq!(
            entry_path("./a//b/").unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(entry_path("./").unwrap(), None);
        assert_eq!(entry_path("").unwrap(), None);
        for bad in [
            "../evil",
            "/etc/evil",
            "a/../../evil",
            "a/../b",
            "..",
            "//x",
            "a\0b",
        ] {
            assert!(
                matches!(entry_path(bad), Err(Error::UnsafeEntry { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            entry_path("..foo/...").unwrap(),
            Some(vec!["..foo".into(), "...".into()])
        );
    }

    #[test]
    fn budget_checks_total_ratio_and_entries() {
        let limits = Limits {
            max_total_bytes: 10 << 20,
            max_ratio: 10,
            max_entries: 2,
        };
        let mut b = Budget::new(limits, 100);
        assert_eq!(
            b.ratio_cap, RATIO_ALLOWANCE,
            "small archives get the allowance"
        );
        b.in_data = true;
        assert!(b.charge(RATIO_ALLOWANCE).is_ok());
        assert!(b.charge(1).is_err());
        assert!(matches!(
            b.tripped,
            Some(Error::RatioExceeded { ratio: 10 })
        ));

        let mut b = Budget::new(limits, 10 << 20);
        b.in_data = true;
        assert!(b.charge(10 << 20).is_ok());
        assert!(b.charge(1).is_err());
        assert!(matches!(b.tripped, Some(Error::TooLarge { .. })));

        let mut b = Budget::new(limits, 1);
        assert!(b.entry().is_ok() && b.entry().is_ok());
        assert!(b.entry().is_err());
        assert!(matches!(
            b.tripped,
            Some(Error::TooManyEntries { limit: 2 })
        ));

        let mut b = Budget::new(Limits::default(), 1 << 30);
        assert!(b.charge(MAX_ENTRY_METADATA).is_ok());
        assert!(b.charge(1).is_err(), "a huge header outside entry data");
        assert!(b.entry().is_ok(), "the metadata count restarts per entry");
        assert!(b.charge(512).is_ok());
    }
}
