//! Nodes: the rows, the application API's list filters and sorts, and the resource use of
//! the servers placed on them (read straight from the `servers` table, so the node
//! transformer's `allocated_resources`, deployment and "refuse to delete a node with
//! servers" need no server model).

use std::collections::HashMap;

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::users::{SERVER_SUMMARY_COLS, ServerSummary, server_summary_from_row};
use super::{get_bool, get_i64, get_opt_str, get_str, partial_filter};
use crate::migrations::{Nodes as N, Servers as S};
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

/// The application API's `filter[...]` values for nodes. Each is a partial, case-insensitive
/// match (spatie's partial filter: `LOWER(col) LIKE %value%`); a comma-separated value
/// matches any of its parts.
#[derive(Debug, Clone, Default)]
pub struct NodeFilter {
    /// `filter[uuid]`.
    pub uuid: Option<String>,
    /// `filter[name]`.
    pub name: Option<String>,
    /// `filter[fqdn]`.
    pub fqdn: Option<String>,
    /// `filter[daemon_token_id]`.
    pub daemon_token_id: Option<String>,
}

/// A column nodes can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeSort {
    /// `sort=id`.
    Id,
    /// `sort=uuid`.
    Uuid,
    /// `sort=memory`.
    Memory,
    /// `sort=disk`.
    Disk,
}

/// One page of a filtered, sorted node list.
#[derive(Debug, Clone, Default)]
pub struct NodeListQuery {
    /// Filters, all of which must match.
    pub filter: NodeFilter,
    /// Sort column and whether it is descending; `None` is ascending id.
    pub sort: Option<(NodeSort, bool)>,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// Changes to a node; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct NodePatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub location_id: Option<i64>,
    pub fqdn: Option<String>,
    pub scheme: Option<String>,
    pub behind_proxy: Option<bool>,
    pub public: Option<bool>,
    pub maintenance_mode: Option<bool>,
    pub memory: Option<i64>,
    pub memory_overallocate: Option<i64>,
    pub disk: Option<i64>,
    pub disk_overallocate: Option<i64>,
    pub upload_size: Option<i64>,
    pub daemon_listen: Option<i64>,
    pub daemon_sftp: Option<i64>,
    pub daemon_base: Option<String>,
    /// A new daemon token (the token id stays).
    pub daemon_token: Option<String>,
}

