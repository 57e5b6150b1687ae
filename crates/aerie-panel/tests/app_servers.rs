//! Application API: servers. Black-box HTTP tests against a real panel, with a fake wings
//! (a small axum app on 127.0.0.1:0 that records every call and can be told to fail)
//! standing in for the node's HTTP API. The real wings end-to-end runs elsewhere.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use aerie_db::models::{ApiKeyPermissions, NewNode, Node};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{Value, json};

// ---- fake wings -------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Call {
    method: String,
    path: String,
    body: Value,
    auth: Option<String>,
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

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn calls_to(&self, method: &str, path: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.path == path)
            .collect()
    }

    fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }
}

async fn record(
    State(fake): State<FakeWings>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = Call {
        method: method.to_string(),
        path: uri.path().to_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        auth: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    fake.calls.lock().unwrap().push(call);
    let fail = fake.fail.load(Ordering::SeqCst);
    if fail != 0 {
        let status = StatusCode::from_u16(fail).unwrap();
        return (
            status,
            [("x-request-id", "fake-request")],
            axum::Json(
                json!({"error": "the fake wings was told to fail", "request_id": "fake-request"}),
            ),
        )
            .into_response();
    }
    if method == HttpMethod::POST && uri.path() == "/api/servers" {
        return StatusCode::ACCEPTED.into_response();
    }
    if uri.path().ends_with("/reinstall") {
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

struct Ctx {
    panel: TestPanel,
    wings: FakeWings,
    token: String,
    node: Node,
    /// Free allocations on `node`: ports 25565..=25569.
    allocs: Vec<i64>,
    egg_id: i64,
    nest_id: i64,
    user_id: i64,
}

async fn add_node(panel: &TestPanel, location_id: i64, name: &str, port: u16, memory: i64) -> Node {
    panel
        .db
        .nodes()
        .create(&NewNode {
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
            daemon_base: "/var/lib/pterodactyl/volumes".into(),
            daemon_token_id: format!("tokenid{name:0>9}"),
            daemon_token: format!("secret-daemon-token-of-{name}"),
        })
        .await
        .unwrap()
}

async fn add_allocations(panel: &TestPanel, node: &Node, ports: &[i64]) -> Vec<i64> {
    panel
        .db
        .allocations()
        .insert_ignore(node.id, "127.0.0.1", None, ports)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for a in panel
        .db
        .allocations()
        .list_by_nodes(&[node.id])
        .await
        .unwrap()
    {
        if ports.contains(&a.port) {
            ids.push(a.id);
        }
    }
    ids
}

async fn setup() -> Ctx {
    let panel = TestPanel::start().await;
    let wings = FakeWings::start().await;
    let admin = panel.user("admin", true).await;
    let token = panel.key(&admin, KeyType::Application).await;
    let location = panel.db.locations().create("eu.test", None).await.unwrap();
    let node = add_node(&panel, location.id, "node1", wings.port, 8192).await;
    let allocs = add_allocations(&panel, &node, &[25565, 25566, 25567, 25568, 25569]).await;
    assert_eq!(allocs.len(), 5);
    let nest =
        aerie_panel::services::eggs::create_nest(&panel.db, "test@example.com", "Games", None)
            .await
            .unwrap();
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/eggs/egg-minetest.json"),
    )
    .unwrap();
    let egg = aerie_panel::services::eggs::import(&panel.db, nest.id, &bytes)
        .await
        .unwrap();
    Ctx {
        panel,
        wings,
        token,
        node,
        allocs,
        egg_id: egg.id,
        nest_id: nest.id,
        user_id: admin.id,
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

    fn body(&self, alloc: i64) -> Value {
        json!({
            "name": "My Server",
            "user": self.user_id,
            "egg": self.egg_id,
            "environment": {"SERVER_NAME": "Hello", "MAX_USERS": "20"},
            "limits": {"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 100},
            "feature_limits": {"databases": 1, "allocations": 2, "backups": 3},
            "allocation": {"default": alloc},
            "start_on_completion": true,
        })
    }

    async fn create(&self, body: Value) -> Value {
        let (status, v) = self.call(Method::POST, "/servers", Some(body)).await;
        assert_eq!(status, 201, "{v}");
        v
    }

    async fn server_count(&self) -> usize {
        self.panel
            .db
            .servers()
            .search(&aerie_db::repo::servers::ServerListQuery {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
            .0
            .len()
    }

    async fn allocation_owner(&self, id: i64) -> Option<i64> {
        self.panel
            .db
            .allocations()
            .find(id)
            .await
            .unwrap()
            .unwrap()
            .server_id
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    k.sort();
    k
}

fn assert_validation(v: &Value, field: &str, rule: &str) {
    let e = &v["errors"][0];
    assert_eq!(e["code"], "ValidationException", "{v}");
    assert_eq!(e["status"], "422", "{v}");
    assert_eq!(e["meta"]["source_field"], field, "{v}");
    assert_eq!(e["meta"]["rule"], rule, "{v}");
}

/// A change to a request body.
type Change = Box<dyn Fn(&mut Value)>;

// ---- tests ------------------------------------------------------------------------------

#[tokio::test]
async fn create_with_explicit_allocations_returns_the_server_and_tells_wings() {
    let c = setup().await;
    let mut body = c.body(c.allocs[0]);
    body["allocation"]["additional"] = json!([c.allocs[1], c.allocs[2]]);
    body["external_id"] = json!("billing-1");
    let (status, v) = c
        .call(Method::POST, "/servers?include=allocations", Some(body))
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["object"], "server");
    assert!(
        v.get("meta").is_none(),
        "Pterodactyl sends no meta.resource here: {v}"
    );
    let a = &v["attributes"];
    let mut expected = vec![
        "id",
        "external_id",
        "uuid",
        "identifier",
        "name",
        "description",
        "status",
        "suspended",
        "limits",
        "feature_limits",
        "user",
        "node",
        "allocation",
        "nest",
        "egg",
        "container",
        "updated_at",
        "created_at",
        "relationships",
    ];
    assert_eq!(keys(a), sorted(&expected));
    expected.pop();
    assert_eq!(
        keys(&a["limits"]),
        sorted(&[
            "memory",
            "swap",
            "disk",
            "io",
            "cpu",
            "threads",
            "oom_disabled"
        ])
    );
    assert_eq!(
        keys(&a["feature_limits"]),
        sorted(&["databases", "allocations", "backups"])
    );
    assert_eq!(
        keys(&a["container"]),
        sorted(&["startup_command", "image", "installed", "environment"])
    );
    let uuid = a["uuid"].as_str().unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(a["identifier"], &uuid[..8]);
    assert_eq!(a["external_id"], "billing-1");
    assert_eq!(a["name"], "My Server");
    assert_eq!(a["description"], "");
    assert_eq!(a["status"], "installing");
    assert_eq!(a["suspended"], false);
    assert_eq!(a["user"], c.user_id);
    assert_eq!(a["node"], c.node.id);
    assert_eq!(a["allocation"], c.allocs[0]);
    assert_eq!(a["nest"], c.nest_id);
    assert_eq!(a["egg"], c.egg_id);
    assert_eq!(
        a["limits"],
        json!({"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 100, "threads": null, "oom_disabled": true})
    );
    assert_eq!(
        a["feature_limits"],
        json!({"databases": 1, "allocations": 2, "backups": 3})
    );
    // Image and startup default to the egg's.
    assert_eq!(a["container"]["image"], "aerie/minetest:latest");
    assert!(
        a["container"]["startup_command"]
            .as_str()
            .unwrap()
            .starts_with("/usr/games/minetestserver")
    );
    assert_eq!(a["container"]["installed"], 0);
    let env = &a["container"]["environment"];
    assert_eq!(env["SERVER_NAME"], "Hello");
    assert_eq!(env["MAX_USERS"], "20");
    assert_eq!(env["STARTUP"], a["container"]["startup_command"]);
    assert_eq!(env["P_SERVER_LOCATION"], "eu.test");
    assert_eq!(env["P_SERVER_UUID"], uuid);
    assert_eq!(env["P_SERVER_ALLOCATION_LIMIT"], 2);
    assert!(
        a["created_at"].as_str().unwrap().ends_with("+00:00"),
        "Atom timestamps: {a}"
    );
    // include=allocations works on create (WHMCS reads the port from it).
    let allocs = &a["relationships"]["allocations"];
    assert_eq!(allocs["object"], "list");
    let data = allocs["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[0]["object"], "allocation");
    assert_eq!(data[0]["attributes"]["port"], 25565);
    assert_eq!(data[0]["attributes"]["assigned"], true);

    // Wings was asked to create it, with the node's token.
    let calls = c.wings.calls_to("POST", "/api/servers");
    assert_eq!(calls.len(), 1, "{:?}", c.wings.calls());
    assert_eq!(
        calls[0].body,
        json!({"uuid": uuid, "start_on_completion": true})
    );
    assert_eq!(
        calls[0].auth.as_deref(),
        Some("Bearer secret-daemon-token-of-node1")
    );
    // The allocations belong to it now.
    let id = a["id"].as_i64().unwrap();
    for alloc in &c.allocs[..3] {
        assert_eq!(c.allocation_owner(*alloc).await, Some(id));
    }
    assert_eq!(c.allocation_owner(c.allocs[3]).await, None);

    // The same document from GET /servers/{id} and /servers/external/{id}.
    let (status, got) = c.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(got["attributes"]["uuid"], uuid);
    assert!(got["attributes"].get("relationships").is_none());
    let (status, got) = c
        .call(Method::GET, "/servers/external/billing-1", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["attributes"]["id"], id);
}

#[tokio::test]
async fn missing_variables_take_the_egg_defaults_and_fields_fall_back() {
    let c = setup().await;
    let body = json!({
        "name": "Defaults",
        "user": c.user_id.to_string(),
        "egg": c.egg_id,
        "memory": 512, "swap": -1, "disk": 1000,
        "allocation": {"default": c.allocs[0]},
    });
    let v = c.create(body).await;
    let a = &v["attributes"];
    assert_eq!(
        a["container"]["environment"]["SERVER_NAME"],
        "Aerie Minetest"
    );
    assert_eq!(a["container"]["environment"]["MAX_USERS"], "12");
    assert_eq!(a["limits"]["io"], 500);
    assert_eq!(a["limits"]["swap"], -1);
    assert_eq!(
        a["feature_limits"],
        json!({"databases": 0, "allocations": 0, "backups": 0})
    );
    assert_eq!(
        c.wings.calls_to("POST", "/api/servers")[0].body["start_on_completion"],
        false
    );
}

#[tokio::test]
async fn create_with_deploy_picks_a_node_with_room() {
    let c = setup().await;
    // A second location whose only node is too small.
    let small_loc = c.panel.db.locations().create("small", None).await.unwrap();
    let small = add_node(&c.panel, small_loc.id, "small", c.wings.port, 256).await;
    add_allocations(&c.panel, &small, &[30000]).await;

    let mut body = c.body(0);
    body.as_object_mut().unwrap().remove("allocation");
    body["deploy"] = json!({"locations": [], "dedicated_ip": false, "port_range": ["25566-25567"]});
    let v = c.create(body.clone()).await;
    let a = &v["attributes"];
    assert_eq!(a["node"], c.node.id, "only node1 has room for 1024 MB");
    let alloc = a["allocation"].as_i64().unwrap();
    assert!(
        [c.allocs[1], c.allocs[2]].contains(&alloc),
        "allocation {alloc} is in the port range"
    );
    assert_eq!(c.allocation_owner(alloc).await, a["id"].as_i64());

    // Deploying to the small location: no node has room.
    let before = c.server_count().await;
    body["deploy"]["locations"] = json!([small_loc.id]);
    body["deploy"]["port_range"] = json!([]);
    let (status, v) = c.call(Method::POST, "/servers", Some(body.clone())).await;
    assert_eq!(status, 400, "Pterodactyl's NoViableNodeException: {v}");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("No nodes"),
        "{v}"
    );

    // Nor anywhere, when the memory is too large.
    body["deploy"]["locations"] = json!([]);
    body["limits"]["memory"] = json!(1_000_000);
    let (status, _) = c.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(status, 400);
    assert_eq!(c.server_count().await, before);
}

#[tokio::test]
async fn invalid_variable_values_are_422_with_the_source_field() {
    let c = setup().await;
    let mut body = c.body(c.allocs[0]);
    body["environment"]["MAX_USERS"] = json!("lots");
    let (status, v) = c.call(Method::POST, "/servers", Some(body.clone())).await;
    assert_eq!(status, 422, "{v}");
    assert_validation(&v, "environment.MAX_USERS", "integer");
    assert_eq!(
        v["errors"][0]["detail"],
        "The Max Users variable must be an integer."
    );

    body["environment"]["MAX_USERS"] = json!(8);
    body["environment"]["SERVER_NAME"] = json!("");
    let (status, v) = c.call(Method::POST, "/servers", Some(body.clone())).await;
    assert_eq!(status, 422, "{v}");
    assert_validation(&v, "environment.SERVER_NAME", "required");
    assert_eq!(
        v["errors"][0]["detail"],
        "The Server Name variable field is required."
    );

    body["environment"]["SERVER_NAME"] = json!("x".repeat(65));
    let (status, v) = c.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(status, 422);
    assert_validation(&v, "environment.SERVER_NAME", "max");

    // Nothing was written and wings heard nothing.
    assert_eq!(c.server_count().await, 0);
    assert_eq!(c.allocation_owner(c.allocs[0]).await, None);
    assert!(c.wings.calls().is_empty());
}

#[tokio::test]
async fn request_fields_are_validated() {
    let c = setup().await;
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("name");
            }),
            "name",
            "required",
        ),
        (Box::new(|b| b["user"] = json!(999)), "user", "exists"),
        (Box::new(|b| b["egg"] = json!(999)), "egg", "exists"),
        (
            Box::new(|b| b["limits"]["memory"] = json!(-5)),
            "limits.memory",
            "min",
        ),
        (
            Box::new(|b| {
                b["limits"].as_object_mut().unwrap().remove("disk");
            }),
            "limits.disk",
            "required",
        ),
        (
            Box::new(|b| b["limits"]["io"] = json!(5)),
            "limits.io",
            "between",
        ),
        (
            Box::new(|b| b["docker_image"] = json!("bad;image")),
            "docker_image",
            "regex",
        ),
        (
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("allocation");
            }),
            "allocation.default",
            "required",
        ),
        (
            Box::new(|b| b["allocation"]["default"] = json!(99999)),
            "allocation.default",
            "exists",
        ),
        (
            Box::new(|b| b["environment"] = json!("nope")),
            "environment",
            "array",
        ),
    ];
    for (change, field, rule) in cases {
        let mut body = c.body(c.allocs[0]);
        change(&mut body);
        let (status, v) = c.call(Method::POST, "/servers", Some(body)).await;
        assert_eq!(status, 422, "{field}: {v}");
        assert_validation(&v, field, rule);
    }
    assert_eq!(c.server_count().await, 0);
}

#[tokio::test]
async fn assigned_or_foreign_allocations_are_refused() {
    let c = setup().await;
    c.create(c.body(c.allocs[0])).await;

    let (status, v) = c
        .call(Method::POST, "/servers", Some(c.body(c.allocs[0])))
        .await;
    assert_eq!(status, 422, "{v}");
    assert_validation(&v, "allocation.default", "exists");

    // An additional allocation on another node.
    let other_loc = c.panel.db.locations().create("other", None).await.unwrap();
    let other = add_node(&c.panel, other_loc.id, "other", c.wings.port, 8192).await;
    let foreign = add_allocations(&c.panel, &other, &[40000]).await;
    let mut body = c.body(c.allocs[1]);
    body["allocation"]["additional"] = json!([c.allocs[2], foreign[0]]);
    let (status, v) = c.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(status, 422, "{v}");
    assert_validation(&v, "allocation.additional.1", "exists");

    // A taken external id.
    let mut body = c.body(c.allocs[3]);
    body["external_id"] = json!("dup");
    c.create(body.clone()).await;
    body["allocation"]["default"] = json!(c.allocs[4]);
    let (status, v) = c.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(status, 422, "{v}");
    assert_validation(&v, "external_id", "unique");
    assert_eq!(c.allocation_owner(c.allocs[4]).await, None);
    assert_eq!(c.server_count().await, 2);
    assert_eq!(c.allocation_owner(c.allocs[1]).await, None);
    assert_eq!(c.allocation_owner(c.allocs[2]).await, None);
}

#[tokio::test]
async fn wings_failing_on_create_leaves_no_server_behind() {
    let c = setup().await;
    // Wings answers with an error.
    c.wings.fail_with(500);
    let mut body = c.body(c.allocs[0]);
    body["allocation"]["additional"] = json!([c.allocs[1]]);
    let (status, v) = c.call(Method::POST, "/servers", Some(body.clone())).await;
    assert_eq!(status, 502, "{v}");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("the fake wings was told to fail"),
        "{v}"
    );
    assert_eq!(c.server_count().await, 0);
    assert_eq!(c.allocation_owner(c.allocs[0]).await, None);
    assert_eq!(c.allocation_owner(c.allocs[1]).await, None);
    assert_eq!(c.wings.calls_to("POST", "/api/servers").len(), 1);

    // Wings is unreachable.
    let down_loc = c.panel.db.locations().create("down", None).await.unwrap();
    let down = add_node(&c.panel, down_loc.id, "down", dead_port().await, 8192).await;
    let down_allocs = add_allocations(&c.panel, &down, &[27015]).await;
    let body = c.body(down_allocs[0]);
    let (status, v) = c.call(Method::POST, "/servers", Some(body)).await;
    assert_eq!(status, 503, "{v}");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Could not establish a connection"),
        "{v}"
    );
    assert_eq!(c.server_count().await, 0);
    assert_eq!(c.allocation_owner(down_allocs[0]).await, None);
    // And the panel's variables table holds nothing for the failed servers either.
    assert!(
        c.panel
            .db
            .servers()
            .variable_values_of(&[1, 2, 3])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn details_build_and_startup_can_be_changed() {
    let c = setup().await;
    let v = c.create(c.body(c.allocs[0])).await;
    let id = v["attributes"]["id"].as_i64().unwrap();
    let other = c.panel.user("other", false).await;
    c.wings.clear();

    // details
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/details"),
            Some(json!({"name": "Renamed", "user": other.id, "external_id": "ext-9", "description": "d"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "server");
    assert_eq!(v["attributes"]["name"], "Renamed");
    assert_eq!(v["attributes"]["user"], other.id);
    assert_eq!(v["attributes"]["external_id"], "ext-9");
    assert_eq!(v["attributes"]["description"], "d");
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/details"),
            Some(json!({"user": 4242})),
        )
        .await;
    assert_eq!(status, 422);
    assert_validation(&v, "user", "exists");

    // build, flat limits as WHMCS sends them, plus allocation changes
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/build"),
            Some(json!({
                "allocation": c.allocs[0],
                "memory": 2048, "swap": 128, "io": 600, "cpu": 200, "disk": 4096, "threads": "0-1",
                "oom_disabled": false,
                "add_allocations": [c.allocs[1], c.allocs[2]],
                "feature_limits": {"databases": 5, "allocations": 6, "backups": 7},
            })),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let a = &v["attributes"];
    assert_eq!(
        a["limits"],
        json!({"memory": 2048, "swap": 128, "disk": 4096, "io": 600, "cpu": 200, "threads": "0-1", "oom_disabled": false})
    );
    assert_eq!(
        a["feature_limits"],
        json!({"databases": 5, "allocations": 6, "backups": 7})
    );
    assert_eq!(c.allocation_owner(c.allocs[1]).await, Some(id));
    assert_eq!(c.allocation_owner(c.allocs[2]).await, Some(id));
    assert!(
        !c.wings
            .calls_to(
                "POST",
                &format!("/api/servers/{}/sync", a["uuid"].as_str().unwrap())
            )
            .is_empty()
    );

    // nested limits; removing the primary without a replacement is refused
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/build"),
            Some(json!({"allocation": c.allocs[0], "limits": {"memory": 100}, "remove_allocations": [c.allocs[0]], "feature_limits": {}})),
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(c.allocation_owner(c.allocs[0]).await, Some(id));
    // ... and moves the primary to the first one added with it.
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/build"),
            Some(json!({"allocation": c.allocs[0], "limits": {"memory": 100}, "add_allocations": [c.allocs[3]], "remove_allocations": [c.allocs[0], c.allocs[1]], "feature_limits": {}})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["allocation"], c.allocs[3]);
    assert_eq!(v["attributes"]["limits"]["memory"], 100);
    assert_eq!(
        v["attributes"]["limits"]["disk"], 4096,
        "untouched limits stay"
    );
    assert_eq!(c.allocation_owner(c.allocs[0]).await, None);
    assert_eq!(c.allocation_owner(c.allocs[1]).await, None);
    // A primary that is not the server's is a 400.
    let (status, _) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/build"),
            Some(json!({"allocation": c.allocs[4]})),
        )
        .await;
    assert_eq!(status, 400);

    // startup
    c.wings.clear();
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/startup"),
            Some(json!({"startup": "run {{SERVER_NAME}}", "environment": {"MAX_USERS": "30"}, "egg": c.egg_id, "image": "aerie/minetest:v2", "skip_scripts": true})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let a = &v["attributes"];
    assert_eq!(a["container"]["startup_command"], "run {{SERVER_NAME}}");
    assert_eq!(a["container"]["image"], "aerie/minetest:v2");
    assert_eq!(a["container"]["environment"]["MAX_USERS"], "30");
    assert_eq!(
        a["container"]["environment"]["SERVER_NAME"], "Hello",
        "kept"
    );
    assert_eq!(
        a["container"]["environment"]["STARTUP"],
        "run {{SERVER_NAME}}"
    );
    assert_eq!(c.wings.calls().len(), 1, "one sync: {:?}", c.wings.calls());
    let (status, v) = c
        .call(
            Method::PATCH,
            &format!("/servers/{id}/startup"),
            Some(json!({"environment": {"MAX_USERS": "many"}})),
        )
        .await;
    assert_eq!(status, 422);
    assert_validation(&v, "environment.MAX_USERS", "integer");

    // include=variables shows the egg variables with the server's values.
    let (status, v) = c
        .call(
            Method::GET,
            &format!(
                "/servers/{id}?include=variables,user,egg,nest,node,location,subusers,databases"
            ),
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let rel = &v["attributes"]["relationships"];
    let vars = rel["variables"]["data"].as_array().unwrap();
    assert_eq!(vars.len(), 2);
    assert_eq!(vars[0]["object"], "server_variable");
    let max_users = vars
        .iter()
        .find(|x| x["attributes"]["env_variable"] == "MAX_USERS")
        .unwrap();
    assert_eq!(max_users["attributes"]["server_value"], "30");
    assert_eq!(max_users["attributes"]["default_value"], "12");
    assert_eq!(rel["user"]["object"], "user");
    assert_eq!(rel["user"]["attributes"]["id"], other.id);
    assert_eq!(rel["egg"]["object"], "egg");
    assert_eq!(rel["egg"]["attributes"]["id"], c.egg_id);
    assert_eq!(rel["nest"]["object"], "nest");
    assert_eq!(rel["node"]["object"], "node");
    assert_eq!(rel["node"]["attributes"]["id"], c.node.id);
    assert_eq!(rel["location"]["object"], "location");
    assert_eq!(rel["location"]["attributes"]["short"], "eu.test");
    assert_eq!(rel["subusers"], json!({"object": "list", "data": []}));
    assert_eq!(rel["databases"], json!({"object": "list", "data": []}));
}

#[tokio::test]
async fn suspend_and_unsuspend_sync_wings() {
    let c = setup().await;
    let v = c.create(c.body(c.allocs[0])).await;
    let id = v["attributes"]["id"].as_i64().unwrap();
    let uuid = v["attributes"]["uuid"].as_str().unwrap().to_owned();
    let sync = format!("/api/servers/{uuid}/sync");
    c.wings.clear();

    let (status, body) = c
        .call(Method::POST, &format!("/servers/{id}/suspend"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(body, Value::Null);
    assert_eq!(c.wings.calls_to("POST", &sync).len(), 1);
    let (_, v) = c.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(v["attributes"]["status"], "suspended");
    assert_eq!(v["attributes"]["suspended"], true);

    // Already suspended: nothing to do.
    let (status, _) = c
        .call(Method::POST, &format!("/servers/{id}/suspend"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(c.wings.calls_to("POST", &sync).len(), 1);

    // Wings failing: the status stays as it was.
    c.wings.fail_with(500);
    let (status, _) = c
        .call(Method::POST, &format!("/servers/{id}/unsuspend"), None)
        .await;
    assert_eq!(status, 502);
    let (_, v) = c.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(v["attributes"]["status"], "suspended");

    c.wings.fail_with(0);
    let (status, _) = c
        .call(Method::POST, &format!("/servers/{id}/unsuspend"), None)
        .await;
    assert_eq!(status, 204);
    let (_, v) = c.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(v["attributes"]["status"], Value::Null);
    assert_eq!(v["attributes"]["suspended"], false);
    assert_eq!(v["attributes"]["container"]["installed"], 1);

    // Reinstall: status installing and wings told.
    let (status, _) = c
        .call(Method::POST, &format!("/servers/{id}/reinstall"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        c.wings
            .calls_to("POST", &format!("/api/servers/{uuid}/reinstall"))
            .len(),
        1
    );
    let (_, v) = c.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(v["attributes"]["status"], "installing");
}

#[tokio::test]
async fn delete_frees_allocations_and_force_ignores_wings() {
    let c = setup().await;
    let mut body = c.body(c.allocs[0]);
    body["allocation"]["additional"] = json!([c.allocs[1]]);
    let v = c.create(body).await;
    let id = v["attributes"]["id"].as_i64().unwrap();
    let uuid = v["attributes"]["uuid"].as_str().unwrap().to_owned();

    // Wings failing: a plain delete fails and keeps the server.
    c.wings.fail_with(500);
    let (status, _) = c
        .call(Method::DELETE, &format!("/servers/{id}"), None)
        .await;
    assert_eq!(status, 502);
    assert_eq!(c.server_count().await, 1);
    assert_eq!(c.allocation_owner(c.allocs[0]).await, Some(id));

    // Wings saying the server is not there is fine.
    c.wings.fail_with(404);
    let (status, body) = c
        .call(Method::DELETE, &format!("/servers/{id}"), None)
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(body, Value::Null);
    assert_eq!(
        c.wings
            .calls_to("DELETE", &format!("/api/servers/{uuid}"))
            .len(),
        2
    );
    assert_eq!(c.server_count().await, 0);
    assert_eq!(c.allocation_owner(c.allocs[0]).await, None);
    assert_eq!(c.allocation_owner(c.allocs[1]).await, None);
    let (status, v) = c.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(v["errors"][0]["code"], "NotFoundHttpException");

    // Forced: wings down does not matter.
    c.wings.fail_with(0);
    let v = c.create(c.body(c.allocs[2])).await;
    let id = v["attributes"]["id"].as_i64().unwrap();
    c.wings.fail_with(500);
    let (status, _) = c
        .call(Method::DELETE, &format!("/servers/{id}/force"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(c.server_count().await, 0);
    assert_eq!(c.allocation_owner(c.allocs[2]).await, None);
}

#[tokio::test]
async fn list_filters_sorts_and_pagination() {
    let c = setup().await;
    for (i, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        let mut body = c.body(c.allocs[i]);
        body["name"] = json!(name);
        c.create(body).await;
    }
    let (status, v) = c.call(Method::GET, "/servers", None).await;
    assert_eq!(status, 200);
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        v["meta"]["pagination"],
        json!({"total": 3, "count": 3, "per_page": 50, "current_page": 1, "total_pages": 1, "links": {}})
    );

    let (_, v) = c.call(Method::GET, "/servers?filter[name]=ET", None).await;
    let names: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["beta"]);

    let (_, v) = c
        .call(Method::GET, "/servers?sort=-id&per_page=2", None)
        .await;
    let names: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gamma", "beta"]);
    assert_eq!(v["meta"]["pagination"]["total_pages"], 2);

    let (_, v) = c
        .call(Method::GET, "/servers?include=allocations,user", None)
        .await;
    for s in v["data"].as_array().unwrap() {
        assert_eq!(
            s["attributes"]["relationships"]["allocations"]["data"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            s["attributes"]["relationships"]["user"]["attributes"]["id"],
            c.user_id
        );
    }

    let (status, _) = c.call(Method::GET, "/servers?filter[owner]=1", None).await;
    assert_eq!(status, 400);
    let (status, _) = c.call(Method::GET, "/servers?sort=name", None).await;
    assert_eq!(status, 400);
    // Trailing slash.
    let (status, _) = c.call(Method::GET, "/servers/", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn acl_and_unknown_servers() {
    let c = setup().await;
    let v = c.create(c.body(c.allocs[0])).await;
    let id = v["attributes"]["id"].as_i64().unwrap();
    let admin = c.panel.db.users().find(c.user_id).await.unwrap().unwrap();

    let no_servers = c
        .panel
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                servers: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let read_only = c
        .panel
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                servers: 1,
                users: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let get = |token: String, path: String| {
        let panel = &c.panel;
        async move { panel.call_json(Method::GET, &path, &token, None).await }
    };
    let (status, v) = get(no_servers.clone(), "/api/application/servers".into()).await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["errors"][0]["code"], "AccessDeniedHttpException");
    let (status, _) = get(no_servers.clone(), format!("/api/application/servers/{id}")).await;
    assert_eq!(status, 403);
    let (status, _) = c
        .panel
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{id}/suspend"),
            &read_only,
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = c
        .panel
        .call_json(
            Method::DELETE,
            &format!("/api/application/servers/{id}"),
            &read_only,
            None,
        )
        .await;
    assert_eq!(status, 403);
    // Reading works, and an include the key may not read is a null resource.
    let (status, v) = get(
        read_only.clone(),
        format!("/api/application/servers/{id}?include=user"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        v["attributes"]["relationships"]["user"],
        json!({"object": "null_resource", "attributes": null})
    );

    // A non-admin's client key is refused.
    let user = c.panel.user("plain", false).await;
    let client = c.panel.key(&user, KeyType::Client).await;
    let (status, _) = get(client, "/api/application/servers".into()).await;
    assert_eq!(status, 403);

    for path in ["/servers/999", "/servers/abc", "/servers/external/nope"] {
        let (status, v) = c.call(Method::GET, path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(v["errors"][0]["status"], "404");
    }
    for (method, path) in [
        (Method::PATCH, "/servers/999/details"),
        (Method::PATCH, "/servers/999/build"),
        (Method::PATCH, "/servers/999/startup"),
        (Method::POST, "/servers/999/suspend"),
        (Method::POST, "/servers/999/unsuspend"),
        (Method::POST, "/servers/999/reinstall"),
        (Method::DELETE, "/servers/999"),
        (Method::DELETE, "/servers/999/force"),
    ] {
        let (status, _) = c.call(method, path, Some(json!({}))).await;
        assert_eq!(status, 404, "{path}");
    }
}
