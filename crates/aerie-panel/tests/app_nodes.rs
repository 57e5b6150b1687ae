//! `/api/application/nodes` and `/api/application/nodes/{id}/allocations`, black-box over
//! HTTP. Pterodactyl ships no application-API tests for nodes or allocations, so these
//! follow its controllers, form requests and services (`NodeController`,
//! `NodeDeploymentController`, `AllocationController`, `AssignmentService`,
//! `FindViableNodesService`, `AllocationSelectionService`) and the style of its
//! `LocationControllerTest`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aerie_db::models::{ApiKeyPermissions, User};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use reqwest::Method;
use serde_json::{Value, json};

const NODE_KEYS: [&str; 21] = [
    "id",
    "uuid",
    "public",
    "name",
    "description",
    "location_id",
    "fqdn",
    "scheme",
    "behind_proxy",
    "maintenance_mode",
    "memory",
    "memory_overallocate",
    "disk",
    "disk_overallocate",
    "upload_size",
    "daemon_listen",
    "daemon_sftp",
    "daemon_base",
    "created_at",
    "updated_at",
    "allocated_resources",
];

async fn setup() -> (TestPanel, User, String) {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    (p, admin, key)
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| (*s).to_owned()).collect();
    k.sort();
    k
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

fn assert_not_found(status: u16, body: &Value) {
    assert_error(status, body, 404, "NotFoundHttpException");
}

fn assert_forbidden(status: u16, body: &Value) {
    assert_error(status, body, 403, "AccessDeniedHttpException");
}

fn assert_atom(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(
        chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%:z").is_ok()
            && s.ends_with("+00:00"),
        "not an Atom timestamp: {s}"
    );
}

async fn location(p: &TestPanel, short: &str) -> i64 {
    p.db.locations().create(short, None).await.unwrap().id
}

fn node_body(location_id: i64, name: &str) -> Value {
    json!({
        "name": name,
        "location_id": location_id,
        "fqdn": format!("{}.example.com", name.to_lowercase()),
        "scheme": "https",
        "memory": 4096,
        "memory_overallocate": 0,
        "disk": 50000,
        "disk_overallocate": 0,
        "daemon_listen": 8080,
        "daemon_sftp": 2022,
    })
}

async fn create_node(p: &TestPanel, key: &str, body: Value) -> (u16, Value) {
    p.call_json(Method::POST, "/api/application/nodes", key, Some(body))
        .await
}

/// Creates a node through the API and returns its id.
async fn node(p: &TestPanel, key: &str, body: Value) -> i64 {
    let (status, v) = create_node(p, key, body).await;
    assert_eq!(status, 201, "{v}");
    v["attributes"]["id"].as_i64().unwrap()
}

/// Places a server of `memory`/`disk` MB on `node_id` with SQL (the servers API is not part
/// of this suite), assigns it allocation `allocation_id`, and returns its id.
async fn server(p: &TestPanel, node_id: i64, allocation_id: i64, memory: i64, disk: i64) -> i64 {
    let now = aerie_db::now();
    let uuid = uuid::Uuid::new_v4().to_string();
    let short = &uuid[..8];
    let owner = p.user(&format!("owner{short}"), false).await;
    p.db.raw_execute(&format!(
        "INSERT INTO nests (uuid, author, name, created_at, updated_at) \
         VALUES ('{uuid}', 'a@example.com', 'nest', '{now}', '{now}')"
    ))
    .await
    .unwrap();
    p.db.raw_execute(&format!(
        "INSERT INTO eggs (uuid, nest_id, author, name, docker_images, script_container, \
         script_entry, created_at, updated_at) \
         SELECT '{uuid}', id, 'a@example.com', 'egg', '{{}}', 'alpine', 'ash', '{now}', '{now}' \
         FROM nests WHERE uuid = '{uuid}'"
    ))
    .await
    .unwrap();
    p.db.raw_execute(&format!(
        "INSERT INTO servers (uuid, uuid_short, node_id, name, owner_id, memory, disk, \
         allocation_id, nest_id, egg_id, startup, image, created_at, updated_at) \
         SELECT '{uuid}', '{short}', {node_id}, 'srv', {owner}, {memory}, {disk}, \
         {allocation_id}, nest_id, id, 'run', 'img', '{now}', '{now}' FROM eggs WHERE uuid = '{uuid}'",
        owner = owner.id
    ))
    .await
    .unwrap();
    let id =
        p.db.nodes()
            .servers_on(&[node_id])
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.uuid == uuid)
            .unwrap()
            .id;
    assert_eq!(
        p.db.allocations()
            .assign(&[allocation_id], id)
            .await
            .unwrap(),
        1
    );
    id
}

async fn add_allocations(p: &TestPanel, key: &str, node_id: i64, body: Value) -> (u16, Value) {
    p.call_json(
        Method::POST,
        &format!("/api/application/nodes/{node_id}/allocations"),
        key,
        Some(body),
    )
    .await
}

