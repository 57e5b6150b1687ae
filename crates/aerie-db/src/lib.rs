//! Aerie's database layer. One [`Db`] handle talks to SQLite, PostgreSQL or MySQL/MariaDB,
//! picked at run time from the URL. Statements are built with sea-query, so each query and
//! each migration is written once and rendered in the dialect of the connected backend.
//! All SQL lives in this crate (`repo::*`); handlers and services never see it.
//!
//! Portability rules, chosen so the `Any` driver decodes identically on every backend:
//! integers and booleans are `BIGINT` (`i64`, booleans 0/1), short strings `VARCHAR(n)`,
//! long strings `TEXT`, timestamps RFC 3339 UTC strings with microseconds (sortable).
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod db;
mod error;
pub mod migrations;
pub mod models;
pub mod repo;

pub use db::{Backend, Db};
pub use error::DbError;

/// The current time in the stored timestamp format.
pub fn now() -> String {
    format_ts(chrono::Utc::now())
}

/// Formats a timestamp in the stored format (RFC 3339, UTC, microseconds, `Z`).
pub fn format_ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
