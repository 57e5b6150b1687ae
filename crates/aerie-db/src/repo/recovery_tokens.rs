//! Two-factor recovery tokens: each is stored as the hex SHA-256 of the token shown to the
//! user once, and deleted when used.

use sea_query::{Expr, Query};

use crate::migrations::RecoveryTokens as R;
use crate::{Db, DbError};

/// The recovery tokens repository.
pub struct RecoveryTokenRepo<'a>(&'a Db);

impl Db {
    /// Two-factor recovery tokens.
    pub fn recovery_tokens(&self) -> RecoveryTokenRepo<'_> {
        RecoveryTokenRepo(self)
    }
}

impl RecoveryTokenRepo<'_> {
    /// Replaces every token of `user_id` with these hashes.
    pub async fn replace(&self, user_id: i64, hashes: &[String]) -> Result<(), DbError> {
        self.delete_for_user(user_id).await?;
        if hashes.is_empty() {
            return Ok(());
        }
        let now = crate::now();
        let mut q = Query::insert();
        q.into_table(R::Table)
            .columns([R::UserId, R::TokenHash, R::CreatedAt]);
        for h in hashes {
            q.values_panic([user_id.into(), h.clone().into(), now.clone().into()]);
        }
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Uses up the token of `user_id` that hashes to `hash`: deletes it and says whether it
    /// existed (so it works once, even under concurrent requests).
    pub async fn consume(&self, user_id: i64, hash: &str) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(R::Table)
            .and_where(Expr::col(R::UserId).eq(user_id))
            .and_where(Expr::col(R::TokenHash).eq(hash))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// How many unused tokens `user_id` has.
    pub async fn count_for_user(&self, user_id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(R::Id).count())
                    .from(R::Table)
                    .and_where(Expr::col(R::UserId).eq(user_id))
                    .to_owned(),
            )
            .await
    }

    /// Deletes every token of `user_id`.
    pub async fn delete_for_user(&self, user_id: i64) -> Result<u64, DbError> {
        let q = Query::delete()
            .from_table(R::Table)
            .and_where(Expr::col(R::UserId).eq(user_id))
            .to_owned();
        self.0.execute(&q).await
    }
}
