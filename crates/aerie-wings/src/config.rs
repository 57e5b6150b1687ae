//! Wings' configuration file, in Pterodactyl Wings' `config.yml` shape, so a node configured
//! by a Pterodactyl panel (or by `wings configure` / `aerie wings configure`) works unchanged.
//!
//! Every key Pterodactyl Wings knows is modelled, each with Wings' default, so a file that
//! names only a few keys (as the panel's generated one does) still yields a complete config.
//! Unknown keys are ignored, and a key set to nothing (`allowed_mounts:`) means its default,
//! as it does for Wings. The token is redacted from `Debug`, left out of [`WingsFile::to_json`],
//! and the file is written with mode 0600.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The whole of `config.yml` (Pterodactyl Wings' `Configuration`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WingsFile {
    /// Verbose logging.
    pub debug: bool,
    /// The name wings reports in its banner and in the SFTP server's version string.
    pub app_name: String,
    /// The node's UUID.
    pub uuid: String,
    /// The token id; the panel authenticates wings' remote calls with `token_id.token`.
    pub token_id: String,
    /// The node token: the panel presents it to wings, and wings signs JWT checks with it.
    pub token: String,
    /// The HTTP API.
    pub api: ApiSection,
    /// Paths, users, SFTP, crash detection, backups and transfers.
    pub system: SystemSection,
    /// Docker: network, limits, registries.
    pub docker: DockerSection,
    /// Console output throttling.
    pub throttles: ThrottlesSection,
    /// The panel URL (wings → panel remote API base).
    pub remote: String,
    /// How wings queries the panel.
    pub remote_query: RemoteQuerySection,
    /// Host paths servers may mount.
    pub allowed_mounts: Vec<String>,
    /// Extra origins allowed to open the websocket / make CORS requests.
    pub allowed_origins: Vec<String>,
    /// Answer CORS preflights with `Access-Control-Allow-Private-Network: true`.
    pub allow_cors_private_network: bool,
    /// Refuse `POST /api/update` (configuration pushed by the panel).
    pub ignore_panel_config_updates: bool,
}

impl Default for WingsFile {
    fn default() -> Self {
        Self {
            debug: false,
            app_name: "Aerie".into(),
            uuid: String::new(),
            token_id: String::new(),
            token: String::new(),
            api: ApiSection::default(),
            system: SystemSection::default(),
            docker: DockerSection::default(),
            throttles: ThrottlesSection::default(),
            remote: String::new(),
            remote_query: RemoteQuerySection::default(),
            allowed_mounts: Vec::new(),
            allowed_origins: Vec::new(),
            allow_cors_private_network: false,
            ignore_panel_config_updates: false,
        }
    }
}

impl std::fmt::Debug for WingsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WingsFile")
            .field("debug", &self.debug)
            .field("app_name", &self.app_name)
            .field("uuid", &self.uuid)
            .field("token_id", &self.token_id)
            .field("token", &"[redacted]")
            .field("api", &self.api)
            .field("system", &self.system)
            .field("docker", &self.docker)
            .field("throttles", &self.throttles)
            .field("remote", &self.remote)
            .field("remote_query", &self.remote_query)
            .field("allowed_mounts", &self.allowed_mounts)
            .field("allowed_origins", &self.allowed_origins)
            .field(
                "allow_cors_private_network",
                &self.allow_cors_private_network,
            )
            .field(
                "ignore_panel_config_updates",
                &self.ignore_panel_config_updates,
            )
            .finish()
    }
}

/// `api:`: wings' HTTP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiSection {
    /// Listen host.
    pub host: String,
    /// Listen port.
    pub port: u16,
    /// TLS.
    pub ssl: SslSection,
    /// Refuse `POST /api/servers/:id/files/pull`.
    pub disable_remote_download: bool,
    /// Allow `files/pull` from private, loopback and link-local addresses (off: SSRF guard).
    #[serde(default)]
    pub remote_download_allow_private: bool,
    /// Largest upload, in MB.
    pub upload_limit: i64,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
}

impl Default for ApiSection {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 8080,
            ssl: SslSection::default(),
            disable_remote_download: false,
            remote_download_allow_private: false,
            upload_limit: 100,
            trusted_proxies: Vec::new(),
        }
    }
}

