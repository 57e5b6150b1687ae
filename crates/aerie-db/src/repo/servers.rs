//! Servers, their variables and their transfers.
//!
//! A server row holds every column of Pterodactyl's `servers` table. Its variable values
//! live in `server_variables` (one row per egg variable the server has a value for); the
//! server's view of its egg's variables is the egg's variables left-joined with those
//! values, as Pterodactyl's `Server::variables()` relation does. Transfers between nodes
//! are `server_transfers` rows; one whose `successful` is still NULL is in progress.

use sea_query::{Alias, Expr, Order, Query, SimpleExpr};
use sqlx::any::AnyRow;

use super::eggs::EggVariable;
use super::partial_filter;
use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::migrations::{
    EggVariables as V, ServerTransfers as T, ServerVariables as SV, Servers as S,
};
use crate::{Db, DbError};

/// A game server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Server {
    /// Numeric id.
    pub id: i64,
    /// Id in an external system (billing), unique when set.
    pub external_id: Option<String>,
    /// UUID (v4).
    pub uuid: String,
    /// The first 8 characters of the UUID (Pterodactyl's `uuidShort`, the `identifier`).
    pub uuid_short: String,
    /// The node it runs on.
    pub node_id: i64,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `None`, `installing`, `install_failed`, `reinstall_failed`, `suspended`,
    /// `restoring_backup`.
    pub status: Option<String>,
    /// Skip the egg's install script.
    pub skip_scripts: bool,
    /// The owner.
    pub owner_id: i64,
    /// Memory limit in MB (0 = unlimited).
    pub memory: i64,
    /// Swap in MB (-1 = unlimited, 0 = none).
    pub swap: i64,
    /// Disk limit in MB (0 = unlimited).
    pub disk: i64,
    /// Block IO weight (10..1000).
    pub io: i64,
    /// CPU limit in percent of one thread (0 = unlimited).
    pub cpu: i64,
    /// CPU pinning (`0-1,3`), `None` = any.
    pub threads: Option<String>,
    /// Whether the OOM killer is disabled.
    pub oom_disabled: bool,
    /// The primary allocation.
    pub allocation_id: i64,
    /// The egg's nest.
    pub nest_id: i64,
    /// The egg.
    pub egg_id: i64,
    /// The startup command.
    pub startup: String,
    /// The Docker image.
    pub image: String,
    /// How many allocations the owner may add (`None` = Pterodactyl's null).
    pub allocation_limit: Option<i64>,
    /// How many databases the owner may create.
    pub database_limit: i64,
    /// How many backups the owner may keep.
    pub backup_limit: i64,
    /// When the install finished (RFC 3339).
    pub installed_at: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Updated (RFC 3339).
    pub updated_at: String,
}

impl Server {
    /// Pterodactyl's `isSuspended()`.
    pub fn is_suspended(&self) -> bool {
        self.status.as_deref() == Some(STATUS_SUSPENDED)
    }

    /// Pterodactyl's `isInstalled()`: not installing and the install did not fail.
    pub fn is_installed(&self) -> bool {
        !matches!(
            self.status.as_deref(),
            Some(STATUS_INSTALLING | STATUS_INSTALL_FAILED)
        )
    }
}

/// `status` while the install script runs.
pub const STATUS_INSTALLING: &str = "installing";
/// `status` after a failed install.
pub const STATUS_INSTALL_FAILED: &str = "install_failed";
/// `status` after a failed reinstall.
pub const STATUS_REINSTALL_FAILED: &str = "reinstall_failed";
/// `status` of a suspended server.
pub const STATUS_SUSPENDED: &str = "suspended";
/// `status` while a backup is restored.
pub const STATUS_RESTORING_BACKUP: &str = "restoring_backup";

/// Fields of a new server (ids and timestamps are set by the repository).
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct NewServer {
    pub external_id: Option<String>,
    pub uuid: String,
    pub uuid_short: String,
    pub node_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: Option<String>,
    pub skip_scripts: bool,
    pub owner_id: i64,
    pub memory: i64,
    pub swap: i64,
    pub disk: i64,
    pub io: i64,
    pub cpu: i64,
    pub threads: Option<String>,
    pub oom_disabled: bool,
    pub allocation_id: i64,
    pub nest_id: i64,
    pub egg_id: i64,
    pub startup: String,
    pub image: String,
    pub allocation_limit: Option<i64>,
    pub database_limit: i64,
    pub backup_limit: i64,
}

