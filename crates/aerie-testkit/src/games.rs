//! Real game servers for tests: test eggs from `tests/fixtures/eggs/` turned into the
//! settings a panel would send, and an HTTP stand-in for the panel's remote API so a real
//! `aerie wings` process can be driven as a Pterodactyl panel would.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aerie_proto::wings::{
    InstallScript, InstallStatus, RemotePageMeta, RemoteServer, RemoteServerPage,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The repository's test egg directory.
pub fn eggs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/eggs")
}

/// A free TCP+UDP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind tcp");
        let port = tcp.local_addr().expect("addr").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// What a panel would send for a server made from the egg `egg-<name>.json`, on
/// 127.0.0.1:`port`, with `env` overriding variable defaults.
pub fn server_from_egg(
    name: &str,
    uuid: &str,
    port: u16,
    env: &[(&str, &str)],
) -> (RemoteServer, InstallScript) {
    let path = eggs_dir().join(format!("egg-{name}.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let egg = aerie_eggs::Egg::parse(&text).expect("egg parses");
    let process = egg.process_configuration().expect("process configuration");
    let mut environment: BTreeMap<String, Value> = egg
        .variables
        .iter()
        .map(|v| {
            (
                v.env_variable.clone(),
                Value::String(v.default_value.clone()),
            )
        })
        .collect();
    for (k, v) in env {
        environment.insert((*k).to_owned(), Value::String((*v).to_owned()));
    }
    environment.insert("STARTUP".into(), Value::String(egg.startup.clone()));
    environment.insert("P_SERVER_UUID".into(), Value::String(uuid.to_owned()));
    let image = egg
        .docker_images
        .values()
        .next()
        .cloned()
        .expect("egg has an image");
    let settings = json!({
        "uuid": uuid,
        "meta": {"name": egg.name, "description": ""},
        "suspended": false,
        "environment": environment,
        "invocation": egg.startup,
        "skip_egg_scripts": false,
        "build": {"memory_limit": 1024, "swap": 0, "io_weight": 500, "cpu_limit": 0, "threads": null, "disk_space": 4096, "oom_disabled": false},
        "container": {"image": image, "oom_disabled": false, "requires_rebuild": false},
        "allocations": {"force_outgoing_ip": false, "default": {"ip": "127.0.0.1", "port": port}, "mappings": {"127.0.0.1": [port]}},
        "mounts": [],
        "egg": {"id": egg.uuid.clone().unwrap_or_default(), "file_denylist": egg.file_denylist},
    });
    let server = RemoteServer {
        uuid: uuid.to_owned(),
        settings: serde_json::from_value(settings).expect("settings"),
        process_configuration: process,
    };
    let script = InstallScript {
        container_image: egg.install.container.clone(),
        entrypoint: egg.install.entrypoint.clone(),
        script: egg.install.script.clone(),
    };
    (server, script)
}

#[derive(Default)]
struct Inner {
    servers: Mutex<Vec<(RemoteServer, InstallScript)>>,
    statuses: Mutex<Vec<(String, InstallStatus)>>,
    resets: Mutex<u32>,
    transfers: Mutex<Vec<(String, bool)>>,
    unlisted: Mutex<Vec<String>>,
    backups: Mutex<Vec<(String, Value)>>,
    auth: String,
}

/// The panel's remote API over HTTP, for a real wings process.
#[derive(Clone)]
pub struct HttpPanel {
    inner: Arc<Inner>,
    /// Base URL.
    pub url: String,
    /// Node token id.
    pub token_id: String,
    /// Node token.
    pub token: String,
}

type Shared = Arc<Inner>;

fn authorized(s: &Shared, h: &HeaderMap) -> Result<(), (StatusCode, Json<Value>)> {
    if h.get("authorization").and_then(|v| v.to_str().ok()) == Some(s.auth.as_str()) {
        Ok(())
    } else {
        Err((
            StatusCode::FORBIDDEN,
            Json(
                json!({"errors": [{"code": "HttpException", "status": "403", "detail": "bad node token"}]}),
            ),
        ))
    }
}

fn not_found() -> (StatusCode, Json<Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(
            json!({"errors": [{"code": "NotFoundHttpException", "status": "404", "detail": "no such server"}]}),
        ),
    )
}

impl HttpPanel {
    /// Starts the stand-in on an ephemeral port.
    pub async fn start() -> Self {
        Self::start_on(0, None).await
    }

    /// Starts the stand-in on `port` (0 = any), reusing `creds` (token id, token) if given.
    pub async fn start_on(port: u16, creds: Option<(String, String)>) -> Self {
        let (token_id, token) = creds.unwrap_or_else(Self::new_credentials);
        let inner = Arc::new(Inner {
            auth: format!("Bearer {token_id}.{token}"),
            ..Inner::default()
        });
        let app = axum::Router::new()
            .route("/api/remote/servers", get(list))
            .route("/api/remote/servers/reset", post(reset))
            .route("/api/remote/servers/{uuid}", get(one))
            .route(
                "/api/remote/servers/{uuid}/install",
                get(script).post(status),
            )
            .route(
                "/api/remote/activity",
                post(|| async { StatusCode::NO_CONTENT }),
            )
            .route(
                "/api/remote/servers/{uuid}/transfer/{which}",
                post(transfer_result),
            )
            .route("/api/remote/backups/{uuid}", post(backup_status))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            inner,
            url,
            token_id,
            token,
        }
    }

    fn new_credentials() -> (String, String) {
        let token_id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        (token_id, token)
    }

    /// Adds a server.
    pub fn put(&self, server: RemoteServer, script: InstallScript) {
        let mut v = self.inner.servers.lock().expect("lock");
        v.retain(|(s, _)| s.settings.uuid != server.settings.uuid);
        v.push((server, script));
    }

    /// Adds a server the remote API serves by UUID but does not list for this node (a
    /// server being transferred here still belongs to its source node until it arrives).
    pub fn put_unlisted(&self, server: RemoteServer, script: InstallScript) {
        self.inner
            .unlisted
            .lock()
            .expect("lock")
            .push(server.settings.uuid.clone());
        self.put(server, script);
    }

    /// Install results reported for `uuid`.
    pub fn statuses_for(&self, uuid: &str) -> Vec<InstallStatus> {
        self.inner
            .statuses
            .lock()
            .expect("lock")
            .iter()
            .filter(|(u, _)| u == uuid)
            .map(|(_, s)| *s)
            .collect()
    }

    /// Transfer verdicts reported by a target wings: (uuid, successful).
    pub fn transfers(&self) -> Vec<(String, bool)> {
        self.inner.transfers.lock().expect("lock").clone()
    }

    /// Backup results wings reported: (backup uuid, body).
    pub fn backups(&self) -> Vec<(String, Value)> {
        self.inner.backups.lock().expect("lock").clone()
    }

    /// How many times wings reset server states (once per boot).
    pub fn resets(&self) -> u32 {
        *self.inner.resets.lock().expect("lock")
    }
}

