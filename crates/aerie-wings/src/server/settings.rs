//! Node-wide settings the server state machine needs, distilled from wings' `config.yml`.

use std::path::PathBuf;
use std::time::Duration;

/// Node-wide settings. `Default` gives Pterodactyl's defaults with paths under `/tmp`.
#[derive(Debug, Clone)]
pub struct NodeSettings {
    /// `Pterodactyl` in Wings; the daemon's name in console messages.
    pub app_name: String,
    /// Where server volumes live (`<data>/<uuid>`).
    pub data_dir: PathBuf,
    /// Scratch space (install scripts).
    pub tmp_dir: PathBuf,
    /// Logs (install logs under `install/`).
    pub log_dir: PathBuf,
    /// Local backups (`<backup_dir>/<backup uuid>.tar.zst`).
    pub backup_dir: PathBuf,
    /// The uid containers run as and volumes are owned by.
    pub uid: u32,
    /// The gid containers run as.
    pub gid: u32,
    /// Docker network servers join.
    pub network: String,
    /// DNS servers for containers.
    pub dns: Vec<String>,
    /// `/tmp` tmpfs size in MB.
    pub tmpfs_mb: i64,
    /// Process limit per container.
    pub pids_limit: i64,
    /// Installer memory floor in MB.
    pub installer_memory_mb: i64,
    /// Installer CPU floor in percent.
    pub installer_cpu: i64,
    /// Whether `overhead` multipliers are overridden.
    pub overhead_override: bool,
    /// The multiplier used when overridden.
    pub overhead_default: f64,
    /// Console throttle: on or off.
    pub throttle_enabled: bool,
    /// Console throttle: lines per interval.
    pub throttle_lines: u64,
    /// Console throttle: interval.
    pub throttle_interval: Duration,
    /// Lines sent on `send logs`.
    pub websocket_log_count: usize,
    /// Crash detection on/off.
    pub crash_detection: bool,
    /// Treat exit code 0 as a crash.
    pub clean_exit_is_crash: bool,
    /// No automatic restart if the previous crash was more recent than this.
    pub crash_timeout: Duration,
    /// How long an install may run.
    pub install_timeout: Duration,
    /// How long `stop` waits before killing.
    pub stop_timeout: Duration,
    /// Panel URL (allowed websocket origin).
    pub panel_url: String,
    /// Other allowed websocket origins (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Root filesystem of server containers is read-only.
    pub readonly_root: bool,
    /// How often a running server's disk use is measured.
    pub disk_check_interval: Duration,
    /// How often queued activity is sent to the panel.
    pub activity_send_interval: Duration,
    /// Send early once this many activity entries are queued.
    pub activity_send_count: usize,
    /// Wings' configuration as JSON, for `{{config.X}}` placeholders in egg config files.
    pub config_json: serde_json::Value,
    /// Host directories the panel may mount into containers (`allowed_mounts`); a mount
    /// whose source is not inside one of them is left out of the container.
    pub allowed_mounts: Vec<PathBuf>,
}

impl Default for NodeSettings {
    fn default() -> Self {
        let base = std::env::temp_dir().join("aerie-wings");
        Self {
            app_name: "Aerie".into(),
            data_dir: base.join("volumes"),
            tmp_dir: base.join("tmp"),
            log_dir: base.join("logs"),
            backup_dir: base.join("backups"),
            uid: 1000,
            gid: 1000,
            network: "aerie_nw".into(),
            dns: vec![],
            tmpfs_mb: 100,
            pids_limit: 512,
            installer_memory_mb: 1024,
            installer_cpu: 100,
            overhead_override: false,
            overhead_default: 1.05,
            throttle_enabled: true,
            throttle_lines: 2000,
            throttle_interval: Duration::from_millis(100),
            websocket_log_count: 150,
            crash_detection: true,
            clean_exit_is_crash: true,
            crash_timeout: Duration::from_secs(60),
            install_timeout: Duration::from_secs(3600),
            stop_timeout: Duration::from_secs(600),
            panel_url: String::new(),
            allowed_origins: vec![],
            readonly_root: true,
            disk_check_interval: Duration::from_secs(150),
            activity_send_interval: Duration::from_secs(60),
            activity_send_count: 100,
            config_json: serde_json::json!({"docker": {"network": {"interface": "172.18.0.1"}}}),
            allowed_mounts: vec![],
        }
    }
}

impl NodeSettings {
    /// Memory overhead multiplier for a limit in MB, as Wings computes it.
    pub fn memory_multiplier(&self, memory_mb: i64) -> f64 {
        if self.overhead_override {
            return self.overhead_default;
        }
        if memory_mb <= 2048 {
            1.15
        } else if memory_mb <= 4096 {
            1.10
        } else {
            1.05
        }
    }

    /// `uid:gid` for Docker.
    pub fn user(&self) -> String {
        format!("{}:{}", self.uid, self.gid)
    }

