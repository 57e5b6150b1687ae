//! `/api/application/settings`: the panel settings an administrator changes from a browser
//! session (an Aerie extra). Black-box over HTTP: who may call it, CSRF, validation, and
//! that each setting changes what users of the panel see.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use aerie_db::models::{NewNode, User};
use aerie_db::repo::servers::{NewServer, Server};
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use auth_support::{Browser, Reply, assert_error};
use reqwest::Method;
use serde_json::{Value, json};

const SETTINGS: &str = "/api/application/settings";

/// A panel with a root administrator `admin` signed in on a browser.
async fn setup() -> (TestPanel, User, Browser) {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let b = Browser::new(&p.url);
    b.login_ok("admin", "password123").await;
    (p, admin, b)
}

async fn patch(b: &Browser, body: Value) -> Reply {
    b.send(Method::PATCH, SETTINGS, body).await
}

fn defaults() -> Value {
    json!({
        "two_factor_required": 0,
        "client_allocations_enabled": false,
        "client_allocations_range_start": null,
        "client_allocations_range_end": null,
    })
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
async fn only_an_admin_session_reads_or_changes_settings() {
    let (p, admin, b) = setup().await;
    let r = b.get(SETTINGS).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["object"], "panel_settings");
    assert_eq!(r.json["attributes"], defaults());

    let app_key = p.key(&admin, KeyType::Application).await;
    let client_key = p.key(&admin, KeyType::Client).await;
    for token in [&app_key, &client_key] {
        let (s, v) = p.call_json(Method::GET, SETTINGS, token, None).await;
        assert_eq!(s, 403, "{v}");
        let (s, v) = p
            .call_json(
                Method::PATCH,
                SETTINGS,
                token,
                Some(json!({"client_allocations_enabled": true, "client_allocations_range_start": 30000, "client_allocations_range_end": 30010})),
            )
            .await;
        assert_eq!(s, 403, "{v}");
        assert!(
            v["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("browser session"),
            "{v}"
        );
    }

    p.user("player", false).await;
    let player = Browser::new(&p.url);
    player.login_ok("player", "password123").await;
    assert_eq!(player.get(SETTINGS).await.status, 403);
    let r = patch(&player, json!({"two_factor_required": 0})).await;
    assert_eq!(r.status, 403);

    // A write without the CSRF header is refused.
    let r = b
        .request(
            Method::PATCH,
            SETTINGS,
            Some(json!({"client_allocations_enabled": true, "client_allocations_range_start": 30000, "client_allocations_range_end": 30010})),
            false,
            &[],
        )
        .await;
    assert_error(&r, 419, "TokenMismatchException", None);

    assert_eq!(b.get(SETTINGS).await.json["attributes"], defaults());
}

#[tokio::test]
async fn requiring_two_factor_blocks_users_without_it() {
    let (p, admin, b) = setup().await;
    let user = p.user("player", false).await;
    let user_key = p.key(&user, KeyType::Client).await;
    let other_admin = p.user("other", true).await;
    let other_key = p.key(&other_admin, KeyType::Application).await;
    let call = |token: String, path: &'static str| {
        let p = &p;
        async move { p.call_json(Method::GET, path, &token, None).await }
    };

    // An administrator without two-factor may not require it of themselves.
    let r = patch(&b, json!({"two_factor_required": 1})).await;
    assert_validation(&r, "two_factor_required", "two_factor");
    assert_eq!(
        call(user_key.clone(), "/api/client/account/api-keys")
            .await
            .0,
        200
    );

    // With two-factor on their own account, they can.
    p.db.users()
        .set_totp_enabled(admin.id, true, &aerie_db::now())
        .await
        .unwrap();
    let r = patch(&b, json!({"two_factor_required": 2})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["attributes"]["two_factor_required"], 2);
    assert_eq!(
        b.get(SETTINGS).await.json["attributes"]["two_factor_required"],
        2
    );
    let (s, v) = call(user_key.clone(), "/api/client/account/api-keys").await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["errors"][0]["code"], "TwoFactorAuthRequiredException");

    // 1: administrators only.
    let r = patch(&b, json!({"two_factor_required": 1})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        call(user_key.clone(), "/api/client/account/api-keys")
            .await
            .0,
        200
    );
    let (s, v) = call(other_key.clone(), "/api/application/users").await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["errors"][0]["code"], "TwoFactorAuthRequiredException");

    // 0: nobody.
    let r = patch(&b, json!({"two_factor_required": 0})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(call(other_key, "/api/application/users").await.0, 200);
}

