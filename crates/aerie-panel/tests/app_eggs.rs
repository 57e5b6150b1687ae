//! Nests and eggs: the behaviour of Pterodactyl's `NestControllerTest` and
//! `EggControllerTest`, black-box over HTTP, plus Aerie's import, export, delete and nest
//! creation, seeding, update from `update_url`, and the export → import → export round trip
//! over every egg we have (the repository's fixtures always, the public corpus at
//! `<repo>/../shared/eggs` when it is there).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use aerie_db::models::{ApiKeyPermissions, NewNode, User};
use aerie_panel::services::eggs as svc;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use reqwest::Method;
use serde_json::{Value, json};

const NOT_FOUND: &str = "NotFoundHttpException";

async fn setup() -> (TestPanel, User, String) {
    let p = TestPanel::start().await;
    svc::seed_standard_nests(&p.db).await.unwrap();
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    (p, admin, key)
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> String {
    let path = repo_root().join("tests/fixtures/eggs").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn eggs_crate_fixture(name: &str) -> String {
    let path = repo_root()
        .join("crates/aerie-eggs/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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

fn is_laravel_ts(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.len() == 27 && s.ends_with(".000000Z") && s.as_bytes()[10] == b'T'
}

fn is_atom_ts(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.len() == 25 && s.ends_with("+00:00") && s.as_bytes()[10] == b'T'
}

const NEST_KEYS: [&str; 7] = [
    "id",
    "uuid",
    "author",
    "name",
    "description",
    "created_at",
    "updated_at",
];

const EGG_KEYS: [&str; 14] = [
    "id",
    "uuid",
    "name",
    "nest",
    "author",
    "description",
    "docker_image",
    "docker_images",
    "config",
    "startup",
    "script",
    "created_at",
    "updated_at",
    // Listed so a missing `relationships` is caught only where includes are asked for.
    "relationships",
];

fn egg_keys(with_relationships: bool) -> Vec<String> {
    let n = if with_relationships { 14 } else { 13 };
    sorted(&EGG_KEYS[..n])
}

const VARIABLE_KEYS: [&str; 11] = [
    "id",
    "egg_id",
    "name",
    "description",
    "env_variable",
    "default_value",
    "user_viewable",
    "user_editable",
    "rules",
    "created_at",
    "updated_at",
];

async fn nest_named(p: &TestPanel, name: &str) -> svc::Nest {
    p.db.nests().find_by_name(name).await.unwrap().unwrap()
}

/// The three bundled test games in a fresh "Games" nest.
async fn games_nest(p: &TestPanel) -> (svc::Nest, Vec<svc::Egg>) {
    let nest = svc::create_nest(&p.db, "t@example.com", "Games", Some("test games"))
        .await
        .unwrap();
    let mut eggs = Vec::new();
    for f in ["egg-openttd.json", "egg-mumble.json", "egg-minetest.json"] {
        eggs.push(
            svc::import(&p.db, nest.id, fixture(f).as_bytes())
                .await
                .unwrap(),
        );
    }
    (nest, eggs)
}

/// A server row made from `egg` (the servers API is another module's; the row is enough for
/// includes and the delete guard).
async fn server_on(p: &TestPanel, owner: &User, egg: &svc::Egg) {
    let location = p.db.locations().create("t1", None).await.unwrap();
    let node =
        p.db.nodes()
            .create(&NewNode {
                name: "node1".into(),
                description: None,
                location_id: location.id,
                fqdn: "node1.example.com".into(),
                scheme: "https".into(),
                behind_proxy: false,
                public: true,
                memory: 8192,
                memory_overallocate: 0,
                disk: 100_000,
                disk_overallocate: 0,
                upload_size: 100,
                daemon_listen: 8080,
                daemon_sftp: 2022,
                daemon_base: "/var/lib/pterodactyl/volumes".into(),
                daemon_token_id: "abcdefghijklmnop".into(),
                daemon_token: "x".repeat(64),
            })
            .await
            .unwrap();
    let now = aerie_db::now();
    p.db.raw_execute(&format!(
        "INSERT INTO servers (uuid, uuid_short, node_id, name, owner_id, allocation_id, nest_id, \
         egg_id, startup, image, created_at, updated_at) VALUES \
         ('0b4ad1a5-5b7c-4e3c-9d70-2a4c3c0f9a11', '0b4ad1a5', {}, 'srv', {}, 0, {}, {}, 'run', \
         'img', '{now}', '{now}')",
        node.id, owner.id, egg.nest_id, egg.id
    ))
    .await
    .unwrap();
}

// ---- nests ------------------------------------------------------------------------------

#[tokio::test]
async fn nests_are_seeded_once_and_listed_with_pagination() {
    let (p, _admin, key) = setup().await;
    // Seeding again adds nothing.
    assert!(svc::seed_standard_nests(&p.db).await.unwrap().is_empty());

    let (status, body) = p
        .call_json(Method::GET, "/api/application/nests", &key, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "list");
    assert_eq!(
        body["meta"]["pagination"],
        json!({"total": 4, "count": 4, "per_page": 50, "current_page": 1,
               "total_pages": 1, "links": {}})
    );
    let data = body["data"].as_array().unwrap();
    let names: Vec<&str> = data
        .iter()
        .map(|n| n["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Minecraft", "Source Engine", "Voice Servers", "Rust"]
    );
    for n in data {
        assert_eq!(n["object"], "nest");
        let a = &n["attributes"];
        assert_eq!(keys(a), sorted(&NEST_KEYS), "{a}");
        assert_eq!(a["author"], "support@pterodactyl.io");
        assert!(a["description"].as_str().unwrap().len() > 10);
        assert!(is_atom_ts(&a["created_at"]), "{a}");
        assert!(is_atom_ts(&a["updated_at"]), "{a}");
        assert_eq!(a["uuid"].as_str().unwrap().len(), 36);
    }

    // Deleting a standard nest does not bring it back on the next start.
    let rust = nest_named(&p, "Rust").await;
    p.db.nests().delete(rust.id).await.unwrap();
    assert!(svc::seed_standard_nests(&p.db).await.unwrap().is_empty());
    assert_eq!(p.db.nests().count().await.unwrap(), 3);

    // Pages and trailing slashes.
    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/nests/?per_page=2&page=2",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["pagination"]["total"], 3);
    assert_eq!(body["meta"]["pagination"]["count"], 1);
    assert_eq!(body["meta"]["pagination"]["total_pages"], 2);
    assert_eq!(body["data"][0]["attributes"]["name"], "Voice Servers");
    assert!(
        body["meta"]["pagination"]["links"]["previous"]
            .as_str()
            .unwrap()
            .contains("page=1")
    );
}

#[tokio::test]
async fn single_nest_and_its_includes() {
    let (p, admin, key) = setup().await;
    let (nest, eggs) = games_nest(&p).await;
    server_on(&p, &admin, &eggs[0]).await;

    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}", nest.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"object": "nest", "attributes": svc::nest_attributes(&nest)})
    );
    assert_eq!(body["attributes"]["name"], "Games");
    assert_eq!(body["attributes"]["description"], "test games");

    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}/?include=servers,eggs", nest.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rel = &body["attributes"]["relationships"];
    assert_eq!(rel["eggs"]["object"], "list");
    assert_eq!(rel["eggs"]["data"].as_array().unwrap().len(), 3);
    assert_eq!(rel["eggs"]["data"][0]["object"], "egg");
    assert_eq!(rel["eggs"]["data"][0]["attributes"]["name"], "OpenTTD");
    assert_eq!(rel["servers"]["object"], "list");
    assert_eq!(rel["servers"]["data"].as_array().unwrap().len(), 1);
    assert_eq!(rel["servers"]["data"][0]["object"], "server");
    assert_eq!(
        rel["servers"]["data"][0]["attributes"]["identifier"],
        "0b4ad1a5"
    );

    // The list offers the same includes; other nests have none of these eggs or servers.
    let (_, body) = p
        .call_json(
            Method::GET,
            "/api/application/nests?include=eggs,servers",
            &key,
            None,
        )
        .await;
    for n in body["data"].as_array().unwrap() {
        let want = if n["attributes"]["id"] == nest.id {
            3
        } else {
            0
        };
        let rel = &n["attributes"]["relationships"];
        assert_eq!(rel["eggs"]["data"].as_array().unwrap().len(), want, "{n}");
    }

    // Includes the key may not read are null resources.
    let limited = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                nests: 1,
                ..Default::default()
            },
        )
        .await;
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}?include=servers,eggs", nest.id),
            &limited,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rel = &body["attributes"]["relationships"];
    assert_eq!(
        rel["eggs"],
        json!({"object": "null_resource", "attributes": null})
    );
    assert_eq!(
        rel["servers"],
        json!({"object": "null_resource", "attributes": null})
    );
}

