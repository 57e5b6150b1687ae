//! Migration 2: everything a hosting panel manages beyond accounts and nodes — allocations,
//! nests and eggs, servers and their variables, mounts, database hosts and databases,
//! subusers, schedules and tasks, backups, transfers, SSH keys and the activity log.
//!
//! Column names follow Pterodactyl's schema where one exists, so a migration from a
//! Pterodactyl database is a column-for-column copy. JSON-shaped values (egg config blocks,
//! permission lists, ignored files) are stored as `TEXT` holding JSON.

use sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Iden, Index, Table};

use super::{
    Ddl, Locations, Nodes, Users, id, int, string, string_null, text, text_null, ts, ts_null,
};

fn fk_id<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}
fn fk_id_null<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().null().to_owned()
}
fn int_null<T: Iden + 'static>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().null().to_owned()
}

fn fk(
    name: &str,
    from: (impl Iden + 'static, impl Iden + 'static),
    to: (impl Iden + 'static, impl Iden + 'static),
    on_delete: ForeignKeyAction,
) -> sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(
    name: &str,
    table: impl Iden + 'static,
    cols: Vec<sea_query::DynIden>,
    unique: bool,
) -> Ddl {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(c);
    }
    if unique {
        i.unique();
    }
    Ddl::Index(i.to_owned())
}

macro_rules! cols {
    ($($c:expr),+ $(,)?) => { vec![$(sea_query::IntoIden::into_iden($c)),+] };
}

/// Node ports a server can bind (`ip:port`), assigned to at most one server.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Allocations {
    Table,
    Id,
    NodeId,
    Ip,
    IpAlias,
    Port,
    ServerId,
    Notes,
    CreatedAt,
    UpdatedAt,
}

/// Groups of eggs.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Nests {
    Table,
    Id,
    Uuid,
    Author,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

/// Game templates.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Eggs {
    Table,
    Id,
    Uuid,
    NestId,
    Author,
    Name,
    Description,
    Features,
    DockerImages,
    FileDenylist,
    UpdateUrl,
    ConfigFiles,
    ConfigStartup,
    ConfigLogs,
    ConfigStop,
    ConfigFrom,
    Startup,
    ScriptContainer,
    CopyScriptFrom,
    ScriptEntry,
    ScriptIsPrivileged,
    ScriptInstall,
    ForceOutgoingIp,
    CreatedAt,
    UpdatedAt,
}

/// An egg's variables.
#[derive(Iden, Clone, Copy)]
pub(crate) enum EggVariables {
    Table,
    Id,
    EggId,
    Name,
    Description,
    EnvVariable,
    DefaultValue,
    UserViewable,
    UserEditable,
    Rules,
    Sort,
    CreatedAt,
    UpdatedAt,
}

/// Game servers.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Servers {
    Table,
    Id,
    ExternalId,
    Uuid,
    UuidShort,
    NodeId,
    Name,
    Description,
    Status,
    SkipScripts,
    OwnerId,
    Memory,
    Swap,
    Disk,
    Io,
    Cpu,
    Threads,
    OomDisabled,
    AllocationId,
    NestId,
    EggId,
    Startup,
    Image,
    AllocationLimit,
    DatabaseLimit,
    BackupLimit,
    InstalledAt,
    CreatedAt,
    UpdatedAt,
}

/// A server's values for its egg's variables.
#[derive(Iden, Clone, Copy)]
pub(crate) enum ServerVariables {
    Table,
    Id,
    ServerId,
    VariableId,
    VariableValue,
    CreatedAt,
    UpdatedAt,
}

/// Host directories mounted into containers.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Mounts {
    Table,
    Id,
    Uuid,
    Name,
    Description,
    Source,
    Target,
    ReadOnly,
    UserMountable,
}

/// Which eggs a mount applies to.
#[derive(Iden, Clone, Copy)]
pub(crate) enum EggMount {
    Table,
    EggId,
    MountId,
}

/// Which nodes a mount exists on.
#[derive(Iden, Clone, Copy)]
pub(crate) enum MountNode {
    Table,
    NodeId,
    MountId,
}

/// Which servers use a mount.
#[derive(Iden, Clone, Copy)]
pub(crate) enum MountServer {
    Table,
    ServerId,
    MountId,
}

