//! The remote API as wings uses it: every call made by wings' own client
//! (`aerie_wings::remote::RemoteClient`, the code a real node runs) against a real panel.

#![allow(clippy::unwrap_used, missing_docs)]

use aerie_db::models::NewNode;
use aerie_db::repo::servers::NewServer;
use aerie_proto::wings::{
    ActivityBatch, ActivityEntry, BackupStatus, InstallStatus, SftpAuthKind, SftpAuthRequest,
};
use aerie_testkit::TestPanel;
use aerie_wings::config::WingsFile;
use aerie_wings::remote::RemoteClient;

struct Fixture {
    panel: TestPanel,
    client: RemoteClient,
    other_client: RemoteClient,
    server_uuid: String,
    server_id: i64,
    other_uuid: String,
    short: String,
    owner: aerie_db::models::User,
}

async fn node(panel: &TestPanel, location: i64, name: &str) -> (aerie_db::models::Node, WingsFile) {
    let token_id = format!("tok{name:0>13}");
    let token = format!("{name}{}", "s".repeat(60));
    let node = panel
        .db
        .nodes()
        .create(&NewNode {
            name: name.into(),
            description: None,
            location_id: location,
            fqdn: "127.0.0.1".into(),
            scheme: "http".into(),
            behind_proxy: false,
            public: true,
            memory: 8192,
            memory_overallocate: 0,
            disk: 100_000,
            disk_overallocate: 0,
            upload_size: 100,
            daemon_listen: 1,
            daemon_sftp: 2022,
            daemon_base: "/var/lib/aerie/volumes".into(),
            daemon_token_id: token_id.clone(),
            daemon_token: token.clone(),
        })
        .await
        .unwrap();
    let file = WingsFile {
        remote: panel.url.clone(),
        token_id,
        token,
        ..WingsFile::default()
    };
    (node, file)
}

async fn server(
    panel: &TestPanel,
    node: &aerie_db::models::Node,
    egg: &aerie_db::repo::eggs::Egg,
    owner: i64,
    port: i64,
) -> aerie_db::repo::servers::Server {
    let db = &panel.db;
    db.allocations()
        .insert_ignore(node.id, "127.0.0.1", None, &[port, port + 1])
        .await
        .unwrap();
    let (allocs, _) = db
        .allocations()
        .list_by_node(
            node.id,
            &aerie_db::repo::allocations::AllocationListQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ids: Vec<i64> = allocs.iter().map(|a| a.id).collect();
    let uuid = uuid_v4();
    let s = db
        .servers()
        .create(&NewServer {
            external_id: None,
            uuid: uuid.clone(),
            uuid_short: uuid[..8].to_owned(),
            node_id: node.id,
            name: format!("srv-{port}"),
            description: Some("a test server".into()),
            status: Some("installing".into()),
            skip_scripts: false,
            owner_id: owner,
            memory: 1024,
            swap: 0,
            disk: 2048,
            io: 500,
            cpu: 100,
            threads: None,
            oom_disabled: true,
            allocation_id: ids[0],
            nest_id: egg.nest_id,
            egg_id: egg.id,
            startup: "minetestserver --port {{SERVER_PORT}}".into(),
            image: "aerie/minetest".into(),
            allocation_limit: None,
            database_limit: 0,
            backup_limit: 2,
        })
        .await
        .unwrap();
    db.allocations().assign(&ids, s.id).await.unwrap();
    s
}

fn uuid_v4() -> String {
    // Two servers in one test must not share a short id; a random hex string is enough.
    let a: u128 = rand_u128();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn rand_u128() -> u128 {
    use std::hash::{BuildHasher, Hasher};
    let mut out = 0u128;
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id().into());
        out = (out << 64) | u128::from(h.finish());
    }
    out
}

