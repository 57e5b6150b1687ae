//! Black-box ports of Pterodactyl's client API integration tests for servers
//! (`tests/Integration/Api/Client`: `ClientControllerTest` and `Server/{Command, Power,
//! ResourceUtilization, Settings, Startup*, NetworkAllocation, Allocation/*, Websocket}
//! ControllerTest`), plus the file proxies and the activity log. Wings is a stub on
//! `127.0.0.1:0` that records what the panel sends it; Pterodactyl's tests mock the same
//! layer.

#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::{Arc, Mutex};

use aerie_db::models::{NewNode, Node, User};
use aerie_db::repo::eggs::Egg;
use aerie_db::repo::servers::{NewServer, Server};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

// ---- wings stub -------------------------------------------------------------------------

const TOKEN: &str = "client-daemon-token-0123456789abcdef0123456789abcdef0123456789abc";

#[derive(Debug, Clone)]
struct Call {
    method: String,
    uri: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Stub {
    calls: Vec<Call>,
    details: Option<Value>,
    commands_offline: bool,
    big_file: bool,
}

type Shared = Arc<Mutex<Stub>>;

fn stat(name: &str, mime: &str) -> Value {
    json!({
        "name": name, "created": "2024-01-15T10:26:32.123Z", "modified": "2024-02-01T08:00:00Z",
        "mode": "-rw-r--r--", "mode_bits": "644", "size": 5, "directory": false,
        "file": true, "symlink": false, "mime": mime
    })
}

async fn stub_handler(
    State(stub): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(format!("Bearer {TOKEN}").as_str())
    {
        return (StatusCode::FORBIDDEN, "bad token").into_response();
    }
    let mut s = stub.lock().unwrap();
    s.calls.push(Call {
        method: method.to_string(),
        uri: uri.to_string(),
        body: body.to_vec(),
    });
    let path = uri.path().to_owned();
    let json = |status: StatusCode, v: Value| (status, axum::Json(v)).into_response();
    match (
        method.as_str(),
        path.rsplit_once("/files/").map(|(_, op)| op),
    ) {
        ("GET", Some("list-directory")) => json(
            StatusCode::OK,
            json!([stat("server.properties", "text/plain"), {
                "name": "world", "created": "2024-01-15T10:26:32Z", "modified": "2024-01-15T10:26:32Z",
                "mode": "drwxr-xr-x", "mode_bits": "755", "size": 4096, "directory": true,
                "file": false, "symlink": false, "mime": "inode/directory"
            }]),
        ),
        ("GET", Some("contents")) if s.big_file => {
            let big = vec![b'a'; 4 * 1024 * 1024 + 1];
            (StatusCode::OK, big).into_response()
        }
        ("GET", Some("contents")) => (StatusCode::OK, "motd=hello\n").into_response(),
        ("POST", Some("compress")) => json(
            StatusCode::OK,
            stat("archive-2024-01-15T102632Z.tar.gz", "application/tar+gzip"),
        ),
        ("POST", Some("pull")) => json(StatusCode::ACCEPTED, json!({"identifier": "dl"})),
        (_, Some(_)) => StatusCode::NO_CONTENT.into_response(),
        ("GET", None) => json(StatusCode::OK, s.details.clone().unwrap_or(json!({}))),
        ("POST", None) if path.ends_with("/commands") && s.commands_offline => json(
            StatusCode::BAD_GATEWAY,
            json!({"error": "Cannot send commands to a stopped server instance.", "request_id": "r"}),
        ),
        ("POST", None) if path.ends_with("/power") || path.ends_with("/reinstall") => {
            StatusCode::ACCEPTED.into_response()
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

// ---- fixture ----------------------------------------------------------------------------

struct Fx {
    panel: TestPanel,
    node: Node,
    egg: Egg,
    stub: Shared,
    next_port: Mutex<i64>,
}

/// How to make a test server; the defaults are a running minetest server.
struct Spec {
    name: String,
    uuid: Option<String>,
    uuid_short: Option<String>,
    external_id: Option<String>,
    egg: Option<Egg>,
    startup: String,
    allocation_limit: Option<i64>,
    ip: String,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            name: "Test Server".into(),
            uuid: None,
            uuid_short: None,
            external_id: None,
            egg: None,
            startup: "run --port {{SERVER_PORT}} --name {{SERVER_NAME}}".into(),
            allocation_limit: None,
            ip: "127.0.0.1".into(),
        }
    }
}

fn bungee_egg(name: &str, mutate: impl Fn(&mut Value)) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/eggs/egg-minetest.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["name"] = name.into();
    doc["startup"] = "java {{SERVER_JARFILE}} --version {{BUNGEE_VERSION}}".into();
    doc["docker_images"] = json!({"Java 17": "ghcr.io/pterodactyl/yolks:java_17", "Java 21": "ghcr.io/pterodactyl/yolks:java_21"});
    doc["variables"] = json!([
        {
            "name": "Bungeecord Version", "description": "The version of Bungeecord to download and use.",
            "env_variable": "BUNGEE_VERSION", "default_value": "latest", "user_viewable": true,
            "user_editable": true, "rules": "required|alpha_num|between:1,6", "field_type": "text"
        },
        {
            "name": "Bungeecord Jar File", "description": "The name of the Jarfile to use when running Bungeecord.",
            "env_variable": "SERVER_JARFILE", "default_value": "bungeecord.jar", "user_viewable": true,
            "user_editable": true, "rules": "required|regex:/^([\\w\\d._-]+)(\\.jar)$/", "field_type": "text"
        }
    ]);
    mutate(&mut doc);
    serde_json::to_vec(&doc).unwrap()
}

impl Fx {
    async fn new() -> Self {
        Self::with_scheme("http").await
    }

    async fn with_scheme(scheme: &str) -> Self {
        let panel = TestPanel::start().await;
        let stub: Shared = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = Router::new()
            .fallback(stub_handler)
            .with_state(stub.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let db = &panel.db;
        let location = db.locations().create("client", None).await.unwrap();
        let node = db
            .nodes()
            .create(&NewNode {
                name: "Node One".into(),
                description: None,
                location_id: location.id,
                fqdn: "127.0.0.1".into(),
                scheme: scheme.into(),
                behind_proxy: false,
                public: true,
                memory: 100_000,
                memory_overallocate: 0,
                disk: 100_000,
                disk_overallocate: 0,
                upload_size: 100,
                daemon_listen: i64::from(port),
                daemon_sftp: 2022,
                daemon_base: "/var/lib/aerie/volumes".into(),
                daemon_token_id: "clienttokenid000".into(),
                daemon_token: TOKEN.into(),
            })
            .await
            .unwrap();
        let nest = aerie_panel::services::eggs::create_nest(db, "t@example.com", "Games", None)
            .await
            .unwrap();
        let egg = aerie_panel::services::eggs::import(db, nest.id, &bungee_egg("Bungee", |_| {}))
            .await
            .unwrap();
        Self {
            panel,
            node,
            egg,
            stub,
            next_port: Mutex::new(25565),
        }
    }

    async fn egg_variant(&self, name: &str, mutate: impl Fn(&mut Value)) -> Egg {
        aerie_panel::services::eggs::import(
            &self.panel.db,
            self.egg.nest_id,
            &bungee_egg(name, mutate),
        )
        .await
        .unwrap()
    }

    async fn user(&self, name: &str, admin: bool) -> (User, String) {
        let u = self.panel.user(name, admin).await;
        let k = self.panel.key(&u, KeyType::Client).await;
        (u, k)
    }

    /// A server of `owner` with one allocation on `spec.ip`.
    async fn server(&self, owner: &User, spec: Spec) -> Server {
        let db = &self.panel.db;
        let port = {
            let mut p = self.next_port.lock().unwrap();
            *p += 1;
            *p
        };
        let a = self.allocation(&spec.ip, port, None).await;
        let uuid = spec
            .uuid
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let short = spec
            .uuid_short
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..8].to_owned());
        let egg = spec.egg.unwrap_or_else(|| self.egg.clone());
        let s = db
            .servers()
            .create(&NewServer {
                external_id: spec.external_id,
                uuid,
                uuid_short: short,
                node_id: self.node.id,
                name: spec.name,
                description: Some("A test server.".into()),
                status: None,
                skip_scripts: false,
                owner_id: owner.id,
                memory: 1024,
                swap: 0,
                disk: 2048,
                io: 500,
                cpu: 100,
                threads: None,
                oom_disabled: true,
                allocation_id: a,
                nest_id: egg.nest_id,
                egg_id: egg.id,
                startup: spec.startup,
                image: "ghcr.io/pterodactyl/yolks:java_17".into(),
                allocation_limit: spec.allocation_limit,
                database_limit: 1,
                backup_limit: 2,
            })
            .await
            .unwrap();
        db.allocations().assign(&[a], s.id).await.unwrap();
        s
    }