async fn allocations_of(p: &TestPanel, key: &str, node_id: i64, query: &str) -> Value {
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{node_id}/allocations?{query}"),
            key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn ports(list: &Value) -> Vec<(String, i64)> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attributes"]["ip"].as_str().unwrap().to_owned(),
                a["attributes"]["port"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn creates_a_node() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let (status, body) = create_node(&p, &key, node_body(loc, "Node 1")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "attributes", "meta"]));
    assert_eq!(body["object"], "node");
    let a = &body["attributes"];
    assert_eq!(keys(a), sorted(&NODE_KEYS));
    let id = a["id"].as_i64().unwrap();
    assert_eq!(
        body["meta"],
        json!({"resource": format!("http://127.0.0.1/api/application/nodes/{id}")})
    );
    // Defaults of Pterodactyl's node model.
    assert_eq!(a["public"], true);
    assert_eq!(a["behind_proxy"], false);
    assert_eq!(a["maintenance_mode"], false);
    assert_eq!(a["upload_size"], 100);
    assert_eq!(a["daemon_base"], "/var/lib/pterodactyl/volumes");
    assert_eq!(a["description"], Value::Null);
    assert_eq!(a["name"], "Node 1");
    assert_eq!(a["location_id"], loc);
    assert_eq!(a["fqdn"], "node 1.example.com");
    assert_eq!(a["memory"], 4096);
    assert_eq!(a["disk"], 50000);
    assert_eq!(a["allocated_resources"], json!({"memory": 0, "disk": 0}));
    assert_atom(&a["created_at"]);
    assert_atom(&a["updated_at"]);
    assert_eq!(a["uuid"].as_str().unwrap().len(), 36);

    // The daemon token pair is generated, stored and never shown.
    let stored = p.db.nodes().find(id).await.unwrap().unwrap();
    assert_eq!(stored.daemon_token_id.len(), 16);
    assert_eq!(stored.daemon_token.len(), 64);
    assert!(
        stored
            .daemon_token
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
    );
    let text = body.to_string();
    assert!(!text.contains(&stored.daemon_token), "token leaked: {text}");
    assert!(
        !text.contains(&stored.daemon_token_id),
        "token id leaked: {text}"
    );

    // Every optional field.
    let mut full = node_body(loc, "full-node_2.x");
    let extra = json!({
        "description": "second", "public": false, "behind_proxy": true,
        "maintenance_mode": "1", "upload_size": 1024, "daemon_base": "/srv/volumes",
        "memory_overallocate": -1, "disk_overallocate": "25", "scheme": "http",
    });
    for (k, v) in extra.as_object().unwrap() {
        full[k] = v.clone();
    }
    let (status, body) = create_node(&p, &key, full).await;
    assert_eq!(status, 201, "{body}");
    let a = &body["attributes"];
    assert_eq!(a["description"], "second");
    assert_eq!(a["public"], false);
    assert_eq!(a["behind_proxy"], true);
    assert_eq!(a["maintenance_mode"], true);
    assert_eq!(a["upload_size"], 1024);
    assert_eq!(a["daemon_base"], "/srv/volumes");
    assert_eq!(a["memory_overallocate"], -1);
    assert_eq!(a["disk_overallocate"], 25);
    assert_eq!(a["scheme"], "http");
}

#[tokio::test]
async fn create_validation_follows_pterodactyl() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("name", Value::Null, "required"),
        ("name", json!(""), "required"),
        ("name", json!("bad/name"), "regex"),
        ("name", json!("x".repeat(101)), "regex"),
        ("name", json!(5), "string"),
        ("location_id", Value::Null, "required"),
        ("location_id", json!(loc + 100), "exists"),
        ("location_id", json!("abc"), "exists"),
        ("fqdn", json!(""), "required"),
        ("scheme", json!("ftp"), "in"),
        ("memory", json!("lots"), "numeric"),
        ("memory", json!(0), "min"),
        ("memory_overallocate", json!(-2), "min"),
        ("disk", Value::Null, "required"),
        ("disk_overallocate", json!(-5), "min"),
        ("daemon_listen", json!(0), "between"),
        ("daemon_sftp", json!(65536), "between"),
        ("upload_size", json!(0), "between"),
        ("upload_size", json!(1025), "between"),
        ("upload_size", json!("big"), "integer"),
        ("daemon_base", json!("relative/path"), "regex"),
        ("daemon_base", json!(""), "required"),
        ("public", json!("yes"), "boolean"),
        ("behind_proxy", json!(2), "boolean"),
        ("maintenance_mode", Value::Null, "boolean"),
        ("description", json!(5), "string"),
    ];
    for (field, value, rule) in cases {
        let mut body = node_body(loc, "node");
        body[field] = value.clone();
        let (status, v) = create_node(&p, &key, body).await;
        assert_validation(status, &v, field, rule);
        assert!(!v["errors"][0]["detail"].as_str().unwrap().is_empty());
    }
    // A missing required field is the same as null.
    let mut body = node_body(loc, "node");
    body.as_object_mut().unwrap().remove("daemon_listen");
    let (status, v) = create_node(&p, &key, body).await;
    assert_validation(status, &v, "daemon_listen", "required");
    assert_eq!(
        v["errors"][0]["detail"],
        "The daemon listen field is required."
    );
    let mut body = node_body(loc, "node");
    body["location_id"] = json!(loc + 1);
    let (_, v) = create_node(&p, &key, body).await;
    assert_eq!(
        v["errors"][0]["detail"],
        "The selected Location is invalid."
    );

    // Malformed JSON is Pterodactyl's 400.
    let resp = p
        .client
        .post(format!("{}/api/application/nodes", p.url))
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(p.db.nodes().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn lists_filters_and_sorts_nodes() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let mut b = node_body(loc, "alpha");
    b["memory"] = json!(9000);
    b["disk"] = json!(10);
    let a = node(&p, &key, b).await;
    let mut b = node_body(loc, "beta");
    b["memory"] = json!(1000);
    b["disk"] = json!(99999);
    let bb = node(&p, &key, b).await;

    let (status, body) = p
        .call_json(Method::GET, "/api/application/nodes", &key, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "data", "meta"]));
    assert_eq!(body["object"], "list");
    assert_eq!(
        body["meta"],
        json!({"pagination": {"total": 2, "count": 2, "per_page": 50, "current_page": 1,
                              "total_pages": 1, "links": {}}})
    );
    for item in body["data"].as_array().unwrap() {
        assert_eq!(item["object"], "node");
        assert_eq!(keys(&item["attributes"]), sorted(&NODE_KEYS));
    }
    // No daemon token anywhere in the list.
    for n in p.db.nodes().list().await.unwrap() {
        assert!(!body.to_string().contains(&n.daemon_token));
    }

    let ids = |v: &Value| -> Vec<i64> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["attributes"]["id"].as_i64().unwrap())
            .collect()
    };
    let token_id =
        p.db.nodes()
            .find(bb)
            .await
            .unwrap()
            .unwrap()
            .daemon_token_id;
    let uuid_a = p.db.nodes().find(a).await.unwrap().unwrap().uuid;
    for (query, want) in [
        ("filter[name]=ALP".to_owned(), vec![a]),
        ("filter[name]=a".to_owned(), vec![a, bb]),
        ("filter[fqdn]=beta.example".to_owned(), vec![bb]),
        (format!("filter[uuid]={}", &uuid_a[..8]), vec![a]),
        (format!("filter[daemon_token_id]={token_id}"), vec![bb]),
        ("filter[name]=nothing".to_owned(), vec![]),
        ("sort=-id".to_owned(), vec![bb, a]),
        ("sort=memory".to_owned(), vec![bb, a]),
        ("sort=-memory".to_owned(), vec![a, bb]),
        ("sort=disk".to_owned(), vec![a, bb]),
        ("sort=uuid".to_owned(), {
            let mut v = vec![
                (uuid_a.clone(), a),
                (p.db.nodes().find(bb).await.unwrap().unwrap().uuid, bb),
            ];
            v.sort();
            v.into_iter().map(|(_, id)| id).collect()
        }),
    ] {
        let (status, body) = p
            .call_json(
                Method::GET,
                &format!("/api/application/nodes/?{query}"),
                &key,
                None,
            )
            .await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(ids(&body), want, "{query}");
    }

    // Pages.
    let (_, body) = p
        .call_json(
            Method::GET,
            "/api/application/nodes?per_page=1&page=2",
            &key,
            None,
        )
        .await;
    assert_eq!(ids(&body), vec![bb]);
    assert_eq!(body["meta"]["pagination"]["total_pages"], 2);
    assert_eq!(
        body["meta"]["pagination"]["links"],
        json!({"previous": "http://127.0.0.1/api/application/nodes?per_page=1&page=1"})
    );

    // Unknown filters and sorts are spatie's 400s.
    for query in ["filter[daemon_token]=x", "sort=name"] {
        let (status, body) = p
            .call_json(
                Method::GET,
                &format!("/api/application/nodes?{query}"),
                &key,
                None,
            )
            .await;
        assert_error(status, &body, 400, "BadRequestHttpException");
    }
}

