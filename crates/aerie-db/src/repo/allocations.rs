//! Node allocations (ip:port pairs) and their assignment to servers.
//!
//! An allocation belongs to one node and is free while `server_id` is NULL. The schema has a
//! unique index on `(node_id, ip, port)`; [`AllocationRepo::insert_ignore`] relies on it to
//! skip duplicates the way Pterodactyl's `INSERT IGNORE` does, without backend-specific SQL.
//! The `server_id` column has no foreign key (servers and allocations point at each other),
//! so whoever deletes a server releases its allocations with [`AllocationRepo::release_server`].

use sea_query::{Alias, Cond, Expr, Order, Query};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{get_i64, get_opt_str, get_str};
use crate::migrations::Allocations as A;
use crate::{Db, DbError};

/// One ip:port on a node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Allocation {
    /// Numeric id.
    pub id: i64,
    /// The node it belongs to.
    pub node_id: i64,
    /// The IP address the port is bound on.
    pub ip: String,
    /// A display alias for the IP (shown to users instead of it).
    pub ip_alias: Option<String>,
    /// The port.
    pub port: i64,
    /// The server using it, `None` while free.
    pub server_id: Option<i64>,
    /// Notes the server's users wrote.
    pub notes: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last update (RFC 3339).
    pub updated_at: String,
}

