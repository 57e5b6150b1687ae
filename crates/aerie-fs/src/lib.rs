//! A server volume as a jail: every path resolved beneath the root by the kernel, disk usage
//! tracked, the egg's denylist enforced.
//!
//! Every file operation wings performs on a server's files (the file manager API, SFTP,
//! backups, archives, decompression, config-file edits) goes through a [`Jail`]:
//!
//! ```no_run
//! use aerie_fs::{Jail, JailOptions};
//! # fn main() -> Result<(), aerie_fs::Error> {
//! let jail = Jail::open(
//!     std::path::Path::new("/var/lib/pterodactyl/volumes/8d3c…"),
//!     JailOptions { uid: 988, gid: 988, disk_limit_bytes: 5 << 30, denylist: vec!["*.secret".into()], read_only: false },
//! )?;
//! jail.write_all("/plugins/readme.txt", b"hello")?;
//! for entry in jail.list("/plugins")? {
//!     println!("{} {}", entry.mode, entry.name);
//! }
//! # Ok(()) }
//! ```
//!
//! The security rests on the kernel, not on string checks: the root directory is opened once
//! and every lookup is `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)` relative to it
//! (`RESOLVE_NO_SYMLINKS` for anything that modifies), or, where `openat2` is unavailable, a
//! walk of single-name `openat(O_NOFOLLOW)` calls ([`resolve`]). User input is normalised first
//! ([`path`]) only to give clear errors. See [`jail`] for how each operation stays inside, and
//! why hard links, FIFOs and devices are refused.
//!
//! Modules: [`path`] (normalising user paths), [`resolve`] (kernel resolution), [`jail`]
//! (the operations), [`stat`] (metadata and Wings' `Stat` JSON), [`usage`] (disk accounting),
//! [`denylist`] (the egg's file denylist), [`writer`] (limit-checked writes), [`error`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod denylist;
pub mod error;
pub mod jail;
pub mod path;
pub mod resolve;
pub mod stat;
pub mod usage;
pub mod writer;

pub use denylist::Denylist;
pub use error::{Error, Result};
pub use jail::{Jail, JailOptions, copy_name};
pub use path::RelPath;
pub use resolve::Resolver;
pub use stat::{Meta, Stat};
pub use usage::DiskUsage;
pub use writer::Writer;
