//! `/api/application/users`: the behaviour of Pterodactyl's `UserControllerTest` and
//! `ExternalUserControllerTest`, black-box over HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aerie_db::models::{ApiKeyPermissions, User};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use reqwest::Method;
use serde_json::{Value, json};

const USER_KEYS: [&str; 12] = [
    "id",
    "external_id",
    "uuid",
    "username",
    "email",
    "first_name",
    "last_name",
    "language",
    "root_admin",
    "2fa",
    "created_at",
    "updated_at",
];

async fn setup() -> (TestPanel, User, String) {
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

fn assert_atom(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(s.ends_with("+00:00") && !s.contains('.'), "{s}");
    chrono::DateTime::parse_from_rfc3339(s).unwrap();
}

/// The transformer output for `u`, as Pterodactyl's `UserTransformer` writes it.
fn expected(u: &User) -> Value {
    let atom = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S+00:00")
            .to_string()
    };
    json!({
        "id": u.id,
        "external_id": u.external_id,
        "uuid": u.uuid,
        "username": u.username,
        "email": u.email,
        "first_name": u.name_first,
        "last_name": u.name_last,
        "language": u.language,
        "root_admin": u.root_admin,
        "2fa": u.use_totp,
        "created_at": atom(&u.created_at),
        "updated_at": atom(&u.updated_at),
    })
}

fn assert_error(body: &Value, status: &str, code: &str) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["status"], status, "{body}");
    assert_eq!(errors[0]["code"], code, "{body}");
}

fn assert_validation(status: u16, body: &Value, field: &str, rule: &str) {
    assert_eq!(status, 422, "{body}");
    assert_error(body, "422", "ValidationException");
    assert_eq!(
        body["errors"][0]["meta"],
        json!({"source_field": field, "rule": rule}),
        "{body}"
    );
}

fn assert_not_found(status: u16, body: &Value) {
    assert_eq!(status, 404, "{body}");
    assert_error(body, "404", "NotFoundHttpException");
    assert_eq!(
        body["errors"][0]["detail"],
        "The requested resource could not be found on the server."
    );
}

fn assert_forbidden(status: u16, body: &Value) {
    assert_eq!(status, 403, "{body}");
    assert_error(body, "403", "AccessDeniedHttpException");
}

async fn create(p: &TestPanel, key: &str, body: Value) -> (u16, Value) {
    p.call_json(Method::POST, "/api/application/users", key, Some(body))
        .await
}

fn full_body(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "first_name": "Test",
        "last_name": "User",
    })
}

#[tokio::test]
async fn lists_users_with_pagination() {
    let (p, admin, key) = setup().await;
    let other = p.user("other", false).await;

    let (status, body) = p
        .call_json(Method::GET, "/api/application/users", &key, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "data", "meta"]));
    assert_eq!(body["object"], "list");
    assert_eq!(
        body["meta"],
        json!({"pagination": {"total": 2, "count": 2, "per_page": 50, "current_page": 1,
                              "total_pages": 1, "links": {}}})
    );
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for item in data {
        assert_eq!(item["object"], "user");
        assert_eq!(keys(&item["attributes"]), sorted(&USER_KEYS));
        assert_atom(&item["attributes"]["created_at"]);
        assert_atom(&item["attributes"]["updated_at"]);
    }
    assert_eq!(data[0]["attributes"], expected(&admin));
    assert_eq!(data[1]["attributes"], expected(&other));
    assert_eq!(data[0]["attributes"]["root_admin"], true);
    assert_eq!(data[1]["attributes"]["root_admin"], false);
    assert_eq!(data[1]["attributes"]["2fa"], false);
    assert_eq!(data[1]["attributes"]["language"], "en");
}

