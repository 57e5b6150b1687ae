//! A wings node for tests: real HTTP server on an ephemeral port, the real Docker engine,
//! its own temporary directories, and an in-memory stand-in for the panel's remote API
//! (the contract wings consumes; the panel's own implementation is tested on its side).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aerie_proto::wings::{InstallScript, InstallStatus, RemoteServer, WebsocketClaims, WsMessage};
use aerie_wings::runtime::BoxFut;
use aerie_wings::server::{Manager, NodeContext, NodeSettings, PanelLink};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

/// The panel side of the remote API, in memory.
#[derive(Default)]
pub struct MemoryPanel {
    servers: Mutex<HashMap<String, (RemoteServer, InstallScript)>>,
    /// Install results wings reported, in order.
    pub statuses: Mutex<Vec<(String, InstallStatus)>>,
    /// Transfer verdicts (uuid, successful) wings reported as a target.
    pub transfers: Mutex<Vec<(String, bool)>>,
    /// Activity batches wings sent.
    pub activity: Mutex<Vec<aerie_proto::wings::ActivityEntry>>,
    /// Backup results wings reported (`POST /api/remote/backups/{uuid}`), in order.
    pub backups: Mutex<Vec<(String, aerie_proto::wings::BackupStatus)>>,
    /// Restore results wings reported (`POST /api/remote/backups/{uuid}/restore`), in order.
    pub restores: Mutex<Vec<(String, bool)>>,
    /// Presigned part URLs to hand out per backup UUID (`GET /api/remote/backups/{uuid}`):
    /// as many as the size needs are returned, as the panel would presign them.
    pub backup_parts: Mutex<HashMap<String, aerie_proto::wings::BackupUploadParts>>,
    /// The sizes wings asked part URLs for, by backup UUID.
    pub part_requests: Mutex<Vec<(String, u64)>>,
}

impl MemoryPanel {
    /// Adds or replaces a server.
    pub fn put(&self, server: RemoteServer, script: InstallScript) {
        self.servers
            .lock()
            .expect("lock")
            .insert(server.settings.uuid.clone(), (server, script));
    }

    /// Install results reported for `uuid`.
    pub fn statuses_for(&self, uuid: &str) -> Vec<InstallStatus> {
        self.statuses
            .lock()
            .expect("lock")
            .iter()
            .filter(|(u, _)| u == uuid)
            .map(|(_, s)| *s)
            .collect()
    }

    /// Backup results reported for backup `backup`.
    pub fn backup_statuses(&self, backup: &str) -> Vec<aerie_proto::wings::BackupStatus> {
        self.backups
            .lock()
            .expect("lock")
            .iter()
            .filter(|(u, _)| u == backup)
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// Restore results reported for backup `backup`.
    pub fn restore_statuses(&self, backup: &str) -> Vec<bool> {
        self.restores
            .lock()
            .expect("lock")
            .iter()
            .filter(|(u, _)| u == backup)
            .map(|(_, s)| *s)
            .collect()
    }
}

impl PanelLink for MemoryPanel {
    fn get_server<'a>(&'a self, uuid: &'a str) -> BoxFut<'a, Result<RemoteServer, String>> {
        Box::pin(async move {
            self.servers
                .lock()
                .expect("lock")
                .get(uuid)
                .map(|(s, _)| s.clone())
                .ok_or_else(|| format!("404: no server {uuid}"))
        })
    }
    fn install_script<'a>(&'a self, uuid: &'a str) -> BoxFut<'a, Result<InstallScript, String>> {
        Box::pin(async move {
            self.servers
                .lock()
                .expect("lock")
                .get(uuid)
                .map(|(_, s)| s.clone())
                .ok_or_else(|| format!("404: no server {uuid}"))
        })
    }
    fn set_install_status<'a>(
        &'a self,
        uuid: &'a str,
        status: InstallStatus,
    ) -> BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            self.statuses
                .lock()
                .expect("lock")
                .push((uuid.to_owned(), status));
            Ok(())
        })
    }
    fn set_transfer_status<'a>(
        &'a self,
        uuid: &'a str,
        successful: bool,
    ) -> BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            self.transfers
                .lock()
                .expect("lock")
                .push((uuid.to_owned(), successful));
            Ok(())
        })
    }
    fn send_activity<'a>(
        &'a self,
        batch: &'a aerie_proto::wings::ActivityBatch,
    ) -> BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            self.activity
                .lock()
                .expect("lock")
                .extend(batch.data.iter().cloned());
            Ok(())
        })
    }
    fn backup_upload_parts<'a>(
        &'a self,
        backup: &'a str,
        size: u64,
    ) -> BoxFut<'a, Result<aerie_proto::wings::BackupUploadParts, String>> {
        Box::pin(async move {
            self.part_requests
                .lock()
                .expect("lock")
                .push((backup.to_owned(), size));
            let Some(mut p) = self.backup_parts.lock().expect("lock").get(backup).cloned() else {
                return Err(format!("404: no S3 upload prepared for backup {backup}"));
            };
            let needed =
                usize::try_from(size.div_ceil(p.part_size.max(1)).max(1)).unwrap_or(usize::MAX);
            if needed > p.parts.len() {
                return Err(format!(
                    "the test prepared {} parts; {size} bytes need {needed}",
                    p.parts.len()
                ));
            }
            p.parts.truncate(needed);
            Ok(p)
        })
    }
    fn set_backup_status<'a>(
        &'a self,
        backup: &'a str,
        status: &'a aerie_proto::wings::BackupStatus,
    ) -> BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            self.backups
                .lock()
                .expect("lock")
                .push((backup.to_owned(), status.clone()));
            Ok(())
        })
    }
    fn set_restore_status<'a>(
        &'a self,
        backup: &'a str,
        successful: bool,
    ) -> BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            self.restores
                .lock()
                .expect("lock")
                .push((backup.to_owned(), successful));
            Ok(())
        })
    }
}