#[tokio::test]
async fn missing_nest_is_404_and_acl_is_checked_first() {
    let (p, admin, key) = setup().await;
    for path in ["/api/application/nests/nil", "/api/application/nests/9999"] {
        let (status, body) = p.call_json(Method::GET, path, &key, None).await;
        assert_error(status, &body, 404, NOT_FOUND);
    }
    let no_nests = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                eggs: 3,
                ..Default::default()
            },
        )
        .await;
    let rust = nest_named(&p, "Rust").await;
    for path in [
        format!("/api/application/nests/{}", rust.id),
        "/api/application/nests/nil".to_owned(),
        "/api/application/nests".to_owned(),
    ] {
        let (status, body) = p.call_json(Method::GET, &path, &no_nests, None).await;
        assert_error(status, &body, 403, "AccessDeniedHttpException");
    }
    // A non-admin's client key may not use the application API at all.
    let user = p.user("someone", false).await;
    let client = p.key(&user, KeyType::Client).await;
    let (status, _) = p
        .call_json(Method::GET, "/api/application/nests", &client, None)
        .await;
    assert_eq!(status, 403);
    // A root admin's client key may.
    let admin_client = p.key(&admin, KeyType::Client).await;
    let (status, _) = p
        .call_json(Method::GET, "/api/application/nests", &admin_client, None)
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn create_nest_validates_and_answers_201() {
    let (p, admin, key) = setup().await;
    let (status, body) = p
        .call_json(
            Method::POST,
            "/api/application/nests",
            &key,
            Some(json!({"name": "  Survival  ", "description": "Survival games"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["object"], "nest");
    let a = &body["attributes"];
    assert_eq!(keys(a), sorted(&NEST_KEYS));
    assert_eq!(a["name"], "Survival");
    assert_eq!(a["author"], admin.email);
    let id = a["id"].as_i64().unwrap();
    assert_eq!(
        body["meta"]["resource"],
        format!("http://127.0.0.1/api/application/nests/{id}")
    );

    for (payload, rule) in [
        (json!({}), "required"),
        (json!({"name": "   "}), "required"),
        (json!({"name": "x".repeat(192)}), "max"),
    ] {
        let (status, body) = p
            .call_json(Method::POST, "/api/application/nests", &key, Some(payload))
            .await;
        assert_error(status, &body, 422, "ValidationException");
        assert_eq!(
            body["errors"][0]["meta"],
            json!({"source_field": "name", "rule": rule})
        );
    }

    let read_only = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                nests: 1,
                ..Default::default()
            },
        )
        .await;
    let (status, body) = p
        .call_json(
            Method::POST,
            "/api/application/nests",
            &read_only,
            Some(json!({"name": "Nope"})),
        )
        .await;
    assert_error(status, &body, 403, "AccessDeniedHttpException");
}

// ---- eggs -------------------------------------------------------------------------------

#[tokio::test]
async fn list_all_eggs_in_nest() {
    let (p, _admin, key) = setup().await;
    let (nest, eggs) = games_nest(&p).await;
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}/eggs", nest.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "list");
    assert!(body.get("meta").is_none(), "not paginated: {body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), eggs.len());
    for (item, egg) in data.iter().zip(&eggs) {
        assert_eq!(item["object"], "egg");
        let a = &item["attributes"];
        assert_eq!(keys(a), egg_keys(false), "{a}");
        assert_eq!(a, &svc::egg_attributes(egg));
        assert_eq!(
            keys(&a["config"]),
            sorted(&[
                "files",
                "startup",
                "stop",
                "logs",
                "file_denylist",
                "extends"
            ])
        );
        assert_eq!(
            keys(&a["script"]),
            sorted(&["privileged", "install", "entry", "container", "extends"])
        );
        assert!(a["config"]["files"].is_object());
        assert!(!a["config"]["startup"]["done"].is_null(), "{a}");
        assert!(a["config"]["logs"].is_object());
        assert_eq!(a["config"]["file_denylist"], json!([]));
        assert_eq!(a["config"]["extends"], Value::Null);
        assert_eq!(a["script"]["extends"], Value::Null);
        assert_eq!(a["script"]["privileged"], true);
        assert_eq!(a["nest"], nest.id);
        assert!(is_atom_ts(&a["created_at"]), "{a}");
    }
    let openttd = &data[0]["attributes"];
    assert_eq!(openttd["name"], "OpenTTD");
    assert_eq!(openttd["docker_image"], "aerie/openttd:latest");
    assert_eq!(
        openttd["docker_images"],
        json!({"OpenTTD": "aerie/openttd:latest"})
    );
    assert_eq!(openttd["config"]["stop"], "exit");
    assert_eq!(
        openttd["config"]["files"]["openttd.cfg"]["parser"], "ini",
        "{openttd}"
    );
    assert_eq!(
        openttd["config"]["startup"]["done"],
        "Map generated, starting game"
    );
    assert_eq!(openttd["script"]["container"], "aerie/debian:bookworm");
    assert_eq!(openttd["script"]["entry"], "bash");
    assert!(openttd["startup"].as_str().unwrap().contains("openttd"));

    // Trailing slash; a nest without eggs is an empty list; a missing nest is 404.
    let rust = nest_named(&p, "Rust").await;
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}/eggs/", rust.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"object": "list", "data": []}));
    let (status, body) = p
        .call_json(Method::GET, "/api/application/nests/9999/eggs", &key, None)
        .await;
    assert_error(status, &body, 404, NOT_FOUND);
}

