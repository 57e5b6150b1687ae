//! File metadata: the portable [`Meta`] read from `stat`, and [`Stat`], which serialises
//! exactly like Wings' file-listing JSON (reference §3.4):
//!
//! ```json
//! {"name":"server.properties","created":"2024-05-01T10:00:00.123456789Z",
//!  "modified":"2024-05-01T10:00:00Z","mode":"-rw-r--r--","mode_bits":"644","size":1187,
//!  "directory":false,"file":true,"symlink":false,"mime":"text/plain; charset=utf-8"}
//! ```
//!
//! - `created` is the inode change time (`ctime`): Linux `stat` has no birth time, and Wings
//!   reports `ctime` too. Times are UTC, RFC 3339 with the fraction trimmed of trailing zeros,
//!   as Go's `time.Time` marshals them.
//! - `mode` is Go's `FileMode.String()`: type letters (`d` directory, `L` symlink, `D` device,
//!   `c` character device, `p` FIFO, `S` socket, `u` setuid, `g` setgid, `t` sticky) or `-`,
//!   then `rwxrwxrwx`.
//! - `mode_bits` is the permission bits in octal without padding (`"644"`, `"0"`), as Go's
//!   `strconv.FormatUint(perm, 8)` prints them.
//! - `mime` comes from the extension (a small table), `inode/directory` for directories,
//!   `inode/symlink` for links, `application/octet-stream` otherwise. Wings sniffs content
//!   instead; this never opens the file.

use chrono::{DateTime, Utc};
use rustix::fs::FileType;
use serde::{Serialize, Serializer};

/// The fields of `struct stat` the jail uses, in fixed-width types on every architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meta {
    /// Device of the filesystem.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Number of hard links.
    pub nlink: u64,
    /// Full `st_mode`: type and permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Apparent size in bytes.
    pub size: u64,
    /// Modification time: seconds and nanoseconds since the epoch.
    pub mtime: (i64, u32),
    /// Inode change time: seconds and nanoseconds since the epoch.
    pub ctime: (i64, u32),
}

impl From<&rustix::fs::Stat> for Meta {
    // The widths of `struct stat` fields differ between architectures; on some these
    // conversions are no-ops.
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    fn from(st: &rustix::fs::Stat) -> Meta {
        Meta {
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            nlink: st.st_nlink as u64,
            mode: st.st_mode as u32,
            uid: st.st_uid as u32,
            gid: st.st_gid as u32,
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime: (
                st.st_mtime as i64,
                u32::try_from(st.st_mtime_nsec).unwrap_or(0),
            ),
            ctime: (
                st.st_ctime as i64,
                u32::try_from(st.st_ctime_nsec).unwrap_or(0),
            ),
        }
    }
}

impl Meta {
    /// The file type.
    pub fn file_type(&self) -> FileType {
        FileType::from_raw_mode(self.mode)
    }

    /// Whether this is the same inode as `other`.
    pub fn same_inode(&self, other: &Meta) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

/// One file's metadata as the file manager shows it (Wings' `Stat` JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stat {
    /// The file name (`/` for the server root).
    pub name: String,
    /// Inode change time (see the module docs).
    #[serde(serialize_with = "go_time")]
    pub created: DateTime<Utc>,
    /// Modification time.
    #[serde(serialize_with = "go_time")]
    pub modified: DateTime<Utc>,
    /// `-rw-r--r--`, `drwxr-xr-x`, `Lrwxrwxrwx`, …
    pub mode: String,
    /// Permission bits in octal, e.g. `"644"`.
    pub mode_bits: String,
    /// Apparent size in bytes.
    pub size: u64,
    /// A directory.
    pub directory: bool,
    /// A regular file.
    pub file: bool,
    /// A symbolic link (for [`crate::Jail::stat`]: the path named a link that was followed).
    pub symlink: bool,
    /// MIME type from the extension.
    pub mime: String,
    /// The raw metadata (not serialised).
    #[serde(skip)]
    pub meta: Meta,
}

