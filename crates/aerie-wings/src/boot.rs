//! Starting a node from its `config.yml`: node settings, the Docker network, the panel
//! link, and the boot sequence (reset, fetch servers, re-attach to running ones). The panel
//! being down does not stop wings: the boot fetch retries in the background.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::WingsState;
use crate::config::WingsFile;
use crate::docker::Engine;
use crate::remote::RemoteClient;
use crate::runtime::docker::DockerRuntime;
use crate::server::{Manager, NodeContext, NodeSettings, PanelLink};

/// Node settings from the config file.
pub fn node_settings(file: &WingsFile) -> NodeSettings {
    let d = NodeSettings::default();
    let s = &file.system;
    let path = |p: &str, fallback: PathBuf| {
        if p.is_empty() {
            fallback
        } else {
            PathBuf::from(p)
        }
    };
    // uid 0 in config means "not set" (Wings fills it with its system user); containers
    // never run as root, so we fall back to the images' `container` user.
    let (uid, gid) = if s.user.rootless.enabled {
        (s.user.rootless.container_uid, s.user.rootless.container_gid)
    } else {
        (s.user.uid, s.user.gid)
    };
    let uid = u32::try_from(uid).ok().filter(|u| *u != 0).unwrap_or(d.uid);
    let gid = u32::try_from(gid).ok().filter(|g| *g != 0).unwrap_or(d.gid);
    NodeSettings {
        app_name: if file.app_name.is_empty() {
            d.app_name.clone()
        } else {
            file.app_name.clone()
        },
        data_dir: path(&s.data, d.data_dir.clone()),
        tmp_dir: path(&s.tmp_directory, d.tmp_dir.clone()),
        log_dir: path(&s.log_directory, d.log_dir.clone()),
        backup_dir: path(&s.backup_directory, d.backup_dir.clone()),
        uid,
        gid,
        network: if file.docker.network.name.is_empty() {
            d.network.clone()
        } else {
            file.docker.network.name.clone()
        },
        dns: file.docker.network.dns.clone(),
        tmpfs_mb: i64::try_from(file.docker.tmpfs_size).unwrap_or(100),
        pids_limit: file.docker.container_pid_limit,
        installer_memory_mb: file.docker.installer_limits.memory,
        installer_cpu: file.docker.installer_limits.cpu,
        overhead_override: file.docker.overhead.override_,
        overhead_default: file.docker.overhead.default_multiplier,
        throttle_enabled: file.throttles.enabled,
        throttle_lines: file.throttles.lines,
        throttle_interval: Duration::from_millis(file.throttles.line_reset_interval.max(1)),
        websocket_log_count: usize::try_from(s.websocket_log_count).unwrap_or(150),
        crash_detection: s.crash_detection.enabled,
        clean_exit_is_crash: s.crash_detection.detect_clean_exit_as_crash,
        crash_timeout: Duration::from_secs(u64::try_from(s.crash_detection.timeout).unwrap_or(60)),
        panel_url: file.remote.trim_end_matches('/').to_owned(),
        allowed_origins: file.allowed_origins.clone(),
        allowed_mounts: file
            .allowed_mounts
            .iter()
            .filter(|m| !m.trim().is_empty())
            .map(std::path::PathBuf::from)
            .collect(),
        config_json: file.to_json(),
        disk_check_interval: Duration::from_secs(
            u64::try_from(s.disk_check_interval).unwrap_or(150).max(1),
        ),
        activity_send_interval: Duration::from_secs(
            u64::try_from(s.activity_send_interval).unwrap_or(60).max(1),
        ),
        activity_send_count: usize::try_from(s.activity_send_count).unwrap_or(100).max(1),
        ..d
    }
}

/// Builds the node: settings, network, panel link, manager. Starts the background boot
/// (reset + fetch + re-attach) and returns at once.
pub async fn start_node(file: &WingsFile, engine: Engine) -> WingsState {
    let mut settings = node_settings(file);
    let runtime = DockerRuntime::new(engine.clone());
    let subnet = file.docker.network.interfaces.v4.subnet.clone();
    match runtime
        .ensure_network(&settings.network, Some(&subnet))
        .await
    {
        Ok(id) => settings.network = id,
        Err(e) => {
            tracing::error!(error.message = %e, network = %settings.network, "cannot create the Docker network; servers will fail to start")
        }
    }
    let panel: Option<Arc<dyn PanelLink>> = if file.remote.is_empty() {
        None
    } else {
        match RemoteClient::new(file) {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                tracing::error!(error.message = %e, "invalid panel settings; running without a panel");
                None
            }
        }
    };
    remove_partial_backups(&settings.backup_dir);
    let ctx = NodeContext {
        runtime: Arc::new(runtime),
        panel,
        settings,
    };
    let manager = Manager::new(Arc::new(ctx));
    manager.spawn_activity_sender();
    crate::sftp::start_sftp(file, manager.clone()).await;
    if file.remote.is_empty() {
        tracing::warn!("no panel configured (`remote` is empty); no servers will be loaded");
    } else if let Ok(client) = RemoteClient::new(file) {
        let m = manager.clone();
        tokio::spawn(async move { boot_loop(client, m).await });
    }
    let upload = u64::try_from(file.api.upload_limit)
        .unwrap_or(100)
        .saturating_mul(1024 * 1024);
    WingsState::with_manager(engine, manager, file.token.clone())
        .with_upload_limit(upload)
        .with_remote_downloads(
            !file.api.disable_remote_download,
            file.api.remote_download_allow_private,
        )
}

async fn boot_loop(client: RemoteClient, manager: Arc<Manager>) {
    let mut delay = Duration::from_secs(1);
    loop {
        match client.list_servers().await {
            Ok(list) => {
                let total = list.len();
                let reattached = manager.boot(list).await;
                tracing::info!(servers = total, reattached, "servers loaded from the panel");
                if let Err(e) = client.reset_servers().await {
                    tracing::warn!(error.message = %e, "could not reset server states on the panel");
                }
                return;
            }
            Err(e) => {
                tracing::warn!(error.message = %e, retry_in_s = delay.as_secs(), "cannot load servers from the panel; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// Deletes backup archives a previous run left half-written (it was killed mid-backup);
/// they were never reported to the panel, so nothing refers to them.
fn remove_partial_backups(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().ends_with(".partial") {
            match std::fs::remove_file(e.path()) {
                Ok(()) => {
                    tracing::info!(file = %e.path().display(), "removed a half-written backup from an earlier run")
                }
                Err(err) => {
                    tracing::warn!(file = %e.path().display(), error.message = %err, "cannot remove a half-written backup")
                }
            }
        }
    }
}
