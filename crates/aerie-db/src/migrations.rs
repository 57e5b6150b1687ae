//! The one set of migrations, written once with sea-query's schema builder and rendered for
//! whichever backend is connected. A migration, once landed, is never edited: add a new one.
//!
//! Each migration runs in a transaction where the backend allows transactional DDL
//! (SQLite, PostgreSQL); MySQL commits DDL implicitly, so a failed MySQL migration can leave
//! a partial state, which the error message says.

use sea_query::{
    ColumnDef, ForeignKey, ForeignKeyAction, Iden, Index, IndexCreateStatement, MysqlQueryBuilder,
    PostgresQueryBuilder, SqliteQueryBuilder, Table, TableAlterStatement, TableCreateStatement,
};
use sqlx::{Executor, Row};

use crate::{Backend, Db, DbError};

mod m0002;
mod m0003;
mod m0004;
pub(crate) use m0002::{
    ActivityLogs, Allocations, Backups, DatabaseHosts, Databases, EggMount, EggVariables, Eggs,
    MountNode, MountServer, Mounts, Nests, Schedules, ServerTransfers, ServerVariables, Servers,
    Subusers, Tasks, UserSshKeys,
};
pub(crate) use m0003::{PasswordResets, RecoveryTokens, Sessions};

/// One schema statement.
pub enum Ddl {
    /// CREATE TABLE.
    Table(TableCreateStatement),
    /// CREATE INDEX.
    Index(IndexCreateStatement),
    /// ALTER TABLE, one change per statement (all SQLite allows).
    Alter(TableAlterStatement),
}

impl Ddl {
    fn render(&self, backend: Backend) -> String {
        match (self, backend) {
            (Ddl::Table(t), Backend::Sqlite) => t.to_string(SqliteQueryBuilder),
            (Ddl::Table(t), Backend::Postgres) => t.to_string(PostgresQueryBuilder),
            (Ddl::Table(t), Backend::MySql) => t.to_string(MysqlQueryBuilder),
            (Ddl::Index(i), Backend::Sqlite) => i.to_string(SqliteQueryBuilder),
            (Ddl::Index(i), Backend::Postgres) => i.to_string(PostgresQueryBuilder),
            (Ddl::Index(i), Backend::MySql) => i.to_string(MysqlQueryBuilder),
            (Ddl::Alter(a), Backend::Sqlite) => a.to_string(SqliteQueryBuilder),
            (Ddl::Alter(a), Backend::Postgres) => a.to_string(PostgresQueryBuilder),
            (Ddl::Alter(a), Backend::MySql) => a.to_string(MysqlQueryBuilder),
        }
    }
}

/// A numbered migration.
pub struct Migration {
    /// Strictly increasing number.
    pub version: i64,
    /// Short description, recorded with the version.
    pub name: &'static str,
    /// The statements, in order.
    pub up: fn() -> Vec<Ddl>,
}

/// Every migration, oldest first.
pub fn all() -> Vec<Migration> {
    vec![
        Migration {
            version: 1,
            name: "accounts_keys_locations_nodes",
            up: m0001,
        },
        Migration {
            version: 2,
            name: "servers_eggs_and_everything_they_own",
            up: m0002::up,
        },
        Migration {
            version: 3,
            name: "sessions_password_resets_recovery_tokens",
            up: m0003::up,
        },
        Migration {
            version: 4,
            name: "api_keys_r_mounts",
            up: m0004::up,
        },
    ]
}

#[derive(Iden, Clone, Copy)]
enum AerieMigrations {
    Table,
    Version,
    Name,
    AppliedAt,
}

impl Db {
    /// Applies every migration not applied yet; returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, DbError> {
        let backend = self.backend();
        let create = Table::create()
            .table(AerieMigrations::Table)
            .if_not_exists()
            .col(
                ColumnDef::new(AerieMigrations::Version)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(AerieMigrations::Name)
                    .string_len(191)
                    .not_null(),
            )
            .col(
                ColumnDef::new(AerieMigrations::AppliedAt)
                    .string_len(32)
                    .not_null(),
            )
            .to_owned();
        self.pool()
            .execute(Ddl::Table(create).render(backend).as_str())
            .await?;

        let applied: Vec<i64> = sqlx::query("SELECT version FROM aerie_migrations")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;