#[tokio::test]
async fn return_single_egg_and_missing_or_foreign_eggs_are_404() {
    let (p, _admin, key) = setup().await;
    let (nest, eggs) = games_nest(&p).await;
    let egg = &eggs[1];
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}/eggs/{}", nest.id, egg.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"object": "egg", "attributes": svc::egg_attributes(egg)})
    );
    assert_eq!(body["attributes"]["name"], "Mumble");
    assert_eq!(body["attributes"]["config"]["stop"], "^SIGTERM");

    let rust = nest_named(&p, "Rust").await;
    for path in [
        format!("/api/application/nests/{}/eggs/nil", nest.id),
        format!("/api/application/nests/{}/eggs/9999", nest.id),
        // The egg exists, but in another nest.
        format!("/api/application/nests/{}/eggs/{}", rust.id, egg.id),
        format!("/api/application/nests/nil/eggs/{}", egg.id),
    ] {
        let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
        assert_error(status, &body, 404, NOT_FOUND);
    }
}

#[tokio::test]
async fn egg_includes_variables_nest_servers_config_script() {
    let (p, admin, key) = setup().await;
    let (nest, eggs) = games_nest(&p).await;
    let egg = &eggs[1];
    server_on(&p, &admin, egg).await;
    let path = format!(
        "/api/application/nests/{}/eggs/{}?include=servers,variables,nest,config,script",
        nest.id, egg.id
    );
    let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
    assert_eq!(status, 200, "{body}");
    let a = &body["attributes"];
    assert_eq!(keys(a), egg_keys(true));
    let rel = &a["relationships"];
    assert_eq!(
        keys(rel),
        sorted(&["servers", "variables", "nest", "config", "script"])
    );
    assert_eq!(
        rel["nest"],
        json!({"object": "nest", "attributes": svc::nest_attributes(&nest)})
    );
    assert_eq!(rel["servers"]["object"], "list");
    assert_eq!(rel["servers"]["data"][0]["attributes"]["name"], "srv");
    assert_eq!(
        rel["config"],
        json!({"object": "null_resource", "attributes": null})
    );
    assert_eq!(
        rel["script"],
        json!({"object": "null_resource", "attributes": null})
    );

    let vars = rel["variables"]["data"].as_array().unwrap();
    assert_eq!(rel["variables"]["object"], "list");
    assert_eq!(vars.len(), 2);
    let v = &vars[0];
    assert_eq!(v["object"], "egg_variable");
    assert_eq!(keys(&v["attributes"]), sorted(&VARIABLE_KEYS));
    let va = &v["attributes"];
    assert_eq!(va["egg_id"], egg.id);
    assert_eq!(va["name"], "Max Users");
    assert_eq!(va["description"], "Users at once.");
    assert_eq!(va["env_variable"], "MAX_USERS");
    assert_eq!(va["default_value"], "20");
    assert_eq!(va["user_viewable"], true);
    assert_eq!(va["user_editable"], true);
    assert_eq!(va["rules"], "required|integer|min:1");
    assert!(is_laravel_ts(&va["created_at"]), "{va}");
    assert_eq!(vars[1]["attributes"]["env_variable"], "WELCOME");
    // What WHMCS and Paymenter read.
    assert_eq!(a["docker_image"], "aerie/mumble:latest");
    assert!(a["startup"].as_str().unwrap().contains("murmurd"));

    // A key without eggs read cannot list or view, even a missing egg.
    let no_eggs = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                nests: 3,
                ..Default::default()
            },
        )
        .await;
    for path in [
        format!("/api/application/nests/{}/eggs", nest.id),
        format!("/api/application/nests/{}/eggs/nil", nest.id),
        format!("/api/application/nests/{}/eggs/{}", nest.id, egg.id),
    ] {
        let (status, body) = p.call_json(Method::GET, &path, &no_eggs, None).await;
        assert_error(status, &body, 403, "AccessDeniedHttpException");
    }
    // With eggs read but not servers/nests, those includes are null resources.
    let eggs_only = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                eggs: 1,
                ..Default::default()
            },
        )
        .await;
    let (status, body) = p
        .call_json(Method::GET, &path_of(&nest, egg), &eggs_only, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let rel = &body["attributes"]["relationships"];
    assert_eq!(rel["servers"]["object"], "null_resource");
    assert_eq!(rel["nest"]["object"], "null_resource");
    assert_eq!(rel["variables"]["object"], "list");
}

