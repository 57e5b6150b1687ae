//! The one error type of archive operations, its user-facing messages, and the HTTP status each
//! should become ([`Error::status_hint`]).

/// Everything [`compress`](crate::compress()) and [`decompress`](crate::decompress()) can fail with.
///
/// The `Display` text is written for the person using the file manager: it names the archive
/// entry or the limit involved, never a host path. [`Error::Io`] and an `Fs` error wrapping
/// [`aerie_fs::Error::Io`] are the exceptions (failures of the host); the HTTP layer should log
/// those and show a generic sentence.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A jail operation failed (not found, denied, disk limit, …); its message is already
    /// user-facing.
    #[error(transparent)]
    Fs(#[from] aerie_fs::Error),
    /// A jail operation failed while extracting one entry.
    #[error("could not extract `{entry}`: {source}")]
    Entry {
        /// The entry's name as stored in the archive.
        entry: String,
        /// What the jail said.
        source: aerie_fs::Error,
    },
    /// Compress was called with nothing to put in the archive.
    #[error("no files were selected to compress")]
    NothingSelected,
    /// Neither the first bytes nor the file name say which archive format this is.
    #[error(
        "the file is not an archive in a supported format (zip, tar, tar.gz, tar.xz, tar.zst, gz, xz, zst)"
    )]
    UnknownFormat,
    /// The archive could not be read: truncated, damaged, or not what its header claims.
    #[error("the archive is damaged or unreadable: {0}")]
    Corrupt(String),
    /// An entry's name is absolute or climbs with `..` (a "zip-slip" archive). Nothing of the
    /// archive is kept.
    #[error(
        "the archive was not extracted: entry `{entry}` points outside the directory it is extracted into"
    )]
    UnsafeEntry {
        /// The entry's name as stored in the archive.
        entry: String,
    },
    /// The archive expands to more bytes than allowed. Nothing of the archive is kept.
    #[error(
        "the archive was not extracted: its contents are larger than the {limit} bytes allowed"
    )]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The archive expands to more than `ratio` times its own size: a decompression bomb, or
    /// data too repetitive to be worth extracting. Nothing of the archive is kept.
    #[error("the archive was not extracted: it expands to more than {ratio} times its own size")]
    RatioExceeded {
        /// The largest expansion ratio allowed.
        ratio: u64,
    },
    /// The archive holds more entries than allowed. Nothing of the archive is kept.
    #[error("the archive was not extracted: it holds more than {limit} entries")]
    TooManyEntries {
        /// The limit.
        limit: u64,
    },
    /// An entry would replace a directory with a file or a file with a directory. Checked after
    /// the archive was unpacked and before anything in the destination changed, so nothing of
    /// the archive is kept and nothing existing is touched.
    #[error(
        "the archive was not extracted: `{path}` already exists as a {existing} and the archive has a {incoming} there"
    )]
    TypeConflict {
        /// The destination path, relative to the server root.
        path: String,
        /// `file` or `directory`: what is there now.
        existing: &'static str,
        /// `file` or `directory`: what the archive holds.
        incoming: &'static str,
    },
    /// An unexpected I/O failure outside the jail (an encoder or decoder).
    #[error("archive I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Shorthand for results of archive operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status this error should become:
    ///
    /// | status | errors |
    /// | --- | --- |
    /// | 400 | `NothingSelected`, `UnknownFormat`, `Corrupt`, `UnsafeEntry` |
    /// | 409 | `TooLarge`, `RatioExceeded`, `TooManyEntries`, `TypeConflict` (as the jail's disk limit) |
    /// | the jail's hint | `Fs`, `Entry` (404, 400, 403, 409, 500, …) |
    /// | 500 | `Io` |
    pub fn status_hint(&self) -> u16 {
        match self {
            Error::Fs(e) | Error::Entry { source: e, .. } => e.status_hint(),
            Error::NothingSelected
            | Error::UnknownFormat
            | Error::Corrupt(_)
            | Error::UnsafeEntry { .. } => 400,
            Error::TooLarge { .. }
            | Error::RatioExceeded { .. }
            | Error::TooManyEntries { .. }
            | Error::TypeConflict { .. } => 409,
            Error::Io(_) => 500,
        }
    }

    /// Whether this is an unexpected failure of the host (to be logged, not shown).
    pub fn is_internal(&self) -> bool {
        self.status_hint() >= 500
    }
}

/// Maps an `io::Error` from reading the archive (a decoder or the archive parser).
pub(crate) fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::Corrupt(e.to_string())
}