/// A running wings with a memory panel.
pub struct TestNode {
    /// Base URL.
    pub url: String,
    /// Node token (also the JWT key).
    pub token: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Wings state.
    pub state: aerie_wings::WingsState,
    /// The panel stand-in.
    pub panel: Arc<MemoryPanel>,
    /// Where volumes, logs and scratch live.
    pub dir: tempfile::TempDir,
    _shutdown: oneshot::Sender<()>,
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl TestNode {
    /// Starts a node; `tune` may adjust the settings (throttle, crash timeout…).
    pub async fn start_with(tune: impl FnOnce(&mut NodeSettings)) -> Self {
        Self::start_configured(tune, |s| s).await
    }

    /// Starts a node, adjusting both the node settings and the HTTP state.
    pub async fn start_configured(
        tune: impl FnOnce(&mut NodeSettings),
        tune_state: impl FnOnce(aerie_wings::WingsState) -> aerie_wings::WingsState,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut settings = NodeSettings {
            data_dir: dir.path().join("volumes"),
            tmp_dir: dir.path().join("tmp"),
            log_dir: dir.path().join("logs"),
            // Inside the node's own directory, so a test's (or the bench's) backups go away
            // with it instead of piling up in a directory every node shared.
            backup_dir: dir.path().join("backups"),
            panel_url: "http://panel.test".into(),
            network: "aerie_test_nw".into(),
            ..NodeSettings::default()
        };
        tune(&mut settings);
        let engine = aerie_wings::docker::Engine::connect(None).expect("docker");
        let runtime = aerie_wings::runtime::docker::DockerRuntime::new(engine.clone());
        settings.network = runtime
            .ensure_network(&settings.network, None)
            .await
            .expect("network");
        let panel = Arc::new(MemoryPanel::default());
        let ctx = NodeContext {
            runtime: Arc::new(runtime),
            panel: Some(panel.clone()),
            settings,
        };
        let token = uuid::Uuid::new_v4().simple().to_string();
        let state = tune_state(aerie_wings::WingsState::with_manager(
            engine,
            Manager::new(Arc::new(ctx)),
            token.clone(),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel();
        tokio::spawn(aerie_wings::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Self {
            url: format!("http://{addr}"),
            token,
            client: reqwest::Client::new(),
            state,
            panel,
            dir,
            _shutdown: tx,
        }
    }

    /// Starts a node with default settings.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// POST with the node token.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// GET with the node token.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }

    /// Registers `server` with the panel stand-in, asks wings to create it (202), and waits
    /// up to `within` for the install result to reach the panel. Returns the server UUID.
    pub async fn install(
        &self,
        server: RemoteServer,
        script: InstallScript,
        within: Duration,
    ) -> String {
        let uuid = server.settings.uuid.clone();
        self.panel.put(server, script);
        assert_eq!(
            self.post("/api/servers", serde_json::json!({"uuid": uuid}))
                .await
                .status(),
            202
        );
        let deadline = tokio::time::Instant::now() + within;
        while self.panel.statuses_for(&uuid).is_empty() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "install did not finish"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        uuid
    }

    /// A websocket token for `server`, signed with the node token.
    pub fn ws_token(&self, server: &str, permissions: &[&str], expires_in: i64) -> String {
        sign_ws(&self.token, server, permissions, expires_in, "jti-test")
    }

    /// Opens the console websocket of `server` (no Origin header).
    pub async fn ws(&self, server: &str) -> WsClient {
        WsClient::connect(
            &format!(
                "{}/api/servers/{server}/ws",
                self.url.replace("http://", "ws://")
            ),
            None,
        )
        .await
    }

    /// Removes every container of a server, for cleanup.
    pub async fn cleanup(&self, uuid: &str) {
        let _ = self.state.manager.delete(uuid).await;
    }
}

/// Signs a websocket token the way the panel does.
pub fn sign_ws(
    key: &str,
    server: &str,
    permissions: &[&str],
    expires_in: i64,
    jti: &str,
) -> String {
    let now = now();
    let claims = WebsocketClaims {
        iss: "http://panel.test".into(),
        jti: jti.into(),
        iat: now,
        exp: now + expires_in,
        nbf: now - 300,
        user_uuid: "u-1".into(),
        user_id: 1,
        unique_id: uuid::Uuid::new_v4().simple().to_string(),
        server_uuid: server.into(),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    };
    aerie_jwt::sign(&claims, key.as_bytes(), Some(jti)).expect("sign")
}

/// A websocket client speaking the Wings protocol.
pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// Every frame received so far.
    pub seen: Vec<WsMessage>,
}

impl WsClient {
    /// Connects, optionally with an Origin header.
    pub async fn connect(url: &str, origin: Option<&str>) -> Self {
        Self::try_connect(url, origin)
            .await
            .expect("websocket connect")
    }

    /// Connects, returning the HTTP error when the upgrade is refused.
    pub async fn try_connect(
        url: &str,
        origin: Option<&str>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = url.into_client_request()?;
        if let Some(o) = origin {
            req.headers_mut()
                .insert("origin", o.parse().expect("origin header"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(req).await?;
        Ok(Self {
            stream,
            seen: Vec::new(),
        })
    }

    /// Sends an event.
    pub async fn send(&mut self, event: &str, args: &[&str]) {
        let m = WsMessage::new(event, args.iter().map(|a| (*a).to_owned()).collect());
        self.stream
            .send(Message::Text(
                serde_json::to_string(&m).expect("json").into(),
            ))
            .await
            .expect("send");
    }

    /// The next frame, or `None` if none arrives within `within`.
    pub async fn next(&mut self, within: Duration) -> Option<WsMessage> {
        loop {
            let msg = tokio::time::timeout(within, self.stream.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(t) = msg {
                let m: WsMessage = serde_json::from_str(&t).expect("frame is JSON");
                self.seen.push(m.clone());
                return Some(m);
            }
            if let Message::Close(_) = msg {
                return None;
            }
        }
    }

    /// Reads frames until one satisfies `pred`, failing the test after `within`.
    pub async fn wait_for(
        &mut self,
        within: Duration,
        what: &str,
        pred: impl Fn(&WsMessage) -> bool,
    ) -> WsMessage {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(m) if pred(&m) => return m,
                Some(_) => {}
                None => {
                    let tail: Vec<String> = self
                        .seen
                        .iter()
                        .rev()
                        .take(25)
                        .rev()
                        .map(|m| format!("{} {:?}", m.event, m.args))
                        .collect();
                    panic!(
                        "timed out after {within:?} waiting for {what}; last frames:\n{}",
                        tail.join("\n")
                    );
                }
            }
        }
    }

    /// Authenticates and waits for `auth success`.
    pub async fn auth(&mut self, token: &str) {
        self.send("auth", &[token]).await;
        self.wait_for(Duration::from_secs(5), "auth success", |m| {
            m.event == "auth success"
        })
        .await;
    }
}

/// A small real server for protocol tests: bash in the OpenTTD image echoing its stdin.
/// `ready` is its done line; `quit` is its stop command.
pub fn echo_server(uuid: &str) -> (RemoteServer, InstallScript) {
    let server: RemoteServer = serde_json::from_value(serde_json::json!({
        "uuid": uuid,
        "settings": {
            "uuid": uuid,
            "meta": {"name": "echo", "description": ""},
            "invocation": "bash -c 'echo ready; while read l; do if [ \"$l\" = quit ]; then echo bye; exit 0; fi; echo got:$l; done'",
            "build": {"memory_limit": 256, "swap": 0, "io_weight": 500, "cpu_limit": 100, "disk_space": 1024},
            "container": {"image": "aerie/openttd:latest"},
            "allocations": {"default": {"ip": "127.0.0.1", "port": 0}, "mappings": {}},
        },
        "process_configuration": {
            "startup": {"done": ["ready"]},
            "stop": {"type": "command", "value": "quit"},
            "configs": []
        }
    }))
    .expect("valid server document");
    let script = InstallScript {
        container_image: "aerie/debian:bookworm".into(),
        entrypoint: "bash".into(),
        script: "#!/bin/bash\r\necho installing echo server\r\necho hi > /mnt/server/hello.txt\r\n"
            .into(),
    };
    (server, script)
}

/// A fresh server UUID.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
