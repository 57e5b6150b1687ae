//! `/api/application/mounts` (Pelican's mounts API), black-box over HTTP, and the mounts a
//! node is told to bind into a server's container (`GET /api/remote/servers/{uuid}`, read
//! with wings' own client).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aerie_db::models::{ApiKeyPermissions, NewNode, Node};
use aerie_db::repo::eggs::Egg;
use aerie_db::repo::servers::{NewServer, Server};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use aerie_wings::config::WingsFile;
use aerie_wings::remote::RemoteClient;
use reqwest::Method;
use serde_json::{Value, json};

const MOUNTS: &str = "/api/application/mounts";

// ---- helpers -----------------------------------------------------------------------------

async fn setup() -> (TestPanel, aerie_db::models::User, String) {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    (p, admin, key)
}

fn assert_error(status: u16, body: &Value, want: u16, code: &str) {
    assert_eq!(status, want, "{body}");
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["status"], want.to_string(), "{body}");
    assert_eq!(errors[0]["code"], code, "{body}");
}

fn assert_validation(status: u16, body: &Value, field: &str, rule: &str) {
    assert_error(status, body, 422, "ValidationException");
    assert_eq!(
        body["errors"][0]["meta"],
        json!({"source_field": field, "rule": rule}),
        "{body}"
    );
}

/// The document's schema checks, as `tests/openapi.rs` does them for other resources.
struct Doc(Value);

impl Doc {
    async fn fetch(p: &TestPanel) -> Self {
        Self(p.get("/api/openapi.json").await.json().await.unwrap())
    }

    /// `path` as documented, relative to `/api/application`.
    fn check(&self, method: &str, path: &str, status: &str, body: &Value) {
        let path = format!("/api/application{path}");
        let op = &self.0["paths"][&path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let mut resp = op["responses"][status].clone();
        if let Some(r) = resp.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/responses/");
            resp = self.0["components"]["responses"][name].clone();
        }
        let schema = resp["content"]["application/json"]["schema"].clone();
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": self.0["components"],
        });
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{e} (at {})", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} ({status}):\n  {}\n{body}",
            errors.join("\n  ")
        );
    }
}

