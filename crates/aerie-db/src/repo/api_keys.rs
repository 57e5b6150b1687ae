//! API keys.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_i64, get_opt_str, get_str};
use crate::migrations::ApiKeys as K;
use crate::models::{ApiKey, ApiKeyPermissions, NewApiKey};
use crate::{Db, DbError};

const COLS: [K; 20] = [
    K::Id,
    K::UserId,
    K::KeyType,
    K::Identifier,
    K::TokenHash,
    K::Memo,
    K::AllowedIps,
    K::LastUsedAt,
    K::RServers,
    K::RNodes,
    K::RAllocations,
    K::RUsers,
    K::RLocations,
    K::RNests,
    K::REggs,
    K::RDatabaseHosts,
    K::RServerDatabases,
    K::RMounts,
    K::CreatedAt,
    K::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<ApiKey, DbError> {
    let ips = get_opt_str(r, "allowed_ips")?.unwrap_or_default();
    Ok(ApiKey {
        id: get_i64(r, "id")?,
        user_id: get_i64(r, "user_id")?,
        key_type: get_i64(r, "key_type")?,
        identifier: get_str(r, "identifier")?,
        token_hash: get_str(r, "token_hash")?,
        memo: get_opt_str(r, "memo")?,
        allowed_ips: if ips.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&ips)
                .map_err(|e| DbError::Decode(format!("api_keys.allowed_ips: {e}")))?
        },
        last_used_at: get_opt_str(r, "last_used_at")?,
        permissions: ApiKeyPermissions {
            servers: get_i64(r, "r_servers")?,
            nodes: get_i64(r, "r_nodes")?,
            allocations: get_i64(r, "r_allocations")?,
            users: get_i64(r, "r_users")?,
            locations: get_i64(r, "r_locations")?,
            nests: get_i64(r, "r_nests")?,
            eggs: get_i64(r, "r_eggs")?,
            database_hosts: get_i64(r, "r_database_hosts")?,
            server_databases: get_i64(r, "r_server_databases")?,
            mounts: get_i64(r, "r_mounts")?,
        },
        created_at: get_str(r, "created_at")?,
    })
}

/// The API keys repository.
pub struct ApiKeyRepo<'a>(&'a Db);

impl Db {
    /// API keys.
    pub fn api_keys(&self) -> ApiKeyRepo<'_> {
        ApiKeyRepo(self)
    }
}

impl ApiKeyRepo<'_> {
    /// Stores a key (its hash) and returns it.
    pub async fn create(&self, new: &NewApiKey) -> Result<ApiKey, DbError> {
        let now = crate::now();
        let p = new.permissions;
        let ips =
            serde_json::to_string(&new.allowed_ips).map_err(|e| DbError::Other(e.to_string()))?;
        let mut stmt = Query::insert()
            .into_table(K::Table)
            .columns([
                K::UserId,
                K::KeyType,
                K::Identifier,
                K::TokenHash,
                K::Memo,
                K::AllowedIps,
                K::RServers,
                K::RNodes,
                K::RAllocations,
                K::RUsers,
                K::RLocations,
                K::RNests,
                K::REggs,
                K::RDatabaseHosts,
                K::RServerDatabases,
                K::RMounts,
                K::CreatedAt,
                K::UpdatedAt,
            ])
            .values_panic([
                new.user_id.into(),
                new.key_type.into(),
                new.identifier.clone().into(),
                new.token_hash.clone().into(),
                new.memo.clone().into(),
                ips.into(),
                p.servers.into(),
                p.nodes.into(),
                p.allocations.into(),
                p.users.into(),
                p.locations.into(),
                p.nests.into(),
                p.eggs.into(),
                p.database_hosts.into(),
                p.server_databases.into(),
                p.mounts.into(),
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
        let row = self
            .0
            .fetch_optional(&q)
            .await?
            .ok_or_else(|| DbError::Other("inserted key vanished".into()))?;
        from_row(&row)
    }

    /// By public identifier.
    pub async fn find_by_identifier(&self, identifier: &str) -> Result<Option<ApiKey>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(K::Table)
            .and_where(Expr::col(K::Identifier).eq(identifier))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// A user's keys of one type, oldest first.
    pub async fn list_for_user(&self, user_id: i64, key_type: i64) -> Result<Vec<ApiKey>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(K::Table)
            .and_where(Expr::col(K::UserId).eq(user_id))
            .and_where(Expr::col(K::KeyType).eq(key_type))
            .order_by(K::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Records a use of the key.
    pub async fn touch(&self, id: i64) -> Result<(), DbError> {
        let q = Query::update()
            .table(K::Table)
            .value(K::LastUsedAt, crate::now())
            .and_where(Expr::col(K::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Deletes a user's key by identifier; false when there was none.
    pub async fn delete(&self, user_id: i64, identifier: &str) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(K::Table)
            .and_where(Expr::col(K::UserId).eq(user_id))
            .and_where(Expr::col(K::Identifier).eq(identifier))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
