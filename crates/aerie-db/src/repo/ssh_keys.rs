//! Users' SSH public keys, which log them in to SFTP.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_i64, get_str};
use crate::migrations::UserSshKeys as K;
use crate::{Db, DbError};

/// A stored public key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SshKey {
    /// Numeric id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Display name.
    pub name: String,
    /// `SHA256:<base64>` fingerprint.
    pub fingerprint: String,
    /// The key in OpenSSH `authorized_keys` form (`ssh-ed25519 AAAA...`).
    pub public_key: String,
    /// Created.
    pub created_at: String,
}

const COLS: [K; 6] = [
    K::Id,
    K::UserId,
    K::Name,
    K::Fingerprint,
    K::PublicKey,
    K::CreatedAt,
];

fn from_row(r: &AnyRow) -> Result<SshKey, DbError> {
    Ok(SshKey {
        id: get_i64(r, "id")?,
        user_id: get_i64(r, "user_id")?,
        name: get_str(r, "name")?,
        fingerprint: get_str(r, "fingerprint")?,
        public_key: get_str(r, "public_key")?,
        created_at: get_str(r, "created_at")?,
    })
}

/// The SSH keys repository.
pub struct SshKeyRepo<'a>(&'a Db);

impl Db {
    /// SSH keys.
    pub fn ssh_keys(&self) -> SshKeyRepo<'_> {
        SshKeyRepo(self)
    }
}

impl SshKeyRepo<'_> {
    /// Stores a key.
    pub async fn create(
        &self,
        user_id: i64,
        name: &str,
        fingerprint: &str,
        public_key: &str,
    ) -> Result<SshKey, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(K::Table)
            .columns([
                K::UserId,
                K::Name,
                K::Fingerprint,
                K::PublicKey,
                K::CreatedAt,
                K::UpdatedAt,
            ])
            .values_panic([
                user_id.into(),
                name.into(),
                fingerprint.into(),
                public_key.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        let q = Query::select()
            .columns(COLS)
            .from(K::Table)
            .and_where(Expr::col(K::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()?
            .ok_or_else(|| DbError::Other("inserted ssh key vanished".into()))
    }

    /// A user's keys, oldest first.
    pub async fn list_for_user(&self, user_id: i64) -> Result<Vec<SshKey>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(K::Table)
            .and_where(Expr::col(K::UserId).eq(user_id))
            .order_by(K::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Removes a user's key by fingerprint; returns whether one was removed.
    pub async fn delete(&self, user_id: i64, fingerprint: &str) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(K::Table)
            .and_where(Expr::col(K::UserId).eq(user_id))
            .and_where(Expr::col(K::Fingerprint).eq(fingerprint))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