    /// A new allocation on the node, assigned to `server` when given; returns its id.
    async fn allocation(&self, ip: &str, port: i64, server: Option<&Server>) -> i64 {
        let db = &self.panel.db;
        db.allocations()
            .insert_ignore(self.node.id, ip, None, &[port])
            .await
            .unwrap();
        let id = db
            .allocations()
            .list_by_nodes(&[self.node.id])
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.ip == ip && a.port == port)
            .unwrap()
            .id;
        if let Some(s) = server {
            db.allocations().assign(&[id], s.id).await.unwrap();
        }
        id
    }

    async fn subuser(&self, user: &User, server: &Server, permissions: &[&str]) {
        let p: Vec<String> = permissions.iter().map(|s| (*s).to_owned()).collect();
        self.panel
            .db
            .subusers()
            .create(user.id, server.id, &p)
            .await
            .unwrap();
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.panel.call_json(method, path, key, body).await
    }

    async fn get(&self, path: &str, key: &str) -> (u16, Value) {
        self.call(Method::GET, path, key, None).await
    }

    fn calls(&self) -> Vec<Call> {
        self.stub.lock().unwrap().calls.clone()
    }

    fn last_call(&self, path_part: &str) -> Call {
        self.calls()
            .into_iter()
            .rev()
            .find(|c| c.uri.contains(path_part))
            .unwrap_or_else(|| panic!("wings was not called with {path_part}"))
    }

    async fn reload(&self, s: &Server) -> Server {
        self.panel.db.servers().find(s.id).await.unwrap().unwrap()
    }

    async fn events(&self, s: &Server) -> Vec<(String, Value)> {
        let (list, _) = self
            .panel
            .db
            .activity()
            .list(
                aerie_db::repo::activity::ActivityScope::Server(s.id),
                None,
                0,
                100,
            )
            .await
            .unwrap();
        list.into_iter()
            .map(|a| (a.event, serde_json::from_str(&a.properties).unwrap()))
            .collect()
    }
}

fn link(s: &Server, rest: &str) -> String {
    format!("/api/client/servers/{}{rest}", s.uuid)
}

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attributes"]["identifier"].as_str().unwrap().to_owned())
        .collect()
}

fn keys_of(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = keys.iter().map(|s| (*s).to_owned()).collect();
    k.sort();
    k
}

// ---- ClientControllerTest -----------------------------------------------------------------

