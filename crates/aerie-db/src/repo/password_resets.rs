//! Pending password resets: at most one per e-mail address, stored as the hex SHA-256 of
//! the token that was mailed.

use sea_query::{Expr, Query};

use super::get_str;
use crate::migrations::PasswordResets as P;
use crate::{Db, DbError};

/// A pending reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// The account's e-mail address (lower-case).
    pub email: String,
    /// Hex SHA-256 of the mailed token.
    pub token_hash: String,
    /// When the token was issued (RFC 3339).
    pub created_at: String,
}

/// The password resets repository.
pub struct PasswordResetRepo<'a>(&'a Db);

impl Db {
    /// Pending password resets.
    pub fn password_resets(&self) -> PasswordResetRepo<'_> {
        PasswordResetRepo(self)
    }
}

impl PasswordResetRepo<'_> {
    /// Replaces any pending reset of `email` with a new one.
    pub async fn put(&self, email: &str, token_hash: &str) -> Result<(), DbError> {
        let email = email.to_lowercase();
        self.delete(&email).await?;
        let q = Query::insert()
            .into_table(P::Table)
            .columns([P::Email, P::TokenHash, P::CreatedAt])
            .values_panic([email.into(), token_hash.into(), crate::now().into()])
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// The pending reset of `email`, if any.
    pub async fn find(&self, email: &str) -> Result<Option<PasswordReset>, DbError> {
        let q = Query::select()
            .columns([P::Email, P::TokenHash, P::CreatedAt])
            .from(P::Table)
            .and_where(Expr::col(P::Email).eq(email.to_lowercase()))
            .to_owned();
        match self.0.fetch_optional(&q).await? {
            Some(r) => Ok(Some(PasswordReset {
                email: get_str(&r, "email")?,
                token_hash: get_str(&r, "token_hash")?,
                created_at: get_str(&r, "created_at")?,
            })),
            None => Ok(None),
        }
    }

    /// Consumes the reset of `email` whose token hashes to `token_hash`: deletes it and
    /// says whether it was there, so two requests racing with one token cannot both win.
    pub async fn consume(&self, email: &str, token_hash: &str) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(P::Table)
            .and_where(Expr::col(P::Email).eq(email.to_lowercase()))
            .and_where(Expr::col(P::TokenHash).eq(token_hash))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Deletes the pending reset of `email`; whether there was one.
    pub async fn delete(&self, email: &str) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(P::Table)
            .and_where(Expr::col(P::Email).eq(email.to_lowercase()))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Deletes resets issued before `cutoff` (RFC 3339); returns how many went.
    pub async fn purge_older_than(&self, cutoff: &str) -> Result<u64, DbError> {
        let q = Query::delete()
            .from_table(P::Table)
            .and_where(Expr::col(P::CreatedAt).lt(cutoff))
            .to_owned();
        self.0.execute(&q).await
    }

    /// Backdates a pending reset (tests of expiry, and imports).
    pub async fn set_created_at(&self, email: &str, created_at: &str) -> Result<(), DbError> {
        let q = Query::update()
            .table(P::Table)
            .value(P::CreatedAt, created_at)
            .and_where(Expr::col(P::Email).eq(email.to_lowercase()))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }
}
