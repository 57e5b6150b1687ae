//! The permission matrix of the client server API: every `/api/client/servers/{server}`
//! route this panel serves, called by five actors — the owner, a subuser holding exactly
//! the permission the route needs, a subuser holding every other permission, a user with
//! no relation to the server, and a root administrator.
//!
//! Strangers always get 404 (never 403, so server ids cannot be probed); a subuser
//! missing the permission gets 403 and the error names the permission; everyone else
//! succeeds. Each call gets a fresh server, so a mutating route (reinstall, delete an
//! allocation) never changes what the next actor sees. Wings is a stub on `127.0.0.1:0`
//! answering its routes with plausible JSON.

#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use aerie_db::models::{NewNode, Node, User};
use aerie_db::repo::eggs::Egg;
use aerie_db::repo::servers::{NewServer, Server};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

// ---- a stub of the node's HTTP API ------------------------------------------------------

const DAEMON_TOKEN: &str = "matrix-daemon-token-0123456789abcdef0123456789abcdef0123456789ab";

fn stat(name: &str) -> Value {
    json!({
        "name": name, "created": "2024-01-15T10:26:32Z", "modified": "2024-01-15T10:26:32Z",
        "mode": "-rw-r--r--", "mode_bits": "644", "size": 5, "directory": false,
        "file": true, "symlink": false, "mime": "text/plain"
    })
}

async fn wings_stub(method: Method, uri: Uri, headers: HeaderMap, _body: Bytes) -> Response {
    let expected = format!("Bearer {DAEMON_TOKEN}");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"error": "You are not authorized to access this endpoint."})),
        )
            .into_response();
    }
    let path = uri.path();
    let json = |status: StatusCode, v: Value| (status, axum::Json(v)).into_response();
    match (
        method.as_str(),
        path.rsplit_once("/files/").map(|(_, op)| op),
    ) {
        ("GET", Some("list-directory")) => json(StatusCode::OK, json!([stat("a.txt")])),
        ("GET", Some("contents")) => (StatusCode::OK, "hello").into_response(),
        ("POST", Some("compress")) => json(StatusCode::OK, stat("archive.tar.gz")),
        ("POST", Some("pull")) => json(StatusCode::ACCEPTED, json!({"identifier": "x"})),
        (_, Some(_)) => StatusCode::NO_CONTENT.into_response(),
        ("GET", None) => json(
            StatusCode::OK,
            json!({"state": "offline", "is_suspended": false, "utilization": {
                "memory_bytes": 0, "memory_limit_bytes": 0, "cpu_absolute": 0.0,
                "network": {"rx_bytes": 0, "tx_bytes": 0}, "uptime": 0, "state": "offline",
                "disk_bytes": 0}}),
        ),
        ("POST", None) if path.ends_with("/power") || path.ends_with("/reinstall") => {
            StatusCode::ACCEPTED.into_response()
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn start_stub() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        axum::serve(listener, Router::new().fallback(wings_stub))
            .await
            .unwrap();
    });
    port
}

// ---- the world --------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Owner,
    SubuserWith,
    SubuserWithout,
    Stranger,
    Admin,
}

const ACTORS: [Actor; 5] = [
    Actor::Owner,
    Actor::SubuserWith,
    Actor::SubuserWithout,
    Actor::Stranger,
    Actor::Admin,
];

struct World {
    panel: TestPanel,
    node: Node,
    egg: Egg,
    owner: User,
    sub_with: User,
    sub_without: User,
    keys: Vec<(Actor, String)>,
    next_port: Arc<AtomicI64>,
}

struct Fresh {
    server: Server,
    secondary_allocation: i64,
}