#[tokio::test]
async fn only_the_users_own_servers_are_listed_with_pterodactyl_keys() {
    let fx = Fx::new().await;
    let (u0, k0) = fx.user("user0", false).await;
    let (u1, _) = fx.user("user1", false).await;
    let s0 = fx.server(&u0, Spec::default()).await;
    fx.server(&u1, Spec::default()).await;

    for path in ["/api/client", "/api/client/"] {
        let (status, v) = fx.get(path, &k0).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["object"], "list");
        assert_eq!(ids(&v), vec![s0.uuid_short.clone()]);
        assert_eq!(v["data"][0]["object"], "server");
        assert_eq!(v["data"][0]["attributes"]["server_owner"], true);
        assert_eq!(
            v["meta"]["pagination"],
            json!({"total": 1, "count": 1, "per_page": 50, "current_page": 1, "total_pages": 1, "links": {}})
        );
    }
    let (_, v) = fx.get("/api/client", &k0).await;
    let attrs = &v["data"][0]["attributes"];
    assert_eq!(
        keys_of(attrs),
        sorted(&[
            "server_owner",
            "identifier",
            "internal_id",
            "uuid",
            "name",
            "node",
            "is_node_under_maintenance",
            "sftp_details",
            "description",
            "limits",
            "invocation",
            "docker_image",
            "egg_features",
            "feature_limits",
            "status",
            "is_suspended",
            "is_installing",
            "is_transferring",
            "relationships",
        ])
    );
    assert_eq!(attrs["internal_id"], s0.id);
    assert_eq!(attrs["node"], "Node One");
    assert_eq!(
        attrs["sftp_details"],
        json!({"ip": "127.0.0.1", "port": 2022})
    );
    assert_eq!(
        attrs["limits"],
        json!({"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 100, "threads": null, "oom_disabled": true})
    );
    assert_eq!(
        attrs["feature_limits"],
        json!({"databases": 1, "allocations": null, "backups": 2})
    );
    assert_eq!(attrs["status"], Value::Null);
    assert_eq!(attrs["is_installing"], false);
    assert_eq!(attrs["is_transferring"], false);
    assert_eq!(
        attrs["invocation"],
        "run --port 25566 --name {{SERVER_NAME}}"
    );
    // Default includes: allocations and variables.
    let allocs = &attrs["relationships"]["allocations"];
    assert_eq!(allocs["object"], "list");
    assert_eq!(allocs["data"][0]["object"], "allocation");
    assert_eq!(
        keys_of(&allocs["data"][0]["attributes"]),
        sorted(&["id", "ip", "ip_alias", "port", "notes", "is_default"])
    );
    assert_eq!(allocs["data"][0]["attributes"]["is_default"], true);
    let vars = &attrs["relationships"]["variables"];
    assert_eq!(vars["object"], "list");
    assert_eq!(vars["data"][0]["object"], "egg_variable");
    assert_eq!(
        keys_of(&vars["data"][0]["attributes"]),
        sorted(&[
            "name",
            "description",
            "env_variable",
            "default_value",
            "server_value",
            "is_editable",
            "rules"
        ])
    );
}

#[tokio::test]
async fn filter_star_matches_name_uuid_short_id_and_external_id() {
    let fx = Fx::new().await;
    let (admin, admin_key) = fx.user("julia", true).await;
    let (u1, k1) = fx.user("janice", false).await;
    let s0 = fx
        .server(
            &admin,
            Spec {
                name: "Julia".into(),
                ..Spec::default()
            },
        )
        .await;
    let s1 = fx
        .server(
            &u1,
            Spec {
                name: "Janice".into(),
                uuid_short: Some("12121212".into()),
                ..Spec::default()
            },
        )
        .await;
    let s2 = fx
        .server(
            &u1,
            Spec {
                name: "Julia".into(),
                uuid: Some("88788878-1235-4789-8123-456789abcdef".into()),
                external_id: Some("ext123".into()),
                ..Spec::default()
            },
        )
        .await;
    let s3 = fx
        .server(
            &u1,
            Spec {
                name: "Jennifer".into(),
                uuid: Some("88788878-abcd-4efa-8bcd-ef0123456789".into()),
                ..Spec::default()
            },
        )
        .await;

    let cases: [(&str, Vec<&str>); 6] = [
        ("Julia", vec![&s2.uuid_short]),
        ("julia", vec![&s2.uuid_short]),
        ("ext123", vec![&s2.uuid_short]),
        ("12121212", vec![&s1.uuid_short]),
        ("88788878", vec![&s2.uuid_short, &s3.uuid_short]),
        ("88788878-abcd", vec![&s3.uuid_short]),
    ];
    for (q, want) in cases {
        let (status, v) = fx.get(&format!("/api/client?filter[*]={q}"), &k1).await;
        assert_eq!(status, 200);
        assert_eq!(ids(&v), want, "filter[*]={q}");
    }
    let (_, v) = fx
        .get("/api/client?filter[*]=Julia&type=admin-all", &admin_key)
        .await;
    assert_eq!(ids(&v), vec![s0.uuid_short.clone(), s2.uuid_short.clone()]);
    // Plain filters are partial matches; unknown ones are refused as spatie does.
    let (_, v) = fx.get("/api/client?filter[name]=jan", &k1).await;
    assert_eq!(ids(&v), vec![s1.uuid_short.clone()]);
    let (status, v) = fx.get("/api/client?filter[image]=x", &k1).await;
    assert_eq!(status, 400, "{v}");
}

#[tokio::test]
async fn filter_star_matches_allocations_by_ip_and_port_prefix() {
    let fx = Fx::new().await;
    let (u, k) = fx.user("alloc", false).await;
    let s1 = fx.server(&u, Spec::default()).await;
    let s2 = fx.server(&u, Spec::default()).await;
    let a1 = fx.allocation("192.168.1.1", 25565, Some(&s1)).await;
    let a2 = fx.allocation("192.168.1.1", 25570, Some(&s2)).await;
    for (s, a) in [(&s1, a1), (&s2, a2)] {
        fx.panel
            .db
            .servers()
            .update(
                s.id,
                &aerie_db::repo::servers::ServerPatch {
                    allocation_id: Some(a),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let both = vec![s1.uuid_short.clone(), s2.uuid_short.clone()];
    for (q, want) in [
        ("192.168.1.1", both.clone()),
        ("192.168.1.1:25565", vec![s1.uuid_short.clone()]),
        (":25570", vec![s2.uuid_short.clone()]),
        (":255", both.clone()),
        ("10.0.0.1", vec![]),
    ] {
        let (_, v) = fx.get(&format!("/api/client?filter[*]={q}"), &k).await;
        assert_eq!(ids(&v), want, "filter[*]={q}");
    }
}

#[tokio::test]
async fn list_types_owner_subuser_admin_and_admin_all() {
    let fx = Fx::new().await;
    let (u0, k0) = fx.user("user0", true).await;
    let (u1, k1) = fx.user("user1", false).await;
    let (u2, _) = fx.user("user2", false).await;
    let (u3, _) = fx.user("user3", false).await;
    let s0 = fx.server(&u0, Spec::default()).await;
    let s1 = fx.server(&u1, Spec::default()).await;
    let s2 = fx.server(&u2, Spec::default()).await;
    let s3 = fx.server(&u3, Spec::default()).await;
    fx.subuser(&u0, &s1, &["websocket.connect"]).await;

    // Default: owned and subuser servers, also for an administrator.
    let (_, v) = fx.get("/api/client", &k0).await;
    assert_eq!(ids(&v), vec![s0.uuid_short.clone(), s1.uuid_short.clone()]);
    assert_eq!(v["data"][0]["attributes"]["server_owner"], true);
    assert_eq!(v["data"][1]["attributes"]["server_owner"], false);
    let (_, v) = fx.get("/api/client?type=owner", &k0).await;
    assert_eq!(ids(&v), vec![s0.uuid_short.clone()]);
    let (_, v) = fx.get("/api/client?type=admin", &k0).await;
    assert_eq!(ids(&v), vec![s2.uuid_short.clone(), s3.uuid_short.clone()]);
    assert_eq!(v["data"][0]["attributes"]["server_owner"], false);
    let (_, v) = fx.get("/api/client?type=admin-all", &k0).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 4);
    // Someone who is not an administrator asking for admin lists gets nothing.
    for t in ["admin", "admin-all"] {
        let (status, v) = fx.get(&format!("/api/client?type={t}"), &k1).await;
        assert_eq!(status, 200);
        assert_eq!(v["data"], json!([]), "type={t}");
    }
}

#[tokio::test]
async fn pagination_caps_per_page_at_100_and_links_pages() {
    let fx = Fx::new().await;
    let (u, k) = fx.user("pager", false).await;
    for _ in 0..3 {
        fx.server(&u, Spec::default()).await;
    }
    let (_, v) = fx.get("/api/client?per_page=2", &k).await;
    let p = &v["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].clone(),
            p["count"].clone(),
            p["total_pages"].clone()
        ),
        (json!(3), json!(2), json!(2))
    );
    assert!(p["links"]["next"].as_str().unwrap().contains("page=2"));
    assert!(p["links"].get("previous").is_none());
    let (_, v) = fx.get("/api/client?per_page=2&page=2", &k).await;
    assert_eq!(v["meta"]["pagination"]["count"], 1);
    let (_, v) = fx.get("/api/client?per_page=300", &k).await;
    assert_eq!(v["meta"]["pagination"]["per_page"], 100);
}

#[tokio::test]
async fn a_subuser_without_allocation_read_sees_only_the_primary_allocation_without_notes() {
    let fx = Fx::new().await;
    let (owner, _) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx
        .server(
            &owner,
            Spec {
                startup: "java -jar {{SERVER_JARFILE}}".into(),
                ..Spec::default()
            },
        )
        .await;
    fx.panel
        .db
        .allocations()
        .set_notes(s.allocation_id, Some("Test notes"))
        .await
        .unwrap();
    fx.allocation("127.0.0.1", 30001, Some(&s)).await;
    fx.allocation("127.0.0.1", 30002, Some(&s)).await;
    fx.subuser(&sub, &s, &["websocket.connect"]).await;

    let (_, v) = fx.get("/api/client", &sub_key).await;
    let attrs = &v["data"][0]["attributes"];
    assert_eq!(attrs["server_owner"], false);
    let allocs = attrs["relationships"]["allocations"]["data"]
        .as_array()
        .unwrap();
    assert_eq!(allocs.len(), 1);
    assert_eq!(allocs[0]["attributes"]["id"], s.allocation_id);
    assert_eq!(allocs[0]["attributes"]["notes"], Value::Null);
    // Without startup.read: no variables, and every value in the invocation is hidden.
    assert_eq!(
        attrs["relationships"]["variables"],
        json!({"object": "null_resource", "attributes": null})
    );
    assert_eq!(attrs["invocation"], "java -jar [hidden]");

    // The owner sees all three, notes included.
    let (_, owner_key) = (owner.clone(), fx.panel.key(&owner, KeyType::Client).await);
    let (_, v) = fx.get("/api/client", &owner_key).await;
    let allocs = v["data"][0]["attributes"]["relationships"]["allocations"]["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(allocs.len(), 3);
    assert_eq!(allocs[0]["attributes"]["notes"], "Test notes");
}

#[tokio::test]
async fn includes_egg_and_subusers_follow_permissions() {
    let fx = Fx::new().await;
    let (owner, owner_key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["websocket.connect", "control.console"])
        .await;

    let (_, v) = fx.get("/api/client?include=egg,subusers", &owner_key).await;
    let rel = &v["data"][0]["attributes"]["relationships"];
    assert_eq!(rel["egg"]["object"], "egg");
    assert_eq!(
        keys_of(&rel["egg"]["attributes"]),
        sorted(&["uuid", "name"])
    );
    assert_eq!(rel["subusers"]["object"], "list");
    let sub_attrs = &rel["subusers"]["data"][0]["attributes"];
    assert_eq!(rel["subusers"]["data"][0]["object"], "server_subuser");
    assert_eq!(
        keys_of(sub_attrs),
        sorted(&[
            "uuid",
            "username",
            "email",
            "image",
            "2fa_enabled",
            "created_at",
            "permissions"
        ])
    );
    assert_eq!(
        sub_attrs["permissions"],
        json!(["websocket.connect", "control.console"])
    );

    // A subuser without user.read gets a null resource.
    let (_, v) = fx
        .get(&format!("{}?include=subusers", link(&s, "")), &sub_key)
        .await;
    assert_eq!(
        v["attributes"]["relationships"]["subusers"]["object"],
        "null_resource"
    );
}

#[tokio::test]
async fn the_permissions_document_lists_every_group_and_key() {
    let fx = Fx::new().await;
    let (_, k) = fx.user("perm", false).await;
    let (status, v) = fx.get("/api/client/permissions", &k).await;
    assert_eq!(status, 200);
    assert_eq!(v["object"], "system_permissions");
    let groups = v["attributes"]["permissions"].as_object().unwrap();
    assert_eq!(groups.len(), aerie_proto::permissions::GROUPS.len());
    assert_eq!(
        groups["websocket"]["keys"]["connect"],
        "Allows a user to connect to the websocket instance for a server to stream the console."
    );
    assert_eq!(
        groups["control"]["description"],
        "Permissions that control a user's ability to control the power state of a server, or send commands."
    );
    assert!(groups["file"]["keys"]["read-content"].is_string());
    assert!(groups["database"]["keys"]["view_password"].is_string());
}

// ---- the server document ------------------------------------------------------------------

#[tokio::test]
async fn the_server_document_has_owner_and_permission_meta() {
    let fx = Fx::new().await;
    let (owner, owner_key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let (_, admin_key) = fx.user("root", true).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["websocket.connect", "startup.read"])
        .await;

    let (status, v) = fx.get(&link(&s, ""), &owner_key).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "server");
    assert_eq!(
        v["meta"],
        json!({"is_server_owner": true, "user_permissions": ["*"]})
    );
    // Both identifiers reach the same server.
    let (status, v2) = fx
        .get(&format!("/api/client/servers/{}", s.uuid_short), &owner_key)
        .await;
    assert_eq!(status, 200);
    assert_eq!(v2["attributes"]["uuid"], v["attributes"]["uuid"]);

    let (_, v) = fx.get(&link(&s, ""), &sub_key).await;
    assert_eq!(
        v["meta"],
        json!({"is_server_owner": false, "user_permissions": ["websocket.connect", "startup.read"]})
    );
    assert_eq!(
        v["attributes"]["invocation"],
        "run --port 25566 --name {{SERVER_NAME}}"
    );

    let (_, v) = fx.get(&link(&s, ""), &admin_key).await;
    assert_eq!(
        v["meta"]["user_permissions"],
        json!([
            "*",
            "admin.websocket.errors",
            "admin.websocket.install",
            "admin.websocket.transfer"
        ])
    );
    assert_eq!(v["meta"]["is_server_owner"], false);
}

// ---- WebsocketControllerTest ---------------------------------------------------------------

fn jwt_parts(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let dec = |p: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    (dec(parts[0]), dec(parts[1]))
}

#[tokio::test]
async fn websocket_credentials_for_the_owner_are_signed_with_the_node_token() {
    let fx = Fx::with_scheme("https").await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    let before = chrono::Utc::now().timestamp();
    let (status, v) = fx.get(&link(&s, "/websocket"), &key).await;
    let after = chrono::Utc::now().timestamp();
    assert_eq!(status, 200, "{v}");
    assert_eq!(keys_of(&v["data"]), sorted(&["token", "socket"]));
    let socket = v["data"]["socket"].as_str().unwrap();
    let address = format!("127.0.0.1:{}", fx.node.daemon_listen);
    assert_eq!(socket, format!("wss://{address}/api/servers/{}/ws", s.uuid));

    let token = v["data"]["token"].as_str().unwrap();
    let claims: Value = aerie_jwt::verify(token, TOKEN.as_bytes(), after).unwrap();
    assert!(aerie_jwt::verify::<Value>(token, b"another key", after).is_err());
    let (header, _) = jwt_parts(token);
    assert_eq!(header["alg"], "HS256");
    let iat = claims["iat"].as_i64().unwrap();
    assert!((before..=after).contains(&iat));
    assert_eq!(claims["iss"], "http://127.0.0.1");
    assert_eq!(claims["aud"], json!([format!("https://{address}")]));
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat - 300);
    assert_eq!(claims["exp"].as_i64().unwrap(), iat + 600);
    assert_eq!(claims["user_id"], owner.id);
    assert_eq!(claims["user_uuid"], owner.uuid);
    assert_eq!(claims["server_uuid"], s.uuid);
    // `*` as Pterodactyl, plus the install output Aerie shows owners.
    assert_eq!(
        claims["permissions"],
        json!(["*", "admin.websocket.install"])
    );
    let jti = {
        use md5::Digest as _;
        hex::encode(md5::Md5::digest(
            format!("{}{}", owner.id, s.uuid).as_bytes(),
        ))
    };
    assert_eq!(claims["jti"], jti);
    assert_eq!(header["jti"], jti);
    assert_eq!(claims["unique_id"].as_str().unwrap().len(), 16);
}

#[tokio::test]
async fn websocket_credentials_carry_a_subusers_permissions_and_need_connect() {
    let fx = Fx::new().await;
    let (owner, _) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let (other, other_key) = fx.user("other", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["websocket.connect", "control.console"])
        .await;
    fx.subuser(&other, &s, &["control.restart"]).await;

    let (status, v) = fx.get(&link(&s, "/websocket"), &sub_key).await;
    assert_eq!(status, 200);
    assert!(v["data"]["socket"].as_str().unwrap().starts_with("ws://"));
    let now = chrono::Utc::now().timestamp();
    let claims: Value =
        aerie_jwt::verify(v["data"]["token"].as_str().unwrap(), TOKEN.as_bytes(), now).unwrap();
    assert_eq!(
        claims["permissions"],
        json!(["websocket.connect", "control.console"])
    );

    let (status, v) = fx.get(&link(&s, "/websocket"), &other_key).await;
    assert_eq!(status, 403);
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("You do not have permission to connect to this server's websocket")
    );
    // Someone else's server does not exist for this user.
    let (stranger, stranger_key) = fx.user("stranger", false).await;
    let theirs = fx.server(&stranger, Spec::default()).await;
    let (status, _) = fx.get(&link(&theirs, "/websocket"), &sub_key).await;
    assert_eq!(status, 404);
    let _ = stranger_key;
}

