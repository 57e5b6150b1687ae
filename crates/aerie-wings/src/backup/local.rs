//! Backup files on the node, in `system.backup_directory`:
//!
//! - `<uuid>.tar.zst`: the archive, written as `.<uuid>.tar.zst.partial` and renamed into
//!   place only once it is complete and synced, so a backup is whole or absent;
//! - `<uuid>.tar.zst.sha256`: its SHA-256 in `sha256sum` format, written before the rename, so
//!   a restore can check the archive was not damaged or altered (and an administrator can run
//!   `sha256sum -c`);
//! - `<uuid>.tar.gz`: a backup made by Pterodactyl Wings in the same directory is found too,
//!   so a node that moved to Aerie can still restore, download and delete its old backups.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::archive::{self, ArchiveSummary, Compression, Throttled};
use super::rules::IgnoreRules;

/// A finished archive file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    /// Hex SHA-256 of the file.
    pub checksum: String,
    /// Size in bytes.
    pub size: u64,
    /// What went in.
    pub summary: ArchiveSummary,
}

/// Whether `uuid` can name a backup file: 1 to 64 ASCII letters, digits and dashes (a UUID),
/// so it can never be a path.
pub fn valid_uuid(uuid: &str) -> bool {
    !uuid.is_empty()
        && uuid.len() <= 64
        && uuid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Where a new backup `uuid` is written.
pub fn archive_path(dir: &Path, uuid: &str) -> PathBuf {
    dir.join(format!("{uuid}.tar.zst"))
}

fn checksum_path(archive: &Path) -> PathBuf {
    let mut p = archive.as_os_str().to_owned();
    p.push(".sha256");
    PathBuf::from(p)
}

/// The existing backup file for `uuid` (Aerie's, or one Pterodactyl Wings left).
pub fn find(dir: &Path, uuid: &str) -> Option<PathBuf> {
    if !valid_uuid(uuid) {
        return None;
    }
    [archive_path(dir, uuid), dir.join(format!("{uuid}.tar.gz"))]
        .into_iter()
        .find(|p| p.symlink_metadata().is_ok_and(|m| m.is_file()))
}

/// Creates the backup directory (0700: archives hold every server's files).
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Writes the archive of `jail` to `dest` through a temporary name in the same directory,
/// with its checksum file when `with_checksum_file`. Nothing is left behind on failure.
pub fn write(
    jail: &aerie_fs::Jail,
    rules: &IgnoreRules,
    level: Compression,
    write_limit: u64,
    dest: &Path,
    with_checksum_file: bool,
) -> io::Result<Archived> {
    let dir = dest
        .parent()
        .ok_or_else(|| io::Error::other("the backup path has no directory"))?;
    ensure_dir(dir)?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.partial"));
    let result = write_tmp(jail, rules, level, write_limit, &tmp).and_then(|done| {
        if with_checksum_file {
            write_checksum(dest, &done.checksum)?;
        }
        std::fs::rename(&tmp, dest)?;
        File::open(dir).and_then(|d| d.sync_all())?;
        Ok(done)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        if with_checksum_file {
            let _ = std::fs::remove_file(checksum_path(dest));
        }
    }
    result
}

fn write_tmp(
    jail: &aerie_fs::Jail,
    rules: &IgnoreRules,
    level: Compression,
    write_limit: u64,
    tmp: &Path,
) -> io::Result<Archived> {
    // A leftover from a crash is replaced. `create_new` (O_EXCL) then writes a fresh file and
    // never follows a link planted at the name.
    let _ = std::fs::remove_file(tmp);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)?;
    let out = Throttled::new(archive::PipelinedHashWriter::new(file), write_limit);
    let (summary, out) = archive::write_archive(jail, rules, level, out)?;
    let (checksum, size, file) = out.into_inner().finish()?;
    file.sync_all()?;
    Ok(Archived {
        checksum,
        size,
        summary,
    })
}

fn write_checksum(archive: &Path, checksum: &str) -> io::Result<()> {
    let path = checksum_path(archive);
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_extension("sha256.partial");
    let _ = std::fs::remove_file(&tmp);
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(format!("{checksum}  {name}\n").as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)
}

/// The checksum recorded for `archive`, if there is one.
pub fn recorded_checksum(archive: &Path) -> io::Result<Option<String>> {
    let mut text = String::new();
    match File::open(checksum_path(archive)) {
        Ok(f) => {
            f.take(4096).read_to_string(&mut text)?;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let hex = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the backup's checksum file is damaged",
        ));
    }
    Ok(Some(hex))
}

/// The SHA-256 of the file at `path`.
pub fn checksum_of(path: &Path) -> io::Result<String> {
    archive::sha256_of(File::open(path)?)
}

/// Deletes the backup `uuid` and its checksum file; false when there was none.
pub fn delete(dir: &Path, uuid: &str) -> io::Result<bool> {
    let Some(path) = find(dir, uuid) else {
        return Ok(false);
    };
    std::fs::remove_file(&path)?;
    match std::fs::remove_file(checksum_path(&path)) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_cannot_be_paths() {
        assert!(valid_uuid("9a3c8f2e-1b4d-4c5e-8f6a-7b8c9d0e1f2a"));
        for bad in ["", "../x", "a/b", ".hidden", "a b", &"a".repeat(65)] {
            assert!(!valid_uuid(bad), "{bad}");
        }
    }

    #[test]
    fn checksum_files_round_trip_and_damage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("b.tar.zst");
        std::fs::write(&archive, b"x").unwrap();
        assert_eq!(recorded_checksum(&archive).unwrap(), None);
        let sum = checksum_of(&archive).unwrap();
        write_checksum(&archive, &sum).unwrap();
        assert_eq!(recorded_checksum(&archive).unwrap(), Some(sum));
        std::fs::write(checksum_path(&archive), b"nonsense").unwrap();
        assert!(recorded_checksum(&archive).is_err());
        assert!(delete(dir.path(), "b").unwrap());
        assert!(!checksum_path(&archive).exists());
        assert!(!delete(dir.path(), "b").unwrap());
    }
}