impl World {
    async fn new() -> Self {
        let panel = TestPanel::start().await;
        let stub_port = start_stub().await;
        let db = &panel.db;
        let owner = panel.user("owner", false).await;
        let sub_with = panel.user("subwith", false).await;
        let sub_without = panel.user("subwithout", false).await;
        let stranger = panel.user("stranger", false).await;
        let admin = panel.user("admin", true).await;
        let mut keys = Vec::new();
        for (actor, user) in [
            (Actor::Owner, &owner),
            (Actor::SubuserWith, &sub_with),
            (Actor::SubuserWithout, &sub_without),
            (Actor::Stranger, &stranger),
            (Actor::Admin, &admin),
        ] {
            keys.push((actor, panel.key(user, KeyType::Client).await));
        }
        let location = db.locations().create("matrix", None).await.unwrap();
        let node = db
            .nodes()
            .create(&NewNode {
                name: "stub".into(),
                description: None,
                location_id: location.id,
                fqdn: "127.0.0.1".into(),
                scheme: "http".into(),
                behind_proxy: false,
                public: true,
                memory: 100_000,
                memory_overallocate: 0,
                disk: 100_000,
                disk_overallocate: 0,
                upload_size: 100,
                daemon_listen: i64::from(stub_port),
                daemon_sftp: 2022,
                daemon_base: "/var/lib/aerie/volumes".into(),
                daemon_token_id: "matrixtokenid000".into(),
                daemon_token: DAEMON_TOKEN.into(),
            })
            .await
            .unwrap();
        let nest =
            aerie_panel::services::eggs::create_nest(db, "t@example.com", "Matrix Games", None)
                .await
                .unwrap();
        let egg_file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/eggs/egg-minetest.json");
        let egg =
            aerie_panel::services::eggs::import(db, nest.id, &std::fs::read(egg_file).unwrap())
                .await
                .unwrap();
        use aerie_panel::services::client_servers as cs;
        for (k, v) in [
            (cs::ALLOCATIONS_ENABLED_SETTING, "1"),
            (cs::ALLOCATIONS_RANGE_START_SETTING, "40000"),
            (cs::ALLOCATIONS_RANGE_END_SETTING, "40999"),
        ] {
            db.settings().set(k, v).await.unwrap();
        }
        Self {
            panel,
            node,
            egg,
            owner,
            sub_with,
            sub_without,
            keys,
            next_port: Arc::new(AtomicI64::new(20000)),
        }
    }

    fn key(&self, actor: Actor) -> &str {
        &self.keys.iter().find(|(a, _)| *a == actor).unwrap().1
    }

    /// A new server of the owner with three allocations (the first primary), a subuser
    /// holding exactly `permission`, and one holding every other permission.
    async fn fresh(&self, permission: Option<&str>) -> Fresh {
        let db = &self.panel.db;
        let port = self.next_port.fetch_add(3, Ordering::SeqCst);
        db.allocations()
            .insert_ignore(self.node.id, "127.0.0.1", None, &[port, port + 1, port + 2])
            .await
            .unwrap();
        let mut ids: Vec<i64> = db
            .allocations()
            .list_by_nodes(&[self.node.id])
            .await
            .unwrap()
            .into_iter()
            .filter(|a| (port..port + 3).contains(&a.port))
            .map(|a| a.id)
            .collect();
        ids.sort_unstable();
        let uuid = uuid::Uuid::new_v4().to_string();
        let server = db
            .servers()
            .create(&NewServer {
                external_id: None,
                uuid: uuid.clone(),
                uuid_short: uuid[..8].to_owned(),
                node_id: self.node.id,
                name: format!("matrix-{port}"),
                description: None,
                status: None,
                skip_scripts: false,
                owner_id: self.owner.id,
                memory: 512,
                swap: 0,
                disk: 1024,
                io: 500,
                cpu: 0,
                threads: None,
                oom_disabled: true,
                allocation_id: ids[0],
                nest_id: self.egg.nest_id,
                egg_id: self.egg.id,
                startup: "run --port {{SERVER_PORT}} --name {{SERVER_NAME}}".into(),
                image: "aerie/minetest:latest".into(),
                allocation_limit: Some(10),
                database_limit: 0,
                backup_limit: 0,
            })
            .await
            .unwrap();
        db.allocations().assign(&ids, server.id).await.unwrap();
        let with: Vec<String> = permission.map(|p| vec![p.to_owned()]).unwrap_or_default();
        let without: Vec<String> = match permission {
            Some(p) => aerie_proto::permissions::all()
                .into_iter()
                .filter(|k| k != p)
                .collect(),
            None => vec!["websocket.connect".to_owned()],
        };
        db.subusers()
            .create(self.sub_with.id, server.id, &with)
            .await
            .unwrap();
        db.subusers()
            .create(self.sub_without.id, server.id, &without)
            .await
            .unwrap();
        Fresh {
            server,
            secondary_allocation: ids[1],
        }
    }
}

// ---- the table --------------------------------------------------------------------------