// ---- CommandControllerTest / PowerControllerTest -------------------------------------------

#[tokio::test]
async fn commands_are_validated_authorized_sent_and_logged() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["websocket.connect"]).await;

    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/command"),
            &key,
            Some(json!({"command": ""})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "required");
    assert_eq!(v["errors"][0]["meta"]["source_field"], "command");

    let (status, _) = fx
        .call(
            Method::POST,
            &link(&s, "/command"),
            &sub_key,
            Some(json!({"command": "say Test"})),
        )
        .await;
    assert_eq!(status, 403);

    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/command"),
            &key,
            Some(json!({"command": "say Test"})),
        )
        .await;
    assert_eq!(status, 204, "{v}");
    let call = fx.last_call("/commands");
    assert_eq!(call.uri, format!("/api/servers/{}/commands", s.uuid));
    assert_eq!(
        serde_json::from_slice::<Value>(&call.body).unwrap(),
        json!({"commands": ["say Test"]})
    );
    assert!(fx.events(&s).await.contains(&(
        "server:console.command".to_owned(),
        json!({"command": "say Test"})
    )));

    fx.stub.lock().unwrap().commands_offline = true;
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/command"),
            &key,
            Some(json!({"command": "say Test"})),
        )
        .await;
    assert_eq!(status, 502);
    assert_eq!(v["errors"][0]["code"], "HttpException");
    assert_eq!(
        v["errors"][0]["detail"],
        "Server must be online in order to send commands."
    );
}

