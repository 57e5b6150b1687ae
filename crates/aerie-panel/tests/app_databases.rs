//! `/api/application/database-hosts` and `/api/application/servers/{id}/databases`, black-box
//! over HTTP against the real MariaDB that `scripts/test` starts (`AERIE_TEST_MYSQL_URL`).
//! The tests fail, never skip, when that server is missing.
//!
//! The panel's own database is a fresh SQLite per test; the MariaDB server is shared, so
//! every database name is random and every test removes what it created.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aerie_db::models::ApiKeyPermissions;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection, Executor, Row};

/// The MariaDB admin account from `AERIE_TEST_MYSQL_URL`.
struct Maria {
    host: String,
    port: u16,
    user: String,
    password: String,
}

fn maria() -> Maria {
    let url = std::env::var("AERIE_TEST_MYSQL_URL").unwrap_or_else(|_| {
        panic!(
            "AERIE_TEST_MYSQL_URL is not set: these tests need a real MariaDB; \
             run them through scripts/test (or `source` the exports of scripts/setup-databases)"
        )
    });
    let rest = url.strip_prefix("mysql://").expect("a mysql:// URL");
    let (auth, rest) = rest.split_once('@').expect("credentials in the URL");
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let hostport = rest.split('/').next().unwrap();
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    Maria {
        host: host.to_owned(),
        port: port.parse().unwrap(),
        user: user.to_owned(),
        password: password.to_owned(),
    }
}

/// Logs in to MariaDB as `user`, optionally into `database`.
async fn login(
    user: &str,
    password: &str,
    database: Option<&str>,
) -> Result<sqlx::mysql::MySqlConnection, sqlx::Error> {
    let m = maria();
    let mut opts = sqlx::mysql::MySqlConnectOptions::new()
        .host(&m.host)
        .port(m.port)
        .username(user)
        .password(password);
    if let Some(d) = database {
        opts = opts.database(d);
    }
    opts.connect().await
}

async fn admin_conn() -> sqlx::mysql::MySqlConnection {
    let m = maria();
    login(&m.user, &m.password, None)
        .await
        .unwrap_or_else(|e| panic!("AERIE_TEST_MYSQL_URL unreachable: {e}"))
}

async fn database_exists(name: &str) -> bool {
    let mut c = admin_conn().await;
    let n: i64 =
        sqlx::query("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")
            .bind(name)
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get(0);
    c.close().await.unwrap();
    n > 0
}

async fn account_exists(user: &str) -> bool {
    let mut c = admin_conn().await;
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM mysql.user WHERE User = ?")
        .bind(user)
        .fetch_one(&mut c)
        .await
        .unwrap()
        .get(0);
    c.close().await.unwrap();
    n > 0
}

/// A name no other test uses (MariaDB is shared between parallel tests).
fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        aerie_panel::services::random_alnum(10).to_lowercase()
    )
}

fn host_body(name: &str) -> Value {
    let m = maria();
    json!({
        "name": name,
        "host": m.host,
        "port": m.port,
        "username": m.user,
        "password": m.password,
    })
}

async fn setup() -> (TestPanel, String) {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    (p, key)
}

/// Inserts the rows a server needs (owner, location, node, nest, egg, server) with SQL and
/// returns the server id. The panel's database is fresh, so the ids are fixed.
async fn server(p: &TestPanel, database_limit: i64) -> i64 {
    let now = aerie_db::now();
    let owner = p.user("owner", false).await;
    let stmts = [
        format!(
            "INSERT INTO locations (id, short, created_at, updated_at) \
             VALUES (1, 'loc', '{now}', '{now}')"
        ),
        format!(
            "INSERT INTO nodes (id, uuid, name, location_id, fqdn, scheme, daemon_token_id, \
             daemon_token, created_at, updated_at) VALUES (1, \
             '00000000-0000-4000-8000-000000000001', 'node', 1, 'localhost', 'http', \
             'tokenid000000001', 'token', '{now}', '{now}')"
        ),
        format!(
            "INSERT INTO nests (id, uuid, author, name, created_at, updated_at) VALUES (1, \
             '00000000-0000-4000-8000-000000000002', 'a@example.com', 'nest', '{now}', '{now}')"
        ),
        format!(
            "INSERT INTO eggs (id, uuid, nest_id, author, name, docker_images, \
             script_container, script_entry, created_at, updated_at) VALUES (1, \
             '00000000-0000-4000-8000-000000000003', 1, 'a@example.com', 'egg', '{{}}', \
             'alpine', 'ash', '{now}', '{now}')"
        ),
        format!(
            "INSERT INTO servers (id, uuid, uuid_short, node_id, name, owner_id, \
             allocation_id, nest_id, egg_id, startup, image, database_limit, created_at, \
             updated_at) VALUES (1, '00000000-0000-4000-8000-000000000004', '00000000', 1, \
             'srv', {owner}, 0, 1, 1, 'run', 'img', {database_limit}, '{now}', '{now}')",
            owner = owner.id
        ),
    ];
    for s in &stmts {
        p.db.raw_execute(s).await.unwrap();
    }
    let info = p.db.databases().server_info(1).await.unwrap().unwrap();
    assert_eq!(info.database_limit, database_limit);
    1
}

