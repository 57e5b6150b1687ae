//! Shared fixtures of the subuser, backup, schedule, database and scheduler tests: a fake
//! wings (an axum stub on `127.0.0.1:0` that records every call and answers what the test
//! tells it), and the rows a server needs (location, node pointing at the stub, the
//! minetest egg, allocation, server, users, subusers, keys).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aerie_db::Db;
use aerie_db::models::{NewNode, Node, User};
use aerie_db::repo::eggs::Egg;
use aerie_db::repo::servers::{NewServer, Server};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The node token the stub expects.
pub const NODE_TOKEN: &str = "stub-node-token-0123456789abcdef0123456789abcdef0123456789abcdef";

/// One call wings received.
#[derive(Debug, Clone)]
pub struct Call {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// JSON body (`Null` when empty or not JSON).
    pub body: Value,
    /// The `Authorization` header.
    pub auth: Option<String>,
    /// When it arrived.
    pub at: Instant,
}

struct StubInner {
    calls: Mutex<Vec<Call>>,
    notify: Notify,
    state: Mutex<String>,
    /// Path suffix → status to fail with.
    fail: Mutex<HashMap<String, u16>>,
}

/// A fake wings.
#[derive(Clone)]
pub struct Stub {
    /// The port it listens on.
    pub port: u16,
    inner: Arc<StubInner>,
}

