//! The client API's server rules (Pterodactyl's `Api/Client/Servers/*` controllers and
//! `Transformers/Api/Client/*`): the client `server`, `allocation`, `egg_variable`,
//! `stats`, `file_object`, `activity_log` and `server_subuser` transformers; the server
//! list; the JWTs the browser carries to wings (websocket, file download and upload); the
//! cached resource usage; startup variables; settings; automatic allocations; and the
//! activity log entries every action writes.
//!
//! Wings is reached with [`WingsClient`]'s generic calls; wings errors become the panel's
//! errors through `From<WingsError>`.

use super::not_found;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aerie_db::Db;
use aerie_db::models::{Node, User};
use aerie_db::repo::activity::{Activity, NewActivity};
use aerie_db::repo::allocations::{Allocation, PortRange};
use aerie_db::repo::client_servers::{
    ClientServerFilter, ClientServerQuery, ClientServerScope, ServerActivityQuery,
};
use aerie_db::repo::eggs::Egg;
use aerie_db::repo::servers::{Server, ServerPatch, ServerVariableView};
use aerie_http::{Error, ErrorInfo};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::wings::{WingsClient, WingsError, node_base_url};
use super::{db_err, random_alnum};
use crate::access::ServerAccess;
use crate::api::{Item, List, RateLimiter, atom_timestamp, null_resource};

/// Settings key: whether users may add allocations to their servers themselves (`1`/`true`;
/// Pterodactyl's `PTERODACTYL_CLIENT_ALLOCATIONS_ENABLED`).
pub const ALLOCATIONS_ENABLED_SETTING: &str = "client_allocations_enabled";
/// Settings key: the first port automatic allocations may use
/// (`PTERODACTYL_CLIENT_ALLOCATIONS_RANGE_START`).
pub const ALLOCATIONS_RANGE_START_SETTING: &str = "client_allocations_range_start";
/// Settings key: the last port automatic allocations may use
/// (`PTERODACTYL_CLIENT_ALLOCATIONS_RANGE_END`).
pub const ALLOCATIONS_RANGE_END_SETTING: &str = "client_allocations_range_end";

/// The largest file `files/contents` returns (Pterodactyl's `files.max_edit_size`, 4 MiB).
pub const MAX_EDIT_SIZE: u64 = 4 * 1024 * 1024;
/// How long a server's resource usage is served from memory (Pterodactyl caches 20 s).
pub const RESOURCE_CACHE_TTL: Duration = Duration::from_secs(20);
/// Websocket tokens live 10 minutes.
pub const WEBSOCKET_TOKEN_TTL_SECS: i64 = 600;
/// Signed download and upload URLs live 15 minutes.
pub const FILE_TOKEN_TTL_SECS: i64 = 900;
/// Remote downloads (`files/pull`) per server per window (`throttle:10,5`).
pub const PULL_LIMIT: u32 = 10;
/// The window of [`PULL_LIMIT`].
pub const PULL_WINDOW: Duration = Duration::from_secs(300);
/// Events never shown in a server's activity (`ActivityLog::DISABLED_EVENTS`).
pub const HIDDEN_EVENTS: &[&str] = &["server:file.upload"];

// ---- state ------------------------------------------------------------------------------

/// Resource usage per server UUID, fresh for a fixed time (no globals: it lives in
/// [`crate::AppState`]). Cheap to clone; clones share entries.
#[derive(Debug, Clone)]
pub struct ResourceCache {
    ttl: Duration,
    entries: Arc<Mutex<HashMap<String, (Instant, Value)>>>,
}

impl ResourceCache {
    /// A cache keeping entries for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Value)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached wings answer for `uuid`, if still fresh.
    pub fn get(&self, uuid: &str) -> Option<Value> {
        let entries = self.lock();
        entries
            .get(uuid)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Stores wings' answer for `uuid`, dropping stale entries on the way.
    pub fn put(&self, uuid: &str, details: Value) {
        let mut entries = self.lock();
        let ttl = self.ttl;
        entries.retain(|_, (at, _)| at.elapsed() < ttl);
        entries.insert(uuid.to_owned(), (Instant::now(), details));
    }

    /// Forgets `uuid` (after a power action the old state is wrong).
    pub fn forget(&self, uuid: &str) {
        self.lock().remove(uuid);
    }
}

/// The client server API's in-memory state: the resource cache and the `files/pull`
/// throttle.
#[derive(Debug, Clone)]
pub struct ClientServerState {
    /// Resource usage answers from wings.
    pub resources: ResourceCache,
    /// `files/pull` requests per server.
    pub pull_limiter: RateLimiter,
}

impl ClientServerState {
    /// Pterodactyl's settings: resources cached 20 s, 10 pulls per 5 minutes.
    pub fn new() -> Self {
        Self::with_resource_ttl(RESOURCE_CACHE_TTL)
    }

