//! Rows as the rest of Aerie sees them. Booleans are real `bool`s here; the 0/1 storage is
//! the repositories' business.

use serde::Serialize;

/// A panel account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Numeric id.
    pub id: i64,
    /// Id in an external system (billing), unique when set.
    pub external_id: Option<String>,
    /// Public UUID.
    pub uuid: String,
    /// Unique username.
    pub username: String,
    /// Unique e-mail address.
    pub email: String,
    /// First name.
    pub name_first: Option<String>,
    /// Last name.
    pub name_last: Option<String>,
    /// Password hash (argon2id, or bcrypt from a Pterodactyl import); `None` = cannot log in.
    #[serde(skip)]
    pub password: Option<String>,
    /// UI language code.
    pub language: String,
    /// Whether the account is an administrator.
    pub root_admin: bool,
    /// Whether TOTP two-factor is on.
    pub use_totp: bool,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last update time (RFC 3339).
    pub updated_at: String,
}

/// Fields for a new user.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// Id in an external system.
    pub external_id: Option<String>,
    /// Username.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// First name.
    pub name_first: Option<String>,
    /// Last name.
    pub name_last: Option<String>,
    /// Password hash, already hashed.
    pub password_hash: Option<String>,
    /// Administrator?
    pub root_admin: bool,
    /// UI language code; `None` stores the default, `en`.
    pub language: Option<String>,
}

/// An API key (the secret itself is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Numeric id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// 1 = client (`ptlc_`), 2 = application (`ptla_`).
    pub key_type: i64,
    /// The 16-character public identifier.
    pub identifier: String,
    /// Hex SHA-256 of the secret part.
    #[serde(skip)]
    pub token_hash: String,
    /// Description.
    pub memo: Option<String>,
    /// Allowed client addresses (IPs or CIDRs); empty = any.
    pub allowed_ips: Vec<String>,
    /// Last use (RFC 3339).
    pub last_used_at: Option<String>,
    /// Application API read/write bits per resource (1 = read, 2 = write, 3 = both).
    pub permissions: ApiKeyPermissions,
    /// Creation time.
    pub created_at: String,
}

/// Per-resource permission bits of an application key (Pterodactyl's `r_*` columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[allow(missing_docs)]
pub struct ApiKeyPermissions {
    pub servers: i64,
    pub nodes: i64,
    pub allocations: i64,
    pub users: i64,
    pub locations: i64,
    pub nests: i64,
    pub eggs: i64,
    pub database_hosts: i64,
    pub server_databases: i64,
    /// `r_mounts` (Pelican's bit; Pterodactyl has no mounts API).
    pub mounts: i64,
}

impl ApiKeyPermissions {
    /// Read and write on everything.
    pub fn all() -> Self {
        Self {
            servers: 3,
            nodes: 3,
            allocations: 3,
            users: 3,
            locations: 3,
            nests: 3,
            eggs: 3,
            database_hosts: 3,
            server_databases: 3,
            mounts: 3,
        }
    }
}

/// Fields for a new API key.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Owner.
    pub user_id: i64,
    /// 1 = client, 2 = application.
    pub key_type: i64,
    /// Public identifier.
    pub identifier: String,
    /// Hex SHA-256 of the secret.
    pub token_hash: String,
    /// Description.
    pub memo: Option<String>,
    /// Allowed addresses.
    pub allowed_ips: Vec<String>,
    /// Permission bits.
    pub permissions: ApiKeyPermissions,
}

/// A location (a group of nodes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Numeric id.
    pub id: i64,
    /// Short code, unique.
    pub short: String,
    /// Description.
    pub long: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last update.
    pub updated_at: String,
}

/// A node running wings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct Node {
    pub id: i64,
    pub uuid: String,
    pub public: bool,
    pub name: String,
    pub description: Option<String>,
    pub location_id: i64,
    pub fqdn: String,
    pub scheme: String,
    pub behind_proxy: bool,
    pub maintenance_mode: bool,
    pub memory: i64,
    pub memory_overallocate: i64,
    pub disk: i64,
    pub disk_overallocate: i64,
    pub upload_size: i64,
    pub daemon_token_id: String,
    #[serde(skip)]
    pub daemon_token: String,
    pub daemon_listen: i64,
    pub daemon_sftp: i64,
    pub daemon_base: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Fields for a new node.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct NewNode {
    pub name: String,
    pub description: Option<String>,
    pub location_id: i64,
    pub fqdn: String,
    pub scheme: String,
    pub behind_proxy: bool,
    pub public: bool,
    pub memory: i64,
    pub memory_overallocate: i64,
    pub disk: i64,
    pub disk_overallocate: i64,
    pub upload_size: i64,
    pub daemon_listen: i64,
    pub daemon_sftp: i64,
    pub daemon_base: String,
    pub daemon_token_id: String,
    pub daemon_token: String,
}

/// A host directory that may be bind-mounted into the containers of servers (Pterodactyl's
/// `mounts` table). It applies to a server only when it is linked to the server's node and
/// egg *and* attached to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// Numeric id.
    pub id: i64,
    /// Public UUID.
    pub uuid: String,
    /// Unique display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Absolute path on the node.
    pub source: String,
    /// Absolute path inside the container.
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Whether users may mount it themselves (stored for Pterodactyl compatibility; no client
    /// route uses it yet).
    pub user_mountable: bool,
}

/// Fields for a new mount.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct NewMount {
    pub uuid: String,
    pub name: String,
    pub description: Option<String>,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    pub user_mountable: bool,
}

/// Changes to a mount; `None` leaves a field alone, `description: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct MountPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub source: Option<String>,
    pub target: Option<String>,
    pub read_only: Option<bool>,
    pub user_mountable: Option<bool>,
}
