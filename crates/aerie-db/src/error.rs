//! The database error type.

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The URL names no backend we support, or could not be used.
    #[error("invalid database URL: {0}")]
    Url(String),
    /// The database could not be reached.
    #[error("cannot connect to the {backend} database: {message}")]
    Connect {
        /// `sqlite`, `postgres` or `mysql`.
        backend: &'static str,
        /// The driver's message (credentials never included).
        message: String,
    },
    /// A unique constraint was violated; `constraint` names the column or index when known.
    #[error("already exists: {constraint}")]
    Unique {
        /// The violated constraint.
        constraint: String,
    },
    /// A foreign key constraint was violated.
    #[error("a referenced row does not exist or is still referenced")]
    ForeignKey,
    /// A migration failed.
    #[error("migration {version} ({name}) failed: {message}")]
    Migration {
        /// Migration number.
        version: i64,
        /// Migration name.
        name: &'static str,
        /// The driver's message.
        message: String,
    },
    /// A row did not decode into its model.
    #[error("row decoding failed: {0}")]
    Decode(String),
    /// Anything else from the driver.
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            match d.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return DbError::Unique {
                        constraint: d
                            .constraint()
                            .map(str::to_owned)
                            .unwrap_or_else(|| d.message().to_owned()),
                    };
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => return DbError::ForeignKey,
                _ => {}
            }
            // Some drivers report a constraint failure without classifying it.
            let msg = d.message();
            if msg.contains("FOREIGN KEY constraint failed")
                || msg.contains("foreign key constraint fails")
            {
                return DbError::ForeignKey;
            }
            if msg.contains("UNIQUE constraint failed") || msg.contains("Duplicate entry") {
                return DbError::Unique {
                    constraint: msg.to_owned(),
                };
            }
        }
        match e {
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::Decode(_) => DbError::Decode(e.to_string()),
            other => DbError::Other(other.to_string()),
        }
    }
}
