//! The OpenAPI document at `GET /api/openapi.json`:
//!
//! 1. a snapshot of the whole document (`tests/snapshots/openapi__document.snap`), so a
//!    change to any annotation or schema shows up in review; update it with
//!    `INSTA_UPDATE=always cargo nextest run -p aerie-panel --test openapi` (or
//!    `cargo insta review`) and commit the `.snap`;
//! 2. the document and the router agree: every route the route files register under
//!    `/api/application`, `/api/client`, `/api/remote`, `/sanctum` and `/auth` is
//!    documented, with the same methods, and every documented operation is really served (a
//!    request without credentials is answered by the handler's 401, or for the public login
//!    routes by a documented answer, not by the router's 404/405). Route files still being
//!    written are listed in [`NOT_YET_DOCUMENTED`];
//! 3. the document tells the truth: real responses of a populated panel validate against
//!    the response schemas the document gives for them (`$ref`s resolved against its
//!    components, formats checked, objects closed).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use aerie_db::models::{ApiKeyPermissions, User};
use aerie_db::repo::databases::{NewDatabase, NewDatabaseHost};
use aerie_db::repo::eggs::EggFields;
use aerie_db::repo::servers::NewServer;
use aerie_panel::services::totp;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use auth_support::Browser;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
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
    assert_eq!(schemes["session"]["type"], "apiKey");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "aerie_session");

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
        let want: &[&str] = if SESSION_ONLY.iter().any(|p| path.starts_with(p)) {
            &["session"]
        } else if path.starts_with("/api/application/") {
            &["api_key"]
        } else if path == "/api/client" || path.starts_with("/api/client/") {
            // Either one: a client key or a browser session.
            &["api_key", "session"]
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

/// Application paths that refuse every API key and take only an administrator's session.
const SESSION_ONLY: &[&str] = &["/api/application/api-keys", "/api/application/settings"];

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

/// Route files (or whole directories of them) whose handlers are not documented yet.
/// Remove an entry in the change that annotates its handlers; the test then holds it to
/// the document.
const NOT_YET_DOCUMENTED: &[&str] = &[];

/// Whether `rel` (a path relative to the crate) is, or is inside, a `NOT_YET_DOCUMENTED`
/// entry.
fn not_yet_documented(rel: &str) -> bool {
    NOT_YET_DOCUMENTED.iter().any(|skipped| {
        rel == *skipped
            || rel
                .strip_prefix(skipped)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// `(METHOD, path)` for every route registered in the route files that serve
/// `/api/application`, `/api/client`, `/api/remote`, the browser login and the system
/// endpoints, as the router nests them, trailing-slash twins folded into one.
fn served_routes() -> BTreeSet<(String, String)> {
    let root = manifest_dir();
    let mut files: Vec<(PathBuf, &str)> = vec![
        (root.join("src/routes/mod.rs"), ""),
        (root.join("src/openapi.rs"), ""),
        (root.join("src/routes/auth.rs"), ""),
    ];
    for (dir, prefix) in [
        ("src/routes/application", "/api/application"),
        ("src/routes/remote", "/api/remote"),
        // Nested under `/api/client` (`client_account`).
        ("src/routes/client", "/api/client"),
        // Merged with full paths (`/api/client/servers/{server}/...`).
        ("src/routes/server_extras", ""),
        ("src/routes/servers", ""),
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
        if not_yet_documented(&rel) {
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

/// The part of the router this test holds to the document: the application, client and
/// remote APIs, the browser login and the system endpoints.
fn in_scope(path: &str) -> bool {
    path.starts_with("/api/application/")
        || path == "/api/client"
        || path.starts_with("/api/client/")
        || path.starts_with("/api/remote/")
        || path.starts_with("/auth/")
        || path.starts_with("/sanctum/")
        || path == "/api/health"
        || path == "/api/openapi.json"
}

/// The `&str` constants of a route file (`const S: &str = "/api/client/servers/{server}";`),
/// which route tables use in `format!` paths.
fn string_consts(src: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (at, _) in src.match_indices("const ") {
        let rest = &src[at + "const ".len()..];
        let Some((name, rest)) = rest.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = rest.trim_start();
        let Some(rest) = rest
            .strip_prefix("&str")
            .or_else(|| rest.strip_prefix("&'static str"))
        else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        if let Some(end) = rest.find('"') {
            out.insert(name.to_owned(), rest[..end].to_owned());
        }
    }
    out
}

/// A call's arguments split at its top-level commas.
fn split_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut in_str, mut start) = (0i32, false, 0usize);
    let mut prev = ' ';
    for (i, c) in args.char_indices() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '(' | '[' | '{' if !in_str => depth += 1,
            ')' | ']' | '}' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                out.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        prev = c;
    }
    out.push(&args[start..]);
    out
}

/// The path a route argument stands for: a string literal, a `&str` constant, or a
/// `format!` of literals and constants (`&format!("{S}/users/{{user}}")`). `None` for
/// anything built at run time.
fn resolve_path(arg: &str, consts: &BTreeMap<String, String>) -> Option<String> {
    let arg = arg.trim().trim_start_matches('&').trim();
    if let Some(lit) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
        return Some(lit.to_owned());
    }
    if let Some(inner) = arg
        .strip_prefix("format!(")
        .and_then(|a| a.strip_suffix(')'))
    {
        let template = inner
            .trim()
            .strip_prefix('"')
            .and_then(|a| a.strip_suffix('"'))?;
        let mut out = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    out.push_str(consts.get(name.trim())?);
                }
                c => out.push(c),
            }
        }
        return Some(out);
    }
    consts.get(arg).cloned()
}

