//! Wings wire types: the panel → wings HTTP API, the wings → panel remote API, the server
//! settings and process configuration documents, stats, and the websocket frames.
//! Field names follow Pterodactyl Wings exactly, so a Pterodactyl panel can drive Aerie wings.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `GET /api/system` (v1 shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    /// `amd64`, `arm64`, … (Go's naming, as Wings reports it).
    pub architecture: String,
    /// Logical CPUs on the node.
    pub cpu_count: u64,
    /// `uname -r`.
    pub kernel_version: String,
    /// `linux`.
    pub os: String,
    /// The daemon version.
    pub version: String,
}

/// A server's process state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ProcessState {
    /// Not running.
    #[default]
    Offline,
    /// Started; waiting for the egg's `done` line.
    Starting,
    /// Running (the `done` line was seen).
    Running,
    /// Stopping.
    Stopping,
}

impl ProcessState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessState::Offline => "offline",
            ProcessState::Starting => "starting",
            ProcessState::Running => "running",
            ProcessState::Stopping => "stopping",
        }
    }
}

/// A power action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PowerAction {
    /// Start from offline.
    Start,
    /// Stop with the egg's stop command or signal, then kill after a timeout.
    Stop,
    /// Stop, then start.
    Restart,
    /// SIGKILL now; bypasses the power lock.
    Kill,
}

impl std::str::FromStr for PowerAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "start" => Ok(PowerAction::Start),
            "stop" => Ok(PowerAction::Stop),
            "restart" => Ok(PowerAction::Restart),
            "kill" => Ok(PowerAction::Kill),
            other => Err(format!("unknown power action `{other}`")),
        }
    }
}

/// `POST /api/servers/:id/power`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PowerRequest {
    /// The action.
    pub action: String,
    /// How long to wait for the power lock (0..=300, default 30).
    #[serde(default)]
    pub wait_seconds: Option<i64>,
}

/// `POST /api/servers/:id/commands`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandsRequest {
    /// Lines to write to the server's stdin.
    pub commands: Vec<String>,
}

/// `POST /api/servers` (the panel asks wings to create a server it already knows about).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateServerRequest {
    /// The server's UUID; wings fetches its settings from the panel.
    pub uuid: String,
    /// Start the server when the install finishes.
    #[serde(default)]
    pub start_on_completion: bool,
}

/// `POST /api/servers/:id/ws/deny`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DenyRequest {
    /// Token ids whose tokens issued until now are refused.
    pub jtis: Vec<String>,
}

/// `stats` / `utilization` (Wings `ResourceUsage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Memory in use, minus inactive file cache.
    pub memory_bytes: u64,
    /// The container's memory limit.
    pub memory_limit_bytes: u64,
    /// CPU in percent of one core (200 = two cores busy), 3 decimals.
    pub cpu_absolute: f64,
    /// Network counters.
    pub network: NetworkStats,
    /// Milliseconds since the process started.
    pub uptime: u64,
    /// Current state.
    pub state: ProcessState,
    /// Disk used by the server's volume.
    pub disk_bytes: u64,
}

/// Network counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkStats {
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
}

/// `GET /api/servers/:id` (Wings `APIResponse`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerDetails {
    /// State.
    pub state: ProcessState,
    /// Suspended?
    pub is_suspended: bool,
    /// Current resource use.
    pub utilization: Stats,
    /// The settings wings holds.
    pub configuration: ServerSettings,
}

/// The server `settings` document (panel → wings), §3.5.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerSettings {
    /// Server UUID.
    pub uuid: String,
    /// Name and description.
    #[serde(default)]
    pub meta: ServerMeta,
    /// Suspended servers cannot start.
    #[serde(default)]
    pub suspended: bool,
    /// Environment for the container (values may be strings, numbers, booleans or null).
    #[serde(default)]
    pub environment: BTreeMap<String, Value>,
    /// The startup command, with `{{VAR}}` placeholders.
    #[serde(default)]
    pub invocation: String,
    /// Skip the egg install script.
    #[serde(default)]
    pub skip_egg_scripts: bool,
    /// Resource limits.
    #[serde(default)]
    pub build: BuildLimits,
    /// Container image.
    #[serde(default)]
    pub container: ContainerSettings,
    /// Ports.
    #[serde(default)]
    pub allocations: Allocations,
    /// Extra mounts.
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// Egg facts wings needs.
    #[serde(default)]
    pub egg: EggSettings,
    /// Docker labels to add.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Whether crash detection restarts this server.
    #[serde(default = "yes")]
    pub crash_detection_enabled: bool,
}

