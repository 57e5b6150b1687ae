//! Application API: moving a server between nodes (`/servers/{id}/transfer`) and asking a
//! node about itself (`/nodes/{id}/system`).
//!
//! Black-box over HTTP against a real panel. The rules are checked with fake nodes (small
//! axum apps on 127.0.0.1:0 that record every call and can be told to fail); the real move
//! runs with two real wings processes on loopback sharing the Docker engine (needs
//! `scripts/setup-docker`: images `aerie/minetest`, `aerie/debian:bookworm`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aerie_db::Db;
use aerie_db::models::{ApiKeyPermissions, NewNode, Node};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use aerie_testkit::games::free_port;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use reqwest::Method;
use serde_json::{Value, json};

// ---- fake nodes --------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Call {
    method: String,
    path: String,
    body: Value,
}

#[derive(Clone, Default)]
struct FakeWings {
    calls: Arc<Mutex<Vec<Call>>>,
    /// 0 = answer normally; otherwise every call gets this status.
    fail: Arc<AtomicU16>,
    port: u16,
}

impl FakeWings {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakeWings {
            port: listener.local_addr().unwrap().port(),
            ..FakeWings::default()
        };
        let app = axum::Router::new()
            .fallback(record)
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        fake
    }

    fn fail_with(&self, status: u16) {
        self.fail.store(status, Ordering::SeqCst);
    }

    fn calls_to(&self, method: &str, path: &str) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.method == method && c.path == path)
            .cloned()
            .collect()
    }
}

