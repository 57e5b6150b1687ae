//! The OpenAPI document at `GET /api/openapi.json`:
//!
//! 1. a snapshot of the whole document (`tests/snapshots/openapi__document.snap`), so a
//!    change to any annotation or schema shows up in review; update it with
//!    `INSTA_UPDATE=always cargo nextest run -p aerie-panel --test openapi` (or
//!    `cargo insta review`) and commit the `.snap`;
//! 2. the document and the router agree: every route the route files register under
//!    `/api/application` and `/api/remote` is documented, with the same methods, and every
//!    documented operation is really served (a request without credentials is answered by
//!    the handler's 401, not by the router's 404/405);
//! 3. the document tells the truth: real responses of a populated panel validate against
//!    the response schemas the document gives for them (`$ref`s resolved against its
//!    components, formats checked, objects closed).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::PathBuf;

use aerie_db::models::{ApiKeyPermissions, User};
use aerie_db::repo::databases::{NewDatabase, NewDatabaseHost};
use aerie_db::repo::eggs::EggFields;
use aerie_db::repo::servers::NewServer;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use reqwest::Method;
use serde_json::{Value, json};

// ---- helpers -----------------------------------------------------------------------------

async fn fetch_document(p: &TestPanel) -> Value {
    let resp = p.get("/api/openapi.json").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    resp.json().await.unwrap()
}

/// The document plus helpers to find and check response schemas.
struct Doc(Value);

impl Doc {
    /// The JSON schema of `method path`'s `status` response (`path` as documented, with
    /// `{params}`), following a `#/components/responses/...` reference.
    fn response_schema(&self, method: &str, path: &str, status: &str) -> Value {
        let op = &self.0["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let mut resp = op["responses"][status].clone();
        if let Some(r) = resp.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/responses/");
            resp = self.0["components"]["responses"][name].clone();
        }
        let schema = resp["content"]["application/json"]["schema"].clone();
        assert!(
            schema.is_object(),
            "{method} {path} documents no JSON body for {status}"
        );
        schema
    }

    /// The errors from validating `instance` against `schema`, which may refer to the
    /// document's components.
    fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": self.0["components"],
        });
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the document's schema does not compile: {e}"));
        validator
            .iter_errors(instance)
            .map(|e| format!("{e} (at {})", e.instance_path()))
            .collect()
    }

    /// Asserts that `body` is what the document promises for `method path` → `status`.
    fn check(&self, method: &str, path: &str, status: &str, body: &Value) {
        let schema = self.response_schema(method, path, status);
        let errors = self.errors(&schema, body);
        assert!(
            errors.is_empty(),
            "{method} {path} ({status}) does not match its documented schema:\n  {}\nbody: {}",
            errors.join("\n  "),
            serde_json::to_string_pretty(body).unwrap()
        );
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---- 1. snapshot -------------------------------------------------------------------------

#[tokio::test]
async fn document_snapshot() {
    let p = TestPanel::start().await;
    let mut doc = fetch_document(&p).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Aerie Panel API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    // The version changes with every release; the snapshot should not.
    doc["info"]["version"] = json!("[version]");
    insta::assert_json_snapshot!("document", doc);
}

/// The document is well formed for code generators: every `$ref` resolves, operation ids
/// are unique, every operation has a declared tag, and each API declares its scheme.
#[tokio::test]
async fn document_is_consistent() {
    let p = TestPanel::start().await;
    let doc = fetch_document(&p).await;

    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in &refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }

    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["api_key"]["scheme"], "bearer");
    assert_eq!(schemes["node_token"]["scheme"], "bearer");

    let mut ids = BTreeSet::new();
    for (path, method, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
        let op_tags = op["tags"].as_array().unwrap();
        assert_eq!(op_tags.len(), 1, "{method} {path} needs exactly one tag");
        let tag = op_tags[0].as_str().unwrap();
        assert!(
            tags.contains(tag),
            "{method} {path}: tag {tag} is not declared"
        );
        let security: Vec<&str> = op["security"]
            .as_array()
            .map(|s| {
                s.iter()
                    .flat_map(|req| req.as_object().unwrap().keys())
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        let want: &[&str] = if path.starts_with("/api/application/") {
            &["api_key"]
        } else if path.starts_with("/api/remote/") {
            &["node_token"]
        } else {
            &[]
        };
        assert_eq!(security, want, "{method} {path}: security");
        if NO_SUCCESS_RESPONSE.contains(&id) {
            continue;
        }
        assert!(
            op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|s| s.starts_with('2')),
            "{method} {path} documents no success response"
        );
    }
}