async fn create(p: &TestPanel, key: &str, body: Value) -> Value {
    let (status, body) = p.call_json(Method::POST, MOUNTS, key, Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body
}

fn mount_body(name: &str) -> Value {
    json!({"name": name, "source": format!("/mnt/{name}"), "target": format!("/mnt/{name}")})
}

async fn mount_count(p: &TestPanel, key: &str) -> u64 {
    let (_, body) = p.call_json(Method::GET, MOUNTS, key, None).await;
    body["meta"]["pagination"]["total"].as_u64().unwrap()
}

async fn node(p: &TestPanel, location_id: i64, name: &str) -> (Node, WingsFile) {
    let token_id = format!("tok{name:0>13}");
    let token = format!("{name}{}", "s".repeat(60));
    let node =
        p.db.nodes()
            .create(&NewNode {
                name: name.into(),
                description: None,
                location_id,
                fqdn: "127.0.0.1".into(),
                scheme: "http".into(),
                behind_proxy: false,
                public: true,
                memory: 8192,
                memory_overallocate: 0,
                disk: 100_000,
                disk_overallocate: 0,
                upload_size: 100,
                daemon_listen: 1,
                daemon_sftp: 2022,
                daemon_base: "/var/lib/pterodactyl/volumes".into(),
                daemon_token_id: token_id.clone(),
                daemon_token: token.clone(),
            })
            .await
            .unwrap();
    let file = WingsFile {
        remote: p.url.clone(),
        token_id,
        token,
        ..WingsFile::default()
    };
    (node, file)
}

async fn egg(p: &TestPanel, nest_id: i64, file: &str) -> Egg {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/eggs")
        .join(file);
    aerie_panel::services::eggs::import(&p.db, nest_id, &std::fs::read(path).unwrap())
        .await
        .unwrap()
}

async fn server(p: &TestPanel, node: &Node, egg: &Egg, owner: i64, port: i64) -> Server {
    let db = &p.db;
    db.allocations()
        .insert_ignore(node.id, "127.0.0.1", None, &[port])
        .await
        .unwrap();
    let (allocs, _) = db
        .allocations()
        .list_by_node(
            node.id,
            &aerie_db::repo::allocations::AllocationListQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let alloc = allocs.iter().find(|a| a.port == port).unwrap().id;
    let uuid = format!("{port:08x}-0000-4000-8000-{:012x}", node.id);
    let s = db
        .servers()
        .create(&NewServer {
            external_id: None,
            uuid: uuid.clone(),
            uuid_short: uuid[..8].to_owned(),
            node_id: node.id,
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
            nest_id: egg.nest_id,
            egg_id: egg.id,
            startup: "run".into(),
            image: "aerie/test".into(),
            allocation_limit: None,
            database_limit: 0,
            backup_limit: 0,
        })
        .await
        .unwrap();
    db.allocations().assign(&[alloc], s.id).await.unwrap();
    s
}

/// A location, two nodes, a nest with two eggs, and a server on the first node with the
/// first egg.
struct World {
    nodes: [(Node, WingsFile); 2],
    eggs: [Egg; 2],
    server: Server,
}

async fn world(p: &TestPanel, owner: i64) -> World {
    let loc = p.db.locations().create("here", None).await.unwrap();
    let n1 = node(p, loc.id, "one").await;
    let n2 = node(p, loc.id, "two").await;
    let nest = aerie_panel::services::eggs::create_nest(&p.db, "t@example.com", "Games", None)
        .await
        .unwrap();
    let e1 = egg(p, nest.id, "egg-minetest.json").await;
    let e2 = egg(p, nest.id, "egg-mumble.json").await;
    let server = server(p, &n1.0, &e1, owner, 30000).await;
    World {
        nodes: [n1, n2],
        eggs: [e1, e2],
        server,
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|i| i["attributes"]["id"].as_i64().unwrap())
        .collect()
}

// ---- tests -------------------------------------------------------------------------------

#[tokio::test]
async fn creates_views_updates_and_deletes_a_mount() {
    let (p, _admin, key) = setup().await;
    let doc = Doc::fetch(&p).await;
    let created = create(
        &p,
        &key,
        json!({
            "name": "  Shared maps ",
            "description": "Maps for every server",
            "source": "/mnt//maps/./shared/",
            "target": "/mnt/maps",
            "read_only": "1",
        }),
    )
    .await;
    doc.check("post", "/mounts", "201", &created);
    let a = &created["attributes"];
    let id = a["id"].as_i64().unwrap();
    let uuid = a["uuid"].as_str().unwrap().to_owned();
    assert_eq!(uuid.len(), 36);
    assert_eq!(
        created,
        json!({
            "object": "mount",
            "attributes": {
                "id": id,
                "uuid": uuid,
                "name": "Shared maps",
                "description": "Maps for every server",
                "source": "/mnt/maps/shared",
                "target": "/mnt/maps",
                "read_only": true,
                "user_mountable": false,
            },
            "meta": {"resource": format!("http://127.0.0.1/api/application/mounts/{id}")},
        })
    );

    let (status, view) = p
        .call_json(Method::GET, &format!("{MOUNTS}/{id}"), &key, None)
        .await;
    assert_eq!(status, 200, "{view}");
    doc.check("get", "/mounts/{id}", "200", &view);
    assert_eq!(view["attributes"], created["attributes"]);
    assert!(view.get("meta").is_none(), "{view}");

    let (status, list) = p.call_json(Method::GET, MOUNTS, &key, None).await;
    assert_eq!(status, 200, "{list}");
    doc.check("get", "/mounts", "200", &list);
    assert_eq!(
        list,
        json!({
            "object": "list",
            "data": [{"object": "mount", "attributes": created["attributes"]}],
            "meta": {"pagination": {"total": 1, "count": 1, "per_page": 50, "current_page": 1,
                                    "total_pages": 1, "links": {}}},
        })
    );

    // Only the fields sent change; "" clears the description.
    let (status, updated) = p
        .call_json(
            Method::PATCH,
            &format!("{MOUNTS}/{id}/"),
            &key,
            Some(json!({"description": "", "read_only": false, "user_mountable": 1})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    doc.check("patch", "/mounts/{id}", "200", &updated);
    let u = &updated["attributes"];
    assert_eq!(u["name"], "Shared maps");
    assert_eq!(u["source"], "/mnt/maps/shared");
    assert_eq!(u["description"], Value::Null);
    assert_eq!(u["read_only"], false);
    assert_eq!(u["user_mountable"], true);
    assert_eq!(u["uuid"], uuid.as_str());
    // Renaming to its own name is not a clash; an empty body changes nothing.
    for body in [json!({"name": "Shared maps"}), json!({})] {
        let (status, again) = p
            .call_json(Method::PATCH, &format!("{MOUNTS}/{id}"), &key, Some(body))
            .await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["attributes"], updated["attributes"]);
    }

    let (status, body) = p
        .call_json(Method::DELETE, &format!("{MOUNTS}/{id}"), &key, None)
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = p
        .call_json(Method::GET, &format!("{MOUNTS}/{id}"), &key, None)
        .await;
    assert_error(status, &body, 404, "NotFoundHttpException");
    assert_eq!(mount_count(&p, &key).await, 0);
}

#[tokio::test]
async fn lists_with_filters_sorts_and_pages() {
    let (p, _admin, key) = setup().await;
    let alpha = create(&p, &key, mount_body("alpha")).await;
    let _beta = create(&p, &key, mount_body("beta")).await;
    let _gamma = create(
        &p,
        &key,
        json!({"name": "gamma", "source": "/srv/share", "target": "/data"}),
    )
    .await;
    let names = |b: &Value| -> Vec<String> {
        b["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{b}"))
            .iter()
            .map(|i| i["attributes"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let uuid = alpha["attributes"]["uuid"].as_str().unwrap();
    for (q, want) in [
        ("filter[name]=ALP", vec!["alpha"]),
        ("filter[name]=alpha,gam", vec!["alpha", "gamma"]),
        ("filter[source]=/srv", vec!["gamma"]),
        ("filter[target]=/mnt/b", vec!["beta"]),
        (&format!("filter[uuid]={}", &uuid[..13]), vec!["alpha"]),
        ("sort=-id", vec!["gamma", "beta", "alpha"]),
        ("sort=-name", vec!["gamma", "beta", "alpha"]),
        ("sort=name", vec!["alpha", "beta", "gamma"]),
        ("per_page=2&page=2", vec!["gamma"]),
    ] {
        let (status, body) = p
            .call_json(Method::GET, &format!("{MOUNTS}?{q}"), &key, None)
            .await;
        assert_eq!(status, 200, "{q}: {body}");
        assert_eq!(names(&body), want, "{q}");
    }
    let (_, page) = p
        .call_json(Method::GET, &format!("{MOUNTS}?per_page=2"), &key, None)
        .await;
    assert_eq!(page["meta"]["pagination"]["total"], 3);
    assert_eq!(page["meta"]["pagination"]["total_pages"], 2);
    for q in ["filter[description]=x", "sort=source"] {
        let (status, body) = p
            .call_json(Method::GET, &format!("{MOUNTS}?{q}"), &key, None)
            .await;
        assert_error(status, &body, 400, "BadRequestHttpException");
    }
}

#[tokio::test]
async fn refuses_invalid_mounts_with_the_failing_rule() {
    let (p, _admin, key) = setup().await;
    create(&p, &key, mount_body("taken")).await;
    let ok = |extra: Value| -> Value {
        let mut b = json!({"name": "fine", "source": "/mnt/fine", "target": "/mnt/fine"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() && k.starts_with('-') {
                b.as_object_mut().unwrap().remove(&k[1..]);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let long_path = format!("/{}", "a".repeat(191));
    for (body, field, rule) in [
        (ok(json!({"-name": null})), "name", "required"),
        (ok(json!({"name": "   "})), "name", "required"),
        (ok(json!({"name": null})), "name", "required"),
        (ok(json!({"name": 5})), "name", "string"),
        (ok(json!({"name": "x"})), "name", "min"),
        (ok(json!({"name": "x".repeat(65)})), "name", "max"),
        (ok(json!({"name": "taken"})), "name", "unique"),
        (
            ok(json!({"description": "d".repeat(192)})),
            "description",
            "max",
        ),
        (ok(json!({"description": ["x"]})), "description", "string"),
        (ok(json!({"-source": null})), "source", "required"),
        (ok(json!({"source": ""})), "source", "required"),
        (ok(json!({"source": "mnt/fine"})), "source", "absolute_path"),
        (
            ok(json!({"source": "/mnt/../etc"})),
            "source",
            "absolute_path",
        ),
        (
            ok(json!({"source": "/mnt/a:/etc"})),
            "source",
            "absolute_path",
        ),
        (ok(json!({"source": long_path})), "source", "max"),
        (ok(json!({"source": "/"})), "source", "not_in"),
        (ok(json!({"source": "//"})), "source", "not_in"),
        (
            ok(json!({"source": "/etc/pterodactyl"})),
            "source",
            "not_in",
        ),
        (
            ok(json!({"source": "/etc/pterodactyl/"})),
            "source",
            "not_in",
        ),
        (
            ok(json!({"source": "/var/lib/pterodactyl/volumes/abc"})),
            "source",
            "not_in",
        ),
        (
            ok(json!({"source": "/srv/daemon-data"})),
            "source",
            "not_in",
        ),
        (ok(json!({"-target": null})), "target", "required"),
        (ok(json!({"target": "data"})), "target", "absolute_path"),
        (ok(json!({"target": "/home/container"})), "target", "not_in"),
        (
            ok(json!({"target": "/home//container/x"})),
            "target",
            "not_in",
        ),
        (ok(json!({"target": "/"})), "target", "not_in"),
        // Directories above wings' own, or above the server's volume.
        (ok(json!({"source": "/var"})), "source", "not_in"),
        (ok(json!({"source": "/var/lib/"})), "source", "not_in"),
        (ok(json!({"source": "/etc"})), "source", "not_in"),
        (ok(json!({"source": "/var/run"})), "source", "not_in"),
        (ok(json!({"target": "/home"})), "target", "not_in"),
        (ok(json!({"read_only": "yes"})), "read_only", "boolean"),
        (
            ok(json!({"user_mountable": 2})),
            "user_mountable",
            "boolean",
        ),
    ] {
        let (status, resp) = p
            .call_json(Method::POST, MOUNTS, &key, Some(body.clone()))
            .await;
        assert_validation(status, &resp, field, rule);
        assert!(
            !resp["errors"][0]["detail"].as_str().unwrap().is_empty(),
            "{resp}"
        );
    }
    assert_eq!(
        mount_count(&p, &key).await,
        1,
        "no invalid mount was stored"
    );

    // Near misses of the forbidden paths are fine.
    let near = create(
        &p,
        &key,
        json!({"name": "near", "source": "/var/lib/pterodactyl-maps", "target": "/home/containers"}),
    )
    .await;
    assert_eq!(near["attributes"]["target"], "/home/containers");

    // Updates: the same rules on the fields sent, and a name clash with another mount.
    let id = near["attributes"]["id"].as_i64().unwrap();
    for (body, field, rule) in [
        (json!({"name": ""}), "name", "required"),
        (json!({"name": "taken"}), "name", "unique"),
        (json!({"source": null}), "source", "required"),
        (json!({"target": "/home/container"}), "target", "not_in"),
        (json!({"source": "relative"}), "source", "absolute_path"),
    ] {
        let (status, resp) = p
            .call_json(Method::PATCH, &format!("{MOUNTS}/{id}"), &key, Some(body))
            .await;
        assert_validation(status, &resp, field, rule);
    }
    let (_, after) = p
        .call_json(Method::GET, &format!("{MOUNTS}/{id}"), &key, None)
        .await;
    assert_eq!(after["attributes"], near["attributes"]);

    // Malformed JSON is a 400.
    let resp = p
        .client
        .post(format!("{}{MOUNTS}", p.url))
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn unknown_mounts_are_404() {
    let (p, _admin, key) = setup().await;
    let m = create(&p, &key, mount_body("real")).await;
    let id = m["attributes"]["id"].as_i64().unwrap();
    let missing = id + 1000;
    for (method, path, body) in [
        (Method::GET, format!("{MOUNTS}/{missing}"), None),
        (Method::GET, format!("{MOUNTS}/nil"), None),
        (
            Method::PATCH,
            format!("{MOUNTS}/{missing}"),
            Some(json!({"name": "zz"})),
        ),
        (Method::DELETE, format!("{MOUNTS}/{missing}"), None),
        (Method::GET, format!("{MOUNTS}/{missing}/eggs"), None),
        (Method::GET, format!("{MOUNTS}/{missing}/nodes"), None),
        (Method::GET, format!("{MOUNTS}/{missing}/servers"), None),
        (
            Method::POST,
            format!("{MOUNTS}/{missing}/eggs"),
            Some(json!({"eggs": [1]})),
        ),
        (
            Method::POST,
            format!("{MOUNTS}/{missing}/servers"),
            Some(json!({"servers": [1]})),
        ),
        (Method::DELETE, format!("{MOUNTS}/{missing}/nodes/1"), None),
        (Method::DELETE, format!("{MOUNTS}/{id}/nodes/abc"), None),
        (Method::DELETE, format!("{MOUNTS}/{id}/servers/-1"), None),
    ] {
        let (status, resp) = p.call_json(method.clone(), &path, &key, body).await;
        assert_error(status, &resp, 404, "NotFoundHttpException");
    }
    assert_eq!(mount_count(&p, &key).await, 1);
}

#[tokio::test]
async fn keys_need_the_mounts_bit() {
    let (p, admin, key) = setup().await;
    let w = world(&p, admin.id).await;
    let m = create(&p, &key, mount_body("guarded")).await;
    let id = m["attributes"]["id"].as_i64().unwrap();
    let egg = w.eggs[0].id;
    let by_id = format!("{MOUNTS}/{id}");
    let reads = [
        MOUNTS.to_owned(),
        by_id.clone(),
        format!("{by_id}/eggs"),
        format!("{by_id}/nodes"),
        format!("{by_id}/servers"),
        format!("{MOUNTS}/999999"),
    ];
    let writes: Vec<(Method, String, Value)> = vec![
        (Method::POST, MOUNTS.to_owned(), mount_body("sneaky")),
        (Method::PATCH, by_id.clone(), json!({"name": "renamed"})),
        (Method::DELETE, by_id.clone(), json!({})),
        (
            Method::POST,
            format!("{by_id}/eggs"),
            json!({"eggs": [egg]}),
        ),
        (
            Method::POST,
            format!("{by_id}/nodes"),
            json!({"nodes": [w.nodes[0].0.id]}),
        ),
        (
            Method::POST,
            format!("{by_id}/servers"),
            json!({"servers": [w.server.id]}),
        ),
        (Method::DELETE, format!("{by_id}/eggs/{egg}"), json!({})),
        (Method::DELETE, format!("{by_id}/nodes/1"), json!({})),
        (Method::DELETE, format!("{by_id}/servers/1"), json!({})),
    ];

    let none = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                mounts: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    for path in &reads {
        let (status, body) = p.call_json(Method::GET, path, &none, None).await;
        assert_error(status, &body, 403, "AccessDeniedHttpException");
    }
    for (method, path, body) in &writes {
        let (status, resp) = p
            .call_json(method.clone(), path, &none, Some(body.clone()))
            .await;
        assert_error(status, &resp, 403, "AccessDeniedHttpException");
    }

    let read = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                mounts: 1,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    for path in &reads[..5] {
        let (status, body) = p.call_json(Method::GET, path, &read, None).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    for (method, path, body) in &writes {
        let (status, resp) = p
            .call_json(method.clone(), path, &read, Some(body.clone()))
            .await;
        assert_error(status, &resp, 403, "AccessDeniedHttpException");
    }

    // Nothing changed.
    let (_, after) = p
        .call_json(
            Method::GET,
            &format!("{by_id}?include=eggs,nodes,servers"),
            &key,
            None,
        )
        .await;
    assert_eq!(after["attributes"]["name"], "guarded");
    for rel in ["eggs", "nodes", "servers"] {
        assert_eq!(
            ids(&after["attributes"]["relationships"][rel]),
            Vec::<i64>::new()
        );
    }
    assert_eq!(mount_count(&p, &key).await, 1);

    // A browser session's user who is not an admin has no application API at all; a
    // non-admin's client key neither.
    let user = p.user("plain", false).await;
    let client_key = p.key(&user, KeyType::Client).await;
    let (status, body) = p.call_json(Method::GET, MOUNTS, &client_key, None).await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn links_eggs_nodes_and_servers() {
    let (p, admin, key) = setup().await;
    let doc = Doc::fetch(&p).await;
    let w = world(&p, admin.id).await;
    let m = create(&p, &key, mount_body("linked")).await;
    let id = m["attributes"]["id"].as_i64().unwrap();
    let by_id = format!("{MOUNTS}/{id}");
    let (e1, e2) = (w.eggs[0].id, w.eggs[1].id);
    let (n1, n2) = (w.nodes[0].0.id, w.nodes[1].0.id);
    let s1 = w.server.id;

    // Validation of the id lists; an unknown id links nothing.
    for (path, body, field, rule) in [
        ("eggs", json!({}), "eggs", "required"),
        ("eggs", json!({"eggs": []}), "eggs", "required"),
        ("eggs", json!({"eggs": null}), "eggs", "required"),
        ("eggs", json!({"eggs": e1}), "eggs", "array"),
        ("eggs", json!({"eggs": [e1, "x"]}), "eggs.1", "integer"),
        ("eggs", json!({"eggs": [e1, 99999]}), "eggs", "exists"),
        ("nodes", json!({"nodes": [n1, 99999]}), "nodes", "exists"),
        ("nodes", json!({"eggs": [n1]}), "nodes", "required"),
        ("servers", json!({"servers": [99999]}), "servers", "exists"),
        ("servers", json!({"servers": [1.5]}), "servers.0", "integer"),
        (
            "servers",
            json!({"servers": vec![1; 40_000]}),
            "servers",
            "max",
        ),
    ] {
        let (status, resp) = p
            .call_json(Method::POST, &format!("{by_id}/{path}"), &key, Some(body))
            .await;
        assert_validation(status, &resp, field, rule);
    }
    let (_, none) = p
        .call_json(
            Method::GET,
            &format!("{by_id}?include=eggs,nodes,servers"),
            &key,
            None,
        )
        .await;
    for rel in ["eggs", "nodes", "servers"] {
        assert_eq!(
            ids(&none["attributes"]["relationships"][rel]),
            Vec::<i64>::new()
        );
    }

    // Linking answers the mount; linking again (and duplicates, and ids as strings) is fine.
    for (path, body) in [
        ("eggs", json!({"eggs": [e2, e1, e1]})),
        ("eggs", json!({"eggs": [e1.to_string()]})),
        ("nodes", json!({"nodes": [n1, n2]})),
        ("servers", json!({"servers": [s1]})),
        ("servers", json!({"servers": [s1]})),
    ] {
        let (status, resp) = p
            .call_json(Method::POST, &format!("{by_id}/{path}"), &key, Some(body))
            .await;
        assert_eq!(status, 200, "{resp}");
        doc.check("post", &format!("/mounts/{{id}}/{path}"), "200", &resp);
        assert_eq!(resp["attributes"], m["attributes"]);
    }

    let (status, full) = p
        .call_json(
            Method::GET,
            &format!("{by_id}?include=eggs,nodes,servers"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{full}");
    doc.check("get", "/mounts/{id}", "200", &full);
    let rel = &full["attributes"]["relationships"];
    assert_eq!(ids(&rel["eggs"]), vec![e1, e2]);
    assert_eq!(rel["eggs"]["data"][0]["object"], "egg");
    assert_eq!(ids(&rel["nodes"]), vec![n1, n2]);
    assert_eq!(rel["nodes"]["data"][0]["object"], "node");
    assert_eq!(ids(&rel["servers"]), vec![s1]);
    assert_eq!(rel["servers"]["data"][0]["object"], "server");
    assert_eq!(
        rel["servers"]["data"][0]["attributes"]["uuid"],
        w.server.uuid.as_str()
    );

    // The list includes per mount: another mount has none of them.
    let other = create(&p, &key, mount_body("other")).await;
    let (_, list) = p
        .call_json(
            Method::GET,
            &format!("{MOUNTS}?include=eggs,nodes,servers"),
            &key,
            None,
        )
        .await;
    doc.check("get", "/mounts", "200", &list);
    assert_eq!(
        ids(&list["data"][0]["attributes"]["relationships"]["eggs"]),
        vec![e1, e2]
    );
    assert_eq!(
        list["data"][1]["attributes"]["id"],
        other["attributes"]["id"]
    );
    assert_eq!(
        ids(&list["data"][1]["attributes"]["relationships"]["nodes"]),
        Vec::<i64>::new()
    );

    // The linked-item lists.
    for (path, want) in [
        ("eggs", vec![e1, e2]),
        ("nodes", vec![n1, n2]),
        ("servers", vec![s1]),
    ] {
        let (status, list) = p
            .call_json(Method::GET, &format!("{by_id}/{path}"), &key, None)
            .await;
        assert_eq!(status, 200, "{list}");
        doc.check("get", &format!("/mounts/{{id}}/{path}"), "200", &list);
        assert_eq!(ids(&list), want, "{path}");
    }

    // An include the key may not read is a null resource; its list is a 403.
    let no_eggs = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                eggs: 0,
                servers: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let (_, partial) = p
        .call_json(
            Method::GET,
            &format!("{by_id}?include=eggs,nodes,servers"),
            &no_eggs,
            None,
        )
        .await;
    doc.check("get", "/mounts/{id}", "200", &partial);
    let rel = &partial["attributes"]["relationships"];
    assert_eq!(
        rel["eggs"],
        json!({"object": "null_resource", "attributes": null})
    );
    assert_eq!(
        rel["servers"],
        json!({"object": "null_resource", "attributes": null})
    );
    assert_eq!(ids(&rel["nodes"]), vec![n1, n2]);
    for path in ["eggs", "servers"] {
        let (status, body) = p
            .call_json(Method::GET, &format!("{by_id}/{path}"), &no_eggs, None)
            .await;
        assert_error(status, &body, 403, "AccessDeniedHttpException");
    }

    // Unlinking: 204, also for something not linked.
    for path in [
        format!("{by_id}/eggs/{e2}"),
        format!("{by_id}/eggs/{e2}"),
        format!("{by_id}/nodes/{n2}"),
        format!("{by_id}/servers/{s1}"),
    ] {
        let (status, body) = p.call_json(Method::DELETE, &path, &key, None).await;
        assert_eq!((status, body), (204, Value::Null), "{path}");
    }
    let (_, after) = p
        .call_json(
            Method::GET,
            &format!("{by_id}?include=eggs,nodes,servers"),
            &key,
            None,
        )
        .await;
    let rel = &after["attributes"]["relationships"];
    assert_eq!(ids(&rel["eggs"]), vec![e1]);
    assert_eq!(ids(&rel["nodes"]), vec![n1]);
    assert_eq!(ids(&rel["servers"]), Vec::<i64>::new());

    // Deleting a mount still attached to a server detaches it (as Pterodactyl does); the
    // server, eggs and nodes stay.
    let (status, _) = p
        .call_json(
            Method::POST,
            &format!("{by_id}/servers"),
            &key,
            Some(json!({"servers": [s1]})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = p.call_json(Method::DELETE, &by_id, &key, None).await;
    assert_eq!(status, 204);
    assert!(p.db.servers().find(s1).await.unwrap().is_some());
    assert!(p.db.eggs().find(e1).await.unwrap().is_some());
    assert!(
        p.db.mounts()
            .attached_to_server(s1)
            .await
            .unwrap()
            .is_empty()
    );
    // A new mount re-using the id space starts with no links.
    let fresh = create(&p, &key, mount_body("fresh")).await;
    let (_, fresh) = p
        .call_json(
            Method::GET,
            &format!("{MOUNTS}/{}?include=servers", fresh["attributes"]["id"]),
            &key,
            None,
        )
        .await;
    assert_eq!(
        ids(&fresh["attributes"]["relationships"]["servers"]),
        Vec::<i64>::new()
    );

    // Deleting a server, egg or node removes it from its mounts.
    let (status, _) = p
        .call_json(
            Method::POST,
            &format!("{MOUNTS}/{}/eggs", other["attributes"]["id"]),
            &key,
            Some(json!({"eggs": [e2]})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(p.db.eggs().delete(e2).await.unwrap());
    let (_, o) = p
        .call_json(
            Method::GET,
            &format!("{MOUNTS}/{}/eggs", other["attributes"]["id"]),
            &key,
            None,
        )
        .await;
    assert_eq!(ids(&o), Vec::<i64>::new());
}

#[tokio::test]
async fn wings_gets_exactly_the_mounts_that_apply() {
    let (p, admin, key) = setup().await;
    let w = world(&p, admin.id).await;
    let (e1, e2) = (w.eggs[0].id, w.eggs[1].id);
    let (n1, n2) = (w.nodes[0].0.id, w.nodes[1].0.id);
    let s1 = w.server.id;
    let client = RemoteClient::new(&w.nodes[0].1).unwrap();

    // Before any mount: none.
    let doc = client.get_server(&w.server.uuid).await.unwrap();
    assert!(doc.settings.mounts.is_empty());

    let mount = async |name: &str,
                       read_only: bool,
                       eggs: &[i64],
                       nodes: &[i64],
                       servers: &[i64]| {
        let m = create(
            &p,
            &key,
            json!({"name": name, "source": format!("/srv/{name}"), "target": format!("/data/{name}"),
                   "read_only": read_only}),
        )
        .await;
        let id = m["attributes"]["id"].as_i64().unwrap();
        for (path, list) in [("eggs", eggs), ("nodes", nodes), ("servers", servers)] {
            if !list.is_empty() {
                let (status, body) = p
                    .call_json(
                        Method::POST,
                        &format!("{MOUNTS}/{id}/{path}"),
                        &key,
                        Some(json!({ path: list })),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
            }
        }
        id
    };
    // Applies: attached, and linked to the server's node and egg (among others).
    let applies = mount("applies", true, &[e1, e2], &[n1, n2], &[s1]).await;
    let also = mount("also", false, &[e1], &[n1], &[s1]).await;
    // Attached, but not linked to the server's node / egg / either.
    let wrong_node = mount("wrong-node", false, &[e1], &[n2], &[s1]).await;
    let _wrong_egg = mount("wrong-egg", false, &[e2], &[n1], &[s1]).await;
    let _unlinked = mount("unlinked", false, &[], &[], &[s1]).await;
    // Linked to node and egg but not attached to the server.
    let _not_attached = mount("not-attached", false, &[e1], &[n1], &[]).await;

    let want = |names: &[(&str, bool)]| -> Vec<(String, String, bool)> {
        names
            .iter()
            .map(|(n, ro)| (format!("/srv/{n}"), format!("/data/{n}"), *ro))
            .collect()
    };
    let got = |doc: &aerie_proto::wings::RemoteServer| -> Vec<(String, String, bool)> {
        doc.settings
            .mounts
            .iter()
            .map(|m| (m.source.clone(), m.target.clone(), m.read_only))
            .collect()
    };
    let one = client.get_server(&w.server.uuid).await.unwrap();
    assert_eq!(got(&one), want(&[("applies", true), ("also", false)]));
    // The boot-time list says the same.
    let all = client.list_servers().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(got(&all[0]), got(&one));
    // The raw JSON wings reads has Pterodactyl's keys.
    let raw: Value = p
        .client
        .get(format!("{}/api/remote/servers/{}", p.url, w.server.uuid))
        .bearer_auth(format!("{}.{}", w.nodes[0].1.token_id, w.nodes[0].1.token))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        raw["settings"]["mounts"],
        json!([
            {"source": "/srv/applies", "target": "/data/applies", "read_only": true},
            {"source": "/srv/also", "target": "/data/also", "read_only": false},
        ])
    );

    // Linking the missing node makes a mount apply; unlinking the egg or detaching the
    // server, or deleting the mount, makes it stop.
    let (status, _) = p
        .call_json(
            Method::POST,
            &format!("{MOUNTS}/{wrong_node}/nodes"),
            &key,
            Some(json!({"nodes": [n1]})),
        )
        .await;
    assert_eq!(status, 200);
    let one = client.get_server(&w.server.uuid).await.unwrap();
    assert_eq!(
        got(&one),
        want(&[("applies", true), ("also", false), ("wrong-node", false)])
    );
    for path in [
        format!("{MOUNTS}/{applies}/eggs/{e1}"),
        format!("{MOUNTS}/{also}/servers/{s1}"),
        format!("{MOUNTS}/{wrong_node}"),
    ] {
        let (status, _) = p.call_json(Method::DELETE, &path, &key, None).await;
        assert_eq!(status, 204, "{path}");
    }
    let one = client.get_server(&w.server.uuid).await.unwrap();
    assert!(got(&one).is_empty(), "{:?}", got(&one));
}
