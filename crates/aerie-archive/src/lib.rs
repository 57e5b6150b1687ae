//! Archives of server files, made and unpacked only through the jail.
//!
//! - [`compress()`] walks files and directories of a server volume through its
//!   [`aerie_fs::Jail`] (never following a symbolic link) and streams them into a new zip,
//!   tar.gz or tar.zst archive created in the volume through the jail, so the archive counts
//!   against the server's disk limit as it grows.
//! - [`decompress()`] unpacks zip, tar, tar.gz, tar.xz and tar.zst archives (and single `.gz`,
//!   `.xz`, `.zst` files) of the volume into the volume: every entry name is checked before it
//!   is written (zip-slip), links are never created, decompression bombs are stopped by
//!   [`Limits`] checked on the bytes actually produced, and the archive is unpacked into a
//!   staging directory first, so a failure leaves the volume as it was.
//!
//! ```no_run
//! use aerie_archive::{Format, Limits, compress, decompress};
//! # fn main() -> Result<(), aerie_archive::Error> {
//! # let jail: aerie_fs::Jail = todo!();
//! let archive = compress(&jail, "/", &["world".into(), "server.properties".into()], Format::TarGz)?;
//! let bytes = decompress(&jail, "/restore", "../backup.zip", Limits::for_jail(&jail))?;
//! # Ok(()) }
//! ```
//!
//! Modules: [`compress`](mod@compress) (what goes into an archive), [`extract`] (the rules of
//! unpacking, and the choices made there), [`format`](mod@format) (formats and their detection),
//! [`error`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod compress;
pub mod error;
pub mod extract;
pub mod format;

pub use compress::compress;
pub use error::{Error, Result};
pub use extract::{Limits, decompress};
pub use format::Format;

/// Prefix of the staging directories [`decompress`] creates (and [`compress()`] leaves out).
pub const STAGING_PREFIX: &str = ".aerie-extract-";

/// `name` inside directory `root`, as the file API combines its `root` and `files` fields: a
/// name starting with `/` is already relative to the server root.
fn join(root: &str, name: &str) -> String {
    if name.starts_with('/') || root.is_empty() {
        return name.to_owned();
    }
    format!("{}/{}", root.trim_end_matches('/'), name)
}