/// `api.ssl:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SslSection {
    /// Serve HTTPS.
    pub enabled: bool,
    /// Certificate chain (PEM).
    pub cert: String,
    /// Private key (PEM).
    pub key: String,
}

/// `system:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SystemSection {
    /// Wings' own state directory.
    pub root_directory: String,
    /// Logs, including install logs.
    pub log_directory: String,
    /// Where server volumes live.
    pub data: String,
    /// Transfer archives.
    pub archive_directory: String,
    /// Local backups.
    pub backup_directory: String,
    /// Scratch space (install scripts, pulls).
    pub tmp_directory: String,
    /// The system user that owns server files.
    pub username: String,
    /// Timezone for containers (`TZ`); empty = detected from the host.
    pub timezone: String,
    /// Which user id the files and containers run as.
    pub user: UserSection,
    /// Seconds between disk-usage scans.
    pub disk_check_interval: i64,
    /// Seconds between activity uploads to the panel.
    pub activity_send_interval: i64,
    /// Activity entries per upload.
    pub activity_send_count: i64,
    /// Fix file ownership when a server boots.
    pub check_permissions_on_boot: bool,
    /// Install a logrotate config.
    pub enable_log_rotate: bool,
    /// Console lines sent when a websocket asks for logs.
    pub websocket_log_count: i64,
    /// The SFTP server.
    pub sftp: SftpSection,
    /// Restart servers that stop unexpectedly.
    pub crash_detection: CrashDetectionSection,
    /// Backup writing.
    pub backups: BackupsSection,
    /// Server transfers.
    pub transfers: TransfersSection,
    /// How the file jail opens paths: `auto`, `openat` or `openat2`.
    pub openat_mode: String,
}

impl Default for SystemSection {
    fn default() -> Self {
        Self {
            root_directory: "/var/lib/pterodactyl".into(),
            log_directory: "/var/log/pterodactyl".into(),
            data: "/var/lib/pterodactyl/volumes".into(),
            archive_directory: "/var/lib/pterodactyl/archives".into(),
            backup_directory: "/var/lib/pterodactyl/backups".into(),
            tmp_directory: "/tmp/pterodactyl".into(),
            username: "pterodactyl".into(),
            timezone: String::new(),
            user: UserSection::default(),
            disk_check_interval: 150,
            activity_send_interval: 60,
            activity_send_count: 100,
            check_permissions_on_boot: true,
            enable_log_rotate: true,
            websocket_log_count: 150,
            sftp: SftpSection::default(),
            crash_detection: CrashDetectionSection::default(),
            backups: BackupsSection::default(),
            transfers: TransfersSection::default(),
            openat_mode: "auto".into(),
        }
    }
}

/// `system.user:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSection {
    /// Rootless Docker.
    pub rootless: RootlessSection,
    /// The user id (filled in from `system.username` when wings starts).
    pub uid: i64,
    /// The group id.
    pub gid: i64,
}

/// `system.user.rootless:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RootlessSection {
    /// Docker runs rootless.
    pub enabled: bool,
    /// The uid processes get inside containers.
    pub container_uid: i64,
    /// The gid processes get inside containers.
    pub container_gid: i64,
}

/// `system.sftp:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SftpSection {
    /// Listen address.
    pub bind_address: String,
    /// Listen port.
    pub bind_port: u16,
    /// Refuse every write.
    pub read_only: bool,
}

impl Default for SftpSection {
    fn default() -> Self {
        Self {
            bind_address: "0.0.0.0".into(),
            bind_port: 2022,
            read_only: false,
        }
    }
}

/// `system.crash_detection:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrashDetectionSection {
    /// Restart crashed servers.
    pub enabled: bool,
    /// Exit code 0 without a stop request counts as a crash.
    pub detect_clean_exit_as_crash: bool,
    /// Seconds within which a second crash is not restarted.
    pub timeout: i64,
}

impl Default for CrashDetectionSection {
    fn default() -> Self {
        Self {
            enabled: true,
            detect_clean_exit_as_crash: true,
            timeout: 60,
        }
    }
}

/// `system.backups:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupsSection {
    /// Write rate limit in MiB/s; 0 = none.
    pub write_limit: i64,
    /// `none`, `best_speed` or `best_compression` (anything else means `best_speed`).
    pub compression_level: String,
}

impl Default for BackupsSection {
    fn default() -> Self {
        Self {
            write_limit: 0,
            compression_level: "best_speed".into(),
        }
    }
}