async fn fixture() -> Fixture {
    let panel = TestPanel::start().await;
    let owner = panel.user("owner", false).await;
    let loc = panel.db.locations().create("test", None).await.unwrap();
    let (n1, f1) = node(&panel, loc.id, "one").await;
    let (n2, f2) = node(&panel, loc.id, "two").await;
    let nest = aerie_panel::services::eggs::create_nest(&panel.db, "t@example.com", "Games", None)
        .await
        .unwrap();
    let egg_file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/eggs/egg-minetest.json");
    let egg =
        aerie_panel::services::eggs::import(&panel.db, nest.id, &std::fs::read(egg_file).unwrap())
            .await
            .unwrap();
    let s = server(&panel, &n1, &egg, owner.id, 30000).await;
    let other = server(&panel, &n2, &egg, owner.id, 31000).await;
    Fixture {
        client: RemoteClient::new(&f1).unwrap(),
        other_client: RemoteClient::new(&f2).unwrap(),
        server_uuid: s.uuid.clone(),
        server_id: s.id,
        other_uuid: other.uuid,
        short: s.uuid_short,
        owner,
        panel,
    }
}

#[tokio::test]
async fn wings_reads_only_its_own_servers_with_full_documents() {
    let f = fixture().await;
    let list = f.client.list_servers().await.unwrap();
    assert_eq!(list.len(), 1, "node one sees exactly its one server");
    let doc = &list[0];
    assert_eq!(doc.uuid, f.server_uuid);
    let s = &doc.settings;
    assert_eq!(s.uuid, f.server_uuid);
    assert_eq!(s.meta.name, "srv-30000");
    assert_eq!(s.build.memory_limit, 1024);
    assert_eq!(s.build.disk_space, 2048);
    assert_eq!(s.container.image, "aerie/minetest");
    assert_eq!(s.allocations.default.port, 30000);
    assert_eq!(s.allocations.mappings["127.0.0.1"], vec![30000, 30001]);
    assert_eq!(s.invocation, "minetestserver --port {{SERVER_PORT}}");
    assert!(s.environment.contains_key("STARTUP"));
    assert!(!s.egg.id.is_empty());
    assert!(
        !doc.process_configuration.startup.done.is_empty(),
        "the egg's done line reaches wings"
    );

    let one = f.client.get_server(&f.server_uuid).await.unwrap();
    assert_eq!(one.settings, doc.settings);
    // Another node's server does not exist for this node.
    let err = f.client.get_server(&f.other_uuid).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(f.other_client.list_servers().await.unwrap().len(), 1);

    let script = f.client.install_script(&f.server_uuid).await.unwrap();
    assert!(!script.script.is_empty());
    assert!(!script.container_image.is_empty());
    assert!(f.client.install_script(&f.other_uuid).await.is_err());
}