async fn record(
    State(fake): State<FakeWings>,
    method: HttpMethod,
    uri: Uri,
    _headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.calls.lock().unwrap().push(Call {
        method: method.to_string(),
        path: uri.path().to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let fail = fake.fail.load(Ordering::SeqCst);
    if fail != 0 {
        return (
            StatusCode::from_u16(fail).unwrap(),
            axum::Json(json!({"error": "the fake wings was told to fail", "request_id": "fake"})),
        )
            .into_response();
    }
    if uri.path() == "/api/system" {
        // Answers slowly: the panel must give up first.
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    if method == HttpMethod::POST || method == HttpMethod::DELETE {
        return StatusCode::ACCEPTED.into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// A port nothing listens on.
async fn dead_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

// ---- fixtures ---------------------------------------------------------------------------

fn new_node(location_id: i64, name: &str, port: u16, memory: i64, base: &str) -> NewNode {
    NewNode {
        name: name.into(),
        description: None,
        location_id,
        fqdn: "127.0.0.1".into(),
        scheme: "http".into(),
        behind_proxy: false,
        public: true,
        memory,
        memory_overallocate: 0,
        disk: 100_000,
        disk_overallocate: 0,
        upload_size: 100,
        daemon_listen: i64::from(port),
        daemon_sftp: 2022,
        daemon_base: base.into(),
        daemon_token_id: format!("tokenid{name:0>9}"),
        daemon_token: format!("secret-daemon-token-of-{name}-0123456789abcdef"),
    }
}

async fn add_allocations(db: &Db, node: &Node, ports: &[i64]) -> Vec<i64> {
    db.allocations()
        .insert_ignore(node.id, "127.0.0.1", None, ports)
        .await
        .unwrap();
    let all = db.allocations().list_by_nodes(&[node.id]).await.unwrap();
    ports
        .iter()
        .map(|p| all.iter().find(|a| a.port == *p).unwrap().id)
        .collect()
}

async fn import_egg(db: &Db) -> i64 {
    let nest = aerie_panel::services::eggs::create_nest(db, "t@example.com", "Games", None)
        .await
        .unwrap();
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/eggs/egg-minetest.json"),
    )
    .unwrap();
    aerie_panel::services::eggs::import(db, nest.id, &bytes)
        .await
        .unwrap()
        .id
}

struct Ctx {
    panel: TestPanel,
    token: String,
    source: FakeWings,
    target: FakeWings,
    a: Node,
    b: Node,
    /// A node that has no room for the server.
    small: Node,
    a_allocs: Vec<i64>,
    b_allocs: Vec<i64>,
    small_allocs: Vec<i64>,
    server_id: i64,
    server_uuid: String,
}

async fn setup() -> Ctx {
    let panel = TestPanel::start().await;
    let source = FakeWings::start().await;
    let target = FakeWings::start().await;
    let admin = panel.user("admin", true).await;
    let token = panel.key(&admin, KeyType::Application).await;
    let db = &panel.db;
    let location = db.locations().create("eu.test", None).await.unwrap();
    let base = "/var/lib/pterodactyl/volumes";
    let a = db
        .nodes()
        .create(&new_node(location.id, "alpha", source.port, 8192, base))
        .await
        .unwrap();
    let b = db
        .nodes()
        .create(&new_node(location.id, "bravo", target.port, 8192, base))
        .await
        .unwrap();
    let small = db
        .nodes()
        .create(&new_node(location.id, "tiny", target.port, 512, base))
        .await
        .unwrap();
    let a_allocs = add_allocations(db, &a, &[25565, 25566, 25567]).await;
    let b_allocs = add_allocations(db, &b, &[26000, 26001, 26002, 26003]).await;
    let small_allocs = add_allocations(db, &small, &[27000]).await;
    let egg = import_egg(db).await;
    let body = json!({
        "name": "Mover",
        "user": admin.id,
        "egg": egg,
        "environment": {"SERVER_NAME": "Hello", "MAX_USERS": "20"},
        "limits": {"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 100},
        "feature_limits": {"databases": 0, "allocations": 3, "backups": 0},
        "allocation": {"default": a_allocs[0], "additional": [a_allocs[1]]},
    });
    let (status, v) = panel
        .call_json(Method::POST, "/api/application/servers", &token, Some(body))
        .await;
    assert_eq!(status, 201, "{v}");
    let server_id = v["attributes"]["id"].as_i64().unwrap();
    let server_uuid = v["attributes"]["uuid"].as_str().unwrap().to_owned();
    // Installed.
    db.servers().set_status(server_id, None).await.unwrap();
    Ctx {
        panel,
        token,
        source,
        target,
        a,
        b,
        small,
        a_allocs,
        b_allocs,
        small_allocs,
        server_id,
        server_uuid,
    }
}

impl Ctx {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.panel
            .call_json(
                method,
                &format!("/api/application{path}"),
                &self.token,
                body,
            )
            .await
    }

    async fn transfer(&self, body: Value) -> (u16, Value) {
        self.call(
            Method::POST,
            &format!("/servers/{}/transfer", self.server_id),
            Some(body),
        )
        .await
    }

    async fn owner(&self, id: i64) -> Option<i64> {
        self.panel
            .db
            .allocations()
            .find(id)
            .await
            .unwrap()
            .unwrap()
            .server_id
    }

    /// A remote API call as `node`.
    async fn remote(&self, node: &Node, method: Method, path: &str) -> (u16, Value) {
        let resp = self
            .panel
            .client
            .request(method, format!("{}/api/remote{path}", self.panel.url))
            .bearer_auth(format!("{}.{}", node.daemon_token_id, node.daemon_token))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn assert_validation(v: &Value, field: &str, rule: &str) {
    let e = &v["errors"][0];
    assert_eq!(e["status"], "422", "{v}");
    assert_eq!(e["meta"]["source_field"], field, "{v}");
    assert_eq!(e["meta"]["rule"], rule, "{v}");
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
}

// ---- the rules -----------------------------------------------------------------------------

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    let c = setup().await;
    let (status, _) = c
        .call(
            Method::POST,
            "/servers/999999/transfer",
            Some(json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0]})),
        )
        .await;
    assert_eq!(status, 404);

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"allocation_id": c.b_allocs[0]}),
            "node_id",
            "required",
        ),
        (json!({"node_id": c.b.id}), "allocation_id", "required"),
        (
            json!({"node_id": "b", "allocation_id": c.b_allocs[0]}),
            "node_id",
            "integer",
        ),
        (
            json!({"node_id": 999_999, "allocation_id": c.b_allocs[0]}),
            "node_id",
            "exists",
        ),
        (
            json!({"node_id": c.a.id, "allocation_id": c.a_allocs[2]}),
            "node_id",
            "different",
        ),
        (
            json!({"node_id": c.small.id, "allocation_id": c.small_allocs[0]}),
            "node_id",
            "viable",
        ),
        (
            json!({"node_id": c.b.id, "allocation_id": c.a_allocs[2]}),
            "allocation_id",
            "node",
        ),
        (
            json!({"node_id": c.b.id, "allocation_id": 999_999}),
            "allocation_id",
            "exists",
        ),
        (
            json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0], "allocation_additional": [c.b_allocs[1], c.b_allocs[1]]}),
            "allocation_additional.1",
            "distinct",
        ),
        (
            json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0], "allocation_additional": [c.a_allocs[2]]}),
            "allocation_additional.0",
            "node",
        ),
        (
            json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0], "allocation_additional": "x"}),
            "allocation_additional",
            "array",
        ),
    ];
    for (body, field, rule) in cases {
        let (status, v) = c.transfer(body.clone()).await;
        assert_eq!(status, 422, "{body}: {v}");
        assert_validation(&v, field, rule);
    }

    // An allocation another server holds on the target.
    c.panel
        .db
        .allocations()
        .assign(&[c.b_allocs[3]], c.server_id)
        .await
        .unwrap();
    let (status, v) = c
        .transfer(json!({"node_id": c.b.id, "allocation_id": c.b_allocs[3]}))
        .await;
    assert_eq!(status, 422, "{v}");
    assert_validation(&v, "allocation_id", "unique");

    // A server still installing, or whose install failed.
    for s in ["installing", "install_failed"] {
        c.panel
            .db
            .servers()
            .set_status(c.server_id, Some(s))
            .await
            .unwrap();
        let (status, v) = c
            .transfer(json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0]}))
            .await;
        assert_eq!(status, 409, "{s}: {v}");
    }

    // Nothing was asked of the nodes, nothing recorded, nothing reserved.
    assert!(
        c.source
            .calls_to("POST", &format!("/api/servers/{}/transfer", c.server_uuid))
            .is_empty()
    );
    assert!(
        c.panel
            .db
            .servers()
            .transfers(c.server_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(c.owner(c.b_allocs[0]).await, None);
    let (status, _) = c
        .call(
            Method::GET,
            &format!("/servers/{}/transfer", c.server_id),
            None,
        )
        .await;
    assert_eq!(status, 404, "never transferred");
}

#[tokio::test]
async fn a_transfer_starts_and_the_success_callback_moves_the_server() {
    let c = setup().await;
    let (status, v) = c
        .transfer(json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0], "allocation_additional": [c.b_allocs[1]]}))
        .await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["object"], "server_transfer");
    let t = &v["attributes"];
    assert_eq!(t["successful"], Value::Null);
    assert_eq!(t["old_node"], c.a.id);
    assert_eq!(t["new_node"], c.b.id);
    assert_eq!(t["old_allocation"], c.a_allocs[0]);
    assert_eq!(t["new_allocation"], c.b_allocs[0]);
    assert_eq!(t["old_additional_allocations"], json!([c.a_allocs[1]]));
    assert_eq!(t["new_additional_allocations"], json!([c.b_allocs[1]]));

    // The source node was asked to send the server to the target with a token the target
    // accepts (signed with the target's daemon token, for this server, short-lived).
    let calls = c
        .source
        .calls_to("POST", &format!("/api/servers/{}/transfer", c.server_uuid));
    assert_eq!(calls.len(), 1);
    let body = &calls[0].body;
    assert_eq!(
        body["url"],
        format!("http://127.0.0.1:{}/api/transfers", c.target.port)
    );
    assert_eq!(body["server"]["uuid"], c.server_uuid.as_str());
    let token = body["token"].as_str().unwrap();
    let jwt = token.strip_prefix("Bearer ").expect("a bearer token");
    let now = chrono::Utc::now().timestamp();
    let claims: Claims = aerie_jwt::verify(jwt, c.b.daemon_token.as_bytes(), now).unwrap();
    assert_eq!(claims.sub, c.server_uuid);
    assert!(claims.exp > now && claims.exp <= now + 3600);
    assert!(aerie_jwt::verify::<Claims>(jwt, c.a.daemon_token.as_bytes(), now).is_err());

    // The target allocations are reserved; a second transfer is refused; the panel shows it.
    assert_eq!(c.owner(c.b_allocs[0]).await, Some(c.server_id));
    assert_eq!(c.owner(c.b_allocs[1]).await, Some(c.server_id));
    let (status, v) = c
        .transfer(json!({"node_id": c.b.id, "allocation_id": c.b_allocs[2]}))
        .await;
    assert_eq!(status, 409, "{v}");
    // Deleting the server (even forced) or changing its build mid-transfer is refused, and
    // the source node is not asked to delete anything.
    for path in [
        format!("/servers/{}", c.server_id),
        format!("/servers/{}/force", c.server_id),
    ] {
        let (status, v) = c.call(Method::DELETE, &path, None).await;
        assert_eq!(status, 409, "{path}: {v}");
        assert!(
            v["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("cancel the transfer"),
            "{v}"
        );
    }
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{}/build", c.server_id),
            Some(json!({"allocation": c.a_allocs[0], "memory": 2048, "swap": 0, "disk": 1024, "io": 500, "cpu": 0, "feature_limits": {"databases": 0, "allocations": 0, "backups": 0}})),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    assert!(
        c.source
            .calls_to("DELETE", &format!("/api/servers/{}", c.server_uuid))
            .is_empty()
    );
    let (status, v) = c
        .call(
            Method::GET,
            &format!("/servers/{}/transfer", c.server_id),
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["successful"], Value::Null);
    assert_eq!(v["attributes"]["server_id"], c.server_id, "{v}");

    // The target reads the server as it will be there; another node may not read it.
    let (status, doc) = c
        .remote(&c.b, Method::GET, &format!("/servers/{}", c.server_uuid))
        .await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["settings"]["allocations"]["default"]["port"], 26000);
    assert_eq!(
        doc["settings"]["allocations"]["mappings"]["127.0.0.1"],
        json!([26000, 26001])
    );
    let (status, _) = c
        .remote(
            &c.small,
            Method::GET,
            &format!("/servers/{}", c.server_uuid),
        )
        .await;
    assert_eq!(status, 404);

    // Only the target can say the server arrived.
    let (status, _) = c
        .remote(
            &c.a,
            Method::POST,
            &format!("/servers/{}/transfer/success", c.server_uuid),
        )
        .await;
    assert_eq!(status, 404);
    let (status, v) = c
        .remote(
            &c.b,
            Method::POST,
            &format!("/servers/{}/transfer/success", c.server_uuid),
        )
        .await;
    assert_eq!(status, 204, "{v}");

    let (status, v) = c
        .call(
            Method::GET,
            &format!("/servers/{}?include=allocations", c.server_id),
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["node"], c.b.id);
    assert_eq!(v["attributes"]["allocation"], c.b_allocs[0]);
    let mut ids: Vec<i64> = v["attributes"]["relationships"]["allocations"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["attributes"]["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![c.b_allocs[0], c.b_allocs[1]]);
    assert_eq!(c.owner(c.a_allocs[0]).await, None);
    assert_eq!(c.owner(c.a_allocs[1]).await, None);
    // The old node was told to delete its copy.
    assert_eq!(
        c.source
            .calls_to("DELETE", &format!("/api/servers/{}", c.server_uuid))
            .len(),
        1
    );
    let (_, v) = c
        .call(
            Method::GET,
            &format!("/servers/{}/transfer", c.server_id),
            None,
        )
        .await;
    assert_eq!(v["attributes"]["successful"], true);
    // A replayed callback changes nothing.
    let (status, _) = c
        .remote(
            &c.b,
            Method::POST,
            &format!("/servers/{}/transfer/failure", c.server_uuid),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(c.owner(c.b_allocs[0]).await, Some(c.server_id));
}

#[tokio::test]
async fn a_failed_or_unreachable_source_undoes_everything() {
    let c = setup().await;
    let body = json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0], "allocation_additional": [c.b_allocs[1]]});

    c.source.fail_with(500);
    let (status, v) = c.transfer(body.clone()).await;
    assert_eq!(status, 502, "{v}");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("the fake wings was told to fail"),
        "{v}"
    );
    c.source.fail_with(409);
    let (status, v) = c.transfer(body.clone()).await;
    assert_eq!(status, 409, "{v}");
    for id in [c.b_allocs[0], c.b_allocs[1]] {
        assert_eq!(c.owner(id).await, None);
    }
    assert!(
        c.panel
            .db
            .servers()
            .transfers(c.server_id)
            .await
            .unwrap()
            .is_empty()
    );

    // The source node is down.
    let port = dead_port().await;
    c.panel
        .db
        .nodes()
        .update(
            c.a.id,
            &aerie_db::repo::nodes::NodePatch {
                daemon_listen: Some(i64::from(port)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, v) = c.transfer(body).await;
    assert_eq!(status, 503, "{v}");
    assert_eq!(c.owner(c.b_allocs[0]).await, None);
    let (_, v) = c
        .call(Method::GET, &format!("/servers/{}", c.server_id), None)
        .await;
    assert_eq!(v["attributes"]["node"], c.a.id);
}

#[tokio::test]
async fn a_transfer_can_be_cancelled_or_fail() {
    let c = setup().await;
    let body = json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0]});
    let path = format!("/servers/{}/transfer", c.server_id);
    let (status, _) = c.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 409, "nothing to cancel");

    let (status, v) = c.transfer(body.clone()).await;
    assert_eq!(status, 202, "{v}");
    let (status, v) = c.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["successful"], false);
    assert_eq!(
        c.source
            .calls_to(
                "DELETE",
                &format!("/api/servers/{}/transfer", c.server_uuid)
            )
            .len(),
        1,
        "the source was told to stop"
    );
    assert_eq!(
        c.target
            .calls_to("DELETE", &format!("/api/transfers/{}", c.server_uuid))
            .len(),
        1,
        "the target was told to stop"
    );
    assert_eq!(c.owner(c.b_allocs[0]).await, None);
    let (status, _) = c.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 409);

    // A failure reported by the source frees the target allocations; the server stays.
    let (status, v) = c.transfer(body).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(c.owner(c.b_allocs[0]).await, Some(c.server_id));
    let (status, _) = c
        .remote(
            &c.a,
            Method::POST,
            &format!("/servers/{}/transfer/failure", c.server_uuid),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(c.owner(c.b_allocs[0]).await, None);
    let (_, v) = c.call(Method::GET, &path, None).await;
    assert_eq!(v["attributes"]["successful"], false);
    let (_, v) = c
        .call(Method::GET, &format!("/servers/{}", c.server_id), None)
        .await;
    assert_eq!(v["attributes"]["node"], c.a.id);
    assert_eq!(v["attributes"]["allocation"], c.a_allocs[0]);
}