#[tokio::test]
async fn views_a_node_with_includes() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us.east").await;
    let id = node(&p, &key, node_body(loc, "n1")).await;
    let (status, _) = add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "10.0.0.1", "ports": ["25565", "25566"]}),
    )
    .await;
    assert_eq!(status, 204);

    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{id}"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "attributes"]));
    assert_eq!(keys(&body["attributes"]), sorted(&NODE_KEYS));

    let path = format!("/api/application/nodes/{id}?include=allocations,location,servers");
    let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
    assert_eq!(status, 200, "{body}");
    let rel = &body["attributes"]["relationships"];
    assert_eq!(keys(rel), sorted(&["allocations", "location", "servers"]));
    assert_eq!(rel["allocations"]["object"], "list");
    let allocs = rel["allocations"]["data"].as_array().unwrap();
    assert_eq!(allocs.len(), 2);
    assert_eq!(allocs[0]["object"], "allocation");
    assert_eq!(
        keys(&allocs[0]["attributes"]),
        sorted(&["id", "ip", "alias", "port", "notes", "assigned"])
    );
    assert_eq!(rel["location"]["object"], "location");
    assert_eq!(rel["location"]["attributes"]["short"], "us.east");
    assert_eq!(rel["servers"], json!({"object": "list", "data": []}));

    // Includes the key may not read are null resources.
    let limited = p
        .app_key_with(
            &p.user("limited", true).await,
            ApiKeyPermissions {
                nodes: 1,
                ..ApiKeyPermissions::default()
            },
        )
        .await;
    let (status, body) = p.call_json(Method::GET, &path, &limited, None).await;
    assert_eq!(status, 200, "{body}");
    let null = json!({"object": "null_resource", "attributes": null});
    let rel = &body["attributes"]["relationships"];
    assert_eq!(rel["allocations"], null);
    assert_eq!(rel["location"], null);
    assert_eq!(rel["servers"], null);

    // Missing or malformed ids.
    for path in [
        "/api/application/nodes/9999",
        "/api/application/nodes/abc",
        "/api/application/nodes/-1",
    ] {
        let (status, body) = p.call_json(Method::GET, path, &key, None).await;
        assert_not_found(status, &body);
    }
}

