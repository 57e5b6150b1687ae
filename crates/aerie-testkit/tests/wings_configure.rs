//! `GET /api/application/nodes/{id}/configuration`: the document `wings configure` turns
//! into `config.yml`. Its shape is Pterodactyl's, key for key.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aerie_db::models::NewNode;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use serde_json::{Value, json};

async fn node(
    p: &TestPanel,
    name: &str,
    scheme: &str,
    behind_proxy: bool,
) -> aerie_db::models::Node {
    let location = match p.db.locations().find_by_short("eu").await.unwrap() {
        Some(l) => l,
        None => p.db.locations().create("eu", Some("Europe")).await.unwrap(),
    };
    p.db.nodes()
        .create(&NewNode {
            name: name.into(),
            description: None,
            location_id: location.id,
            fqdn: format!("{name}.example.com"),
            scheme: scheme.into(),
            behind_proxy,
            public: true,
            memory: 8192,
            memory_overallocate: 0,
            disk: 100_000,
            disk_overallocate: 0,
            upload_size: 150,
            daemon_listen: 8443,
            daemon_sftp: 2222,
            daemon_base: "/srv/aerie/volumes".into(),
            daemon_token_id: format!("{name:a<16}"),
            daemon_token: "t".repeat(64),
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn the_configuration_document_has_pterodactyls_shape() {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let key = p.key(&admin, KeyType::Application).await;
    let n = node(&p, "alpha", "https", false).await;

    let r = p
        .get_auth(
            &format!("/api/application/nodes/{}/configuration", n.id),
            &key,
        )
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "debug": false,
            "uuid": n.uuid,
            "token_id": "alphaaaaaaaaaaaa",
            "token": "t".repeat(64),
            "api": {
                "host": "0.0.0.0",
                "port": 8443,
                "ssl": {
                    "enabled": true,
                    "cert": "/etc/letsencrypt/live/alpha.example.com/fullchain.pem",
                    "key": "/etc/letsencrypt/live/alpha.example.com/privkey.pem"
                },
                "upload_limit": 150
            },
            "system": {"data": "/srv/aerie/volumes", "sftp": {"bind_port": 2222}},
            "allowed_mounts": [],
            "remote": "http://127.0.0.1"
        })
    );

    // It is what wings reads: the document parses as a complete config.yml.
    let file: aerie_wings::config::WingsFile = serde_json::from_value(body).unwrap();
    assert_eq!((file.api.port, file.system.sftp.bind_port), (8443, 2222));
    assert_eq!(
        file.system.sftp.bind_address, "0.0.0.0",
        "defaults fill the rest"
    );

    // Plain HTTP nodes, and HTTPS nodes behind a TLS-terminating proxy, serve no TLS.
    for (name, scheme, proxy) in [("beta", "http", false), ("gamma", "https", true)] {
        let n = node(&p, name, scheme, proxy).await;
        let body: Value = p
            .get_auth(
                &format!("/api/application/nodes/{}/configuration", n.id),
                &key,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["api"]["ssl"]["enabled"], false, "{name}");
        assert_eq!(
            body["api"]["ssl"]["cert"],
            format!("/etc/letsencrypt/live/{name}.example.com/fullchain.pem")
        );
    }
    p.stop().await;
}

#[tokio::test]
async fn unknown_nodes_are_404_and_only_administrators_may_read() {
    let p = TestPanel::start().await;
    let admin = p.user("admin", true).await;
    let app_key = p.key(&admin, KeyType::Application).await;
    let n = node(&p, "alpha", "https", false).await;

    for missing in ["999", "abc"] {
        let r = p
            .get_auth(
                &format!("/api/application/nodes/{missing}/configuration"),
                &app_key,
            )
            .await;
        assert_eq!(r.status(), 404, "{missing}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "NotFoundHttpException");
        assert_eq!(body["errors"][0]["status"], "404");
    }

    let path = format!("/api/application/nodes/{}/configuration", n.id);
    // No key, a wrong key: 401.
    assert_eq!(p.get(&path).await.status(), 401);
    let mut wrong = app_key.clone();
    wrong.replace_range(47..48, if app_key.ends_with('a') { "b" } else { "a" });
    assert_eq!(p.get_auth(&path, &wrong).await.status(), 401);

    // A user's client key is refused on the application API, and the token stays hidden.
    let alice = p.user("alice", false).await;
    let client_key = p.key(&alice, KeyType::Client).await;
    let r = p.get_auth(&path, &client_key).await;
    assert_eq!(r.status(), 403);
    let text = r.text().await.unwrap();
    assert!(text.contains("AccessDeniedHttpException"), "{text}");
    assert!(!text.contains(&"t".repeat(64)));

    // Pterodactyl quirk kept: a root admin's client key works on the application API.
    let admin_client_key = p.key(&admin, KeyType::Client).await;
    assert_eq!(p.get_auth(&path, &admin_client_key).await.status(), 200);
    p.stop().await;
}