/// MySQL/MariaDB servers the panel creates customer databases on.
#[derive(Iden, Clone, Copy)]
pub(crate) enum DatabaseHosts {
    Table,
    Id,
    Name,
    Host,
    Port,
    Username,
    Password,
    MaxDatabases,
    NodeId,
    CreatedAt,
    UpdatedAt,
}

/// Customer databases.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Databases {
    Table,
    Id,
    ServerId,
    DatabaseHostId,
    Database,
    Username,
    Remote,
    Password,
    MaxConnections,
    CreatedAt,
    UpdatedAt,
}

/// Users given access to someone else's server.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Subusers {
    Table,
    Id,
    UserId,
    ServerId,
    Permissions,
    CreatedAt,
    UpdatedAt,
}

/// Cron schedules.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Schedules {
    Table,
    Id,
    ServerId,
    Name,
    CronDayOfWeek,
    CronMonth,
    CronDayOfMonth,
    CronHour,
    CronMinute,
    IsActive,
    IsProcessing,
    OnlyWhenOnline,
    LastRunAt,
    NextRunAt,
    CreatedAt,
    UpdatedAt,
}

/// Steps of a schedule.
#[derive(Iden, Clone, Copy)]
pub(crate) enum Tasks {
    Table,
    Id,
    ScheduleId,
    SequenceId,
    Action,
    Payload,
    TimeOffset,
    IsQueued,
    ContinueOnFailure,
    CreatedAt,
    UpdatedAt,
}