    /// Like [`ClientServerState::new`] with another cache lifetime (tests against a real
    /// node use a short one).
    pub fn with_resource_ttl(ttl: Duration) -> Self {
        Self {
            resources: ResourceCache::new(ttl),
            pull_limiter: RateLimiter::per(PULL_LIMIT, PULL_WINDOW),
        }
    }
}

impl Default for ClientServerState {
    fn default() -> Self {
        Self::new()
    }
}

// ---- errors ------------------------------------------------------------------------------

/// An error of the client server API: the shared [`Error`], or one of Pterodactyl's
/// `DisplayException` family whose `code` clients may check.
#[derive(Debug)]
pub enum ClientError {
    /// The shared error.
    Http(Error),
    /// A named exception (`DisplayException`, `AutoAllocationNotEnabledException`, ...).
    Display {
        /// The exception class name written as `code`.
        code: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// The message.
        detail: String,
    },
}

impl ClientError {
    /// A 400 `code` with `detail`.
    pub fn display(code: &'static str, detail: impl Into<String>) -> Self {
        ClientError::Display {
            code,
            status: StatusCode::BAD_REQUEST,
            detail: detail.into(),
        }
    }
}

impl From<Error> for ClientError {
    fn from(e: Error) -> Self {
        ClientError::Http(e)
    }
}

impl From<WingsError> for ClientError {
    fn from(e: WingsError) -> Self {
        ClientError::Http(e.into())
    }
}

impl IntoResponse for ClientError {
    fn into_response(self) -> Response {
        match self {
            ClientError::Http(e) => e.into_response(),
            ClientError::Display {
                code,
                status,
                detail,
            } => {
                let mut resp = status.into_response();
                resp.extensions_mut().insert(ErrorInfo {
                    code,
                    detail,
                    meta: None,
                });
                resp
            }
        }
    }
}

// ---- lookups -----------------------------------------------------------------------------

/// The node a server runs on.
///
/// # Errors
/// 500 when the node row is missing (a foreign key prevents it).
pub async fn node_of(db: &Db, server: &Server) -> Result<Node, Error> {
    db.nodes()
        .find(server.node_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal(format!("server {} has no node", server.id)))
}

/// A wings client for the server's node.
///
/// # Errors
/// As [`node_of`] and [`WingsClient::for_node`].
pub async fn wings_for(db: &Db, server: &Server) -> Result<WingsClient, Error> {
    WingsClient::for_node(&node_of(db, server).await?)
}

/// Tells wings to re-read the server; failures are only logged (wings reads the server
/// again before every start).
pub async fn sync_quietly(db: &Db, server: &Server) {
    let result = match wings_for(db, server).await {
        Ok(w) => w.sync_server(&server.uuid).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = result {
        tracing::warn!(server.uuid = %server.uuid, error.message = %e, "wings sync failed; it will pick the change up on the next start");
    }
}

fn can(permissions: &[String], permission: &str) -> bool {
    permissions.iter().any(|p| p == "*" || p == permission)
}

// ---- activity ----------------------------------------------------------------------------

/// Where a client request came from, for its activity entries.
#[derive(Debug, Clone, Default)]
pub struct ActivityOrigin {
    /// The client address.
    pub ip: Option<IpAddr>,
    /// The identifier (first 16 characters) of the bearer key used, if any.
    pub key_identifier: Option<String>,
}

/// Appends `event` for `access`'s server and user with `properties` (a JSON object).
/// A failure to log is reported in the logs, never to the user: the action already
/// happened.
pub async fn log_server_event(
    db: &Db,
    access: &ServerAccess,
    origin: &ActivityOrigin,
    event: &str,
    properties: Value,
) {
    let api_key_id = match origin.key_identifier.as_deref() {
        Some(identifier) => match db.api_keys().find_by_identifier(identifier).await {
            Ok(Some(key)) if key.user_id == access.user.id => Some(key.id),
            _ => None,
        },
        None => None,
    };
    let entry = NewActivity {
        event: event.to_owned(),
        ip: origin.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        actor_id: Some(access.user.id),
        api_key_id,
        server_id: Some(access.server.id),
        properties: if properties.is_object() {
            properties.to_string()
        } else {
            "{}".to_owned()
        },
        ..NewActivity::default()
    };
    if let Err(e) = db.activity().log(&[entry]).await {
        tracing::warn!(server.uuid = %access.server.uuid, activity.event = %event, error.message = %e, "could not write an activity entry");
    }
}

// ---- permissions ---------------------------------------------------------------------------

/// One group of permission texts: name, description, and each key with its description.
type PermissionGroupText = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The descriptions of Pterodactyl's `Permission::$permissions`, group by group.
const PERMISSION_TEXT: &[PermissionGroupText] = &[
    (
        "websocket",
        "Allows the user to connect to the server websocket, giving them access to view console output and realtime server stats.",
        &[(
            "connect",
            "Allows a user to connect to the websocket instance for a server to stream the console.",
        )],
    ),
    (
        "control",
        "Permissions that control a user's ability to control the power state of a server, or send commands.",
        &[
            (
                "console",
                "Allows a user to send commands to the server instance via the console.",
            ),
            (
                "start",
                "Allows a user to start the server if it is stopped.",
            ),
            ("stop", "Allows a user to stop a server if it is running."),
            (
                "restart",
                "Allows a user to perform a server restart. This allows them to start the server if it is offline, but not put the server in a completely stopped state.",
            ),
        ],
    ),
    (
        "user",
        "Permissions that allow a user to manage other subusers on a server. They will never be able to edit their own account, or assign permissions they do not have themselves.",
        &[
            (
                "create",
                "Allows a user to create new subusers for the server.",
            ),
            (
                "read",
                "Allows the user to view subusers and their permissions for the server.",
            ),
            ("update", "Allows a user to modify other subusers."),
            (
                "delete",
                "Allows a user to delete a subuser from the server.",
            ),
        ],
    ),
    (
        "file",
        "Permissions that control a user's ability to modify the filesystem for this server.",
        &[
            (
                "create",
                "Allows a user to create additional files and folders via the Panel or direct upload.",
            ),
            (
                "read",
                "Allows a user to view the contents of a directory, but not view the contents of or download files.",
            ),
            (
                "read-content",
                "Allows a user to view the contents of a given file. This will also allow the user to download files.",
            ),
            (
                "update",
                "Allows a user to update the contents of an existing file or directory.",
            ),
            ("delete", "Allows a user to delete files or directories."),
            (
                "archive",
                "Allows a user to archive the contents of a directory as well as decompress existing archives on the system.",
            ),
            (
                "sftp",
                "Allows a user to connect to SFTP and manage server files using the other assigned file permissions.",
            ),
        ],
    ),
    (
        "backup",
        "Permissions that control a user's ability to generate and manage server backups.",
        &[
            (
                "create",
                "Allows a user to create new backups for this server.",
            ),
            (
                "read",
                "Allows a user to view all backups that exist for this server.",
            ),
            ("delete", "Allows a user to remove backups from the system."),
            (
                "download",
                "Allows a user to download a backup for the server. Danger: this allows a user to access all files for the server in the backup.",
            ),
            (
                "restore",
                "Allows a user to restore a backup for the server. Danger: this allows the user to delete all of the server files in the process.",
            ),
        ],
    ),
    (
        "allocation",
        "Permissions that control a user's ability to modify the port allocations for this server.",
        &[
            (
                "read",
                "Allows a user to view all allocations currently assigned to this server. Users with any level of access to this server can always view the primary allocation.",
            ),
            (
                "create",
                "Allows a user to assign additional allocations to the server.",
            ),
            (
                "update",
                "Allows a user to change the primary server allocation and attach notes to each allocation.",
            ),
            (
                "delete",
                "Allows a user to delete an allocation from the server.",
            ),
        ],
    ),
    (
        "startup",
        "Permissions that control a user's ability to view this server's startup parameters.",
        &[
            (
                "read",
                "Allows a user to view the startup variables for a server.",
            ),
            (
                "update",
                "Allows a user to modify the startup variables for the server.",
            ),
            (
                "docker-image",
                "Allows a user to modify the Docker image used when running the server.",
            ),
        ],
    ),
    (
        "database",
        "Permissions that control a user's access to the database management for this server.",
        &[
            (
                "create",
                "Allows a user to create a new database for this server.",
            ),
            (
                "read",
                "Allows a user to view the database associated with this server.",
            ),
            (
                "update",
                "Allows a user to rotate the password on a database instance. If the user does not have the view_password permission they will not see the updated password.",
            ),
            (
                "delete",
                "Allows a user to remove a database instance from this server.",
            ),
            (
                "view_password",
                "Allows a user to view the password associated with a database instance for this server.",
            ),
        ],
    ),
    (
        "schedule",
        "Permissions that control a user's access to the schedule management for this server.",
        &[
            (
                "create",
                "Allows a user to create new schedules for this server.",
            ),
            (
                "read",
                "Allows a user to view schedules and the tasks associated with them for this server.",
            ),
            (
                "update",
                "Allows a user to update schedules and schedule tasks for this server.",
            ),
            (
                "delete",
                "Allows a user to delete schedules for this server.",
            ),
        ],
    ),
    (
        "settings",
        "Permissions that control a user's access to the settings for this server.",
        &[
            (
                "rename",
                "Allows a user to rename this server and change the description of it.",
            ),
            (
                "reinstall",
                "Allows a user to trigger a reinstall of this server.",
            ),
        ],
    ),
    (
        "activity",
        "Permissions that control a user's access to the server activity logs.",
        &[(
            "read",
            "Allows a user to view the activity logs for the server.",
        )],
    ),
];

/// `GET /api/client/permissions`: `{"object":"system_permissions","attributes":{"permissions":
/// {<group>:{"description","keys":{<key>:<description>}}}}}`, with exactly the keys of
/// [`aerie_proto::permissions::GROUPS`].
pub fn system_permissions() -> Value {
    let mut groups = Map::new();
    for (group, actions) in aerie_proto::permissions::GROUPS {
        let text = PERMISSION_TEXT.iter().find(|(g, _, _)| g == group);
        let mut keys = Map::new();
        for action in *actions {
            let described = text
                .and_then(|(_, _, keys)| keys.iter().find(|(k, _)| k == action))
                .map_or("", |(_, d)| d);
            keys.insert((*action).to_owned(), described.into());
        }
        groups.insert(
            (*group).to_owned(),
            json!({
                "description": text.map_or("", |(_, d, _)| d),
                "keys": keys,
            }),
        );
    }
    json!({
        "object": "system_permissions",
        "attributes": {"permissions": groups},
    })
}

/// What a user may do on a server as wings and the UI see it (Pterodactyl's
/// `GetUserPermissionsService`): `["*"]` for the owner and administrators, administrators
/// also get `admin.websocket.errors`, `.install` and `.transfer`; a subuser their keys.
pub fn user_permissions(access: &ServerAccess) -> Vec<String> {
    if access.is_owner || access.user.root_admin {
        let mut p = vec!["*".to_owned()];
        if access.user.root_admin {
            p.extend(
                [
                    "admin.websocket.errors",
                    "admin.websocket.install",
                    "admin.websocket.transfer",
                ]
                .map(str::to_owned),
            );
        }
        return p;
    }
    access.permissions.clone()
}

// ---- transformers --------------------------------------------------------------------------

/// The client `allocation` attributes: `id, ip, ip_alias, port, notes, is_default`.
pub fn allocation_attributes(a: &Allocation, primary_id: i64) -> Value {
    json!({
        "id": a.id,
        "ip": a.ip,
        "ip_alias": a.ip_alias,
        "port": a.port,
        "notes": a.notes,
        "is_default": a.id == primary_id,
    })
}

/// The client `egg_variable` attributes: `name, description, env_variable, default_value,
/// server_value, is_editable, rules`.
pub fn egg_variable_attributes(v: &ServerVariableView) -> Value {
    json!({
        "name": v.variable.name,
        "description": v.variable.description.clone().unwrap_or_default(),
        "env_variable": v.variable.env_variable,
        "default_value": v.variable.default_value,
        "server_value": v.server_value,
        "is_editable": v.variable.user_editable,
        "rules": v.variable.rules.clone().unwrap_or_default(),
    })
}

/// The startup command with its placeholders filled (Pterodactyl's
/// `StartupCommandService`): `{{SERVER_MEMORY}}`, `{{SERVER_IP}}`, `{{SERVER_PORT}}`, then
/// every variable; a variable users may not see, or any variable when `hide_all`, reads
/// `[hidden]`.
pub fn invocation(
    server: &Server,
    primary: Option<&Allocation>,
    variables: &[ServerVariableView],
    hide_all: bool,
) -> String {
    let mut out = server
        .startup
        .replace("{{SERVER_MEMORY}}", &server.memory.to_string());
    if let Some(a) = primary {
        out = out
            .replace("{{SERVER_IP}}", &a.ip)
            .replace("{{SERVER_PORT}}", &a.port.to_string());
    }
    for v in variables {
        let value = if v.variable.user_viewable && !hide_all {
            v.effective_value().unwrap_or_default().to_owned()
        } else {
            "[hidden]".to_owned()
        };
        out = out.replace(&format!("{{{{{}}}}}", v.variable.env_variable), &value);
    }
    out
}

/// The `stats` attributes from wings' `GET /api/servers/{uuid}` answer (Pterodactyl's
/// `StatsTransformer`; missing values read as `stopped`, `false` and `0`).
pub fn stats_attributes(details: &Value) -> Value {
    let num = |path: &str| details.pointer(path).cloned().unwrap_or(json!(0));
    json!({
        "current_state": details.get("state").and_then(Value::as_str).unwrap_or("stopped"),
        "is_suspended": details.get("is_suspended").and_then(Value::as_bool).unwrap_or(false),
        "resources": {
            "memory_bytes": num("/utilization/memory_bytes"),
            "cpu_absolute": num("/utilization/cpu_absolute"),
            "disk_bytes": num("/utilization/disk_bytes"),
            "network_rx_bytes": num("/utilization/network/rx_bytes"),
            "network_tx_bytes": num("/utilization/network/tx_bytes"),
            "uptime": num("/utilization/uptime"),
        },
    })
}

/// The `file_object` attributes from one of wings' `Stat` objects (Pterodactyl's
/// `FileObjectTransformer`).
pub fn file_object_attributes(stat: &Value) -> Value {
    let text = |k: &str| stat.get(k).and_then(Value::as_str);
    json!({
        "name": stat.get("name").cloned().unwrap_or(Value::Null),
        "mode": stat.get("mode").cloned().unwrap_or(Value::Null),
        "mode_bits": stat.get("mode_bits").cloned().unwrap_or(Value::Null),
        "size": stat.get("size").cloned().unwrap_or(json!(0)),
        "is_file": stat.get("file").and_then(Value::as_bool).unwrap_or(true),
        "is_symlink": stat.get("symlink").and_then(Value::as_bool).unwrap_or(false),
        "mimetype": text("mime").unwrap_or("application/octet-stream"),
        "created_at": atom_timestamp(text("created")),
        "modified_at": atom_timestamp(text("modified")),
    })
}

/// The client `user` attributes (a subuser, an activity entry's actor): `uuid, username,
/// email, image, 2fa_enabled, created_at`.
pub fn user_attributes(user: &User) -> Map<String, Value> {
    use md5::Digest as _;
    let hash = hex::encode(md5::Md5::digest(
        user.email.trim().to_lowercase().as_bytes(),
    ));
    let v = json!({
        "uuid": user.uuid,
        "username": user.username,
        "email": user.email,
        "image": format!("https://gravatar.com/avatar/{hash}"),
        "2fa_enabled": user.use_totp,
        "created_at": atom_timestamp(Some(&user.created_at)),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Property keys the event's description already shows; any other key is "additional
/// metadata" (Pterodactyl's `hasAdditionalMetadata` reads them from the translation).
const DESCRIBED_PROPERTIES: &[&str] = &[
    "ip",
    "useragent",
    "old",
    "new",
    "file",
    "files",
    "directory",
    "name",
    "to",
    "from",
    "url",
    "command",
    "variable",
    "allocation",
    "count",
    "identifier",
];

/// The `activity_log` attributes as `viewer` sees them (Pterodactyl's
/// `ActivityLogTransformer`): `id` (sha1 of the numeric id), `batch, event, is_api, ip`
/// (only for the actor themselves and administrators), `description, properties` (an
/// `ip` property of someone else's entry reads `[hidden]`; a single `*_count` becomes
/// `count`), `has_additional_metadata, timestamp`.
pub fn activity_attributes(entry: &Activity, viewer: &User) -> Value {
    use sha1::Digest as _;
    let own = entry.actor_id == Some(viewer.id);
    let mut properties: Map<String, Value> =
        serde_json::from_str(&entry.properties).unwrap_or_default();
    if !own && properties.contains_key("ip") {
        properties.insert("ip".into(), "[hidden]".into());
    }
    if let Some(Value::String(d)) = properties.get("directory") {
        let normal = format!("/{}/", d.trim_matches('/')).replace("//", "/");
        properties.insert("directory".into(), normal.into());
    }
    let counts: Vec<String> = properties
        .keys()
        .filter(|k| k.ends_with("_count"))
        .cloned()
        .collect();
    if let [only] = counts.as_slice()
        && let Some(v) = properties.remove(only)
    {
        properties.insert("count".into(), v);
    }
    let has_additional_metadata = properties
        .keys()
        .any(|k| !DESCRIBED_PROPERTIES.contains(&k.as_str()));
    json!({
        "id": hex::encode(sha1::Sha1::digest(entry.id.to_string().as_bytes())),
        "batch": entry.batch,
        "event": entry.event,
        "is_api": entry.api_key_id.is_some(),
        "ip": if own || viewer.root_admin { Value::from(entry.ip.clone()) } else { Value::Null },
        "description": entry.description,
        "properties": Value::Object(properties),
        "has_additional_metadata": has_additional_metadata,
        "timestamp": atom_timestamp(Some(&entry.timestamp)),
    })
}

/// Which optional includes of the client `server` were asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerIncludes {
    /// `include=egg`.
    pub egg: bool,
    /// `include=subusers`.
    pub subusers: bool,
}

/// Everything the client `server` transformer needs besides the server, loaded once for a
/// page of servers.
struct Loaded {
    nodes: HashMap<i64, Node>,
    eggs: HashMap<i64, Egg>,
    allocations: HashMap<i64, Vec<Allocation>>,
    variables: HashMap<i64, Vec<ServerVariableView>>,
    transferring: HashSet<i64>,
}

async fn load(db: &Db, servers: &[Server]) -> Result<Loaded, Error> {
    let mut node_ids: Vec<i64> = servers.iter().map(|s| s.node_id).collect();
    node_ids.sort_unstable();
    node_ids.dedup();
    let nodes = db
        .nodes()
        .find_many(&node_ids)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let mut eggs = HashMap::new();
    for s in servers {
        if let std::collections::hash_map::Entry::Vacant(slot) = eggs.entry(s.egg_id)
            && let Some(egg) = db.eggs().find(s.egg_id).await.map_err(db_err)?
        {
            slot.insert(egg);
        }
    }
    let ids: Vec<i64> = servers.iter().map(|s| s.id).collect();
    let mut allocations: HashMap<i64, Vec<Allocation>> = HashMap::new();
    for a in db
        .allocations()
        .list_by_servers(&ids)
        .await
        .map_err(db_err)?
    {
        if let Some(sid) = a.server_id {
            allocations.entry(sid).or_default().push(a);
        }
    }
    let variables = super::servers::variables_of(db, servers).await?;
    let mut transferring = HashSet::new();
    for s in servers {
        if db
            .servers()
            .active_transfer(s.id)
            .await
            .map_err(db_err)?
            .is_some()
        {
            transferring.insert(s.id);
        }
    }
    Ok(Loaded {
        nodes,
        eggs,
        allocations,
        variables,
        transferring,
    })
}

/// The primary allocation among a server's allocations (or looked up when it is not
/// assigned to the server, which only an inconsistent database allows).
async fn primary_of(
    db: &Db,
    server: &Server,
    allocations: &[Allocation],
) -> Result<Option<Allocation>, Error> {
    if let Some(a) = allocations.iter().find(|a| a.id == server.allocation_id) {
        return Ok(Some(a.clone()));
    }
    db.allocations()
        .find(server.allocation_id)
        .await
        .map_err(db_err)
}

async fn subusers_list(db: &Db, server: &Server) -> Result<List, Error> {
    let mut items = Vec::new();
    for s in db
        .subusers()
        .list_for_server(server.id)
        .await
        .map_err(db_err)?
    {
        if let Some(u) = db.users().find(s.user_id).await.map_err(db_err)? {
            let mut attrs = user_attributes(&u);
            attrs.insert("permissions".into(), json!(s.permissions));
            items.push(Item::new("server_subuser", Value::Object(attrs)));
        }
    }
    Ok(List::new(items))
}

async fn server_item_loaded(
    db: &Db,
    viewer: &User,
    server: &Server,
    permissions: &[String],
    includes: ServerIncludes,
    loaded: &Loaded,
) -> Result<Item, Error> {
    let node = loaded
        .nodes
        .get(&server.node_id)
        .ok_or_else(|| Error::internal(format!("server {} has no node", server.id)))?;
    let egg = loaded.eggs.get(&server.egg_id);
    let allocations = loaded
        .allocations
        .get(&server.id)
        .map_or(&[][..], Vec::as_slice);
    let variables = loaded
        .variables
        .get(&server.id)
        .map_or(&[][..], Vec::as_slice);
    let primary = primary_of(db, server, allocations).await?;
    let startup_read = can(permissions, "startup.read");
    let egg_features = egg
        .filter(|e| e.features.is_some())
        .map_or(Value::Null, |e| json!(super::eggs::features(e)));
    let attributes = json!({
        "server_owner": viewer.id == server.owner_id,
        "identifier": server.uuid_short,
        "internal_id": server.id,
        "uuid": server.uuid,
        "name": server.name,
        "node": node.name,
        "is_node_under_maintenance": node.maintenance_mode,
        "sftp_details": {"ip": node.fqdn, "port": node.daemon_sftp},
        "description": server.description.clone().unwrap_or_default(),
        "limits": {
            "memory": server.memory,
            "swap": server.swap,
            "disk": server.disk,
            "io": server.io,
            "cpu": server.cpu,
            "threads": server.threads,
            "oom_disabled": server.oom_disabled,
        },
        "invocation": invocation(server, primary.as_ref(), variables, !startup_read),
        "docker_image": server.image,
        "egg_features": egg_features,
        "feature_limits": {
            "databases": server.database_limit,
            "allocations": server.allocation_limit,
            "backups": server.backup_limit,
        },
        "status": server.status,
        "is_suspended": server.is_suspended(),
        "is_installing": !server.is_installed(),
        "is_transferring": loaded.transferring.contains(&server.id),
    });
    let allocation_list = if can(permissions, "allocation.read") {
        List::new(
            allocations
                .iter()
                .map(|a| Item::new("allocation", allocation_attributes(a, server.allocation_id))),
        )
    } else {
        List::new(primary.iter().map(|a| {
            let mut hidden = a.clone();
            hidden.notes = None;
            Item::new(
                "allocation",
                allocation_attributes(&hidden, server.allocation_id),
            )
        }))
    };
    let variable_list: Value = if startup_read {
        List::new(
            variables
                .iter()
                .filter(|v| v.variable.user_viewable)
                .map(|v| Item::new("egg_variable", egg_variable_attributes(v))),
        )
        .into()
    } else {
        null_resource()
    };
    let mut item = Item::new("server", attributes)
        .include("allocations", allocation_list)
        .include("variables", variable_list);
    if includes.egg {
        let egg_item: Value = match egg {
            Some(e) => Item::new("egg", json!({"uuid": e.uuid, "name": e.name})).into(),
            None => null_resource(),
        };
        item = item.include("egg", egg_item);
    }
    if includes.subusers {
        let subusers: Value = if can(permissions, "user.read") {
            subusers_list(db, server).await?.into()
        } else {
            null_resource()
        };
        item = item.include("subusers", subusers);
    }
    Ok(item)
}

/// The client `server` item of `access`'s server, with the default includes (allocations,
/// variables) and the requested ones.
///
/// # Errors
/// Database errors.
pub async fn server_item(
    db: &Db,
    access: &ServerAccess,
    includes: ServerIncludes,
) -> Result<Item, Error> {
    let servers = [access.server.clone()];
    let loaded = load(db, &servers).await?;
    server_item_loaded(
        db,
        &access.user,
        &access.server,
        &access.permissions,
        includes,
        &loaded,
    )
    .await
}

// ---- server list ---------------------------------------------------------------------------

/// The `type` of a client server list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListType {
    /// Owned or subuser servers (the default, and any unknown value).
    Accessible,
    /// `owner`.
    Owner,
    /// `admin`.
    Admin,
    /// `admin-all`.
    AdminAll,
}

impl ListType {
    /// Reads the `type` parameter.
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            Some("owner") => ListType::Owner,
            Some("admin") => ListType::Admin,
            Some("admin-all") => ListType::AdminAll,
            _ => ListType::Accessible,
        }
    }
}

/// One page of `user`'s client server list as items, and the number of matching servers
/// (Pterodactyl's `ClientController::index`). `admin` and `admin-all` list nothing for a
/// user who is not an administrator.
///
/// # Errors
/// Database errors.
pub async fn list_servers(
    db: &Db,
    user: &User,
    kind: ListType,
    filter: ClientServerFilter,
    includes: ServerIncludes,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Item>, i64), Error> {
    let scope = match kind {
        ListType::Accessible => ClientServerScope::Accessible(user.id),
        ListType::Owner => ClientServerScope::Owned(user.id),
        ListType::Admin if user.root_admin => ClientServerScope::Others(user.id),
        ListType::AdminAll if user.root_admin => ClientServerScope::All,
        ListType::Admin | ListType::AdminAll => ClientServerScope::Nothing,
    };
    let (ids, total) = db
        .client_server_ids(&ClientServerQuery {
            scope,
            filter,
            offset,
            limit,
        })
        .await
        .map_err(db_err)?;
    let servers = db.servers().find_many(&ids).await.map_err(db_err)?;
    let loaded = load(db, &servers).await?;
    let mut items = Vec::with_capacity(servers.len());
    for s in &servers {
        let permissions = if s.owner_id == user.id || user.root_admin {
            vec!["*".to_owned()]
        } else {
            db.subusers()
                .find_for(user.id, s.id)
                .await
                .map_err(db_err)?
                .map(|x| x.permissions)
                .unwrap_or_default()
        };
        items.push(server_item_loaded(db, user, s, &permissions, includes, &loaded).await?);
    }
    Ok((items, total))
}

// ---- signed tokens -------------------------------------------------------------------------

#[derive(Serialize)]
struct NodeClaims<'a, C: Serialize> {
    iss: &'a str,
    aud: [&'a str; 1],
    jti: &'a str,
    iat: i64,
    nbf: i64,
    exp: i64,
    user_uuid: &'a str,
    user_id: i64,
    unique_id: String,
    #[serde(flatten)]
    custom: C,
}

/// The token id of `user`'s tokens for `server_uuid`: md5 of `<user id><server uuid>`
/// (what `ws/deny` revokes).
pub fn token_id(user_id: i64, server_uuid: &str) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(
        format!("{user_id}{server_uuid}").as_bytes(),
    ))
}

