//! Unpacking a backup archive into a server volume, only through the jail.
//!
//! The format is detected from the first bytes: zstd (Aerie's backups), gzip (backups made by
//! Pterodactyl Wings) or a plain tar. Each entry is checked before anything is written:
//!
//! - a name that is absolute, contains `..`, or is not UTF-8 is refused (skipped and counted);
//!   the jail would keep it inside the root anyway, but such an entry is never one of ours;
//! - directories are created, regular files written, both with their permission bits (at most
//!   0o777) and owned by the container user (the jail does that);
//! - symbolic and hard links, devices and FIFOs are skipped; so is anything the egg's
//!   denylist protects, or a path where the volume already has a link or a directory;
//! - every byte is charged to the server's disk limit before it is written ([`aerie_fs::Writer`]),
//!   so a decompression bomb stops at the limit with [`ExtractError::DiskLimit`].

use std::io::{self, BufRead, BufReader, Read, Write};

/// What an extraction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractSummary {
    /// Regular files written.
    pub files: u64,
    /// Directories created.
    pub directories: u64,
    /// Bytes of file content written.
    pub bytes: u64,
    /// Entries refused or skipped (unsafe names, links, devices, denylisted, conflicts).
    pub skipped: u64,
}

/// Why an extraction stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The server's disk limit was reached.
    #[error("the backup does not fit in the server's disk limit")]
    DiskLimit,
    /// The archive is damaged or not an archive.
    #[error("the backup archive is damaged or in an unknown format: {0}")]
    Corrupt(String),
    /// Reading the archive or writing the volume failed.
    #[error("restoring the files failed: {0}")]
    Io(String),
}

/// Kinds of compression recognised on restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Zstd,
    Gzip,
    Tar,
}

fn sniff(head: &[u8]) -> Format {
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Format::Zstd
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Format::Gzip
    } else {
        Format::Tar
    }
}

/// Unpacks the archive `source` into the volume behind `jail`.
pub fn extract(jail: &aerie_fs::Jail, source: impl Read) -> Result<ExtractSummary, ExtractError> {
    let mut buffered = BufReader::with_capacity(256 * 1024, source);
    let format = sniff(
        buffered
            .fill_buf()
            .map_err(|e| ExtractError::Io(e.to_string()))?,
    );
    let reader: Box<dyn Read> = match format {
        Format::Zstd => {
            Box::new(zstd::stream::read::Decoder::with_buffer(buffered).map_err(corrupt)?)
        }
        Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        Format::Tar => Box::new(buffered),
    };
    unpack(jail, reader)
}

fn corrupt(e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Corrupt(e.to_string())
}

/// Maps a read error of the archive stream: decoder errors mean a damaged archive.
fn read_error(e: io::Error) -> ExtractError {
    match e.kind() {
        io::ErrorKind::InvalidData
        | io::ErrorKind::InvalidInput
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::Other => corrupt(e),
        _ => ExtractError::Io(e.to_string()),
    }
}

/// The jail path for an archive entry name, or `None` when it must be refused.
fn safe_path(raw: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(raw).ok()?;
    if name.starts_with('/') || name.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("/{}", parts.join("/")))
}

fn unpack(jail: &aerie_fs::Jail, reader: impl Read) -> Result<ExtractSummary, ExtractError> {
    let mut archive = tar::Archive::new(reader);
    let mut summary = ExtractSummary::default();
    // Directory modes are applied last, so a read-only directory does not stop its contents.
    let mut dir_modes: Vec<(String, u32)> = Vec::new();
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        let kind = entry.header().entry_type();
        let raw = entry.path_bytes().into_owned();
        let Some(path) = safe_path(&raw) else {
            if raw.iter().any(|b| *b != b'.' && *b != b'/') {
                tracing::warn!(entry = %String::from_utf8_lossy(&raw), "restore: unsafe entry name refused");
                summary.skipped += 1;
            }
            continue;
        };
        let mode = entry.header().mode().unwrap_or(0o644) & 0o777;
        match kind {
            tar::EntryType::Directory => match jail.create_dir_all(&path) {
                Ok(()) => {
                    summary.directories += 1;
                    dir_modes.push((path, mode));
                }
                Err(e) => skip_or_fail(&path, e, &mut summary)?,
            },
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let mtime = entry.header().mtime().ok();
                match write_file(jail, &path, &mut entry, mtime) {
                    Ok(n) => {
                        summary.files += 1;
                        summary.bytes += n;
                        if mode != 0o644
                            && let Err(e) = jail.chmod(&path, mode)
                        {
                            tracing::debug!(path = %path, error.message = %e, "restore: mode not applied");
                        }
                    }
                    Err(WriteError::Jail(e)) => skip_or_fail(&path, e, &mut summary)?,
                    Err(WriteError::Read(e)) => return Err(read_error(e)),
                }
            }
            // Links, devices, FIFOs, sparse files and anything unknown.
            _ => {
                tracing::debug!(path = %path, kind = ?kind, "restore: entry type skipped");
                summary.skipped += 1;
            }
        }
    }
    for (path, mode) in dir_modes.iter().rev() {
        if *mode != 0o755
            && let Err(e) = jail.chmod(path, *mode)
        {
            tracing::debug!(path = %path, error.message = %e, "restore: directory mode not applied");
        }
    }
    Ok(summary)
}

enum WriteError {
    Jail(aerie_fs::Error),
    Read(io::Error),
}

fn write_file(
    jail: &aerie_fs::Jail,
    path: &str,
    entry: &mut impl Read,
    mtime: Option<u64>,
) -> Result<u64, WriteError> {
    let mut w = jail.create_write(path, true).map_err(WriteError::Jail)?;
    let mut buf = vec![0u8; 128 * 1024];
    let mut total = 0u64;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(WriteError::Read(e)),
        };
        w.write_all(&buf[..n])
            .map_err(|e| WriteError::Jail(aerie_fs::Error::from_io(e)))?;
        total += n as u64;
    }
    if let Some(t) = mtime {
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(t);
        // Best effort: the content is what matters.
        let _ = w.file().set_modified(when);
    }
    w.finish().map_err(WriteError::Jail)?;
    Ok(total)
}

/// Entries the volume cannot take are skipped; running out of room or a host failure stops.
fn skip_or_fail(
    path: &str,
    e: aerie_fs::Error,
    summary: &mut ExtractSummary,
) -> Result<(), ExtractError> {
    match e {
        aerie_fs::Error::DiskLimit { .. } => Err(ExtractError::DiskLimit),
        aerie_fs::Error::Io(io) => Err(ExtractError::Io(io.to_string())),
        other => {
            tracing::warn!(path = %path, error.message = %other, "restore: entry skipped");
            summary.skipped += 1;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(safe_path(b"a/b.txt").as_deref(), Some("/a/b.txt"));
        assert_eq!(safe_path(b"./a//b/").as_deref(), Some("/a/b"));
        assert_eq!(safe_path(b"/etc/passwd"), None);
        assert_eq!(safe_path(b"a/../../x"), None);
        assert_eq!(safe_path(b"a/../b"), None);
        assert_eq!(safe_path(b"./"), None);
        assert_eq!(safe_path(b"\xff\xfe"), None);
    }

    #[test]
    fn formats_are_sniffed() {
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Format::Zstd);
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Format::Gzip);
        assert_eq!(sniff(b"plain"), Format::Tar);
    }
}