    /// Host paths no mount may contain or lie inside: wings' data, scratch, log and backup
    /// directories, its configuration directory and the Docker socket.
    pub fn protected_paths(&self) -> Vec<PathBuf> {
        vec![
            self.data_dir.clone(),
            self.tmp_dir.clone(),
            self.log_dir.clone(),
            self.backup_dir.clone(),
            PathBuf::from("/etc/pterodactyl"),
            PathBuf::from("/etc/aerie"),
            PathBuf::from("/var/run/docker.sock"),
            PathBuf::from("/run/docker.sock"),
        ]
    }
}

/// The bind source for a panel mount, or why it is refused. The source must be an absolute
/// path that exists and, with its symlinks resolved, lies inside one of `allowed` (also
/// resolved): a link under an allowed directory cannot smuggle in `/etc`. `..`, `:` (Docker's
/// bind separator) and control characters are refused in both source and target, and in the
/// resolved source. A source equal to, inside or above one of `protected` (wings' own data,
/// backup, scratch and log directories, its configuration, the Docker socket) is refused even
/// when `allowed_mounts` would let it through: mounting `/var/lib` would hand one server every
/// other server's files.
pub fn mount_source(
    allowed: &[PathBuf],
    protected: &[PathBuf],
    source: &str,
    target: &str,
) -> Result<PathBuf, &'static str> {
    let bad = |p: &str| {
        !p.starts_with('/')
            || p.contains(':')
            || p.chars().any(char::is_control)
            || p.split('/').any(|c| c == "..")
    };
    if bad(source) || bad(target) {
        return Err("the source and target must be plain absolute paths");
    }
    if allowed.is_empty() {
        return Err("this node allows no mounts (allowed_mounts is empty)");
    }
    let real =
        std::fs::canonicalize(source).map_err(|_| "the source does not exist on this node")?;
    if bad(&real.to_string_lossy()) {
        return Err("the source resolves to a path Docker cannot bind safely");
    }
    let clashes = protected.iter().any(|p| {
        let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        real.starts_with(&p) || p.starts_with(&real)
    });
    if clashes {
        return Err("the source contains or lies inside a directory wings keeps for itself");
    }
    let inside = allowed.iter().any(|a| {
        std::fs::canonicalize(a)
            .is_ok_and(|a| a != std::path::Path::new("/") && real.starts_with(&a))
    });
    if inside {
        Ok(real)
    } else {
        Err("the source is not inside any of this node's allowed_mounts")
    }
}

#[cfg(test)]
mod mount_tests {
    use super::mount_source;

    #[test]
    fn only_sources_inside_an_allowed_directory_are_mounted() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let shared = dir.path().join("shared");
        let inner = shared.join("maps");
        std::fs::create_dir_all(&inner).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("shared2")).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("/etc", shared.join("etc")).unwrap_or_else(|e| panic!("{e}"));
        let allowed = vec![shared.clone()];
        let s = |p: &std::path::Path| p.display().to_string();
        assert_eq!(
            mount_source(&allowed, &[], &s(&inner), "/maps"),
            Ok(inner.canonicalize().unwrap_or_else(|e| panic!("{e}")))
        );
        assert!(mount_source(&allowed, &[], &s(&shared), "/shared").is_ok());
        // A sibling that merely shares the prefix, a link out, `..`, a colon, a missing path.
        assert!(mount_source(&allowed, &[], &s(&dir.path().join("shared2")), "/x").is_err());
        assert!(mount_source(&allowed, &[], &s(&shared.join("etc")), "/x").is_err());
        assert!(mount_source(&allowed, &[], &format!("{}/../shared2", s(&shared)), "/x").is_err());
        assert!(mount_source(&allowed, &[], &s(&inner), "/x:/y").is_err());
        assert!(mount_source(&allowed, &[], &format!("{}:ro", s(&inner)), "/x").is_err());
        assert!(mount_source(&allowed, &[], &s(&shared.join("missing")), "/x").is_err());
        assert!(mount_source(&allowed, &[], "maps", "/x").is_err());
        // Nothing allowed, or `/` allowed, mounts nothing.
        assert!(mount_source(&[], &[], &s(&inner), "/x").is_err());
        assert!(mount_source(&[std::path::PathBuf::from("/")], &[], &s(&inner), "/x").is_err());
        // wings' own directories: neither inside nor above them, even when allowed.
        let volumes = inner.join("volumes");
        std::fs::create_dir_all(volumes.join("srv1")).unwrap_or_else(|e| panic!("{e}"));
        let protected = vec![volumes.clone()];
        assert!(mount_source(&allowed, &protected, &s(&inner), "/x").is_err());
        assert!(mount_source(&allowed, &protected, &s(&volumes.join("srv1")), "/x").is_err());
        assert!(mount_source(&allowed, &protected, &s(&dir.path().join("shared")), "/x").is_err());
        std::fs::create_dir_all(shared.join("other")).unwrap_or_else(|e| panic!("{e}"));
        assert!(mount_source(&allowed, &protected, &s(&shared.join("other")), "/x").is_ok());
    }
}