/// `system.transfers:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransfersSection {
    /// Download rate limit in MiB/s; 0 = none.
    pub download_limit: i64,
}

/// `docker:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DockerSection {
    /// The network servers join.
    pub network: NetworkSection,
    /// Container domain name.
    pub domainname: String,
    /// Registry credentials by registry host.
    pub registries: BTreeMap<String, RegistryAuth>,
    /// Size of `/tmp` in containers, MB.
    pub tmpfs_size: u64,
    /// Maximum processes per container; 0 = unlimited.
    pub container_pid_limit: i64,
    /// Limits for install containers.
    pub installer_limits: InstallerLimits,
    /// Memory overhead Docker gets on top of a server's limit.
    pub overhead: Overhead,
    /// Inspect containers with the cheaper call.
    pub use_performant_inspect: bool,
    /// User namespace mode (`host` or empty).
    pub userns_mode: String,
    /// Container log driver.
    pub log_config: LogConfig,
}

impl Default for DockerSection {
    fn default() -> Self {
        Self {
            network: NetworkSection::default(),
            domainname: String::new(),
            registries: BTreeMap::new(),
            tmpfs_size: 100,
            container_pid_limit: 512,
            installer_limits: InstallerLimits::default(),
            overhead: Overhead::default(),
            use_performant_inspect: true,
            userns_mode: String::new(),
            log_config: LogConfig::default(),
        }
    }
}

/// `docker.network:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkSection {
    /// The host-side address of the network (what `SERVER_IP=127.0.0.1` is rewritten to).
    pub interface: String,
    /// DNS servers for containers.
    pub dns: Vec<String>,
    /// Network name.
    pub name: String,
    /// Pterodactyl's "is Pterodactyl network" flag.
    pub ispn: bool,
    /// Network driver.
    pub driver: String,
    /// Container network mode.
    pub network_mode: String,
    /// No outside access.
    pub is_internal: bool,
    /// Inter-container communication.
    pub enable_icc: bool,
    /// MTU.
    pub network_mtu: i64,
    /// Subnets.
    pub interfaces: NetworkInterfaces,
}

impl Default for NetworkSection {
    fn default() -> Self {
        Self {
            interface: "172.18.0.1".into(),
            dns: vec!["1.1.1.1".into(), "1.0.0.1".into()],
            name: "pterodactyl_nw".into(),
            ispn: false,
            driver: "bridge".into(),
            network_mode: "pterodactyl_nw".into(),
            is_internal: false,
            enable_icc: true,
            network_mtu: 1500,
            interfaces: NetworkInterfaces::default(),
        }
    }
}

/// `docker.network.interfaces:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkInterfaces {
    /// IPv4.
    pub v4: Subnet,
    /// IPv6.
    pub v6: Subnet,
}

impl Default for NetworkInterfaces {
    fn default() -> Self {
        Self {
            v4: Subnet {
                subnet: "172.18.0.0/16".into(),
                gateway: "172.18.0.1".into(),
            },
            v6: Subnet {
                subnet: "fdba:17c8:6c94::/64".into(),
                gateway: "fdba:17c8:6c94::1011".into(),
            },
        }
    }
}

/// A subnet and its gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Subnet {
    /// CIDR.
    pub subnet: String,
    /// Gateway address.
    pub gateway: String,
}

/// Credentials for one registry.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryAuth {
    /// Username.
    pub username: String,
    /// Password or token.
    pub password: String,
}

impl std::fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryAuth")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// `docker.installer_limits:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstallerLimits {
    /// Memory, MB.
    pub memory: i64,
    /// CPU, percent of one core.
    pub cpu: i64,
}

impl Default for InstallerLimits {
    fn default() -> Self {
        Self {
            memory: 1024,
            cpu: 100,
        }
    }
}

/// `docker.overhead:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overhead {
    /// Use `default_multiplier` / `multipliers` instead of the built-in table.
    #[serde(rename = "override")]
    pub override_: bool,
    /// Multiplier when no threshold applies.
    pub default_multiplier: f64,
    /// Memory threshold (MB) → multiplier.
    pub multipliers: BTreeMap<i64, f64>,
}

impl Default for Overhead {
    fn default() -> Self {
        Self {
            override_: false,
            default_multiplier: 1.05,
            multipliers: BTreeMap::new(),
        }
    }
}