fn yes() -> bool {
    true
}

/// Name and description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerMeta {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: String,
}

/// Limits (§6.4 says how each maps to Docker).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildLimits {
    /// Memory in MB; 0 = unlimited.
    #[serde(default)]
    pub memory_limit: i64,
    /// Swap in MB; -1 = unlimited, 0 = none.
    #[serde(default)]
    pub swap: i64,
    /// Block IO weight 10..1000.
    #[serde(default)]
    pub io_weight: i64,
    /// CPU percent of one core; 0 = unlimited.
    #[serde(default)]
    pub cpu_limit: i64,
    /// Cpuset, e.g. `0-1,3`.
    #[serde(default)]
    pub threads: Option<String>,
    /// Disk in MB; 0 = unlimited.
    #[serde(default)]
    pub disk_space: i64,
    /// Disable the OOM killer.
    #[serde(default)]
    pub oom_disabled: bool,
}

/// Container settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSettings {
    /// Image reference (a leading `~` is stripped).
    #[serde(default)]
    pub image: String,
    /// Legacy duplicate of `build.oom_disabled`.
    #[serde(default)]
    pub oom_disabled: bool,
    /// The container must be recreated before the next start.
    #[serde(default)]
    pub requires_rebuild: bool,
}

/// Port allocations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocations {
    /// Route outgoing traffic through the default IP.
    #[serde(default)]
    pub force_outgoing_ip: bool,
    /// The primary allocation.
    #[serde(default)]
    pub default: Allocation,
    /// Every allocation: IP → ports (each bound on TCP and UDP).
    #[serde(default)]
    pub mappings: BTreeMap<String, Vec<u16>>,
}

/// One IP and port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// IP.
    #[serde(default)]
    pub ip: String,
    /// Port.
    #[serde(default)]
    pub port: u16,
}

/// A bind mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    /// Host path.
    pub source: String,
    /// Container path.
    pub target: String,
    /// Read-only?
    #[serde(default)]
    pub read_only: bool,
}

/// Egg facts wings needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EggSettings {
    /// Egg UUID.
    #[serde(default)]
    pub id: String,
    /// Paths users may not touch.
    #[serde(default)]
    pub file_denylist: Vec<String>,
}

/// `process_configuration` (§5.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessConfiguration {
    /// Startup detection.
    #[serde(default)]
    pub startup: StartupConfig,
    /// How to stop.
    #[serde(default)]
    pub stop: StopConfig,
    /// Config files to edit before each start.
    #[serde(default, deserialize_with = "null_as_default")]
    pub configs: Vec<ConfigFile>,
}

/// Startup detection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupConfig {
    /// Lines meaning "started": substrings, or `regex:` patterns.
    #[serde(default, deserialize_with = "string_or_list")]
    pub done: Vec<String>,
    /// Unused by wings; kept for compatibility.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_interaction: Vec<String>,
    /// Strip ANSI escapes before matching.
    #[serde(default)]
    pub strip_ansi: bool,
}

/// How to stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopConfig {
    /// `command` or `signal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The command, or the signal name (`C` from `^C`, `SIGTERM`, …).
    pub value: String,
}

impl Default for StopConfig {
    fn default() -> Self {
        Self {
            kind: "signal".into(),
            value: "SIGTERM".into(),
        }
    }
}

/// One config file edit (§5.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigFile {
    /// Path relative to the server root.
    pub file: String,
    /// `properties`, `file`, `yaml`, `yml`, `json`, `ini`, `xml`.
    pub parser: String,
    /// The replacements.
    #[serde(default, deserialize_with = "null_as_default")]
    pub replace: Vec<ConfigReplace>,
}

/// One replacement in a config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigReplace {
    /// The key or path (`server-port`, `servers.*.address`, `section.key`).
    #[serde(rename = "match")]
    pub matcher: String,
    /// Replace only when the current value equals this (or matches `regex:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub if_value: Option<String>,
    /// The new value (string, number or boolean); `value` is a legacy alias.
    #[serde(alias = "value")]
    pub replace_with: Value,
}

/// `GET /api/remote/servers/{uuid}` and each item of the paged list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteServer {
    /// Server UUID (present in list items).
    #[serde(default)]
    pub uuid: String,
    /// Settings.
    pub settings: ServerSettings,
    /// Process configuration.
    pub process_configuration: ProcessConfiguration,
}

/// `GET /api/remote/servers?page=&per_page=` (Laravel resource collection).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemoteServerPage {
    /// The servers on this page.
    pub data: Vec<RemoteServer>,
    /// Paging facts.
    pub meta: RemotePageMeta,
}