        let mut now_applied = Vec::new();
        for m in all().into_iter().filter(|m| !applied.contains(&m.version)) {
            let fail = |e: sqlx::Error| DbError::Migration {
                version: m.version,
                name: m.name,
                message: e.to_string(),
            };
            let mut tx = self.pool().begin().await.map_err(fail)?;
            for stmt in (m.up)() {
                tx.execute(stmt.render(backend).as_str())
                    .await
                    .map_err(fail)?;
            }
            let (sql, values) = self.build(
                &sea_query::Query::insert()
                    .into_table(AerieMigrations::Table)
                    .columns([
                        AerieMigrations::Version,
                        AerieMigrations::Name,
                        AerieMigrations::AppliedAt,
                    ])
                    .values_panic([m.version.into(), m.name.into(), crate::now().into()])
                    .to_owned(),
            );
            let mut q = sqlx::query(&sql);
            for v in values.0 {
                q = match v {
                    sea_query::Value::BigInt(i) => q.bind(i),
                    sea_query::Value::String(s) => q.bind(s.map(|s| *s)),
                    other => q.bind(format!("{other:?}")),
                };
            }
            q.execute(&mut *tx).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            tracing::info!(
                migration.version = m.version,
                migration.name = m.name,
                "applied migration"
            );
            now_applied.push(m.version);
        }
        Ok(now_applied)
    }

    /// The versions recorded as applied, ascending.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, DbError> {
        let rows = sqlx::query("SELECT version FROM aerie_migrations ORDER BY version")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>(0).map_err(DbError::from))
            .collect()
    }
}

// ---- helpers shared by migrations ----

fn id<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}
fn string<T: Iden + 'static>(c: T, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).not_null().to_owned()
}
fn string_null<T: Iden + 'static>(c: T, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).null().to_owned()
}
fn text<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).text().not_null().to_owned()
}
fn text_null<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).text().null().to_owned()
}
fn int<T: Iden + 'static>(c: T, default: i64) -> ColumnDef {
    ColumnDef::new(c)
        .big_integer()
        .not_null()
        .default(default)
        .to_owned()
}
fn ts<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).string_len(32).not_null().to_owned()
}
fn ts_null<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).string_len(32).null().to_owned()
}

// ---- 0001 ----