impl Stat {
    /// Builds the listing entry for `name` from its metadata. `via_link` marks a path that
    /// was a symbolic link and has been followed to `meta`.
    pub fn new(name: &str, meta: Meta, via_link: bool) -> Stat {
        let ft = meta.file_type();
        let mime = match ft {
            FileType::Directory => "inode/directory",
            FileType::Symlink => "inode/symlink",
            FileType::RegularFile => mime_for(name),
            _ => "application/octet-stream",
        };
        Stat {
            name: name.to_owned(),
            created: to_utc(meta.ctime),
            modified: to_utc(meta.mtime),
            mode: go_mode_string(meta.mode),
            mode_bits: format!("{:o}", meta.mode & 0o777),
            size: meta.size,
            directory: ft == FileType::Directory,
            file: ft == FileType::RegularFile,
            symlink: via_link || ft == FileType::Symlink,
            mime: mime.to_owned(),
            meta,
        }
    }
}

fn to_utc((secs, nanos): (i64, u32)) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, nanos).unwrap_or_default()
}

/// RFC 3339 in UTC with the fraction trimmed of trailing zeros (Go's `RFC3339Nano`).
fn go_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_go_time(t))
}

pub(crate) fn format_go_time(t: &DateTime<Utc>) -> String {
    let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.timestamp_subsec_nanos();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Go's `FileMode.String()` for a Linux `st_mode`.
pub fn go_mode_string(mode: u32) -> String {
    let ft = FileType::from_raw_mode(mode);
    let letters = [
        ('d', ft == FileType::Directory),
        ('L', ft == FileType::Symlink),
        (
            'D',
            ft == FileType::BlockDevice || ft == FileType::CharacterDevice,
        ),
        ('p', ft == FileType::Fifo),
        ('S', ft == FileType::Socket),
        ('u', mode & 0o4000 != 0),
        ('g', mode & 0o2000 != 0),
        ('c', ft == FileType::CharacterDevice),
        ('t', mode & 0o1000 != 0),
    ];
    let mut out: String = letters
        .iter()
        .filter(|(_, on)| *on)
        .map(|(c, _)| *c)
        .collect();
    if out.is_empty() {
        out.push('-');
    }
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        out.push(if mode & (1 << (8 - i)) != 0 { c } else { '-' });
    }
    out
}