/// Signs `custom` claims for `node` the way Pterodactyl's `NodeJWTService` does: HS256 with
/// the node's token, `iss` the panel URL, `aud` the node's address, `jti` (also in the
/// header), `iat`, `nbf = iat - 300`, `exp = iat + ttl`, the user and a random `unique_id`.
fn sign_for_node<C: Serialize>(
    panel_url: &str,
    node: &Node,
    user: &User,
    server_uuid: &str,
    ttl_secs: i64,
    now: i64,
    custom: C,
) -> Result<String, Error> {
    let jti = token_id(user.id, server_uuid);
    let address = node_base_url(node);
    let claims = NodeClaims {
        iss: panel_url,
        aud: [&address],
        jti: &jti,
        iat: now,
        nbf: now - 300,
        exp: now + ttl_secs,
        user_uuid: &user.uuid,
        user_id: user.id,
        unique_id: random_alnum(16),
        custom,
    };
    aerie_jwt::sign(&claims, node.daemon_token.as_bytes(), Some(&jti)).map_err(Error::internal)
}

/// The websocket credentials for `access` (Pterodactyl's `WebsocketController`): a
/// 10-minute token with `server_uuid` and the [`user_permissions`], and the socket URL
/// `ws(s)://<node>/api/servers/<uuid>/ws`. During a transfer only administrators get one
/// (they need `admin.websocket.transfer`), pointing at the new node once the archive moved.
///
/// # Errors
/// 403 without `websocket.connect`, or during a transfer without the transfer permission.
pub async fn websocket_credentials(
    db: &Db,
    panel_url: &str,
    access: &ServerAccess,
    now: i64,
) -> Result<(String, String), Error> {
    if !access.can("websocket.connect") {
        return Err(Error::Forbidden(
            "You do not have permission to connect to this server's websocket (requires `websocket.connect`).".into(),
        ));
    }
    let mut permissions = user_permissions(access);
    // Aerie lets owners (not only administrators, as Pterodactyl does) watch their own
    // server's install output: the console shows what the egg's script prints instead of
    // a silent "installing" state. Wings gates it on this key, as Pterodactyl Wings does.
    if access.is_owner && !permissions.iter().any(|p| p == "admin.websocket.install") {
        permissions.push("admin.websocket.install".to_owned());
    }
    let mut node = node_of(db, &access.server).await?;
    if let Some(t) = db
        .servers()
        .active_transfer(access.server.id)
        .await
        .map_err(db_err)?
    {
        if !permissions.iter().any(|p| p == "admin.websocket.transfer") {
            return Err(Error::Forbidden(
                "You do not have permission to view server transfer logs.".into(),
            ));
        }
        if t.archived {
            node = db
                .nodes()
                .find(t.new_node)
                .await
                .map_err(db_err)?
                .ok_or_else(|| Error::internal("transfer target node is missing"))?;
        }
    }
    #[derive(Serialize)]
    struct Ws<'a> {
        server_uuid: &'a str,
        permissions: &'a [String],
    }
    let token = sign_for_node(
        panel_url,
        &node,
        &access.user,
        &access.server.uuid,
        WEBSOCKET_TOKEN_TTL_SECS,
        now,
        Ws {
            server_uuid: &access.server.uuid,
            permissions: &permissions,
        },
    )?;
    let base = node_base_url(&node);
    let socket = match base.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => base,
    };
    Ok((
        token,
        format!("{socket}/api/servers/{}/ws", access.server.uuid),
    ))
}