/// `docker.log_config:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// Log driver.
    #[serde(rename = "type")]
    pub kind: String,
    /// Driver options.
    pub config: BTreeMap<String, String>,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            kind: "local".into(),
            config: BTreeMap::from(
                [
                    ("max-size", "5m"),
                    ("max-file", "1"),
                    ("compress", "false"),
                    ("mode", "non-blocking"),
                ]
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
            ),
        }
    }
}

/// `throttles:`: console output limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThrottlesSection {
    /// Throttle at all.
    pub enabled: bool,
    /// Lines allowed per interval.
    pub lines: u64,
    /// Interval, milliseconds.
    pub line_reset_interval: u64,
}

impl Default for ThrottlesSection {
    fn default() -> Self {
        Self {
            enabled: true,
            lines: 2000,
            line_reset_interval: 100,
        }
    }
}

/// `remote_query:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoteQuerySection {
    /// Request timeout, seconds.
    pub timeout: u64,
    /// Page size when listing servers at boot.
    pub boot_servers_per_page: u64,
}

impl Default for RemoteQuerySection {
    fn default() -> Self {
        Self {
            timeout: 30,
            boot_servers_per_page: 50,
        }
    }
}

/// Reading or writing the file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigFileError {
    /// Not readable.
    #[error("cannot read wings config {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Not valid.
    #[error("invalid wings config {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Not writable.
    #[error("cannot write wings config {path}: {message}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Drops every `key: null` entry, recursively, so the key takes its default.
fn strip_nulls(v: &mut serde_yaml::Value) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            m.retain(|_, v| !v.is_null());
            for (_, v) in m.iter_mut() {
                strip_nulls(v);
            }
        }
        serde_yaml::Value::Sequence(s) => s.iter_mut().for_each(strip_nulls),
        serde_yaml::Value::Tagged(t) => strip_nulls(&mut t.value),
        _ => {}
    }
}

/// Serde's messages, squeezed onto one line.
fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl WingsFile {
    /// Parses YAML text. An empty document is the all-defaults config.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        match serde_yaml::from_str::<Self>(text) {
            Ok(f) => Ok(f),
            Err(direct) => {
                // `key:` with no value is null in YAML and "the default" to Wings; retry
                // without the nulls, but report the first error, which has a line number.
                let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(one_line)?;
                strip_nulls(&mut value);
                if value.is_null() {
                    return Ok(Self::default());
                }
                serde_yaml::from_value(value).map_err(|_| one_line(direct))
            }
        }
    }

    /// Reads and parses `path`. The token must be set: wings cannot talk to a panel without it.
    pub fn load(path: &Path) -> Result<Self, ConfigFileError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigFileError::Read {
            path: p.clone(),
            message: one_line(e),
        })?;
        let file = Self::from_yaml(&text).map_err(|message| ConfigFileError::Parse {
            path: p.clone(),
            message,
        })?;
        if file.token.is_empty() {
            return Err(ConfigFileError::Parse {
                path: p,
                message: "`token` is missing or empty (run `aerie wings configure`)".into(),
            });
        }
        Ok(file)
    }

    /// The file as YAML.
    pub fn to_yaml(&self) -> Result<String, String> {
        serde_yaml::to_string(self).map_err(one_line)
    }

    /// Writes the file atomically (a temporary file in the same directory, then a rename),
    /// with mode 0600 because it holds the token. Creates the parent directory.
    pub fn save(&self, path: &Path) -> Result<(), ConfigFileError> {
        let p = path.display().to_string();
        let fail = |message: String| ConfigFileError::Write {
            path: p.clone(),
            message,
        };
        let text = self.to_yaml().map_err(fail)?;
        write_private(path, text.as_bytes()).map_err(|e| fail(one_line(e)))
    }

    /// The config as JSON with the file's (snake_case) keys, for `{{config.X}}` placeholders
    /// in egg config files. The token, token id and registry passwords are left out: egg
    /// authors choose the placeholders, and a server's files are readable by its users.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(root) = v.as_object_mut() {
            root.remove("token");
            root.remove("token_id");
        }
        if let Some(regs) = v
            .pointer_mut("/docker/registries")
            .and_then(|r| r.as_object_mut())
        {
            for reg in regs.values_mut() {
                if let Some(r) = reg.as_object_mut() {
                    r.remove("password");
                }
            }
        }
        v
    }

    /// The config of the node `aerie up` runs next to the panel: every path under the Aerie
    /// data directory (`<data_dir>/wings/…`; volumes in `<data_dir>/volumes`, the same default
    /// as the `wings.volumes_dir` setting, so set `system.data` when that setting differs).
    pub fn for_local_node(
        uuid: &str,
        token_id: &str,
        token: &str,
        host: &str,
        port: u16,
        remote: &str,
        data_dir: &Path,
    ) -> Self {
        let under = |p: PathBuf| p.display().to_string();
        let root = data_dir.join("wings");
        let mut f = Self {
            uuid: uuid.to_owned(),
            token_id: token_id.to_owned(),
            token: token.to_owned(),
            remote: remote.to_owned(),
            ..Self::default()
        };
        f.api.host = host.to_owned();
        f.api.port = port;
        f.system.root_directory = under(root.clone());
        f.system.log_directory = under(root.join("logs"));
        f.system.data = under(data_dir.join("volumes"));
        f.system.archive_directory = under(root.join("archives"));
        f.system.backup_directory = under(root.join("backups"));
        f.system.tmp_directory = under(root.join("tmp"));
        f
    }
}

