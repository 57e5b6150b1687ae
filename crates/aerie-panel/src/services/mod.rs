//! Services: the rules of the panel, callable from handlers and from the CLI alike.

pub mod account;
pub mod allocations;
pub mod application_keys;
pub mod backups;
pub mod client_servers;
pub mod cron;
pub mod databases;
pub mod eggs;
pub mod keys;
pub mod locations;
pub mod mail;
pub mod mounts;
pub mod node_system;
pub mod nodes;
pub mod panel_settings;
pub mod password;
pub mod remote;
pub mod rules;
pub mod s3;
pub mod scheduler;
pub mod schedules;
pub mod servers;
pub mod sessions;
pub mod subusers;
pub mod totp;
pub mod transfers;
pub mod users;
pub mod wings;

use aerie_db::DbError;
use aerie_http::Error;

/// Pterodactyl's 404 for a resource that does not exist or that the caller may not see.
pub(crate) fn not_found() -> Error {
    Error::NotFound("The requested resource could not be found on the server.".into())
}

/// Maps a database error to the user-facing error, once, here.
pub(crate) fn db_err(e: DbError) -> Error {
    match e {
        DbError::Unique { constraint } => {
            let field = [
                "email",
                "username",
                "external_id",
                "short",
                "identifier",
                "uuid",
            ]
            .into_iter()
            .find(|f| constraint.contains(f))
            .unwrap_or("value");
            Error::validation(
                field,
                "unique",
                format!("The {field} has already been taken."),
            )
        }
        DbError::ForeignKey => {
            Error::Conflict("The resource is still in use or refers to something missing.".into())
        }
        other => Error::internal(other),
    }
}

/// Random alphanumeric string of `len` characters from the OS generator.
pub fn random_alnum(len: usize) -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}