#[tokio::test]
async fn updates_a_node_and_rotates_its_token() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let other = location(&p, "eu").await;
    let id = node(&p, &key, node_body(loc, "before")).await;
    let old = p.db.nodes().find(id).await.unwrap().unwrap();

    let (status, body) = p
        .call_json(
            Method::PATCH,
            &format!("/api/application/nodes/{id}"),
            &key,
            Some(
                json!({"name": "after", "location_id": other, "memory": 2048,
                        "maintenance_mode": true, "description": "changed"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "node");
    assert_eq!(keys(&body["attributes"]), sorted(&NODE_KEYS));
    let a = &body["attributes"];
    assert_eq!(a["name"], "after");
    assert_eq!(a["location_id"], other);
    assert_eq!(a["memory"], 2048);
    assert_eq!(a["maintenance_mode"], true);
    assert_eq!(a["description"], "changed");
    assert_eq!(a["disk"], 50000, "fields left out keep their value");
    let after = p.db.nodes().find(id).await.unwrap().unwrap();
    assert_eq!(
        after.daemon_token, old.daemon_token,
        "token kept without reset_secret"
    );

    // reset_secret rotates the token (never shown) and keeps the token id.
    let (status, body) = p
        .call_json(
            Method::PATCH,
            &format!("/api/application/nodes/{id}/"),
            &key,
            Some(json!({"reset_secret": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rotated = p.db.nodes().find(id).await.unwrap().unwrap();
    assert_ne!(rotated.daemon_token, old.daemon_token);
    assert_eq!(rotated.daemon_token.len(), 64);
    assert_eq!(rotated.daemon_token_id, old.daemon_token_id);
    assert!(!body.to_string().contains(&rotated.daemon_token));
    assert!(!body.to_string().contains(&rotated.daemon_token_id));

    // The new token is what wings' configuration now carries.
    let (status, config) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{id}/configuration"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["token"], rotated.daemon_token);
    assert_eq!(config["token_id"], rotated.daemon_token_id);

    // Validation applies to the fields sent; null on a required field fails.
    for (body, field, rule) in [
        (json!({"name": null}), "name", "required"),
        (json!({"name": "bad\\name"}), "name", "regex"),
        (json!({"location_id": 9999}), "location_id", "exists"),
        (json!({"daemon_listen": 0}), "daemon_listen", "between"),
        (json!({"reset_secret": "sure"}), "reset_secret", "boolean"),
    ] {
        let (status, v) = p
            .call_json(
                Method::PATCH,
                &format!("/api/application/nodes/{id}"),
                &key,
                Some(body),
            )
            .await;
        assert_validation(status, &v, field, rule);
    }
    let (status, body) = p
        .call_json(
            Method::PATCH,
            "/api/application/nodes/9999",
            &key,
            Some(json!({"name": "x"})),
        )
        .await;
    assert_not_found(status, &body);
}

#[tokio::test]
async fn deletes_nodes_without_servers_only() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let empty = node(&p, &key, node_body(loc, "empty")).await;
    let busy = node(&p, &key, node_body(loc, "busy")).await;
    add_allocations(
        &p,
        &key,
        empty,
        json!({"ip": "10.0.0.1", "ports": ["2000"]}),
    )
    .await;
    add_allocations(&p, &key, busy, json!({"ip": "10.0.0.2", "ports": ["2000"]})).await;
    let alloc = p.db.allocations().list_by_nodes(&[busy]).await.unwrap()[0].id;
    server(&p, busy, alloc, 1024, 1024).await;

    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/nodes/{busy}"),
            &key,
            None,
        )
        .await;
    assert_error(status, &body, 400, "BadRequestHttpException");
    assert_eq!(
        body["errors"][0]["detail"],
        "You cannot delete a node that has active servers attached to it."
    );
    assert!(p.db.nodes().find(busy).await.unwrap().is_some());

    let resp = p
        .call(
            Method::DELETE,
            &format!("/api/application/nodes/{empty}"),
            &key,
            None,
        )
        .await;
    assert_eq!(resp.status().as_u16(), 204);
    assert!(resp.text().await.unwrap().is_empty());
    assert!(p.db.nodes().find(empty).await.unwrap().is_none());
    // Its allocations went with it.
    assert!(
        p.db.allocations()
            .list_by_nodes(&[empty])
            .await
            .unwrap()
            .is_empty()
    );

    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/nodes/{empty}"),
            &key,
            None,
        )
        .await;
    assert_not_found(status, &body);
}

#[tokio::test]
async fn allocated_resources_and_servers_include() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "n")).await;
    add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "10.0.0.1", "ports": ["2000-2001"]}),
    )
    .await;
    let allocs = p.db.allocations().list_by_nodes(&[id]).await.unwrap();
    let s1 = server(&p, id, allocs[0].id, 1024, 2000).await;
    let s2 = server(&p, id, allocs[1].id, 512, 3000).await;

    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{id}?include=servers"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let a = &body["attributes"];
    assert_eq!(
        a["allocated_resources"],
        json!({"memory": 1536, "disk": 5000})
    );
    let servers: Vec<i64> = a["relationships"]["servers"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["object"], "server");
            // The application server transformer, not a summary.
            assert_eq!(s["attributes"]["node"], id);
            assert!(s["attributes"]["limits"].is_object(), "{s}");
            s["attributes"]["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(servers, vec![s1, s2]);

    let (_, list) = p
        .call_json(Method::GET, "/api/application/nodes", &key, None)
        .await;
    assert_eq!(
        list["data"][0]["attributes"]["allocated_resources"],
        json!({"memory": 1536, "disk": 5000})
    );
}

#[tokio::test]
async fn configuration_is_raw_json() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "wings")).await;
    let n = p.db.nodes().find(id).await.unwrap().unwrap();
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{id}/configuration"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        keys(&body),
        sorted(&[
            "debug",
            "uuid",
            "token_id",
            "token",
            "api",
            "system",
            "allowed_mounts",
            "remote"
        ])
    );
    assert_eq!(body["uuid"], n.uuid);
    assert_eq!(body["token"], n.daemon_token);
    assert_eq!(body["api"]["port"], 8080);
    assert_eq!(body["system"]["sftp"]["bind_port"], 2022);

    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/nodes/404/configuration",
            &key,
            None,
        )
        .await;
    assert_not_found(status, &body);

    let no_nodes = p
        .app_key_with(
            &p.user("other", true).await,
            ApiKeyPermissions {
                allocations: 3,
                ..ApiKeyPermissions::default()
            },
        )
        .await;
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{id}/configuration"),
            &no_nodes,
            None,
        )
        .await;
    assert_forbidden(status, &body);
}

