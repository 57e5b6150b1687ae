//! Nodes.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::migrations::Nodes as N;
use crate::models::{NewNode, Node};
use crate::{Db, DbError};

const COLS: [N; 22] = [
    N::Id,
    N::Uuid,
    N::Public,
    N::Name,
    N::Description,
    N::LocationId,
    N::Fqdn,
    N::Scheme,
    N::BehindProxy,
    N::MaintenanceMode,
    N::Memory,
    N::MemoryOverallocate,
    N::Disk,
    N::DiskOverallocate,
    N::UploadSize,
    N::DaemonTokenId,
    N::DaemonToken,
    N::DaemonListen,
    N::DaemonSftp,
    N::DaemonBase,
    N::CreatedAt,
    N::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<Node, DbError> {
    Ok(Node {
        id: get_i64(r, "id")?,
        uuid: get_str(r, "uuid")?,
        public: get_bool(r, "public")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        location_id: get_i64(r, "location_id")?,
        fqdn: get_str(r, "fqdn")?,
        scheme: get_str(r, "scheme")?,
        behind_proxy: get_bool(r, "behind_proxy")?,
        maintenance_mode: get_bool(r, "maintenance_mode")?,
        memory: get_i64(r, "memory")?,
        memory_overallocate: get_i64(r, "memory_overallocate")?,
        disk: get_i64(r, "disk")?,
        disk_overallocate: get_i64(r, "disk_overallocate")?,
        upload_size: get_i64(r, "upload_size")?,
        daemon_token_id: get_str(r, "daemon_token_id")?,
        daemon_token: get_str(r, "daemon_token")?,
        daemon_listen: get_i64(r, "daemon_listen")?,
        daemon_sftp: get_i64(r, "daemon_sftp")?,
        daemon_base: get_str(r, "daemon_base")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// The nodes repository.
pub struct NodeRepo<'a>(&'a Db);

impl Db {
    /// Nodes.
    pub fn nodes(&self) -> NodeRepo<'_> {
        NodeRepo(self)
    }
}

impl NodeRepo<'_> {
    /// Inserts a node.
    pub async fn create(&self, n: &NewNode) -> Result<Node, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(N::Table)
            .columns([
                N::Uuid,
                N::Public,
                N::Name,
                N::Description,
                N::LocationId,
                N::Fqdn,
                N::Scheme,
                N::BehindProxy,
                N::Memory,
                N::MemoryOverallocate,
                N::Disk,
                N::DiskOverallocate,
                N::UploadSize,
                N::DaemonTokenId,
                N::DaemonToken,
                N::DaemonListen,
                N::DaemonSftp,
                N::DaemonBase,
                N::CreatedAt,
                N::UpdatedAt,
            ])
            .values_panic([
                uuid::Uuid::new_v4().to_string().into(),
                n.public.into(),
                n.name.clone().into(),
                n.description.clone().into(),
                n.location_id.into(),
                n.fqdn.clone().into(),
                n.scheme.clone().into(),
                n.behind_proxy.into(),
                n.memory.into(),
                n.memory_overallocate.into(),
                n.disk.into(),
                n.disk_overallocate.into(),
                n.upload_size.into(),
                n.daemon_token_id.clone().into(),
                n.daemon_token.clone().into(),
                n.daemon_listen.into(),
                n.daemon_sftp.into(),
                n.daemon_base.clone().into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted node vanished".into()))
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Node>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .and_where(Expr::col(N::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By the token id wings presents (`token_id.token`).
    pub async fn find_by_token_id(&self, token_id: &str) -> Result<Option<Node>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .and_where(Expr::col(N::DaemonTokenId).eq(token_id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// All nodes, by id.
    pub async fn list(&self) -> Result<Vec<Node>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .order_by(N::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Points a node at a new daemon address and port (used by `aerie up` when the port moves).
    pub async fn set_address(
        &self,
        id: i64,
        fqdn: &str,
        scheme: &str,
        listen: i64,
    ) -> Result<(), DbError> {
        let q = Query::update()
            .table(N::Table)
            .value(N::Fqdn, fqdn)
            .value(N::Scheme, scheme)
            .value(N::DaemonListen, listen)
            .value(N::UpdatedAt, crate::now())
            .and_where(Expr::col(N::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Deletes a node.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(N::Table)
            .and_where(Expr::col(N::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