async fn stub_handler(
    State(inner): State<Arc<StubInner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let call = Call {
        method: method.to_string(),
        path: path.clone(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        auth: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        at: Instant::now(),
    };
    inner.calls.lock().unwrap().push(call);
    inner.notify.notify_waiters();
    let failing = inner
        .fail
        .lock()
        .unwrap()
        .iter()
        .find(|(suffix, _)| uri.path().ends_with(suffix.as_str()))
        .map(|(_, s)| *s);
    if let Some(status) = failing {
        return (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(json!({"error": "stub failure", "request_id": "stub"})),
        )
            .into_response();
    }
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    if method == Method::GET && segments.len() == 3 && segments[..2] == ["api", "servers"] {
        let state = inner.state.lock().unwrap().clone();
        return axum::Json(json!({
            "state": state,
            "is_suspended": false,
            "utilization": {},
        }))
        .into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

impl Stub {
    /// Starts a stub on `127.0.0.1:0` reporting servers `offline`.
    pub async fn start() -> Self {
        let inner = Arc::new(StubInner {
            calls: Mutex::new(Vec::new()),
            notify: Notify::new(),
            state: Mutex::new("offline".into()),
            fail: Mutex::new(HashMap::new()),
        });
        let app = axum::Router::new()
            .fallback(stub_handler)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { port, inner }
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// Calls whose path ends with `suffix` (and whose method is `method`).
    pub fn calls_to(&self, method: &str, suffix: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| {
                c.method == method && c.path.split('?').next().unwrap_or("").ends_with(suffix)
            })
            .collect()
    }

    /// Forgets the calls so far.
    pub fn clear(&self) {
        self.inner.calls.lock().unwrap().clear();
    }

    /// The `state` reported for every server.
    pub fn set_state(&self, state: &str) {
        *self.inner.state.lock().unwrap() = state.to_owned();
    }

    /// Answers calls whose path ends with `suffix` with `status`.
    pub fn fail(&self, suffix: &str, status: u16) {
        self.inner
            .fail
            .lock()
            .unwrap()
            .insert(suffix.to_owned(), status);
    }

    /// Stops failing calls ending with `suffix`.
    pub fn heal(&self, suffix: &str) {
        self.inner.fail.lock().unwrap().remove(suffix);
    }

    /// Waits (up to `within`) until `pred` holds over the calls; panics otherwise.
    pub async fn wait_until(&self, within: Duration, pred: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let calls = self.calls();
            if pred(&calls) {
                return calls;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let calls = self.calls();
                if pred(&calls) {
                    return calls;
                }
                panic!("wings never saw the expected calls; it saw: {calls:#?}");
            }
        }
    }
}

/// Polls `check` (a database read) every 20 ms until it holds, up to `within`.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The rows every server needs: a location, a node on the stub, the minetest egg.
pub struct World {
    /// The node (fqdn 127.0.0.1, http, the stub's port).
    pub node: Node,
    /// The minetest egg.
    pub egg: Egg,
}

/// Creates the location, node and egg in `db`.
pub async fn world(db: &Db, stub: &Stub) -> World {
    let loc = db.locations().create("test", None).await.unwrap();
    let node = db
        .nodes()
        .create(&NewNode {
            name: "stub".into(),
            description: None,
            location_id: loc.id,
            fqdn: "127.0.0.1".into(),
            scheme: "http".into(),
            behind_proxy: false,
            public: true,
            memory: 8192,
            memory_overallocate: 0,
            disk: 100_000,
            disk_overallocate: 0,
            upload_size: 100,
            daemon_listen: i64::from(stub.port),
            daemon_sftp: 2022,
            daemon_base: "/var/lib/aerie/volumes".into(),
            daemon_token_id: "stubtokenid00001".into(),
            daemon_token: NODE_TOKEN.into(),
        })
        .await
        .unwrap();
    let nest = aerie_panel::services::eggs::create_nest(db, "t@example.com", "Games", None)
        .await
        .unwrap();
    let egg_file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/eggs/egg-minetest.json");
    let egg = aerie_panel::services::eggs::import(db, nest.id, &std::fs::read(egg_file).unwrap())
        .await
        .unwrap();
    World { node, egg }
}

fn random_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An installed server of `owner` on the world's node, with one allocation.
pub async fn server(
    db: &Db,
    w: &World,
    owner: i64,
    backup_limit: i64,
    database_limit: i64,
) -> Server {
    let port = 20_000 + i64::from(rand_u16() % 20_000);
    db.allocations()
        .insert_ignore(w.node.id, "127.0.0.1", None, &[port])
        .await
        .unwrap();
    let (allocs, _) = db
        .allocations()
        .list_by_node(
            w.node.id,
            &aerie_db::repo::allocations::AllocationListQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let alloc = allocs.iter().find(|a| a.port == port).unwrap().id;
    let uuid = random_uuid();
    let s = db
        .servers()
        .create(&NewServer {
            external_id: None,
            uuid: uuid.clone(),
            uuid_short: uuid[..8].to_owned(),
            node_id: w.node.id,
            name: format!("srv-{port}"),
            description: None,
            status: None,
            skip_scripts: false,
            owner_id: owner,
            memory: 1024,
            swap: 0,
            disk: 2048,
            io: 500,
            cpu: 100,
            threads: None,
            oom_disabled: true,
            allocation_id: alloc,
            nest_id: w.egg.nest_id,
            egg_id: w.egg.id,
            startup: "minetestserver --port {{SERVER_PORT}}".into(),
            image: "aerie/minetest".into(),
            allocation_limit: None,
            database_limit,
            backup_limit,
        })
        .await
        .unwrap();
    db.allocations().assign(&[alloc], s.id).await.unwrap();
    s
}

fn rand_u16() -> u16 {
    let b = uuid::Uuid::new_v4().into_bytes();
    u16::from_le_bytes([b[0], b[1]])
}

/// A panel, a stub wings, an owner with a client key and one server.
pub struct Fx {
    /// The panel.
    pub panel: TestPanel,
    /// The fake wings.
    pub stub: Stub,
    /// Location, node, egg.
    pub world: World,
    /// The owner.
    pub owner: User,
    /// The owner's client key.
    pub owner_key: String,
    /// The owner's server.
    pub server: Server,
}

impl Fx {
    /// A fresh panel with one server (backup limit 3, database limit 2).
    pub async fn start() -> Self {
        let panel = TestPanel::start().await;
        let stub = Stub::start().await;
        let world = world(&panel.db, &stub).await;
        let owner = plain_user(&panel.db, "owner").await;
        let owner_key = panel.key(&owner, KeyType::Client).await;
        let server = server(&panel.db, &world, owner.id, 3, 2).await;
        Self {
            panel,
            stub,
            world,
            owner,
            owner_key,
            server,
        }
    }

    /// Another server of `owner`.
    pub async fn other_server(&self, owner: i64) -> Server {
        server(&self.panel.db, &self.world, owner, 3, 2).await
    }

    /// A new user with a client key.
    pub async fn user(&self, name: &str) -> (User, String) {
        let u = plain_user(&self.panel.db, name).await;
        let k = self.panel.key(&u, KeyType::Client).await;
        (u, k)
    }

    /// A new user who is a subuser of `server` with `perms`, with a client key.
    pub async fn subuser(&self, name: &str, server: &Server, perms: &[&str]) -> (User, String) {
        let (u, k) = self.user(name).await;
        let perms: Vec<String> = perms.iter().map(|p| (*p).to_owned()).collect();
        self.panel
            .db
            .subusers()
            .create(u.id, server.id, &perms)
            .await
            .unwrap();
        (u, k)
    }

    /// `/api/client/servers/{short}{rest}` of the main server.
    pub fn link(&self, rest: &str) -> String {
        link(&self.server, rest)
    }

    /// Calls the panel.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.panel.call_json(method, path, key, body).await
    }
}

/// A user without a password (API keys only): no password hashing, so tests stay fast.
pub async fn plain_user(db: &Db, name: &str) -> User {
    aerie_panel::services::users::create_user(
        db,
        aerie_panel::services::users::CreateUser {
            email: format!("{name}@example.com"),
            username: name.into(),
            password: None,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// `/api/client/servers/{short}{rest}`.
pub fn link(server: &Server, rest: &str) -> String {
    format!("/api/client/servers/{}{rest}", server.uuid_short)
}

/// Sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// `k` sorted, as owned strings.
pub fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| (*s).to_owned()).collect();
    k.sort();
    k
}

/// Asserts an error envelope with status `want`.
pub fn assert_error(status: u16, body: &Value, want: u16) {
    assert_eq!(status, want, "{body}");
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array: {body}"));
    assert_eq!(errors[0]["status"], want.to_string(), "{body}");
}

/// Asserts a 422 on `field` with `rule`.
pub fn assert_validation(status: u16, body: &Value, field: &str, rule: &str) {
    assert_error(status, body, 422);
    assert_eq!(body["errors"][0]["meta"]["source_field"], field, "{body}");
    assert_eq!(body["errors"][0]["meta"]["rule"], rule, "{body}");
}

/// The server's activity events, oldest first.
pub async fn events(db: &Db, server_id: i64) -> Vec<(String, Value, Option<i64>)> {
    let (rows, _) = db
        .activity()
        .list(
            aerie_db::repo::activity::ActivityScope::Server(server_id),
            None,
            0,
            1000,
        )
        .await
        .unwrap();
    let mut out: Vec<(String, Value, Option<i64>)> = rows
        .into_iter()
        .map(|a| {
            (
                a.event,
                serde_json::from_str(&a.properties).unwrap_or(Value::Null),
                a.api_key_id,
            )
        })
        .collect();
    out.reverse();
    out
}
