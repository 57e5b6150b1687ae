//! The one error type of the jail, its user-facing messages, and the HTTP status each maps to
//! (`Error::status_hint`), so the HTTP layer maps filesystem failures in one place.

use rustix::io::Errno;

/// Everything a jail operation can fail with.
///
/// The `Display` text is written for the person using the file manager: it never contains a
/// host path, only what they did wrong. `Io` is the exception (an unexpected failure of the
/// host); the HTTP layer should log it and show a generic sentence instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file or directory does not exist.
    #[error("the requested file or directory does not exist")]
    NotFound,
    /// The path, or a symbolic link on it, leads outside the server root.
    #[error("cannot access files or folders outside of the server root")]
    Escape,
    /// The egg's file denylist covers the path.
    #[error("this file cannot be accessed or modified: it is protected by the server's egg")]
    Denied,
    /// The destination already exists.
    #[error("a file or directory with that name already exists")]
    Exists,
    /// A directory was expected (or a path component is a file).
    #[error("the path is not a directory")]
    NotADirectory,
    /// A file was expected but the path is a directory.
    #[error("cannot perform that action: the path is a directory")]
    IsADirectory,
    /// The path is a FIFO, socket or device, which the file manager never opens.
    #[error("cannot perform that action: the path is not a regular file (pipe, socket or device)")]
    NotAFile,
    /// The operation would go through (or act on) a symbolic link, which writes never do.
    #[error("cannot perform that action through a symbolic link")]
    Symlink,
    /// The file has more than one hard link, so its content may be shared with a file outside
    /// the server root; it is neither read nor written.
    #[error("cannot perform that action: the file has multiple hard links")]
    HardLink,
    /// The write would take the server past its disk limit.
    #[error(
        "there is not enough disk space available to perform that action (limit {limit} bytes, {needed} more needed)"
    )]
    DiskLimit {
        /// The server's limit in bytes.
        limit: u64,
        /// How many bytes the operation needed beyond what is free.
        needed: u64,
    },
    /// The jail was opened read-only.
    #[error("the server's files are read-only")]
    ReadOnly,
    /// A permission mode outside `0..=0o777` (setuid, setgid and sticky bits are refused).
    #[error("invalid file mode: only permission bits 000 to 777 are allowed")]
    InvalidMode,
    /// The path cannot be used (NUL byte, too long, the root where a file is needed, …).
    #[error("invalid path: {reason}")]
    InvalidPath {
        /// Why, in words fit for the user.
        reason: &'static str,
    },
    /// An unexpected failure of the host filesystem.
    #[error("filesystem error: {0}")]
    Io(#[from] std::io::Error),
}

/// Shorthand for results of jail operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status this error should become, chosen once here:
    ///
    /// | status | errors |
    /// | --- | --- |
    /// | 404 | `NotFound` |
    /// | 400 | `Escape`, `Exists`, `NotADirectory`, `IsADirectory`, `NotAFile`, `Symlink`, `HardLink`, `InvalidMode`, `InvalidPath` |
    /// | 403 | `Denied`, `ReadOnly` |
    /// | 409 | `DiskLimit` |
    /// | 507 | `Io` when the host filesystem itself is full |
    /// | 500 | any other `Io` |
    ///
    /// Wings answers 400 for a rename onto an existing file and 409 when there is no disk space,
    /// and panels and clients rely on that, so those two follow Wings rather than HTTP purity.
    pub fn status_hint(&self) -> u16 {
        match self {
            Error::NotFound => 404,
            Error::Escape
            | Error::Exists
            | Error::NotADirectory
            | Error::IsADirectory
            | Error::NotAFile
            | Error::Symlink
            | Error::HardLink
            | Error::InvalidMode
            | Error::InvalidPath { .. } => 400,
            Error::Denied | Error::ReadOnly => 403,
            Error::DiskLimit { .. } => 409,
            Error::Io(e)
                if e.kind() == std::io::ErrorKind::StorageFull
                    || e.kind() == std::io::ErrorKind::QuotaExceeded =>
            {
                507
            }
            Error::Io(_) => 500,
        }
    }

    /// Maps an errno from an operation on an already-resolved object (no path resolution left
    /// to go wrong, so `EXDEV` is an ordinary I/O error there, not an escape).
    pub(crate) fn from_errno(e: Errno) -> Error {
        match e {
            Errno::NOENT => Error::NotFound,
            Errno::EXIST | Errno::NOTEMPTY => Error::Exists,
            Errno::NOTDIR => Error::NotADirectory,
            Errno::ISDIR => Error::IsADirectory,
            Errno::NAMETOOLONG => Error::InvalidPath {
                reason: "the path is too long",
            },
            Errno::ROFS => Error::ReadOnly,
            other => Error::Io(other.into()),
        }
    }

    /// Unwraps a jail error that travelled through `std::io::Write` as an `io::Error`
    /// (the [`Writer`](crate::Writer) reports a disk limit that way).
    pub fn from_io(e: std::io::Error) -> Error {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            match e.into_inner().map(|b| b.downcast::<Error>()) {
                Some(Ok(inner)) => return *inner,
                Some(Err(other)) => return Error::Io(std::io::Error::other(other)),
                None => return Error::Io(std::io::Error::other("unknown error")),
            }
        }
        Error::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_limit_survives_a_trip_through_io_error() {
        let io = std::io::Error::other(Error::DiskLimit {
            limit: 10,
            needed: 5,
        });
        assert!(matches!(
            Error::from_io(io),
            Error::DiskLimit {
                limit: 10,
                needed: 5
            }
        ));
        let plain = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "x");
        assert!(
            matches!(Error::from_io(plain), Error::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
        );
    }

    #[test]
    fn status_hints() {
        assert_eq!(Error::NotFound.status_hint(), 404);
        assert_eq!(Error::Escape.status_hint(), 400);
        assert_eq!(Error::Denied.status_hint(), 403);
        assert_eq!(
            Error::DiskLimit {
                limit: 1,
                needed: 1
            }
            .status_hint(),
            409
        );
        assert_eq!(
            Error::Io(std::io::Error::from(std::io::ErrorKind::StorageFull)).status_hint(),
            507
        );
        assert_eq!(Error::Io(std::io::Error::other("x")).status_hint(), 500);
    }
}