#[tokio::test]
async fn power_signals_need_their_own_permissions() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx.server(&owner, Spec::default()).await;

    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/power"),
            &key,
            Some(json!({"signal": "invalid"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "in");
    assert_eq!(v["errors"][0]["detail"], "The selected signal is invalid.");

    let denied: [(&str, &[&str]); 5] = [
        ("start", &["control.stop", "control.restart"]),
        ("stop", &["control.start"]),
        ("kill", &["control.start", "control.restart"]),
        ("restart", &["control.stop", "control.start"]),
        ("random", &["control.start"]),
    ];
    for (i, (signal, perms)) in denied.into_iter().enumerate() {
        let (u, k) = fx.user(&format!("denied{i}"), false).await;
        fx.subuser(&u, &s, perms).await;
        let (status, _) = fx
            .call(
                Method::POST,
                &link(&s, "/power"),
                &k,
                Some(json!({"signal": signal})),
            )
            .await;
        assert_eq!(status, 403, "{signal} with {perms:?}");
    }

    let allowed = [
        ("start", "control.start", "start"),
        ("stop", "control.stop", "stop"),
        ("restart", "control.restart", "restart"),
        ("kill", "control.stop", "kill"),
        (" restart", "control.restart", "restart"),
        ("kill ", "control.stop", "kill"),
    ];
    for (i, (signal, perm, action)) in allowed.into_iter().enumerate() {
        let (u, k) = fx.user(&format!("allowed{i}"), false).await;
        fx.subuser(&u, &s, &[perm]).await;
        let (status, v) = fx
            .call(
                Method::POST,
                &link(&s, "/power"),
                &k,
                Some(json!({"signal": signal})),
            )
            .await;
        assert_eq!(status, 204, "{signal}: {v}");
        let call = fx.last_call("/power");
        assert_eq!(
            serde_json::from_slice::<Value>(&call.body).unwrap(),
            json!({"action": action})
        );
    }
    let events: Vec<String> = fx.events(&s).await.into_iter().map(|(e, _)| e).collect();
    assert!(events.contains(&"server:power.start".to_owned()));
    assert!(events.contains(&"server:power.kill".to_owned()));
}

// ---- ResourceUtilizationControllerTest ------------------------------------------------------

#[tokio::test]
async fn resources_are_transformed_from_wings_and_cached() {
    let fx = Fx::new().await;
    let (owner, _) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["websocket.connect"]).await;

    let (status, v) = fx.get(&link(&s, "/resources"), &sub_key).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"object": "stats", "attributes": {
            "current_state": "stopped", "is_suspended": false,
            "resources": {"memory_bytes": 0, "cpu_absolute": 0, "disk_bytes": 0,
                          "network_rx_bytes": 0, "network_tx_bytes": 0, "uptime": 0}
        }})
    );

    let other = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &other, &[]).await;
    fx.stub.lock().unwrap().details = Some(json!({
        "state": "running", "is_suspended": false,
        "utilization": {"memory_bytes": 1024, "memory_limit_bytes": 4096, "cpu_absolute": 12.5,
                        "network": {"rx_bytes": 3, "tx_bytes": 4}, "uptime": 99, "state": "running",
                        "disk_bytes": 77}
    }));
    let (_, v) = fx.get(&link(&other, "/resources"), &sub_key).await;
    assert_eq!(v["attributes"]["current_state"], "running");
    assert_eq!(
        v["attributes"]["resources"],
        json!({"memory_bytes": 1024, "cpu_absolute": 12.5, "disk_bytes": 77,
               "network_rx_bytes": 3, "network_tx_bytes": 4, "uptime": 99})
    );
    // The first server's answer is cached: wings is not asked again.
    let asked = |fx: &Fx| {
        fx.calls()
            .iter()
            .filter(|c| c.method == "GET" && c.uri == format!("/api/servers/{}", s.uuid))
            .count()
    };
    let n = asked(&fx);
    let (_, v) = fx.get(&link(&s, "/resources"), &sub_key).await;
    assert_eq!(v["attributes"]["current_state"], "stopped");
    assert_eq!(asked(&fx), n);
    // Resources stay readable while installing; other routes do not.
    fx.panel
        .db
        .servers()
        .set_status(s.id, Some("installing"))
        .await
        .unwrap();
    fx.panel
        .db
        .servers()
        .set_status(other.id, Some("installing"))
        .await
        .unwrap();
    let (status, _) = fx.get(&link(&s, "/resources"), &sub_key).await;
    assert_eq!(status, 200);
    let (status, v) = fx.get(&link(&s, ""), &sub_key).await;
    assert_eq!(status, 200);
    assert_eq!(v["attributes"]["is_installing"], true);
    let (status, _) = fx.get(&link(&s, "/websocket"), &sub_key).await;
    assert_eq!(status, 409);
}

// ---- SettingsControllerTest ------------------------------------------------------------------