/// Writes `bytes` to `path` through a 0600 temporary file in the same directory and a rename,
/// so readers see the old file or the new one, never half of one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.yml".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable; a failure here leaves a correct file, so it is ignored.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// A complete config as a Pterodactyl node carries it, every value off its default.
    const FULL: &str = r#"
debug: true
app_name: Wings Test
uuid: 4d0c1a7e-7c3f-4b53-9f54-6c4bb8f0c1d2
token_id: abcdefghijklmnop
token: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
api:
  host: 10.0.0.2
  port: 8443
  ssl:
    enabled: true
    cert: /etc/letsencrypt/live/node.example.com/fullchain.pem
    key: /etc/letsencrypt/live/node.example.com/privkey.pem
  disable_remote_download: true
  upload_limit: 250
  trusted_proxies: [10.0.0.1]
system:
  root_directory: /srv/ptero
  log_directory: /srv/ptero/log
  data: /srv/ptero/volumes
  archive_directory: /srv/ptero/archives
  backup_directory: /srv/ptero/backups
  tmp_directory: /srv/ptero/tmp
  username: wings
  timezone: Europe/Amsterdam
  user:
    rootless:
      enabled: true
      container_uid: 1000
      container_gid: 1001
    uid: 988
    gid: 987
  disk_check_interval: 30
  activity_send_interval: 10
  activity_send_count: 5
  check_permissions_on_boot: false
  enable_log_rotate: false
  websocket_log_count: 42
  sftp:
    bind_address: 127.0.0.1
    bind_port: 2222
    read_only: true
  crash_detection:
    enabled: false
    detect_clean_exit_as_crash: false
    timeout: 15
  backups:
    write_limit: 7
    compression_level: best_compression
  transfers:
    download_limit: 9
  openat_mode: openat2
docker:
  network:
    interface: 172.30.0.1
    dns: [9.9.9.9]
    name: ptero_nw
    ispn: true
    driver: macvlan
    network_mode: ptero_nw
    is_internal: true
    enable_icc: false
    network_mtu: 1400
    interfaces:
      v4:
        subnet: 172.30.0.0/16
        gateway: 172.30.0.1
      v6:
        subnet: fd00::/64
        gateway: fd00::1
  domainname: example.net
  registries:
    registry.example.com:
      username: bob
      password: registry-pass
  tmpfs_size: 200
  container_pid_limit: 1024
  installer_limits:
    memory: 2048
    cpu: 200
  overhead:
    override: true
    default_multiplier: 1.1
    multipliers:
      2048: 1.15
      4096: 1.1
  use_performant_inspect: false
  userns_mode: host
  log_config:
    type: json-file
    config:
      max-size: 10m
throttles:
  enabled: false
  lines: 500
  line_reset_interval: 250
remote: https://panel.example.com
remote_query:
  timeout: 12
  boot_servers_per_page: 20
