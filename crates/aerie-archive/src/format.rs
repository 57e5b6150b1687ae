//! Archive formats: [`Format`], what [`compress`](crate::compress()) writes, and `Kind`, what
//! [`decompress`](crate::decompress()) recognises, by magic bytes first and by file name second.

/// A format [`compress`](crate::compress()) can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// A zip archive, deflate-compressed.
    Zip,
    /// A gzip-compressed tar archive (what Wings writes).
    #[default]
    TarGz,
    /// A zstd-compressed tar archive.
    TarZst,
}

impl Format {
    /// The file extension, without the leading dot (`tar.gz`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::TarGz => "tar.gz",
            Format::TarZst => "tar.zst",
        }
    }

    /// The MIME type of the archive. `application/tar+gzip` for tar.gz is what Wings reports for
    /// the archive it just made.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Zip => "application/zip",
            Format::TarGz => "application/tar+gzip",
            Format::TarZst => "application/zstd",
        }
    }

    /// Reads a format name: `zip`, `tar.gz` (or `tgz`, `targz`), `tar.zst` (or `tzst`, `zst`).
    /// Case is ignored; `None` for anything else.
    pub fn parse(name: &str) -> Option<Format> {
        match name
            .trim()
            .trim_start_matches('.')
            .to_ascii_lowercase()
            .as_str()
        {
            "zip" => Some(Format::Zip),
            "tar.gz" | "tgz" | "targz" | "gz" | "gzip" => Some(Format::TarGz),
            "tar.zst" | "tzst" | "zst" | "zstd" | "tar.zstd" => Some(Format::TarZst),
            _ => None,
        }
    }
}

/// What an archive to unpack turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A zip archive.
    Zip,
    /// A tar stream, possibly compressed.
    Tar(Compression),
    /// One compressed file that is not a tar (`world.sql.gz`): unpacked to its name without
    /// the compression extension.
    Single(Compression),
}

/// The compression around a tar stream or a single file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
}