/// The MIME type for a file name, by extension.
pub fn mime_for(name: &str) -> &'static str {
    const TEXT: &str = "text/plain; charset=utf-8";
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.gz") {
        return "application/gzip";
    }
    let Some((_, ext)) = lower.rsplit_once('.') else {
        return "application/octet-stream";
    };
    match ext {
        "txt" | "log" | "cfg" | "conf" | "config" | "ini" | "properties" | "env" | "lang"
        | "mcmeta" | "sk" | "sh" | "bat" | "cmd" | "ps1" | "lua" | "py" | "rb" | "pl" | "php"
        | "java" | "kt" | "cs" | "c" | "h" | "cpp" | "go" | "rs" | "ts" | "sql" | "vdf"
        | "cvars" | "secret" | "toml" | "md" | "markdown" | "csv" | "tsv" | "list" | "override"
        | "motd" | "gitignore" => TEXT,
        "json" | "json5" | "mcfunction" => "application/json",
        "yml" | "yaml" => "application/x-yaml",
        "xml" => "text/xml; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "jar" => "application/jar",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "bz2" | "tbz2" => "application/x-bzip2",
        "xz" | "txz" => "application/x-xz",
        "zst" => "application/zstd",
        "7z" => "application/x-7z-compressed",
        "rar" => "application/vnd.rar",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "db" | "sqlite" | "sqlite3" => "application/vnd.sqlite3",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(mode: u32) -> Meta {
        Meta {
            mode,
            size: 12,
            mtime: (1_714_557_600, 0),
            ctime: (1_714_557_600, 123_456_789),
            nlink: 1,
            ..Meta::default()
        }
    }

    #[test]
    fn mode_strings_match_go() {
        assert_eq!(go_mode_string(0o100644), "-rw-r--r--");
        assert_eq!(go_mode_string(0o100755), "-rwxr-xr-x");
        assert_eq!(go_mode_string(0o040755), "drwxr-xr-x");
        assert_eq!(go_mode_string(0o120777), "Lrwxrwxrwx");
        assert_eq!(go_mode_string(0o010644), "prw-r--r--");
        assert_eq!(go_mode_string(0o140755), "Srwxr-xr-x");
        assert_eq!(go_mode_string(0o020666), "Dcrw-rw-rw-");
        assert_eq!(go_mode_string(0o060660), "Drw-rw----");
        assert_eq!(go_mode_string(0o104755), "urwxr-xr-x");
        assert_eq!(go_mode_string(0o102755), "grwxr-xr-x");
        assert_eq!(go_mode_string(0o041777), "dtrwxrwxrwx");
        assert_eq!(go_mode_string(0o100000), "----------");
    }

    #[test]
    fn json_shape_matches_wings() {
        let s = Stat::new("server.properties", meta(0o100644), false);
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "name": "server.properties",
                "created": "2024-05-01T10:00:00.123456789Z",
                "modified": "2024-05-01T10:00:00Z",
                "mode": "-rw-r--r--",
                "mode_bits": "644",
                "size": 12,
                "directory": false,
                "file": true,
                "symlink": false,
                "mime": "text/plain; charset=utf-8"
            })
        );
        // Field order as written (serde_json's Value would sort the keys): no value here
        // contains `":`, so every `"…":` is a key.
        let text = serde_json::to_string(&s).unwrap();
        let chunks: Vec<&str> = text.split("\":").collect();
        let keys: Vec<&str> = chunks[..chunks.len() - 1]
            .iter()
            .map(|c| c.rsplit('"').next().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "name",
                "created",
                "modified",
                "mode",
                "mode_bits",
                "size",
                "directory",
                "file",
                "symlink",
                "mime"
            ]
        );
    }

    #[test]
    fn directories_links_and_bits() {
        let d = Stat::new("plugins", meta(0o040755), false);
        assert!(d.directory && !d.file && !d.symlink);
        assert_eq!(
            (d.mime.as_str(), d.mode_bits.as_str()),
            ("inode/directory", "755")
        );
        let l = Stat::new("link", meta(0o120777), false);
        assert!(l.symlink && !l.file && !l.directory);
        assert_eq!(l.mode, "Lrwxrwxrwx");
        let followed = Stat::new("link", meta(0o100600), true);
        assert!(followed.symlink && followed.file);
        assert_eq!(followed.mode_bits, "600");
        assert_eq!(Stat::new("x", meta(0o100000), false).mode_bits, "0");
        assert_eq!(Stat::new("x", meta(0o100044), false).mode_bits, "44");
        assert_eq!(Stat::new("x", meta(0o104755), false).mode_bits, "755");
    }

    #[test]
    fn mime_table() {
        assert_eq!(mime_for("a.JAR"), "application/jar");
        assert_eq!(mime_for("backup.tar.gz"), "application/gzip");
        assert_eq!(mime_for("config.yml"), "application/x-yaml");
        assert_eq!(mime_for("Dockerfile"), "application/octet-stream");
        assert_eq!(mime_for("world.dat"), "application/octet-stream");
        assert_eq!(mime_for(".env"), "text/plain; charset=utf-8");
    }

    #[test]
    fn go_time_format() {
        let t = DateTime::from_timestamp(0, 500_000_000).unwrap();
        assert_eq!(format_go_time(&t), "1970-01-01T00:00:00.5Z");
    }
}