/// The `(METHOD, path)` pairs of every `.route(path, get(..).post(..))` (and the
/// `both(router, path, ..)` helper some files use) in a route file's source. `path` is a
/// literal, a constant or a `format!` of them.
fn registrations(src: &str) -> Vec<(String, String)> {
    let consts = string_consts(src);
    let mut out = Vec::new();
    for (opener, path_at) in [(".route(", 0usize), ("both(", 1)] {
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
            let args = split_args(&src[start..end]);
            let Some(path) = args.get(path_at).and_then(|a| resolve_path(a, &consts)) else {
                continue; // `fn both(...)` itself, or a route built at run time
            };
            if !path.starts_with('/') {
                continue;
            }
            let rest = args.get(path_at + 1..).unwrap_or_default().join(",");
            for m in METHODS {
                let call = format!("{m}(");
                let mut i = 0;
                while let Some(j) = rest[i..].find(&call) {
                    let pos = i + j;
                    let before = rest[..pos].chars().next_back();
                    if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        out.push((m.to_uppercase(), path.clone()));
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
            .route("/auth/login", post(login).fallback(super::fallback))
        r = both(r, "/account/api-keys", get(list_api_keys).post(create_api_key));
        fn both(router: Router<AppState>, path: &str, method: MethodRouter<AppState>) -> Router<AppState> {
            router.route(path, method.clone()).route(&format!("{path}/"), method)
        }
        const S: &str = "/api/client/servers/{server}";
        r = both(r, S, get(view_server));
        r = both(
            r,
            &format!("{S}/users/{{user}}"),
            get(subusers::get_subuser).delete(subusers::delete_subuser),
        );
        both(r, &format!("{S}/databases/{{database}}"), axum::routing::delete(delete_database))
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
        ("POST", "/auth/login"),
        ("GET", "/api/client/servers/{server}"),
        ("GET", "/api/client/servers/{server}/users/{user}"),
        ("DELETE", "/api/client/servers/{server}/users/{user}"),
        (
            "DELETE",
            "/api/client/servers/{server}/databases/{database}",
        ),
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
            .replace("{egg_id}", "1")
            .replace("{node_id}", "1")
            .replace("{server_id}", "1")
            .replace("{allocation}", "1")
            .replace("{database}", "1")
            .replace("{server}", "8f2c5e4a")
            .replace("{user}", "8f2c5e4a-1b3d-4c5e-9f60-7a8b9c0d1e2f")
            .replace("{backup}", "8f2c5e4a-1b3d-4c5e-9f60-7a8b9c0d1e2f")
            .replace("{schedule}", "1")
            .replace("{task}", "1")
            .replace("{identifier}", "ptlc_abcdefghijk");
        assert!(
            !url.contains('{'),
            "no sample value for a parameter of {path}"
        );
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut req = p
            .client
            .request(m, format!("{}{url}", p.url))
            .header("Accept", "application/json");
        if method != "get" {
            req = req.json(&json!({}));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let json_body = resp
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured {
            assert_eq!(
                status, 401,
                "{method} {path} is documented but {url} without credentials answered \
                 {status}, not the handler's 401"
            );
        } else {
            // The system endpoints answer (503: a dependency is down); the login routes
            // answer a POST without the CSRF header with 419, and the CSRF cookie and a
            // logout without a session with 204. A web UI page (the method fallback of
            // the `/auth` routes) would be neither JSON nor documented.
            assert!(
                matches!(status, 200 | 204 | 419 | 503),
                "{method} {path} is documented as public but answered {status}"
            );
            assert!(
                op["responses"].get(status.to_string()).is_some(),
                "{method} {path} answered {status}, which it does not document"
            );
            assert!(
                status == 204 || json_body,
                "{method} {path} answered {status} without a JSON body"
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
    // subuser, and a database on a host (rows only; no database server is contacted; the
    // password is stored encrypted as the panel does, so `include=password` can show it).
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
            password: aerie_panel::services::databases::cipher(&p.db)
                .await
                .unwrap()
                .encrypt("s3cret-Pass_word")
                .unwrap(),
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

/// An `authorized_keys` line of a made-up Ed25519 key.
fn ed25519_line(seed: u8) -> String {
    let mut blob = Vec::new();
    for field in [b"ssh-ed25519".as_slice(), &[seed; 32]] {
        blob.extend_from_slice(&u32::try_from(field.len()).unwrap().to_be_bytes());
        blob.extend_from_slice(field);
    }
    format!("ssh-ed25519 {} someone@example", STANDARD.encode(blob))
}

/// Sends `method url` with `key` and a JSON body, expects `status`, and checks the body
/// against `documented`'s schema for that status. Returns the body.
async fn send_checked(
    w: &World,
    key: &str,
    method: Method,
    documented: &str,
    url: &str,
    body: Value,
    status: u16,
) -> Value {
    let m = method.as_str().to_lowercase();
    let (got, reply) = w.p.call_json(method, url, key, Some(body)).await;
    assert_eq!(got, status, "{m} {url}: {reply}");
    w.doc.check(&m, documented, &status.to_string(), &reply);
    reply
}

#[tokio::test]
async fn client_account_responses_match_their_schemas() {
    let w = world().await;
    let key = w.p.key(&w.admin, KeyType::Client).await;
    let c = key.as_str();

    let account = w
        .get_checked(c, "/api/client/account", "/api/client/account")
        .await;
    assert_eq!(account["attributes"]["id"], w.admin.id);
    assert_eq!(account["attributes"]["admin"], true);
    w.get_checked(
        c,
        "/api/client/account/two-factor",
        "/api/client/account/two-factor",
    )
    .await;

    // An API key: 200 with meta.secret_token, and identifier + secret is a working token.
    let created = send_checked(
        &w,
        c,
        Method::POST,
        "/api/client/account/api-keys",
        "/api/client/account/api-keys",
        json!({"description": "ci", "allowed_ips": ["127.0.0.1/32"]}),
        200,
    )
    .await;
    let secret = created["meta"]["secret_token"].as_str().unwrap();
    assert_eq!(secret.len(), 32);
    let token = format!(
        "{}{secret}",
        created["attributes"]["identifier"].as_str().unwrap()
    );
    let (status, _) =
        w.p.call_json(Method::GET, "/api/client/account", &token, None)
            .await;
    assert_eq!(status, 200, "identifier + meta.secret_token is not a key");
    let keys = w
        .get_checked(
            c,
            "/api/client/account/api-keys",
            "/api/client/account/api-keys",
        )
        .await;
    assert_eq!(keys["data"].as_array().unwrap().len(), 2);
    assert!(keys["data"][1]["attributes"]["description"].is_string());
    assert!(keys["data"][0]["attributes"]["last_used_at"].is_string());

    // An SSH key.
    send_checked(
        &w,
        c,
        Method::POST,
        "/api/client/account/ssh-keys",
        "/api/client/account/ssh-keys",
        json!({"name": "laptop", "public_key": ed25519_line(7)}),
        200,
    )
    .await;
    let ssh = w
        .get_checked(
            c,
            "/api/client/account/ssh-keys",
            "/api/client/account/ssh-keys",
        )
        .await;
    assert_eq!(ssh["data"][0]["object"], "ssh_key");

    // The activity those made, with and without the actor.
    let activity = w
        .get_checked(
            c,
            "/api/client/account/activity",
            "/api/client/account/activity?include=actor",
        )
        .await;
    let entries = activity["data"].as_array().unwrap();
    assert!(entries.len() >= 2, "{activity}");
    assert_eq!(
        entries[0]["attributes"]["relationships"]["actor"]["object"],
        "user"
    );
    w.get_checked(
        c,
        "/api/client/account/activity",
        "/api/client/account/activity?per_page=1&sort=timestamp&filter[event]=api-key",
    )
    .await;

    // Errors: an unknown key, a bad body, and a session request without its CSRF token.
    let (status, body) =
        w.p.call_json(
            Method::DELETE,
            "/api/client/account/api-keys/ptlc_nosuchkey0",
            c,
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    w.doc.check(
        "delete",
        "/api/client/account/api-keys/{identifier}",
        "404",
        &body,
    );
    send_checked(
        &w,
        c,
        Method::POST,
        "/api/client/account/ssh-keys",
        "/api/client/account/ssh-keys",
        json!({"name": "laptop"}),
        422,
    )
    .await;
}

#[tokio::test]
async fn client_server_responses_match_their_schemas() {
    let w = world().await;
    let key = w.p.key(&w.admin, KeyType::Client).await;
    let c = key.as_str();
    let s = format!("/api/client/servers/{}", &w.server_uuid[..8]);
    const S: &str = "/api/client/servers/{server}";

    // Subusers: the list and one.
    let subusers = w
        .get_checked(c, &format!("{S}/users"), &format!("{s}/users"))
        .await;
    let list = subusers["data"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let uuid = list[0]["attributes"]["uuid"].as_str().unwrap();
    w.get_checked(
        c,
        &format!("{S}/users/{{user}}"),
        &format!("{s}/users/{uuid}"),
    )
    .await;

    // Backups (rows; making one needs wings): one finished, one running.
    let repo = w.p.db.backups();
    let done = repo
        .create(w.server, "nightly", "*.log\ncache/", "wings", true)
        .await
        .unwrap();
    assert!(
        repo.complete(&done.uuid, true, Some("sha1:0123abcd"), 4096)
            .await
            .unwrap()
    );
    let running = repo
        .create(w.server, "running", "", "wings", false)
        .await
        .unwrap();
    let page = w
        .get_checked(
            c,
            &format!("{S}/backups"),
            &format!("{s}/backups?per_page=1"),
        )
        .await;
    assert_eq!(page["meta"]["backup_count"], 2);
    assert_eq!(page["meta"]["pagination"]["total"], 2);
    assert!(page["meta"]["pagination"]["links"]["next"].is_string());
    w.get_checked(c, &format!("{S}/backups"), &format!("{s}/backups"))
        .await;
    let b = w
        .get_checked(
            c,
            &format!("{S}/backups/{{backup}}"),
            &format!("{s}/backups/{}", done.uuid),
        )
        .await;
    assert!(b["attributes"]["completed_at"].is_string());
    assert_eq!(b["attributes"]["ignored_files"], json!(["*.log", "cache/"]));
    let b = w
        .get_checked(
            c,
            &format!("{S}/backups/{{backup}}"),
            &format!("{s}/backups/{}", running.uuid),
        )
        .await;
    assert!(b["attributes"]["completed_at"].is_null() && b["attributes"]["checksum"].is_null());
    let link = w
        .get_checked(
            c,
            &format!("{S}/backups/{{backup}}/download"),
            &format!("{s}/backups/{}/download", done.uuid),
        )
        .await;
    assert_eq!(link["object"], "signed_url");

    // Schedules with tasks, made through the API.
    let schedule = send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/schedules"),
        &format!("{s}/schedules"),
        json!({"name": "restart", "minute": "*/5", "hour": "*", "day_of_month": "*",
               "day_of_week": "*", "is_active": true}),
        200,
    )
    .await;
    let id = schedule["attributes"]["id"].as_i64().unwrap();
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/schedules/{{schedule}}/tasks"),
        &format!("{s}/schedules/{id}/tasks"),
        json!({"action": "command", "payload": "say restarting", "time_offset": 0}),
        200,
    )
    .await;
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/schedules/{{schedule}}/tasks"),
        &format!("{s}/schedules/{id}/tasks"),
        json!({"action": "power", "payload": "restart", "time_offset": "30",
               "continue_on_failure": 1}),
        200,
    )
    .await;
    let schedules = w
        .get_checked(c, &format!("{S}/schedules"), &format!("{s}/schedules"))
        .await;
    assert_eq!(
        schedules["data"][0]["attributes"]["relationships"]["tasks"]["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    w.get_checked(
        c,
        &format!("{S}/schedules/{{schedule}}"),
        &format!("{s}/schedules/{id}"),
    )
    .await;
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/schedules"),
        &format!("{s}/schedules"),
        json!({"name": "bad", "minute": "99", "hour": "*", "day_of_month": "*",
               "day_of_week": "*"}),
        422,
    )
    .await;

    // Databases (the row world() wrote): with the password, and for a subuser who may
    // read databases but not their passwords (a null resource).
    let dbs = w
        .get_checked(c, &format!("{S}/databases"), &format!("{s}/databases"))
        .await;
    assert_eq!(dbs["data"].as_array().unwrap().len(), 1);
    assert!(dbs["data"][0]["attributes"].get("relationships").is_none());
    let dbs = w
        .get_checked(
            c,
            &format!("{S}/databases"),
            &format!("{s}/databases?include=password"),
        )
        .await;
    assert_eq!(
        dbs["data"][0]["attributes"]["relationships"]["password"]["attributes"]["password"],
        "s3cret-Pass_word"
    );
    let reader = w.p.user("reader", false).await;
    w.p.db
        .subusers()
        .create(reader.id, w.server, &["database.read".to_owned()])
        .await
        .unwrap();
    let reader_key = w.p.key(&reader, KeyType::Client).await;
    let dbs = w
        .get_checked(
            &reader_key,
            &format!("{S}/databases"),
            &format!("{s}/databases?include=password"),
        )
        .await;
    assert_eq!(
        dbs["data"][0]["attributes"]["relationships"]["password"]["object"],
        "null_resource"
    );

    // Errors: a permission the subuser lacks (403), an unknown backup (404).
    let (status, body) =
        w.p.call_json(Method::GET, &format!("{s}/backups"), &reader_key, None)
            .await;
    assert_eq!(status, 403, "{body}");
    w.doc.check("get", &format!("{S}/backups"), "403", &body);
    let (status, body) =
        w.p.call_json(
            Method::GET,
            &format!("{s}/backups/8f2c5e4a-1b3d-4c5e-9f60-7a8b9c0d1e2f"),
            c,
            None,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    w.doc
        .check("get", &format!("{S}/backups/{{backup}}"), "404", &body);
}

// ---- the client server routes, with a stand-in for wings ---------------------------------

/// One entry of wings' file listing.
fn wings_stat(name: &str, mime: &str, file: bool) -> Value {
    json!({
        "name": name, "created": "2024-01-15T10:26:32.123Z", "modified": "2024-02-01T08:00:00Z",
        "mode": if file { "-rw-r--r--" } else { "drwxr-xr-x" },
        "mode_bits": if file { "644" } else { "755" }, "size": if file { 5 } else { 4096 },
        "directory": !file, "file": file, "symlink": false, "mime": mime
    })
}

/// A stand-in for wings: the answers the panel proxies (server details, the file listing,
/// a file, an archive), 202 for power signals and 204 for everything else.
async fn wings_stub(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let path = uri.path();
    let json = |v: Value| axum::Json(v).into_response();
    match (
        method.as_str(),
        path.rsplit_once("/files/").map(|(_, op)| op),
    ) {
        ("GET", Some("list-directory")) => json(json!([
            wings_stat("server.properties", "text/plain", true),
            wings_stat("world", "inode/directory", false),
        ])),
        ("GET", Some("contents")) => (StatusCode::OK, "motd=hello\n").into_response(),
        ("POST", Some("compress")) => json(wings_stat(
            "archive-2024-01-15T102632Z.tar.gz",
            "application/tar+gzip",
            true,
        )),
        (_, Some(_)) => StatusCode::NO_CONTENT.into_response(),
        ("GET", None) => json(json!({
            "state": "running", "is_suspended": false,
            "utilization": {
                "memory_bytes": 536_870_912, "memory_limit_bytes": 1_073_741_824,
                "cpu_absolute": 12.345, "network": {"rx_bytes": 1024, "tx_bytes": 2048},
                "uptime": 60_000, "state": "running", "disk_bytes": 10_485_760
            }
        })),
        ("POST", None) if path.ends_with("/power") => StatusCode::ACCEPTED.into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

/// Starts [`wings_stub`] on `127.0.0.1:0` and points the world's node at it.
async fn point_node_at_stub(w: &World) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(wings_stub);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    w.p.db
        .nodes()
        .set_address(w.node, "127.0.0.1", "http", i64::from(port))
        .await
        .unwrap();
}

/// Sends `method url` with `key` and an optional JSON body and expects `status` with an
/// empty body (204, 202).
async fn send_empty(
    w: &World,
    key: &str,
    method: Method,
    url: &str,
    body: Option<Value>,
    status: u16,
) {
    let (got, reply) = w.p.call_json(method.clone(), url, key, body).await;
    assert_eq!(got, status, "{method} {url}: {reply}");
    assert!(reply.is_null(), "{method} {url} answered a body: {reply}");
}

#[tokio::test]
async fn client_server_core_responses_match_their_schemas() {
    let w = world().await;
    point_node_at_stub(&w).await;
    let key = w.p.key(&w.admin, KeyType::Client).await;
    let c = key.as_str();
    let s = format!("/api/client/servers/{}", &w.server_uuid[..8]);
    const S: &str = "/api/client/servers/{server}";

    // A subuser who may read the activity and use the console, nothing else: hidden
    // variables, no subusers, only the primary allocation, no IP addresses of others.
    let viewer = w.p.user("viewer", false).await;
    w.p.db
        .subusers()
        .create(
            viewer.id,
            w.server,
            &["control.console".to_owned(), "activity.read".to_owned()],
        )
        .await
        .unwrap();
    let v = w.p.key(&viewer, KeyType::Client).await;

    // The server list, as the owner (with both includes) and as the subuser.
    let list = w
        .get_checked(c, "/api/client", "/api/client?include=egg,subusers")
        .await;
    let server = &list["data"][0]["attributes"];
    assert_eq!(server["relationships"]["egg"]["object"], "egg");
    assert_eq!(server["relationships"]["subusers"]["object"], "list");
    assert_eq!(server["relationships"]["variables"]["object"], "list");
    assert_eq!(server["sftp_details"]["port"], 2022);
    w.get_checked(c, "/api/client", "/api/client?type=admin-all&per_page=1")
        .await;
    let list = w
        .get_checked(&v, "/api/client", "/api/client?include=subusers")
        .await;
    let rel = &list["data"][0]["attributes"]["relationships"];
    assert_eq!(rel["variables"]["object"], "null_resource");
    assert_eq!(rel["subusers"]["object"], "null_resource");
    assert_eq!(rel["allocations"]["data"].as_array().unwrap().len(), 1);

    let perms = w
        .get_checked(c, "/api/client/permissions", "/api/client/permissions")
        .await;
    assert!(perms["attributes"]["permissions"]["file"]["keys"]["read-content"].is_string());

    // One server, with meta.
    let one = w
        .get_checked(c, S, &format!("{s}?include=egg,subusers"))
        .await;
    assert_eq!(one["meta"]["is_server_owner"], true);
    assert_eq!(
        one["attributes"]["relationships"]["allocations"]["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The server schemas are closed and typed like the others.
    let schema = w.doc.response_schema("get", S, "200");
    let mut drift = one.clone();
    drift["attributes"]["relationships"]["allocations"]["data"][0]["attributes"]["server"] =
        json!(1);
    assert!(
        !w.doc.errors(&schema, &drift).is_empty(),
        "extra key accepted"
    );
    let mut drift = one.clone();
    drift["meta"]["is_server_owner"] = json!("yes");
    assert!(
        !w.doc.errors(&schema, &drift).is_empty(),
        "wrong type accepted"
    );
    let one = w.get_checked(&v, S, &s).await;
    assert_eq!(one["meta"]["is_server_owner"], false);
    assert_eq!(
        one["meta"]["user_permissions"],
        json!(["control.console", "activity.read"])
    );

    // Websocket credentials and resources (from the stand-in wings).
    let ws = w
        .get_checked(c, &format!("{S}/websocket"), &format!("{s}/websocket"))
        .await;
    assert!(
        ws["data"]["socket"]
            .as_str()
            .unwrap()
            .starts_with("ws://127.0.0.1:")
    );
    let (status, body) =
        w.p.call_json(Method::GET, &format!("{s}/websocket"), &v, None)
            .await;
    assert_eq!(status, 403, "{body}");
    w.doc.check("get", &format!("{S}/websocket"), "403", &body);
    let stats = w
        .get_checked(c, &format!("{S}/resources"), &format!("{s}/resources"))
        .await;
    assert_eq!(stats["attributes"]["resources"]["cpu_absolute"], 12.345);

    // Power and a command, then the activity they wrote, as the owner and as the subuser
    // (who does not see the owner's address).
    send_empty(
        &w,
        c,
        Method::POST,
        &format!("{s}/power"),
        Some(json!({"signal": "start"})),
        204,
    )
    .await;
    send_empty(
        &w,
        &v,
        Method::POST,
        &format!("{s}/command"),
        Some(json!({"command": "say hi"})),
        204,
    )
    .await;
    let activity = w
        .get_checked(
            c,
            &format!("{S}/activity"),
            &format!("{s}/activity?include=actor"),
        )
        .await;
    assert_eq!(activity["data"].as_array().unwrap().len(), 2, "{activity}");
    assert!(activity["data"][0]["attributes"]["ip"].is_string());
    let activity = w
        .get_checked(
            &v,
            &format!("{S}/activity"),
            &format!("{s}/activity?sort=timestamp&per_page=1&filter[event]=power"),
        )
        .await;
    assert_eq!(
        activity["data"][0]["attributes"]["event"],
        "server:power.start"
    );
    assert!(activity["data"][0]["attributes"]["ip"].is_null());
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/power"),
        &format!("{s}/power"),
        json!({"signal": "nap"}),
        422,
    )
    .await;

    // Startup: the list, and a variable update.
    let startup = w
        .get_checked(c, &format!("{S}/startup"), &format!("{s}/startup"))
        .await;
    assert_eq!(
        startup["meta"]["docker_images"]["Minetest"],
        "aerie/minetest:latest"
    );
    let updated = send_checked(
        &w,
        c,
        Method::PUT,
        &format!("{S}/startup/variable"),
        &format!("{s}/startup/variable"),
        json!({"key": "MAX_USERS", "value": "20"}),
        200,
    )
    .await;
    assert_eq!(updated["attributes"]["server_value"], "20");
    send_checked(
        &w,
        c,
        Method::PUT,
        &format!("{S}/startup/variable"),
        &format!("{s}/startup/variable"),
        json!({"key": "MAX_USERS", "value": "many"}),
        422,
    )
    .await;

    // Settings: a rename, and an image an administrator set by hand (400).
    send_empty(
        &w,
        c,
        Method::POST,
        &format!("{s}/settings/rename"),
        Some(json!({"name": "renamed"})),
        204,
    )
    .await;
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/settings/rename"),
        &format!("{s}/settings/rename"),
        json!({}),
        422,
    )
    .await;
    send_checked(
        &w,
        c,
        Method::PUT,
        &format!("{S}/settings/docker-image"),
        &format!("{s}/settings/docker-image"),
        json!({"docker_image": "aerie/minetest:latest"}),
        400,
    )
    .await;

    // Network: the list, notes, the primary, and an automatic allocation (refused: no
    // limit set).
    let allocations = w
        .get_checked(
            c,
            &format!("{S}/network/allocations"),
            &format!("{s}/network/allocations"),
        )
        .await;
    let other = allocations["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attributes"]["is_default"] == false)
        .unwrap()["attributes"]["id"]
        .as_i64()
        .unwrap();
    let noted = send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/network/allocations/{{allocation}}"),
        &format!("{s}/network/allocations/{other}"),
        json!({"notes": "game port"}),
        200,
    )
    .await;
    assert_eq!(noted["attributes"]["notes"], "game port");
    let primary = send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/network/allocations/{{allocation}}/primary"),
        &format!("{s}/network/allocations/{other}/primary"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(primary["attributes"]["is_default"], true);
    let refused = send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/network/allocations"),
        &format!("{s}/network/allocations"),
        json!({}),
        400,
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "DisplayException");

    // Files: the listing, a file's contents (text/plain), a write (a text/plain body), the
    // signed links and an archive.
    let files = w
        .get_checked(
            c,
            &format!("{S}/files/list"),
            &format!("{s}/files/list?directory=/"),
        )
        .await;
    assert_eq!(files["data"][1]["attributes"]["is_file"], false);
    let op = &w.doc.0["paths"][format!("{S}/files/contents")]["get"];
    assert!(
        op["responses"]["200"]["content"]["text/plain"].is_object(),
        "{op}"
    );
    let resp =
        w.p.client
            .get(format!(
                "{}{s}/files/contents?file=server.properties",
                w.p.url
            ))
            .bearer_auth(c)
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(resp.text().await.unwrap(), "motd=hello\n");
    let op = &w.doc.0["paths"][format!("{S}/files/write")]["post"];
    assert!(
        op["requestBody"]["content"]["text/plain"].is_object(),
        "{op}"
    );
    let resp =
        w.p.client
            .post(format!("{}{s}/files/write?file=notes.txt", w.p.url))
            .bearer_auth(c)
            .header("Content-Type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 204);
    let link = w
        .get_checked(
            c,
            &format!("{S}/files/download"),
            &format!("{s}/files/download?file=notes.txt"),
        )
        .await;
    assert!(
        link["attributes"]["url"]
            .as_str()
            .unwrap()
            .contains("/download/file?token=")
    );
    w.get_checked(
        c,
        &format!("{S}/files/upload"),
        &format!("{s}/files/upload"),
    )
    .await;
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/files/compress"),
        &format!("{s}/files/compress"),
        json!({"root": "/", "files": ["notes.txt"]}),
        200,
    )
    .await;
    send_checked(
        &w,
        c,
        Method::POST,
        &format!("{S}/files/delete"),
        &format!("{s}/files/delete"),
        json!({"root": "/"}),
        422,
    )
    .await;

    // A server the user may not see.
    let (status, body) =
        w.p.call_json(Method::GET, "/api/client/servers/abcdef12", c, None)
            .await;
    assert_eq!(status, 404, "{body}");
    w.doc.check("get", S, "404", &body);
}

/// The browser login, two-factor included, and a session on the client API.
#[tokio::test]
async fn session_responses_match_their_schemas() {
    let w = world().await;
    let b = Browser::new(&w.p.url);
    b.csrf().await;

    let r = b.login("admin", "password123").await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc.check("post", "/auth/login", "200", &r.json);
    assert_eq!(r.json["data"]["complete"], true);

    // The session works on the client API; a POST without its CSRF token is a 419.
    let r = b.get("/api/client/account").await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc.check("get", "/api/client/account", "200", &r.json);
    let r = b
        .request(
            Method::POST,
            "/api/client/account/api-keys",
            Some(json!({})),
            false,
            &[],
        )
        .await;
    assert_eq!(r.status, 419, "{}", r.json);
    w.doc
        .check("post", "/api/client/account/api-keys", "419", &r.json);

    // Two-factor on: the recovery tokens.
    let r = b.get("/api/client/account/two-factor").await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc
        .check("get", "/api/client/account/two-factor", "200", &r.json);
    let secret = r.json["data"]["secret"].as_str().unwrap().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let r = b
        .send(
            Method::POST,
            "/api/client/account/two-factor",
            json!({"code": totp::code_at(&secret, now).unwrap(), "password": "password123"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc
        .check("post", "/api/client/account/two-factor", "200", &r.json);
    let recovery = r.json["attributes"]["tokens"][0]
        .as_str()
        .unwrap()
        .to_owned();

    let r = b.send(Method::POST, "/auth/logout", json!({})).await;
    assert_eq!(r.status, 204, "{}", r.json);

    // Logging in again needs the checkpoint.
    let r = b.login("admin", "password123").await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc.check("post", "/auth/login", "200", &r.json);
    assert_eq!(r.json["data"]["complete"], false);
    let token = r.json["data"]["confirmation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({"confirmation_token": token, "recovery_token": recovery}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc
        .check("post", "/auth/login/checkpoint", "200", &r.json);

    // Password reset: the request, and a reset with a token that was never sent.
    let guest = Browser::new(&w.p.url);
    guest.csrf().await;
    let r = guest
        .send(
            Method::POST,
            "/auth/password",
            json!({"email": "admin@example.com"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    w.doc.check("post", "/auth/password", "200", &r.json);
    let r = guest
        .send(
            Method::POST,
            "/auth/password/reset",
            json!({"token": "nope", "email": "admin@example.com",
                   "password": "a-new-password", "password_confirmation": "a-new-password"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.json);
    w.doc.check("post", "/auth/password/reset", "400", &r.json);
    let r = guest
        .send(
            Method::POST,
            "/auth/login",
            json!({"user": "admin", "password": "wrong"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    w.doc.check("post", "/auth/login", "422", &r.json);
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
