//! The database story: the same create/read/update/delete sequence and migration round on
//! every supported backend. SQLite always; PostgreSQL and MariaDB from the servers that
//! `scripts/test` starts (these tests fail, never skip, when the server is missing).

#![allow(clippy::unwrap_used)]

use aerie_db::models::{ApiKeyPermissions, NewApiKey, NewNode, NewUser};
use aerie_db::repo::users::UserPatch;
use aerie_db::{Db, DbError};
use aerie_testkit::{ScratchDb, Server};

fn node(location_id: i64, token_id: &str) -> NewNode {
    NewNode {
        name: "node-1".into(),
        description: Some("x".repeat(10_000)),
        location_id,
        fqdn: "node1.example.com".into(),
        scheme: "https".into(),
        behind_proxy: false,
        public: true,
        memory: 8192,
        memory_overallocate: -1,
        disk: 100_000,
        disk_overallocate: 0,
        upload_size: 100,
        daemon_listen: 8080,
        daemon_sftp: 2022,
        daemon_base: "/var/lib/pterodactyl/volumes".into(),
        daemon_token_id: token_id.into(),
        daemon_token: "t".repeat(64),
    }
}

async fn story(db: Db) {
    // Migration round: everything applies once, a rerun applies nothing.
    let first = db.migrate().await.expect("migrate");
    let expected: Vec<i64> = aerie_db::migrations::all()
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(first, expected);
    assert_eq!(
        db.migrate().await.expect("migrate again"),
        Vec::<i64>::new()
    );
    assert_eq!(db.applied_migrations().await.unwrap(), expected);

    // Users.
    let alice = db
        .users()
        .create(&NewUser {
            username: "alice".into(),
            email: "Alice@Example.com".into(),
            name_first: Some("Zoë".into()),
            password_hash: Some("$argon2id$fake".into()),
            root_admin: true,
            ..NewUser::default()
        })
        .await
        .expect("create alice");
    assert_eq!(alice.email, "alice@example.com");
    assert!(alice.root_admin);
    assert_eq!(alice.uuid.len(), 36);
    let bob = db
        .users()
        .create(&NewUser {
            username: "bob".into(),
            email: "bob@example.com".into(),
            ..NewUser::default()
        })
        .await
        .expect("create bob");
    assert!(!bob.root_admin);
    assert_eq!(bob.password, None);

    let dup = db
        .users()
        .create(&NewUser {
            username: "alice".into(),
            email: "other@example.com".into(),
            ..NewUser::default()
        })
        .await;
    assert!(matches!(dup, Err(DbError::Unique { .. })), "{dup:?}");

    let by_email = db
        .users()
        .find_by_login("ALICE@example.com")
        .await
        .unwrap()
        .expect("by email");
    assert_eq!(by_email.id, alice.id);
    assert_eq!(by_email.name_first.as_deref(), Some("Zoë"));
    assert_eq!(
        db.users().find_by_login("bob").await.unwrap().unwrap().id,
        bob.id
    );
    assert!(db.users().find_by_login("carol").await.unwrap().is_none());

    let (page, total) = db.users().list(1, 1).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].username, "bob");

    let updated = db
        .users()
        .update(
            bob.id,
            &UserPatch {
                email: Some("robert@example.com".into()),
                name_last: Some(Some("Builder".into())),
                root_admin: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .expect("bob exists");
    assert_eq!(updated.email, "robert@example.com");
    assert_eq!(updated.name_last.as_deref(), Some("Builder"));
    assert!(updated.root_admin);
    assert!(updated.updated_at >= bob.updated_at);
    assert!(
        db.users()
            .update(9_999, &UserPatch::default())
            .await
            .unwrap()
            .is_none()
    );

    // API keys, with the cascade on user deletion.
    let key = db
        .api_keys()
        .create(&NewApiKey {
            user_id: bob.id,
            key_type: 2,
            identifier: "ptla_abcdefghijk".into(),
            token_hash: "0".repeat(64),
            memo: Some("billing".into()),
            allowed_ips: vec!["127.0.0.1".into(), "10.0.0.0/8".into()],
            permissions: ApiKeyPermissions::all(),
        })
        .await
        .expect("create key");
    assert_eq!(
        key.allowed_ips,
        vec!["127.0.0.1".to_string(), "10.0.0.0/8".to_string()]
    );
    assert_eq!(key.permissions.servers, 3);
    assert!(key.last_used_at.is_none());
    db.api_keys().touch(key.id).await.unwrap();
    let found = db
        .api_keys()
        .find_by_identifier("ptla_abcdefghijk")
        .await
        .unwrap()
        .expect("key");
    assert!(found.last_used_at.is_some());
    assert_eq!(
        db.api_keys().list_for_user(bob.id, 2).await.unwrap().len(),
        1
    );
    assert_eq!(
        db.api_keys().list_for_user(bob.id, 1).await.unwrap().len(),
        0
    );

    assert!(db.users().delete(bob.id).await.unwrap());
    assert!(
        db.api_keys()
            .find_by_identifier("ptla_abcdefghijk")
            .await
            .unwrap()
            .is_none(),
        "keys cascade"
    );
    assert!(!db.users().delete(bob.id).await.unwrap());

    // Locations and nodes, with the foreign key protecting a used location.
    let loc = db
        .locations()
        .create("eu-west", Some("Paris"))
        .await
        .expect("location");
    let n = db
        .nodes()
        .create(&node(loc.id, "abcdefghijklmnop"))
        .await
        .expect("node");
    assert_eq!(n.description.as_deref().map(str::len), Some(10_000));
    assert_eq!(n.memory_overallocate, -1);
    assert!(n.public && !n.behind_proxy);
    assert_eq!(
        db.nodes()
            .find_by_token_id("abcdefghijklmnop")
            .await
            .unwrap()
            .unwrap()
            .id,
        n.id
    );
    let bad_fk = db
        .nodes()
        .create(&node(loc.id + 1000, "zzzzzzzzzzzzzzzz"))
        .await;
    assert!(matches!(bad_fk, Err(DbError::ForeignKey)), "{bad_fk:?}");
    let in_use = db.locations().delete(loc.id).await;
    assert!(matches!(in_use, Err(DbError::ForeignKey)), "{in_use:?}");
    let renamed = db
        .locations()
        .update(loc.id, Some("eu-north"), Some(None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (renamed.short.as_str(), renamed.long.as_deref()),
        ("eu-north", None)
    );
    assert!(db.nodes().delete(n.id).await.unwrap());
    assert!(db.locations().delete(loc.id).await.unwrap());
    assert!(db.locations().list().await.unwrap().is_empty());

    // Settings upsert.
    assert_eq!(db.settings().get("app:name").await.unwrap(), None);
    db.settings().set("app:name", "Aerie").await.unwrap();
    db.settings().set("app:name", "Aerie ✈").await.unwrap();
    assert_eq!(
        db.settings().get("app:name").await.unwrap().as_deref(),
        Some("Aerie ✈")
    );
    db.ping().await.unwrap();
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}/nested/panel.db",
        dir.path().display()
    ))
    .await
    .unwrap();
    assert_eq!(db.backend(), aerie_db::Backend::Sqlite);
    story(db.clone()).await;
    // WAL mode is on for the file database.
    assert!(dir.path().join("nested/panel.db-wal").exists());
    db.close().await;
}

#[tokio::test]
async fn story_on_postgres() {
    let scratch = ScratchDb::create(Server::Postgres).await;
    let db = Db::connect(&scratch.url).await.unwrap();
    assert_eq!(db.backend(), aerie_db::Backend::Postgres);
    story(db.clone()).await;
    db.close().await;
    scratch.drop_now().await;
}

#[tokio::test]
async fn story_on_mariadb() {
    let scratch = ScratchDb::create(Server::MySql).await;
    let db = Db::connect(&scratch.url).await.unwrap();
    assert_eq!(db.backend(), aerie_db::Backend::MySql);
    story(db.clone()).await;
    db.close().await;
    scratch.drop_now().await;
}