#[tokio::test]
async fn keys_need_the_server_and_node_bits() {
    let c = setup().await;
    let admin = c
        .panel
        .db
        .users()
        .find_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    let read_only = c
        .panel
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                servers: 1,
                ..Default::default()
            },
        )
        .await;
    let (status, _) = c
        .panel
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{}/transfer", c.server_id),
            &read_only,
            Some(json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0]})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = c
        .panel
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{}/system", c.b.id),
            &read_only,
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(c.owner(c.b_allocs[0]).await, None);
}

// ---- node system information ---------------------------------------------------------------

#[tokio::test]
async fn node_system_information_comes_from_wings_or_names_the_silent_node() {
    let c = setup().await;
    // A live wings answers with its version.
    let wings_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = wings_listener.local_addr().unwrap().port();
    let live = c
        .panel
        .db
        .nodes()
        .create(&new_node(
            c.a.location_id,
            "live",
            port,
            1024,
            "/var/lib/pterodactyl/volumes",
        ))
        .await
        .unwrap();
    let engine = aerie_wings::docker::Engine::connect(None).expect("docker client");
    let state = aerie_wings::WingsState::new(engine, live.daemon_token.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(aerie_wings::serve(state, wings_listener, async move {
        let _ = stopped.await;
    }));
    let (status, v) = c
        .call(Method::GET, &format!("/nodes/{}/system", live.id), None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], aerie_proto::VERSION);
    assert_eq!(v["os"], std::env::consts::OS);
    assert!(v["cpu_count"].as_u64().unwrap() >= 1, "{v}");
    assert!(!v["architecture"].as_str().unwrap().is_empty());
    let _ = stop.send(());

    // A node whose wings is not running: a prompt 503 naming the node.
    let down = c
        .panel
        .db
        .nodes()
        .create(&new_node(
            c.a.location_id,
            "down",
            dead_port().await,
            1024,
            "/var/lib/pterodactyl/volumes",
        ))
        .await
        .unwrap();
    let started = Instant::now();
    let (status, v) = c
        .call(Method::GET, &format!("/nodes/{}/system", down.id), None)
        .await;
    assert_eq!(status, 503, "{v}");
    let detail = v["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("\"down\""), "{detail}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // A node that accepts the connection but never answers: given up on after a few
    // seconds, not the usual 30.
    let started = Instant::now();
    let (status, v) = c
        .call(Method::GET, &format!("/nodes/{}/system", c.b.id), None)
        .await;
    assert_eq!(status, 503, "{v}");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("\"bravo\""),
        "{v}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // A node that answers with an error.
    c.target.fail_with(500);
    let (status, v) = c
        .call(Method::GET, &format!("/nodes/{}/system", c.b.id), None)
        .await;
    assert_eq!(status, 502, "{v}");
    let (status, _) = c.call(Method::GET, "/nodes/999999/system", None).await;
    assert_eq!(status, 404);
}

