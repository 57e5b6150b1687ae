//! One game server on this node: its settings, process state, console, stats, and the
//! lifecycle (install, power, crash recovery). The state machine only talks to Docker
//! through [`ContainerRuntime`], and to the panel through [`PanelLink`].

pub mod console;
pub mod done;
mod install;
mod manager;
pub(crate) mod power;
pub mod settings;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aerie_proto::wings::{
    InstallScript, InstallStatus, ProcessState, RemoteServer, ServerDetails, ServerSettings, Stats,
    events,
};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{broadcast, watch};

pub use manager::Manager;
pub use power::PowerError;
pub use settings::NodeSettings;

use crate::runtime::lines::LineSplitter;
use crate::runtime::{BoxFut, ContainerRuntime, ContainerSpec};
use console::{Console, Verdict};
use done::DoneMatcher;

/// What wings asks of the panel (the remote API). A trait so wings can run and be tested
/// without a panel, and so the HTTP client lives in one place.
pub trait PanelLink: Send + Sync + 'static {
    /// `GET /api/remote/servers/{uuid}`.
    fn get_server<'a>(&'a self, uuid: &'a str) -> BoxFut<'a, Result<RemoteServer, String>>;
    /// `GET /api/remote/servers/{uuid}/install`.
    fn install_script<'a>(&'a self, uuid: &'a str) -> BoxFut<'a, Result<InstallScript, String>>;
    /// `POST /api/remote/servers/{uuid}/install`.
    fn set_install_status<'a>(
        &'a self,
        uuid: &'a str,
        status: InstallStatus,
    ) -> BoxFut<'a, Result<(), String>>;
    /// `POST /api/remote/activity`.
    fn send_activity<'a>(
        &'a self,
        batch: &'a aerie_proto::wings::ActivityBatch,
    ) -> BoxFut<'a, Result<(), String>>;
    /// `POST /api/remote/servers/{uuid}/transfer/success` or `…/failure`, from the target node.
    fn set_transfer_status<'a>(
        &'a self,
        uuid: &'a str,
        successful: bool,
    ) -> BoxFut<'a, Result<(), String>>;
    /// `GET /api/remote/backups/{uuid}?size=`: presigned part URLs for an S3 backup of
    /// `size` bytes. The default refuses (a link without backup support).
    fn backup_upload_parts<'a>(
        &'a self,
        backup: &'a str,
        size: u64,
    ) -> BoxFut<'a, Result<aerie_proto::wings::BackupUploadParts, String>> {
        let _ = (backup, size);
        Box::pin(async { Err("this panel link does not support S3 backups".to_owned()) })
    }
    /// `POST /api/remote/backups/{uuid}`: how a backup ended. The default refuses.
    fn set_backup_status<'a>(
        &'a self,
        backup: &'a str,
        status: &'a aerie_proto::wings::BackupStatus,
    ) -> BoxFut<'a, Result<(), String>> {
        let _ = (backup, status);
        Box::pin(async { Err("this panel link does not support backups".to_owned()) })
    }
    /// `POST /api/remote/backups/{uuid}/restore`: how a restore ended. The default refuses.
    fn set_restore_status<'a>(
        &'a self,
        backup: &'a str,
        successful: bool,
    ) -> BoxFut<'a, Result<(), String>> {
        let _ = (backup, successful);
        Box::pin(async { Err("this panel link does not support backups".to_owned()) })
    }
}

/// An event for websocket listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Event name (`console output`, `status`, …).
    pub name: &'static str,
    /// String arguments.
    pub args: Vec<String>,
    /// The websocket frame text, serialized once for every listener.
    pub frame: axum::extract::ws::Utf8Bytes,
}

/// Shared by every server on the node.
pub struct NodeContext {
    /// The container engine.
    pub runtime: Arc<dyn ContainerRuntime>,
    /// The panel, when there is one.
    pub panel: Option<Arc<dyn PanelLink>>,
    /// Node settings.
    pub settings: NodeSettings,
}

