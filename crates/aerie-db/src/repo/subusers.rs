//! Subusers: users given a set of permissions on someone else's server.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_i64, get_str};
use crate::migrations::Subusers as S;
use crate::{Db, DbError};

/// A subuser row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subuser {
    /// Numeric id.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// The server.
    pub server_id: i64,
    /// Permission keys (§7), stored as a JSON array.
    pub permissions: Vec<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

const COLS: [S; 6] = [
    S::Id,
    S::UserId,
    S::ServerId,
    S::Permissions,
    S::CreatedAt,
    S::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<Subuser, DbError> {
    let raw = get_str(r, "permissions")?;
    Ok(Subuser {
        id: get_i64(r, "id")?,
        user_id: get_i64(r, "user_id")?,
        server_id: get_i64(r, "server_id")?,
        permissions: serde_json::from_str(&raw)
            .map_err(|e| DbError::Decode(format!("subuser permissions: {e}")))?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn encode(perms: &[String]) -> String {
    serde_json::to_string(perms).unwrap_or_else(|_| "[]".into())
}

/// The subusers repository.
pub struct SubuserRepo<'a>(&'a Db);

impl Db {
    /// Subusers.
    pub fn subusers(&self) -> SubuserRepo<'_> {
        SubuserRepo(self)
    }
}

impl SubuserRepo<'_> {
    /// Adds a subuser.
    pub async fn create(
        &self,
        user_id: i64,
        server_id: i64,
        permissions: &[String],
    ) -> Result<Subuser, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(S::Table)
            .columns([
                S::UserId,
                S::ServerId,
                S::Permissions,
                S::CreatedAt,
                S::UpdatedAt,
            ])
            .values_panic([
                user_id.into(),
                server_id.into(),
                encode(permissions).into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted subuser vanished".into()))
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Subuser>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// The row making `user_id` a subuser of `server_id`, if any.
    pub async fn find_for(&self, user_id: i64, server_id: i64) -> Result<Option<Subuser>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::UserId).eq(user_id))
            .and_where(Expr::col(S::ServerId).eq(server_id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// A server's subusers, oldest first.
    pub async fn list_for_server(&self, server_id: i64) -> Result<Vec<Subuser>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::ServerId).eq(server_id))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The ids of the servers `user_id` is a subuser of.
    pub async fn server_ids_for_user(&self, user_id: i64) -> Result<Vec<i64>, DbError> {
        let q = Query::select()
            .column(S::ServerId)
            .from(S::Table)
            .and_where(Expr::col(S::UserId).eq(user_id))
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| get_i64(r, "server_id"))
            .collect()
    }

    /// Replaces a subuser's permissions.
    pub async fn set_permissions(&self, id: i64, permissions: &[String]) -> Result<(), DbError> {
        let q = Query::update()
            .table(S::Table)
            .value(S::Permissions, encode(permissions))
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Removes a subuser.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