fn path_of(nest: &svc::Nest, egg: &svc::Egg) -> String {
    format!(
        "/api/application/nests/{}/eggs/{}?include=servers,variables,nest",
        nest.id, egg.id
    )
}

async fn import_raw(
    p: &TestPanel,
    key: &str,
    nest_id: i64,
    body: &str,
    content_type: Option<&str>,
) -> (u16, Value) {
    let mut req = p
        .client
        .post(format!(
            "{}/api/application/nests/{nest_id}/eggs/import",
            p.url
        ))
        .bearer_auth(key)
        .header("Accept", "application/json")
        .body(body.to_owned());
    if let Some(ct) = content_type {
        req = req.header("Content-Type", ct);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn import_through_the_api_creates_then_updates_in_place() {
    let (p, admin, key) = setup().await;
    let voice = nest_named(&p, "Voice Servers").await;
    let doc = fixture("egg-mumble.json");

    let (status, body) = import_raw(&p, &key, voice.id, &doc, Some("application/json")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["object"], "egg");
    let a = &body["attributes"];
    assert_eq!(keys(a), egg_keys(false));
    assert_eq!(a["name"], "Mumble");
    assert_eq!(a["nest"], voice.id);
    let id = a["id"].as_i64().unwrap();
    let uuid = a["uuid"].as_str().unwrap().to_owned();
    assert_eq!(
        body["meta"]["resource"],
        format!(
            "http://127.0.0.1/api/application/nests/{}/eggs/{id}",
            voice.id
        )
    );
    let before = p.db.eggs().variables(id).await.unwrap();
    assert_eq!(before.len(), 2);
    assert_eq!(
        before[0].rules.as_deref(),
        Some("required|integer|min:1"),
        "rules stored as one Laravel string"
    );
    let stored = p.db.eggs().find(id).await.unwrap().unwrap();
    assert_eq!(stored.docker_images, r#"{"Mumble":"aerie/mumble:latest"}"#);
    assert_eq!(stored.features.as_deref(), Some("[]"));
    assert_eq!(stored.file_denylist.as_deref(), Some("[]"));
    let original: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        stored.config_files.as_deref(),
        original["config"]["files"].as_str(),
        "config blocks are stored as the document's JSON strings"
    );
    assert_eq!(stored.config_stop.as_deref(), Some("^SIGTERM"));

    // Same name in the same nest: updated in place. MAX_USERS changes and keeps its id,
    // WELCOME goes, MOTD arrives.
    let mut changed = original.clone();
    changed["description"] = json!("Updated description");
    changed["variables"] = json!([
        {"name": "Maximum users", "description": "How many at once.", "env_variable": "MAX_USERS",
         "default_value": "50", "user_viewable": true, "user_editable": false,
         "rules": "required|integer|between:1,500", "field_type": "text"},
        {"name": "Message of the day", "description": "", "env_variable": "MOTD",
         "default_value": "hi", "user_viewable": true, "user_editable": true,
         "rules": ["nullable", "string", "max:64"]}
    ]);
    let (status, body) =
        import_raw(&p, &key, voice.id, &changed.to_string(), Some("text/plain")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attributes"]["id"], id);
    assert_eq!(body["attributes"]["uuid"], uuid.as_str());
    assert_eq!(body["attributes"]["description"], "Updated description");
    let after = p.db.eggs().variables(id).await.unwrap();
    assert_eq!(after.len(), 2);
    assert_eq!(after[0].id, before[0].id, "MAX_USERS keeps its id");
    assert_eq!(after[0].name, "Maximum users");
    assert_eq!(after[0].default_value.as_deref(), Some("50"));
    assert!(!after[0].user_editable);
    assert_eq!(after[1].env_variable, "MOTD");
    assert_eq!(after[1].rules.as_deref(), Some("nullable|string|max:64"));
    assert!(
        p.db.eggs().variable(before[1].id).await.unwrap().is_none(),
        "WELCOME is gone"
    );
    assert_eq!(p.db.eggs().list_by_nest(voice.id).await.unwrap().len(), 1);

    // YAML (Pelican) with no content type at all, into another nest: a new egg.
    let games = svc::create_nest(&p.db, &admin.email, "Games", None)
        .await
        .unwrap();
    let yaml = eggs_crate_fixture("plcn-v3-example.yaml");
    let (status, body) = import_raw(&p, &key, games.id, &yaml, None).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attributes"]["name"], "Aerie Example Proxy");
    assert!(body["attributes"]["config"]["files"].is_object());
    let first_yaml_id = body["attributes"]["id"].clone();
    // The PLCN document's UUID is kept, and importing it again updates that egg even from
    // another nest.
    let plcn_uuid = body["attributes"]["uuid"].as_str().unwrap().to_owned();
    let (status, body) = import_raw(&p, &key, voice.id, &yaml, None).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attributes"]["id"], first_yaml_id);
    assert_eq!(body["attributes"]["uuid"], plcn_uuid.as_str());
    assert_eq!(body["attributes"]["nest"], games.id);
}

#[tokio::test]
async fn import_rejects_bad_documents_and_needs_write_access() {
    let (p, admin, key) = setup().await;
    let nest = nest_named(&p, "Minecraft").await;
    for (doc, needle) in [
        ("", "empty"),
        ("{not json", "not valid JSON"),
        (
            r#"{"meta": {"version": "PTDL_v9"}, "name": "x"}"#,
            "PTDL_v9",
        ),
        (r#"{"name": "no meta"}"#, "meta.version"),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "config": {"files": "{oops"}}"#,
            "config.files",
        ),
    ] {
        let (status, body) = import_raw(&p, &key, nest.id, doc, Some("application/json")).await;
        assert_error(status, &body, 400, "BadRequestHttpException");
        let detail = body["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(needle), "{detail}");
    }
    let long_name = json!({"meta": {"version": "PTDL_v2"}, "name": "x".repeat(192)});
    let (status, body) = import_raw(&p, &key, nest.id, &long_name.to_string(), None).await;
    assert_error(status, &body, 422, "ValidationException");
    assert_eq!(
        body["errors"][0]["meta"],
        json!({"source_field": "name", "rule": "max"})
    );
    let bad_env = json!({"meta": {"version": "PTDL_v2"}, "name": "x",
        "variables": [{"name": "A", "env_variable": "NOT-VALID"}]});
    let (status, body) = import_raw(&p, &key, nest.id, &bad_env.to_string(), None).await;
    assert_error(status, &body, 422, "ValidationException");
    assert_eq!(
        body["errors"][0]["meta"]["source_field"],
        "variables.0.env_variable"
    );
    assert_eq!(p.db.eggs().list().await.unwrap().len(), 0, "nothing stored");

    let (status, body) = import_raw(&p, &key, 9999, &fixture("egg-mumble.json"), None).await;
    assert_error(status, &body, 404, NOT_FOUND);

    let read_only = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                nests: 3,
                eggs: 1,
                ..Default::default()
            },
        )
        .await;
    let (status, body) =
        import_raw(&p, &read_only, nest.id, &fixture("egg-mumble.json"), None).await;
    assert_error(status, &body, 403, "AccessDeniedHttpException");
}

fn without_exported_at(doc: &str) -> String {
    doc.lines()
        .filter(|l| !l.trim_start().starts_with("\"exported_at\":"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn export_is_ptdl_v2_and_round_trips() {
    let (p, _admin, key) = setup().await;
    let (nest, eggs) = games_nest(&p).await;
    let egg = &eggs[0];
    let resp = p
        .call(
            Method::GET,
            &format!("/api/application/nests/{}/eggs/{}/export", nest.id, egg.id),
            &key,
            None,
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("egg-openttd.json")
    );
    let first = resp.text().await.unwrap();
    let v: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["meta"], json!({"version": "PTDL_v2", "update_url": null}));
    assert!(is_atom_ts(&v["exported_at"]), "{v}");
    assert_eq!(
        keys(&v),
        sorted(&[
            "_comment",
            "meta",
            "exported_at",
            "name",
            "author",
            "description",
            "features",
            "docker_images",
            "file_denylist",
            "startup",
            "config",
            "scripts",
            "variables"
        ])
    );
    assert_eq!(v["name"], "OpenTTD");
    assert_eq!(
        v["docker_images"],
        json!({"OpenTTD": "aerie/openttd:latest"})
    );
    assert_eq!(v["features"], json!([]));
    assert_eq!(v["file_denylist"], json!([]));
    for block in ["files", "startup", "logs", "stop"] {
        assert!(v["config"][block].is_string(), "{block}");
    }
    assert_eq!(
        keys(&v["scripts"]["installation"]),
        sorted(&["script", "container", "entrypoint"])
    );
    assert_eq!(
        keys(&v["variables"][0]),
        sorted(&[
            "name",
            "description",
            "env_variable",
            "default_value",
            "user_viewable",
            "user_editable",
            "rules",
            "field_type"
        ])
    );
    assert_eq!(v["variables"][0]["field_type"], "text");

    // Import the export into another nest, export again: identical but for exported_at.
    let other = svc::create_nest(&p.db, "t@example.com", "Copies", None)
        .await
        .unwrap();
    let (status, body) = import_raw(&p, &key, other.id, &first, None).await;
    assert_eq!(status, 201, "{body}");
    let copy_id = body["attributes"]["id"].as_i64().unwrap();
    assert_ne!(copy_id, egg.id);
    assert_ne!(body["attributes"]["uuid"], egg.uuid.as_str());
    let second = svc::export(&p.db, copy_id).await.unwrap();
    assert_eq!(without_exported_at(&first), without_exported_at(&second));

    // 404s: the egg in another nest, a missing egg.
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/nests/{}/eggs/{}/export", other.id, egg.id),
            &key,
            None,
        )
        .await;
    assert_error(status, &body, 404, NOT_FOUND);
}

#[tokio::test]
async fn delete_egg_is_refused_while_servers_use_it() {
    let (p, admin, key) = setup().await;
    let (nest, eggs) = games_nest(&p).await;
    server_on(&p, &admin, &eggs[0]).await;
    let used = format!("/api/application/nests/{}/eggs/{}", nest.id, eggs[0].id);
    let (status, body) = p.call_json(Method::DELETE, &used, &key, None).await;
    assert_error(status, &body, 409, "ConflictHttpException");
    assert!(p.db.eggs().find(eggs[0].id).await.unwrap().is_some());

    let read_only = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                eggs: 1,
                ..Default::default()
            },
        )
        .await;
    let free = format!("/api/application/nests/{}/eggs/{}", nest.id, eggs[1].id);
    let (status, body) = p.call_json(Method::DELETE, &free, &read_only, None).await;
    assert_error(status, &body, 403, "AccessDeniedHttpException");

    let resp = p.call(Method::DELETE, &free, &key, None).await;
    assert_eq!(resp.status().as_u16(), 204);
    assert!(resp.text().await.unwrap().is_empty());
    assert!(p.db.eggs().find(eggs[1].id).await.unwrap().is_none());
    assert!(p.db.eggs().variables(eggs[1].id).await.unwrap().is_empty());
    let (status, body) = p.call_json(Method::DELETE, &free, &key, None).await;
    assert_error(status, &body, 404, NOT_FOUND);
}

#[tokio::test]
async fn aerie_games_are_seeded_once() {
    let p = TestPanel::start().await;
    let (nest, eggs) = svc::seed_aerie_games(&p.db).await.unwrap().unwrap();
    assert_eq!(nest.name, "Aerie Games");
    let names: Vec<&str> = eggs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["OpenTTD", "Mumble", "Minetest"]);
    assert!(svc::seed_aerie_games(&p.db).await.unwrap().is_none());
    assert_eq!(p.db.eggs().list().await.unwrap().len(), 3);
    for egg in &eggs {
        assert!(svc::default_image(egg).unwrap().starts_with("aerie/"));
        let config = svc::egg_config(egg).unwrap();
        assert!(!config.startup.done.is_empty(), "{}", egg.name);
    }
}