const COLS: [A; 9] = [
    A::Id,
    A::NodeId,
    A::Ip,
    A::IpAlias,
    A::Port,
    A::ServerId,
    A::Notes,
    A::CreatedAt,
    A::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<Allocation, DbError> {
    Ok(Allocation {
        id: get_i64(r, "id")?,
        node_id: get_i64(r, "node_id")?,
        ip: get_str(r, "ip")?,
        ip_alias: get_opt_str(r, "ip_alias")?,
        port: get_i64(r, "port")?,
        server_id: r
            .try_get::<Option<i64>, _>("server_id")
            .map_err(DbError::from)?,
        notes: get_opt_str(r, "notes")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// How `filter[server_id]` narrows a list (Pterodactyl's callback filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerFilter {
    /// `server_id IS NULL`: free allocations (the value was empty or not a number).
    Unassigned,
    /// `server_id = id`.
    Server(i64),
}

/// The application API's `filter[...]` values for a node's allocations.
#[derive(Debug, Clone, Default)]
pub struct AllocationFilter {
    /// `filter[ip]`: exact; a comma-separated value matches any of its parts.
    pub ip: Option<String>,
    /// `filter[port]`: exact; a comma-separated value matches any of its parts.
    pub port: Option<String>,
    /// `filter[ip_alias]`: partial, case-insensitive.
    pub ip_alias: Option<String>,
    /// `filter[server_id]`.
    pub server_id: Option<ServerFilter>,
}

/// One page of a node's allocations.
#[derive(Debug, Clone, Default)]
pub struct AllocationListQuery {
    /// Filters, all of which must match.
    pub filter: AllocationFilter,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// An inclusive range of ports (`start == end` for a single port).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// First port.
    pub start: i64,
    /// Last port, inclusive.
    pub end: i64,
}

/// Rows per multi-row INSERT: 7 bound values each stays far below every backend's limit.
const INSERT_CHUNK: usize = 100;

/// Values per `IN (...)` list when looking up existing ports.
const LOOKUP_CHUNK: usize = 500;

/// The allocations repository.
pub struct AllocationRepo<'a>(&'a Db);

impl Db {
    /// Allocations.
    pub fn allocations(&self) -> AllocationRepo<'_> {
        AllocationRepo(self)
    }
}

impl AllocationRepo<'_> {
    /// Adds `ports` on `ip` to node `node_id` with the alias `ip_alias`, skipping every port
    /// the node already has on that IP (Pterodactyl's `insertIgnore`). Returns how many rows
    /// were inserted.
    ///
    /// Existing ports are looked up first and the rest inserted in batches; a batch that
    /// still hits the unique index (a concurrent insert) is retried row by row, ignoring
    /// the duplicates. This keeps the statement plain SQL on every backend.
    pub async fn insert_ignore(
        &self,
        node_id: i64,
        ip: &str,
        ip_alias: Option<&str>,
        ports: &[i64],
    ) -> Result<u64, DbError> {
        let mut wanted: Vec<i64> = ports.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut existing: Vec<i64> = Vec::new();
        for chunk in wanted.chunks(LOOKUP_CHUNK) {
            let q = Query::select()
                .column(A::Port)
                .from(A::Table)
                .and_where(Expr::col(A::NodeId).eq(node_id))
                .and_where(Expr::col(A::Ip).eq(ip))
                .and_where(Expr::col(A::Port).is_in(chunk.iter().copied()))
                .to_owned();
            for row in self.0.fetch_all(&q).await? {
                existing.push(get_i64(&row, "port")?);
            }
        }
        existing.sort_unstable();
        let fresh: Vec<i64> = wanted
            .into_iter()
            .filter(|p| existing.binary_search(p).is_err())
            .collect();

        let now = crate::now();
        let mut inserted = 0;
        for chunk in fresh.chunks(INSERT_CHUNK) {
            let stmt = insert_stmt(node_id, ip, ip_alias, chunk, &now);
            match self.0.execute(&stmt).await {
                Ok(n) => inserted += n,
                Err(DbError::Unique { .. }) => {
                    for port in chunk {
                        let one = insert_stmt(node_id, ip, ip_alias, &[*port], &now);
                        match self.0.execute(&one).await {
                            Ok(n) => inserted += n,
                            Err(DbError::Unique { .. }) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(inserted)
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Allocation>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By id, only when it belongs to node `node_id`.
    pub async fn find_on_node(&self, node_id: i64, id: i64) -> Result<Option<Allocation>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::Id).eq(id))
            .and_where(Expr::col(A::NodeId).eq(node_id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Allocations with these ids, ascending by id (missing ids are skipped).
    pub async fn find_many(&self, ids: &[i64]) -> Result<Vec<Allocation>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::Id).is_in(ids.iter().copied()))
            .order_by(A::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The free (unassigned) allocations among `ids`, ascending by id. Compare the length
    /// with `ids` to find out whether any was missing or taken.
    pub async fn find_unassigned(&self, ids: &[i64]) -> Result<Vec<Allocation>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::Id).is_in(ids.iter().copied()))
            .and_where(Expr::col(A::ServerId).is_null())
            .order_by(A::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// A filtered page of node `node_id`'s allocations (ascending id) and the number of
    /// allocations matching the filters.
    pub async fn list_by_node(
        &self,
        node_id: i64,
        query: &AllocationListQuery,
    ) -> Result<(Vec<Allocation>, i64), DbError> {
        let mut base = Query::select();
        base.from(A::Table)
            .and_where(Expr::col(A::NodeId).eq(node_id));
        let f = &query.filter;
        if let Some(ip) = f.ip.as_deref() {
            let parts = split_parts(ip);
            if !parts.is_empty() {
                base.and_where(Expr::col(A::Ip).is_in(parts));
            }
        }
        if let Some(port) = f.port.as_deref() {
            let parts = split_parts(port);
            if !parts.is_empty() {
                // An exact match against a non-number matches nothing, as it would in SQL.
                let ports: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
                if ports.is_empty() {
                    base.and_where(Expr::val(1).eq(0));
                } else {
                    base.and_where(Expr::col(A::Port).is_in(ports));
                }
            }
        }
        super::partial_filter(&mut base, A::IpAlias, f.ip_alias.as_deref());
        match f.server_id {
            Some(ServerFilter::Unassigned) => {
                base.and_where(Expr::col(A::ServerId).is_null());
            }
            Some(ServerFilter::Server(id)) => {
                base.and_where(Expr::col(A::ServerId).eq(id));
            }
            None => {}
        }

        let mut count = base.clone();
        count.expr(Expr::col(A::Id).count());
        let total = self.0.count(&count).await?;

        let mut page = base;
        page.columns(COLS)
            .order_by(A::Id, Order::Asc)
            .limit(query.limit)
            .offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Every allocation of the given nodes, ascending by id (for `include=allocations`).
    pub async fn list_by_nodes(&self, node_ids: &[i64]) -> Result<Vec<Allocation>, DbError> {
        if node_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::NodeId).is_in(node_ids.iter().copied()))
            .order_by(A::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// The allocations assigned to server `server_id`, ascending by id.
    pub async fn list_by_server(&self, server_id: i64) -> Result<Vec<Allocation>, DbError> {
        self.list_by_servers(&[server_id]).await
    }

    /// The allocations assigned to any of `server_ids`, ascending by id.
    pub async fn list_by_servers(&self, server_ids: &[i64]) -> Result<Vec<Allocation>, DbError> {
        if server_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::ServerId).is_in(server_ids.iter().copied()))
            .order_by(A::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Number of allocations assigned to server `server_id`.
    pub async fn count_by_server(&self, server_id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(A::Id).count())
                    .from(A::Table)
                    .and_where(Expr::col(A::ServerId).eq(server_id))
                    .to_owned(),
            )
            .await
    }

    /// Assigns the still-free allocations among `ids` to `server_id`; allocations already
    /// taken (by any server) are left alone. Returns how many were assigned, so a caller
    /// that needs all of them can compare with `ids.len()`.
    pub async fn assign(&self, ids: &[i64], server_id: i64) -> Result<u64, DbError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let q = Query::update()
            .table(A::Table)
            .value(A::ServerId, server_id)
            .value(A::UpdatedAt, crate::now())
            .and_where(Expr::col(A::Id).is_in(ids.iter().copied()))
            .and_where(Expr::col(A::ServerId).is_null())
            .to_owned();
        self.0.execute(&q).await
    }

    /// Frees the allocations among `ids` that belong to `server_id`, clearing their notes
    /// (Pterodactyl's build modification does the same). Returns how many were freed.
    pub async fn unassign(&self, server_id: i64, ids: &[i64]) -> Result<u64, DbError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let q = Query::update()
            .table(A::Table)
            .value(A::ServerId, Option::<i64>::None)
            .value(A::Notes, Option::<String>::None)
            .value(A::UpdatedAt, crate::now())
            .and_where(Expr::col(A::Id).is_in(ids.iter().copied()))
            .and_where(Expr::col(A::ServerId).eq(server_id))
            .to_owned();
        self.0.execute(&q).await
    }

    /// Frees every allocation of `server_id` (when the server is deleted), clearing notes.
    pub async fn release_server(&self, server_id: i64) -> Result<u64, DbError> {
        let q = Query::update()
            .table(A::Table)
            .value(A::ServerId, Option::<i64>::None)
            .value(A::Notes, Option::<String>::None)
            .value(A::UpdatedAt, crate::now())
            .and_where(Expr::col(A::ServerId).eq(server_id))
            .to_owned();
        self.0.execute(&q).await
    }

    /// Sets the notes of allocation `id`; `false` when it does not exist.
    pub async fn set_notes(&self, id: i64, notes: Option<&str>) -> Result<bool, DbError> {
        let q = Query::update()
            .table(A::Table)
            .value(A::Notes, notes.map(str::to_owned))
            .value(A::UpdatedAt, crate::now())
            .and_where(Expr::col(A::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Deletes allocation `id` unless a server uses it. `false` when nothing was deleted
    /// (it does not exist or is assigned).
    pub async fn delete_unassigned(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(A::Table)
            .and_where(Expr::col(A::Id).eq(id))
            .and_where(Expr::col(A::ServerId).is_null())
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// The free allocations of node `node_id`, ascending by id, optionally only on `ip` and
    /// only with a port in `range` (the client API's automatic assignment looks for one on
    /// the server's primary IP within the configured range).
    pub async fn free_on_node(
        &self,
        node_id: i64,
        ip: Option<&str>,
        range: Option<PortRange>,
    ) -> Result<Vec<Allocation>, DbError> {
        let mut q = Query::select();
        q.columns(COLS)
            .from(A::Table)
            .and_where(Expr::col(A::NodeId).eq(node_id))
            .and_where(Expr::col(A::ServerId).is_null());
        if let Some(ip) = ip {
            q.and_where(Expr::col(A::Ip).eq(ip));
        }
        if let Some(r) = range {
            q.and_where(Expr::col(A::Port).gte(r.start.min(r.end)))
                .and_where(Expr::col(A::Port).lte(r.start.max(r.end)));
        }
        q.order_by(A::Id, Order::Asc);
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Every port node `node_id` already has on `ip` within `range` (assigned or not),
    /// ascending, so a caller can find a port that is still unused there.
    pub async fn ports_in_use(
        &self,
        node_id: i64,
        ip: &str,
        range: PortRange,
    ) -> Result<Vec<i64>, DbError> {
        let q = Query::select()
            .column(A::Port)
            .from(A::Table)
            .and_where(Expr::col(A::NodeId).eq(node_id))
            .and_where(Expr::col(A::Ip).eq(ip))
            .and_where(Expr::col(A::Port).gte(range.start.min(range.end)))
            .and_where(Expr::col(A::Port).lte(range.start.max(range.end)))
            .order_by(A::Port, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| get_i64(r, "port"))
            .collect()
    }

    /// The ids of the free allocations a deployment may pick, ascending: unassigned, on one
    /// of `node_ids` (any node when empty), with a port in one of `ports` (any port when
    /// empty). With `dedicated`, an IP of a node where any allocation is already assigned is
    /// skipped entirely (Pterodactyl's `dedicated_ip`).
    pub async fn deployable_ids(
        &self,
        node_ids: &[i64],
        dedicated: bool,
        ports: &[PortRange],
    ) -> Result<Vec<i64>, DbError> {
        let mut q = Query::select();
        q.column((A::Table, A::Id))
            .from(A::Table)
            .and_where(Expr::col((A::Table, A::ServerId)).is_null());
        if !node_ids.is_empty() {
            q.and_where(Expr::col((A::Table, A::NodeId)).is_in(node_ids.iter().copied()));
        }
        if !ports.is_empty() {
            let mut any = Cond::any();
            for r in ports {
                any = if r.start == r.end {
                    any.add(Expr::col((A::Table, A::Port)).eq(r.start))
                } else {
                    any.add(
                        Expr::col((A::Table, A::Port))
                            .gte(r.start.min(r.end))
                            .and(Expr::col((A::Table, A::Port)).lte(r.start.max(r.end))),
                    )
                };
            }
            q.cond_where(any);
        }
        if dedicated {
            let taken = Alias::new("taken");
            let sub = Query::select()
                .expr(Expr::val(1))
                .from_as(A::Table, taken.clone())
                .and_where(Expr::col((taken.clone(), A::NodeId)).equals((A::Table, A::NodeId)))
                .and_where(Expr::col((taken.clone(), A::Ip)).equals((A::Table, A::Ip)))
                .and_where(Expr::col((taken, A::ServerId)).is_not_null())
                .to_owned();
            q.and_where(Expr::exists(sub).not());
        }
        q.order_by((A::Table, A::Id), Order::Asc);
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| get_i64(r, "id"))
            .collect()
    }
}

fn insert_stmt(
    node_id: i64,
    ip: &str,
    ip_alias: Option<&str>,
    ports: &[i64],
    now: &str,
) -> sea_query::InsertStatement {
    let mut stmt = Query::insert();
    stmt.into_table(A::Table).columns([
        A::NodeId,
        A::Ip,
        A::IpAlias,
        A::Port,
        A::ServerId,
        A::CreatedAt,
        A::UpdatedAt,
    ]);
    for port in ports {
        stmt.values_panic([
            node_id.into(),
            ip.into(),
            ip_alias.map(str::to_owned).into(),
            (*port).into(),
            Option::<i64>::None.into(),
            now.into(),
            now.into(),
        ]);
    }
    stmt
}

/// Comma-separated parts of an exact filter value, trimmed, without empties.
fn split_parts(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}
