//! Installing a server: the egg's script in an `<uuid>_installer` container.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aerie_proto::wings::{InstallStatus, PowerAction, ProcessState, events};
use tokio::io::AsyncWriteExt;

use super::{PowerError, Server, lock};
use crate::runtime::InstallerSpec;

impl Server {
    /// Installs (or reinstalls) the server, reports the result to the panel, and starts it
    /// afterwards when asked. The exit code is checked: non-zero is a failed install.
    pub async fn install(
        self: &Arc<Self>,
        reinstall: bool,
        start_after: bool,
    ) -> Result<bool, PowerError> {
        if self.installing.swap(true, Ordering::SeqCst) {
            return Err(PowerError::Installing);
        }
        let result = self.install_inner(reinstall).await;
        let ok = matches!(result, Ok(true));
        // Leave the installing state before telling the panel: once the panel says the
        // install is over, a user's start must not be refused as "still installing".
        self.installing.store(false, Ordering::SeqCst);
        if let Some(panel) = &self.ctx.panel
            && let Err(e) = panel
                .set_install_status(
                    &self.uuid,
                    InstallStatus {
                        successful: ok,
                        reinstall,
                    },
                )
                .await
        {
            tracing::warn!(server.uuid = %self.uuid, error.message = %e, "could not report the install status");
        }
        self.publish(events::INSTALL_COMPLETED, vec![String::new()]);
        match &result {
            Ok(true) => self.daemon_message("Installation process completed."),
            Ok(false) => {}
            Err(e) => self.daemon_message(&format!("Installation failed: {e}")),
        }
        if ok && start_after {
            let me = self.clone();
            tokio::spawn(async move {
                if let Err(e) = me
                    .power(PowerAction::Start, Some(Duration::from_secs(30)))
                    .await
                {
                    tracing::warn!(server.uuid = %me.uuid, error.message = %e, "start after install failed");
                }
            });
        }
        result
    }

    async fn install_inner(self: &Arc<Self>, reinstall: bool) -> Result<bool, PowerError> {
        if self.state() != ProcessState::Offline {
            // A reinstall stops the server first: 10 s to stop, then kill.
            let _guard = tokio::time::timeout(Duration::from_secs(10), self.power_lock.lock())
                .await
                .map_err(|_| PowerError::Busy)?;
            if tokio::time::timeout(Duration::from_secs(10), self.stop_for_install())
                .await
                .is_err()
            {
                self.kill_for_install().await?;
            }
        }
        self.sync().await.map_err(PowerError::Sync)?;
        self.publish(events::INSTALL_STARTED, vec![String::new()]);
        self.daemon_message("Starting installation process, this could take a few minutes...");
        if lock(&self.config).settings.skip_egg_scripts {
            self.daemon_message("Egg install scripts are disabled for this server; skipping.");
            return Ok(true);
        }
        let panel =
            self.ctx.panel.clone().ok_or_else(|| {
                PowerError::Sync("no panel to fetch the install script from".into())
            })?;
        let script = panel
            .install_script(&self.uuid)
            .await
            .map_err(PowerError::Sync)?;
        let node = &self.ctx.settings;

        let script_dir = node.tmp_dir.join(&self.uuid);
        std::fs::create_dir_all(&script_dir).map_err(|e| {
            PowerError::Runtime(format!("cannot create {}: {e}", script_dir.display()))
        })?;
        std::fs::write(
            script_dir.join("install.sh"),
            script.script.replace("\r\n", "\n"),
        )
        .map_err(|e| PowerError::Runtime(format!("cannot write the install script: {e}")))?;
        let volume = self.volume();
        std::fs::create_dir_all(&volume)
            .map_err(|e| PowerError::Runtime(format!("cannot create the server directory: {e}")))?;

        let (settings, memory) = {
            let c = lock(&self.config);
            let m = c.settings.build.memory_limit.max(node.installer_memory_mb);
            (c.settings.clone(), m)
        };
        let spec = InstallerSpec {
            name: format!("{}_installer", self.uuid),
            image: script.container_image.clone(),
            entrypoint: if script.entrypoint.is_empty() {
                "bash".into()
            } else {
                script.entrypoint.clone()
            },
            volume: volume.display().to_string(),
            script_dir: script_dir.display().to_string(),
            env: super::environment(&settings, node),
            memory: memory * 1_000_000,
            cpu_quota: settings.build.cpu_limit.max(node.installer_cpu) * 1000,
            network: node.network.clone(),
            dns: node.dns.clone(),
        };

        let log_path = node
            .log_dir
            .join("install")
            .join(format!("{}.log", self.uuid));
        if let Some(dir) = log_path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut log = tokio::fs::File::create(&log_path)
            .await
            .map_err(|e| PowerError::Runtime(format!("cannot write the install log: {e}")))?;

        let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(256);
        let me = self.clone();
        let forward = tokio::spawn(async move {
            while let Some(line) = rx.recv().await {
                let _ = log.write_all(line.as_bytes()).await;
                let _ = log.write_all(b"\n").await;
                me.publish(events::INSTALL_OUTPUT, vec![line]);
            }
            let _ = log.flush().await;
        });
        let rt = self.ctx.runtime.clone();
        let run = tokio::time::timeout(node.install_timeout, rt.run_installer(&spec, tx)).await;
        let _ = forward.await;
        let _ = std::fs::remove_dir_all(&script_dir);
        let code = match run {
            Err(_) => {
                let _ = rt.remove(&spec.name).await;
                self.daemon_message(&format!(
                    "Installation timed out after {} seconds and was stopped.",
                    node.install_timeout.as_secs()
                ));
                return Ok(false);
            }
            Ok(r) => r.map_err(|e| PowerError::Runtime(e.to_string()))?,
        };
        let _ = reinstall;
        if code != 0 {
            self.daemon_message(&format!(
                "Installation failed: the install script exited with code {code}."
            ));
            return Ok(false);
        }
        Ok(true)
    }

    async fn stop_for_install(self: &Arc<Self>) -> Result<(), PowerError> {
        self.expect_stop.store(true, Ordering::SeqCst);
        let stop = lock(&self.config).process_configuration.stop.clone();
        if stop.kind == "command" {
            let _ = self.send_commands(std::slice::from_ref(&stop.value)).await;
        } else {
            let _ = self
                .ctx
                .runtime
                .signal(&self.uuid, super::power::stop_signal(&stop.value))
                .await;
        }
        let mut rx = self.watch_state();
        let _ = rx.wait_for(|s| *s == ProcessState::Offline).await;
        Ok(())
    }

    async fn kill_for_install(self: &Arc<Self>) -> Result<(), PowerError> {
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
}