/// A game server.
pub struct Server {
    uuid: String,
    ctx: Arc<NodeContext>,
    config: Mutex<RemoteServer>,
    state: watch::Sender<ProcessState>,
    events: broadcast::Sender<Event>,
    console: Mutex<Console>,
    stdin: tokio::sync::Mutex<Option<Pin<Box<dyn AsyncWrite + Send>>>>,
    power_lock: tokio::sync::Mutex<()>,
    installing: AtomicBool,
    expect_stop: AtomicBool,
    last_crash: Mutex<Option<Instant>>,
    started_at: Mutex<Option<Instant>>,
    stats: Mutex<Stats>,
    done: Mutex<DoneMatcher>,
    deleted: AtomicBool,
    /// Bumped on every attach, so an old output task cannot act on a newer run.
    run_id: std::sync::atomic::AtomicU64,
    /// Crash restarts are requested here and carried out by the supervisor task.
    restart_tx: tokio::sync::mpsc::UnboundedSender<()>,
    /// The file jail over the volume, opened on first use.
    jail: Mutex<Option<Arc<aerie_fs::Jail>>>,
    /// A backup or restore in progress.
    file_ops: Mutex<Option<crate::backup::Busy>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these short locks cannot leave partial state worth
    // refusing to read, so poisoning is ignored.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Server {
    /// A server from its panel configuration; offline until started or re-attached.
    pub fn new(ctx: Arc<NodeContext>, config: RemoteServer) -> Result<Arc<Self>, String> {
        let uuid = config.settings.uuid.clone();
        if uuid.is_empty() || !uuid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("invalid server uuid `{uuid}`"));
        }
        let done = DoneMatcher::new(
            &config.process_configuration.startup.done,
            config.process_configuration.startup.strip_ansi,
        )?;
        let s = &ctx.settings;
        let console = Console::new(
            s.websocket_log_count.max(150),
            s.throttle_enabled,
            s.throttle_lines,
            s.throttle_interval,
        );
        let (state, _) = watch::channel(ProcessState::Offline);
        let (events, _) = broadcast::channel(8192);
        let (restart_tx, restart_rx) = tokio::sync::mpsc::unbounded_channel();
        let server = Arc::new(Self {
            uuid,
            ctx,
            config: Mutex::new(config),
            state,
            events,
            console: Mutex::new(console),
            stdin: tokio::sync::Mutex::new(None),
            power_lock: tokio::sync::Mutex::new(()),
            installing: AtomicBool::new(false),
            expect_stop: AtomicBool::new(false),
            last_crash: Mutex::new(None),
            started_at: Mutex::new(None),
            stats: Mutex::new(Stats::default()),
            done: Mutex::new(done),
            deleted: AtomicBool::new(false),
            run_id: std::sync::atomic::AtomicU64::new(0),
            restart_tx,
            jail: Mutex::new(None),
            file_ops: Mutex::new(None),
        });
        server.spawn_supervisor(restart_rx);
        Ok(server)
    }

    /// The task that restarts the server after a crash. It holds only a weak reference,
    /// so a deleted server is dropped.
    fn spawn_supervisor(self: &Arc<Self>, mut rx: tokio::sync::mpsc::UnboundedReceiver<()>) {
        let weak = Arc::downgrade(self);
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        handle.spawn(async move {
            while rx.recv().await.is_some() {
                let Some(me) = weak.upgrade() else { break };
                if let Err(e) = me
                    .power(
                        aerie_proto::wings::PowerAction::Start,
                        Some(Duration::from_secs(30)),
                    )
                    .await
                {
                    me.daemon_message(&format!("Automatic restart failed: {e}"));
                }
            }
        });
    }

    /// The server UUID.
    pub fn uuid(&self) -> &str {
        &self.uuid
    }

    /// Current process state.
    pub fn state(&self) -> ProcessState {
        *self.state.borrow()
    }

    /// Watches the state.
    pub fn watch_state(&self) -> watch::Receiver<ProcessState> {
        self.state.subscribe()
    }

    /// Subscribes to events.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Whether an install is running.
    pub fn is_installing(&self) -> bool {
        self.installing.load(Ordering::SeqCst)
    }

    /// Whether a power action holds the lock.
    pub fn is_busy(&self) -> bool {
        self.power_lock.try_lock().is_err()
    }

    /// A copy of the settings.
    pub fn settings(&self) -> ServerSettings {
        lock(&self.config).settings.clone()
    }

    /// Suspended?
    pub fn is_suspended(&self) -> bool {
        lock(&self.config).settings.suspended
    }

    /// The last `n` console lines.
    pub fn console_tail(&self, n: usize) -> Vec<String> {
        lock(&self.console).tail(n)
    }

    /// Current resource use.
    pub fn stats(&self) -> Stats {
        let mut s = lock(&self.stats).clone();
        s.state = self.state();
        if s.state == ProcessState::Offline {
            s.memory_bytes = 0;
            s.cpu_absolute = 0.0;
            s.uptime = 0;
        } else if let Some(t) = *lock(&self.started_at) {
            s.uptime = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
        }
        s
    }

    /// `GET /api/servers/:id`.
    pub fn details(&self) -> ServerDetails {
        ServerDetails {
            state: self.state(),
            is_suspended: self.is_suspended(),
            utilization: self.stats(),
            configuration: self.settings(),
        }
    }

    /// The host directory of the server's files.
    pub fn volume(&self) -> PathBuf {
        self.ctx.settings.data_dir.join(&self.uuid)
    }

    pub(crate) fn publish(&self, name: &'static str, args: Vec<String>) {
        if self.events.receiver_count() == 0 {
            return;
        }
        let text = serde_json::to_string(&aerie_proto::wings::WsMessage {
            event: name.to_owned(),
            args: args.clone(),
        })
        .unwrap_or_default();
        // No listeners left by now is fine.
        let _ = self.events.send(Event {
            name,
            args,
            frame: text.into(),
        });
    }

    /// Prints a daemon line on the console, in Wings' colours.
    pub fn daemon_message(&self, text: &str) {
        let line = format!(
            "\u{1b}[33m\u{1b}[1m[{} Daemon]:\u{1b}[39m {text}\u{1b}[0m",
            self.ctx.settings.app_name
        );
        lock(&self.console).push(line.clone());
        self.publish(events::CONSOLE_OUTPUT, vec![line]);
    }

    fn set_state(self: &Arc<Self>, new: ProcessState) {
        let old = self.state.send_replace(new);
        if old == new {
            return;
        }
        tracing::debug!(server.uuid = %self.uuid, from = old.as_str(), to = new.as_str(), "state change");
        self.publish(events::STATUS, vec![new.as_str().to_owned()]);
        if new == ProcessState::Offline {
            *lock(&self.started_at) = None;
            // Offline servers still report their disk and limit.
            self.publish(
                events::STATS,
                vec![serde_json::to_string(&self.stats()).unwrap_or_default()],
            );
        }
    }

    /// Replaces the configuration (after a sync with the panel).
    pub fn update_config(&self, config: RemoteServer) -> Result<(), String> {
        let done = DoneMatcher::new(
            &config.process_configuration.startup.done,
            config.process_configuration.startup.strip_ansi,
        )?;
        *lock(&self.done) = done;
        let mut cur = lock(&self.config);
        if cur.settings.build.disk_space != config.settings.build.disk_space
            || cur.settings.egg.file_denylist != config.settings.egg.file_denylist
        {
            // Limits changed: the next file operation opens a jail with the new ones.
            *lock(&self.jail) = None;
        }
        *cur = config;
        Ok(())
    }

    /// The file jail over this server's volume (created, and owned by the container user,
    /// when missing).
    pub fn jail(&self) -> Result<Arc<aerie_fs::Jail>, aerie_fs::Error> {
        if let Some(j) = lock(&self.jail).clone() {
            return Ok(j);
        }
        let volume = self.volume();
        let node = &self.ctx.settings;
        if !volume.exists() {
            std::fs::create_dir_all(&volume).map_err(aerie_fs::Error::from_io)?;
            let _ = std::os::unix::fs::lchown(&volume, Some(node.uid), Some(node.gid));
        }
        let (limit, denylist) = {
            let c = lock(&self.config);
            (
                u64::try_from(c.settings.build.disk_space).unwrap_or(0) * 1024 * 1024,
                c.settings.egg.file_denylist.clone(),
            )
        };
        let j = Arc::new(aerie_fs::Jail::open(
            &volume,
            aerie_fs::JailOptions {
                uid: node.uid,
                gid: node.gid,
                disk_limit_bytes: limit,
                denylist,
                read_only: false,
            },
        )?);
        *lock(&self.jail) = Some(j.clone());
        Ok(j)
    }

    /// Fetches the configuration from the panel, when there is one.
    pub async fn sync(&self) -> Result<(), String> {
        let Some(panel) = &self.ctx.panel else {
            return Ok(());
        };
        let mut cfg = panel.get_server(&self.uuid).await?;
        if cfg.settings.uuid.is_empty() {
            cfg.settings.uuid = self.uuid.clone();
        }
        self.update_config(cfg)
    }

    /// Writes lines to the process stdin. Typing the egg's stop command counts as a stop.
    pub async fn send_commands(self: &Arc<Self>, commands: &[String]) -> Result<(), PowerError> {
        let state = self.state();
        if state == ProcessState::Offline || self.is_installing() {
            return Err(PowerError::NotRunning);
        }
        let stop = lock(&self.config).process_configuration.stop.clone();
        let mut guard = self.stdin.lock().await;
        let Some(stdin) = guard.as_mut() else {
            return Err(PowerError::NotRunning);
        };
        for c in commands {
            if stop.kind == "command" && c.trim() == stop.value.trim() {
                self.expect_stop.store(true, Ordering::SeqCst);
                self.set_state(ProcessState::Stopping);
            }
            let mut bytes = c.clone().into_bytes();
            bytes.push(b'\n');
            stdin
                .write_all(&bytes)
                .await
                .map_err(|e| PowerError::Runtime(format!("cannot write to the console: {e}")))?;
        }
        stdin
            .flush()
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        Ok(())
    }

    fn on_line(self: &Arc<Self>, line: String) {
        let verdict = lock(&self.console).admit(Instant::now());
        match verdict {
            Verdict::Pass => {}
            Verdict::DropAndWarn => {
                self.daemon_message(
                    "Server is outputting console data too quickly -- throttling...",
                );
                return;
            }
            Verdict::Drop => return,
        }
        let started = self.state() == ProcessState::Starting && lock(&self.done).matches(&line);
        lock(&self.console).push(line.clone());
        self.publish(events::CONSOLE_OUTPUT, vec![line]);
        // After the line, so listeners see the done line before the status change.
        if started {
            self.set_state(ProcessState::Running);
        }
    }

    /// Attaches to the container and watches its output, stats and exit. Returns once
    /// attached (before the process starts, so no output is missed).
    async fn attach(self: &Arc<Self>) -> Result<(), PowerError> {
        let rt = self.ctx.runtime.clone();
        let attached = rt
            .attach(&self.uuid)
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        *self.stdin.lock().await = Some(attached.input);
        let run = self.run_id.fetch_add(1, Ordering::SeqCst) + 1;
        let me = self.clone();
        let mut output = attached.output;
        tokio::spawn(async move {
            let mut split = LineSplitter::default();
            while let Some(chunk) = output.next().await {
                for line in split.push(&chunk) {
                    me.on_line(line);
                }
            }
            if let Some(l) = split.finish() {
                me.on_line(l);
            }
            // Output ends when the process exits (or the engine goes away).
            let _ = me.ctx.runtime.wait(&me.uuid).await;
            if me.run_id.load(Ordering::SeqCst) == run {
                me.on_exit().await;
            }
        });
        Ok(())
    }

    fn spawn_stats(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut stream = me.ctx.runtime.stats(&me.uuid);
            let mut disk_checked = Instant::now();
            while let Some(sample) = stream.next().await {
                if me.state() == ProcessState::Offline {
                    break;
                }
                if disk_checked.elapsed() >= me.ctx.settings.disk_check_interval {
                    disk_checked = Instant::now();
                    // Rescan through the jail: it also corrects the incremental counter for
                    // whatever the game wrote itself.
                    let used = match me.jail() {
                        Ok(j) => tokio::task::spawn_blocking(move || j.rescan())
                            .await
                            .ok()
                            .and_then(Result::ok)
                            .unwrap_or(0),
                        Err(_) => {
                            let v = me.volume();
                            tokio::task::spawn_blocking(move || disk_usage(&v))
                                .await
                                .unwrap_or(0)
                        }
                    };
                    lock(&me.stats).disk_bytes = used;
                    me.enforce_disk_limit(used);
                }
                {
                    let mut s = lock(&me.stats);
                    s.memory_bytes = sample.memory_bytes;
                    s.memory_limit_bytes = sample.memory_limit_bytes;
                    s.cpu_absolute = sample.cpu_absolute;
                    s.network.rx_bytes = sample.rx_bytes;
                    s.network.tx_bytes = sample.tx_bytes;
                }
                me.publish(
                    events::STATS,
                    vec![serde_json::to_string(&me.stats()).unwrap_or_default()],
                );
            }
        });
    }

    async fn on_exit(self: &Arc<Self>) {
        *self.stdin.lock().await = None;
        let was = self.state();
        let expected = self.expect_stop.swap(false, Ordering::SeqCst);
        self.set_state(ProcessState::Offline);
        if self.deleted.load(Ordering::SeqCst)
            || expected
            || !matches!(was, ProcessState::Starting | ProcessState::Running)
        {
            return;
        }
        let enabled = self.ctx.settings.crash_detection
            && lock(&self.config).settings.crash_detection_enabled;
        if !enabled {
            return;
        }
        let status = self
            .ctx
            .runtime
            .inspect(&self.uuid)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        if status.exit_code == 0 && !status.oom_killed && !self.ctx.settings.clean_exit_is_crash {
            return;
        }
        self.daemon_message("---------- Detected server process in a crashed state! ----------");
        self.daemon_message(&format!("Exit code: {}", status.exit_code));
        self.daemon_message(&format!("Out of memory: {}", status.oom_killed));
        let timeout = self.ctx.settings.crash_timeout;
        {
            let mut last = lock(&self.last_crash);
            if let Some(t) = *last
                && !timeout.is_zero()
                && t.elapsed() < timeout
            {
                drop(last);
                self.daemon_message(&format!(
                    "Aborting automatic restart, last crash occurred less than {} seconds ago.",
                    timeout.as_secs()
                ));
                return;
            }
            *last = Some(Instant::now());
        }
        tracing::warn!(server.uuid = %self.uuid, exit_code = status.exit_code, oom = status.oom_killed, "server crashed; restarting");
        let _ = self.restart_tx.send(());
    }

    /// After wings restarts: adopt a container that is still running, with its console.
    pub async fn reattach(self: &Arc<Self>) -> Result<bool, PowerError> {
        let status = self
            .ctx
            .runtime
            .inspect(&self.uuid)
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        let Some(status) = status.filter(|s| s.running) else {
            return Ok(false);
        };
        let tail = self
            .ctx
            .runtime
            .logs_tail(&self.uuid, self.ctx.settings.websocket_log_count)
            .await
            .unwrap_or_default();
        lock(&self.console).refill(tail);
        *lock(&self.started_at) = Some(started_instant(&status.started_at));
        self.state.send_replace(ProcessState::Running);
        self.attach().await?;
        self.spawn_stats();
        tracing::info!(server.uuid = %self.uuid, "re-attached to running server");
        Ok(true)
    }

    /// Builds the container spec from the settings (§6.4 mapping).
    fn container_spec(&self) -> ContainerSpec {
        let cfg = lock(&self.config);
        let s = &cfg.settings;
        let node = &self.ctx.settings;
        let memory = if s.build.memory_limit > 0 {
            (s.build.memory_limit as f64
                * node.memory_multiplier(s.build.memory_limit)
                * 1_000_000.0) as i64
        } else {
            0
        };
        let swap = if s.build.swap < 0 {
            -1
        } else {
            s.build.swap * 1_000_000 + memory
        };
        let mut ports = Vec::new();
        for (ip, list) in &s.allocations.mappings {
            for p in list {
                ports.push((ip.clone(), *p));
            }
        }
        let mut labels: std::collections::BTreeMap<String, String> = s.labels.clone();
        labels.insert("Service".into(), "Aerie".into());
        labels.insert("ContainerType".into(), "server_process".into());
        let protected = node.protected_paths();
        ContainerSpec {
            name: self.uuid.clone(),
            image: s.container.image.clone(),
            env: environment(s, node),
            user: node.user(),
            volume: self.volume().display().to_string(),
            extra_binds: s
                .mounts
                .iter()
                .filter_map(|m| {
                    match settings::mount_source(&node.allowed_mounts, &protected, &m.source, &m.target) {
                        Ok(source) => Some(format!(
                            "{}:{}{}",
                            source.display(),
                            m.target,
                            if m.read_only { ":ro" } else { "" }
                        )),
                        Err(why) => {
                            tracing::warn!(server.uuid = %self.uuid, mount.source = %m.source, reason = why, "mount skipped");
                            None
                        }
                    }
                })
                .collect(),
            ports,
            memory,
            memory_reservation: s.build.memory_limit * 1_000_000,
            memory_swap: swap,
            cpu_quota: s.build.cpu_limit * 1000,
            cpuset: s.build.threads.clone(),
            io_weight: u16::try_from(s.build.io_weight.clamp(0, 1000)).unwrap_or(500),
            oom_disabled: s.build.oom_disabled || s.container.oom_disabled,
            pids_limit: node.pids_limit,
            tmpfs_mb: node.tmpfs_mb,
            network: node.network.clone(),
            dns: node.dns.clone(),
            readonly_root: node.readonly_root,
            labels,
        }
    }
}