// ---- update from update_url -------------------------------------------------------------

/// A loopback HTTP server with fixed responses per path.
async fn serve(routes: Vec<(&'static str, u16, Vec<u8>)>) -> String {
    use axum::http::StatusCode;
    let mut app = axum::Router::new();
    for (path, status, body) in routes {
        app = app.route(
            path,
            axum::routing::get(move || {
                let body = body.clone();
                async move { (StatusCode::from_u16(status).unwrap(), body) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn update_from_url_reimports_over_the_same_egg() {
    let p = TestPanel::start().await;
    let nest = svc::create_nest(&p.db, "t@example.com", "Voice", None)
        .await
        .unwrap();
    let mut newer: Value = serde_json::from_str(&fixture("egg-mumble.json")).unwrap();
    newer["name"] = json!("Mumble (renamed upstream)");
    newer["variables"][0]["default_value"] = json!("75");
    let base = serve(vec![
        ("/egg.json", 200, newer.to_string().into_bytes()),
        ("/big.json", 200, vec![b' '; svc::MAX_REMOTE_EGG_BYTES + 1]),
        ("/gone.json", 404, b"nope".to_vec()),
        ("/bad.json", 200, b"{\"name\": 1}".to_vec()),
    ])
    .await;

    let mut doc: Value = serde_json::from_str(&fixture("egg-mumble.json")).unwrap();
    doc["meta"]["update_url"] = json!(format!("{base}/egg.json"));
    let egg = svc::import(&p.db, nest.id, doc.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(
        egg.update_url.as_deref(),
        Some(format!("{base}/egg.json").as_str())
    );
    let before = p.db.eggs().variables(egg.id).await.unwrap();

    let updated = svc::update_from_url(&p.db, egg.id).await.unwrap();
    assert_eq!(updated.id, egg.id);
    assert_eq!(updated.uuid, egg.uuid);
    assert_eq!(updated.name, "Mumble (renamed upstream)");
    // The upstream document has no update_url: the egg keeps its own.
    assert_eq!(updated.update_url, egg.update_url);
    let after = p.db.eggs().variables(egg.id).await.unwrap();
    assert_eq!(after[0].id, before[0].id);
    assert_eq!(after[0].default_value.as_deref(), Some("75"));

    for (path, status) in [
        ("/big.json", 502),
        ("/gone.json", 502),
        ("/bad.json", 400),
        ("/missing-route", 502),
    ] {
        let mut d = doc.clone();
        d["name"] = json!(format!("case {path}"));
        d["meta"]["update_url"] = json!(format!("{base}{path}"));
        let e = svc::import(&p.db, nest.id, d.to_string().as_bytes())
            .await
            .unwrap();
        let err = svc::update_from_url(&p.db, e.id).await.unwrap_err();
        let got = axum::response::IntoResponse::into_response(err)
            .status()
            .as_u16();
        assert_eq!(got, status, "{path}");
    }
    let mut d = doc.clone();
    d["name"] = json!("file scheme");
    d["meta"]["update_url"] = json!("file:///etc/passwd");
    let e = svc::import(&p.db, nest.id, d.to_string().as_bytes())
        .await
        .unwrap();
    let err = svc::update_from_url(&p.db, e.id).await.unwrap_err();
    assert!(matches!(err, aerie_http::Error::BadRequest(_)), "{err:?}");
    let mut d = doc.clone();
    d["name"] = json!("no url");
    d["meta"]["update_url"] = Value::Null;
    let e = svc::import(&p.db, nest.id, d.to_string().as_bytes())
        .await
        .unwrap();
    assert!(matches!(
        svc::update_from_url(&p.db, e.id).await,
        Err(aerie_http::Error::BadRequest(_))
    ));
}

// ---- every egg we have ------------------------------------------------------------------

fn egg_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|x| x.to_str()),
                Some("json" | "yaml" | "yml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Imports each file into a nest per collection, exports it, imports the export into a
/// second nest and exports again: both exports must match but for `exported_at`, and every
/// file must import. Returns how many eggs were imported.
async fn round_trip_all(p: &TestPanel, files: &[(String, PathBuf)]) -> usize {
    let mut nests = std::collections::BTreeMap::new();
    let mut count = 0;
    for (collection, path) in files {
        if !nests.contains_key(collection) {
            let a = svc::create_nest(&p.db, "t@example.com", &format!("{collection} A"), None)
                .await
                .unwrap();
            let b = svc::create_nest(&p.db, "t@example.com", &format!("{collection} B"), None)
                .await
                .unwrap();
            nests.insert(collection.clone(), (a.id, b.id));
        }
        let (a, b) = nests[collection];
        let text = std::fs::read(path).unwrap();
        let egg = svc::import(&p.db, a, &text)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let first = svc::export(&p.db, egg.id).await.unwrap();
        let copy = svc::import(&p.db, b, first.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{}: export does not import: {e}", path.display()));
        let second = svc::export(&p.db, copy.id).await.unwrap();
        assert_eq!(
            without_exported_at(&first),
            without_exported_at(&second),
            "{}",
            path.display()
        );
        // The application API can render every one of them.
        let attrs = svc::egg_attributes(&copy);
        assert!(attrs["config"]["files"].is_object(), "{}", path.display());
        svc::egg_config(&copy).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        count += 1;
    }
    count
}

#[tokio::test]
async fn repository_eggs_round_trip() {
    let p = TestPanel::start().await;
    let mut files = Vec::new();
    for path in egg_files(&repo_root().join("tests/fixtures/eggs")) {
        files.push(("fixtures".to_owned(), path));
    }
    for path in egg_files(&repo_root().join("crates/aerie-eggs/tests/fixtures")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("bad-") && path.parent().unwrap().ends_with("fixtures") {
            files.push(("eggs-crate".to_owned(), path));
        }
    }
    let n = round_trip_all(&p, &files).await;
    assert!(n >= 19, "only {n} eggs");
}

/// The public corpus lives next to the repository (`<repo>/../shared/eggs`); a clean clone
/// does not have it, and then only the repository's eggs above are checked.
#[tokio::test]
async fn public_corpus_imports_and_round_trips_when_present() {
    let corpus = repo_root().join("../shared/eggs");
    if !corpus.is_dir() {
        eprintln!("no egg corpus at {}; skipped", corpus.display());
        return;
    }
    let files: Vec<(String, PathBuf)> = egg_files(&corpus)
        .into_iter()
        .map(|path| {
            let collection = path
                .strip_prefix(&corpus)
                .unwrap()
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .into_owned();
            (collection, path)
        })
        .collect();
    let p = TestPanel::start().await;
    let n = round_trip_all(&p, &files).await;
    eprintln!("imported {n} of {} corpus eggs without error", files.len());
    assert_eq!(n, files.len());
    assert!(n >= 250, "the corpus has {n} eggs");
}