/// Paging facts of a remote list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemotePageMeta {
    /// This page (1-based).
    pub current_page: u64,
    /// The last page.
    pub last_page: u64,
    /// Total items.
    #[serde(default)]
    pub total: u64,
}

/// `GET /api/remote/servers/{uuid}/install`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallScript {
    /// Installer image.
    pub container_image: String,
    /// Entrypoint (`bash`, `ash`, …).
    pub entrypoint: String,
    /// The script.
    pub script: String,
}

/// `POST /api/remote/servers/{uuid}/install`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallStatus {
    /// Did the install succeed.
    pub successful: bool,
    /// Was it a reinstall.
    pub reinstall: bool,
}

/// One activity entry in `POST /api/remote/activity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// Acting user's UUID, if a user acted.
    pub user: Option<String>,
    /// Server UUID.
    pub server: String,
    /// `server:…` event name.
    pub event: String,
    /// Free-form facts.
    pub metadata: Option<Value>,
    /// Client IP.
    pub ip: String,
    /// RFC 3339 time.
    pub timestamp: String,
}

/// `POST /api/remote/activity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityBatch {
    /// Entries.
    pub data: Vec<ActivityEntry>,
}

/// A websocket frame in either direction: `{"event": "...", "args": ["..."]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WsMessage {
    /// Event name.
    pub event: String,
    /// String arguments; omitted when empty.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub args: Vec<String>,
}

impl WsMessage {
    /// A frame with arguments.
    pub fn new(event: &str, args: Vec<String>) -> Self {
        Self {
            event: event.to_owned(),
            args,
        }
    }
}

/// Websocket event names (§4).
pub mod events {
    #![allow(missing_docs)]
    pub const AUTH: &str = "auth";
    pub const AUTH_SUCCESS: &str = "auth success";
    pub const SEND_LOGS: &str = "send logs";
    pub const SEND_STATS: &str = "send stats";
    pub const SEND_COMMAND: &str = "send command";
    pub const SET_STATE: &str = "set state";
    pub const STATUS: &str = "status";
    pub const STATS: &str = "stats";
    pub const CONSOLE_OUTPUT: &str = "console output";
    pub const INSTALL_OUTPUT: &str = "install output";
    pub const INSTALL_STARTED: &str = "install started";
    pub const INSTALL_COMPLETED: &str = "install completed";
    pub const TOKEN_EXPIRING: &str = "token expiring";
    pub const TOKEN_EXPIRED: &str = "token expired";
    pub const JWT_ERROR: &str = "jwt error";
    pub const DAEMON_ERROR: &str = "daemon error";
    pub const DAEMON_MESSAGE: &str = "daemon message";
    pub const BACKUP_COMPLETED: &str = "backup completed";
    pub const BACKUP_RESTORE_COMPLETED: &str = "backup restore completed";
    pub const TRANSFER_LOGS: &str = "transfer logs";
    pub const TRANSFER_STATUS: &str = "transfer status";
    pub const DELETED: &str = "deleted";
}

/// Claims of the websocket JWT the panel signs with the node token (HS256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsocketClaims {
    /// Issuer (panel URL).
    #[serde(default)]
    pub iss: String,
    /// Token id; `ws/deny` refuses tokens by it.
    #[serde(default)]
    pub jti: String,
    /// Issued at (seconds).
    #[serde(default)]
    pub iat: i64,
    /// Expires at (seconds).
    pub exp: i64,
    /// Not before.
    #[serde(default)]
    pub nbf: i64,
    /// User UUID.
    #[serde(default)]
    pub user_uuid: String,
    /// Legacy numeric user id.
    #[serde(default)]
    pub user_id: i64,
    /// Random per-token id.
    #[serde(default)]
    pub unique_id: String,
    /// The server this token is for.
    pub server_uuid: String,
    /// Granted permissions (`*` = everything not starting with `admin`).
    #[serde(default)]
    pub permissions: Vec<String>,
}