/// A signed, single-use URL for wings' `GET /download/file` (15 minutes).
///
/// # Errors
/// Database errors; signing failures.
pub async fn download_url(
    db: &Db,
    panel_url: &str,
    access: &ServerAccess,
    file_path: &str,
    now: i64,
) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Download<'a> {
        file_path: &'a str,
        server_uuid: &'a str,
    }
    let node = node_of(db, &access.server).await?;
    let token = sign_for_node(
        panel_url,
        &node,
        &access.user,
        &access.server.uuid,
        FILE_TOKEN_TTL_SECS,
        now,
        Download {
            file_path,
            server_uuid: &access.server.uuid,
        },
    )?;
    Ok(format!(
        "{}/download/file?token={token}",
        node_base_url(&node)
    ))
}

/// A signed, single-use URL for wings' `POST /upload/file` (15 minutes).
///
/// # Errors
/// Database errors; signing failures.
pub async fn upload_url(
    db: &Db,
    panel_url: &str,
    access: &ServerAccess,
    now: i64,
) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Upload<'a> {
        server_uuid: &'a str,
    }
    let node = node_of(db, &access.server).await?;
    let token = sign_for_node(
        panel_url,
        &node,
        &access.user,
        &access.server.uuid,
        FILE_TOKEN_TTL_SECS,
        now,
        Upload {
            server_uuid: &access.server.uuid,
        },
    )?;
    Ok(format!(
        "{}/upload/file?token={token}",
        node_base_url(&node)
    ))
}

