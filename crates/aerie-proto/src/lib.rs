//! Wire types shared by the panel and wings: every JSON shape that crosses a process
//! boundary (panel ↔ wings, panel ↔ API clients, wings ↔ browser) is defined here once.
//!
//! This crate has no I/O and no framework dependencies, so both sides and the tests can use it.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod error;
pub mod health;
pub mod keys;
pub mod permissions;
pub mod wings;

/// The Aerie version, reported by `aerie --version`, `/api/health` and wings' `/api/system`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
