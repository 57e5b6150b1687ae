//! Power actions: one at a time under the power lock, except `kill`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aerie_proto::wings::{PowerAction, ProcessState};

use super::{Server, lock};

/// Why a power action (or a command) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PowerError {
    /// Another action holds the lock.
    #[error(
        "another power action is currently being processed for this server, please try again later"
    )]
    Busy,
    /// The server is installing, transferring or restoring.
    #[error("the server is installing or restoring a backup and cannot be controlled")]
    Installing,
    /// Start from a state other than offline.
    #[error("the server is already running")]
    AlreadyRunning,
    /// Commands to a stopped server.
    #[error("Cannot send commands to a stopped server instance.")]
    NotRunning,
    /// Suspended servers do not start.
    #[error("the server is suspended")]
    Suspended,
    /// Not enough disk.
    #[error("the server has exceeded its disk space limit ({used} MiB used of {limit} MiB)")]
    Disk {
        /// MiB used.
        used: u64,
        /// MiB allowed.
        limit: u64,
    },
    /// The panel could not be asked for the current settings.
    #[error("could not sync the server configuration with the panel: {0}")]
    Sync(String),
    /// The engine failed.
    #[error("{0}")]
    Runtime(String),
}

/// Maps an egg stop signal name to the signal Wings sends (§5.4): `C`/`SIGINT` → SIGINT,
/// `SIGTERM`, `SIGABRT`; anything else (including `^C` from `^^C`) → SIGKILL.
pub fn stop_signal(value: &str) -> &'static str {
    match value.trim().to_uppercase().as_str() {
        "C" | "SIGINT" | "INT" => "SIGINT",
        "SIGTERM" | "TERM" => "SIGTERM",
        "SIGABRT" | "ABRT" => "SIGABRT",
        _ => "SIGKILL",
    }
}

impl Server {
    /// Runs a power action. `lock_wait`: `None` fails at once when busy (websocket),
    /// `Some(d)` waits up to `d` for the lock (HTTP `wait_seconds`).
    pub async fn power(
        self: &Arc<Self>,
        action: PowerAction,
        lock_wait: Option<Duration>,
    ) -> Result<(), PowerError> {
        if self.is_installing() || (self.is_restoring() && action != PowerAction::Kill) {
            return Err(PowerError::Installing);
        }
        if action == PowerAction::Kill {
            return self.kill().await;
        }
        let _guard = match lock_wait {
            None => self.power_lock.try_lock().map_err(|_| PowerError::Busy)?,
            Some(d) => tokio::time::timeout(d, self.power_lock.lock())
                .await
                .map_err(|_| PowerError::Busy)?,
        };
        match action {
            PowerAction::Start => self.start().await,
            PowerAction::Stop => self.stop(self.ctx.settings.stop_timeout).await,
            PowerAction::Restart => {
                self.stop(self.ctx.settings.stop_timeout).await?;
                self.start().await
            }
            PowerAction::Kill => unreachable_kill(),
        }
    }

    /// The start sequence (caller holds the lock).
    async fn start(self: &Arc<Self>) -> Result<(), PowerError> {
        if self.state() != ProcessState::Offline {
            return Err(PowerError::AlreadyRunning);
        }
        let result = self.start_inner().await;
        if let Err(e) = &result {
            self.daemon_message(&format!("Failed to start the server: {e}"));
            self.set_state(ProcessState::Offline);
        }
        result
    }

    async fn start_inner(self: &Arc<Self>) -> Result<(), PowerError> {
        self.sync().await.map_err(PowerError::Sync)?;
        if self.is_suspended() {
            return Err(PowerError::Suspended);
        }
        let volume = self.volume();
        std::fs::create_dir_all(&volume)
            .map_err(|e| PowerError::Runtime(format!("cannot create the server directory: {e}")))?;

        self.daemon_message("Checking server disk space usage, this could take a few seconds...");
        let limit_mb = u64::try_from(lock(&self.config).settings.build.disk_space).unwrap_or(0);
        let used = match self.jail() {
            Ok(j) => tokio::task::spawn_blocking(move || j.rescan())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0),
            Err(_) => {
                let v = volume.clone();
                tokio::task::spawn_blocking(move || super::disk_usage(&v))
                    .await
                    .unwrap_or(0)
            }
        };
        lock(&self.stats).disk_bytes = used;
        if limit_mb > 0 && used > limit_mb * 1024 * 1024 {
            return Err(PowerError::Disk {
                used: used / (1024 * 1024),
                limit: limit_mb,
            });
        }

        self.daemon_message("Updating process configuration files...");
        self.apply_config_files().await?;
        self.fix_ownership().await?;