// ---- resources, power, console -------------------------------------------------------------

/// The server's `stats` attributes, from `cache` when fresh, else from wings.
///
/// # Errors
/// Wings errors.
pub async fn resources(db: &Db, cache: &ResourceCache, server: &Server) -> Result<Value, Error> {
    if let Some(details) = cache.get(&server.uuid) {
        return Ok(stats_attributes(&details));
    }
    let details: Value = wings_for(db, server)
        .await?
        .request_json(Method::GET, &format!("/api/servers/{}", server.uuid), None)
        .await?;
    cache.put(&server.uuid, details.clone());
    Ok(stats_attributes(&details))
}

/// Sends `command` to the server's console.
///
/// # Errors
/// 502 "Server must be online in order to send commands." when wings says the server is
/// not running; other wings errors.
pub async fn send_command(db: &Db, server: &Server, command: &str) -> Result<(), ClientError> {
    let body = json!({ "commands": [command] });
    match wings_for(db, server)
        .await?
        .request(
            Method::POST,
            &format!("/api/servers/{}/commands", server.uuid),
            Some(&body),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.status() == Some(502) => Err(ClientError::Display {
            code: "HttpException",
            status: StatusCode::BAD_GATEWAY,
            detail: "Server must be online in order to send commands.".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

// ---- startup -------------------------------------------------------------------------------

/// The server's variables (all of them, in display order) and its primary allocation.
///
/// # Errors
/// Database errors.
pub async fn startup_context(
    db: &Db,
    server: &Server,
) -> Result<(Vec<ServerVariableView>, Option<Allocation>), Error> {
    let vars = db
        .servers()
        .variables(server.id, server.egg_id)
        .await
        .map_err(db_err)?;
    let allocations = db
        .allocations()
        .list_by_server(server.id)
        .await
        .map_err(db_err)?;
    let primary = primary_of(db, server, &allocations).await?;
    Ok((vars, primary))
}

/// The egg's images (label → image) of a server.
///
/// # Errors
/// Database errors.
pub async fn egg_images(db: &Db, server: &Server) -> Result<Map<String, Value>, Error> {
    let egg = db
        .eggs()
        .find(server.egg_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal(format!("server {} has no egg", server.id)))?;
    Ok(super::eggs::docker_images(&egg)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

/// The outcome of a variable update: the variable (with the new value as given) and the
/// startup command it leads to.
#[derive(Debug, Clone)]
pub struct VariableUpdate {
    /// The variable, `server_value` as the request gave it (`None` for empty).
    pub variable: ServerVariableView,
    /// The value stored before.
    pub old: Option<String>,
    /// The startup command with the new value.
    pub startup_command: String,
}

/// `PUT /startup/variable`: sets the user-editable variable `key` to `value` after checking
/// it against the variable's rules (errors name the field `value`), then has wings sync.
///
/// # Errors
/// 400 for a variable that does not exist or is not visible, and for a read-only one;
/// 422 when the value breaks the rules.
pub async fn update_variable(
    db: &Db,
    server: &Server,
    key: &str,
    value: Option<&str>,
) -> Result<VariableUpdate, ClientError> {
    let (vars, primary) = startup_context(db, server).await?;
    let Some(found) = vars
        .iter()
        .find(|v| v.variable.env_variable == key)
        .filter(|v| v.variable.user_viewable)
        .cloned()
    else {
        return Err(Error::BadRequest(
            "The environment variable you are trying to edit does not exist.".into(),
        )
        .into());
    };
    if !found.variable.user_editable {
        return Err(Error::BadRequest(
            "The environment variable you are trying to edit is read-only.".into(),
        )
        .into());
    }
    let rules = super::rules::RuleSet::parse(found.variable.rules.as_deref().unwrap_or(""))
        .map_err(|e| {
            Error::validation(
                "value",
                &e.rule,
                format!(
                    "The validation rules of the value cannot be applied: {}.",
                    e.reason
                ),
            )
        })?;
    rules
        .check(value)
        .map_err(|f| Error::validation("value", &f.rule, f.message("value")))?;
    db.servers()
        .set_variables(
            server.id,
            &[(found.variable.id, value.unwrap_or_default().to_owned())],
        )
        .await
        .map_err(db_err)?;
    let updated: Vec<ServerVariableView> = vars
        .iter()
        .map(|v| {
            if v.variable.id == found.variable.id {
                ServerVariableView {
                    variable: v.variable.clone(),
                    server_value: Some(value.unwrap_or_default().to_owned()),
                }
            } else {
                v.clone()
            }
        })
        .collect();
    let startup_command = invocation(server, primary.as_ref(), &updated, false);
    sync_quietly(db, server).await;
    Ok(VariableUpdate {
        old: found.server_value.clone(),
        variable: ServerVariableView {
            variable: found.variable,
            server_value: value.map(str::to_owned),
        },
        startup_command,
    })
}

// ---- settings ------------------------------------------------------------------------------

/// `settings/rename`: the new name, and the description when given (`None` keeps it).
/// Returns the server as it was before. Wings syncs afterwards.
///
/// # Errors
/// Database errors.
pub async fn rename(
    db: &Db,
    server: &Server,
    name: &str,
    description: Option<String>,
) -> Result<Server, Error> {
    let patch = ServerPatch {
        name: Some(name.to_owned()),
        description: description.map(Some),
        ..ServerPatch::default()
    };
    let updated = db
        .servers()
        .update(server.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    sync_quietly(db, &updated).await;
    Ok(updated)
}

/// `settings/docker-image`: switches to another of the egg's images. A server whose image
/// an administrator set by hand (not one of the egg's) cannot be changed here.
///
/// # Errors
/// 400 for a hand-set image, 422 for an image the egg does not offer.
pub async fn set_docker_image(
    db: &Db,
    server: &Server,
    image: Option<&str>,
) -> Result<(), ClientError> {
    let images = egg_images(db, server).await?;
    let offered: Vec<&str> = images.values().filter_map(Value::as_str).collect();
    if !offered.contains(&server.image.as_str()) {
        return Err(Error::BadRequest(
            "This server's Docker image has been manually set by an administrator and cannot be updated."
                .into(),
        )
        .into());
    }
    let image = match image {
        Some(i) if !i.trim().is_empty() => i,
        _ => {
            return Err(Error::validation(
                "docker_image",
                "required",
                "The docker image field is required.",
            )
            .into());
        }
    };
    if !offered.contains(&image) {
        return Err(Error::validation(
            "docker_image",
            "in",
            "The selected docker image is invalid.",
        )
        .into());
    }
    let patch = ServerPatch {
        image: Some(image.to_owned()),
        ..ServerPatch::default()
    };
    let updated = db
        .servers()
        .update(server.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    sync_quietly(db, &updated).await;
    Ok(())
}

// ---- allocations ---------------------------------------------------------------------------

/// The allocation `id` of `server`; 404 when it is not one of the server's.
///
/// # Errors
/// 404; database errors.
pub async fn server_allocation(db: &Db, server: &Server, id: &str) -> Result<Allocation, Error> {
    let id: i64 = id
        .trim()
        .parse()
        .ok()
        .filter(|n: &i64| *n > 0)
        .ok_or_else(not_found)?;
    db.allocations()
        .find(id)
        .await
        .map_err(db_err)?
        .filter(|a| a.server_id == Some(server.id))
        .ok_or_else(not_found)
}

async fn setting(db: &Db, key: &str) -> Result<Option<String>, Error> {
    Ok(db
        .settings()
        .get(key)
        .await
        .map_err(db_err)?
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty()))
}

/// `POST /network/allocations` (Pterodactyl's `FindAssignableAllocationService`): a free
/// allocation on the primary IP within the configured port range, else a new one on a port
/// of the range nobody uses yet, assigned to the server.
///
/// # Errors
/// 400 `DisplayException` when the server is at its allocation limit (or has none),
/// 400 `AutoAllocationNotEnabledException` when the feature is off, 400
/// `NoAutoAllocationSpaceAvailableException` when the range is full or not configured.
pub async fn assign_allocation(db: &Db, server: &Server) -> Result<Allocation, ClientError> {
    let count = db
        .allocations()
        .count_by_server(server.id)
        .await
        .map_err(db_err)?;
    if server.allocation_limit.is_none_or(|limit| count >= limit) {
        return Err(ClientError::display(
            "DisplayException",
            "Cannot assign additional allocations to this server: limit has been reached.",
        ));
    }
    let enabled = setting(db, ALLOCATIONS_ENABLED_SETTING)
        .await?
        .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes" | "on"));
    if !enabled {
        return Err(ClientError::display(
            "AutoAllocationNotEnabledException",
            "Server auto-allocation is not enabled for this instance.",
        ));
    }
    let no_space = || {
        ClientError::display(
            "NoAutoAllocationSpaceAvailableException",
            "Cannot assign additional allocation: no more space available on node.",
        )
    };
    let port = |v: Option<String>| v.and_then(|p| p.parse::<i64>().ok());
    let (Some(start), Some(end)) = (
        port(setting(db, ALLOCATIONS_RANGE_START_SETTING).await?),
        port(setting(db, ALLOCATIONS_RANGE_END_SETTING).await?),
    ) else {
        return Err(no_space());
    };
    let range = PortRange {
        start: start.min(end),
        end: start.max(end),
    };
    let primary = db
        .allocations()
        .find(server.allocation_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| {
            Error::internal(format!("server {} has no primary allocation", server.id))
        })?;
    // Free ones first; a concurrent request may take one, so try a few.
    for _ in 0..3 {
        let free = db
            .allocations()
            .free_on_node(server.node_id, Some(&primary.ip), Some(range))
            .await
            .map_err(db_err)?;
        let chosen = if free.is_empty() {
            let used: HashSet<i64> = db
                .allocations()
                .ports_in_use(server.node_id, &primary.ip, range)
                .await
                .map_err(db_err)?
                .into_iter()
                .collect();
            let available: Vec<i64> = (range.start..=range.end)
                .filter(|p| !used.contains(p))
                .collect();
            let Some(port) = pick(&available) else {
                return Err(no_space());
            };
            db.allocations()
                .insert_ignore(
                    server.node_id,
                    &primary.ip,
                    primary.ip_alias.as_deref(),
                    &[port],
                )
                .await
                .map_err(db_err)?;
            db.allocations()
                .free_on_node(
                    server.node_id,
                    Some(&primary.ip),
                    Some(PortRange {
                        start: port,
                        end: port,
                    }),
                )
                .await
                .map_err(db_err)?
                .into_iter()
                .next()
        } else {
            pick(&free)
        };
        let Some(chosen) = chosen else { continue };
        if db
            .allocations()
            .assign(&[chosen.id], server.id)
            .await
            .map_err(db_err)?
            == 1
        {
            let assigned = db
                .allocations()
                .find(chosen.id)
                .await
                .map_err(db_err)?
                .ok_or_else(not_found)?;
            sync_quietly(db, server).await;
            return Ok(assigned);
        }
    }
    Err(no_space())
}

fn pick<T: Clone>(items: &[T]) -> Option<T> {
    use rand::Rng;
    if items.is_empty() {
        return None;
    }
    let i = rand::rng().random_range(0..items.len());
    items.get(i).cloned()
}

/// Sets an allocation's notes; returns it as stored.
///
/// # Errors
/// Database errors.
pub async fn set_allocation_notes(
    db: &Db,
    allocation: &Allocation,
    notes: Option<&str>,
) -> Result<Allocation, Error> {
    db.allocations()
        .set_notes(allocation.id, notes)
        .await
        .map_err(db_err)?;
    db.allocations()
        .find(allocation.id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Makes `allocation` the server's primary allocation, then has wings sync.
///
/// # Errors
/// Database errors.
pub async fn set_primary_allocation(
    db: &Db,
    server: &Server,
    allocation: &Allocation,
) -> Result<Server, Error> {
    let patch = ServerPatch {
        allocation_id: Some(allocation.id),
        ..ServerPatch::default()
    };
    let updated = db
        .servers()
        .update(server.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    sync_quietly(db, &updated).await;
    Ok(updated)
}

/// Removes `allocation` from the server (its notes are cleared), then has wings sync. Only
/// servers with an allocation limit may remove allocations, and never the primary one.
///
/// # Errors
/// 400 `DisplayException` without a limit or for the primary allocation.
pub async fn unassign_allocation(
    db: &Db,
    server: &Server,
    allocation: &Allocation,
) -> Result<(), ClientError> {
    if server.allocation_limit.is_none_or(|l| l == 0) {
        return Err(ClientError::display(
            "DisplayException",
            "You cannot delete allocations for this server: no allocation limit is set.",
        ));
    }
    if allocation.id == server.allocation_id {
        return Err(ClientError::display(
            "DisplayException",
            "You cannot delete the primary allocation for this server.",
        ));
    }
    db.allocations()
        .unassign(server.id, &[allocation.id])
        .await
        .map_err(db_err)?;
    sync_quietly(db, server).await;
    Ok(())
}

/// `ip:port`, as Pterodactyl's `Allocation::toString`.
pub fn allocation_label(a: &Allocation) -> String {
    format!("{}:{}", a.ip, a.port)
}

// ---- activity list -------------------------------------------------------------------------

/// One page of the server's activity as `viewer` sees it, with the actors when
/// `with_actor`, and the number of matching entries.
///
/// # Errors
/// Database errors.
pub async fn list_activity(
    db: &Db,
    viewer: &User,
    server: &Server,
    mut query: ServerActivityQuery,
    with_actor: bool,
) -> Result<(Vec<Item>, i64), Error> {
    query.hidden_events = HIDDEN_EVENTS.iter().map(|e| (*e).to_owned()).collect();
    let (entries, total) = db
        .server_activity(server.id, &query)
        .await
        .map_err(db_err)?;
    let mut actors: HashMap<i64, Option<User>> = HashMap::new();
    let mut items = Vec::with_capacity(entries.len());
    for e in &entries {
        let mut item = Item::new("activity_log", activity_attributes(e, viewer));
        if with_actor {
            let actor = match e.actor_id {
                Some(id) => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = actors.entry(id) {
                        slot.insert(db.users().find(id).await.map_err(db_err)?);
                    }
                    actors.get(&id).cloned().flatten()
                }
                None => None,
            };
            let related: Value = match actor {
                Some(u) => Item::new("user", Value::Object(user_attributes(&u))).into(),
                None => null_resource(),
            };
            item = item.include("actor", related);
        }
        items.push(item);
    }
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(startup: &str) -> Server {
        Server {
            id: 1,
            external_id: None,
            uuid: "u".into(),
            uuid_short: "u".into(),
            node_id: 1,
            name: "s".into(),
            description: None,
            status: None,
            skip_scripts: false,
            owner_id: 1,
            memory: 512,
            swap: 0,
            disk: 0,
            io: 500,
            cpu: 0,
            threads: None,
            oom_disabled: true,
            allocation_id: 1,
            nest_id: 1,
            egg_id: 1,
            startup: startup.into(),
            image: "i".into(),
            allocation_limit: None,
            database_limit: 0,
            backup_limit: 0,
            installed_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn var(env: &str, viewable: bool, value: Option<&str>) -> ServerVariableView {
        ServerVariableView {
            variable: aerie_db::repo::eggs::EggVariable {
                id: 1,
                egg_id: 1,
                name: env.into(),
                description: None,
                env_variable: env.into(),
                default_value: Some("def".into()),
                user_viewable: viewable,
                user_editable: true,
                rules: None,
                sort: 0,
                created_at: String::new(),
                updated_at: String::new(),
            },
            server_value: value.map(str::to_owned),
        }
    }

    #[test]
    fn invocation_fills_and_hides() {
        let s = server("java -Xmx{{SERVER_MEMORY}}M {{JAR}} --v {{VER}} -p {{SERVER_PORT}}");
        let alloc = Allocation {
            id: 1,
            node_id: 1,
            ip: "1.2.3.4".into(),
            ip_alias: None,
            port: 25565,
            server_id: Some(1),
            notes: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let vars = [var("JAR", true, Some("x.jar")), var("VER", false, None)];
        assert_eq!(
            invocation(&s, Some(&alloc), &vars, false),
            "java -Xmx512M x.jar --v [hidden] -p 25565"
        );
        assert_eq!(
            invocation(&s, Some(&alloc), &vars, true),
            "java -Xmx512M [hidden] --v [hidden] -p 25565"
        );
    }

    #[test]
    fn stats_default_like_pterodactyl() {
        let v = stats_attributes(&json!({}));
        assert_eq!(v["current_state"], "stopped");
        assert_eq!(v["is_suspended"], false);
        assert_eq!(v["resources"]["uptime"], 0);
        let v = stats_attributes(
            &json!({"state": "running", "utilization": {"memory_bytes": 5, "network": {"rx_bytes": 7}}}),
        );
        assert_eq!(v["current_state"], "running");
        assert_eq!(v["resources"]["memory_bytes"], 5);
        assert_eq!(v["resources"]["network_rx_bytes"], 7);
    }

    #[test]
    fn permission_text_covers_every_key() {
        let v = system_permissions();
        for key in aerie_proto::permissions::all() {
            let (g, a) = key.split_once('.').unwrap();
            let d = &v["attributes"]["permissions"][g]["keys"][a];
            assert!(d.as_str().is_some_and(|s| !s.is_empty()), "{key}");
        }
    }

    #[test]
    fn token_ids_are_md5_of_user_and_server() {
        assert_eq!(token_id(1, "abc"), "e511341dc05782269d3d859b5ff3939b");
    }
}