#[tokio::test]
async fn keys_need_the_right_bits() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "n")).await;
    let admin2 = p.user("admin2", true).await;
    let read_nodes = p
        .app_key_with(
            &admin2,
            ApiKeyPermissions {
                nodes: 1,
                allocations: 1,
                ..ApiKeyPermissions::default()
            },
        )
        .await;
    let none = p.app_key_with(&admin2, ApiKeyPermissions::default()).await;
    let alloc_path = format!("/api/application/nodes/{id}/allocations");

    // Read-only keys read but cannot write.
    for (method, path) in [
        (Method::GET, "/api/application/nodes".to_owned()),
        (Method::GET, format!("/api/application/nodes/{id}")),
        (
            Method::GET,
            "/api/application/nodes/deployable?memory=1&disk=1".to_owned(),
        ),
        (Method::GET, alloc_path.clone()),
    ] {
        let (status, body) = p.call_json(method.clone(), &path, &read_nodes, None).await;
        assert_eq!(status, 200, "{method} {path}: {body}");
        let (status, body) = p.call_json(method.clone(), &path, &none, None).await;
        assert_forbidden(status, &body);
    }
    for (method, path, body) in [
        (
            Method::POST,
            "/api/application/nodes".to_owned(),
            node_body(loc, "x"),
        ),
        (
            Method::PATCH,
            format!("/api/application/nodes/{id}"),
            json!({"name": "y"}),
        ),
        (
            Method::DELETE,
            format!("/api/application/nodes/{id}"),
            json!({}),
        ),
        (
            Method::POST,
            alloc_path.clone(),
            json!({"ip": "10.0.0.1", "ports": ["3000"]}),
        ),
        (Method::DELETE, format!("{alloc_path}/1"), json!({})),
    ] {
        let (status, resp) = p
            .call_json(method.clone(), &path, &read_nodes, Some(body))
            .await;
        assert_forbidden(status, &resp);
    }
    assert_eq!(p.db.nodes().list().await.unwrap().len(), 1);

    // Accounts that are not administrators are refused outright, even with a client key.
    let user = p.user("plain", false).await;
    let client_key = p.key(&user, KeyType::Client).await;
    let (status, body) = p
        .call_json(Method::GET, "/api/application/nodes", &client_key, None)
        .await;
    assert_forbidden(status, &body);
    // A root admin's client key works on the application API.
    let admin_client = p.key(&admin2, KeyType::Client).await;
    let (status, body) = p
        .call_json(Method::GET, "/api/application/nodes", &admin_client, None)
        .await;
    assert_eq!(status, 200, "{body}");
    // No key at all.
    let resp = p.get("/api/application/nodes").await;
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn creates_and_lists_allocations() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "n")).await;

    let resp = p
        .call(
            Method::POST,
            &format!("/api/application/nodes/{id}/allocations"),
            &key,
            Some(json!({"ip": "192.168.1.10", "alias": "play.example.com",
                        "ports": ["25565", "25570-25572"]})),
        )
        .await;
    assert_eq!(resp.status().as_u16(), 204);
    assert!(resp.text().await.unwrap().is_empty());

    let list = allocations_of(&p, &key, id, "").await;
    assert_eq!(keys(&list), sorted(&["object", "data", "meta"]));
    assert_eq!(
        list["meta"]["pagination"],
        json!({"total": 4, "count": 4, "per_page": 50, "current_page": 1, "total_pages": 1,
               "links": {}})
    );
    let first = &list["data"][0];
    assert_eq!(first["object"], "allocation");
    let first_id = first["attributes"]["id"].as_i64().unwrap();
    assert_eq!(
        first["attributes"],
        json!({"id": first_id, "ip": "192.168.1.10", "alias": "play.example.com",
               "port": 25565, "notes": null, "assigned": false})
    );
    assert_eq!(
        ports(&list),
        [25565, 25570, 25571, 25572].map(|p| ("192.168.1.10".to_owned(), p))
    );

    // Duplicates are skipped silently; new ports are added (integers are accepted too).
    let (status, body) = add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "192.168.1.10", "ports": ["25565", "25572-25573", 25574]}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let list = allocations_of(&p, &key, id, "").await;
    assert_eq!(list["meta"]["pagination"]["total"], 6);

    // A CIDR expands to each of its addresses; IPv6 works.
    let (status, body) = add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "10.1.1.0/30", "ports": ["30000"], "alias": null}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "2001:db8::5", "ports": ["30000"]}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let list = allocations_of(&p, &key, id, "per_page=100&filter[port]=30000").await;
    let mut got = ports(&list);
    got.sort();
    let want: Vec<(String, i64)> = [
        "10.1.1.0",
        "10.1.1.1",
        "10.1.1.2",
        "10.1.1.3",
        "2001:db8::5",
    ]
    .iter()
    .map(|ip| ((*ip).to_owned(), 30000))
    .collect();
    assert_eq!(got, want);

    // A hostname is resolved (localhost only: no outside lookups in tests).
    let (status, body) =
        add_allocations(&p, &key, id, json!({"ip": "localhost", "ports": ["30001"]})).await;
    assert_eq!(status, 204, "{body}");
    let list = allocations_of(&p, &key, id, "filter[port]=30001").await;
    let ip = list["data"][0]["attributes"]["ip"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ip == "127.0.0.1" || ip == "::1", "{ip}");

    // Pages.
    let list = allocations_of(&p, &key, id, "per_page=2&page=2").await;
    assert_eq!(list["meta"]["pagination"]["count"], 2);
    assert_eq!(list["meta"]["pagination"]["current_page"], 2);
}