fn started_instant(rfc3339: &str) -> Instant {
    let now = Instant::now();
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return now;
    };
    let ago = chrono::Utc::now().signed_duration_since(t.with_timezone(&chrono::Utc));
    ago.to_std()
        .ok()
        .and_then(|d| now.checked_sub(d))
        .unwrap_or(now)
}

fn env_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The container environment, as Wings builds it: its own variables first, then the
/// panel's, upper-cased, skipping names Wings already set.
pub fn environment(s: &ServerSettings, node: &NodeSettings) -> Vec<String> {
    let tz = std::env::var("TZ")
        .ok()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "UTC".into());
    let mut out = vec![
        format!("TZ={tz}"),
        format!("STARTUP={}", s.invocation),
        format!("SERVER_MEMORY={}", s.build.memory_limit),
        format!("SERVER_IP={}", s.allocations.default.ip),
        format!("SERVER_PORT={}", s.allocations.default.port),
    ];
    let _ = node;
    let reserved = ["TZ", "STARTUP", "SERVER_MEMORY", "SERVER_IP", "SERVER_PORT"];
    for (k, v) in &s.environment {
        let key = k.to_uppercase();
        if reserved.contains(&key.as_str()) {
            continue;
        }
        out.push(format!("{key}={}", env_value(v)));
    }
    out
}