/// Operations that never succeed on this panel, documented for the clients that call them.
const NO_SUCCESS_RESPONSE: &[&str] = &["remote_get_backup_upload_parts"];

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.insert(r.clone());
            }
            m.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

const METHODS: [&str; 7] = ["get", "post", "put", "patch", "delete", "head", "options"];

/// Every `(path, method, operation)` of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((path.clone(), m.to_owned(), op.clone()));
            }
        }
    }
    out
}

// ---- 2. the router and the document agree -----------------------------------------------

/// Route files whose handlers are not documented yet. Remove a file from this list in the
/// change that annotates its handlers; the test then holds it to the document.
const NOT_YET_DOCUMENTED: &[&str] = &[];

/// `(METHOD, path)` for every route registered in the route files that serve
/// `/api/application`, `/api/remote` and the system endpoints, as the router nests them,
/// trailing-slash twins folded into one.
fn served_routes() -> BTreeSet<(String, String)> {
    let root = manifest_dir();
    let mut files: Vec<(PathBuf, &str)> = vec![
        (root.join("src/routes/mod.rs"), ""),
        (root.join("src/openapi.rs"), ""),
    ];
    for (dir, prefix) in [
        ("src/routes/application", "/api/application"),
        ("src/routes/remote", "/api/remote"),
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        entries.sort();
        files.extend(entries.into_iter().map(|p| (p, prefix)));
    }
    for skipped in NOT_YET_DOCUMENTED {
        assert!(
            root.join(skipped).exists(),
            "{skipped} is listed as not yet documented but does not exist"
        );
    }
    let mut routes = BTreeSet::new();
    for (file, prefix) in files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if NOT_YET_DOCUMENTED.contains(&rel.as_str()) {
            continue;
        }
        let src = std::fs::read_to_string(&file).unwrap();
        for (method, path) in registrations(&src) {
            let full = format!("{prefix}{path}");
            let full = match full.strip_suffix('/') {
                Some(s) if !s.is_empty() => s.to_owned(),
                _ => full,
            };
            if in_scope(&full) {
                routes.insert((method, full));
            }
        }
    }
    routes
}

/// The part of the router this test holds to the document: the application and remote
/// APIs and the system endpoints (the client API is not documented yet).
fn in_scope(path: &str) -> bool {
    path.starts_with("/api/application/")
        || path.starts_with("/api/remote/")
        || path == "/api/health"
        || path == "/api/openapi.json"
}

/// The `(METHOD, path)` pairs of every `.route("path", get(..).post(..))` (and the
/// `both(router, "path", ..)` helper some files use) in a route file's source.
fn registrations(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for opener in [".route(", "both("] {
        let mut from = 0;
        while let Some(at) = src[from..].find(opener) {
            let start = from + at + opener.len();
            from = start;
            // The call's arguments, up to the matching parenthesis.
            let mut depth = 1usize;
            let mut end = start;
            for (i, c) in src[start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = start + i;
                    break;
                }
            }
            let args = &src[start..end];
            let Some(q) = args.find('"') else { continue };
            let Some(len) = args[q + 1..].find('"') else {
                continue;
            };
            let path = &args[q + 1..q + 1 + len];
            if !path.starts_with('/') {
                continue; // `fn both(...)` itself, or a route built at run time
            }
            let rest = &args[q + 1 + len..];
            for m in METHODS {
                let call = format!("{m}(");
                let mut i = 0;
                while let Some(j) = rest[i..].find(&call) {
                    let pos = i + j;
                    let before = rest[..pos].chars().next_back();
                    if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        out.push((m.to_uppercase(), path.to_owned()));
                    }
                    i = pos + call.len();
                }
            }
        }
    }
    out
}