#[tokio::test]
async fn allocation_validation() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "n")).await;
    let cases: Vec<(Value, &str, &str, Option<&str>)> = vec![
        (
            json!({"ports": ["2000"]}),
            "ip",
            "required",
            Some("The ip field is required."),
        ),
        (json!({"ip": "", "ports": ["2000"]}), "ip", "required", None),
        (json!({"ip": 5, "ports": ["2000"]}), "ip", "string", None),
        (json!({"ip": "10.0.0.1"}), "ports", "required", None),
        (
            json!({"ip": "10.0.0.1", "ports": []}),
            "ports",
            "required",
            None,
        ),
        (
            json!({"ip": "10.0.0.1", "ports": "2000"}),
            "ports",
            "array",
            None,
        ),
        (
            json!({"ip": "10.0.0.1", "ports": [true]}),
            "ports.0",
            "string",
            None,
        ),
        (
            json!({"ip": "10.0.0.1", "ports": ["2000", "1024"]}),
            "ports.1",
            "between",
            Some(
                "Ports in an allocation must be greater than 1024 and less than or equal to 65535.",
            ),
        ),
        (
            json!({"ip": "10.0.0.1", "ports": ["65536"]}),
            "ports.0",
            "between",
            None,
        ),
        (
            json!({"ip": "10.0.0.1", "ports": ["1000-1100"]}),
            "ports.0",
            "between",
            None,
        ),
        (
            json!({"ip": "10.0.0.1", "ports": ["20000-21000"]}),
            "ports.0",
            "max",
            Some("Adding more than 1000 ports in a single range at once is not supported."),
        ),
        (
            json!({"ip": "10.0.0.1", "ports": ["25565:25570"]}),
            "ports.0",
            "regex",
            Some("The mapping provided for 25565:25570 was invalid and could not be processed."),
        ),
        (
            json!({"ip": "10.0.0.0/24", "ports": ["2000"]}),
            "ip",
            "cidr",
            Some("CIDR notation only allows masks between /25 and /32."),
        ),
        (
            json!({"ip": "10.0.0.0/33", "ports": ["2000"]}),
            "ip",
            "cidr",
            None,
        ),
        (
            json!({"ip": "not an address", "ports": ["2000"]}),
            "ip",
            "ip",
            None,
        ),
        (
            json!({"ip": "999.1.1.1", "ports": ["2000"]}),
            "ip",
            "ip",
            None,
        ),
        (
            json!({"ip": "10.0.0.1", "alias": "x".repeat(192), "ports": ["2000"]}),
            "alias",
            "max",
            None,
        ),
    ];
    for (body, field, rule, detail) in cases {
        let (status, v) = add_allocations(&p, &key, id, body.clone()).await;
        assert_validation(status, &v, field, rule);
        if let Some(detail) = detail {
            assert_eq!(v["errors"][0]["detail"], detail, "{body}");
        }
    }
    // Nothing was written by any failed request (the first entry of a failing list
    // included).
    assert!(
        p.db.allocations()
            .list_by_nodes(&[id])
            .await
            .unwrap()
            .is_empty()
    );
    // Exactly 1000 ports is fine.
    let (status, body) = add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "10.0.0.1", "ports": ["20000-20999"]}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        p.db.allocations().list_by_nodes(&[id]).await.unwrap().len(),
        1000
    );

    // Unknown nodes are 404s.
    let (status, body) =
        add_allocations(&p, &key, 9999, json!({"ip": "10.0.0.1", "ports": ["2000"]})).await;
    assert_not_found(status, &body);
    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/nodes/9999/allocations",
            &key,
            None,
        )
        .await;
    assert_not_found(status, &body);
}

#[tokio::test]
async fn allocation_filters_and_includes() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "n")).await;
    add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "10.0.0.1", "alias": "Alpha.Example", "ports": ["2000-2002"]}),
    )
    .await;
    add_allocations(&p, &key, id, json!({"ip": "10.0.0.2", "ports": ["2000"]})).await;
    let all = p.db.allocations().list_by_nodes(&[id]).await.unwrap();
    let taken = all.iter().find(|a| a.port == 2001).unwrap().id;
    let sid = server(&p, id, taken, 100, 100).await;

    let ip = |s: &str| s.to_owned();
    for (query, want) in [
        (
            "filter[ip]=10.0.0.2".to_owned(),
            vec![(ip("10.0.0.2"), 2000)],
        ),
        ("filter[ip]=10.0.0".to_owned(), vec![]),
        (
            "filter[port]=2000".to_owned(),
            vec![(ip("10.0.0.1"), 2000), (ip("10.0.0.2"), 2000)],
        ),
        ("filter[port]=200".to_owned(), vec![]),
        ("filter[port]=abc".to_owned(), vec![]),
        (
            "filter[ip_alias]=alpha".to_owned(),
            vec![
                (ip("10.0.0.1"), 2000),
                (ip("10.0.0.1"), 2001),
                (ip("10.0.0.1"), 2002),
            ],
        ),
        (
            format!("filter[server_id]={sid}"),
            vec![(ip("10.0.0.1"), 2001)],
        ),
        (
            "filter[server_id]=".to_owned(),
            vec![
                (ip("10.0.0.1"), 2000),
                (ip("10.0.0.1"), 2002),
                (ip("10.0.0.2"), 2000),
            ],
        ),
        (
            "filter[server_id]=none".to_owned(),
            vec![
                (ip("10.0.0.1"), 2000),
                (ip("10.0.0.1"), 2002),
                (ip("10.0.0.2"), 2000),
            ],
        ),
        (
            "filter[ip]=10.0.0.1&filter[port]=2002".to_owned(),
            vec![(ip("10.0.0.1"), 2002)],
        ),
    ] {
        let list = allocations_of(&p, &key, id, &query).await;
        assert_eq!(ports(&list), want, "{query}");
    }
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nodes/{id}/allocations?filter[notes]=x"),
            &key,
            None,
        )
        .await;
    assert_error(status, &body, 400, "BadRequestHttpException");

    // `assigned` and the includes.
    let list = allocations_of(&p, &key, id, "include=node,server").await;
    for item in list["data"].as_array().unwrap() {
        let a = &item["attributes"];
        let rel = &a["relationships"];
        assert_eq!(rel["node"]["object"], "node");
        assert_eq!(rel["node"]["attributes"]["id"], id);
        assert_eq!(keys(&rel["node"]["attributes"]), sorted(&NODE_KEYS));
        if a["id"] == taken {
            assert_eq!(a["assigned"], true);
            assert_eq!(rel["server"]["object"], "server");
            assert_eq!(rel["server"]["attributes"]["id"], sid);
        } else {
            assert_eq!(a["assigned"], false);
            assert_eq!(rel["server"]["object"], "null_resource");
        }
    }
}