/// Backups (the archive lives on the node or in S3).
#[derive(Iden, Clone, Copy)]
pub(crate) enum Backups {
    Table,
    Id,
    ServerId,
    Uuid,
    UploadId,
    IsSuccessful,
    IsLocked,
    Name,
    IgnoredFiles,
    Disk,
    Checksum,
    Bytes,
    CompletedAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

/// Server moves between nodes.
#[derive(Iden, Clone, Copy)]
pub(crate) enum ServerTransfers {
    Table,
    Id,
    ServerId,
    Successful,
    OldNode,
    NewNode,
    OldAllocation,
    NewAllocation,
    OldAdditionalAllocations,
    NewAdditionalAllocations,
    Archived,
    CreatedAt,
    UpdatedAt,
}

/// SSH public keys of users, for SFTP.
#[derive(Iden, Clone, Copy)]
pub(crate) enum UserSshKeys {
    Table,
    Id,
    UserId,
    Name,
    Fingerprint,
    PublicKey,
    CreatedAt,
    UpdatedAt,
}

/// Who did what, from where.
#[derive(Iden, Clone, Copy)]
pub(crate) enum ActivityLogs {
    Table,
    Id,
    Batch,
    Event,
    Ip,
    Description,
    ActorId,
    ApiKeyId,
    ServerId,
    SubjectUserId,
    Properties,
    Timestamp,
}

pub(super) fn up() -> Vec<Ddl> {
    use ForeignKeyAction::{Cascade, Restrict, SetNull};
    let allocations = Table::create()
        .table(Allocations::Table)
        .col(id(Allocations::Id))
        .col(fk_id(Allocations::NodeId))
        .col(string(Allocations::Ip, 191))
        .col(string_null(Allocations::IpAlias, 191))
        .col(int(Allocations::Port, 0))
        .col(fk_id_null(Allocations::ServerId))
        .col(string_null(Allocations::Notes, 256))
        .col(ts(Allocations::CreatedAt))
        .col(ts(Allocations::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_allocations_node",
            (Allocations::Table, Allocations::NodeId),
            (Nodes::Table, Nodes::Id),
            Cascade,
        ))
        .to_owned();

    let nests = Table::create()
        .table(Nests::Table)
        .col(id(Nests::Id))
        .col(string(Nests::Uuid, 36).unique_key().to_owned())
        .col(string(Nests::Author, 191))
        .col(string(Nests::Name, 191))
        .col(text_null(Nests::Description))
        .col(ts(Nests::CreatedAt))
        .col(ts(Nests::UpdatedAt))
        .to_owned();

    let eggs = Table::create()
        .table(Eggs::Table)
        .col(id(Eggs::Id))
        .col(string(Eggs::Uuid, 36).unique_key().to_owned())
        .col(fk_id(Eggs::NestId))
        .col(string(Eggs::Author, 191))
        .col(string(Eggs::Name, 191))
        .col(text_null(Eggs::Description))
        .col(text_null(Eggs::Features))
        .col(text(Eggs::DockerImages))
        .col(text_null(Eggs::FileDenylist))
        .col(text_null(Eggs::UpdateUrl))
        .col(text_null(Eggs::ConfigFiles))
        .col(text_null(Eggs::ConfigStartup))
        .col(text_null(Eggs::ConfigLogs))
        .col(text_null(Eggs::ConfigStop))
        .col(fk_id_null(Eggs::ConfigFrom))
        .col(text_null(Eggs::Startup))
        .col(string(Eggs::ScriptContainer, 191))
        .col(fk_id_null(Eggs::CopyScriptFrom))
        .col(string(Eggs::ScriptEntry, 191))
        .col(int(Eggs::ScriptIsPrivileged, 1))
        .col(text_null(Eggs::ScriptInstall))
        .col(int(Eggs::ForceOutgoingIp, 0))
        .col(ts(Eggs::CreatedAt))
        .col(ts(Eggs::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_eggs_nest",
            (Eggs::Table, Eggs::NestId),
            (Nests::Table, Nests::Id),
            Restrict,
        ))
        .to_owned();

    let egg_variables = Table::create()
        .table(EggVariables::Table)
        .col(id(EggVariables::Id))
        .col(fk_id(EggVariables::EggId))
        .col(string(EggVariables::Name, 191))
        .col(text_null(EggVariables::Description))
        .col(string(EggVariables::EnvVariable, 191))
        .col(text_null(EggVariables::DefaultValue))
        .col(int(EggVariables::UserViewable, 0))
        .col(int(EggVariables::UserEditable, 0))
        .col(text_null(EggVariables::Rules))
        .col(int(EggVariables::Sort, 0))
        .col(ts(EggVariables::CreatedAt))
        .col(ts(EggVariables::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_egg_variables_egg",
            (EggVariables::Table, EggVariables::EggId),
            (Eggs::Table, Eggs::Id),
            Cascade,
        ))
        .to_owned();

    let servers = Table::create()
        .table(Servers::Table)
        .col(id(Servers::Id))
        .col(
            string_null(Servers::ExternalId, 191)
                .unique_key()
                .to_owned(),
        )
        .col(string(Servers::Uuid, 36).unique_key().to_owned())
        .col(string(Servers::UuidShort, 8).unique_key().to_owned())
        .col(fk_id(Servers::NodeId))
        .col(string(Servers::Name, 191))
        .col(text_null(Servers::Description))
        .col(string_null(Servers::Status, 32))
        .col(int(Servers::SkipScripts, 0))
        .col(fk_id(Servers::OwnerId))
        .col(int(Servers::Memory, 0))
        .col(int(Servers::Swap, 0))
        .col(int(Servers::Disk, 0))
        .col(int(Servers::Io, 500))
        .col(int(Servers::Cpu, 0))
        .col(string_null(Servers::Threads, 191))
        .col(int(Servers::OomDisabled, 1))
        .col(fk_id(Servers::AllocationId))
        .col(fk_id(Servers::NestId))
        .col(fk_id(Servers::EggId))
        .col(text(Servers::Startup))
        .col(string(Servers::Image, 191))
        .col(int_null(Servers::AllocationLimit))
        .col(int(Servers::DatabaseLimit, 0))
        .col(int(Servers::BackupLimit, 0))
        .col(ts_null(Servers::InstalledAt))
        .col(ts(Servers::CreatedAt))
        .col(ts(Servers::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_servers_node",
            (Servers::Table, Servers::NodeId),
            (Nodes::Table, Nodes::Id),
            Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_servers_owner",
            (Servers::Table, Servers::OwnerId),
            (Users::Table, Users::Id),
            Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_servers_egg",
            (Servers::Table, Servers::EggId),
            (Eggs::Table, Eggs::Id),
            Restrict,
        ))
        .to_owned();

    let server_variables = Table::create()
        .table(ServerVariables::Table)
        .col(id(ServerVariables::Id))
        .col(fk_id(ServerVariables::ServerId))
        .col(fk_id(ServerVariables::VariableId))
        .col(text_null(ServerVariables::VariableValue))
        .col(ts(ServerVariables::CreatedAt))
        .col(ts(ServerVariables::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_server_variables_server",
            (ServerVariables::Table, ServerVariables::ServerId),
            (Servers::Table, Servers::Id),
            Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_server_variables_variable",
            (ServerVariables::Table, ServerVariables::VariableId),
            (EggVariables::Table, EggVariables::Id),
            Cascade,
        ))
        .to_owned();

    let mounts = Table::create()
        .table(Mounts::Table)
        .col(id(Mounts::Id))
        .col(string(Mounts::Uuid, 36).unique_key().to_owned())
        .col(string(Mounts::Name, 191).unique_key().to_owned())
        .col(text_null(Mounts::Description))
        .col(string(Mounts::Source, 191))
        .col(string(Mounts::Target, 191))
        .col(int(Mounts::ReadOnly, 0))
        .col(int(Mounts::UserMountable, 0))
        .to_owned();
    let egg_mount = Table::create()
        .table(EggMount::Table)
        .col(fk_id(EggMount::EggId))
        .col(fk_id(EggMount::MountId))
        .primary_key(Index::create().col(EggMount::EggId).col(EggMount::MountId))
        .foreign_key(&mut fk(
            "fk_egg_mount_egg",
            (EggMount::Table, EggMount::EggId),
            (Eggs::Table, Eggs::Id),
            Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_egg_mount_mount",
            (EggMount::Table, EggMount::MountId),
            (Mounts::Table, Mounts::Id),
            Cascade,
        ))
        .to_owned();
    let mount_node = Table::create()
        .table(MountNode::Table)
        .col(fk_id(MountNode::NodeId))
        .col(fk_id(MountNode::MountId))
        .primary_key(
            Index::create()
                .col(MountNode::NodeId)
                .col(MountNode::MountId),
        )
        .foreign_key(&mut fk(
            "fk_mount_node_node",
            (MountNode::Table, MountNode::NodeId),
            (Nodes::Table, Nodes::Id),
            Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_mount_node_mount",
            (MountNode::Table, MountNode::MountId),
            (Mounts::Table, Mounts::Id),
            Cascade,
        ))
        .to_owned();
    let mount_server = Table::create()
        .table(MountServer::Table)
        .col(fk_id(MountServer::ServerId))
        .col(fk_id(MountServer::MountId))
        .primary_key(
            Index::create()
                .col(MountServer::ServerId)
                .col(MountServer::MountId),
        )
        .foreign_key(&mut fk(
            "fk_mount_server_server",
            (MountServer::Table, MountServer::ServerId),
            (Servers::Table, Servers::Id),
            Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_mount_server_mount",
            (MountServer::Table, MountServer::MountId),
            (Mounts::Table, Mounts::Id),
            Cascade,
        ))
        .to_owned();

    let database_hosts = Table::create()
        .table(DatabaseHosts::Table)
        .col(id(DatabaseHosts::Id))
        .col(string(DatabaseHosts::Name, 191).unique_key().to_owned())
        .col(string(DatabaseHosts::Host, 191))
        .col(int(DatabaseHosts::Port, 3306))
        .col(string(DatabaseHosts::Username, 191))
        .col(text(DatabaseHosts::Password))
        .col(int_null(DatabaseHosts::MaxDatabases))
        .col(fk_id_null(DatabaseHosts::NodeId))
        .col(ts(DatabaseHosts::CreatedAt))
        .col(ts(DatabaseHosts::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_database_hosts_node",
            (DatabaseHosts::Table, DatabaseHosts::NodeId),
            (Nodes::Table, Nodes::Id),
            SetNull,
        ))
        .to_owned();

    let databases = Table::create()
        .table(Databases::Table)
        .col(id(Databases::Id))
        .col(fk_id(Databases::ServerId))
        .col(fk_id(Databases::DatabaseHostId))
        .col(string(Databases::Database, 191))
        .col(string(Databases::Username, 191))
        .col(
            ColumnDef::new(Databases::Remote)
                .string_len(191)
                .not_null()
                .default("%")
                .to_owned(),
        )
        .col(text(Databases::Password))
        .col(int_null(Databases::MaxConnections))
        .col(ts(Databases::CreatedAt))
        .col(ts(Databases::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_databases_server",
            (Databases::Table, Databases::ServerId),
            (Servers::Table, Servers::Id),
            Restrict,
        ))
        .foreign_key(&mut fk(
            "fk_databases_host",
            (Databases::Table, Databases::DatabaseHostId),
            (DatabaseHosts::Table, DatabaseHosts::Id),
            Restrict,
        ))
        .to_owned();

    let subusers = Table::create()
        .table(Subusers::Table)
        .col(id(Subusers::Id))
        .col(fk_id(Subusers::UserId))
        .col(fk_id(Subusers::ServerId))
        .col(text(Subusers::Permissions))
        .col(ts(Subusers::CreatedAt))
        .col(ts(Subusers::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_subusers_user",
            (Subusers::Table, Subusers::UserId),
            (Users::Table, Users::Id),
            Cascade,
        ))
        .foreign_key(&mut fk(
            "fk_subusers_server",
            (Subusers::Table, Subusers::ServerId),
            (Servers::Table, Servers::Id),
            Cascade,
        ))
        .to_owned();

    let schedules = Table::create()
        .table(Schedules::Table)
        .col(id(Schedules::Id))
        .col(fk_id(Schedules::ServerId))
        .col(string(Schedules::Name, 191))
        .col(string(Schedules::CronDayOfWeek, 191))
        .col(string(Schedules::CronMonth, 191))
        .col(string(Schedules::CronDayOfMonth, 191))
        .col(string(Schedules::CronHour, 191))
        .col(string(Schedules::CronMinute, 191))
        .col(int(Schedules::IsActive, 1))
        .col(int(Schedules::IsProcessing, 0))
        .col(int(Schedules::OnlyWhenOnline, 0))
        .col(ts_null(Schedules::LastRunAt))
        .col(ts_null(Schedules::NextRunAt))
        .col(ts(Schedules::CreatedAt))
        .col(ts(Schedules::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_schedules_server",
            (Schedules::Table, Schedules::ServerId),
            (Servers::Table, Servers::Id),
            Cascade,
        ))
        .to_owned();

    let tasks = Table::create()
        .table(Tasks::Table)
        .col(id(Tasks::Id))
        .col(fk_id(Tasks::ScheduleId))
        .col(int(Tasks::SequenceId, 1))
        .col(string(Tasks::Action, 191))
        .col(text(Tasks::Payload))
        .col(int(Tasks::TimeOffset, 0))
        .col(int(Tasks::IsQueued, 0))
        .col(int(Tasks::ContinueOnFailure, 0))
        .col(ts(Tasks::CreatedAt))
        .col(ts(Tasks::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_tasks_schedule",
            (Tasks::Table, Tasks::ScheduleId),
            (Schedules::Table, Schedules::Id),
            Cascade,
        ))
        .to_owned();

    let backups = Table::create()
        .table(Backups::Table)
        .col(id(Backups::Id))
        .col(fk_id(Backups::ServerId))
        .col(string(Backups::Uuid, 36).unique_key().to_owned())
        .col(text_null(Backups::UploadId))
        .col(int(Backups::IsSuccessful, 0))
        .col(int(Backups::IsLocked, 0))
        .col(string(Backups::Name, 191))
        .col(text(Backups::IgnoredFiles))
        .col(string(Backups::Disk, 191))
        .col(string_null(Backups::Checksum, 191))
        .col(int(Backups::Bytes, 0))
        .col(ts_null(Backups::CompletedAt))
        .col(ts(Backups::CreatedAt))
        .col(ts(Backups::UpdatedAt))
        .col(ts_null(Backups::DeletedAt))
        .foreign_key(&mut fk(
            "fk_backups_server",
            (Backups::Table, Backups::ServerId),
            (Servers::Table, Servers::Id),
            Cascade,
        ))
        .to_owned();

    let transfers = Table::create()
        .table(ServerTransfers::Table)
        .col(id(ServerTransfers::Id))
        .col(fk_id(ServerTransfers::ServerId))
        .col(int_null(ServerTransfers::Successful))
        .col(fk_id(ServerTransfers::OldNode))
        .col(fk_id(ServerTransfers::NewNode))
        .col(fk_id(ServerTransfers::OldAllocation))
        .col(fk_id(ServerTransfers::NewAllocation))
        .col(text_null(ServerTransfers::OldAdditionalAllocations))
        .col(text_null(ServerTransfers::NewAdditionalAllocations))
        .col(int(ServerTransfers::Archived, 0))
        .col(ts(ServerTransfers::CreatedAt))
        .col(ts(ServerTransfers::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_server_transfers_server",
            (ServerTransfers::Table, ServerTransfers::ServerId),
            (Servers::Table, Servers::Id),
            Cascade,
        ))
        .to_owned();

    let ssh_keys = Table::create()
        .table(UserSshKeys::Table)
        .col(id(UserSshKeys::Id))
        .col(fk_id(UserSshKeys::UserId))
        .col(string(UserSshKeys::Name, 191))
        .col(string(UserSshKeys::Fingerprint, 191))
        .col(text(UserSshKeys::PublicKey))
        .col(ts(UserSshKeys::CreatedAt))
        .col(ts(UserSshKeys::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_user_ssh_keys_user",
            (UserSshKeys::Table, UserSshKeys::UserId),
            (Users::Table, Users::Id),
            Cascade,
        ))
        .to_owned();

    // The activity log outlives what it describes, so no foreign keys: a deleted server's
    // history stays readable by administrators.
    let activity = Table::create()
        .table(ActivityLogs::Table)
        .col(id(ActivityLogs::Id))
        .col(string_null(ActivityLogs::Batch, 36))
        .col(string(ActivityLogs::Event, 191))
        .col(string(ActivityLogs::Ip, 64))
        .col(text_null(ActivityLogs::Description))
        .col(int_null(ActivityLogs::ActorId))
        .col(int_null(ActivityLogs::ApiKeyId))
        .col(int_null(ActivityLogs::ServerId))
        .col(int_null(ActivityLogs::SubjectUserId))
        .col(text(ActivityLogs::Properties))
        .col(ts(ActivityLogs::Timestamp))
        .to_owned();

    let _ = Locations::Table;
    vec![
        Ddl::Table(allocations),
        index(
            "uq_allocations_node_ip_port",
            Allocations::Table,
            cols![Allocations::NodeId, Allocations::Ip, Allocations::Port],
            true,
        ),
        index(
            "idx_allocations_server",
            Allocations::Table,
            cols![Allocations::ServerId],
            false,
        ),
        Ddl::Table(nests),
        Ddl::Table(eggs),
        Ddl::Table(egg_variables),
        index(
            "uq_egg_variables_egg_env",
            EggVariables::Table,
            cols![EggVariables::EggId, EggVariables::EnvVariable],
            true,
        ),
        Ddl::Table(servers),
        index(
            "idx_servers_owner",
            Servers::Table,
            cols![Servers::OwnerId],
            false,
        ),
        index(
            "idx_servers_node",
            Servers::Table,
            cols![Servers::NodeId],
            false,
        ),
        Ddl::Table(server_variables),
        index(
            "uq_server_variables_server_var",
            ServerVariables::Table,
            cols![ServerVariables::ServerId, ServerVariables::VariableId],
            true,
        ),
        Ddl::Table(mounts),
        Ddl::Table(egg_mount),
        Ddl::Table(mount_node),
        Ddl::Table(mount_server),
        Ddl::Table(database_hosts),
        Ddl::Table(databases),
        index(
            "uq_databases_host_name",
            Databases::Table,
            cols![Databases::DatabaseHostId, Databases::Database],
            true,
        ),
        index(
            "idx_databases_server",
            Databases::Table,
            cols![Databases::ServerId],
            false,
        ),
        Ddl::Table(subusers),
        index(
            "uq_subusers_user_server",
            Subusers::Table,
            cols![Subusers::UserId, Subusers::ServerId],
            true,
        ),
        Ddl::Table(schedules),
        index(
            "idx_schedules_server",
            Schedules::Table,
            cols![Schedules::ServerId],
            false,
        ),
        Ddl::Table(tasks),
        index(
            "idx_tasks_schedule",
            Tasks::Table,
            cols![Tasks::ScheduleId],
            false,
        ),
        Ddl::Table(backups),
        index(
            "idx_backups_server",
            Backups::Table,
            cols![Backups::ServerId],
            false,
        ),
        Ddl::Table(transfers),
        index(
            "idx_server_transfers_server",
            ServerTransfers::Table,
            cols![ServerTransfers::ServerId],
            false,
        ),
        Ddl::Table(ssh_keys),
        index(
            "uq_user_ssh_keys_user_fp",
            UserSshKeys::Table,
            cols![UserSshKeys::UserId, UserSshKeys::Fingerprint],
            true,
        ),
        Ddl::Table(activity),
        index(
            "idx_activity_server",
            ActivityLogs::Table,
            cols![ActivityLogs::ServerId],
            false,
        ),
        index(
            "idx_activity_actor",
            ActivityLogs::Table,
            cols![ActivityLogs::ActorId],
            false,
        ),
    ]
}