impl WebsocketClaims {
    /// Pterodactyl's `HasPermission`: exact match, or `*` for anything not `admin.*`.
    pub fn has_permission(&self, p: &str) -> bool {
        self.permissions
            .iter()
            .any(|g| g == p || (g == "*" && !p.starts_with("admin")))
    }
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Nothing(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) if s.is_empty() => Vec::new(),
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
        OneOrMany::Nothing(()) => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pterodactyl_settings_and_process_documents() {
        let doc = serde_json::json!({
            "settings": {
                "uuid": "9f1a", "meta": {"name": "srv", "description": null}, "suspended": false,
                "environment": {"SERVER_JARFILE": "server.jar", "P_SERVER_ALLOCATION_LIMIT": 0},
                "invocation": "java -jar {{SERVER_JARFILE}}", "skip_egg_scripts": false,
                "build": {"memory_limit": 1024, "swap": 0, "io_weight": 500, "cpu_limit": 100, "threads": null, "disk_space": 5120, "oom_disabled": true},
                "container": {"image": "ghcr.io/x", "oom_disabled": true, "requires_rebuild": false},
                "allocations": {"force_outgoing_ip": false, "default": {"ip": "1.2.3.4", "port": 25565}, "mappings": {"1.2.3.4": [25565, 25566]}},
                "mounts": [], "egg": {"id": "e", "file_denylist": []}
            },
            "process_configuration": {
                "startup": {"done": ")! For help, type ", "user_interaction": [], "strip_ansi": false},
                "stop": {"type": "command", "value": "stop"},
                "configs": [{"file": "server.properties", "parser": "properties",
                             "replace": [{"match": "server-port", "replace_with": "{{server.build.default.port}}"},
                                         {"match": "enable-query", "value": true}]}]
            }
        });
        let r: RemoteServer = serde_json::from_value(doc).unwrap();
        assert_eq!(r.settings.build.memory_limit, 1024);
        assert_eq!(
            r.settings.allocations.mappings["1.2.3.4"],
            vec![25565, 25566]
        );
        assert!(r.settings.crash_detection_enabled, "defaults to on");
        assert_eq!(
            r.process_configuration.startup.done,
            vec![")! For help, type ".to_string()]
        );
        assert_eq!(
            r.process_configuration.configs[0].replace[1].replace_with,
            Value::Bool(true)
        );
        assert_eq!(r.process_configuration.stop.kind, "command");
    }

    #[test]
    fn ws_frames_omit_empty_args_and_permissions_follow_wings() {
        let m = WsMessage::new("auth success", vec![]);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"event":"auth success"}"#
        );
        let m: WsMessage = serde_json::from_str(r#"{"event":"send logs","args":null}"#).unwrap();
        assert!(m.args.is_empty());
        let c = WebsocketClaims {
            iss: String::new(),
            jti: String::new(),
            iat: 0,
            exp: 0,
            nbf: 0,
            user_uuid: String::new(),
            user_id: 0,
            unique_id: String::new(),
            server_uuid: "s".into(),
            permissions: vec!["*".into()],
        };
        assert!(c.has_permission("control.console"));
        assert!(!c.has_permission("admin.websocket.install"));
    }
}

/// Claims of a signed file download URL (`GET /download/file?token=`), 15 minutes, single use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDownloadClaims {
    /// Expires at (seconds).
    pub exp: i64,
    /// Issued at.
    #[serde(default)]
    pub iat: i64,
    /// Single-use id.
    pub unique_id: String,
    /// The server.
    pub server_uuid: String,
    /// The file, relative to the server root.
    pub file_path: String,
}

/// Claims of a signed upload URL (`POST /upload/file?token=`), 15 minutes, single use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileUploadClaims {
    /// Expires at.
    pub exp: i64,
    /// Issued at.
    #[serde(default)]
    pub iat: i64,
    /// Single-use id.
    pub unique_id: String,
    /// The server.
    pub server_uuid: String,
    /// The uploading user.
    #[serde(default)]
    pub user_uuid: String,
}

/// Claims of a signed backup download URL (`GET /download/backup?token=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDownloadClaims {
    /// Expires at.
    pub exp: i64,
    /// Issued at.
    #[serde(default)]
    pub iat: i64,
    /// Single-use id.
    pub unique_id: String,
    /// The server.
    pub server_uuid: String,
    /// The backup.
    pub backup_uuid: String,
}

/// `PUT files/rename`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenameRequest {
    /// Directory both sides are relative to.
    #[serde(default)]
    pub root: String,
    /// Moves.
    pub files: Vec<RenameItem>,
}

/// One move.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenameItem {
    /// From.
    pub from: String,
    /// To.
    pub to: String,
}

/// `POST files/delete` and `files/compress`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilesRequest {
    /// Directory the names are in.
    #[serde(default)]
    pub root: String,
    /// Names.
    pub files: Vec<String>,
}

/// `POST files/copy`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CopyRequest {
    /// The file to copy.
    pub location: String,
}

/// `POST files/create-directory`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateDirectoryRequest {
    /// New directory name.
    pub name: String,
    /// Parent directory.
    #[serde(default)]
    pub path: String,
}

