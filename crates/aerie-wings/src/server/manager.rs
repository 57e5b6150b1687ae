//! Every server on the node, by UUID, and the node-wide websocket deny list.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aerie_proto::wings::{ActivityBatch, ActivityEntry, RemoteServer, events};

use super::{NodeContext, PowerError, Server};

/// The node's servers.
pub struct Manager {
    ctx: Arc<NodeContext>,
    servers: RwLock<HashMap<String, Arc<Server>>>,
    /// jti → unix time before which that jti's tokens are refused.
    denied: RwLock<HashMap<String, i64>>,
    /// Tokens issued before wings started are refused (Wings does the same).
    boot_time: i64,
    /// Activity waiting to be sent to the panel.
    activity: std::sync::Mutex<Vec<ActivityEntry>>,
    activity_wake: tokio::sync::Notify,
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Manager {
    /// An empty manager.
    pub fn new(ctx: Arc<NodeContext>) -> Arc<Self> {
        Arc::new(Self {
            ctx,
            servers: RwLock::new(HashMap::new()),
            denied: RwLock::new(HashMap::new()),
            boot_time: crate::now_secs(),
            activity: std::sync::Mutex::new(Vec::new()),
            activity_wake: tokio::sync::Notify::new(),
        })
    }

    /// Node context.
    pub fn context(&self) -> &Arc<NodeContext> {
        &self.ctx
    }

    /// When this wings started (unix seconds).
    pub fn boot_time(&self) -> i64 {
        self.boot_time
    }

    /// A server by UUID.
    pub fn get(&self, uuid: &str) -> Option<Arc<Server>> {
        read(&self.servers).get(uuid).cloned()
    }

    /// All servers.
    pub fn all(&self) -> Vec<Arc<Server>> {
        let mut v: Vec<_> = read(&self.servers).values().cloned().collect();
        v.sort_by(|a, b| a.uuid().cmp(b.uuid()));
        v
    }

    /// Adds servers known to the panel at boot and re-attaches those still running.
    /// Returns how many were re-attached. A bad entry is logged and skipped.
    pub async fn boot(&self, configs: Vec<RemoteServer>) -> usize {
        let mut reattached = 0;
        for mut cfg in configs {
            if cfg.settings.uuid.is_empty() {
                cfg.settings.uuid = cfg.uuid.clone();
            }
            let server = match Server::new(self.ctx.clone(), cfg) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error.message = %e, "skipping a server the panel sent");
                    continue;
                }
            };
            write(&self.servers).insert(server.uuid().to_owned(), server.clone());
            match server.reattach().await {
                Ok(true) => reattached += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(server.uuid = %server.uuid(), error.message = %e, "could not re-attach")
                }
            }
        }
        reattached
    }

    /// Registers a new server (from the panel's settings) and installs it in the background.
    /// A server this node already knows (loaded at boot before the panel's create call
    /// arrived) takes the new settings and is installed: the call is idempotent.
    pub fn create(
        &self,
        cfg: RemoteServer,
        start_on_completion: bool,
    ) -> Result<Arc<Server>, String> {
        let existing = self.get(&cfg.settings.uuid);
        let server = match existing {
            Some(s) => {
                if s.is_installing() {
                    return Err(format!("server {} is already being installed", s.uuid()));
                }
                s.update_config(cfg)?;
                s
            }
            None => {
                let server = Server::new(self.ctx.clone(), cfg)?;
                let mut map = write(&self.servers);
                if let Some(s) = map.get(server.uuid()) {
                    return Err(format!(
                        "a server with uuid {} was created concurrently",
                        s.uuid()
                    ));
                }
                map.insert(server.uuid().to_owned(), server.clone());
                server
            }
        };
        let s = server.clone();
        tokio::spawn(async move {
            if let Err(e) = s.install(false, start_on_completion).await {
                tracing::warn!(server.uuid = %s.uuid(), error.message = %e, "install failed");
            }
        });
        Ok(server)
    }

    /// Registers a server arriving by transfer: no install, its files come with it.
    pub fn adopt(&self, cfg: RemoteServer) -> Result<Arc<Server>, String> {
        let server = Server::new(self.ctx.clone(), cfg)?;
        let mut map = write(&self.servers);
        if map.contains_key(server.uuid()) {
            return Err(format!(
                "a server with uuid {} already exists on this node",
                server.uuid()
            ));
        }
        map.insert(server.uuid().to_owned(), server.clone());
        Ok(server)
    }

    /// Deletes a server: kills it, removes its container and files, and tells listeners.
    pub async fn delete(&self, uuid: &str) -> Result<(), PowerError> {
        let Some(server) = write(&self.servers).remove(uuid) else {
            return Ok(());
        };
        server.mark_deleted();
        let _ = server
            .power(aerie_proto::wings::PowerAction::Kill, None)
            .await;
        let _ = self.ctx.runtime.remove(uuid).await;
        server.publish(events::DELETED, vec!["null".into()]);
        let volume = server.volume();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = std::fs::remove_dir_all(&volume)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(error.message = %e, path = %volume.display(), "could not remove server files");
            }
        });
        Ok(())
    }

    /// Refuses tokens with these jtis issued until now.
    pub fn deny(&self, jtis: &[String]) {
        let now = crate::now_secs();
        let mut d = write(&self.denied);
        for j in jtis {
            d.insert(j.clone(), now);
        }
    }

    /// Whether a token (by jti and issue time) is refused.
    pub fn is_denied(&self, jti: &str, iat: i64) -> bool {
        if iat < self.boot_time {
            return true;
        }
        read(&self.denied).get(jti).is_some_and(|t| iat <= *t)
    }

    /// Queues an activity entry (`server:console.command`, `server:power.start`, …).
    pub fn record_activity(
        &self,
        server: &str,
        event: &str,
        user: Option<&str>,
        ip: &str,
        metadata: Option<serde_json::Value>,
    ) {
        let entry = ActivityEntry {
            user: user.filter(|u| !u.is_empty()).map(str::to_owned),
            server: server.to_owned(),
            event: event.to_owned(),
            metadata,
            ip: ip.to_owned(),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let len = {
            let mut q = self
                .activity
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            q.push(entry);
            q.len()
        };
        if len >= self.ctx.settings.activity_send_count {
            self.activity_wake.notify_one();
        }
    }

    /// Entries queued and not yet sent.
    pub fn pending_activity(&self) -> Vec<ActivityEntry> {
        self.activity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Sends queued activity to the panel every `activity_send_interval`, or sooner when
    /// `activity_send_count` entries are waiting. A failed send keeps the entries for the
    /// next round (bounded, oldest dropped first), so a panel outage loses nothing short.
    pub fn spawn_activity_sender(self: &Arc<Self>) {
        let Some(panel) = self.ctx.panel.clone() else {
            return;
        };
        // The node lives as long as the process; the sender lives with it.
        let me = self.clone();
        let interval = self.ctx.settings.activity_send_interval;
        tokio::spawn(async move {
            loop {
                let _ = tokio::time::timeout(interval, me.activity_wake.notified()).await;
                let batch: Vec<ActivityEntry> = {
                    let mut q = me
                        .activity
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let n = q.len().min(me.ctx.settings.activity_send_count.max(1));
                    q.drain(..n).collect()
                };
                if batch.is_empty() {
                    continue;
                }
                let body = ActivityBatch { data: batch };
                if let Err(e) = panel.send_activity(&body).await {
                    tracing::warn!(error.message = %e, entries = body.data.len(), "could not send activity; will retry");
                    let mut q = me
                        .activity
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let mut kept = body.data;
                    kept.append(&mut q);
                    let excess = kept.len().saturating_sub(10_000);
                    kept.drain(..excess);
                    *q = kept;
                }
            }
        });
    }
}