#[tokio::test]
async fn install_results_and_reset_move_the_server_status() {
    let f = fixture().await;
    let status = |f: &Fixture| {
        let db = f.panel.db.clone();
        let id = f.server_id;
        async move { db.servers().find(id).await.unwrap().unwrap().status }
    };
    f.client
        .set_install_status(
            &f.server_uuid,
            InstallStatus {
                successful: false,
                reinstall: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(status(&f).await.as_deref(), Some("install_failed"));
    f.client
        .set_install_status(
            &f.server_uuid,
            InstallStatus {
                successful: false,
                reinstall: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(status(&f).await.as_deref(), Some("reinstall_failed"));
    f.client
        .set_install_status(
            &f.server_uuid,
            InstallStatus {
                successful: true,
                reinstall: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(status(&f).await, None);
    let installed = f
        .panel
        .db
        .servers()
        .find(f.server_id)
        .await
        .unwrap()
        .unwrap();
    assert!(installed.installed_at.is_some());

    f.panel
        .db
        .servers()
        .set_status(f.server_id, Some("installing"))
        .await
        .unwrap();
    f.client.reset_servers().await.unwrap();
    assert_eq!(
        status(&f).await,
        None,
        "a rebooted node clears `installing`"
    );

    // Transfer callbacks without a transfer are a conflict.
    let err = f
        .client
        .set_transfer_status(&f.server_uuid, true)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
}

#[tokio::test]
async fn sftp_logins_check_password_keys_subusers_and_throttle() {
    let f = fixture().await;
    let req = |user: &str, kind: SftpAuthKind, password: &str, ip: &str| SftpAuthRequest {
        kind,
        username: user.into(),
        password: password.into(),
        ip: ip.into(),
        session_id: "abcd".into(),
        client_version: "SSH-2.0-OpenSSH_9.2".into(),
    };
    f.panel
        .db
        .servers()
        .set_status(f.server_id, None)
        .await
        .unwrap();
    let login = format!("owner.{}", f.short);
    let ok = f
        .client
        .sftp_auth(&req(
            &login,
            SftpAuthKind::Password,
            "password123",
            "127.0.0.1",
        ))
        .await
        .unwrap();
    assert_eq!(ok.server, f.server_uuid);
    assert_eq!(ok.user, f.owner.uuid);
    assert_eq!(ok.permissions, vec!["*"]);

    let wrong = f
        .client
        .sftp_auth(&req(
            &login,
            SftpAuthKind::Password,
            "nope-nope",
            "127.0.0.1",
        ))
        .await
        .unwrap_err();
    assert_eq!(wrong.status(), Some(403));
    // The other node cannot log anyone in to this node's server.
    let elsewhere = f
        .other_client
        .sftp_auth(&req(
            &login,
            SftpAuthKind::Password,
            "password123",
            "127.0.0.1",
        ))
        .await
        .unwrap_err();
    assert_eq!(elsewhere.status(), Some(403));
    let no_server = f
        .client
        .sftp_auth(&req(
            "owner",
            SftpAuthKind::Password,
            "password123",
            "127.0.0.1",
        ))
        .await
        .unwrap_err();
    assert_eq!(no_server.status(), Some(400));

    // Keys: the stored key logs in whatever its comment; another key does not.
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0000000000000000000000";
    f.panel
        .db
        .ssh_keys()
        .create(
            f.owner.id,
            "laptop",
            "SHA256:x",
            &format!("{key} owner@laptop"),
        )
        .await
        .unwrap();
    assert!(
        f.client
            .sftp_auth(&req(&login, SftpAuthKind::PublicKey, key, "127.0.0.1"))
            .await
            .is_ok()
    );
    assert!(
        f.client
            .sftp_auth(&req(
                &login,
                SftpAuthKind::PublicKey,
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKey",
                "127.0.0.1"
            ))
            .await
            .is_err()
    );

    // Subusers need file.sftp and get exactly their permissions.
    let helper = f.panel.user("helper", false).await;
    let sub = f
        .panel
        .db
        .subusers()
        .create(helper.id, f.server_id, &["file.read".to_owned()])
        .await
        .unwrap();
    let helper_login = format!("helper.{}", f.short);
    let denied = f
        .client
        .sftp_auth(&req(
            &helper_login,
            SftpAuthKind::Password,
            "password123",
            "127.0.0.2",
        ))
        .await
        .unwrap_err();
    assert_eq!(denied.status(), Some(403));
    let perms = vec!["file.sftp".to_owned(), "file.read".to_owned()];
    f.panel
        .db
        .subusers()
        .set_permissions(sub.id, &perms)
        .await
        .unwrap();
    let ok = f
        .client
        .sftp_auth(&req(
            &helper_login,
            SftpAuthKind::Password,
            "password123",
            "127.0.0.2",
        ))
        .await
        .unwrap();
    assert_eq!(ok.permissions, perms);

    // Five failures from one address lock that username out, even with the right password;
    // another address is unaffected.
    for _ in 0..5 {
        let _ = f
            .client
            .sftp_auth(&req(
                &login,
                SftpAuthKind::Password,
                "bad-bad-bad",
                "10.9.9.9",
            ))
            .await;
    }
    let throttled = f
        .client
        .sftp_auth(&req(
            &login,
            SftpAuthKind::Password,
            "password123",
            "10.9.9.9",
        ))
        .await
        .unwrap_err();
    assert_eq!(throttled.status(), Some(429));
    assert!(
        f.client
            .sftp_auth(&req(
                &login,
                SftpAuthKind::Password,
                "password123",
                "10.9.9.8"
            ))
            .await
            .is_ok()
    );

    // A suspended server cannot be reached over SFTP.
    f.panel
        .db
        .servers()
        .set_status(f.server_id, Some("suspended"))
        .await
        .unwrap();
    let suspended = f
        .client
        .sftp_auth(&req(
            &login,
            SftpAuthKind::Password,
            "password123",
            "127.0.0.1",
        ))
        .await
        .unwrap_err();
    assert_eq!(suspended.status(), Some(409));
}

#[tokio::test]
async fn activity_and_backup_callbacks_are_recorded_once() {
    let f = fixture().await;
    f.client
        .send_activity(&ActivityBatch {
            data: vec![
                ActivityEntry {
                    user: Some(f.owner.uuid.clone()),
                    server: f.server_uuid.clone(),
                    event: "server:console.command".into(),
                    metadata: Some(serde_json::json!({"command": "status"})),
                    ip: "127.0.0.1".into(),
                    timestamp: "2026-11-29T10:00:00Z".into(),
                },
                // Not a server event, and another node's server: both dropped.
                ActivityEntry {
                    user: None,
                    server: f.server_uuid.clone(),
                    event: "auth:success".into(),
                    metadata: None,
                    ip: "127.0.0.1".into(),
                    timestamp: "2026-11-29T10:00:00Z".into(),
                },
                ActivityEntry {
                    user: None,
                    server: f.other_uuid.clone(),
                    event: "server:console.command".into(),
                    metadata: None,
                    ip: "127.0.0.1".into(),
                    timestamp: "2026-11-29T10:00:00Z".into(),
                },
            ],
        })
        .await
        .unwrap();
    let (entries, total) = f
        .panel
        .db
        .activity()
        .list(
            aerie_db::repo::activity::ActivityScope::Server(f.server_id),
            None,
            0,
            50,
        )
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(entries[0].event, "server:console.command");
    assert_eq!(entries[0].actor_id, Some(f.owner.id));
    assert!(entries[0].properties.contains("status"));

    let backup = f
        .panel
        .db
        .backups()
        .create(f.server_id, "nightly", "", "wings", false)
        .await
        .unwrap();
    let done = BackupStatus {
        successful: true,
        checksum: "abc123".into(),
        checksum_type: "sha256".into(),
        size: 4096,
        parts: vec![],
    };
    f.client
        .set_backup_status(&backup.uuid, &done)
        .await
        .unwrap();
    let stored = f.panel.db.backups().find(backup.id).await.unwrap().unwrap();
    assert!(stored.is_successful);
    assert_eq!(stored.bytes, 4096);
    assert_eq!(stored.checksum.as_deref(), Some("sha256:abc123"));
    assert!(stored.completed_at.is_some());
    // A replayed callback cannot change a finished backup; another node cannot touch it.
    let again = f
        .client
        .set_backup_status(
            &backup.uuid,
            &BackupStatus {
                successful: false,
                ..done.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(400));
    let foreign = f
        .other_client
        .set_backup_status(&backup.uuid, &done)
        .await
        .unwrap_err();
    assert_eq!(foreign.status(), Some(404));

    f.panel
        .db
        .servers()
        .set_status(f.server_id, Some("restoring_backup"))
        .await
        .unwrap();
    f.client
        .set_restore_status(&backup.uuid, true)
        .await
        .unwrap();
    let s = f
        .panel
        .db
        .servers()
        .find(f.server_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.status, None);
}

#[tokio::test]
async fn node_credentials_are_checked() {
    let f = fixture().await;
    let url = format!("{}/api/remote/servers", f.panel.url);
    let c = reqwest::Client::new();
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(c.get(&url).send().await.unwrap()), 401);
    assert_eq!(
        status(c.get(&url).bearer_auth("no-dot-here").send().await.unwrap()),
        400
    );
    assert_eq!(
        status(
            c.get(&url)
                .bearer_auth("tok0000000000one.wrong")
                .send()
                .await
                .unwrap()
        ),
        403
    );
    assert_eq!(
        status(
            c.get(&url)
                .bearer_auth("unknown.secret")
                .send()
                .await
                .unwrap()
        ),
        403
    );
}