#[test]
fn registrations_parser_reads_route_tables() {
    let src = r#"
        Router::new()
            .route("/users", get(list_users).post(create_user))
            .route("/users/", get(list_users).post(create_user))
            .route(
                "/users/{id}",
                get(view_user).patch(update_user).delete(delete_user),
            )
            .route("/nodes/{id}/allocations/{allocation}", delete(delete_allocation))
        r = both(r, "/account/api-keys", get(list_api_keys).post(create_api_key));
    "#;
    let got: BTreeSet<(String, String)> = registrations(src).into_iter().collect();
    let want: BTreeSet<(String, String)> = [
        ("GET", "/users"),
        ("POST", "/users"),
        ("GET", "/users/"),
        ("POST", "/users/"),
        ("GET", "/users/{id}"),
        ("PATCH", "/users/{id}"),
        ("DELETE", "/users/{id}"),
        ("DELETE", "/nodes/{id}/allocations/{allocation}"),
        ("GET", "/account/api-keys"),
        ("POST", "/account/api-keys"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(got, want);
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    operations(doc)
        .into_iter()
        .map(|(path, method, _)| (method.to_uppercase(), path))
        .collect()
}

#[tokio::test]
async fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let p = TestPanel::start().await;
    let doc = fetch_document(&p).await;
    let documented = documented_routes(&doc);
    let served = served_routes();
    assert!(
        served.len() > 40,
        "the route tables were not read: {served:?}"
    );

    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the OpenAPI document (annotate the handler with #[utoipa::path] \
         and list it in its file's ApiDoc): {undocumented:?}"
    );
    let unregistered: Vec<_> = documented.difference(&served).collect();
    assert!(
        unregistered.is_empty(),
        "documented but registered in no route table: {unregistered:?}"
    );

    // The router answers a missing route with 404 and a missing method with 405; a handler
    // that exists answers a request without credentials with 401 before anything else.
    let (status, _) = p
        .call_json(Method::PUT, "/api/application/users", "", None)
        .await;
    assert_eq!(status, 405, "the probe below relies on this");
    let (status, _) = p
        .call_json(Method::GET, "/api/application/no-such-thing", "", None)
        .await;
    assert_eq!(status, 404, "the probe below relies on this");

    for (path, method, op) in operations(&doc) {
        let url = path
            .replace("{uuid}", "8f2c5e4a-1b3d-4c5e-9f60-7a8b9c0d1e2f")
            .replace("{external_id}", "ext-1")
            .replace("{id}", "1")
            .replace("{egg}", "1")
            .replace("{allocation}", "1")
            .replace("{database}", "1");
        assert!(
            !url.contains('{'),
            "no sample value for a parameter of {path}"
        );
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let resp = p
            .client
            .request(m, format!("{}{url}", p.url))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured {
            assert_eq!(
                status, 401,
                "{method} {path} is documented but {url} without credentials answered \
                 {status}, not the handler's 401"
            );
        } else {
            assert!(
                status == 200 || status == 503,
                "{method} {path} is documented as public but answered {status}"
            );
        }
    }
}

// ---- 3. real responses match the documented schemas --------------------------------------

struct World {
    p: TestPanel,
    doc: Doc,
    key: String,
    admin: User,
    location: i64,
    node: i64,
    nest: i64,
    egg: i64,
    server: i64,
    server_uuid: String,
    node_token: String,
}

async fn world() -> World {
    let p = TestPanel::start().await;
    aerie_panel::services::eggs::seed_standard_nests(&p.db)
        .await
        .unwrap();
    let admin = p.user("admin", true).await;
    let someone = p.user("someone", false).await;
    let key = p.key(&admin, KeyType::Application).await;
    let doc = Doc(fetch_document(&p).await);

    let (status, loc) = p
        .call_json(
            Method::POST,
            "/api/application/locations",
            &key,
            Some(json!({"short": "eu", "long": "Europe"})),
        )
        .await;
    assert_eq!(status, 201, "{loc}");
    doc.check("post", "/api/application/locations", "201", &loc);
    let location = loc["attributes"]["id"].as_i64().unwrap();

    let (status, node) = p
        .call_json(
            Method::POST,
            "/api/application/nodes",
            &key,
            Some(json!({
                "name": "node-1", "location_id": location, "fqdn": "node1.example.com",
                "scheme": "https", "memory": 8192, "memory_overallocate": 0, "disk": 100000,
                "disk_overallocate": 0, "daemon_listen": 8080, "daemon_sftp": 2022,
            })),
        )
        .await;
    assert_eq!(status, 201, "{node}");
    doc.check("post", "/api/application/nodes", "201", &node);
    let node = node["attributes"]["id"].as_i64().unwrap();

    let (status, body) = p
        .call_json(
            Method::POST,
            &format!("/api/application/nodes/{node}/allocations"),
            &key,
            Some(json!({"ip": "127.0.0.1", "alias": "local", "ports": ["25565-25567"]})),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    // An imported egg, and a second one that inherits its config and script.
    let (status, nests) = p
        .call_json(Method::GET, "/api/application/nests", &key, None)
        .await;
    assert_eq!(status, 200);
    let nest = nests["data"][0]["attributes"]["id"].as_i64().unwrap();
    let egg_file =
        std::fs::read_to_string(manifest_dir().join("../../tests/fixtures/eggs/egg-minetest.json"))
            .unwrap();
    let resp = p
        .client
        .post(format!(
            "{}/api/application/nests/{nest}/eggs/import",
            p.url
        ))
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body(egg_file)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let imported: Value = resp.json().await.unwrap();
    doc.check(
        "post",
        "/api/application/nests/{id}/eggs/import",
        "201",
        &imported,
    );
    let egg = imported["attributes"]["id"].as_i64().unwrap();
    let egg_row = p.db.eggs().find(egg).await.unwrap().unwrap();
    p.db.eggs()
        .create(
            nest,
            None,
            &EggFields {
                author: "admin@example.com".into(),
                name: "child".into(),
                description: None,
                features: None,
                docker_images: r#"{"Default": "ghcr.io/example/child"}"#.into(),
                file_denylist: None,
                update_url: None,
                config_files: None,
                config_startup: None,
                config_logs: None,
                config_stop: None,
                config_from: Some(egg),
                startup: Some("./run".into()),
                script_container: "alpine".into(),
                copy_script_from: Some(egg),
                script_entry: "ash".into(),
                script_is_privileged: true,
                script_install: None,
                force_outgoing_ip: false,
            },
            &[],
        )
        .await
        .unwrap();

    // A server, written straight to the database (creating one through the API needs wings).
    let (allocations, _) =
        p.db.allocations()
            .list_by_node(
                node,
                &aerie_db::repo::allocations::AllocationListQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    let uuid = uuid::Uuid::new_v4().to_string();
    let server =
        p.db.servers()
            .create(&NewServer {
                external_id: Some("billing-7".into()),
                uuid: uuid.clone(),
                uuid_short: uuid[..8].to_owned(),
                node_id: node,
                name: "srv".into(),
                description: None,
                status: None,
                skip_scripts: false,
                owner_id: admin.id,
                memory: 1024,
                swap: 0,
                disk: 2048,
                io: 500,
                cpu: 100,
                threads: None,
                oom_disabled: false,
                allocation_id: allocations[0].id,
                nest_id: egg_row.nest_id,
                egg_id: egg_row.id,
                startup: egg_row.startup.clone().unwrap_or_default(),
                image: "ghcr.io/example/image".into(),
                allocation_limit: None,
                database_limit: 1,
                backup_limit: 1,
            })
            .await
            .unwrap();
    p.db.allocations()
        .assign(&[allocations[0].id, allocations[1].id], server.id)
        .await
        .unwrap();

    // Something for each of the server's list includes: a stored variable value, a
    // subuser, and a database on a host (rows only; no database server is contacted).
    let variables = p.db.eggs().variables(egg_row.id).await.unwrap();
    assert!(!variables.is_empty(), "the fixture egg has variables");
    p.db.servers()
        .set_variables(server.id, &[(variables[0].id, "custom".into())])
        .await
        .unwrap();
    p.db.subusers()
        .create(someone.id, server.id, &["control.console".to_owned()])
        .await
        .unwrap();
    let host =
        p.db.databases()
            .create_host(&NewDatabaseHost {
                name: "db-1".into(),
                host: "127.0.0.1".into(),
                port: 3306,
                username: "panel".into(),
                password: "not-encrypted".into(),
                max_databases: None,
                node_id: Some(node),
            })
            .await
            .unwrap();
    p.db.databases()
        .create(&NewDatabase {
            server_id: server.id,
            database_host_id: host.id,
            database: format!("s{}_main", server.id),
            username: format!("u{}_abcdefghij", server.id),
            remote: "%".into(),
            password: "not-encrypted".into(),
            max_connections: None,
        })
        .await
        .unwrap();

    let node_row = p.db.nodes().find(node).await.unwrap().unwrap();
    let node_token = format!("{}.{}", node_row.daemon_token_id, node_row.daemon_token);
    World {
        p,
        doc,
        key,
        admin,
        location,
        node,
        nest: egg_row.nest_id,
        egg: egg_row.id,
        server: server.id,
        server_uuid: uuid,
        node_token,
    }
}

impl World {
    /// GETs `url` with `key`, expects 200, and checks the body against `documented`'s
    /// schema. Returns the body.
    async fn get_checked(&self, key: &str, documented: &str, url: &str) -> Value {
        let (status, body) = self.p.call_json(Method::GET, url, key, None).await;
        assert_eq!(status, 200, "GET {url}: {body}");
        self.doc.check("get", documented, "200", &body);
        body
    }
}

#[tokio::test]
async fn application_responses_match_their_schemas() {
    let w = world().await;
    let k = w.key.as_str();
    let (loc, node, nest, egg) = (w.location, w.node, w.nest, w.egg);

    // Users: list, item, include=servers (the full server transformer).
    let users = w
        .get_checked(k, "/api/application/users", "/api/application/users")
        .await;
    assert_eq!(users["data"].as_array().unwrap().len(), 2);
    let user = w
        .get_checked(
            k,
            "/api/application/users/{id}",
            &format!("/api/application/users/{}?include=servers", w.admin.id),
        )
        .await;
    assert_eq!(
        user["attributes"]["relationships"]["servers"]["data"][0]["object"],
        "server"
    );
    w.get_checked(
        k,
        "/api/application/users",
        "/api/application/users?include=servers&per_page=1",
    )
    .await;

    // Locations with both includes.
    let locations = w
        .get_checked(
            k,
            "/api/application/locations",
            "/api/application/locations?include=nodes,servers",
        )
        .await;
    assert_eq!(
        locations["data"][0]["attributes"]["relationships"]["nodes"]["object"],
        "list"
    );
    w.get_checked(
        k,
        "/api/application/locations/{id}",
        &format!("/api/application/locations/{loc}"),
    )
    .await;

    // Nodes: item with every include, list, deployable, configuration.
    let n = w
        .get_checked(
            k,
            "/api/application/nodes/{id}",
            &format!("/api/application/nodes/{node}?include=allocations,location,servers"),
        )
        .await;
    assert_eq!(
        n["attributes"]["relationships"]["location"]["object"],
        "location"
    );
    w.get_checked(k, "/api/application/nodes", "/api/application/nodes")
        .await;
    w.get_checked(
        k,
        "/api/application/nodes/deployable",
        "/api/application/nodes/deployable?memory=128&disk=128",
    )
    .await;
    w.get_checked(
        k,
        "/api/application/nodes/{id}/configuration",
        &format!("/api/application/nodes/{node}/configuration"),
    )
    .await;

    // Allocations with node and server (one assigned, the others free: null resources).
    let allocations = w
        .get_checked(
            k,
            "/api/application/nodes/{id}/allocations",
            &format!("/api/application/nodes/{node}/allocations?include=node,server"),
        )
        .await;
    let servers: Vec<&Value> = allocations["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["attributes"]["relationships"]["server"]["object"])
        .collect();
    assert!(servers.contains(&&json!("server")) && servers.contains(&&json!("null_resource")));

    // Nests with eggs and servers (the short server form); one nest.
    w.get_checked(
        k,
        "/api/application/nests",
        "/api/application/nests?include=eggs,servers",
    )
    .await;
    let n = w
        .get_checked(
            k,
            "/api/application/nests/{id}",
            &format!("/api/application/nests/{nest}?include=eggs"),
        )
        .await;
    assert_eq!(
        n["attributes"]["relationships"]["eggs"]["data"][0]["object"],
        "egg"
    );

    // Eggs with every include; one egg with its variables; the export.
    let eggs = w
        .get_checked(
            k,
            "/api/application/nests/{id}/eggs",
            &format!(
                "/api/application/nests/{nest}/eggs?include=nest,servers,variables,config,script"
            ),
        )
        .await;
    let child = eggs["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["attributes"]["name"] == "child")
        .unwrap();
    let rel = &child["attributes"]["relationships"];
    assert!(rel["config"]["object"].is_null() && rel["config"]["attributes"].is_object());
    assert!(rel["script"]["object"].is_null() && rel["script"]["attributes"].is_object());
    let e = w
        .get_checked(
            k,
            "/api/application/nests/{id}/eggs/{egg}",
            &format!("/api/application/nests/{nest}/eggs/{egg}?include=variables"),
        )
        .await;
    assert_eq!(
        e["attributes"]["relationships"]["variables"]["object"],
        "list"
    );
    let (status, export) =
        w.p.call_json(
            Method::GET,
            &format!("/api/application/nests/{nest}/eggs/{egg}/export"),
            k,
            None,
        )
        .await;
    assert_eq!(status, 200);
    w.doc.check(
        "get",
        "/api/application/nests/{id}/eggs/{egg}/export",
        "200",
        &export,
    );

    // Database hosts and server databases (rows written straight to the database: creating
    // them through the API needs a real MariaDB).
    w.get_checked(
        k,
        "/api/application/database-hosts",
        "/api/application/database-hosts?include=databases",
    )
    .await;
    let server_id = w.server;
    w.get_checked(
        k,
        "/api/application/servers/{id}/databases",
        &format!("/api/application/servers/{server_id}/databases"),
    )
    .await;

    // Servers: the list, one server with every include, and by external id.
    let servers = w
        .get_checked(k, "/api/application/servers", "/api/application/servers")
        .await;
    assert_eq!(servers["data"][0]["object"], "server");
    assert_eq!(servers["meta"]["pagination"]["total"], 1);
    let env = &servers["data"][0]["attributes"]["container"]["environment"];
    assert_eq!(env["P_SERVER_LOCATION"], "eu");
    assert!(env["P_SERVER_ALLOCATION_LIMIT"].is_null());
    let s = w
        .get_checked(
            k,
            "/api/application/servers/{id}",
            &format!(
                "/api/application/servers/{server_id}?include=allocations,user,subusers,nest,egg,\
                 variables,location,node,databases"
            ),
        )
        .await;
    let rel = &s["attributes"]["relationships"];
    let objects: Vec<(&str, &Value)> = [
        "allocations",
        "user",
        "subusers",
        "nest",
        "egg",
        "variables",
        "location",
        "node",
        "databases",
    ]
    .into_iter()
    .map(|name| (name, &rel[name]["object"]))
    .collect();
    assert_eq!(
        objects,
        [
            ("allocations", &json!("list")),
            ("user", &json!("user")),
            ("subusers", &json!("list")),
            ("nest", &json!("nest")),
            ("egg", &json!("egg")),
            ("variables", &json!("list")),
            ("location", &json!("location")),
            ("node", &json!("node")),
            ("databases", &json!("list")),
        ]
    );
    for list in ["allocations", "subusers", "variables", "databases"] {
        assert!(
            !rel[list]["data"].as_array().unwrap().is_empty(),
            "include={list} is empty, so its item schema went unchecked"
        );
    }
    let values: Vec<&Value> = rel["variables"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["attributes"]["server_value"])
        .collect();
    assert!(values.contains(&&json!("custom")), "{values:?}");
    w.get_checked(
        k,
        "/api/application/servers",
        "/api/application/servers?include=allocations,user,subusers,nest,egg,variables,\
         location,node,databases&per_page=1&sort=-id",
    )
    .await;
    let ext = w
        .get_checked(
            k,
            "/api/application/servers/external/{external_id}",
            "/api/application/servers/external/billing-7",
        )
        .await;
    assert_eq!(ext["attributes"]["id"], server_id);
    assert_eq!(ext["attributes"]["external_id"], "billing-7");
}

/// A key without the ACL bit of an include gets a null resource in its place.
#[tokio::test]
async fn null_resource_includes_match_their_schemas() {
    let w = world().await;
    let key =
        w.p.app_key_with(
            &w.admin,
            ApiKeyPermissions {
                nodes: 0,
                servers: 0,
                eggs: 1,
                nests: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let l = w
        .get_checked(
            &key,
            "/api/application/locations/{id}",
            &format!(
                "/api/application/locations/{}?include=nodes,servers",
                w.location
            ),
        )
        .await;
    assert_eq!(
        l["attributes"]["relationships"]["nodes"]["object"],
        "null_resource"
    );
    let e = w
        .get_checked(
            &key,
            "/api/application/nests/{id}/eggs/{egg}",
            &format!(
                "/api/application/nests/{}/eggs/{}?include=nest,servers,variables",
                w.nest, w.egg
            ),
        )
        .await;
    assert_eq!(
        e["attributes"]["relationships"]["nest"]["object"],
        "null_resource"
    );

    // A key that may read servers and nothing else: every include of a server is a null
    // resource.
    let servers_only =
        w.p.app_key_with(
            &w.admin,
            ApiKeyPermissions {
                servers: 1,
                ..ApiKeyPermissions::default()
            },
        )
        .await;
    let s = w
        .get_checked(
            &servers_only,
            "/api/application/servers/{id}",
            &format!(
                "/api/application/servers/{}?include=allocations,user,subusers,nest,egg,\
                 location,node,databases",
                w.server
            ),
        )
        .await;
    let rel = s["attributes"]["relationships"].as_object().unwrap();
    assert_eq!(rel.len(), 8);
    for (name, value) in rel {
        assert_eq!(value["object"], "null_resource", "include={name}");
    }
}

#[tokio::test]
async fn error_responses_match_their_schemas() {
    let w = world().await;
    let (status, body) =
        w.p.call_json(Method::GET, "/api/application/users/999999", &w.key, None)
            .await;
    assert_eq!(status, 404);
    w.doc
        .check("get", "/api/application/users/{id}", "404", &body);

    let (status, body) =
        w.p.call_json(
            Method::GET,
            "/api/application/users?filter[nope]=1",
            &w.key,
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    w.doc.check("get", "/api/application/users", "400", &body);

    let (status, body) =
        w.p.call_json(
            Method::GET,
            "/api/application/users?per_page=many",
            &w.key,
            None,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    w.doc.check("get", "/api/application/users", "422", &body);

    let (status, body) =
        w.p.call_json(
            Method::POST,
            "/api/application/users",
            &w.key,
            Some(json!({"username": "x"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"][0]["meta"]["source_field"].is_string());
    w.doc.check("post", "/api/application/users", "422", &body);

    let (status, body) =
        w.p.call_json(
            Method::GET,
            "/api/application/servers/external/no-such-id",
            &w.key,
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    w.doc.check(
        "get",
        "/api/application/servers/external/{external_id}",
        "404",
        &body,
    );

    let (status, body) =
        w.p.call_json(
            Method::GET,
            "/api/application/servers?include=password",
            &w.key,
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    w.doc.check("get", "/api/application/servers", "400", &body);

    let (status, body) =
        w.p.call_json(Method::GET, "/api/application/users", "ptla_nope", None)
            .await;
    assert_eq!(status, 401, "{body}");
    w.doc.check("get", "/api/application/users", "401", &body);
}

#[tokio::test]
async fn remote_and_system_responses_match_their_schemas() {
    let w = world().await;
    let t = w.node_token.as_str();
    w.get_checked(t, "/api/remote/servers", "/api/remote/servers?per_page=1")
        .await;
    w.get_checked(
        t,
        "/api/remote/servers/{uuid}",
        &format!("/api/remote/servers/{}", w.server_uuid),
    )
    .await;
    w.get_checked(
        t,
        "/api/remote/servers/{uuid}/install",
        &format!("/api/remote/servers/{}/install", w.server_uuid),
    )
    .await;

    let resp = w.p.get("/api/health").await;
    assert_eq!(resp.status(), 200);
    let health: Value = resp.json().await.unwrap();
    w.doc.check("get", "/api/health", "200", &health);
}

/// The checks above can fail: a body with a key the schema does not know, without a key
/// it requires, or with a value of the wrong type is rejected.
#[tokio::test]
async fn schema_check_rejects_drift() {
    let w = world().await;
    let (_, user) =
        w.p.call_json(
            Method::GET,
            &format!("/api/application/users/{}", w.admin.id),
            &w.key,
            None,
        )
        .await;
    let schema = w
        .doc
        .response_schema("get", "/api/application/users/{id}", "200");
    assert!(w.doc.errors(&schema, &user).is_empty());

    let mut extra = user.clone();
    extra["attributes"]["password"] = json!("hash");
    assert!(
        !w.doc.errors(&schema, &extra).is_empty(),
        "extra key accepted"
    );

    let mut missing = user.clone();
    missing["attributes"].as_object_mut().unwrap().remove("2fa");
    assert!(
        !w.doc.errors(&schema, &missing).is_empty(),
        "missing key accepted"
    );

    let mut retyped = user.clone();
    retyped["attributes"]["root_admin"] = json!(1);
    assert!(
        !w.doc.errors(&schema, &retyped).is_empty(),
        "wrong type accepted"
    );

    let mut bad_time = user;
    bad_time["attributes"]["created_at"] = json!("yesterday");
    assert!(
        !w.doc.errors(&schema, &bad_time).is_empty(),
        "bad timestamp accepted"
    );
}