async fn list(
    State(s): State<Shared>,
    h: HeaderMap,
) -> Result<Json<RemoteServerPage>, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    let hidden = s.unlisted.lock().expect("lock").clone();
    let data: Vec<RemoteServer> = s
        .servers
        .lock()
        .expect("lock")
        .iter()
        .filter(|(r, _)| !hidden.contains(&r.settings.uuid))
        .map(|(r, _)| r.clone())
        .collect();
    let total = data.len() as u64;
    Ok(Json(RemoteServerPage {
        data,
        meta: RemotePageMeta {
            current_page: 1,
            last_page: 1,
            total,
        },
    }))
}

async fn transfer_result(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((uuid, which)): Path<(String, String)>,
) -> Result<StatusCode, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    s.transfers
        .lock()
        .expect("lock")
        .push((uuid, which == "success"));
    Ok(StatusCode::NO_CONTENT)
}

async fn backup_status(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(uuid): Path<String>,
    Json(body): Json<Value>,
) -> Result<StatusCode, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    s.backups.lock().expect("lock").push((uuid, body));
    Ok(StatusCode::NO_CONTENT)
}

async fn reset(
    State(s): State<Shared>,
    h: HeaderMap,
) -> Result<StatusCode, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    *s.resets.lock().expect("lock") += 1;
    Ok(StatusCode::NO_CONTENT)
}

async fn one(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(uuid): Path<String>,
) -> Result<Json<RemoteServer>, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    let found = s
        .servers
        .lock()
        .expect("lock")
        .iter()
        .find(|(r, _)| r.settings.uuid == uuid)
        .map(|(r, _)| r.clone());
    found.map(Json).ok_or_else(not_found)
}

async fn script(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(uuid): Path<String>,
) -> Result<Json<InstallScript>, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    let found = s
        .servers
        .lock()
        .expect("lock")
        .iter()
        .find(|(r, _)| r.settings.uuid == uuid)
        .map(|(_, i)| i.clone());
    found.map(Json).ok_or_else(not_found)
}

async fn status(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(uuid): Path<String>,
    Json(body): Json<InstallStatus>,
) -> Result<StatusCode, (StatusCode, Json<Value>)> {
    authorized(&s, &h)?;
    s.statuses.lock().expect("lock").push((uuid, body));
    Ok(StatusCode::NO_CONTENT)
}

/// Mumble's 12-byte UDP ping to 127.0.0.1:`port`; true when the server answers with the
/// 24-byte reply echoing our ident (tries for about ten seconds).
pub async fn mumble_ping(port: u16) -> bool {
    let Ok(sock) = tokio::net::UdpSocket::bind("127.0.0.1:0").await else {
        return false;
    };
    let mut ping = [0u8; 12];
    ping[4..].copy_from_slice(&0x0123_4567_89ab_cdefu64.to_be_bytes());
    for _ in 0..20 {
        let _ = sock.send_to(&ping, ("127.0.0.1", port)).await;
        let mut buf = [0u8; 64];
        if let Ok(Ok(n)) =
            tokio::time::timeout(std::time::Duration::from_millis(500), sock.recv(&mut buf)).await
        {
            return n == 24 && buf[4..12] == ping[4..];
        }
    }
    false
}