/// Changes to a server; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct ServerPatch {
    pub external_id: Option<Option<String>>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_id: Option<i64>,
    pub status: Option<Option<String>>,
    pub skip_scripts: Option<bool>,
    pub memory: Option<i64>,
    pub swap: Option<i64>,
    pub disk: Option<i64>,
    pub io: Option<i64>,
    pub cpu: Option<i64>,
    pub threads: Option<Option<String>>,
    pub oom_disabled: Option<bool>,
    pub allocation_id: Option<i64>,
    pub nest_id: Option<i64>,
    pub egg_id: Option<i64>,
    pub startup: Option<String>,
    pub image: Option<String>,
    pub allocation_limit: Option<Option<i64>>,
    pub database_limit: Option<i64>,
    pub backup_limit: Option<i64>,
    pub installed_at: Option<Option<String>>,
    pub node_id: Option<i64>,
}

/// The application API's `filter[...]` values for servers: partial, case-insensitive
/// matches (a comma-separated value matches any of its parts).
#[derive(Debug, Clone, Default)]
pub struct ServerFilter {
    /// `filter[uuid]`.
    pub uuid: Option<String>,
    /// `filter[uuidShort]`.
    pub uuid_short: Option<String>,
    /// `filter[name]`.
    pub name: Option<String>,
    /// `filter[description]`.
    pub description: Option<String>,
    /// `filter[image]`.
    pub image: Option<String>,
    /// `filter[external_id]`.
    pub external_id: Option<String>,
}

/// A column servers can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSort {
    /// `sort=id`.
    Id,
    /// `sort=uuid`.
    Uuid,
}

/// One page of a filtered, sorted server list.
#[derive(Debug, Clone, Default)]
pub struct ServerListQuery {
    /// Filters, all of which must match.
    pub filter: ServerFilter,
    /// Sort column and whether it is descending; `None` is ascending id.
    pub sort: Option<(ServerSort, bool)>,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// A stored value of one egg variable for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVariable {
    /// Id.
    pub id: i64,
    /// The server.
    pub server_id: i64,
    /// The egg variable.
    pub variable_id: i64,
    /// The value (`None` when stored as NULL).
    pub variable_value: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Updated (RFC 3339).
    pub updated_at: String,
}

/// One variable of a server's egg with the server's value, if it has one (Pterodactyl's
/// `Server::variables()`: `egg_variables.*` plus `server_value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVariableView {
    /// The egg variable.
    pub variable: EggVariable,
    /// The server's value; `None` when the server has no row for it.
    pub server_value: Option<String>,
}

impl ServerVariableView {
    /// What the container sees: the server's value, else the egg's default.
    pub fn effective_value(&self) -> Option<&str> {
        self.server_value
            .as_deref()
            .or(self.variable.default_value.as_deref())
    }
}

/// A move of a server to another node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ServerTransfer {
    pub id: i64,
    pub server_id: i64,
    /// `None` while in progress.
    pub successful: Option<bool>,
    pub old_node: i64,
    pub new_node: i64,
    pub old_allocation: i64,
    pub new_allocation: i64,
    /// JSON array of allocation ids.
    pub old_additional_allocations: Option<String>,
    /// JSON array of allocation ids.
    pub new_additional_allocations: Option<String>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// Fields of a new transfer.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct NewServerTransfer {
    pub server_id: i64,
    pub old_node: i64,
    pub new_node: i64,
    pub old_allocation: i64,
    pub new_allocation: i64,
    pub old_additional_allocations: Vec<i64>,
    pub new_additional_allocations: Vec<i64>,
}