#[tokio::test]
async fn servers_can_be_renamed_reinstalled_and_change_image() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["websocket.connect"]).await;

    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/settings/rename"),
            &key,
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "required");
    assert_eq!(fx.reload(&s).await.name, "Test Server");
    let (status, _) = fx
        .call(
            Method::POST,
            &link(&s, "/settings/rename"),
            &sub_key,
            Some(json!({"name": "Nope"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = fx
        .call(
            Method::POST,
            &link(&s, "/settings/rename"),
            &key,
            Some(json!({"name": "Test Server Name", "description": "Now described"})),
        )
        .await;
    assert_eq!(status, 204);
    let now = fx.reload(&s).await;
    assert_eq!(now.name, "Test Server Name");
    assert_eq!(now.description.as_deref(), Some("Now described"));
    let events = fx.events(&s).await;
    assert!(events.contains(&(
        "server:settings.rename".to_owned(),
        json!({"old": "Test Server", "new": "Test Server Name"})
    )));

    // Docker image: only the egg's images, and only while the image is one of them.
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/settings/docker-image"),
            &key,
            Some(json!({"docker_image": "evil/image"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "in");
    let (status, _) = fx
        .call(
            Method::PUT,
            &link(&s, "/settings/docker-image"),
            &key,
            Some(json!({"docker_image": "ghcr.io/pterodactyl/yolks:java_21"})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        fx.reload(&s).await.image,
        "ghcr.io/pterodactyl/yolks:java_21"
    );
    fx.panel
        .db
        .servers()
        .update(
            s.id,
            &aerie_db::repo::servers::ServerPatch {
                image: Some("custom/image".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/settings/docker-image"),
            &key,
            Some(json!({"docker_image": "ghcr.io/pterodactyl/yolks:java_17"})),
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(
        v["errors"][0]["detail"],
        "This server's Docker image has been manually set by an administrator and cannot be updated."
    );

    // Reinstall: 202, installing, wings told.
    let (status, _) = fx
        .call(
            Method::POST,
            &link(&s, "/settings/reinstall"),
            &sub_key,
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert!(fx.reload(&s).await.is_installed());
    let (status, _) = fx
        .call(Method::POST, &link(&s, "/settings/reinstall"), &key, None)
        .await;
    assert_eq!(status, 202);
    assert_eq!(fx.reload(&s).await.status.as_deref(), Some("installing"));
    assert_eq!(fx.last_call("/reinstall").method, "POST");
    let events: Vec<String> = fx.events(&s).await.into_iter().map(|(e, _)| e).collect();
    assert!(events.contains(&"server:reinstall".to_owned()));
    assert!(events.contains(&"server:startup.image".to_owned()));
    // Now installing: everything but viewing is a conflict.
    let (status, _) = fx
        .call(
            Method::POST,
            &link(&s, "/settings/rename"),
            &key,
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, 409);
}

// ---- Startup tests ---------------------------------------------------------------------------

#[tokio::test]
async fn startup_lists_visible_variables_and_hides_the_rest_in_the_command() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let egg = fx
        .egg_variant("Bungee hidden version", |doc| {
            doc["variables"][0]["user_viewable"] = false.into();
        })
        .await;
    let s = fx
        .server(
            &owner,
            Spec {
                egg: Some(egg),
                startup: "java {{SERVER_JARFILE}} --version {{BUNGEE_VERSION}}".into(),
                ..Spec::default()
            },
        )
        .await;
    fx.subuser(&sub, &s, &["startup.read"]).await;

    for k in [&key, &sub_key] {
        let (status, v) = fx.get(&link(&s, "/startup"), k).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["object"], "list");
        assert_eq!(
            v["meta"]["startup_command"],
            "java bungeecord.jar --version [hidden]"
        );
        assert_eq!(
            v["meta"]["raw_startup_command"],
            "java {{SERVER_JARFILE}} --version {{BUNGEE_VERSION}}"
        );
        assert_eq!(
            v["meta"]["docker_images"],
            json!({"Java 17": "ghcr.io/pterodactyl/yolks:java_17", "Java 21": "ghcr.io/pterodactyl/yolks:java_21"})
        );
        let data = v["data"].as_array().unwrap();
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["object"], "egg_variable");
        assert_eq!(
            data[0]["attributes"],
            json!({
                "name": "Bungeecord Jar File",
                "description": "The name of the Jarfile to use when running Bungeecord.",
                "env_variable": "SERVER_JARFILE", "default_value": "bungeecord.jar",
                "server_value": null, "is_editable": true,
                "rules": "required|regex:/^([\\w\\d._-]+)(\\.jar)$/"
            })
        );
    }
    let (other, other_key) = fx.user("other", false).await;
    fx.subuser(&other, &s, &["websocket.connect"]).await;
    let (status, _) = fx.get(&link(&s, "/startup"), &other_key).await;
    assert_eq!(status, 403);
    let (_, stranger_key) = fx.user("stranger", false).await;
    let (status, _) = fx.get(&link(&s, "/startup"), &stranger_key).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn startup_variables_are_validated_with_the_eggs_rules_and_synced() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx
        .server(
            &owner,
            Spec {
                startup: "java {{SERVER_JARFILE}} --version {{BUNGEE_VERSION}}".into(),
                ..Spec::default()
            },
        )
        .await;
    fx.subuser(&sub, &s, &["startup.update"]).await;

    for k in [&key, &sub_key] {
        let (status, v) = fx
            .call(
                Method::PUT,
                &link(&s, "/startup/variable"),
                k,
                Some(json!({"key": "BUNGEE_VERSION", "value": "1.2.3"})),
            )
            .await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["errors"][0]["code"], "ValidationException");
        assert_eq!(v["errors"][0]["meta"]["source_field"], "value");
        assert_eq!(v["errors"][0]["meta"]["rule"], "alpha_num");
        assert!(
            v["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .starts_with("The value ")
        );

        let (status, v) = fx
            .call(
                Method::PUT,
                &link(&s, "/startup/variable"),
                k,
                Some(json!({"key": "BUNGEE_VERSION", "value": "123"})),
            )
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["object"], "egg_variable");
        assert_eq!(v["attributes"]["env_variable"], "BUNGEE_VERSION");
        assert_eq!(v["attributes"]["server_value"], "123");
        assert_eq!(
            v["meta"]["startup_command"],
            "java bungeecord.jar --version 123"
        );
        assert_eq!(
            v["meta"]["raw_startup_command"],
            "java {{SERVER_JARFILE}} --version {{BUNGEE_VERSION}}"
        );
    }
    assert_eq!(
        fx.last_call("/sync").uri,
        format!("/api/servers/{}/sync", s.uuid)
    );
    assert!(fx.events(&s).await.contains(&(
        "server:startup.edit".to_owned(),
        json!({"variable": "BUNGEE_VERSION", "old": "123", "new": "123"})
    )));
    // `value` must be present.
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/startup/variable"),
            &key,
            Some(json!({"key": "BUNGEE_VERSION"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "present");
    // Without the permission, or as a stranger.
    let (other, other_key) = fx.user("other", false).await;
    fx.subuser(&other, &s, &["websocket.connect"]).await;
    let (status, _) = fx
        .call(
            Method::PUT,
            &link(&s, "/startup/variable"),
            &other_key,
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (_, stranger) = fx.user("stranger", false).await;
    let (status, _) = fx
        .call(Method::PUT, &link(&s, "/startup/variable"), &stranger, None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn hidden_and_read_only_variables_cannot_be_edited() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let egg = fx
        .egg_variant("Bungee locked", |doc| {
            doc["variables"][0]["user_viewable"] = false.into();
            doc["variables"][1]["user_editable"] = false.into();
        })
        .await;
    let s = fx
        .server(
            &owner,
            Spec {
                egg: Some(egg),
                ..Spec::default()
            },
        )
        .await;
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/startup/variable"),
            &key,
            Some(json!({"key": "BUNGEE_VERSION", "value": "123"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["code"], "BadRequestHttpException");
    assert_eq!(
        v["errors"][0]["detail"],
        "The environment variable you are trying to edit does not exist."
    );
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/startup/variable"),
            &key,
            Some(json!({"key": "SERVER_JARFILE", "value": "server2.jar"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "The environment variable you are trying to edit is read-only."
    );
}

#[tokio::test]
async fn editing_one_variable_keeps_hidden_ones_hidden_and_nullable_strings_may_be_empty() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let egg = fx
        .egg_variant("Bungee nullable", |doc| {
            doc["variables"][0]["user_viewable"] = false.into();
            doc["variables"][1]["rules"] = "nullable|string".into();
        })
        .await;
    let s = fx
        .server(
            &owner,
            Spec {
                egg: Some(egg),
                startup: "java {{SERVER_JARFILE}} --version {{BUNGEE_VERSION}}".into(),
                ..Spec::default()
            },
        )
        .await;
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/startup/variable"),
            &key,
            Some(json!({"key": "SERVER_JARFILE", "value": "server2.jar"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["meta"]["startup_command"],
        "java server2.jar --version [hidden]"
    );
    let (status, v) = fx
        .call(
            Method::PUT,
            &link(&s, "/startup/variable"),
            &key,
            Some(json!({"key": "SERVER_JARFILE", "value": ""})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["server_value"], Value::Null);
}

// ---- NetworkAllocationControllerTest, CreateNewAllocationTest, DeleteAllocationTest ---------

#[tokio::test]
async fn allocations_are_listed_annotated_and_made_primary() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["allocation.create"]).await;

    let (status, v) = fx.get(&link(&s, "/network/allocations"), &key).await;
    assert_eq!(status, 200);
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["data"][0]["attributes"],
        json!({"id": s.allocation_id, "ip": "127.0.0.1", "ip_alias": null, "port": 25566,
               "notes": null, "is_default": true})
    );
    let (status, _) = fx.get(&link(&s, "/network/allocations"), &sub_key).await;
    assert_eq!(status, 403);

    let second = fx.allocation("127.0.0.1", 30100, Some(&s)).await;
    let notes = link(&s, &format!("/network/allocations/{second}"));
    let (status, v) = fx.call(Method::POST, &notes, &key, Some(json!({}))).await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "present");
    let (status, v) = fx
        .call(
            Method::POST,
            &notes,
            &key,
            Some(json!({"notes": "Test notes"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["object"], "allocation");
    assert_eq!(v["attributes"]["notes"], "Test notes");
    assert_eq!(v["attributes"]["is_default"], false);
    let (status, v) = fx
        .call(Method::POST, &notes, &key, Some(json!({"notes": null})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["attributes"]["notes"], Value::Null);
    let (status, _) = fx
        .call(Method::POST, &notes, &sub_key, Some(json!({"notes": "x"})))
        .await;
    assert_eq!(status, 403);

    let (status, v) = fx
        .call(Method::POST, &format!("{notes}/primary"), &key, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["attributes"]["is_default"], true);
    assert_eq!(fx.reload(&s).await.allocation_id, second);
    let events: Vec<String> = fx.events(&s).await.into_iter().map(|(e, _)| e).collect();
    assert!(events.contains(&"server:allocation.notes".to_owned()));
    assert!(events.contains(&"server:allocation.primary".to_owned()));

    // Another user's allocation does not exist here.
    let (stranger, _) = fx.user("stranger", false).await;
    let theirs = fx.server(&stranger, Spec::default()).await;
    let (status, _) = fx
        .call(
            Method::POST,
            &link(
                &s,
                &format!("/network/allocations/{}", theirs.allocation_id),
            ),
            &key,
            Some(json!({"notes": "x"})),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn allocations_are_removed_only_with_a_limit_and_never_the_primary() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    let extra = fx.allocation("127.0.0.1", 30200, Some(&s)).await;
    fx.panel
        .db
        .allocations()
        .set_notes(extra, Some("hodor"))
        .await
        .unwrap();
    let path = |id: i64| link(&s, &format!("/network/allocations/{id}"));

    let (status, v) = fx.call(Method::DELETE, &path(extra), &key, None).await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["code"], "DisplayException");
    assert_eq!(
        v["errors"][0]["detail"],
        "You cannot delete allocations for this server: no allocation limit is set."
    );
    fx.panel
        .db
        .servers()
        .update(
            s.id,
            &aerie_db::repo::servers::ServerPatch {
                allocation_limit: Some(Some(5)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, v) = fx
        .call(Method::DELETE, &path(s.allocation_id), &key, None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["code"], "DisplayException");
    assert_eq!(
        v["errors"][0]["detail"],
        "You cannot delete the primary allocation for this server."
    );
    let (status, _) = fx.call(Method::DELETE, &path(extra), &key, None).await;
    assert_eq!(status, 204);
    let a = fx
        .panel
        .db
        .allocations()
        .find(extra)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.server_id, a.notes), (None, None));
    assert!(fx.events(&s).await.contains(&(
        "server:allocation.delete".to_owned(),
        json!({"allocation": "127.0.0.1:30200"})
    )));
    // Gone from this server now.
    let (status, _) = fx.call(Method::DELETE, &path(extra), &key, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn new_allocations_come_from_the_configured_range_within_the_limit() {
    use aerie_panel::services::client_servers as cs;
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx
        .server(
            &owner,
            Spec {
                allocation_limit: Some(2),
                ..Spec::default()
            },
        )
        .await;
    let path = link(&s, "/network/allocations");

    let (status, v) = fx.call(Method::POST, &path, &key, None).await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["code"], "AutoAllocationNotEnabledException");
    assert_eq!(
        v["errors"][0]["detail"],
        "Server auto-allocation is not enabled for this instance."
    );

    let db = &fx.panel.db;
    db.settings()
        .set(cs::ALLOCATIONS_ENABLED_SETTING, "1")
        .await
        .unwrap();
    db.settings()
        .set(cs::ALLOCATIONS_RANGE_START_SETTING, "5000")
        .await
        .unwrap();
    db.settings()
        .set(cs::ALLOCATIONS_RANGE_END_SETTING, "5050")
        .await
        .unwrap();
    let (status, v) = fx.call(Method::POST, &path, &key, None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "allocation");
    let port = v["attributes"]["port"].as_i64().unwrap();
    assert!((5000..=5050).contains(&port));
    assert_eq!(v["attributes"]["ip"], "127.0.0.1");
    assert_eq!(v["attributes"]["is_default"], false);
    let id = v["attributes"]["id"].as_i64().unwrap();
    assert_eq!(
        db.allocations().find(id).await.unwrap().unwrap().server_id,
        Some(s.id)
    );

    let (status, v) = fx.call(Method::POST, &path, &key, None).await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["code"], "DisplayException");
    assert_eq!(
        v["errors"][0]["detail"],
        "Cannot assign additional allocations to this server: limit has been reached."
    );
    let (sub, sub_key) = fx.user("sub", false).await;
    fx.subuser(&sub, &s, &["allocation.update"]).await;
    let (status, _) = fx.call(Method::POST, &path, &sub_key, None).await;
    assert_eq!(status, 403);
}

// ---- files -------------------------------------------------------------------------------

#[tokio::test]
async fn files_are_proxied_to_wings_with_its_request_shapes() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx.server(&owner, Spec::default()).await;

    let (status, v) = fx
        .get(&link(&s, "/files/list?directory=%2Fplugins"), &key)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        fx.last_call("list-directory").uri,
        format!(
            "/api/servers/{}/files/list-directory?directory=%2Fplugins",
            s.uuid
        )
    );
    assert_eq!(v["data"][0]["object"], "file_object");
    assert_eq!(
        v["data"][0]["attributes"],
        json!({"name": "server.properties", "mode": "-rw-r--r--", "mode_bits": "644", "size": 5,
               "is_file": true, "is_symlink": false, "mimetype": "text/plain",
               "created_at": "2024-01-15T10:26:32+00:00", "modified_at": "2024-02-01T08:00:00+00:00"})
    );
    assert_eq!(v["data"][1]["attributes"]["is_file"], false);
    assert_eq!(v["data"][1]["attributes"]["mimetype"], "inode/directory");

    // Contents: raw text.
    let resp = fx
        .panel
        .client
        .get(format!(
            "{}{}",
            fx.panel.url,
            link(&s, "/files/contents?file=%2Fserver.properties")
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(resp.text().await.unwrap(), "motd=hello\n");
    let (status, v) = fx.get(&link(&s, "/files/contents"), &key).await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["source_field"], "file");
    fx.stub.lock().unwrap().big_file = true;
    let (status, v) = fx
        .get(&link(&s, "/files/contents?file=big.log"), &key)
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["errors"][0]["code"], "FileSizeTooLargeException");

    // Write: the raw body reaches wings byte for byte.
    let text = "line one\nline two ✓\n";
    let resp = fx
        .panel
        .client
        .post(format!(
            "{}{}",
            fx.panel.url,
            link(&s, "/files/write?file=%2Fnotes.txt")
        ))
        .bearer_auth(&key)
        .header("Content-Type", "text/plain")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let call = fx.last_call("/files/write");
    assert_eq!(
        call.uri,
        format!("/api/servers/{}/files/write?file=%2Fnotes.txt", s.uuid)
    );
    assert_eq!(call.body, text.as_bytes());

    // JSON operations keep wings' field names.
    let cases = [
        (
            Method::PUT,
            "/files/rename",
            json!({"root": "/", "files": [{"from": "a", "to": "b"}]}),
            "rename",
            json!({"root": "/", "files": [{"from": "a", "to": "b"}]}),
        ),
        (
            Method::POST,
            "/files/copy",
            json!({"location": "/a.txt"}),
            "copy",
            json!({"location": "/a.txt"}),
        ),
        (
            Method::POST,
            "/files/delete",
            json!({"root": "/x", "files": ["a", "b"]}),
            "delete",
            json!({"root": "/x", "files": ["a", "b"]}),
        ),
        (
            Method::POST,
            "/files/create-folder",
            json!({"root": "/x", "name": "d"}),
            "create-directory",
            json!({"name": "d", "path": "/x"}),
        ),
        (
            Method::POST,
            "/files/chmod",
            json!({"root": "/", "files": [{"file": "a", "mode": 755}]}),
            "chmod",
            json!({"root": "/", "files": [{"file": "a", "mode": "755"}]}),
        ),
        (
            Method::POST,
            "/files/decompress",
            json!({"root": "/", "file": "a.zip"}),
            "decompress",
            json!({"root": "/", "file": "a.zip"}),
        ),
        (
            Method::POST,
            "/files/pull",
            json!({"url": "https://example.com/a.zip", "directory": "/dl", "filename": "b.zip"}),
            "pull",
            json!({"url": "https://example.com/a.zip", "root": "/dl", "file_name": "b.zip", "use_header": false, "foreground": false}),
        ),
    ];
    for (method, path, body, op, sent) in cases {
        let (status, v) = fx.call(method, &link(&s, path), &key, Some(body)).await;
        assert_eq!(status, 204, "{path}: {v}");
        let call = fx.last_call(&format!("/files/{op}"));
        assert_eq!(
            serde_json::from_slice::<Value>(&call.body).unwrap(),
            sent,
            "{path}"
        );
    }
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/files/compress"),
            &key,
            Some(json!({"root": "/", "files": ["a"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["object"], "file_object");
    assert_eq!(v["attributes"]["mimetype"], "application/tar+gzip");
    // Validation before wings is called.
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/files/delete"),
            &key,
            Some(json!({"root": "/"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["source_field"], "files");
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/files/pull"),
            &key,
            Some(json!({"url": "not a url"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["meta"]["rule"], "url");

    let events: Vec<String> = fx.events(&s).await.into_iter().map(|(e, _)| e).collect();
    for e in [
        "server:file.read",
        "server:file.write",
        "server:file.rename",
        "server:file.copy",
        "server:file.delete",
        "server:file.create-directory",
        "server:file.decompress",
        "server:file.pull",
        "server:file.compress",
    ] {
        assert!(
            events.contains(&e.to_owned()),
            "{e} missing from {events:?}"
        );
    }
}

#[tokio::test]
async fn downloads_and_uploads_are_signed_single_use_urls() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    let (status, v) = fx
        .get(&link(&s, "/files/download?file=%2Fworld%2Flevel.dat"), &key)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "signed_url");
    let url = v["attributes"]["url"].as_str().unwrap();
    let prefix = format!(
        "http://127.0.0.1:{}/download/file?token=",
        fx.node.daemon_listen
    );
    assert!(url.starts_with(&prefix), "{url}");
    let now = chrono::Utc::now().timestamp();
    let claims: Value = aerie_jwt::verify(&url[prefix.len()..], TOKEN.as_bytes(), now).unwrap();
    assert_eq!(claims["file_path"], "/world/level.dat");
    assert_eq!(claims["server_uuid"], s.uuid);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    let first_unique = claims["unique_id"].as_str().unwrap().to_owned();
    assert!(fx.events(&s).await.contains(&(
        "server:file.download".to_owned(),
        json!({"file": "/world/level.dat"})
    )));

    let (status, v) = fx.get(&link(&s, "/files/upload"), &key).await;
    assert_eq!(status, 200);
    let url = v["attributes"]["url"].as_str().unwrap();
    let prefix = format!(
        "http://127.0.0.1:{}/upload/file?token=",
        fx.node.daemon_listen
    );
    assert!(url.starts_with(&prefix), "{url}");
    let claims: Value = aerie_jwt::verify(&url[prefix.len()..], TOKEN.as_bytes(), now).unwrap();
    assert_eq!(claims["server_uuid"], s.uuid);
    assert_eq!(claims["user_uuid"], owner.uuid);
    assert_ne!(claims["unique_id"], first_unique);
}

#[tokio::test]
async fn remote_downloads_are_throttled_per_server() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    let body = json!({"url": "https://example.com/a.zip"});
    for i in 0..10 {
        let (status, v) = fx
            .call(
                Method::POST,
                &link(&s, "/files/pull"),
                &key,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 204, "pull {i}: {v}");
    }
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/files/pull"),
            &key,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 429, "{v}");
    // Another server has its own budget.
    let other = fx.server(&owner, Spec::default()).await;
    let (status, _) = fx
        .call(Method::POST, &link(&other, "/files/pull"), &key, Some(body))
        .await;
    assert_eq!(status, 204);
}

// ---- activity ------------------------------------------------------------------------------

#[tokio::test]
async fn server_activity_is_listed_newest_first_with_hashed_ids() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", false).await;
    let (sub, sub_key) = fx.user("sub", false).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.subuser(&sub, &s, &["activity.read", "control.console"])
        .await;
    fx.call(
        Method::POST,
        &link(&s, "/command"),
        &key,
        Some(json!({"command": "say 1"})),
    )
    .await;
    fx.call(
        Method::POST,
        &link(&s, "/command"),
        &sub_key,
        Some(json!({"command": "say 2"})),
    )
    .await;
    fx.panel
        .db
        .activity()
        .log(&[aerie_db::repo::activity::NewActivity {
            event: "server:file.upload".into(),
            ip: "10.0.0.1".into(),
            actor_id: Some(owner.id),
            server_id: Some(s.id),
            ..Default::default()
        }])
        .await
        .unwrap();

    let (status, v) = fx.get(&link(&s, "/activity?include=actor"), &sub_key).await;
    assert_eq!(status, 200, "{v}");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "uploads are never listed: {v}");
    assert_eq!(v["meta"]["pagination"]["per_page"], 25);
    let newest = &data[0]["attributes"];
    assert_eq!(data[0]["object"], "activity_log");
    assert_eq!(
        keys_of(newest),
        sorted(&[
            "id",
            "batch",
            "event",
            "is_api",
            "ip",
            "description",
            "properties",
            "has_additional_metadata",
            "timestamp",
            "relationships"
        ])
    );
    assert_eq!(newest["event"], "server:console.command");
    assert_eq!(newest["properties"], json!({"command": "say 2"}));
    assert_eq!(newest["is_api"], true);
    assert_eq!(
        newest["relationships"]["actor"]["attributes"]["username"],
        "sub"
    );
    // The subuser sees their own address, not the owner's.
    assert!(newest["ip"].is_string());
    assert_eq!(data[1]["attributes"]["ip"], Value::Null);
    let (_, all) = {
        let (list, n) = fx
            .panel
            .db
            .activity()
            .list(
                aerie_db::repo::activity::ActivityScope::Server(s.id),
                None,
                0,
                10,
            )
            .await
            .unwrap();
        (n, list)
    };
    let oldest_command = all.iter().find(|a| a.properties.contains("say 1")).unwrap();
    let sha = {
        use sha1::Digest as _;
        hex::encode(sha1::Sha1::digest(oldest_command.id.to_string().as_bytes()))
    };
    assert_eq!(data[1]["attributes"]["id"], sha);

    let (_, v) = fx.get(&link(&s, "/activity?sort=timestamp"), &key).await;
    assert_eq!(v["data"][0]["attributes"]["properties"]["command"], "say 1");
    let (_, v) = fx
        .get(&link(&s, "/activity?filter[event]=power"), &key)
        .await;
    assert_eq!(v["data"], json!([]));

    let (other, other_key) = fx.user("other", false).await;
    fx.subuser(&other, &s, &["websocket.connect"]).await;
    let (status, _) = fx.get(&link(&s, "/activity"), &other_key).await;
    assert_eq!(status, 403);
}

// ---- state conflicts and keys ----------------------------------------------------------------

#[tokio::test]
async fn a_suspended_server_is_a_conflict_and_application_keys_are_refused() {
    let fx = Fx::new().await;
    let (owner, key) = fx.user("owner", true).await;
    let s = fx.server(&owner, Spec::default()).await;
    fx.panel
        .db
        .servers()
        .set_status(s.id, Some("suspended"))
        .await
        .unwrap();
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&s, "/command"),
            &key,
            Some(json!({"command": "x"})),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    let (status, v) = fx.get(&link(&s, ""), &key).await;
    assert_eq!(status, 200);
    assert_eq!(v["attributes"]["is_suspended"], true);
    assert_eq!(v["attributes"]["status"], "suspended");
    // A root administrator still gets the websocket of a suspended server.
    let (status, _) = fx.get(&link(&s, "/websocket"), &key).await;
    assert_eq!(status, 200);

    let app_key = fx.panel.key(&owner, KeyType::Application).await;
    let (status, v) = fx.get("/api/client", &app_key).await;
    assert_eq!(status, 403);
    assert_eq!(
        v["errors"][0]["detail"],
        "You are attempting to use an application API key on an endpoint that requires a client API key."
    );
    let (status, _) = fx.get(&link(&s, "/resources"), &app_key).await;
    assert_eq!(status, 403);
}