#[tokio::test]
async fn pages_filters_and_sorts() {
    let (p, admin, key) = setup().await;
    let mut made = vec![admin];
    for (name, ext) in [
        ("bravo", "ext-10"),
        ("charlie", "ext-20"),
        ("delta", "other"),
    ] {
        let (s, b) = create(
            &p,
            &key,
            json!({"username": name, "email": format!("{name}@mail.test"), "first_name": "F",
                   "last_name": "L", "external_id": ext}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
        made.push(p.db.users().find_by_username(name).await.unwrap().unwrap());
    }
    let names = |b: &Value| -> Vec<String> {
        b["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["attributes"]["username"].as_str().unwrap().to_owned())
            .collect()
    };

    // Page 2 of 2-per-page has both links, as absolute URLs keeping the other parameters.
    let (s, b) = p
        .call_json(
            Method::GET,
            "/api/application/users?per_page=1&page=2",
            &key,
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let pg = &b["meta"]["pagination"];
    assert_eq!(
        (
            pg["total"].clone(),
            pg["count"].clone(),
            pg["per_page"].clone()
        ),
        (json!(4), json!(1), json!(1))
    );
    assert_eq!(
        (pg["current_page"].clone(), pg["total_pages"].clone()),
        (json!(2), json!(4))
    );
    assert_eq!(names(&b), ["bravo"]);
    let prev = pg["links"]["previous"].as_str().unwrap();
    let next = pg["links"]["next"].as_str().unwrap();
    assert!(
        prev.contains("/api/application/users?") && prev.contains("page=1"),
        "{prev}"
    );
    assert!(
        next.contains("per_page=1") && next.contains("page=3"),
        "{next}"
    );

    // Partial, case-insensitive filters.
    for (q, want) in [
        ("filter[email]=MAIL.TEST", vec!["bravo", "charlie", "delta"]),
        ("filter[username]=arl", vec!["charlie"]),
        ("filter[external_id]=ext-", vec!["bravo", "charlie"]),
        ("filter[external_id]=ext-1,other", vec!["bravo", "delta"]),
        ("filter[email]=mail&filter[username]=del", vec!["delta"]),
        ("filter[username]=%25", vec![]),
        (
            "filter[username]=",
            vec!["admin", "bravo", "charlie", "delta"],
        ),
    ] {
        let (s, b) = p
            .call_json(
                Method::GET,
                &format!("/api/application/users?{q}"),
                &key,
                None,
            )
            .await;
        assert_eq!(s, 200, "{q}: {b}");
        assert_eq!(names(&b), want, "{q}");
        assert_eq!(b["meta"]["pagination"]["total"], want.len(), "{q}");
    }
    let uuid_part = &made[2].uuid[..8];
    let (_, b) = p
        .call_json(
            Method::GET,
            &format!("/api/application/users?filter[uuid]={uuid_part}"),
            &key,
            None,
        )
        .await;
    assert_eq!(names(&b), ["charlie"]);

    // Sorts.
    let (_, b) = p
        .call_json(Method::GET, "/api/application/users?sort=-id", &key, None)
        .await;
    assert_eq!(names(&b), ["delta", "charlie", "bravo", "admin"]);
    let mut by_uuid = made.clone();
    by_uuid.sort_by(|a, b| a.uuid.cmp(&b.uuid));
    let want: Vec<String> = by_uuid.iter().map(|u| u.username.clone()).collect();
    let (_, b) = p
        .call_json(Method::GET, "/api/application/users?sort=uuid", &key, None)
        .await;
    assert_eq!(names(&b), want);

    // Unknown filters and sorts are spatie's 400s.
    let (s, b) = p
        .call_json(
            Method::GET,
            "/api/application/users?filter[password]=x",
            &key,
            None,
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = p
        .call_json(Method::GET, "/api/application/users?sort=email", &key, None)
        .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn gets_a_single_user() {
    let (p, _admin, key) = setup().await;
    let user = p.user("single", false).await;
    for path in [
        format!("/api/application/users/{}", user.id),
        format!("/api/application/users/{}/", user.id),
    ] {
        let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            json!({"object": "user", "attributes": expected(&user)})
        );
    }
}

#[tokio::test]
async fn missing_users_are_404() {
    let (p, _admin, key) = setup().await;
    for path in [
        "/api/application/users/nil",
        "/api/application/users/99999",
        "/api/application/users/-1",
        "/api/application/users/external/nil",
    ] {
        let (status, body) = p.call_json(Method::GET, path, &key, None).await;
        assert_not_found(status, &body);
    }
    for method in [Method::PATCH, Method::DELETE] {
        let (status, body) = p
            .call_json(
                method,
                "/api/application/users/424242",
                &key,
                Some(json!({})),
            )
            .await;
        assert_not_found(status, &body);
    }
}

#[tokio::test]
async fn keys_without_the_users_bit_are_refused() {
    let (p, admin, _key) = setup().await;
    let user = p.user("target", false).await;
    let none = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                users: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    // Refused before the id is resolved: a missing user is not revealed either.
    for path in [
        "/api/application/users".to_owned(),
        format!("/api/application/users/{}", user.id),
        "/api/application/users/nil".to_owned(),
        "/api/application/users/external/nil".to_owned(),
    ] {
        let (status, body) = p.call_json(Method::GET, &path, &none, None).await;
        assert_forbidden(status, &body);
    }

    // Read-only keys cannot write.
    let read = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                users: 1,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let (status, _) = p
        .call_json(Method::GET, "/api/application/users", &read, None)
        .await;
    assert_eq!(status, 200);
    let by_id = format!("/api/application/users/{}", user.id);
    for (method, path) in [
        (Method::POST, "/api/application/users"),
        (Method::PATCH, by_id.as_str()),
        (Method::DELETE, by_id.as_str()),
    ] {
        let (status, body) = p
            .call_json(method, path, &read, Some(full_body("nobody")))
            .await;
        assert_forbidden(status, &body);
    }
    assert!(p.db.users().find(user.id).await.unwrap().is_some());
    assert!(
        p.db.users()
            .find_by_username("nobody")
            .await
            .unwrap()
            .is_none()
    );

    // A non-admin's key is refused outright, as is an application key whose owner lost
    // admin rights; a root admin's client key has every bit.
    let plain = p.user("plain", false).await;
    let plain_key = p.key(&plain, KeyType::Client).await;
    let (status, body) = p
        .call_json(Method::GET, "/api/application/users", &plain_key, None)
        .await;
    assert_forbidden(status, &body);
    let demoted = p.user("demoted", true).await;
    let demoted_key = p.key(&demoted, KeyType::Application).await;
    let patch = aerie_db::repo::users::UserPatch {
        root_admin: Some(false),
        ..Default::default()
    };
    p.db.users().update(demoted.id, &patch).await.unwrap();
    let (status, body) = p
        .call_json(Method::GET, "/api/application/users", &demoted_key, None)
        .await;
    assert_forbidden(status, &body);
    let client = p.key(&admin, KeyType::Client).await;
    let (status, body) = p
        .call_json(Method::GET, "/api/application/users", &client, None)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn creates_a_user() {
    let (p, _admin, key) = setup().await;
    let (status, body) = create(
        &p,
        &key,
        json!({"username": "testuser", "email": "test@example.com",
               "first_name": "Test", "last_name": "User"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "attributes", "meta"]));
    let user =
        p.db.users()
            .find_by_username("testuser")
            .await
            .unwrap()
            .unwrap();
    assert_eq!(user.email, "test@example.com");
    assert_eq!(user.password, None, "no password given: cannot log in");
    assert_eq!(
        body,
        json!({
            "object": "user",
            "attributes": expected(&user),
            "meta": {"resource": format!("http://127.0.0.1/api/application/users/{}", user.id)},
        })
    );
    assert_eq!(body["attributes"]["first_name"], "Test");
    assert_eq!(body["attributes"]["last_name"], "User");
    assert_eq!(body["attributes"]["external_id"], Value::Null);
    assert_eq!(body["attributes"]["root_admin"], false);
    assert_eq!(body["attributes"]["language"], "en");

    // Every field py-dactyl sends, with a password and admin rights.
    let (status, body) = create(
        &p,
        &key,
        json!({"username": "Full.User", "email": "FULL@Example.com", "first_name": "Full",
               "last_name": "User", "external_id": "billing-7", "password": "s3cret-pass",
               "root_admin": true, "language": "de"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let a = &body["attributes"];
    assert_eq!(a["username"], "full.user");
    assert_eq!(a["email"], "full@example.com");
    assert_eq!(a["external_id"], "billing-7");
    assert_eq!(a["root_admin"], true);
    assert_eq!(a["language"], "de");
    let stored =
        p.db.users()
            .find(a["id"].as_i64().unwrap())
            .await
            .unwrap()
            .unwrap();
    let hash = stored.password.unwrap();
    assert!(aerie_panel::services::password::verify(
        "s3cret-pass",
        &hash
    ));

    // Nulls are accepted where py-dactyl sends them.
    let (status, body) = create(
        &p,
        &key,
        json!({"username": "nulls", "email": "nulls@example.com", "first_name": "N",
               "last_name": "U", "external_id": null, "password": null,
               "root_admin": false, "language": "en"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attributes"]["external_id"], Value::Null);
}

#[tokio::test]
async fn create_validation_is_pterodactyls() {
    let (p, _admin, key) = setup().await;
    let (s, b) = create(&p, &key, full_body("taken")).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = create(
        &p,
        &key,
        json!({"username": "withext", "email": "withext@example.com", "first_name": "a",
               "last_name": "b", "external_id": "ext-1"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");

    let with = |k: &str, v: Value| {
        let mut b = full_body("fresh");
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = full_body("fresh");
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let cases = [
        (without("email"), "email", "required"),
        (without("username"), "username", "required"),
        (without("first_name"), "first_name", "required"),
        (without("last_name"), "last_name", "required"),
        (with("first_name", json!("")), "first_name", "required"),
        (with("last_name", json!(null)), "last_name", "required"),
        (
            with("first_name", json!("x".repeat(192))),
            "first_name",
            "between",
        ),
        (with("email", json!("not-an-email")), "email", "email"),
        (with("email", json!("TAKEN@example.com")), "email", "unique"),
        (with("username", json!("taken")), "username", "unique"),
        (
            with("username", json!("bad name")),
            "username",
            "p_username",
        ),
        (with("username", json!("-dash")), "username", "p_username"),
        (with("external_id", json!("ext-1")), "external_id", "unique"),
        (
            with("external_id", json!("x".repeat(192))),
            "external_id",
            "max",
        ),
        (with("email", json!(12)), "email", "string"),
        (with("root_admin", json!("yes")), "root_admin", "boolean"),
        (with("password", json!("short")), "password", "min"),
    ];
    for (body, field, rule) in cases {
        let (status, resp) = create(&p, &key, body.clone()).await;
        assert_validation(status, &resp, field, rule);
    }
    assert!(
        p.db.users()
            .find_by_username("fresh")
            .await
            .unwrap()
            .is_none()
    );

    // Malformed JSON is Pterodactyl's 400.
    let resp = p
        .client
        .post(format!("{}/api/application/users", p.url))
        .bearer_auth(&key)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("The JSON data passed in the request appears to be malformed"),
        "{body}"
    );
}

#[tokio::test]
async fn updates_a_user() {
    let (p, _admin, key) = setup().await;
    let user = p.user("before", false).await;
    let other = p.user("other", false).await;
    let path = format!("/api/application/users/{}", user.id);

    let (status, body) = p
        .call_json(
            Method::PATCH,
            &path,
            &key,
            Some(
                json!({"username": "new.test.name", "email": "new@emailtest.com",
                        "first_name": "New", "last_name": "Name"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "attributes"]));
    let fresh = p.db.users().find(user.id).await.unwrap().unwrap();
    assert_eq!(fresh.username, "new.test.name");
    assert_eq!(fresh.email, "new@emailtest.com");
    assert_eq!(
        body,
        json!({"object": "user", "attributes": expected(&fresh)})
    );

    // Every other field, including the language and a new password.
    let (status, body) = p
        .call_json(
            Method::PATCH,
            &path,
            &key,
            Some(json!({"external_id": 77, "language": "fr", "root_admin": 1,
                        "password": "another-password"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let a = &body["attributes"];
    assert_eq!(
        (
            a["external_id"].clone(),
            a["language"].clone(),
            a["root_admin"].clone()
        ),
        (json!("77"), json!("fr"), json!(true))
    );
    assert_eq!(a["username"], "new.test.name", "untouched fields stay");
    let fresh = p.db.users().find(user.id).await.unwrap().unwrap();
    assert!(aerie_panel::services::password::verify(
        "another-password",
        fresh.password.as_deref().unwrap()
    ));

    // Keeping one's own e-mail is not a conflict; taking another's is.
    let (status, body) = p
        .call_json(
            Method::PATCH,
            &path,
            &key,
            Some(json!({"email": "new@emailtest.com", "username": "new.test.name"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for (field, value, rule) in [
        ("email", json!(other.email), "unique"),
        ("username", json!("other"), "unique"),
        ("email", json!(""), "required"),
        ("first_name", json!(null), "required"),
        ("username", json!("x y"), "p_username"),
    ] {
        let (status, body) = p
            .call_json(Method::PATCH, &path, &key, Some(json!({ field: value })))
            .await;
        assert_validation(status, &body, field, rule);
    }

    // external_id: null clears it.
    let (status, body) = p
        .call_json(
            Method::PATCH,
            &path,
            &key,
            Some(json!({"external_id": null})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["attributes"]["external_id"], Value::Null);
}

#[tokio::test]
async fn deletes_a_user() {
    let (p, _admin, key) = setup().await;
    let user = p.user("doomed", false).await;
    p.key(&user, KeyType::Client).await;
    let path = format!("/api/application/users/{}", user.id);
    let resp = p.call(Method::DELETE, &path, &key, None).await;
    assert_eq!(resp.status(), 204);
    assert!(resp.text().await.unwrap().is_empty());
    assert!(p.db.users().find(user.id).await.unwrap().is_none());
    let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
    assert_not_found(status, &body);
}

#[tokio::test]
async fn gets_a_user_by_external_id() {
    let (p, admin, key) = setup().await;
    let (s, b) = create(
        &p,
        &key,
        json!({"username": "remote", "email": "remote@example.com", "first_name": "R",
               "last_name": "U", "external_id": "whmcs-42"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let user =
        p.db.users()
            .find_by_username("remote")
            .await
            .unwrap()
            .unwrap();

    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/users/external/whmcs-42",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"object": "user", "attributes": expected(&user)})
    );

    let none = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                users: 0,
                ..ApiKeyPermissions::all()
            },
        )
        .await;
    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/users/external/whmcs-42",
            &none,
            None,
        )
        .await;
    assert_forbidden(status, &body);
}

#[tokio::test]
async fn servers_include_follows_the_servers_bit() {
    let (p, admin, key) = setup().await;
    let user = p.user("owner", false).await;
    let path = format!("/api/application/users/{}?include=servers", user.id);

    let (status, body) = p.call_json(Method::GET, &path, &key, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), sorted(&["object", "attributes"]));
    assert_eq!(
        body["attributes"]["relationships"],
        json!({"servers": {"object": "list", "data": []}})
    );
    // The list endpoint includes too.
    let (_, body) = p
        .call_json(
            Method::GET,
            "/api/application/users?include=servers",
            &key,
            None,
        )
        .await;
    assert_eq!(
        body["data"][1]["attributes"]["relationships"]["servers"]["object"],
        "list"
    );

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
        body["attributes"]["relationships"],
        json!({"servers": {"object": "null_resource", "attributes": null}})
    );
}

/// A location, node, nest, egg, allocation and a server owned by `owner_id` on that node.
async fn server(p: &TestPanel, owner_id: i64, name: &str) -> aerie_db::repo::servers::Server {
    let location = p.db.locations().create(name, None).await.unwrap();
    let node =
        p.db.nodes()
            .create(&aerie_db::models::NewNode {
                name: name.into(),
                description: None,
                location_id: location.id,
                fqdn: format!("{name}.example.com"),
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
                daemon_token_id: format!("{name:x<16}"),
                daemon_token: "t".repeat(64),
            })
            .await
            .unwrap();
    let nest =
        p.db.nests()
            .create("test@example.com", name, None)
            .await
            .unwrap();
    let egg =
        p.db.eggs()
            .create(
                nest.id,
                None,
                &aerie_db::repo::eggs::EggFields {
                    author: "test@example.com".into(),
                    name: name.into(),
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
        .insert_ignore(node.id, "127.0.0.1", None, &[25565])
        .await
        .unwrap();
    let allocation = p.db.allocations().list_by_nodes(&[node.id]).await.unwrap()[0].clone();
    let uuid = uuid::Uuid::new_v4().to_string();
    p.db.servers()
        .create(&aerie_db::repo::servers::NewServer {
            external_id: None,
            uuid_short: uuid[..8].to_owned(),
            uuid,
            node_id: node.id,
            name: format!("{name} server"),
            description: None,
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
async fn a_user_with_servers_cannot_be_deleted_and_lists_them() {
    let (p, _admin, key) = setup().await;
    let owner = p.user("owner", false).await;
    let s = server(&p, owner.id, "mine").await;

    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/users/{}?include=servers", owner.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let servers = &body["attributes"]["relationships"]["servers"];
    assert_eq!(servers["object"], "list");
    assert_eq!(servers["data"].as_array().unwrap().len(), 1, "{body}");
    let item = &servers["data"][0];
    assert_eq!(item["object"], "server");
    assert_eq!(item["attributes"]["id"], s.id);
    assert_eq!(item["attributes"]["uuid"], s.uuid);
    assert_eq!(item["attributes"]["identifier"], s.uuid_short);
    assert_eq!(item["attributes"]["name"], "mine server");
    // The full application server transformer.
    assert_eq!(
        keys(&item["attributes"]),
        sorted(&[
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
        ])
    );
    assert_eq!(item["attributes"]["user"], owner.id);
    assert_eq!(item["attributes"]["limits"]["memory"], 1024);

    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/users/{}", owner.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["status"], "400");
    assert_eq!(
        body["errors"][0]["detail"],
        "Cannot delete a user with active servers attached to their account."
    );
    assert!(p.db.users().find(owner.id).await.unwrap().is_some());
}

/// The user and location queries (partial filters with escaping, sorts, the server joins)
/// on one backend, through the API.
async fn backend_story(p: TestPanel) {
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    for (name, ext) in [("bravo", "Ext_1"), ("charlie", "ext%2")] {
        let mut body = full_body(name);
        body["external_id"] = json!(ext);
        let (s, b) = create(&p, &key, body).await;
        assert_eq!(s, 201, "{b}");
    }
    let names = |b: &Value| -> Vec<String> {
        b["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{b}"))
            .iter()
            .map(|i| i["attributes"]["username"].as_str().unwrap().to_owned())
            .collect()
    };
    for (q, want) in [
        ("filter[external_id]=EXT", vec!["bravo", "charlie"]),
        ("filter[external_id]=t_", vec!["bravo"]),
        ("filter[external_id]=t%25", vec!["charlie"]),
        ("filter[email]=CHAR", vec!["charlie"]),
        ("sort=-id&per_page=2", vec!["charlie", "bravo"]),
    ] {
        let (s, b) = p
            .call_json(
                Method::GET,
                &format!("/api/application/users?{q}"),
                &key,
                None,
            )
            .await;
        assert_eq!(s, 200, "{q}: {b}");
        assert_eq!(names(&b), want, "{q}");
    }
    let (_, b) = p
        .call_json(Method::GET, "/api/application/users?sort=uuid", &key, None)
        .await;
    assert_eq!(b["meta"]["pagination"]["total"], 3);
    let (s, b) = p
        .call_json(
            Method::GET,
            "/api/application/users/external/Ext_1",
            &key,
            None,
        )
        .await;
    assert_eq!(
        (s, b["attributes"]["username"].clone()),
        (200, json!("bravo"))
    );

    let owner =
        p.db.users()
            .find_by_username("bravo")
            .await
            .unwrap()
            .unwrap();
    let s = server(&p, owner.id, "story").await;
    let (status, body) = p
        .call_json(
            Method::GET,
            &format!("/api/application/users/{}?include=servers", owner.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["attributes"]["relationships"]["servers"]["data"][0]["attributes"]["id"],
        s.id
    );
    let (status, body) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/users/{}", owner.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");

    let location =
        p.db.locations()
            .find_by_short("story")
            .await
            .unwrap()
            .unwrap();
    let (status, body) = p
        .call_json(
            Method::GET,
            "/api/application/locations?filter[short]=STO&include=nodes,servers",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rel = &body["data"][0]["attributes"]["relationships"];
    assert_eq!(body["data"][0]["attributes"]["id"], location.id);
    assert_eq!(
        rel["servers"]["data"][0]["attributes"]["id"], s.id,
        "{body}"
    );
    assert_eq!(
        rel["nodes"]["data"][0]["attributes"]["allocated_resources"],
        json!({"memory": 1024, "disk": 2048})
    );
    let (status, _) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/locations/{}", location.id),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn users_and_locations_on_sqlite() {
    backend_story(TestPanel::start().await).await;
}

#[tokio::test]
async fn users_and_locations_on_postgres() {
    let scratch = aerie_testkit::ScratchDb::create(aerie_testkit::Server::Postgres).await;
    let db = aerie_db::Db::connect(&scratch.url).await.unwrap();
    db.migrate().await.unwrap();
    let p = TestPanel::start_with_db(db.clone()).await;
    backend_story(p).await;
    db.close().await;
    scratch.drop_now().await;
}

#[tokio::test]
async fn users_and_locations_on_mariadb() {
    let scratch = aerie_testkit::ScratchDb::create(aerie_testkit::Server::MySql).await;
    let db = aerie_db::Db::connect(&scratch.url).await.unwrap();
    db.migrate().await.unwrap();
    let p = TestPanel::start_with_db(db.clone()).await;
    backend_story(p).await;
    db.close().await;
    scratch.drop_now().await;
}