/// Bytes used under `dir` (files only; symlinks not followed).
pub fn disk_usage(dir: &std::path::Path) -> u64 {
    fn walk(p: &std::path::Path, total: &mut u64) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        for e in rd.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            if md.is_dir() {
                walk(&e.path(), total);
            } else if md.is_file() {
                *total += md.len();
            }
        }
    }
    let mut total = 0;
    walk(dir, &mut total);
    total
}

impl Server {
    /// Stops a running server that has outgrown its disk limit (Wings' disk limiter).
    fn enforce_disk_limit(self: &Arc<Self>, used: u64) {
        let limit_mb = u64::try_from(lock(&self.config).settings.build.disk_space).unwrap_or(0);
        if limit_mb == 0 || used <= limit_mb * 1024 * 1024 || self.state() == ProcessState::Offline
        {
            return;
        }
        self.daemon_message(
            "Server is exceeding the assigned disk space limit, stopping process now.",
        );
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me
                .power(
                    aerie_proto::wings::PowerAction::Stop,
                    Some(Duration::from_secs(60)),
                )
                .await
            {
                tracing::warn!(server.uuid = %me.uuid, error.message = %e, "disk limiter could not stop the server");
            }
        });
    }

    /// Backup/restore state, for the backup module.
    pub(crate) fn file_ops(&self) -> std::sync::MutexGuard<'_, Option<crate::backup::Busy>> {
        lock(&self.file_ops)
    }

    /// Whether a restore is rewriting the server's files.
    pub fn is_restoring(&self) -> bool {
        matches!(*lock(&self.file_ops), Some(crate::backup::Busy::Restoring))
    }

    pub(crate) fn mark_deleted(&self) {
        self.deleted.store(true, Ordering::SeqCst);
    }
}

impl Server {
    /// Tells listeners about a failure (`daemon error`); admins see the message itself.
    pub(crate) fn publish_error(&self, message: &str) {
        self.publish(
            aerie_proto::wings::events::DAEMON_ERROR,
            vec![message.to_owned()],
        );
    }
}