/// Memory and disk (MB) promised to the servers on one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeUsage {
    /// Sum of the servers' memory limits.
    pub memory: i64,
    /// Sum of the servers' disk limits.
    pub disk: i64,
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
    /// Inserts a node (not in maintenance mode) with a fresh UUID.
    pub async fn create(&self, n: &NewNode) -> Result<Node, DbError> {
        self.create_with(n, false).await
    }

    /// Inserts a node with a fresh UUID and the given maintenance mode.
    pub async fn create_with(&self, n: &NewNode, maintenance_mode: bool) -> Result<Node, DbError> {
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
                maintenance_mode.into(),
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

    /// A filtered, sorted page of nodes and the number of nodes matching the filters.
    pub async fn search(&self, query: &NodeListQuery) -> Result<(Vec<Node>, i64), DbError> {
        let mut base = Query::select();
        base.from(N::Table);
        let f = &query.filter;
        partial_filter(&mut base, (N::Table, N::Uuid), f.uuid.as_deref());
        partial_filter(&mut base, (N::Table, N::Name), f.name.as_deref());
        partial_filter(&mut base, (N::Table, N::Fqdn), f.fqdn.as_deref());
        partial_filter(
            &mut base,
            (N::Table, N::DaemonTokenId),
            f.daemon_token_id.as_deref(),
        );

        let mut count = base.clone();
        count.expr(Expr::col(N::Id).count());
        let total = self.0.count(&count).await?;

        let mut page = base;
        page.columns(COLS);
        let (col, desc) = match query.sort {
            Some((NodeSort::Uuid, d)) => (Some(N::Uuid), d),
            Some((NodeSort::Memory, d)) => (Some(N::Memory), d),
            Some((NodeSort::Disk, d)) => (Some(N::Disk), d),
            Some((NodeSort::Id, d)) => (None, d),
            None => (None, false),
        };
        let order = |d: bool| if d { Order::Desc } else { Order::Asc };
        match col {
            Some(c) => {
                page.order_by(c, order(desc)).order_by(N::Id, Order::Asc);
            }
            None => {
                page.order_by(N::Id, order(desc));
            }
        }
        page.limit(query.limit).offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Nodes with these ids, ascending by id (missing ids are skipped).
    pub async fn find_many(&self, ids: &[i64]) -> Result<Vec<Node>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .and_where(Expr::col(N::Id).is_in(ids.iter().copied()))
            .order_by(N::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The nodes in any of `location_ids`, ascending by id.
    pub async fn list_by_locations(&self, location_ids: &[i64]) -> Result<Vec<Node>, DbError> {
        if location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .and_where(Expr::col(N::LocationId).is_in(location_ids.iter().copied()))
            .order_by(N::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Nodes automatic deployment may use: public, not in maintenance, and in one of
    /// `location_ids` (any location when empty); ascending by id.
    pub async fn deployment_candidates(&self, location_ids: &[i64]) -> Result<Vec<Node>, DbError> {
        let mut q = Query::select();
        q.columns(COLS)
            .from(N::Table)
            .and_where(Expr::col(N::Public).eq(1))
            .and_where(Expr::col(N::MaintenanceMode).eq(0));
        if !location_ids.is_empty() {
            q.and_where(Expr::col(N::LocationId).is_in(location_ids.iter().copied()));
        }
        q.order_by(N::Id, Order::Asc);
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Memory and disk promised to the servers on each of `node_ids`; nodes without
    /// servers are absent from the map. Summed here rather than with SQL `SUM`, whose
    /// result type differs per backend (DECIMAL/NUMERIC on MySQL and PostgreSQL).
    pub async fn usage(&self, node_ids: &[i64]) -> Result<HashMap<i64, NodeUsage>, DbError> {
        let mut out: HashMap<i64, NodeUsage> = HashMap::new();
        if node_ids.is_empty() {
            return Ok(out);
        }
        let q = Query::select()
            .columns([S::NodeId, S::Memory, S::Disk])
            .from(S::Table)
            .and_where(Expr::col(S::NodeId).is_in(node_ids.iter().copied()))
            .to_owned();
        for row in self.0.fetch_all(&q).await? {
            let entry = out.entry(get_i64(&row, "node_id")?).or_default();
            entry.memory = entry.memory.saturating_add(get_i64(&row, "memory")?);
            entry.disk = entry.disk.saturating_add(get_i64(&row, "disk")?);
        }
        Ok(out)
    }

    /// Number of servers placed on node `id`.
    pub async fn count_servers(&self, id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(S::Id).count())
                    .from(S::Table)
                    .and_where(Expr::col(S::NodeId).eq(id))
                    .to_owned(),
            )
            .await
    }

    /// The servers on any of `node_ids`, ascending by id (for `include=servers`).
    pub async fn servers_on(&self, node_ids: &[i64]) -> Result<Vec<ServerSummary>, DbError> {
        if node_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(SERVER_SUMMARY_COLS)
            .from(S::Table)
            .and_where(Expr::col(S::NodeId).is_in(node_ids.iter().copied()))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(server_summary_from_row)
            .collect()
    }

    /// Applies a patch; returns the updated node, or `None` if it does not exist.
    pub async fn update(&self, id: i64, p: &NodePatch) -> Result<Option<Node>, DbError> {
        let mut q = Query::update();
        q.table(N::Table)
            .value(N::UpdatedAt, crate::now())
            .and_where(Expr::col(N::Id).eq(id));
        if let Some(v) = &p.name {
            q.value(N::Name, v.clone());
        }
        if let Some(v) = &p.description {
            q.value(N::Description, v.clone());
        }
        if let Some(v) = p.location_id {
            q.value(N::LocationId, v);
        }
        if let Some(v) = &p.fqdn {
            q.value(N::Fqdn, v.clone());
        }
        if let Some(v) = &p.scheme {
            q.value(N::Scheme, v.clone());
        }
        if let Some(v) = p.behind_proxy {
            q.value(N::BehindProxy, v);
        }
        if let Some(v) = p.public {
            q.value(N::Public, v);
        }
        if let Some(v) = p.maintenance_mode {
            q.value(N::MaintenanceMode, v);
        }
        for (col, v) in [
            (N::Memory, p.memory),
            (N::MemoryOverallocate, p.memory_overallocate),
            (N::Disk, p.disk),
            (N::DiskOverallocate, p.disk_overallocate),
            (N::UploadSize, p.upload_size),
            (N::DaemonListen, p.daemon_listen),
            (N::DaemonSftp, p.daemon_sftp),
        ] {
            if let Some(v) = v {
                q.value(col, v);
            }
        }
        if let Some(v) = &p.daemon_base {
            q.value(N::DaemonBase, v.clone());
        }
        if let Some(v) = &p.daemon_token {
            q.value(N::DaemonToken, v.clone());
        }
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
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