allowed_mounts: [/mnt/shared]
allowed_origins: [https://ui.example.com]
allow_cors_private_network: true
ignore_panel_config_updates: true
some_future_key: {nested: 1}
"#;

    #[test]
    fn a_full_pterodactyl_config_parses() {
        let c = WingsFile::from_yaml(FULL).unwrap();
        assert!(c.debug);
        assert_eq!(c.app_name, "Wings Test");
        assert_eq!(c.token_id, "abcdefghijklmnop");
        assert_eq!(c.token.len(), 64);
        assert_eq!((c.api.host.as_str(), c.api.port), ("10.0.0.2", 8443));
        assert!(c.api.ssl.enabled);
        assert_eq!(
            c.api.ssl.key,
            "/etc/letsencrypt/live/node.example.com/privkey.pem"
        );
        assert!(c.api.disable_remote_download);
        assert_eq!(c.api.upload_limit, 250);
        assert_eq!(c.api.trusted_proxies, vec!["10.0.0.1"]);
        let s = &c.system;
        assert_eq!(s.root_directory, "/srv/ptero");
        assert_eq!(s.data, "/srv/ptero/volumes");
        assert_eq!(s.tmp_directory, "/srv/ptero/tmp");
        assert_eq!(s.timezone, "Europe/Amsterdam");
        assert_eq!(
            s.user.rootless,
            RootlessSection {
                enabled: true,
                container_uid: 1000,
                container_gid: 1001
            }
        );
        assert_eq!((s.user.uid, s.user.gid), (988, 987));
        assert_eq!(
            (
                s.disk_check_interval,
                s.activity_send_interval,
                s.activity_send_count
            ),
            (30, 10, 5)
        );
        assert!(!s.check_permissions_on_boot && !s.enable_log_rotate);
        assert_eq!(s.websocket_log_count, 42);
        assert_eq!(
            s.sftp,
            SftpSection {
                bind_address: "127.0.0.1".into(),
                bind_port: 2222,
                read_only: true
            }
        );
        assert_eq!(
            s.crash_detection,
            CrashDetectionSection {
                enabled: false,
                detect_clean_exit_as_crash: false,
                timeout: 15
            }
        );
        assert_eq!(
            s.backups,
            BackupsSection {
                write_limit: 7,
                compression_level: "best_compression".into()
            }
        );
        assert_eq!(s.transfers.download_limit, 9);
        let d = &c.docker;
        assert_eq!(d.network.interface, "172.30.0.1");
        assert_eq!(d.network.dns, vec!["9.9.9.9"]);
        assert!(d.network.ispn && d.network.is_internal && !d.network.enable_icc);
        assert_eq!(
            (d.network.driver.as_str(), d.network.network_mtu),
            ("macvlan", 1400)
        );
        assert_eq!(
            d.network.interfaces.v6,
            Subnet {
                subnet: "fd00::/64".into(),
                gateway: "fd00::1".into()
            }
        );
        assert_eq!(
            d.registries["registry.example.com"].password,
            "registry-pass"
        );
        assert_eq!((d.tmpfs_size, d.container_pid_limit), (200, 1024));
        assert_eq!(
            d.installer_limits,
            InstallerLimits {
                memory: 2048,
                cpu: 200
            }
        );
        assert!(d.overhead.override_);
        assert_eq!(d.overhead.multipliers[&2048], 1.15);
        assert_eq!(d.userns_mode, "host");
        assert_eq!(d.log_config.kind, "json-file");
        assert_eq!(
            c.throttles,
            ThrottlesSection {
                enabled: false,
                lines: 500,
                line_reset_interval: 250
            }
        );
        assert_eq!(c.remote, "https://panel.example.com");
        assert_eq!(
            c.remote_query,
            RemoteQuerySection {
                timeout: 12,
                boot_servers_per_page: 20
            }
        );
        assert_eq!(c.allowed_mounts, vec!["/mnt/shared"]);
        assert_eq!(c.allowed_origins, vec!["https://ui.example.com"]);
        assert!(c.allow_cors_private_network && c.ignore_panel_config_updates);
    }

    #[test]
    fn defaults_fill_what_the_panel_leaves_out() {
        // Exactly what the panel's node configuration endpoint produces, plus an empty key.
        let yml = "debug: false\nuuid: u\ntoken_id: abcdefghijklmnop\ntoken: secret\napi:\n  host: 0.0.0.0\n  port: 8080\n  ssl:\n    enabled: false\n    cert: /a\n    key: /b\n  upload_limit: 100\nsystem:\n  data: /var/lib/pterodactyl/volumes\n  sftp:\n    bind_port: 2022\nallowed_mounts:\nremote: 'https://panel.example'\n";
        let c = WingsFile::from_yaml(yml).unwrap();
        assert_eq!(c.app_name, "Aerie");
        assert_eq!(c.system.root_directory, "/var/lib/pterodactyl");
        assert_eq!(c.system.sftp.bind_address, "0.0.0.0");
        assert_eq!(c.system.username, "pterodactyl");
        assert_eq!(c.system.backups.compression_level, "best_speed");
        assert!(c.system.crash_detection.enabled);
        assert_eq!(c.docker.network.name, "pterodactyl_nw");
        assert_eq!(c.docker.network.dns, vec!["1.1.1.1", "1.0.0.1"]);
        assert_eq!(c.docker.network.interfaces.v4.subnet, "172.18.0.0/16");
        assert_eq!(c.docker.container_pid_limit, 512);
        assert_eq!(c.docker.overhead.default_multiplier, 1.05);
        assert_eq!(c.throttles.lines, 2000);
        assert_eq!(
            c.remote_query,
            RemoteQuerySection {
                timeout: 30,
                boot_servers_per_page: 50
            }
        );
        assert!(c.allowed_mounts.is_empty());

        let mut expected = WingsFile {
            uuid: "u".into(),
            token_id: "abcdefghijklmnop".into(),
            token: "secret".into(),
            remote: "https://panel.example".into(),
            ..WingsFile::default()
        };
        expected.api.ssl.cert = "/a".into();
        expected.api.ssl.key = "/b".into();
        assert_eq!(c, expected, "every key the file omits is Wings' default");
        assert_eq!(WingsFile::from_yaml("").unwrap(), WingsFile::default());
    }

    #[test]
    fn the_token_is_redacted_in_debug_and_json() {
        let c = WingsFile::from_yaml(FULL).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(&c.token), "{dbg}");
        assert!(!dbg.contains("registry-pass"), "{dbg}");
        assert!(dbg.contains("[redacted]") && dbg.contains("abcdefghijklmnop"));
        let json = c.to_json();
        let text = json.to_string();
        assert!(!text.contains(&c.token) && !text.contains("registry-pass"));
        assert_eq!(json["docker"]["network"]["interface"], "172.30.0.1");
        assert_eq!(json["system"]["sftp"]["bind_port"], 2222);
        assert_eq!(json["docker"]["overhead"]["override"], true);
        assert_eq!(
            json["docker"]["registries"]["registry.example.com"]["username"],
            "bob"
        );
    }

    #[test]
    fn save_then_load_round_trips_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/config.yml");
        let c = WingsFile::from_yaml(FULL).unwrap();
        c.save(&path).unwrap();
        assert_eq!(WingsFile::load(&path).unwrap(), c);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // Overwriting leaves no temporary files behind.
        let local = WingsFile::for_local_node(
            "u",
            "tid",
            "tok",
            "127.0.0.1",
            9000,
            "http://127.0.0.1:1",
            Path::new("/data"),
        );
        local.save(&path).unwrap();
        assert_eq!(WingsFile::load(&path).unwrap(), local);
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
        assert_eq!(local.system.data, "/data/volumes");
        assert_eq!(local.system.root_directory, "/data/wings");
        assert_eq!(local.api.port, 9000);
    }

    #[test]
    fn invalid_files_give_one_clear_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("config.yml");
        std::fs::write(&f, "api:\n  port: [1, 2\n  host: x\n").unwrap();
        let e = WingsFile::load(&f).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("invalid wings config {}: ", f.display())),
            "{e}"
        );
        assert!(e.contains("line"), "{e}");
        assert!(!e.contains('\n'), "{e}");

        std::fs::write(&f, "token: t\napi:\n  port: eighty\n").unwrap();
        let e = WingsFile::load(&f).unwrap_err().to_string();
        assert!(e.contains("api.port") && e.contains("line 3"), "{e}");
        assert!(!e.contains('\n'), "{e}");

        std::fs::write(&f, "token_id: x\n").unwrap();
        assert!(
            WingsFile::load(&f)
                .unwrap_err()
                .to_string()
                .contains("`token` is missing")
        );
        let e = WingsFile::load(&dir.path().join("absent.yml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot read wings config"), "{e}");
    }
}
