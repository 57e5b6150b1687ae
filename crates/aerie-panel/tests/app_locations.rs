//! `/api/application/locations`: the behaviour of Pterodactyl's `LocationControllerTest`,
//! black-box over HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aerie_db::models::{ApiKeyPermissions, Location, NewNode, Node};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use reqwest::Method;
use serde_json::{Value, json};

async fn setup() -> (TestPanel, aerie_db::models::User, String) {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    (p, admin, key)
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| (*s).to_owned()).collect();
    k.sort();
    k
}

fn atom(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

fn expected(l: &Location) -> Value {
    json!({
        "id": l.id,
        "short": l.short,
        "long": l.long,
        "updated_at": atom(&l.updated_at),
        "created_at": atom(&l.created_at),
    })
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

async fn node(p: &TestPanel, location_id: i64, name: &str) -> Node {
    p.db.nodes()
        .create(&NewNode {
            name: name.into(),
            description: Some("a node".into()),
            location_id,
            fqdn: format!("{name}.example.com"),
            scheme: "https".into(),
            behind_proxy: false,
            public: true,
            memory: 8192,
            memory_overallocate: 0,
            disk: 100_000,
            disk_overallocate: 10,
            upload_size: 100,
            daemon_listen: 8080,
            daemon_sftp: 2022,
            daemon_base: "/var/lib/pterodactyl/volumes".into(),
            daemon_token_id: format!("{name:x<16}"),
            daemon_token: "t".repeat(64),
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn lists_locations() {
    let (p, _admin, key) = setup().await;
    let a =
        p.db.locations()
            .create("us.east", Some("Virginia"))
            .await
            .unwrap();
    let b = p.db.locations().create("eu", None).await.unwrap();

    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/locations?per_page=60",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "object": "list",
            "data": [
                {"object": "location", "attributes": expected(&a)},
                {"object": "location", "attributes": expected(&b)},
            ],
            "meta": {"pagination": {"total": 2, "count": 2, "per_page": 60, "current_page": 1,
                                    "total_pages": 1, "links": {}}},
        })
    );

    // Filters (partial), sort, and the trailing-slash form.
    let shorts = |b: &Value| -> Vec<String> {
        b["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["attributes"]["short"].as_str().unwrap().to_owned())
            .collect()
    };
    for (q, want) in [
        ("filter[short]=EAST", vec!["us.east"]),
        ("filter[long]=virg", vec!["us.east"]),
        ("filter[short]=u", vec!["us.east", "eu"]),
        ("sort=-id", vec!["eu", "us.east"]),
        ("sort=id", vec!["us.east", "eu"]),
    ] {
        let (status, body) = p
            .call_json(
                Method::GET,
                &format!("/api/application/locations/?{q}"),
                &key,
                None,
            )
            .await;
        assert_eq!(status, 200, "{q}: {body}");
        assert_eq!(shorts(&body), want, "{q}");
    }
    for q in ["filter[name]=x", "sort=short"] {
        let (status, body) = p
            .call_json(
                Method::GET,
                &format!("/api/application/locations?{q}"),
                &key,
                None,
            )
            .await;
        assert_eq!(status, 400, "{q}: {body}");
    }
}

#[tokio::test]
async fn gets_a_single_location() {
    let (p, _admin, key) = setup().await;
    let l =
        p.db.locations()
            .create("single", Some("One"))
            .await
            .unwrap();
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/locations/{}", l.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"object": "location", "attributes": expected(&l)})
    );

    for path in [
        "/api/application/locations/nil",
        "/api/application/locations/4040",
    ] {
        let (status, body) = p.call_json(Method::GET, path, &key, None).await;
        assert_error(status, &body, 404, "NotFoundHttpException");
    }
}

#[tokio::test]
async fn keys_without_the_locations_bit_are_refused() {
    let (p, admin, _key) = setup().await;
    let l = p.db.locations().create("hidden", None).await.unwrap();
    let none = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                locations: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    for path in [
        "/api/application/locations".to_owned(),
        format!("/api/application/locations/{}", l.id),
        "/api/application/locations/nil".to_owned(),
    ] {
        let (status, body) = p.call_json(Method::GET, &path, &none, None).await;
        assert_error(status, &body, 403, "AccessDeniedHttpException");
    }

    let read = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                locations: 1,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let by_id = format!("/api/application/locations/{}", l.id);
    for (method, path) in [
        (Method::POST, "/api/application/locations"),
        (Method::PATCH, by_id.as_str()),
        (Method::DELETE, by_id.as_str()),
    ] {
        let (status, body) = p
            .call_json(method, path, &read, Some(json!({"short": "nope"})))
            .await;
        assert_error(status, &body, 403, "AccessDeniedHttpException");
    }
    assert!(p.db.locations().find(l.id).await.unwrap().is_some());
    assert!(
        p.db.locations()
            .find_by_short("nope")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn creates_a_location() {
    let (p, _admin, key) = setup().await;
    let (status, body) = p
        .call_json(
            Method::POST,
            "/api/application/locations",
            &key,
            Some(json!({"short": "inhouse", "long": "This is my inhouse location"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let l =
        p.db.locations()
            .find_by_short("inhouse")
            .await
            .unwrap()
            .unwrap();
    assert_eq!(l.long.as_deref(), Some("This is my inhouse location"));
    assert_eq!(
        body,
        json!({
            "object": "location",
            "attributes": expected(&l),
            "meta": {"resource": format!("http://127.0.0.1/api/application/locations/{}", l.id)},
        })
    );

    // py-dactyl's field names.
    let (status, body) = p
        .call_json(
            Method::POST,
            "/api/application/locations",
            &key,
            Some(json!({"shortcode": "pyd", "description": "From py-dactyl"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attributes"]["short"], "pyd");
    assert_eq!(body["attributes"]["long"], "From py-dactyl");

    for (payload, field, rule) in [
        (json!({}), "short", "required"),
        (json!({"short": ""}), "short", "required"),
        (json!({"short": null, "long": "x"}), "short", "required"),
        (json!({"short": "x".repeat(61)}), "short", "between"),
        (json!({"short": "inhouse"}), "short", "unique"),
        (
            json!({"short": "ok", "long": "y".repeat(192)}),
            "long",
            "between",
        ),
        (json!({"short": 5}), "short", "string"),
    ] {
        let (status, body) = p
            .call_json(
                Method::POST,
                "/api/application/locations",
                &key,
                Some(payload),
            )
            .await;
        assert_validation(status, &body, field, rule);
    }
    assert!(
        p.db.locations()
            .find_by_short("ok")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn updates_a_location() {
    let (p, _admin, key) = setup().await;
    let l = p.db.locations().create("old", Some("Old")).await.unwrap();
    p.db.locations().create("other", None).await.unwrap();
    let path = format!("/api/application/locations/{}", l.id);

    let (status, body) = p
        .call_json(
            Method::PATCH,
            &path,
            &key,
            Some(json!({"short": "new inhouse", "long": "This is my new inhouse location"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh = p.db.locations().find(l.id).await.unwrap().unwrap();
    assert_eq!(fresh.short, "new inhouse");
    assert_eq!(
        body,
        json!({"object": "location", "attributes": expected(&fresh)})
    );

    // Only the fields given change; the same short is not a conflict with itself.
    let (status, body) = p
        .call_json(
            Method::PATCH,
            &path,
            &key,
            Some(json!({"short": "new inhouse", "long": null})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["attributes"]["short"], "new inhouse");
    assert_eq!(body["attributes"]["long"], Value::Null);

    for (payload, field, rule) in [
        (json!({"short": "other"}), "short", "unique"),
        (json!({"short": ""}), "short", "required"),
        (json!({"short": "z".repeat(61)}), "short", "between"),
    ] {
        let (status, body) = p.call_json(Method::PATCH, &path, &key, Some(payload)).await;
        assert_validation(status, &body, field, rule);
    }
    let (status, body) = p
        .call_json(
            Method::PATCH,
            "/api/application/locations/999",
            &key,
            Some(json!({"short": "ghost"})),
        )
        .await;
    assert_error(status, &body, 404, "NotFoundHttpException");
}

#[tokio::test]
async fn deletes_a_location_unless_nodes_use_it() {
    let (p, _admin, key) = setup().await;
    let empty = p.db.locations().create("empty", None).await.unwrap();
    let busy = p.db.locations().create("busy", None).await.unwrap();
    node(&p, busy.id, "alpha").await;

    let resp = p
        .call(
            Method::DELETE,
            &format!("/api/application/locations/{}", empty.id),
            &key,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert!(resp.text().await.unwrap().is_empty());
    assert!(p.db.locations().find(empty.id).await.unwrap().is_none());

    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/locations/{}", busy.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "Cannot delete a location that has active nodes attached to it."
    );
    assert!(p.db.locations().find(busy.id).await.unwrap().is_some());

    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/locations/{}", empty.id),
            &key,
            None,
        )
        .await;
    assert_error(status, &body, 404, "NotFoundHttpException");
}

#[tokio::test]
async fn includes_nodes_and_servers() {
    let (p, admin, key) = setup().await;
    let l = p.db.locations().create("with", None).await.unwrap();
    let elsewhere = p.db.locations().create("elsewhere", None).await.unwrap();
    let n = node(&p, l.id, "alpha").await;
    node(&p, elsewhere.id, "beta").await;

    let path = format!("/api/application/locations/{}?include=servers,nodes", l.id);
    let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "attributes"]));
    let rel = &body["attributes"]["relationships"];
    assert_eq!(keys(rel), sorted(&["nodes", "servers"]));
    assert_eq!(rel["servers"], json!({"object": "list", "data": []}));
    assert_eq!(rel["nodes"]["object"], "list");
    let nodes = rel["nodes"]["data"].as_array().unwrap();
    assert_eq!(nodes.len(), 1, "only this location's nodes");
    assert_eq!(nodes[0]["object"], "node");
    assert_eq!(
        nodes[0]["attributes"],
        json!({
            "id": n.id, "uuid": n.uuid, "public": true, "name": "alpha",
            "description": "a node", "location_id": l.id, "fqdn": "alpha.example.com",
            "scheme": "https", "behind_proxy": false, "maintenance_mode": false,
            "memory": 8192, "memory_overallocate": 0, "disk": 100_000,
            "disk_overallocate": 10, "upload_size": 100, "daemon_listen": 8080,
            "daemon_sftp": 2022, "daemon_base": "/var/lib/pterodactyl/volumes",
            "created_at": atom(&n.created_at), "updated_at": atom(&n.updated_at),
            "allocated_resources": {"memory": 0, "disk": 0},
        })
    );

    // The list endpoint includes per location.
    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/locations?include=nodes",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(
        data[0]["attributes"]["relationships"]["nodes"]["data"][0]["attributes"]["name"],
        "alpha"
    );
    assert_eq!(
        data[1]["attributes"]["relationships"]["nodes"]["data"][0]["attributes"]["name"],
        "beta"
    );

    // A key without the nodes bit gets a null resource in place of the nodes.
    let no_nodes = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                nodes: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let path = format!("/api/application/locations/{}?include=nodes", l.id);
    let (status, body) = p.call_json(Method::GET, &path, &no_nodes, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["attributes"]["relationships"],
        json!({"nodes": {"object": "null_resource", "attributes": null}})
    );
}

/// A nest, egg, allocation and a 1024 MiB / 2048 MiB server owned by `owner_id` on `node`.
async fn server(
    p: &TestPanel,
    owner_id: i64,
    node: &Node,
    port: i64,
) -> aerie_db::repo::servers::Server {
    let tag = format!("{}-{port}", node.name);
    let nest =
        p.db.nests()
            .create("test@example.com", &tag, None)
            .await
            .unwrap();
    let egg =
        p.db.eggs()
            .create(
                nest.id,
                None,
                &aerie_db::repo::eggs::EggFields {
                    author: "test@example.com".into(),
                    name: tag.clone(),
                    description: None,
                    features: None,
                    docker_images: r#"{"Alpine":"alpine:3"}"#.into(),
                    file_denylist: None,
                    update_url: None,
                    config_files: None,
                    config_startup: None,
                    config_logs: None,
                    config_stop: None,
                    config_from: None,
                    startup: Some("./run".into()),
                    script_container: "alpine:3".into(),
                    copy_script_from: None,
                    script_entry: "ash".into(),
                    script_is_privileged: true,
                    script_install: None,
                    force_outgoing_ip: false,
                },
                &[],
            )
            .await
            .unwrap();
    p.db.allocations()
        .insert_ignore(node.id, "127.0.0.1", None, &[port])
        .await
        .unwrap();
    let allocation =
        p.db.allocations()
            .list_by_nodes(&[node.id])
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.port == port)
            .unwrap();
    let uuid = uuid::Uuid::new_v4().to_string();
    p.db.servers()
        .create(&aerie_db::repo::servers::NewServer {
            external_id: Some(format!("ext-{tag}")),
            uuid_short: uuid[..8].to_owned(),
            uuid,
            node_id: node.id,
            name: tag,
            description: Some("test server".into()),
            status: None,
            skip_scripts: false,
            owner_id,
            memory: 1024,
            swap: 0,
            disk: 2048,
            io: 500,
            cpu: 0,
            threads: None,
            oom_disabled: true,
            allocation_id: allocation.id,
            nest_id: nest.id,
            egg_id: egg.id,
            startup: "./run".into(),
            image: "alpine:3".into(),
            allocation_limit: None,
            database_limit: 0,
            backup_limit: 0,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn includes_the_servers_on_a_locations_nodes() {
    let (p, admin, key) = setup().await;
    let here = p.db.locations().create("here", None).await.unwrap();
    let there = p.db.locations().create("there", None).await.unwrap();
    let a = node(&p, here.id, "alpha").await;
    let b = node(&p, there.id, "beta").await;
    let s1 = server(&p, admin.id, &a, 25565).await;
    let s2 = server(&p, admin.id, &a, 25566).await;
    server(&p, admin.id, &b, 25567).await;

    let path = format!(
        "/api/application/locations/{}?include=servers,nodes",
        here.id
    );
    let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
    assert_eq!(status, 200, "{body}");
    let rel = &body["attributes"]["relationships"];
    let ids: Vec<i64> = rel["servers"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attributes"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [s1.id, s2.id], "only servers on this location's nodes");
    let first = &rel["servers"]["data"][0];
    assert_eq!(first["object"], "server");
    assert_eq!(first["attributes"]["uuid"], s1.uuid);
    assert_eq!(first["attributes"]["identifier"], s1.uuid_short);
    assert_eq!(first["attributes"]["name"], s1.name);
    assert_eq!(first["attributes"]["node"], a.id);
    assert_eq!(first["attributes"]["container"]["image"], "alpine:3");
    assert_eq!(first["attributes"]["limits"]["disk"], 2048);
    assert_eq!(
        rel["nodes"]["data"][0]["attributes"]["allocated_resources"],
        json!({"memory": 2048, "disk": 4096})
    );

    // A key without the servers bit gets a null resource.
    let no_servers = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                servers: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let (status, body) = p.call_json(Method::GET, &path, &no_servers, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["attributes"]["relationships"]["servers"],
        json!({"object": "null_resource", "attributes": null})
    );
    assert_eq!(
        body["attributes"]["relationships"]["nodes"]["object"],
        "list"
    );
}