const ZIP_MAGICS: [&[u8]; 3] = [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"];
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
/// Offset of the `ustar` magic in a tar header (POSIX `ustar\0`, GNU `ustar `).
const TAR_MAGIC_AT: usize = 257;

/// Whether a 512-byte block is a tar header: the `ustar` magic, or (for pre-POSIX tars) a
/// valid header checksum.
pub(crate) fn looks_like_tar(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if head.get(TAR_MAGIC_AT..TAR_MAGIC_AT + 5) == Some(b"ustar") {
        return true;
    }
    // V7 tar: the checksum field (148..156, octal) equals the byte sum with that field as spaces.
    let Some(field) = head.get(148..156) else {
        return false;
    };
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| c.is_digit(8))
        .collect();
    let Ok(stored) = u32::from_str_radix(&digits, 8) else {
        return false;
    };
    let sum: u32 = head[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    head[0] != 0 && stored == sum
}

/// Picks the format from the first bytes of the file (`head`, up to 512 bytes or what the
/// file has) and, when they are not conclusive, its name. A compressed stream is a tar unless
/// the name says it is a single compressed file (`*.gz` but not `*.tar.gz`); a plain tar
/// without the `ustar` magic is recognised by its checksum or a `.tar` name.
pub(crate) fn detect(head: &[u8], name: &str) -> Option<Kind> {
    let lower = name.to_ascii_lowercase();
    let compression = if head.starts_with(GZIP_MAGIC) {
        Some(Compression::Gzip)
    } else if head.starts_with(XZ_MAGIC) {
        Some(Compression::Xz)
    } else if head.starts_with(ZSTD_MAGIC) {
        Some(Compression::Zstd)
    } else {
        None
    };
    if let Some(c) = compression {
        return Some(if single_file_name(&lower).is_some() {
            Kind::Single(c)
        } else {
            Kind::Tar(c)
        });
    }
    if ZIP_MAGICS.iter().any(|m| head.starts_with(m)) {
        return Some(Kind::Zip);
    }
    if looks_like_tar(head) {
        return Some(Kind::Tar(Compression::None));
    }
    // The magic bytes did not decide it: an empty zip (`PK\5\6` after a comment?) or a V7 tar
    // with an odd header. Trust the name only for formats without a reliable magic.
    if lower.ends_with(".tar") && head.len() >= 512 {
        return Some(Kind::Tar(Compression::None));
    }
    None
}

/// For a single compressed file (`notes.txt.gz`, not `x.tar.gz`/`x.tgz`), the name it unpacks
/// to (`notes.txt`); works on the lowercase name and returns the length to keep.
pub(crate) fn single_file_name(lower: &str) -> Option<usize> {
    const TARS: [&str; 9] = [
        ".tar.gz",
        ".tgz",
        ".taz",
        ".tar.xz",
        ".txz",
        ".tar.zst",
        ".tzst",
        ".tar.zstd",
        ".tar",
    ];
    if TARS.iter().any(|t| lower.ends_with(t)) {
        return None;
    }
    [".gz", ".xz", ".zst", ".zstd"]
        .iter()
        .find(|ext| lower.ends_with(*ext) && lower.len() > ext.len())
        .map(|ext| lower.len() - ext.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_head() -> Vec<u8> {
        let mut h = tar::Header::new_ustar();
        h.set_path("a.txt").unwrap();
        h.set_size(0);
        h.set_cksum();
        h.as_bytes().to_vec()
    }

    #[test]
    fn magic_bytes_win_over_names() {
        assert_eq!(detect(b"PK\x03\x04rest", "backup.tar.gz"), Some(Kind::Zip));
        assert_eq!(
            detect(&[0x1f, 0x8b, 8, 0], "a.zip"),
            Some(Kind::Tar(Compression::Gzip))
        );
        assert_eq!(
            detect(&[0x1f, 0x8b, 8, 0], "dump.sql.gz"),
            Some(Kind::Single(Compression::Gzip))
        );
        assert_eq!(
            detect(&[0x1f, 0x8b, 8, 0], "x.tgz"),
            Some(Kind::Tar(Compression::Gzip))
        );
        assert_eq!(
            detect(XZ_MAGIC, "x.tar.xz"),
            Some(Kind::Tar(Compression::Xz))
        );
        assert_eq!(detect(ZSTD_MAGIC, "x"), Some(Kind::Tar(Compression::Zstd)));
        assert_eq!(
            detect(&tar_head(), "no-extension"),
            Some(Kind::Tar(Compression::None))
        );
    }

    #[test]
    fn unknown_bytes_are_unknown_whatever_the_name() {
        assert_eq!(detect(b"Rar!\x1a\x07\x00", "a.rar"), None);
        assert_eq!(detect(b"hello", "a.zip"), None);
        assert_eq!(detect(b"hello", "a.tar.gz"), None);
        assert_eq!(detect(b"", "a.tar"), None);
    }

    #[test]
    fn v7_tar_by_checksum() {
        let mut head = tar_head();
        head[257..263].fill(0);
        head[263..265].fill(0);
        // Recompute the checksum without the magic.
        let sum: u32 = head
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(b)
                }
            })
            .sum();
        head[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        assert!(looks_like_tar(&head));
        head[0] = b'b';
        assert!(!looks_like_tar(&head), "a changed byte breaks the checksum");
    }

    #[test]
    fn format_names() {
        assert_eq!(Format::parse("ZIP"), Some(Format::Zip));
        assert_eq!(Format::parse("tar.gz"), Some(Format::TarGz));
        assert_eq!(Format::parse(".tar.zst"), Some(Format::TarZst));
        assert_eq!(Format::parse("rar"), None);
        assert_eq!(Format::default().extension(), "tar.gz");
        assert_eq!(Format::TarGz.mime(), "application/tar+gzip");
        assert_eq!(single_file_name("dump.sql.gz"), Some(8));
        assert_eq!(single_file_name("a.tar.gz"), None);
        assert_eq!(single_file_name(".gz"), None);
    }
}