const COLS: [S; 28] = [
    S::Id,
    S::ExternalId,
    S::Uuid,
    S::UuidShort,
    S::NodeId,
    S::Name,
    S::Description,
    S::Status,
    S::SkipScripts,
    S::OwnerId,
    S::Memory,
    S::Swap,
    S::Disk,
    S::Io,
    S::Cpu,
    S::Threads,
    S::OomDisabled,
    S::AllocationId,
    S::NestId,
    S::EggId,
    S::Startup,
    S::Image,
    S::AllocationLimit,
    S::DatabaseLimit,
    S::BackupLimit,
    S::InstalledAt,
    S::CreatedAt,
    S::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<Server, DbError> {
    Ok(Server {
        id: get_i64(r, "id")?,
        external_id: get_opt_str(r, "external_id")?,
        uuid: get_str(r, "uuid")?,
        uuid_short: get_str(r, "uuid_short")?,
        node_id: get_i64(r, "node_id")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        status: get_opt_str(r, "status")?,
        skip_scripts: get_bool(r, "skip_scripts")?,
        owner_id: get_i64(r, "owner_id")?,
        memory: get_i64(r, "memory")?,
        swap: get_i64(r, "swap")?,
        disk: get_i64(r, "disk")?,
        io: get_i64(r, "io")?,
        cpu: get_i64(r, "cpu")?,
        threads: get_opt_str(r, "threads")?,
        oom_disabled: get_bool(r, "oom_disabled")?,
        allocation_id: get_i64(r, "allocation_id")?,
        nest_id: get_i64(r, "nest_id")?,
        egg_id: get_i64(r, "egg_id")?,
        startup: get_str(r, "startup")?,
        image: get_str(r, "image")?,
        allocation_limit: get_opt_i64(r, "allocation_limit")?,
        database_limit: get_i64(r, "database_limit")?,
        backup_limit: get_i64(r, "backup_limit")?,
        installed_at: get_opt_str(r, "installed_at")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn get_opt_i64(r: &AnyRow, col: &str) -> Result<Option<i64>, DbError> {
    use sqlx::Row;
    Ok(r.try_get::<Option<i64>, _>(col)?)
}

const SV_COLS: [SV; 6] = [
    SV::Id,
    SV::ServerId,
    SV::VariableId,
    SV::VariableValue,
    SV::CreatedAt,
    SV::UpdatedAt,
];

fn sv_from_row(r: &AnyRow) -> Result<ServerVariable, DbError> {
    Ok(ServerVariable {
        id: get_i64(r, "id")?,
        server_id: get_i64(r, "server_id")?,
        variable_id: get_i64(r, "variable_id")?,
        variable_value: get_opt_str(r, "variable_value")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

const T_COLS: [T; 12] = [
    T::Id,
    T::ServerId,
    T::Successful,
    T::OldNode,
    T::NewNode,
    T::OldAllocation,
    T::NewAllocation,
    T::OldAdditionalAllocations,
    T::NewAdditionalAllocations,
    T::Archived,
    T::CreatedAt,
    T::UpdatedAt,
];

fn t_from_row(r: &AnyRow) -> Result<ServerTransfer, DbError> {
    Ok(ServerTransfer {
        id: get_i64(r, "id")?,
        server_id: get_i64(r, "server_id")?,
        successful: get_opt_i64(r, "successful")?.map(|v| v != 0),
        old_node: get_i64(r, "old_node")?,
        new_node: get_i64(r, "new_node")?,
        old_allocation: get_i64(r, "old_allocation")?,
        new_allocation: get_i64(r, "new_allocation")?,
        old_additional_allocations: get_opt_str(r, "old_additional_allocations")?,
        new_additional_allocations: get_opt_str(r, "new_additional_allocations")?,
        archived: get_bool(r, "archived")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// The servers repository.
pub struct ServerRepo<'a>(&'a Db);

impl Db {
    /// Servers, their variables and transfers.
    pub fn servers(&self) -> ServerRepo<'_> {
        ServerRepo(self)
    }
}

impl ServerRepo<'_> {
    /// Inserts a server and returns it. A taken `uuid`, `uuid_short` or `external_id` is a
    /// [`DbError::Unique`] naming the constraint.
    pub async fn create(&self, n: &NewServer) -> Result<Server, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(S::Table)
            .columns([
                S::ExternalId,
                S::Uuid,
                S::UuidShort,
                S::NodeId,
                S::Name,
                S::Description,
                S::Status,
                S::SkipScripts,
                S::OwnerId,
                S::Memory,
                S::Swap,
                S::Disk,
                S::Io,
                S::Cpu,
                S::Threads,
                S::OomDisabled,
                S::AllocationId,
                S::NestId,
                S::EggId,
                S::Startup,
                S::Image,
                S::AllocationLimit,
                S::DatabaseLimit,
                S::BackupLimit,
                S::CreatedAt,
                S::UpdatedAt,
            ])
            .values_panic([
                n.external_id.clone().into(),
                n.uuid.clone().into(),
                n.uuid_short.clone().into(),
                n.node_id.into(),
                n.name.clone().into(),
                n.description.clone().into(),
                n.status.clone().into(),
                i64::from(n.skip_scripts).into(),
                n.owner_id.into(),
                n.memory.into(),
                n.swap.into(),
                n.disk.into(),
                n.io.into(),
                n.cpu.into(),
                n.threads.clone().into(),
                i64::from(n.oom_disabled).into(),
                n.allocation_id.into(),
                n.nest_id.into(),
                n.egg_id.into(),
                n.startup.clone().into(),
                n.image.clone().into(),
                n.allocation_limit.into(),
                n.database_limit.into(),
                n.backup_limit.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted server vanished".into()))
    }

    async fn find_where(&self, cond: SimpleExpr) -> Result<Option<Server>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(cond)
            .limit(1)
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Server>, DbError> {
        self.find_where(Expr::col(S::Id).eq(id)).await
    }

    /// By full UUID.
    pub async fn find_by_uuid(&self, uuid: &str) -> Result<Option<Server>, DbError> {
        self.find_where(Expr::col(S::Uuid).eq(uuid)).await
    }

    /// By the 8-character short UUID.
    pub async fn find_by_uuid_short(&self, short: &str) -> Result<Option<Server>, DbError> {
        self.find_where(Expr::col(S::UuidShort).eq(short)).await
    }

    /// By full UUID or short UUID, as the client API and SFTP name servers.
    pub async fn find_by_identifier(&self, ident: &str) -> Result<Option<Server>, DbError> {
        if ident.len() == 8 {
            self.find_by_uuid_short(ident).await
        } else {
            self.find_by_uuid(ident).await
        }
    }

    /// By external id (exact).
    pub async fn find_by_external_id(&self, external_id: &str) -> Result<Option<Server>, DbError> {
        self.find_where(Expr::col(S::ExternalId).eq(external_id))
            .await
    }

    /// Servers with these ids, ascending by id (missing ids are skipped).
    pub async fn find_many(&self, ids: &[i64]) -> Result<Vec<Server>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::Id).is_in(ids.iter().copied()))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Every server on node `node_id`, ascending by id.
    pub async fn list_by_node(&self, node_id: i64) -> Result<Vec<Server>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::NodeId).eq(node_id))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// A page of node `node_id`'s servers (ascending id) and how many it has in all, for
    /// wings' paginated `GET /api/remote/servers`.
    pub async fn page_by_node(
        &self,
        node_id: i64,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Server>, i64), DbError> {
        let total = self
            .0
            .count(
                &Query::select()
                    .expr(Expr::col(S::Id).count())
                    .from(S::Table)
                    .and_where(Expr::col(S::NodeId).eq(node_id))
                    .to_owned(),
            )
            .await?;
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::NodeId).eq(node_id))
            .order_by(S::Id, Order::Asc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        let rows = self.0.fetch_all(&q).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Whether a server already has this UUID or short UUID.
    pub async fn uuid_taken(&self, uuid: &str, uuid_short: &str) -> Result<bool, DbError> {
        let q = Query::select()
            .expr(Expr::col(S::Id).count())
            .from(S::Table)
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(S::Uuid).eq(uuid))
                    .add(Expr::col(S::UuidShort).eq(uuid_short)),
            )
            .to_owned();
        Ok(self.0.count(&q).await? > 0)
    }

    /// A filtered, sorted page of servers and the number matching the filters.
    pub async fn search(&self, query: &ServerListQuery) -> Result<(Vec<Server>, i64), DbError> {
        let mut base = Query::select();
        base.from(S::Table);
        let f = &query.filter;
        partial_filter(&mut base, S::Uuid, f.uuid.as_deref());
        partial_filter(&mut base, S::UuidShort, f.uuid_short.as_deref());
        partial_filter(&mut base, S::Name, f.name.as_deref());
        partial_filter(&mut base, S::Description, f.description.as_deref());
        partial_filter(&mut base, S::Image, f.image.as_deref());
        partial_filter(&mut base, S::ExternalId, f.external_id.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(S::Id).count());
        let total = self.0.count(&count).await?;

        let mut page = base;
        page.columns(COLS);
        match query.sort {
            Some((ServerSort::Uuid, desc)) => {
                page.order_by(S::Uuid, if desc { Order::Desc } else { Order::Asc });
                page.order_by(S::Id, Order::Asc);
            }
            Some((ServerSort::Id, true)) => {
                page.order_by(S::Id, Order::Desc);
            }
            Some((ServerSort::Id, false)) | None => {
                page.order_by(S::Id, Order::Asc);
            }
        }
        page.limit(query.limit).offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Applies a patch; returns the updated server, or `None` when it does not exist.
    pub async fn update(&self, id: i64, p: &ServerPatch) -> Result<Option<Server>, DbError> {
        let mut q = Query::update();
        q.table(S::Table)
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::Id).eq(id));
        if let Some(v) = &p.external_id {
            q.value(S::ExternalId, v.clone());
        }
        if let Some(v) = &p.name {
            q.value(S::Name, v.clone());
        }
        if let Some(v) = &p.description {
            q.value(S::Description, v.clone());
        }
        if let Some(v) = p.owner_id {
            q.value(S::OwnerId, v);
        }
        if let Some(v) = &p.status {
            q.value(S::Status, v.clone());
        }
        if let Some(v) = p.skip_scripts {
            q.value(S::SkipScripts, i64::from(v));
        }
        if let Some(v) = p.memory {
            q.value(S::Memory, v);
        }
        if let Some(v) = p.swap {
            q.value(S::Swap, v);
        }
        if let Some(v) = p.disk {
            q.value(S::Disk, v);
        }
        if let Some(v) = p.io {
            q.value(S::Io, v);
        }
        if let Some(v) = p.cpu {
            q.value(S::Cpu, v);
        }
        if let Some(v) = &p.threads {
            q.value(S::Threads, v.clone());
        }
        if let Some(v) = p.oom_disabled {
            q.value(S::OomDisabled, i64::from(v));
        }
        if let Some(v) = p.allocation_id {
            q.value(S::AllocationId, v);
        }
        if let Some(v) = p.nest_id {
            q.value(S::NestId, v);
        }
        if let Some(v) = p.egg_id {
            q.value(S::EggId, v);
        }
        if let Some(v) = &p.startup {
            q.value(S::Startup, v.clone());
        }
        if let Some(v) = &p.image {
            q.value(S::Image, v.clone());
        }
        if let Some(v) = p.allocation_limit {
            q.value(S::AllocationLimit, v);
        }
        if let Some(v) = p.database_limit {
            q.value(S::DatabaseLimit, v);
        }
        if let Some(v) = p.backup_limit {
            q.value(S::BackupLimit, v);
        }
        if let Some(v) = &p.installed_at {
            q.value(S::InstalledAt, v.clone());
        }
        if let Some(v) = p.node_id {
            q.value(S::NodeId, v);
        }
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
    }

    /// Sets `status` (`None` clears it); `false` when the server does not exist.
    pub async fn set_status(&self, id: i64, status: Option<&str>) -> Result<bool, DbError> {
        let q = Query::update()
            .table(S::Table)
            .value(S::Status, status.map(str::to_owned))
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Sets `status` only while it is still `expected` (compare-and-set, so two requests
    /// cannot both move a server out of the same state); `true` when it changed.
    pub async fn set_status_if(
        &self,
        id: i64,
        expected: Option<&str>,
        status: Option<&str>,
    ) -> Result<bool, DbError> {
        let mut q = Query::update();
        q.table(S::Table)
            .value(S::Status, status.map(str::to_owned))
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::Id).eq(id));
        match expected {
            Some(e) => q.and_where(Expr::col(S::Status).eq(e)),
            None => q.and_where(Expr::col(S::Status).is_null()),
        };
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Deletes a server row; its variables, subusers, schedules, backups and transfers go
    /// with it (cascades). Free its allocations and remove its databases first.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    // ---- variables ---------------------------------------------------------------------

    /// The server's stored variable rows, ascending by id.
    pub async fn variable_values(&self, server_id: i64) -> Result<Vec<ServerVariable>, DbError> {
        self.variable_values_of(&[server_id]).await
    }

    /// The stored variable rows of any of `server_ids`, ascending by id.
    pub async fn variable_values_of(
        &self,
        server_ids: &[i64],
    ) -> Result<Vec<ServerVariable>, DbError> {
        if server_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(SV_COLS)
            .from(SV::Table)
            .and_where(Expr::col(SV::ServerId).is_in(server_ids.iter().copied()))
            .order_by(SV::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(sv_from_row)
            .collect()
    }

    /// The variables of egg `egg_id` with server `server_id`'s values (egg variables
    /// left-joined with the server's rows), in display order (`sort`, then id).
    pub async fn variables(
        &self,
        server_id: i64,
        egg_id: i64,
    ) -> Result<Vec<ServerVariableView>, DbError> {
        let sv = Alias::new("sv");
        let q = Query::select()
            .columns([
                (V::Table, V::Id),
                (V::Table, V::EggId),
                (V::Table, V::Name),
                (V::Table, V::Description),
                (V::Table, V::EnvVariable),
                (V::Table, V::DefaultValue),
                (V::Table, V::UserViewable),
                (V::Table, V::UserEditable),
                (V::Table, V::Rules),
                (V::Table, V::Sort),
                (V::Table, V::CreatedAt),
                (V::Table, V::UpdatedAt),
            ])
            .expr_as(
                Expr::col((sv.clone(), SV::VariableValue)),
                Alias::new("server_value"),
            )
            .expr_as(Expr::col((sv.clone(), SV::Id)), Alias::new("server_row"))
            .from(V::Table)
            .join_as(
                sea_query::JoinType::LeftJoin,
                SV::Table,
                sv.clone(),
                Expr::col((sv.clone(), SV::VariableId))
                    .equals((V::Table, V::Id))
                    .and(Expr::col((sv.clone(), SV::ServerId)).eq(server_id)),
            )
            .and_where(Expr::col((V::Table, V::EggId)).eq(egg_id))
            .order_by((V::Table, V::Sort), Order::Asc)
            .order_by((V::Table, V::Id), Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                let variable = EggVariable {
                    id: get_i64(r, "id")?,
                    egg_id: get_i64(r, "egg_id")?,
                    name: get_str(r, "name")?,
                    description: get_opt_str(r, "description")?,
                    env_variable: get_str(r, "env_variable")?,
                    default_value: get_opt_str(r, "default_value")?,
                    user_viewable: get_bool(r, "user_viewable")?,
                    user_editable: get_bool(r, "user_editable")?,
                    rules: get_opt_str(r, "rules")?,
                    sort: get_i64(r, "sort")?,
                    created_at: get_str(r, "created_at")?,
                    updated_at: get_str(r, "updated_at")?,
                };
                let has_row = get_opt_i64(r, "server_row")?.is_some();
                // A row with a NULL value reads as "" (Pterodactyl stores `value ?? ''`).
                let server_value = if has_row {
                    Some(get_opt_str(r, "server_value")?.unwrap_or_default())
                } else {
                    None
                };
                Ok(ServerVariableView {
                    variable,
                    server_value,
                })
            })
            .collect()
    }

    /// Sets the server's value for each `(variable_id, value)`, inserting the rows that do
    /// not exist yet (Pterodactyl's `updateOrCreate`).
    pub async fn set_variables(
        &self,
        server_id: i64,
        values: &[(i64, String)],
    ) -> Result<(), DbError> {
        if values.is_empty() {
            return Ok(());
        }
        let existing: Vec<i64> = self
            .variable_values(server_id)
            .await?
            .into_iter()
            .map(|v| v.variable_id)
            .collect();
        let now = crate::now();
        for (variable_id, value) in values {
            if existing.contains(variable_id) {
                let q = Query::update()
                    .table(SV::Table)
                    .value(SV::VariableValue, value.clone())
                    .value(SV::UpdatedAt, now.clone())
                    .and_where(Expr::col(SV::ServerId).eq(server_id))
                    .and_where(Expr::col(SV::VariableId).eq(*variable_id))
                    .to_owned();
                self.0.execute(&q).await?;
            } else {
                let q = Query::insert()
                    .into_table(SV::Table)
                    .columns([
                        SV::ServerId,
                        SV::VariableId,
                        SV::VariableValue,
                        SV::CreatedAt,
                        SV::UpdatedAt,
                    ])
                    .values_panic([
                        server_id.into(),
                        (*variable_id).into(),
                        value.clone().into(),
                        now.clone().into(),
                        now.clone().into(),
                    ])
                    .to_owned();
                self.0.execute(&q).await?;
            }
        }
        Ok(())
    }

    /// Removes the server's values for variables that are not among `keep` (after an egg
    /// change, the old egg's values).
    pub async fn delete_variables_except(
        &self,
        server_id: i64,
        keep: &[i64],
    ) -> Result<u64, DbError> {
        let mut q = Query::delete();
        q.from_table(SV::Table)
            .and_where(Expr::col(SV::ServerId).eq(server_id));
        if !keep.is_empty() {
            q.and_where(Expr::col(SV::VariableId).is_not_in(keep.iter().copied()));
        }
        self.0.execute(&q).await
    }

    // ---- transfers ---------------------------------------------------------------------

    /// Records a transfer in progress.
    pub async fn create_transfer(&self, t: &NewServerTransfer) -> Result<ServerTransfer, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(T::Table)
            .columns([
                T::ServerId,
                T::OldNode,
                T::NewNode,
                T::OldAllocation,
                T::NewAllocation,
                T::OldAdditionalAllocations,
                T::NewAdditionalAllocations,
                T::Archived,
                T::CreatedAt,
                T::UpdatedAt,
            ])
            .values_panic([
                t.server_id.into(),
                t.old_node.into(),
                t.new_node.into(),
                t.old_allocation.into(),
                t.new_allocation.into(),
                ids_json(&t.old_additional_allocations).into(),
                ids_json(&t.new_additional_allocations).into(),
                0i64.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find_transfer(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted transfer vanished".into()))
    }

    /// A transfer by id.
    pub async fn find_transfer(&self, id: i64) -> Result<Option<ServerTransfer>, DbError> {
        let q = Query::select()
            .columns(T_COLS)
            .from(T::Table)
            .and_where(Expr::col(T::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(t_from_row)
            .transpose()
    }

    /// The server's transfer in progress (`successful IS NULL`), newest first.
    pub async fn active_transfer(&self, server_id: i64) -> Result<Option<ServerTransfer>, DbError> {
        let q = Query::select()
            .columns(T_COLS)
            .from(T::Table)
            .and_where(Expr::col(T::ServerId).eq(server_id))
            .and_where(Expr::col(T::Successful).is_null())
            .order_by(T::Id, Order::Desc)
            .limit(1)
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(t_from_row)
            .transpose()
    }

    /// Every transfer of the server, oldest first.
    pub async fn transfers(&self, server_id: i64) -> Result<Vec<ServerTransfer>, DbError> {
        let q = Query::select()
            .columns(T_COLS)
            .from(T::Table)
            .and_where(Expr::col(T::ServerId).eq(server_id))
            .order_by(T::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(t_from_row).collect()
    }

    /// Records a transfer's outcome; `false` when it does not exist or already has one (so
    /// of two racing callbacks only the first acts).
    pub async fn finish_transfer(&self, id: i64, successful: bool) -> Result<bool, DbError> {
        let q = Query::update()
            .table(T::Table)
            .value(T::Successful, i64::from(successful))
            .value(T::UpdatedAt, crate::now())
            .and_where(Expr::col(T::Id).eq(id))
            .and_where(Expr::col(T::Successful).is_null())
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Removes a transfer row (a transfer the source node refused to start); `false` when
    /// it does not exist.
    pub async fn delete_transfer(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(T::Table)
            .and_where(Expr::col(T::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Marks a transfer's archive as made; `false` when it does not exist.
    pub async fn set_transfer_archived(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::update()
            .table(T::Table)
            .value(T::Archived, 1i64)
            .value(T::UpdatedAt, crate::now())
            .and_where(Expr::col(T::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