        let spec = self.container_spec();
        if spec.image.is_empty() {
            return Err(PowerError::Runtime(
                "the server has no Docker image configured".into(),
            ));
        }
        let rt = self.ctx.runtime.clone();
        rt.ensure_image(&spec.image)
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        rt.create(&spec)
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        self.attach().await?;
        lock(&self.console).reset_throttle();
        self.expect_stop.store(false, Ordering::SeqCst);
        self.set_state(ProcessState::Starting);
        *lock(&self.started_at) = Some(Instant::now());
        rt.start(&self.uuid)
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        if lock(&self.done).is_empty() {
            self.set_state(ProcessState::Running);
        }
        self.spawn_stats();
        Ok(())
    }

    /// Stops with the egg's command or signal, then kills after `timeout`.
    async fn stop(self: &Arc<Self>, timeout: Duration) -> Result<(), PowerError> {
        if self.state() == ProcessState::Offline {
            return Ok(());
        }
        self.expect_stop.store(true, Ordering::SeqCst);
        self.set_state(ProcessState::Stopping);
        let stop = lock(&self.config).process_configuration.stop.clone();
        if stop.kind == "command" {
            if let Err(e) = self.send_commands(std::slice::from_ref(&stop.value)).await {
                tracing::warn!(server.uuid = %self.uuid, error.message = %e, "stop command failed; sending SIGKILL");
                return self.kill().await;
            }
        } else {
            self.ctx
                .runtime
                .signal(&self.uuid, stop_signal(&stop.value))
                .await
                .map_err(|e| PowerError::Runtime(e.to_string()))?;
        }
        let mut rx = self.watch_state();
        if tokio::time::timeout(timeout, rx.wait_for(|s| *s == ProcessState::Offline))
            .await
            .is_err()
        {
            self.daemon_message("Server did not stop in time, killing the process.");
            return self.kill().await;
        }
        Ok(())
    }

    /// SIGKILL now, then wait (bounded) for the exit to be seen.
    async fn kill(self: &Arc<Self>) -> Result<(), PowerError> {
        if self.state() == ProcessState::Offline {
            return Ok(());
        }
        self.expect_stop.store(true, Ordering::SeqCst);
        self.ctx
            .runtime
            .signal(&self.uuid, "SIGKILL")
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?;
        let mut rx = self.watch_state();
        let _ = tokio::time::timeout(
            Duration::from_secs(30),
            rx.wait_for(|s| *s == ProcessState::Offline),
        )
        .await;
        Ok(())
    }

    /// Makes the volume belong to the container user (when wings runs as root).
    async fn fix_ownership(&self) -> Result<(), PowerError> {
        let (uid, gid) = (self.ctx.settings.uid, self.ctx.settings.gid);
        let root = self.volume();
        tokio::task::spawn_blocking(move || chown_tree(&root, uid, gid))
            .await
            .map_err(|e| PowerError::Runtime(e.to_string()))?
            .map_err(|e| PowerError::Runtime(format!("cannot set file ownership: {e}")))
    }

    /// Applies the egg's config-file edits before a start.
    async fn apply_config_files(&self) -> Result<(), PowerError> {
        let (configs, settings) = {
            let c = lock(&self.config);
            (c.process_configuration.configs.clone(), c.settings.clone())
        };
        if configs.is_empty() {
            return Ok(());
        }
        let root = self.volume();
        let node = self.ctx.settings.clone();
        let messages = tokio::task::spawn_blocking(move || {
            crate::configfiles::apply_all(&root, &configs, &settings, &node)
        })
        .await
        .map_err(|e| PowerError::Runtime(e.to_string()))?;
        for m in messages {
            self.daemon_message(&m);
        }
        Ok(())
    }
}

fn unreachable_kill() -> Result<(), PowerError> {
    Err(PowerError::Runtime(
        "kill is handled before taking the lock".into(),
    ))
}

/// Recursively chowns `root` without following symlinks. A non-root wings cannot chown;
/// it then leaves ownership alone when it already matches, and fails otherwise.
fn chown_tree(root: &std::path::Path, uid: u32, gid: u32) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    fn visit(p: &std::path::Path, uid: u32, gid: u32) -> std::io::Result<()> {
        let md = p.symlink_metadata()?;
        if md.uid() != uid || md.gid() != gid {
            std::os::unix::fs::lchown(p, Some(uid), Some(gid))?;
        }
        if md.is_dir() {
            for e in std::fs::read_dir(p)? {
                visit(&e?.path(), uid, gid)?;
            }
        }
        Ok(())
    }
    visit(root, uid, gid)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stop_signals_map_as_wings_does() {
        assert_eq!(super::stop_signal("C"), "SIGINT");
        assert_eq!(super::stop_signal("SIGTERM"), "SIGTERM");
        assert_eq!(super::stop_signal("SIGABRT"), "SIGABRT");
        assert_eq!(
            super::stop_signal("^C"),
            "SIGKILL",
            "^^C becomes ^C, which is SIGKILL"
        );
        assert_eq!(super::stop_signal("X"), "SIGKILL");
    }
}