enum Body {
    None,
    Json(Value),
    Raw(&'static str),
}

struct Route {
    method: Method,
    /// After `/api/client/servers/{server}`; `{a}` is a non-primary allocation's id.
    path: &'static str,
    permission: Option<&'static str>,
    body: Body,
    ok: u16,
}

fn r(
    method: Method,
    path: &'static str,
    permission: Option<&'static str>,
    body: Body,
    ok: u16,
) -> Route {
    Route {
        method,
        path,
        permission,
        body,
        ok,
    }
}

fn table() -> Vec<Route> {
    use Body::{Json, None as NoBody, Raw};
    let get = Method::GET;
    let post = Method::POST;
    let put = Method::PUT;
    let del = Method::DELETE;
    vec![
        r(get.clone(), "", None, NoBody, 200),
        r(get.clone(), "/resources", None, NoBody, 200),
        r(
            get.clone(),
            "/websocket",
            Some("websocket.connect"),
            NoBody,
            200,
        ),
        r(get.clone(), "/activity", Some("activity.read"), NoBody, 200),
        r(
            post.clone(),
            "/command",
            Some("control.console"),
            Json(json!({"command": "say hi"})),
            204,
        ),
        r(
            post.clone(),
            "/power",
            Some("control.start"),
            Json(json!({"signal": "start"})),
            204,
        ),
        r(
            post.clone(),
            "/power",
            Some("control.stop"),
            Json(json!({"signal": "stop"})),
            204,
        ),
        r(
            post.clone(),
            "/power",
            Some("control.stop"),
            Json(json!({"signal": "kill"})),
            204,
        ),
        r(
            post.clone(),
            "/power",
            Some("control.restart"),
            Json(json!({"signal": "restart"})),
            204,
        ),
        r(
            get.clone(),
            "/files/list?directory=/",
            Some("file.read"),
            NoBody,
            200,
        ),
        r(
            get.clone(),
            "/files/contents?file=/a.txt",
            Some("file.read-content"),
            NoBody,
            200,
        ),
        r(
            get.clone(),
            "/files/download?file=/a.txt",
            Some("file.read-content"),
            NoBody,
            200,
        ),
        r(
            put.clone(),
            "/files/rename",
            Some("file.update"),
            Json(json!({"root": "/", "files": [{"from": "a.txt", "to": "b.txt"}]})),
            204,
        ),
        r(
            post.clone(),
            "/files/copy",
            Some("file.create"),
            Json(json!({"location": "/a.txt"})),
            204,
        ),
        r(
            post.clone(),
            "/files/write?file=/a.txt",
            Some("file.create"),
            Raw("new text"),
            204,
        ),
        r(
            post.clone(),
            "/files/compress",
            Some("file.archive"),
            Json(json!({"root": "/", "files": ["a.txt"]})),
            200,
        ),
        r(
            post.clone(),
            "/files/decompress",
            Some("file.create"),
            Json(json!({"root": "/", "file": "archive.tar.gz"})),
            204,
        ),
        r(
            post.clone(),
            "/files/delete",
            Some("file.delete"),
            Json(json!({"root": "/", "files": ["a.txt"]})),
            204,
        ),
        r(
            post.clone(),
            "/files/create-folder",
            Some("file.create"),
            Json(json!({"root": "/", "name": "dir"})),
            204,
        ),
        r(
            post.clone(),
            "/files/chmod",
            Some("file.update"),
            Json(json!({"root": "/", "files": [{"file": "a.txt", "mode": "644"}]})),
            204,
        ),
        r(
            post.clone(),
            "/files/pull",
            Some("file.create"),
            Json(json!({"url": "https://example.com/file.zip", "directory": "/"})),
            204,
        ),
        r(
            get.clone(),
            "/files/upload",
            Some("file.create"),
            NoBody,
            200,
        ),
        r(get.clone(), "/startup", Some("startup.read"), NoBody, 200),
        r(
            put.clone(),
            "/startup/variable",
            Some("startup.update"),
            Json(json!({"key": "SERVER_NAME", "value": "Renamed"})),
            200,
        ),
        r(
            post.clone(),
            "/settings/rename",
            Some("settings.rename"),
            Json(json!({"name": "New name"})),
            204,
        ),
        r(
            post.clone(),
            "/settings/reinstall",
            Some("settings.reinstall"),
            NoBody,
            202,
        ),
        r(
            put.clone(),
            "/settings/docker-image",
            Some("startup.docker-image"),
            Json(json!({"docker_image": "aerie/minetest:latest"})),
            204,
        ),
        r(
            get.clone(),
            "/network/allocations",
            Some("allocation.read"),
            NoBody,
            200,
        ),
        r(
            post.clone(),
            "/network/allocations",
            Some("allocation.create"),
            NoBody,
            200,
        ),
        r(
            post.clone(),
            "/network/allocations/{a}",
            Some("allocation.update"),
            Json(json!({"notes": "game port"})),
            200,
        ),
        r(
            post.clone(),
            "/network/allocations/{a}/primary",
            Some("allocation.update"),
            NoBody,
            200,
        ),
        r(
            del,
            "/network/allocations/{a}",
            Some("allocation.delete"),
            NoBody,
            204,
        ),
    ]
}

fn expected(route: &Route, actor: Actor) -> u16 {
    match actor {
        Actor::Owner | Actor::SubuserWith | Actor::Admin => route.ok,
        Actor::SubuserWithout if route.permission.is_some() => 403,
        Actor::SubuserWithout => route.ok,
        Actor::Stranger => 404,
    }
}

async fn call(world: &World, route: &Route, fresh: &Fresh, actor: Actor) -> (u16, String) {
    let path = format!(
        "/api/client/servers/{}{}",
        fresh.server.uuid_short,
        route
            .path
            .replace("{a}", &fresh.secondary_allocation.to_string())
    );
    let mut req = world
        .panel
        .client
        .request(route.method.clone(), format!("{}{path}", world.panel.url))
        .bearer_auth(world.key(actor))
        .header("Accept", "application/json");
    req = match &route.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Raw(text) => req.header("Content-Type", "text/plain").body(*text),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn every_route_answers_each_actor_as_pterodactyl_does() {
    let world = World::new().await;
    let mut failures = Vec::new();
    for route in table() {
        for actor in ACTORS {
            let fresh = world.fresh(route.permission).await;
            let (status, body) = call(&world, &route, &fresh, actor).await;
            let want = expected(&route, actor);
            let label = format!("{} {} as {actor:?}", route.method, route.path);
            if status != want {
                failures.push(format!("{label}: expected {want}, got {status}: {body}"));
                continue;
            }
            if status == 403 {
                let v: Value = serde_json::from_str(&body).unwrap();
                let detail = v["errors"][0]["detail"].as_str().unwrap_or_default();
                let permission = route.permission.unwrap();
                if !detail.contains(permission) {
                    failures.push(format!(
                        "{label}: 403 does not name `{permission}`: {detail}"
                    ));
                }
                assert_eq!(v["errors"][0]["status"], "403", "{label}");
            }
            if status == 404 {
                let v: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["errors"][0]["code"], "NotFoundHttpException", "{label}");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn an_unknown_server_is_404_for_everyone_and_an_application_key_is_refused() {
    let world = World::new().await;
    let fresh = world.fresh(None).await;
    for actor in ACTORS {
        let (status, _) = world
            .panel
            .call_json(
                Method::GET,
                "/api/client/servers/00000000/resources",
                world.key(actor),
                None,
            )
            .await;
        assert_eq!(status, 404, "{actor:?}");
    }
    // Application keys never work on the client API, not even an administrator's.
    let admin = world
        .panel
        .db
        .users()
        .find_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    let app_key = world.panel.key(&admin, KeyType::Application).await;
    let (status, body) = world
        .panel
        .call_json(
            Method::GET,
            &format!("/api/client/servers/{}", fresh.server.uuid),
            &app_key,
            None,
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "You are attempting to use an application API key on an endpoint that requires a client API key."
    );
    // No credentials at all.
    let resp = world
        .panel
        .get(&format!("/api/client/servers/{}", fresh.server.uuid))
        .await;
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn a_suspended_server_blocks_everything_but_viewing_it() {
    let world = World::new().await;
    let fresh = world.fresh(Some("file.read")).await;
    world
        .panel
        .db
        .servers()
        .set_status(fresh.server.id, Some("suspended"))
        .await
        .unwrap();
    for actor in [Actor::Owner, Actor::SubuserWith, Actor::Admin] {
        for route in table() {
            let (status, body) = call(&world, &route, &fresh, actor).await;
            let allowed_anyway = route.path.is_empty()
                || route.path == "/resources"
                || (route.path == "/websocket" && actor == Actor::Admin);
            if allowed_anyway {
                assert_ne!(status, 409, "{} as {actor:?}: {body}", route.path);
            } else {
                assert_eq!(
                    status, 409,
                    "{} {} as {actor:?}: {body}",
                    route.method, route.path
                );
            }
        }
    }
    // Strangers still learn nothing.
    let (status, _) = call(&world, &table()[0], &fresh, Actor::Stranger).await;
    assert_eq!(status, 404);
}
