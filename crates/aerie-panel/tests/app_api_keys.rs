//! `/api/application/api-keys`: an administrator's application keys, managed from a browser
//! session only (an Aerie extra; Pterodactyl does this in its admin pages). Black-box over
//! HTTP: who may call it, CSRF, validation, and that a key made here works on the
//! application API with exactly its bits until it is deleted.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use auth_support::{Browser, Reply, assert_error};
use reqwest::Method;
use serde_json::{Value, json};

const KEYS: &str = "/api/application/api-keys";
const SESSION_ONLY: &str = "Application API keys and panel settings can only be managed from a signed-in administrator's browser session, not with an API key.";
const RESOURCES: [&str; 10] = [
    "servers",
    "nodes",
    "allocations",
    "users",
    "locations",
    "nests",
    "eggs",
    "database_hosts",
    "server_databases",
    "mounts",
];

/// A panel with a root administrator `admin` signed in on a browser.
async fn setup() -> (TestPanel, aerie_db::models::User, Browser) {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let b = Browser::new(&p.url);
    b.login_ok("admin", "password123").await;
    (p, admin, b)
}

async fn create(b: &Browser, body: Value) -> Reply {
    b.send(Method::POST, KEYS, body).await
}

fn assert_validation(r: &Reply, field: &str, rule: &str) {
    assert_error(r, 422, "ValidationException", None);
    assert_eq!(
        r.json["errors"][0]["meta"]["source_field"], field,
        "{}",
        r.json
    );
    assert_eq!(r.json["errors"][0]["meta"]["rule"], rule, "{}", r.json);
}

#[tokio::test]
async fn any_api_key_is_refused_even_a_root_admins() {
    let (p, admin, b) = setup().await;
    let made = create(&b, json!({"memo": "existing"})).await;
    assert_eq!(made.status, 201, "{}", made.json);
    let identifier = made.json["attributes"]["identifier"].as_str().unwrap();

    let app_key = p.key(&admin, KeyType::Application).await;
    let client_key = p.key(&admin, KeyType::Client).await;
    for token in [&app_key, &client_key] {
        let (s, v) = p.call_json(Method::GET, KEYS, token, None).await;
        assert_eq!(s, 403, "{v}");
        assert_eq!(v["errors"][0]["detail"], SESSION_ONLY);
        let (s, v) = p
            .call_json(
                Method::POST,
                KEYS,
                token,
                Some(json!({"memo": "minted", "r_users": 3})),
            )
            .await;
        assert_eq!(s, 403, "{v}");
        assert_eq!(v["errors"][0]["detail"], SESSION_ONLY);
        let (s, _) = p
            .call_json(Method::DELETE, &format!("{KEYS}/{identifier}"), token, None)
            .await;
        assert_eq!(s, 403);
    }
    // Nothing was minted and nothing deleted: only the session's key and the two above.
    let list = b.get(KEYS).await;
    assert_eq!(list.status, 200);
    let memos: Vec<&Value> = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["attributes"]["memo"])
        .collect();
    assert_eq!(memos, [&json!("existing"), &Value::Null]);

    // No credentials at all: 401.
    let r = Browser::new(&p.url).get(KEYS).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn a_non_admin_session_is_refused() {
    let (p, _admin, _b) = setup().await;
    p.user("player", false).await;
    let b = Browser::new(&p.url);
    b.login_ok("player", "password123").await;
    assert_eq!(b.get(KEYS).await.status, 403);
    let r = create(&b, json!({"memo": "mine"})).await;
    assert_eq!(r.status, 403, "{}", r.json);
}