async fn create_host(p: &TestPanel, key: &str) -> i64 {
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            key,
            Some(host_body(&unique("host-"))),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    v["attributes"]["id"].as_i64().unwrap()
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

fn assert_error(status: u16, body: &Value, want: u16) {
    assert_eq!(status, want, "{body}");
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(errors[0]["status"], want.to_string(), "{body}");
}

fn assert_validation(status: u16, body: &Value, field: &str, rule: &str) {
    assert_error(status, body, 422);
    assert_eq!(body["errors"][0]["code"], "ValidationException", "{body}");
    assert_eq!(body["errors"][0]["meta"]["source_field"], field, "{body}");
    assert_eq!(body["errors"][0]["meta"]["rule"], rule, "{body}");
}

const HOST_KEYS: &[&str] = &[
    "id",
    "name",
    "host",
    "port",
    "username",
    "max_databases",
    "node",
    "created_at",
    "updated_at",
];

const DATABASE_KEYS: &[&str] = &[
    "id",
    "server",
    "host",
    "database",
    "username",
    "remote",
    "max_connections",
    "created_at",
    "updated_at",
];

#[tokio::test]
async fn database_host_crud_tests_the_connection_first() {
    let (p, key) = setup().await;
    let m = maria();

    // A wrong password: 400 naming the host, the password never echoed, nothing stored.
    let mut bad = host_body("bad-host");
    bad["password"] = json!("not-the-password-xyz");
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(bad),
        )
        .await;
    assert_error(status, &v, 400);
    let detail = v["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("bad-host"), "{detail}");
    assert!(
        detail.contains(&format!("{}:{}", m.host, m.port)),
        "{detail}"
    );
    assert!(!detail.contains("not-the-password-xyz"), "{detail}");
    let (status, v) = p
        .call_json(Method::GET, "/api/application/database-hosts", &key, None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"], json!([]));
    assert_eq!(v["meta"]["pagination"]["total"], 0);

    // Nothing listens on port 1: also a 400.
    let mut closed = host_body("closed");
    closed["port"] = json!(1);
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(closed),
        )
        .await;
    assert_error(status, &v, 400);

    // Validation.
    let mut no_name = host_body("x");
    no_name.as_object_mut().unwrap().remove("name");
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(no_name),
        )
        .await;
    assert_validation(status, &v, "name", "required");
    let mut bad_port = host_body("x");
    bad_port["port"] = json!(70000);
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(bad_port),
        )
        .await;
    assert_validation(status, &v, "port", "between");
    let mut bad_node = host_body("x");
    bad_node["node_id"] = json!(99);
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(bad_node),
        )
        .await;
    assert_validation(status, &v, "node_id", "exists");

    // Created: 201 with meta.resource; no password anywhere.
    let mut body = host_body("primary");
    body["max_databases"] = json!(5);
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["object"], "database_host");
    assert_eq!(keys(&v["attributes"]), sorted(HOST_KEYS));
    let a = &v["attributes"];
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["name"], "primary");
    assert_eq!(a["host"], m.host.as_str());
    assert_eq!(a["port"], m.port);
    assert_eq!(a["username"], m.user.as_str());
    assert_eq!(a["max_databases"], 5);
    assert_eq!(a["node"], Value::Null);
    assert!(a["created_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(
        v["meta"]["resource"],
        format!("http://127.0.0.1/api/application/database-hosts/{id}")
    );

    // Stored encrypted.
    let stored = p.db.databases().find_host(id).await.unwrap().unwrap();
    assert!(stored.password.starts_with("v1:"), "{}", stored.password);
    assert!(!stored.password.contains(&m.password));

    // A taken name.
    let (status, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &key,
            Some(host_body("primary")),
        )
        .await;
    assert_validation(status, &v, "name", "unique");

    // View and list.
    let (status, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/database-hosts/{id}"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["id"], id);
    let (status, v) = p
        .call_json(Method::GET, "/api/application/database-hosts/", &key, None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(v["meta"]["pagination"]["total"], 1);
    assert_eq!(v["meta"]["pagination"]["links"], json!({}));
    let (status, v) = p
        .call_json(
            Method::GET,
            "/api/application/database-hosts?filter[name]=nomatch",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"], json!([]));
    let (status, v) = p
        .call_json(
            Method::GET,
            "/api/application/database-hosts?filter[password]=x",
            &key,
            None,
        )
        .await;
    assert_error(status, &v, 400);

    // Update: a name change needs no login; a wrong password is refused and not saved.
    let (status, v) = p
        .call_json(
            Method::PATCH,
            &format!("/api/application/database-hosts/{id}"),
            &key,
            Some(json!({"name": "renamed", "max_databases": null})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["name"], "renamed");
    assert_eq!(v["attributes"]["max_databases"], Value::Null);
    let (status, v) = p
        .call_json(
            Method::PATCH,
            &format!("/api/application/database-hosts/{id}"),
            &key,
            Some(json!({"password": "wrong-again-123"})),
        )
        .await;
    assert_error(status, &v, 400);
    assert!(!v.to_string().contains("wrong-again-123"));
    let after = p.db.databases().find_host(id).await.unwrap().unwrap();
    assert_eq!(after.password, stored.password);
    // The right password is accepted (and re-encrypted).
    let (status, v) = p
        .call_json(
            Method::PATCH,
            &format!("/api/application/database-hosts/{id}"),
            &key,
            Some(json!({"password": m.password})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let after = p.db.databases().find_host(id).await.unwrap().unwrap();
    assert_ne!(after.password, stored.password);
    assert!(after.password.starts_with("v1:"));

    // Delete; then 404.
    let (status, v) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/database-hosts/{id}"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(v, Value::Null);
    let (status, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/database-hosts/{id}"),
            &key,
            None,
        )
        .await;
    assert_error(status, &v, 404);
    let (status, v) = p
        .call_json(
            Method::GET,
            "/api/application/database-hosts/abc",
            &key,
            None,
        )
        .await;
    assert_error(status, &v, 404);
}

/// The password of the server's database `id`, read through `include=password`.
async fn password_of(p: &TestPanel, key: &str, server: i64, id: i64) -> String {
    let (status, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/servers/{server}/databases/{id}?include=password"),
            key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let rel = &v["attributes"]["relationships"]["password"];
    assert_eq!(rel["object"], "database_password", "{v}");
    rel["attributes"]["password"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn server_database_lifecycle_on_mariadb() {
    let (p, key) = setup().await;
    let sid = server(&p, 0).await;
    let host = create_host(&p, &key).await;
    let name = unique("life");

    // Created (the limit of 0 does not apply to the application API).
    let (status, v) = p
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{sid}/databases"),
            &key,
            Some(json!({"database": name, "remote": "%", "host": host})),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["object"], "server_database");
    assert_eq!(keys(&v["attributes"]), sorted(DATABASE_KEYS));
    let a = &v["attributes"];
    let id = a["id"].as_i64().unwrap();
    let full = format!("s{sid}_{name}");
    assert_eq!(a["database"], full.as_str());
    assert_eq!(a["server"], sid);
    assert_eq!(a["host"], host);
    assert_eq!(a["remote"], "%");
    assert_eq!(a["max_connections"], Value::Null);
    let username = a["username"].as_str().unwrap().to_owned();
    assert!(username.starts_with(&format!("u{sid}_")), "{username}");
    assert_eq!(username.len(), format!("u{sid}_").len() + 10);
    assert_eq!(
        v["meta"]["resource"],
        format!("http://127.0.0.1/api/application/servers/{sid}/databases/{id}")
    );

    // List: not paginated; includes password and host.
    let (status, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/servers/{sid}/databases?include=password,host"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "list");
    assert!(v.get("meta").is_none(), "{v}");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let rel = &data[0]["attributes"]["relationships"];
    assert_eq!(rel["host"]["object"], "database_host");
    assert_eq!(rel["host"]["attributes"]["id"], host);
    assert!(rel["host"]["attributes"].get("password").is_none());
    let password = rel["password"]["attributes"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 24);

    // The stored password is not the plain one.
    let row = p.db.databases().find(id).await.unwrap().unwrap();
    assert!(row.password.starts_with("v1:"));
    assert!(!row.password.contains(&password));

    // The account works from 127.0.0.1 and owns its database.
    let mut c = login(&username, &password, Some(&full)).await.unwrap();
    c.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
        .await
        .unwrap();
    c.execute("INSERT INTO t VALUES (1, 'x')").await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM t")
        .fetch_one(&mut c)
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    // ... and nothing else: the grant's `_` is not a wildcard.
    let lookalike = format!("s{sid}X{name}");
    let denied = c
        .execute(format!("CREATE DATABASE `{lookalike}`").as_str())
        .await;
    if denied.is_ok() {
        admin_conn()
            .await
            .execute(format!("DROP DATABASE `{lookalike}`").as_str())
            .await
            .unwrap();
    }
    assert!(denied.is_err(), "the account could create {lookalike}");
    c.close().await.unwrap();

    // Also addressable by its client (hashid) form.
    let hashid = aerie_panel::services::databases::encode_database_id(id);
    let (status, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/servers/{sid}/databases/{hashid}"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["id"], id);

    // Rotate: the old password stops working, the new one works.
    let (status, v) = p
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{sid}/databases/{id}/reset-password"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 204, "{v}");
    let new_password = password_of(&p, &key, sid, id).await;
    assert_ne!(new_password, password);
    assert!(login(&username, &password, Some(&full)).await.is_err());
    let mut c = login(&username, &new_password, Some(&full)).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM t")
        .fetch_one(&mut c)
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    c.close().await.unwrap();

    // The host cannot go while it holds the database.
    let (status, v) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/database-hosts/{host}"),
            &key,
            None,
        )
        .await;
    assert_error(status, &v, 400);

    // Delete: the account cannot log in and the database is gone.
    let (status, v) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/servers/{sid}/databases/{id}"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 204, "{v}");
    assert!(login(&username, &new_password, None).await.is_err());
    assert!(!database_exists(&full).await);
    assert!(!account_exists(&username).await);
    let (status, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/servers/{sid}/databases/{id}"),
            &key,
            None,
        )
        .await;
    assert_error(status, &v, 404);

    // Now the host can be deleted.
    let (status, v) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/database-hosts/{host}"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 204, "{v}");
}

#[tokio::test]
async fn server_database_validation() {
    let (p, key) = setup().await;
    let sid = server(&p, 0).await;
    let host = create_host(&p, &key).await;
    let url = format!("/api/application/servers/{sid}/databases");
    let post = |body: Value| {
        let p = &p;
        let key = &key;
        let url = &url;
        async move { p.call_json(Method::POST, url, key, Some(body)).await }
    };

    let (s, v) = post(json!({"remote": "%", "host": host})).await;
    assert_validation(s, &v, "database", "required");
    let (s, v) = post(json!({"database": "bad name!", "remote": "%", "host": host})).await;
    assert_validation(s, &v, "database", "alpha_dash");
    let (s, v) = post(json!({"database": "a`b", "host": host})).await;
    assert_validation(s, &v, "database", "alpha_dash");
    let (s, v) = post(json!({"database": "a".repeat(49), "host": host})).await;
    assert_validation(s, &v, "database", "between");
    let (s, v) = post(json!({"database": "ok", "remote": "abc", "host": host})).await;
    assert_validation(s, &v, "remote", "regex");
    let (s, v) = post(json!({"database": "ok", "remote": "1234567890123456", "host": host})).await;
    assert_validation(s, &v, "remote", "regex");
    let (s, v) = post(json!({"database": "ok", "remote": "%"})).await;
    assert_validation(s, &v, "host", "required");
    let (s, v) = post(json!({"database": "ok", "remote": "%", "host": 999})).await;
    assert_validation(s, &v, "host", "exists");
    let (s, v) = post(json!({"database": "ok", "host": "one"})).await;
    assert_validation(s, &v, "host", "integer");
    assert_eq!(p.db.databases().count_for_server(sid).await.unwrap(), 0);

    // Unknown server: 404.
    let (s, v) = p
        .call_json(
            Method::POST,
            "/api/application/servers/77/databases",
            &key,
            Some(json!({"database": "ok", "host": host})),
        )
        .await;
    assert_error(s, &v, 404);
    let (s, v) = p
        .call_json(
            Method::GET,
            "/api/application/servers/77/databases",
            &key,
            None,
        )
        .await;
    assert_error(s, &v, 404);
    let (s, v) = p
        .call_json(Method::GET, &format!("{url}/12345"), &key, None)
        .await;
    assert_error(s, &v, 404);

    // `remote` defaults to `%`; `max_connections` reaches the account; a name already used
    // on the host is a 422.
    let name = unique("val");
    let (s, v) = post(json!({"database": name, "host": host, "max_connections": 3})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["attributes"]["remote"], "%");
    assert_eq!(v["attributes"]["max_connections"], 3);
    let id = v["attributes"]["id"].as_i64().unwrap();
    let username = v["attributes"]["username"].as_str().unwrap().to_owned();
    let mut admin = admin_conn().await;
    let max: i64 =
        sqlx::query("SELECT CAST(max_user_connections AS SIGNED) FROM mysql.user WHERE User = ?")
            .bind(&username)
            .fetch_one(&mut admin)
            .await
            .unwrap()
            .get(0);
    assert_eq!(max, 3);
    admin.close().await.unwrap();
    let (s, v) = post(json!({"database": name, "host": host})).await;
    assert_validation(s, &v, "database", "unique");

    let (s, v) = p
        .call_json(Method::DELETE, &format!("{url}/{id}"), &key, None)
        .await;
    assert_eq!(s, 204, "{v}");
    assert!(!account_exists(&username).await);
}

#[tokio::test]
async fn failed_creation_is_undone_and_leaves_foreign_databases_alone() {
    let (p, key) = setup().await;
    let sid = server(&p, 0).await;
    let host = create_host(&p, &key).await;
    let name = unique("clash");
    let full = format!("s{sid}_{name}");

    // Someone else's database of that name already exists on the host.
    let mut admin = admin_conn().await;
    admin
        .execute(format!("CREATE DATABASE `{full}`").as_str())
        .await
        .unwrap();

    let (status, v) = p
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{sid}/databases"),
            &key,
            Some(json!({"database": name, "host": host})),
        )
        .await;
    assert_error(status, &v, 502);
    let detail = v["errors"][0]["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("create the database"), "{detail}");

    // No row was kept and the other database survived (it was not ours to drop).
    assert_eq!(p.db.databases().count_for_server(sid).await.unwrap(), 0);
    assert!(database_exists(&full).await);
    admin
        .execute(format!("DROP DATABASE `{full}`").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
}

#[tokio::test]
async fn acl_and_admin_only() {
    let (p, key) = setup().await;
    let sid = server(&p, 0).await;
    let host = create_host(&p, &key).await;
    let admin = p.user("admin2", true).await;

    // No server_databases bit: 403 on read and write.
    let none = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                database_hosts: 3,
                ..ApiKeyPermissions::default()
            },
        )
        .await;
    let url = format!("/api/application/servers/{sid}/databases");
    let (s, v) = p.call_json(Method::GET, &url, &none, None).await;
    assert_error(s, &v, 403);
    // Read only: GET works, POST is 403, and include=host needs database_hosts read.
    let read = p
        .app_key_with(
            &admin,
            ApiKeyPermissions {
                server_databases: 1,
                ..ApiKeyPermissions::default()
            },
        )
        .await;
    let (s, v) = p.call_json(Method::GET, &url, &read, None).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = p
        .call_json(
            Method::POST,
            &url,
            &read,
            Some(json!({"database": "x", "host": host})),
        )
        .await;
    assert_error(s, &v, 403);
    let (s, v) = p
        .call_json(Method::GET, "/api/application/database-hosts", &read, None)
        .await;
    assert_error(s, &v, 403);
    let (s, v) = p
        .call_json(
            Method::POST,
            "/api/application/database-hosts",
            &read,
            Some(host_body("nope")),
        )
        .await;
    assert_error(s, &v, 403);
    let (s, v) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/database-hosts/{host}"),
            &read,
            None,
        )
        .await;
    assert_error(s, &v, 403);

    // include=host without the database_hosts bit is a null resource.
    let name = unique("acl");
    let (s, v) = p
        .call_json(
            Method::POST,
            &url,
            &key,
            Some(json!({"database": name, "host": host})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["attributes"]["id"].as_i64().unwrap();
    let (s, v) = p
        .call_json(
            Method::GET,
            &format!("{url}/{id}?include=host"),
            &read,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["attributes"]["relationships"]["host"],
        json!({"object": "null_resource", "attributes": null})
    );

    // A non-admin's client key: 403.
    let user = p.user("plain", false).await;
    let client = p.key(&user, KeyType::Client).await;
    let (s, v) = p.call_json(Method::GET, &url, &client, None).await;
    assert_error(s, &v, 403);
    let (s, v) = p
        .call_json(
            Method::GET,
            "/api/application/database-hosts",
            &client,
            None,
        )
        .await;
    assert_error(s, &v, 403);

    let (s, v) = p
        .call_json(Method::DELETE, &format!("{url}/{id}"), &key, None)
        .await;
    assert_eq!(s, 204, "{v}");
}

#[tokio::test]
async fn client_limit_is_enforced_only_when_asked() {
    use aerie_panel::services::databases as svc;
    let (p, key) = setup().await;
    let sid = server(&p, 0).await;
    let host = create_host(&p, &key).await;

    // The client path with database_limit 0: refused, nothing created.
    let err = svc::create_database(&p.db, sid, &unique("lim"), None, Some(host), true)
        .await
        .unwrap_err();
    assert!(matches!(err, aerie_http::Error::BadRequest(_)), "{err:?}");
    assert_eq!(p.db.databases().count_for_server(sid).await.unwrap(), 0);

    // The client path picks a host itself; the admin path ignores the limit.
    let d = svc::create_database(&p.db, sid, &unique("lim"), None, None, false)
        .await
        .unwrap();
    assert_eq!(d.database_host_id, host);
    let h = svc::find_host(&p.db, host).await.unwrap();
    let cipher = svc::cipher(&p.db).await.unwrap();
    let password = svc::database_password(&cipher, &d).unwrap();
    let attrs = svc::database_attributes_client(&d, &h, Some(&password));
    assert_eq!(
        keys(&Value::Object(attrs.clone())),
        sorted(&[
            "id",
            "host",
            "name",
            "username",
            "connections_from",
            "max_connections",
            "relationships"
        ])
    );
    assert_eq!(attrs["host"]["address"], h.host.as_str());
    assert_eq!(
        svc::decode_database_id(attrs["id"].as_str().unwrap()),
        Some(d.id)
    );
    assert_eq!(
        attrs["relationships"]["password"]["attributes"]["password"],
        password.as_str()
    );
    let found = svc::find_for_server(&p.db, sid, attrs["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(found.id, d.id);
    svc::delete_database(&p.db, &d).await.unwrap();
    assert!(!database_exists(&d.database).await);
}

/// The repository and the whole flow on the panel's other backends: the panel's own
/// database on PostgreSQL or MariaDB (the settings upsert, TEXT columns read back through
/// the `Any` driver, ids from inserts).
async fn flow_on(server_kind: aerie_testkit::Server) {
    let scratch = aerie_testkit::ScratchDb::create(server_kind).await;
    let db = aerie_db::Db::connect(&scratch.url).await.unwrap();
    db.migrate().await.unwrap();
    let p = TestPanel::start_with_db(db).await;
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    let sid = server(&p, 0).await;
    let host = create_host(&p, &key).await;

    // The app key is created once and then reused.
    let k1 = aerie_panel::services::databases::panel_key_db(&p.db)
        .await
        .unwrap();
    let k2 = aerie_panel::services::databases::panel_key_db(&p.db)
        .await
        .unwrap();
    assert_eq!(k1, k2);

    let name = unique("be");
    let (s, v) = p
        .call_json(
            Method::POST,
            &format!("/api/application/servers/{sid}/databases?include=password"),
            &key,
            Some(json!({"database": name, "remote": "127.0.0.1", "host": host})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["attributes"]["id"].as_i64().unwrap();
    let username = v["attributes"]["username"].as_str().unwrap().to_owned();
    let password = v["attributes"]["relationships"]["password"]["attributes"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    let full = format!("s{sid}_{name}");
    let c = login(&username, &password, Some(&full)).await.unwrap();
    c.close().await.unwrap();
    let (s, v) = p
        .call_json(
            Method::GET,
            &format!("/api/application/database-hosts/{host}?include=databases"),
            &key,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["attributes"]["relationships"]["databases"]["data"][0]["attributes"]["id"],
        id
    );
    let (s, v) = p
        .call_json(
            Method::DELETE,
            &format!("/api/application/servers/{sid}/databases/{id}"),
            &key,
            None,
        )
        .await;
    assert_eq!(s, 204, "{v}");
    assert!(!database_exists(&full).await);
    assert!(!account_exists(&username).await);
    p.stop().await;
    scratch.drop_now().await;
}

#[tokio::test]
async fn panel_database_on_postgres() {
    flow_on(aerie_testkit::Server::Postgres).await;
}

#[tokio::test]
async fn panel_database_on_mariadb() {
    flow_on(aerie_testkit::Server::MySql).await;
}