/// A node whose wings is not running, with one server of `owner` holding one allocation.
async fn server(p: &TestPanel, owner: &User) -> Server {
    let db = &p.db;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let location = db.locations().create("here", None).await.unwrap();
    let node = db
        .nodes()
        .create(&NewNode {
            name: "Node".into(),
            description: None,
            location_id: location.id,
            fqdn: "127.0.0.1".into(),
            scheme: "http".into(),
            behind_proxy: false,
            public: true,
            memory: 100_000,
            memory_overallocate: 0,
            disk: 100_000,
            disk_overallocate: 0,
            upload_size: 100,
            daemon_listen: i64::from(closed),
            daemon_sftp: 2022,
            daemon_base: "/var/lib/aerie/volumes".into(),
            daemon_token_id: "settingstokenid0".into(),
            daemon_token: "t".repeat(64),
        })
        .await
        .unwrap();
    let (_, eggs) = aerie_panel::services::eggs::seed_aerie_games(db)
        .await
        .unwrap()
        .unwrap();
    let egg = &eggs[0];
    db.allocations()
        .insert_ignore(node.id, "127.0.0.1", None, &[25565])
        .await
        .unwrap();
    let primary = db.allocations().list_by_nodes(&[node.id]).await.unwrap()[0].id;
    let s = db
        .servers()
        .create(&NewServer {
            external_id: None,
            uuid: uuid::Uuid::new_v4().to_string(),
            uuid_short: uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(),
            node_id: node.id,
            name: "Game".into(),
            description: None,
            status: None,
            skip_scripts: false,
            owner_id: owner.id,
            memory: 1024,
            swap: 0,
            disk: 2048,
            io: 500,
            cpu: 100,
            threads: None,
            oom_disabled: true,
            allocation_id: primary,
            nest_id: egg.nest_id,
            egg_id: egg.id,
            startup: "./run".into(),
            image: "ghcr.io/pterodactyl/yolks:java_17".into(),
            allocation_limit: Some(5),
            database_limit: 0,
            backup_limit: 0,
        })
        .await
        .unwrap();
    db.allocations().assign(&[primary], s.id).await.unwrap();
    s
}

#[tokio::test]
async fn enabling_automatic_allocation_lets_users_add_ports_from_the_range() {
    let (p, _admin, b) = setup().await;
    let owner = p.user("player", false).await;
    let key = p.key(&owner, KeyType::Client).await;
    let s = server(&p, &owner).await;
    let path = format!("/api/client/servers/{}/network/allocations", s.uuid);

    let (status, v) = p.call_json(Method::POST, &path, &key, None).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["errors"][0]["code"], "AutoAllocationNotEnabledException");

    let r = patch(
        &b,
        json!({
            "client_allocations_enabled": true,
            "client_allocations_range_start": 30000,
            "client_allocations_range_end": 30001,
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        r.json["attributes"],
        json!({
            "two_factor_required": 0,
            "client_allocations_enabled": true,
            "client_allocations_range_start": 30000,
            "client_allocations_range_end": 30001,
        })
    );
    let mut ports = Vec::new();
    for _ in 0..2 {
        let (status, v) = p.call_json(Method::POST, &path, &key, None).await;
        assert_eq!(status, 200, "{v}");
        ports.push(v["attributes"]["port"].as_i64().unwrap());
    }
    ports.sort_unstable();
    assert_eq!(ports, [30000, 30001]);
    // The two-port range is used up.
    let (status, v) = p.call_json(Method::POST, &path, &key, None).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(
        v["errors"][0]["code"],
        "NoAutoAllocationSpaceAvailableException"
    );

    // Widening the range alone (the switch stays on) makes room again.
    let r = patch(&b, json!({"client_allocations_range_end": 30002})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let (status, v) = p.call_json(Method::POST, &path, &key, None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["port"], 30002);

    // Switched off: refused again, and the range is kept.
    let r = patch(&b, json!({"client_allocations_enabled": false})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        r.json["attributes"]["client_allocations_range_start"],
        30000
    );
    let (status, v) = p.call_json(Method::POST, &path, &key, None).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["errors"][0]["code"], "AutoAllocationNotEnabledException");
}

#[tokio::test]
async fn every_setting_is_validated_and_nothing_changes_on_failure() {
    let (_p, _admin, b) = setup().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"two_factor_required": 3}),
            "two_factor_required",
            "in",
        ),
        (
            json!({"two_factor_required": -1}),
            "two_factor_required",
            "in",
        ),
        (
            json!({"client_allocations_range_start": 1023}),
            "client_allocations_range_start",
            "between",
        ),
        (
            json!({"client_allocations_range_end": 65536}),
            "client_allocations_range_end",
            "between",
        ),
        (
            json!({"client_allocations_range_start": 5000, "client_allocations_range_end": 5000}),
            "client_allocations_range_end",
            "gt",
        ),
        (
            json!({"client_allocations_range_start": 6000, "client_allocations_range_end": 5000}),
            "client_allocations_range_end",
            "gt",
        ),
        (
            json!({"client_allocations_enabled": true}),
            "client_allocations_range_start",
            "required",
        ),
        (
            json!({"client_allocations_enabled": true, "client_allocations_range_start": 5000}),
            "client_allocations_range_end",
            "required",
        ),
    ];
    for (body, field, rule) in cases {
        let r = patch(&b, body.clone()).await;
        assert_validation(&r, field, rule);
    }
    // Values of the wrong type fail on their field.
    for (body, field) in [
        (json!({"two_factor_required": "2"}), "two_factor_required"),
        (
            json!({"client_allocations_enabled": "yes"}),
            "client_allocations_enabled",
        ),
        (
            json!({"client_allocations_range_start": 5000.5}),
            "client_allocations_range_start",
        ),
    ] {
        let r = patch(&b, body).await;
        assert_eq!(r.status, 422, "{}", r.json);
        assert_eq!(
            r.json["errors"][0]["meta"]["source_field"], field,
            "{}",
            r.json
        );
    }
    assert_eq!(b.get(SETTINGS).await.json["attributes"], defaults());

    // A stored range is checked against the new end, and can be cleared with null.
    let r = patch(
        &b,
        json!({"client_allocations_range_start": 5000, "client_allocations_range_end": 5100}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = patch(&b, json!({"client_allocations_range_end": 4000})).await;
    assert_validation(&r, "client_allocations_range_end", "gt");
    let r = patch(
        &b,
        json!({"client_allocations_range_start": null, "client_allocations_range_end": null}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(b.get(SETTINGS).await.json["attributes"], defaults());
}