#[derive(Iden, Clone, Copy)]
pub(crate) enum Users {
    Table,
    Id,
    ExternalId,
    Uuid,
    Username,
    Email,
    NameFirst,
    NameLast,
    Password,
    Language,
    RootAdmin,
    UseTotp,
    TotpSecret,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum ApiKeys {
    Table,
    Id,
    UserId,
    KeyType,
    Identifier,
    TokenHash,
    Memo,
    AllowedIps,
    LastUsedAt,
    RServers,
    RNodes,
    RAllocations,
    RUsers,
    RLocations,
    RNests,
    REggs,
    RDatabaseHosts,
    RServerDatabases,
    /// Added by migration 4.
    RMounts,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Locations {
    Table,
    Id,
    Short,
    Long,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Nodes {
    Table,
    Id,
    Uuid,
    Public,
    Name,
    Description,
    LocationId,
    Fqdn,
    Scheme,
    BehindProxy,
    MaintenanceMode,
    Memory,
    MemoryOverallocate,
    Disk,
    DiskOverallocate,
    UploadSize,
    DaemonTokenId,
    DaemonToken,
    DaemonListen,
    DaemonSftp,
    DaemonBase,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub(crate) enum Settings {
    Table,
    Key,
    Value,
}

fn m0001() -> Vec<Ddl> {
    let users = Table::create()
        .table(Users::Table)
        .col(id(Users::Id))
        .col(string_null(Users::ExternalId, 191).unique_key().to_owned())
        .col(string(Users::Uuid, 36).unique_key().to_owned())
        .col(string(Users::Username, 191).unique_key().to_owned())
        .col(string(Users::Email, 191).unique_key().to_owned())
        .col(string_null(Users::NameFirst, 191))
        .col(string_null(Users::NameLast, 191))
        .col(string_null(Users::Password, 255))
        .col(
            ColumnDef::new(Users::Language)
                .string_len(5)
                .not_null()
                .default("en")
                .to_owned(),
        )
        .col(int(Users::RootAdmin, 0))
        .col(int(Users::UseTotp, 0))
        .col(text_null(Users::TotpSecret))
        .col(ts(Users::CreatedAt))
        .col(ts(Users::UpdatedAt))
        .to_owned();

    let mut keys = Table::create();
    keys.table(ApiKeys::Table)
        .col(id(ApiKeys::Id))
        .col(
            ColumnDef::new(ApiKeys::UserId)
                .big_integer()
                .not_null()
                .to_owned(),
        )
        .col(int(ApiKeys::KeyType, 1))
        .col(string(ApiKeys::Identifier, 16).unique_key().to_owned())
        .col(string(ApiKeys::TokenHash, 64))
        .col(string_null(ApiKeys::Memo, 500))
        .col(text_null(ApiKeys::AllowedIps))
        .col(ts_null(ApiKeys::LastUsedAt));
    for c in [
        ApiKeys::RServers,
        ApiKeys::RNodes,
        ApiKeys::RAllocations,
        ApiKeys::RUsers,
        ApiKeys::RLocations,
        ApiKeys::RNests,
        ApiKeys::REggs,
        ApiKeys::RDatabaseHosts,
        ApiKeys::RServerDatabases,
    ] {
        keys.col(int(c, 0));
    }
    keys.col(ts(ApiKeys::CreatedAt))
        .col(ts(ApiKeys::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .name("fk_api_keys_user")
                .from(ApiKeys::Table, ApiKeys::UserId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );

    let locations = Table::create()
        .table(Locations::Table)
        .col(id(Locations::Id))
        .col(string(Locations::Short, 60).unique_key().to_owned())
        .col(text_null(Locations::Long))
        .col(ts(Locations::CreatedAt))
        .col(ts(Locations::UpdatedAt))
        .to_owned();

    let nodes = Table::create()
        .table(Nodes::Table)
        .col(id(Nodes::Id))
        .col(string(Nodes::Uuid, 36).unique_key().to_owned())
        .col(int(Nodes::Public, 1))
        .col(string(Nodes::Name, 191))
        .col(text_null(Nodes::Description))
        .col(
            ColumnDef::new(Nodes::LocationId)
                .big_integer()
                .not_null()
                .to_owned(),
        )
        .col(string(Nodes::Fqdn, 191))
        .col(
            ColumnDef::new(Nodes::Scheme)
                .string_len(5)
                .not_null()
                .default("https")
                .to_owned(),
        )
        .col(int(Nodes::BehindProxy, 0))
        .col(int(Nodes::MaintenanceMode, 0))
        .col(int(Nodes::Memory, 0))
        .col(int(Nodes::MemoryOverallocate, 0))
        .col(int(Nodes::Disk, 0))
        .col(int(Nodes::DiskOverallocate, 0))
        .col(int(Nodes::UploadSize, 100))
        .col(string(Nodes::DaemonTokenId, 16).unique_key().to_owned())
        .col(string(Nodes::DaemonToken, 255))
        .col(int(Nodes::DaemonListen, 8080))
        .col(int(Nodes::DaemonSftp, 2022))
        .col(
            ColumnDef::new(Nodes::DaemonBase)
                .string_len(191)
                .not_null()
                .default("/var/lib/pterodactyl/volumes")
                .to_owned(),
        )
        .col(ts(Nodes::CreatedAt))
        .col(ts(Nodes::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .name("fk_nodes_location")
                .from(Nodes::Table, Nodes::LocationId)
                .to(Locations::Table, Locations::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .to_owned();

    let settings = Table::create()
        .table(Settings::Table)
        .col(string(Settings::Key, 191).primary_key().to_owned())
        .col(text_null(Settings::Value))
        .to_owned();

    vec![
        Ddl::Table(users),
        Ddl::Table(keys.to_owned()),
        Ddl::Index(
            Index::create()
                .name("idx_api_keys_user")
                .table(ApiKeys::Table)
                .col(ApiKeys::UserId)
                .to_owned(),
        ),
        Ddl::Table(locations),
        Ddl::Table(nodes),
        Ddl::Table(settings),
    ]
}

/// Renders every migration for `backend`, for inspection (`aerie migrate --print`) and tests.
pub fn render_all(backend: Backend) -> Vec<String> {
    all()
        .iter()
        .flat_map(|m| (m.up)().into_iter().map(move |d| d.render(backend)))
        .collect()
}