#[tokio::test]
async fn deletes_free_allocations_only() {
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let id = node(&p, &key, node_body(loc, "n")).await;
    let other = node(&p, &key, node_body(loc, "other")).await;
    add_allocations(
        &p,
        &key,
        id,
        json!({"ip": "10.0.0.1", "ports": ["2000-2001"]}),
    )
    .await;
    add_allocations(
        &p,
        &key,
        other,
        json!({"ip": "10.0.0.9", "ports": ["2000"]}),
    )
    .await;
    let mine = p.db.allocations().list_by_nodes(&[id]).await.unwrap();
    let theirs = p.db.allocations().list_by_nodes(&[other]).await.unwrap()[0].id;
    server(&p, id, mine[1].id, 10, 10).await;

    let resp = p
        .call(
            Method::DELETE,
            &format!("/api/application/nodes/{id}/allocations/{}", mine[0].id),
            &key,
            None,
        )
        .await;
    assert_eq!(resp.status().as_u16(), 204);
    assert!(p.db.allocations().find(mine[0].id).await.unwrap().is_none());

    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/nodes/{id}/allocations/{}", mine[1].id),
            &key,
            None,
        )
        .await;
    assert_error(status, &body, 400, "BadRequestHttpException");
    assert_eq!(
        body["errors"][0]["detail"],
        "Cannot delete an allocation that is currently assigned to a server."
    );
    assert!(p.db.allocations().find(mine[1].id).await.unwrap().is_some());

    // Another node's allocation, a missing one, a missing node: 404.
    for path in [
        format!("/api/application/nodes/{id}/allocations/{theirs}"),
        format!("/api/application/nodes/{id}/allocations/99999"),
        format!("/api/application/nodes/{id}/allocations/abc"),
        format!("/api/application/nodes/99999/allocations/{theirs}"),
    ] {
        let (status, body) = p.call_json(Method::DELETE, &path, &key, None).await;
        assert_not_found(status, &body);
    }
    assert!(p.db.allocations().find(theirs).await.unwrap().is_some());
}

#[tokio::test]
async fn deployable_nodes() {
    let (p, _admin, key) = setup().await;
    let us = location(&p, "us").await;
    let eu = location(&p, "eu").await;
    let mk = |loc: i64, name: &str, memory: i64, mem_over: i64, disk: i64| {
        let mut b = node_body(loc, name);
        b["memory"] = json!(memory);
        b["memory_overallocate"] = json!(mem_over);
        b["disk"] = json!(disk);
        b
    };
    let small = node(&p, &key, mk(us, "small", 1024, 0, 10_000)).await;
    let big = node(&p, &key, mk(us, "big", 8192, 0, 100_000)).await;
    let unlimited = node(&p, &key, mk(eu, "unlimited", 1, -1, 100_000)).await;
    let over = node(&p, &key, mk(eu, "over", 1000, 100, 100_000)).await;
    let mut private = mk(us, "private", 100_000, 0, 100_000);
    private["public"] = json!(false);
    node(&p, &key, private).await;
    let mut maint = mk(us, "maint", 100_000, 0, 100_000);
    maint["maintenance_mode"] = json!(true);
    node(&p, &key, maint).await;

    // A server already using 512 MB of `small`.
    add_allocations(
        &p,
        &key,
        small,
        json!({"ip": "10.0.0.1", "ports": ["2000"]}),
    )
    .await;
    let a = p.db.allocations().list_by_nodes(&[small]).await.unwrap()[0].id;
    server(&p, small, a, 512, 1000).await;

    let ids = |v: &Value| -> Vec<i64> {
        v["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .map(|i| i["attributes"]["id"].as_i64().unwrap())
            .collect()
    };
    let get = |q: String| {
        let p = &p;
        let key = key.clone();
        async move {
            p.call_json(
                Method::GET,
                &format!("/api/application/nodes/deployable?{q}"),
                &key,
                None,
            )
            .await
        }
    };

    let (status, body) = get("memory=512&disk=1000".into()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), vec![small, big, unlimited, over]);
    assert_eq!(body["meta"]["pagination"]["total"], 4);
    assert_eq!(keys(&body["data"][0]["attributes"]), sorted(&NODE_KEYS));
    assert_eq!(
        body["data"][0]["attributes"]["allocated_resources"],
        json!({"memory": 512, "disk": 1000})
    );

    // 513 MB no longer fits on `small` (512 used of 1024).
    let (_, body) = get("memory=513&disk=0".into()).await;
    assert_eq!(ids(&body), vec![big, unlimited, over]);
    // `over` allows 2000 MB with 100 % overallocation; -1 is unlimited.
    let (_, body) = get("memory=2000&disk=0".into()).await;
    assert_eq!(ids(&body), vec![big, unlimited, over]);
    let (_, body) = get("memory=2001&disk=0".into()).await;
    assert_eq!(ids(&body), vec![big, unlimited]);
    let (_, body) = get("memory=50000&disk=0".into()).await;
    assert_eq!(ids(&body), vec![unlimited]);
    // Disk counts too.
    let (_, body) = get("memory=0&disk=9001".into()).await;
    assert_eq!(ids(&body), vec![big, unlimited, over]);

    // Locations narrow the search.
    let (_, body) = get(format!("memory=1&disk=1&location_ids[]={eu}")).await;
    assert_eq!(ids(&body), vec![unlimited, over]);
    let (_, body) = get(format!(
        "memory=1&disk=1&location_ids[0]={us}&location_ids[1]={eu}"
    ))
    .await;
    assert_eq!(ids(&body), vec![small, big, unlimited, over]);

    // Pages.
    let (_, body) = get("memory=1&disk=1&per_page=3&page=2".into()).await;
    assert_eq!(ids(&body), vec![over]);
    assert_eq!(body["meta"]["pagination"]["total_pages"], 2);
    assert_eq!(body["meta"]["pagination"]["count"], 1);

    // Nothing fits: Pterodactyl's NoViableNodeException.
    let (status, body) = get("memory=1&disk=1000000".into()).await;
    assert_error(status, &body, 400, "BadRequestHttpException");
    assert_eq!(
        body["errors"][0]["detail"],
        "No nodes satisfying the requirements specified for automatic deployment could be found."
    );

    // Validation.
    for (q, field, rule) in [
        ("disk=1", "memory", "required"),
        ("memory=1", "disk", "required"),
        ("memory=x&disk=1", "memory", "integer"),
        ("memory=-1&disk=1", "memory", "min"),
        (
            "memory=1&disk=1&location_ids[]=x",
            "location_ids.0",
            "integer",
        ),
        ("memory=1&disk=1&location_ids=1", "location_ids", "array"),
    ] {
        let (status, body) = get(q.into()).await;
        assert_validation(status, &body, field, rule);
    }
}