/// `POST files/decompress`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecompressRequest {
    /// Directory the archive is in (and extracts into).
    #[serde(default)]
    pub root: String,
    /// The archive.
    pub file: String,
}

/// `POST files/chmod`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChmodRequest {
    /// Directory the names are in.
    #[serde(default)]
    pub root: String,
    /// Changes.
    pub files: Vec<ChmodItem>,
}

/// One mode change; `mode` is an octal string (`"755"`) or, from some clients, a number whose
/// decimal digits are read as octal (`755`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChmodItem {
    /// Name.
    pub file: String,
    /// Mode.
    pub mode: Value,
}

/// Where a backup is kept: on the node (`wings`) or in S3 through presigned URLs (`s3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupAdapter {
    /// A file in the node's backup directory.
    Wings,
    /// A multipart upload to S3-compatible storage, through URLs the panel presigns.
    S3,
}

/// `POST /api/servers/{uuid}/backup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRequest {
    /// Where to put the archive.
    pub adapter: BackupAdapter,
    /// The backup's UUID (the panel's).
    pub uuid: String,
    /// Newline-separated, gitignore-like patterns of files to leave out; when empty the
    /// server's `.pteroignore` is used.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ignore: String,
}

/// `POST /api/servers/{uuid}/backup/{backup}/restore`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreRequest {
    /// Where the archive is.
    pub adapter: BackupAdapter,
    /// Delete every file of the server before extracting.
    #[serde(default)]
    pub truncate_directory: bool,
    /// A presigned GET URL of the archive (required for `s3`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub download_url: String,
}

/// One uploaded part of an S3 backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupPart {
    /// The `ETag` S3 answered the part's PUT with (quotes included, as S3 sends it).
    pub etag: String,
    /// 1-based part number.
    pub part_number: u32,
}

/// `POST /api/remote/backups/{uuid}`: how a backup ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupStatus {
    /// Whether the archive was made (and uploaded).
    pub successful: bool,
    /// Hex digest of the archive's bytes (empty on failure).
    pub checksum: String,
    /// The digest algorithm (`sha256` in Aerie; Pterodactyl Wings sends `sha1`).
    pub checksum_type: String,
    /// Size of the archive in bytes.
    pub size: u64,
    /// The uploaded parts (S3 only; empty for local backups).
    #[serde(default)]
    pub parts: Vec<BackupPart>,
}

/// `GET /api/remote/backups/{uuid}?size=`: presigned `UploadPart` URLs for an S3 backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupUploadParts {
    /// One URL per part, in part order.
    pub parts: Vec<String>,
    /// The size of every part but the last, in bytes.
    pub part_size: u64,
}

/// `POST /api/remote/backups/{uuid}/restore`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreStatus {
    /// Whether the restore completed.
    pub successful: bool,
}

/// The JSON carried (as a string) by the `backup completed` websocket event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCompleted {
    /// The backup.
    pub uuid: String,
    /// Whether it succeeded.
    pub is_successful: bool,
    /// Hex digest of the archive.
    pub checksum: String,
    /// The digest algorithm.
    pub checksum_type: String,
    /// Archive size in bytes.
    pub file_size: u64,
}

/// How an SFTP user proved who they are (`type` of [`SftpAuthRequest`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SftpAuthKind {
    /// `password`: [`SftpAuthRequest::password`] is the account password.
    Password,
    /// `public_key`: [`SftpAuthRequest::password`] is the key as an `authorized_keys` line.
    PublicKey,
}

/// `POST /api/remote/sftp/auth`: wings asks the panel whether an SFTP login is valid.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SftpAuthRequest {
    /// Password or public key.
    #[serde(rename = "type")]
    pub kind: SftpAuthKind,
    /// `<panel username>.<server short id>`, as typed by the user.
    pub username: String,
    /// The password, or the key as `ssh-ed25519 AAAA…` (no comment).
    pub password: String,
    /// The client's IP address.
    pub ip: String,
    /// An identifier of the SSH connection (hex).
    pub session_id: String,
    /// The client's SSH identification string (`SSH-2.0-OpenSSH_9.2p1 …`).
    pub client_version: String,
}

impl std::fmt::Debug for SftpAuthRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftpAuthRequest")
            .field("kind", &self.kind)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("ip", &self.ip)
            .field("session_id", &self.session_id)
            .field("client_version", &self.client_version)
            .finish()
    }
}

/// The panel's answer to a valid SFTP login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SftpAuthResponse {
    /// The user's UUID.
    pub user: String,
    /// The server's UUID.
    pub server: String,
    /// The user's permissions on the server (`["*"]` for the owner and administrators).
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions: Vec<String>,
}
