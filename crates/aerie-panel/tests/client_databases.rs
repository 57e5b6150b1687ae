//! `/api/client/servers/{server}/databases`: black-box ports of Pterodactyl's
//! `tests/Integration/Api/Client/Server/Database/*`, against the real MariaDB of
//! `AERIE_TEST_MYSQL_URL` (the tests fail, never skip, when it is missing).
//!
//! MariaDB is shared between parallel tests: every database name is random, and every test
//! removes what it created.
#![allow(clippy::unwrap_used, missing_docs)]

mod server_extras_support;

use aerie_db::repo::databases::NewDatabase;
use aerie_db::repo::servers::Server;
use reqwest::Method;
use serde_json::json;
use server_extras_support::{Fx, assert_error, assert_validation, events, keys, link, sorted};
use sqlx::{ConnectOptions, Connection};

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

async fn login(
    user: &str,
    password: &str,
    database: &str,
) -> Result<sqlx::mysql::MySqlConnection, sqlx::Error> {
    let m = maria();
    sqlx::mysql::MySqlConnectOptions::new()
        .host(&m.host)
        .port(m.port)
        .username(user)
        .password(password)
        .database(database)
        .connect()
        .await
}

async fn can_login(user: &str, password: &str, database: &str) -> bool {
    match login(user, password, database).await {
        Ok(c) => {
            let _ = c.close().await;
            true
        }
        Err(_) => false,
    }
}

/// A name no other test uses.
fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        aerie_panel::services::random_alnum(10).to_lowercase()
    )
}

/// A database host on the test MariaDB.
async fn host(fx: &Fx) -> i64 {
    let m = maria();
    aerie_panel::services::databases::create_host(
        &fx.panel.db,
        aerie_panel::services::databases::NewHost {
            name: Some(unique("host-")),
            host: Some(m.host.clone()),
            port: Some(i64::from(m.port)),
            username: Some(m.user.clone()),
            password: Some(m.password.clone()),
            max_databases: None,
            node_id: Some(fx.world.node.id),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("AERIE_TEST_MYSQL_URL unusable as a database host: {e}"))
    .id
}

/// A row only (nothing on MariaDB), for requests that must never reach the host.
async fn fake_row(fx: &Fx, server: &Server, host_id: i64) -> i64 {
    fx.panel
        .db
        .databases()
        .create(&NewDatabase {
            server_id: server.id,
            database_host_id: host_id,
            database: unique(&format!("s{}_fake", server.id)),
            username: unique("ufake"),
            remote: "%".into(),
            password: "v1:unused".into(),
            max_connections: None,
        })
        .await
        .unwrap()
        .id
}

const CLIENT_KEYS: &[&str] = &[
    "id",
    "host",
    "name",
    "username",
    "connections_from",
    "max_connections",
];

fn with_relationships(k: &[&str]) -> Vec<String> {
    let mut v: Vec<&str> = k.to_vec();
    v.push("relationships");
    sorted(&v)
}

#[tokio::test]
async fn databases_are_created_listed_rotated_and_deleted() {
    let fx = Fx::start().await;
    host(&fx).await;
    let name = unique("t");
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/databases"),
            &fx.owner_key,
            Some(json!({"database": name, "remote": "%"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "server_database");
    let a = v["attributes"].clone();
    assert_eq!(keys(&a), with_relationships(CLIENT_KEYS));
    let full = format!("s{}_{name}", fx.server.id);
    assert_eq!(a["name"], full);
    assert_eq!(a["connections_from"], "%");
    assert_eq!(a["host"]["address"], maria().host);
    assert_eq!(a["host"]["port"], maria().port);
    let id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 8, "{id}");
    let username = a["username"].as_str().unwrap().to_owned();
    let pw = a["relationships"]["password"]["attributes"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        a["relationships"]["password"]["object"],
        "database_password"
    );
    assert!(
        can_login(&username, &pw, &full).await,
        "the new account works"
    );

    // The list: no password unless asked for, and only for those who may see it.
    let (_, reader) = fx.subuser("reader", &fx.server, &["database.read"]).await;
    let (status, v) = fx
        .call(Method::GET, &fx.link("/databases"), &reader, None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(keys(&v["data"][0]["attributes"]), sorted(CLIENT_KEYS));
    let (_, v) = fx
        .call(
            Method::GET,
            &fx.link("/databases?include=password"),
            &reader,
            None,
        )
        .await;
    assert_eq!(
        v["data"][0]["attributes"]["relationships"]["password"],
        json!({"object": "null_resource", "attributes": null})
    );
    let (_, v) = fx
        .call(
            Method::GET,
            &fx.link("/databases?include=password"),
            &fx.owner_key,
            None,
        )
        .await;
    assert_eq!(
        v["data"][0]["attributes"]["relationships"]["password"]["attributes"]["password"],
        pw
    );

    // Rotate: the new password works, the old one no longer does.
    let (_, updater) = fx
        .subuser(
            "updater",
            &fx.server,
            &["database.update", "database.view_password"],
        )
        .await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link(&format!("/databases/{id}/rotate-password")),
            &updater,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let new_pw = v["attributes"]["relationships"]["password"]["attributes"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_pw, pw);
    assert!(can_login(&username, &new_pw, &full).await);
    assert!(!can_login(&username, &pw, &full).await);

    // Delete: gone on the host and in the panel.
    let (_, deleter) = fx
        .subuser("deleter", &fx.server, &["database.delete"])
        .await;
    let (status, v) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/databases/{id}")),
            &deleter,
            None,
        )
        .await;
    assert_eq!(status, 204, "{v}");
    assert!(!can_login(&username, &new_pw, &full).await);
    let (_, v) = fx
        .call(Method::GET, &fx.link("/databases"), &fx.owner_key, None)
        .await;
    assert_eq!(v["data"], json!([]));

    let log: Vec<String> = events(&fx.panel.db, fx.server.id)
        .await
        .into_iter()
        .map(|(e, _, _)| e)
        .collect();
    assert_eq!(
        log,
        vec![
            "server:database.create",
            "server:database.rotate-password",
            "server:database.delete"
        ]
    );
}

#[tokio::test]
async fn the_limit_and_the_fields_are_checked() {
    let fx = Fx::start().await;
    host(&fx).await;
    let one = server_extras_support::server(&fx.panel.db, &fx.world, fx.owner.id, 0, 1).await;
    let name = unique("t");
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&one, "/databases"),
            &fx.owner_key,
            Some(json!({"database": name, "remote": "%"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let id = v["attributes"]["id"].as_str().unwrap().to_owned();
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&one, "/databases"),
            &fx.owner_key,
            Some(json!({"database": unique("t"), "remote": "%"})),
        )
        .await;
    assert_error(status, &v, 400);

    // A server with no databases allowed.
    let none = server_extras_support::server(&fx.panel.db, &fx.world, fx.owner.id, 0, 0).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&none, "/databases"),
            &fx.owner_key,
            Some(json!({"database": unique("t"), "remote": "%"})),
        )
        .await;
    assert_error(status, &v, 400);

    for (body, field, rule) in [
        (json!({"remote": "%"}), "database", "required"),
        (json!({"database": "ab", "remote": "%"}), "database", "min"),
        (
            json!({"database": "x".repeat(49), "remote": "%"}),
            "database",
            "max",
        ),
        (
            json!({"database": "bad name!", "remote": "%"}),
            "database",
            "alpha_dash",
        ),
        (json!({"database": "okname"}), "remote", "required"),
        (
            json!({"database": "okname", "remote": "evil.host"}),
            "remote",
            "regex",
        ),
    ] {
        let (status, v) = fx
            .call(
                Method::POST,
                &fx.link("/databases"),
                &fx.owner_key,
                Some(body),
            )
            .await;
        assert_validation(status, &v, field, rule);
    }

    let (status, _) = fx
        .call(
            Method::DELETE,
            &link(&one, &format!("/databases/{id}")),
            &fx.owner_key,
            None,
        )
        .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn endpoints_require_permissions() {
    let fx = Fx::start().await;
    let (_, key) = fx
        .subuser("console", &fx.server, &["control.console"])
        .await;
    assert_eq!(fx.panel.get(&fx.link("/databases")).await.status(), 401);
    let (status, v) = fx
        .call(Method::GET, &fx.link("/databases"), &key, None)
        .await;
    assert_error(status, &v, 403);
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/databases"),
            &key,
            Some(json!({"database": "testdb", "remote": "%"})),
        )
        .await;
    assert_error(status, &v, 403);
    let _ = maria();
}