#[tokio::test]
async fn deployment_services_for_server_creation() {
    use aerie_panel::services::{allocations, nodes};
    let (p, _admin, key) = setup().await;
    let loc = location(&p, "us").await;
    let a = node(&p, &key, node_body(loc, "a")).await;
    let b = node(&p, &key, node_body(loc, "b")).await;
    add_allocations(
        &p,
        &key,
        a,
        json!({"ip": "10.0.0.1", "ports": ["25565-25567"]}),
    )
    .await;
    add_allocations(&p, &key, a, json!({"ip": "10.0.0.2", "ports": ["25565"]})).await;
    add_allocations(&p, &key, b, json!({"ip": "10.0.0.3", "ports": ["30000"]})).await;

    let viable = nodes::viable_nodes(&p.db, &[loc], 4096, 50000)
        .await
        .unwrap();
    assert_eq!(viable.iter().map(|n| n.id).collect::<Vec<_>>(), vec![a, b]);
    assert!(nodes::viable_nodes(&p.db, &[loc], 4097, 0).await.is_err());

    // Port ranges and node lists narrow the pick.
    let got = allocations::find_deployable_allocation(&p.db, &[a, b], false, &["30000".into()])
        .await
        .unwrap();
    assert_eq!((got.node_id, got.port), (b, 30000));
    let got = allocations::find_deployable_allocation(&p.db, &[a], false, &["25566-25567".into()])
        .await
        .unwrap();
    assert!(got.port == 25566 || got.port == 25567);
    assert!(
        allocations::find_deployable_allocation(&p.db, &[b], false, &["25565".into()])
            .await
            .is_err()
    );
    assert!(
        allocations::find_deployable_allocation(&p.db, &[a], false, &["20000-21001".into()])
            .await
            .is_err()
    );

    // Dedicated IPs skip addresses where anything is assigned already.
    let first = p.db.allocations().list_by_nodes(&[a]).await.unwrap()[0].clone();
    assert_eq!(first.ip, "10.0.0.1");
    server(&p, a, first.id, 1, 1).await;
    for _ in 0..10 {
        let got = allocations::find_deployable_allocation(&p.db, &[a], true, &[])
            .await
            .unwrap();
        assert_eq!(got.ip, "10.0.0.2");
        assert!(got.server_id.is_none());
    }
    let got = allocations::find_deployable_allocation(&p.db, &[a], false, &["25565".into()])
        .await
        .unwrap();
    assert_eq!(
        got.ip, "10.0.0.2",
        "the assigned 10.0.0.1:25565 is never picked"
    );

    // What the client API's automatic assignment reads.
    let range = |start, end| aerie_db::repo::allocations::PortRange { start, end };
    let free =
        p.db.allocations()
            .free_on_node(a, Some("10.0.0.1"), None)
            .await
            .unwrap();
    assert_eq!(
        free.iter().map(|x| x.port).collect::<Vec<_>>(),
        [25566, 25567]
    );
    let free =
        p.db.allocations()
            .free_on_node(a, None, Some(range(25565, 25566)))
            .await
            .unwrap();
    let mut got: Vec<(String, i64)> = free.into_iter().map(|x| (x.ip, x.port)).collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("10.0.0.1".to_owned(), 25566),
            ("10.0.0.2".to_owned(), 25565)
        ]
    );
    let used =
        p.db.allocations()
            .ports_in_use(a, "10.0.0.1", range(25560, 25566))
            .await
            .unwrap();
    assert_eq!(used, [25565, 25566]);
}