// ---- a real move between two real nodes -------------------------------------------------------

struct RealNode {
    node: Node,
    state: aerie_wings::WingsState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    dir: std::path::PathBuf,
}

async fn real_node(
    panel: &TestPanel,
    location_id: i64,
    name: &str,
    dir: &std::path::Path,
) -> RealNode {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let token =
        uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
    let mut row = new_node(
        location_id,
        name,
        port,
        8192,
        &dir.join("volumes").display().to_string(),
    );
    row.daemon_token = token.clone();
    let node = panel.db.nodes().create(&row).await.unwrap();
    let mut file = aerie_wings::config::WingsFile::for_local_node(
        &node.uuid,
        &node.daemon_token_id,
        &token,
        "127.0.0.1",
        port,
        &panel.url,
        &dir,
    );
    file.system.sftp.bind_port = 0;
    file.docker.network.name = "aerie_test_nw".into();
    let engine = aerie_wings::docker::Engine::connect(None).expect("docker client");
    let state = aerie_wings::boot::start_node(&file, engine).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(aerie_wings::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    RealNode {
        node,
        state,
        stop: Some(stop),
        dir,
    }
}

#[tokio::test]
async fn a_real_server_moves_to_another_real_node_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let panel = TestPanel::start().await;
    let admin = panel.user("admin", true).await;
    let app = panel.key(&admin, KeyType::Application).await;
    let client = panel.key(&admin, KeyType::Client).await;
    let location = panel.db.locations().create("real", None).await.unwrap();
    let mut a = real_node(&panel, location.id, "alpha", dir.path()).await;
    let mut b = real_node(&panel, location.id, "bravo", dir.path()).await;
    let egg = import_egg(&panel.db).await;
    let a_port = i64::from(free_port());
    let a_alloc = add_allocations(&panel.db, &a.node, &[a_port]).await[0];
    let b_port = i64::from(free_port());
    let b_alloc = add_allocations(&panel.db, &b.node, &[b_port]).await[0];
    let body = json!({
        "name": "Travelling Minetest",
        "user": admin.id,
        "egg": egg,
        "docker_image": "aerie/minetest:latest",
        "limits": {"memory": 512, "swap": 0, "disk": 1024, "io": 500, "cpu": 0},
        "feature_limits": {"databases": 0, "allocations": 1, "backups": 0},
        "environment": {"SERVER_NAME": "Transfer test", "MAX_USERS": "4"},
        "allocation": {"default": a_alloc},
        "start_on_completion": false,
    });
    let (status, v) = panel
        .call_json(Method::POST, "/api/application/servers", &app, Some(body))
        .await;
    assert_eq!(status, 201, "{v}");
    let server_id = v["attributes"]["id"].as_i64().unwrap();
    let uuid = v["attributes"]["uuid"].as_str().unwrap().to_owned();
    let short = v["attributes"]["identifier"].as_str().unwrap().to_owned();

    let result = std::panic::AssertUnwindSafe(drive(
        &panel, &app, &client, server_id, &uuid, &short, &a, &b, b_alloc, a_alloc,
    ))
    .catch_unwind()
    .await;

    // Clean up the containers and files whatever happened.
    if let Some(fresh) = panel.db.servers().find(server_id).await.unwrap() {
        let _ = aerie_panel::services::servers::delete_server(&panel.db, &fresh, true).await;
    }
    for n in [&a, &b] {
        if n.state.manager.get(&uuid).is_some() {
            let _ = n.state.manager.delete(&uuid).await;
        }
    }
    for n in [&mut a, &mut b] {
        if let Some(s) = n.stop.take() {
            let _ = s.send(());
        }
    }
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[allow(clippy::too_many_arguments)]
async fn drive(
    panel: &TestPanel,
    app: &str,
    client: &str,
    server_id: i64,
    uuid: &str,
    short: &str,
    a: &RealNode,
    b: &RealNode,
    b_alloc: i64,
    a_alloc: i64,
) {
    let base = format!("/api/client/servers/{short}");
    let wait = |path: String, what: &'static str, within: u64, done: fn(&Value) -> bool| async move {
        let deadline = Instant::now() + Duration::from_secs(within);
        loop {
            let (status, v) = panel.call_json(Method::GET, &path, client, None).await;
            if status == 200 && done(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last answer {status}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    let installed = wait(base.clone(), "the install", 240, |v| {
        v["attributes"]["is_installing"] == false || v["attributes"]["status"] == "install_failed"
    })
    .await;
    assert_ne!(
        installed["attributes"]["status"], "install_failed",
        "{installed}"
    );
    // Wings reports the install a moment before it stops counting the server as installing.
    let deadline = Instant::now() + Duration::from_secs(30);
    while a.state.manager.get(uuid).is_none_or(|s| s.is_installing()) {
        assert!(
            Instant::now() < deadline,
            "wings never finished the install"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A file to carry over.
    let text = "carried across nodes\n";
    let resp = panel
        .client
        .post(format!(
            "{}{base}/files/write?file=%2Ftravel.txt",
            panel.url
        ))
        .bearer_auth(client)
        .header("Content-Type", "text/plain")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);

    // First to a node whose wings is down: the source cannot deliver, says so, and the
    // panel frees the target allocation; the server stays on A.
    let charlie = panel
        .db
        .nodes()
        .create(&new_node(
            a.node.location_id,
            "charlie",
            dead_port().await,
            8192,
            "/var/lib/pterodactyl/volumes",
        ))
        .await
        .unwrap();
    let c_alloc = add_allocations(&panel.db, &charlie, &[i64::from(free_port())]).await[0];
    let (status, v) = panel
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{server_id}/transfer"),
            app,
            Some(json!({"node_id": charlie.id, "allocation_id": c_alloc})),
        )
        .await;
    assert_eq!(status, 202, "{v}");
    let failed = wait_transfer(panel, app, server_id).await;
    assert_eq!(failed["attributes"]["successful"], false, "{failed}");
    let freed = panel.db.allocations().find(c_alloc).await.unwrap().unwrap();
    assert_eq!(freed.server_id, None);
    assert!(a.state.manager.get(uuid).is_some());

    let (status, v) = panel
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{server_id}/transfer"),
            app,
            Some(json!({"node_id": b.node.id, "allocation_id": b_alloc})),
        )
        .await;
    assert_eq!(status, 202, "{v}");
    let transfer = wait_transfer(panel, app, server_id).await;
    assert_eq!(transfer["attributes"]["successful"], true, "{transfer}");

    // The panel shows the server on B with its new allocation; the old one is free.
    let (_, v) = panel
        .call_json(
            Method::GET,
            &format!("/api/application/servers/{server_id}"),
            app,
            None,
        )
        .await;
    assert_eq!(v["attributes"]["node"], b.node.id, "{v}");
    assert_eq!(v["attributes"]["allocation"], b_alloc, "{v}");
    let old = panel.db.allocations().find(a_alloc).await.unwrap().unwrap();
    assert_eq!(old.server_id, None);

    // Node A no longer has it; node B has the file.
    assert!(
        a.state.manager.get(uuid).is_none(),
        "node A still has the server"
    );
    assert!(
        !a.dir.join("volumes").join(uuid).exists(),
        "node A kept the files"
    );
    assert_eq!(
        std::fs::read_to_string(b.dir.join("volumes").join(uuid).join("travel.txt")).unwrap(),
        text
    );
    let resp = panel
        .client
        .get(format!(
            "{}{base}/files/contents?file=%2Ftravel.txt",
            panel.url
        ))
        .bearer_auth(client)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), text);

    // It starts on B.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, v) = panel
            .call_json(
                Method::POST,
                &format!("{base}/power"),
                client,
                Some(json!({"signal": "start"})),
            )
            .await;
        if status == 409 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        assert_eq!(status, 204, "{v}");
        break;
    }
    wait(
        format!("{base}/resources"),
        "the server to run on B",
        120,
        |v| v["attributes"]["current_state"] == "running",
    )
    .await;
    assert!(b.state.manager.get(uuid).is_some());
}

/// Polls the server's newest transfer until it has an outcome.
async fn wait_transfer(panel: &TestPanel, app: &str, server_id: i64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let (status, v) = panel
            .call_json(
                Method::GET,
                &format!("/api/application/servers/{server_id}/transfer"),
                app,
                None,
            )
            .await;
        assert_eq!(status, 200, "{v}");
        if !v["attributes"]["successful"].is_null() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "the transfer never finished: {v}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn a_double_click_starts_one_transfer_and_keeps_its_allocations() {
    let c = setup().await;
    let body = json!({"node_id": c.b.id, "allocation_id": c.b_allocs[0], "allocation_additional": [c.b_allocs[1]]});
    let ((s1, v1), (s2, v2)) = tokio::join!(c.transfer(body.clone()), c.transfer(body));
    let mut statuses = [s1, s2];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409], "{v1} {v2}");
    // The refused request must not have freed what the started one reserved.
    assert_eq!(c.owner(c.b_allocs[0]).await, Some(c.server_id));
    assert_eq!(c.owner(c.b_allocs[1]).await, Some(c.server_id));
    let calls = c
        .source
        .calls_to("POST", &format!("/api/servers/{}/transfer", c.server_uuid));
    assert_eq!(calls.len(), 1);
}