#[tokio::test]
async fn databases_of_other_servers_are_not_reachable() {
    for (method, endpoint) in [(Method::POST, "/rotate-password"), (Method::DELETE, "")] {
        let fx = Fx::start().await;
        let host_id = host(&fx).await;
        let (other_owner, _) = fx.user("otherowner").await;
        let server1 = fx.server.clone();
        let server2 = fx.other_server(other_owner.id).await;
        let server3 = fx.other_server(other_owner.id).await;
        fx.panel
            .db
            .subusers()
            .create(fx.owner.id, server2.id, &["websocket.connect".to_owned()])
            .await
            .unwrap();
        let created = aerie_panel::services::databases::create_database(
            &fx.panel.db,
            server1.id,
            &unique("t"),
            Some("%"),
            None,
            false,
        )
        .await
        .unwrap();
        let d1 = created.id;
        let d2 = fake_row(&fx, &server2, host_id).await;
        let d3 = fake_row(&fx, &server3, host_id).await;
        let enc = aerie_panel::services::databases::encode_database_id;
        let at = |s: &Server, id: i64| link(s, &format!("/databases/{}{endpoint}", enc(id)));

        let (status, v) = fx
            .call(method.clone(), &at(&server1, d1), &fx.owner_key, None)
            .await;
        assert_eq!(
            status,
            if method == Method::DELETE { 204 } else { 200 },
            "{v}"
        );
        let (status, v) = fx
            .call(method.clone(), &at(&server2, d2), &fx.owner_key, None)
            .await;
        assert_error(status, &v, 403);
        for (s, d) in [
            (&server1, d2),
            (&server1, d3),
            (&server2, d3),
            (&server3, d3),
        ] {
            let (status, v) = fx
                .call(method.clone(), &at(s, d), &fx.owner_key, None)
                .await;
            assert_error(status, &v, 404);
        }
        // An id that is no id at all.
        let (status, v) = fx
            .call(
                method.clone(),
                &link(&server1, &format!("/databases/zz{endpoint}")),
                &fx.owner_key,
                None,
            )
            .await;
        assert_error(status, &v, 404);

        if method != Method::DELETE {
            aerie_panel::services::databases::delete_database(&fx.panel.db, &created)
                .await
                .unwrap();
        }
    }
}