#[tokio::test]
async fn writes_need_the_csrf_token() {
    let (_p, _admin, b) = setup().await;
    let r = b
        .request(
            Method::POST,
            KEYS,
            Some(json!({"memo": "no csrf"})),
            false,
            &[],
        )
        .await;
    assert_error(&r, 419, "TokenMismatchException", None);
    assert_eq!(b.get(KEYS).await.json["data"], json!([]));

    let made = create(&b, json!({"memo": "kept"})).await;
    let identifier = made.json["attributes"]["identifier"].as_str().unwrap();
    let r = b
        .request(
            Method::DELETE,
            &format!("{KEYS}/{identifier}"),
            None,
            false,
            &[],
        )
        .await;
    assert_error(&r, 419, "TokenMismatchException", None);
    assert_eq!(b.get(KEYS).await.json["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_new_key_works_with_exactly_its_bits_until_it_is_deleted() {
    let (p, _admin, b) = setup().await;
    let r = create(
        &b,
        json!({"memo": "  Billing sync  ", "r_locations": 1, "r_servers": 0}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["object"], "application_api_key");
    let a = &r.json["attributes"];
    let identifier = a["identifier"].as_str().unwrap().to_owned();
    assert!(identifier.starts_with("ptla_"), "{identifier}");
    assert_eq!(a["memo"], "Billing sync");
    assert_eq!(a["allowed_ips"], json!([]));
    assert_eq!(a["last_used_at"], Value::Null);
    for res in RESOURCES {
        let want = i64::from(res == "locations");
        assert_eq!(a[format!("r_{res}")], want, "r_{res}: {a}");
    }
    let token = r.json["meta"]["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with(&identifier));
    assert_eq!(token.len(), 48);

    // The list shows it, never its token.
    let list = b.get(KEYS).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json["object"], "list");
    assert_eq!(list.json["data"][0]["attributes"]["identifier"], identifier);
    assert!(!list.json.to_string().contains(&token[identifier.len()..]));

    // Read on locations, nothing else.
    let (s, v) = p
        .call_json(Method::GET, "/api/application/locations", &token, None)
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = p
        .call_json(
            Method::POST,
            "/api/application/locations",
            &token,
            Some(json!({"short": "us.east"})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = p
        .call_json(Method::GET, "/api/application/nodes", &token, None)
        .await;
    assert_eq!(s, 403);
    assert_eq!(p.db.locations().list().await.unwrap().len(), 0);

    // Using it is recorded.
    let list = b.get(KEYS).await;
    assert!(list.json["data"][0]["attributes"]["last_used_at"].is_string());

    // Delete: 204, then the token no longer authenticates and a second delete is 404.
    let r = b
        .send(Method::DELETE, &format!("{KEYS}/{identifier}"), Value::Null)
        .await;
    assert_eq!(r.status, 204, "{}", r.json);
    let (s, _) = p
        .call_json(Method::GET, "/api/application/locations", &token, None)
        .await;
    assert_eq!(s, 401);
    let r = b
        .send(Method::DELETE, &format!("{KEYS}/{identifier}"), Value::Null)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(b.get(KEYS).await.json["data"], json!([]));
}

#[tokio::test]
async fn read_write_bits_allow_writes_and_allowed_ips_are_enforced() {
    let (p, _admin, b) = setup().await;
    let r = create(&b, json!({"memo": "writer", "r_locations": 3})).await;
    let token = r.json["meta"]["token"].as_str().unwrap().to_owned();
    let (s, v) = p
        .call_json(
            Method::POST,
            "/api/application/locations",
            &token,
            Some(json!({"short": "us.east"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");

    let r = create(
        &b,
        json!({"memo": "office only", "r_locations": 3, "allowed_ips": ["10.1.0.0/16", " 192.0.2.7 "]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(
        r.json["attributes"]["allowed_ips"],
        json!(["10.1.0.0/16", "192.0.2.7"])
    );
    let fenced = r.json["meta"]["token"].as_str().unwrap().to_owned();
    let (s, v) = p
        .call_json(Method::GET, "/api/application/locations", &fenced, None)
        .await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(
        v["errors"][0]["detail"],
        "This API key is not allowed from your IP address."
    );
}

#[tokio::test]
async fn only_your_own_application_keys_can_be_deleted() {
    let (p, admin, b) = setup().await;
    let other = p.user("other", true).await;
    let others_key = p.key(&other, KeyType::Application).await;
    let own_client_key = p.key(&admin, KeyType::Client).await;
    for token in [&others_key, &own_client_key] {
        let identifier = &token[..16];
        let r = b
            .send(Method::DELETE, &format!("{KEYS}/{identifier}"), Value::Null)
            .await;
        assert_error(&r, 404, "NotFoundHttpException", None);
    }
    let r = b
        .send(Method::DELETE, &format!("{KEYS}/nonsense"), Value::Null)
        .await;
    assert_eq!(r.status, 404);
    // Both still work, and neither shows in this administrator's list.
    let (s, _) = p
        .call_json(Method::GET, "/api/application/users", &others_key, None)
        .await;
    assert_eq!(s, 200);
    let (s, _) = p
        .call_json(Method::GET, "/api/client/account", &own_client_key, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(b.get(KEYS).await.json["data"], json!([]));
}

#[tokio::test]
async fn every_field_is_validated_and_nothing_is_created_on_failure() {
    let (_p, _admin, b) = setup().await;
    let long = "x".repeat(501);
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({}), "memo", "required"),
        (json!({"memo": "   "}), "memo", "required"),
        (json!({"memo": null}), "memo", "required"),
        (json!({"memo": long}), "memo", "max"),
        (json!({"memo": "m", "r_nodes": 2}), "r_nodes", "in"),
        (json!({"memo": "m", "r_users": 4}), "r_users", "in"),
        (json!({"memo": "m", "r_eggs": -1}), "r_eggs", "in"),
        (json!({"memo": "m", "r_mounts": 7}), "r_mounts", "in"),
        (
            json!({"memo": "m", "allowed_ips": ["127.0.0.1", "not-an-ip"]}),
            "allowed_ips.1",
            "ip",
        ),
        (
            json!({"memo": "m", "allowed_ips": ["10.0.0.0/33"]}),
            "allowed_ips.0",
            "ip",
        ),
        (
            json!({"memo": "m", "allowed_ips": ["fd00::/129"]}),
            "allowed_ips.0",
            "ip",
        ),
    ];
    for (body, field, rule) in cases {
        let r = create(&b, body.clone()).await;
        assert_validation(&r, field, rule);
    }
    // A bit that is not a number fails on its field too.
    let r = create(&b, json!({"memo": "m", "r_servers": "3"})).await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["errors"][0]["meta"]["source_field"], "r_servers");
    let too_many: Vec<String> = (0..51).map(|i| format!("10.0.0.{i}")).collect();
    let r = create(&b, json!({"memo": "m", "allowed_ips": too_many})).await;
    assert_validation(&r, "allowed_ips", "max");

    assert_eq!(b.get(KEYS).await.json["data"], json!([]));
}

/// Pterodactyl limits client keys to 25 per account but sets no limit on application keys;
/// neither does Aerie.
#[tokio::test]
async fn application_keys_are_not_held_to_the_client_key_limit() {
    let (_p, _admin, b) = setup().await;
    for i in 0..26 {
        let r = create(&b, json!({"memo": format!("key {i}")})).await;
        assert_eq!(r.status, 201, "key {i}: {}", r.json);
    }
    assert_eq!(b.get(KEYS).await.json["data"].as_array().unwrap().len(), 26);
}

/// The errors from validating `body` against the document's schema for `method path` →
/// `status` (the same check `tests/openapi.rs` runs on the other resources).
fn schema_errors(doc: &Value, method: &str, path: &str, status: &str, body: &Value) -> Vec<String> {
    let mut resp = doc["paths"][path][method]["responses"][status].clone();
    if let Some(r) = resp.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/responses/");
        resp = doc["components"]["responses"][name].clone();
    }
    let schema = resp["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "{method} {path} documents no body for {status}"
    );
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": doc["components"],
    });
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap();
    validator
        .iter_errors(body)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect()
}

#[tokio::test]
async fn responses_match_the_openapi_document() {
    let (p, _admin, b) = setup().await;
    let doc: Value = p.get("/api/openapi.json").await.json().await.unwrap();
    let check = |method: &str, path: &str, r: &Reply| {
        let errors = schema_errors(&doc, method, path, &r.status.to_string(), &r.json);
        assert!(errors.is_empty(), "{method} {path}: {errors:?}\n{}", r.json);
    };
    let made = create(
        &b,
        json!({"memo": "documented", "r_mounts": 3, "allowed_ips": ["10.0.0.0/8"]}),
    )
    .await;
    assert_eq!(made.status, 201);
    check("post", KEYS, &made);
    let token = made.json["meta"]["token"].as_str().unwrap();
    p.call_json(Method::GET, "/api/application/locations", token, None)
        .await;
    let list = b.get(KEYS).await;
    check("get", KEYS, &list);
    check("post", KEYS, &create(&b, json!({"memo": ""})).await);

    let settings = "/api/application/settings";
    check("get", settings, &b.get(settings).await);
    let r = b
        .send(
            Method::PATCH,
            settings,
            json!({"client_allocations_enabled": true, "client_allocations_range_start": 30000, "client_allocations_range_end": 30010}),
        )
        .await;
    assert_eq!(r.status, 200);
    check("patch", settings, &r);
    let r = b
        .send(Method::PATCH, settings, json!({"two_factor_required": 9}))
        .await;
    check("patch", settings, &r);
}
