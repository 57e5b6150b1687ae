//! `/api/client/servers/{server}/backups`: black-box ports of Pterodactyl's
//! `tests/Integration/Api/Client/Server/Backup/*` against a fake wings.
#![allow(clippy::unwrap_used, missing_docs)]

mod server_extras_support;

use aerie_db::repo::backups::Backup;
use reqwest::Method;
use serde_json::{Value, json};
use server_extras_support::{Fx, assert_error, assert_validation, events, keys, link, sorted};

const BACKUP_KEYS: &[&str] = &[
    "uuid",
    "is_successful",
    "is_locked",
    "name",
    "ignored_files",
    "checksum",
    "bytes",
    "created_at",
    "completed_at",
];

/// A finished (successful) backup row.
async fn done_backup(fx: &Fx, server_id: i64, name: &str) -> Backup {
    let b = fx
        .panel
        .db
        .backups()
        .create(server_id, name, "", "wings", false)
        .await
        .unwrap();
    fx.panel
        .db
        .backups()
        .complete(&b.uuid, true, Some("sha1:abc"), 1234)
        .await
        .unwrap();
    fx.panel.db.backups().find(b.id).await.unwrap().unwrap()
}

#[tokio::test]
async fn backups_are_listed_with_the_count_of_usable_ones() {
    let fx = Fx::start().await;
    let a = done_backup(&fx, fx.server.id, "first").await;
    let b = done_backup(&fx, fx.server.id, "second").await;
    // A failed one is listed but not counted; another server's is neither.
    let failed = fx
        .panel
        .db
        .backups()
        .create(fx.server.id, "failed", "", "wings", false)
        .await
        .unwrap();
    fx.panel
        .db
        .backups()
        .complete(&failed.uuid, false, None, 0)
        .await
        .unwrap();
    let other = fx.other_server(fx.owner.id).await;
    done_backup(&fx, other.id, "elsewhere").await;

    let (_, reader) = fx.subuser("reader", &fx.server, &["backup.read"]).await;
    let (status, v) = fx
        .call(Method::GET, &fx.link("/backups"), &reader, None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "list");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[0]["object"], "backup");
    assert_eq!(keys(&data[0]["attributes"]), sorted(BACKUP_KEYS));
    let uuids: Vec<&str> = data
        .iter()
        .map(|d| d["attributes"]["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(
        uuids,
        vec![a.uuid.as_str(), b.uuid.as_str(), failed.uuid.as_str()]
    );
    assert_eq!(v["meta"]["backup_count"], 2);
    assert_eq!(v["meta"]["pagination"]["total"], 3);
    assert_eq!(v["meta"]["pagination"]["per_page"], 20);
    assert_eq!(v["meta"]["pagination"]["links"], json!({}));
    let first = &data[0]["attributes"];
    assert_eq!(first["is_successful"], true);
    assert_eq!(first["checksum"], "sha1:abc");
    assert_eq!(first["bytes"], 1234);
    assert_eq!(first["ignored_files"], json!([]));
    assert!(first["completed_at"].as_str().unwrap().ends_with("+00:00"));

    // per_page is capped at 50, and pages past the end are empty, not errors.
    let (status, v) = fx
        .call(
            Method::GET,
            &fx.link("/backups?per_page=2&page=2"),
            &reader,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(v["meta"]["pagination"]["total_pages"], 2);
    let (_, v) = fx
        .call(
            Method::GET,
            &fx.link("/backups?per_page=100"),
            &reader,
            None,
        )
        .await;
    assert_eq!(v["meta"]["pagination"]["per_page"], 50);
    let (status, v) = fx
        .call(Method::GET, &fx.link("/backups?page=9"), &reader, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["data"], json!([]));

    // Without backup.read: 403; without credentials: 401.
    let (_, console) = fx
        .subuser("console", &fx.server, &["control.console"])
        .await;
    let (status, v) = fx
        .call(Method::GET, &fx.link("/backups"), &console, None)
        .await;
    assert_error(status, &v, 403);
    assert_eq!(fx.panel.get(&fx.link("/backups")).await.status(), 401);
}

#[tokio::test]
async fn a_backup_is_started_on_wings_and_recorded() {
    let fx = Fx::start().await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/backups"),
            &fx.owner_key,
            Some(json!({"name": "Test Backup", "ignored": "*.log\n\ncache/", "is_locked": true})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "backup");
    let a = &v["attributes"];
    assert_eq!(keys(a), sorted(BACKUP_KEYS));
    assert_eq!(a["name"], "Test Backup");
    assert_eq!(a["is_locked"], true);
    assert_eq!(a["is_successful"], false);
    assert_eq!(a["completed_at"], Value::Null);
    assert_eq!(a["ignored_files"], json!(["*.log", "cache/"]));
    let uuid = a["uuid"].as_str().unwrap();
    let row = fx
        .panel
        .db
        .backups()
        .find_by_uuid(uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.disk, "wings");
    assert_eq!(row.server_id, fx.server.id);

    let calls = fx.stub.calls_to("POST", "/backup");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].path,
        format!("/api/servers/{}/backup", fx.server.uuid)
    );
    assert_eq!(
        calls[0].body,
        json!({"adapter": "wings", "uuid": uuid, "ignore": "*.log\ncache/"})
    );

    // A default name; a subuser without backup.delete cannot lock.
    let (_, creator) = fx.subuser("creator", &fx.server, &["backup.create"]).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/backups"),
            &creator,
            Some(json!({"is_locked": true})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert!(
        v["attributes"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Backup at ")
    );
    assert_eq!(v["attributes"]["is_locked"], false);

    let log = events(&fx.panel.db, fx.server.id).await;
    assert_eq!(
        log.iter()
            .filter(|(e, _, _)| e == "server:backup.start")
            .count(),
        2,
        "{log:?}"
    );
}

#[tokio::test]
async fn limits_and_the_throttle_are_enforced() {
    let fx = Fx::start().await;
    // backup_limit 0: none allowed.
    let none = server_extras_support::server(&fx.panel.db, &fx.world, fx.owner.id, 0, 0).await;
    let (status, v) = fx
        .call(Method::POST, &link(&none, "/backups"), &fx.owner_key, None)
        .await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "Backups cannot be created for this server."
    );

    // At the limit (1): refused, nothing recorded, wings not called.
    let one = server_extras_support::server(&fx.panel.db, &fx.world, fx.owner.id, 1, 0).await;
    done_backup(&fx, one.id, "existing").await;
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&one, "/backups"),
            &fx.owner_key,
            Some(json!({"name": "One Too Many"})),
        )
        .await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "Cannot create a new backup, this server has reached its limit of 1 backups."
    );
    assert_eq!(
        fx.panel
            .db
            .backups()
            .count_for_server(one.id, false)
            .await
            .unwrap(),
        1
    );
    assert!(fx.stub.calls_to("POST", "/backup").is_empty());

    // Two per ten minutes, whatever happened to them.
    for i in 0..2 {
        let (status, v) = fx
            .call(
                Method::POST,
                &fx.link("/backups"),
                &fx.owner_key,
                Some(json!({"name": format!("b{i}")})),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = fx
        .call(Method::POST, &fx.link("/backups"), &fx.owner_key, None)
        .await;
    assert_error(status, &v, 429);
    assert_eq!(fx.stub.calls_to("POST", "/backup").len(), 2);

    // Wings refusing leaves no usable record behind.
    let fresh = server_extras_support::server(&fx.panel.db, &fx.world, fx.owner.id, 5, 0).await;
    fx.stub.fail("/backup", 500);
    let (status, v) = fx
        .call(Method::POST, &link(&fresh, "/backups"), &fx.owner_key, None)
        .await;
    assert_error(status, &v, 502);
    assert_eq!(
        fx.panel
            .db
            .backups()
            .count_for_server(fresh.id, false)
            .await
            .unwrap(),
        0
    );

    // Validation.
    fx.stub.heal("/backup");
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&fresh, "/backups"),
            &fx.owner_key,
            Some(json!({"name": "x".repeat(192)})),
        )
        .await;
    assert_validation(status, &v, "name", "max");
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&fresh, "/backups"),
            &fx.owner_key,
            Some(json!({"is_locked": "maybe"})),
        )
        .await;
    assert_validation(status, &v, "is_locked", "boolean");
}

#[tokio::test]
async fn the_lock_toggles_and_needs_delete_permission() {
    let fx = Fx::start().await;
    let b = done_backup(&fx, fx.server.id, "b").await;
    let (_, deleter) = fx.subuser("deleter", &fx.server, &["backup.delete"]).await;
    let path = fx.link(&format!("/backups/{}/lock", b.uuid));
    let (status, v) = fx.call(Method::POST, &path, &deleter, None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["is_locked"], true);
    assert!(
        fx.panel
            .db
            .backups()
            .find(b.id)
            .await
            .unwrap()
            .unwrap()
            .is_locked
    );

    // Locked and finished: cannot be deleted.
    let (status, v) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/backups/{}", b.uuid)),
            &deleter,
            None,
        )
        .await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "Cannot delete a backup that is marked as locked."
    );

    let (status, v) = fx.call(Method::POST, &path, &deleter, None).await;
    assert_eq!(status, 200);
    assert_eq!(v["attributes"]["is_locked"], false);

    let (_, creator) = fx.subuser("creator", &fx.server, &["backup.create"]).await;
    let (status, v) = fx.call(Method::POST, &path, &creator, None).await;
    assert_error(status, &v, 403);

    let log = events(&fx.panel.db, fx.server.id).await;
    let names: Vec<&str> = log.iter().map(|(e, _, _)| e.as_str()).collect();
    assert_eq!(names, vec!["server:backup.lock", "server:backup.unlock"]);
}

#[tokio::test]
async fn restores_only_finished_successful_backups_of_idle_servers() {
    let fx = Fx::start().await;
    let (_, restorer) = fx
        .subuser("restorer", &fx.server, &["backup.restore"])
        .await;
    let good = done_backup(&fx, fx.server.id, "good").await;

    // truncate is required.
    let path = fx.link(&format!("/backups/{}/restore", good.uuid));
    let (status, v) = fx.call(Method::POST, &path, &restorer, None).await;
    assert_validation(status, &v, "truncate", "required");

    // Unfinished or failed: 400, the server untouched, wings not called.
    let running = fx
        .panel
        .db
        .backups()
        .create(fx.server.id, "running", "", "wings", false)
        .await
        .unwrap();
    let failed = fx
        .panel
        .db
        .backups()
        .create(fx.server.id, "failed", "", "wings", false)
        .await
        .unwrap();
    fx.panel
        .db
        .backups()
        .complete(&failed.uuid, false, None, 0)
        .await
        .unwrap();
    for b in [&running, &failed] {
        let (status, v) = fx
            .call(
                Method::POST,
                &fx.link(&format!("/backups/{}/restore", b.uuid)),
                &restorer,
                Some(json!({"truncate": true})),
            )
            .await;
        assert_error(status, &v, 400);
    }
    assert!(fx.stub.calls_to("POST", "/restore").is_empty());

    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &restorer,
            Some(json!({"truncate": false})),
        )
        .await;
    assert_eq!(status, 204, "{v}");
    let server = fx
        .panel
        .db
        .servers()
        .find(fx.server.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(server.status.as_deref(), Some("restoring_backup"));
    let calls = fx.stub.calls_to("POST", "/restore");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].path,
        format!(
            "/api/servers/{}/backup/{}/restore",
            fx.server.uuid, good.uuid
        )
    );
    assert_eq!(
        calls[0].body,
        json!({"adapter": "wings", "truncate_directory": false, "download_url": ""})
    );

    // While restoring, the server refuses everything with 409.
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &restorer,
            Some(json!({"truncate": true})),
        )
        .await;
    assert_error(status, &v, 409);

    // Wings refusing puts the server back.
    fx.panel
        .db
        .servers()
        .set_status(fx.server.id, None)
        .await
        .unwrap();
    fx.stub.fail("/restore", 409);
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &restorer,
            Some(json!({"truncate": "1"})),
        )
        .await;
    assert_error(status, &v, 409);
    let server = fx
        .panel
        .db
        .servers()
        .find(fx.server.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(server.status, None);
}

#[tokio::test]
async fn download_links_are_signed_for_the_node() {
    let fx = Fx::start().await;
    let b = done_backup(&fx, fx.server.id, "b").await;
    let (sub, key) = fx
        .subuser("downloader", &fx.server, &["backup.download"])
        .await;
    let (status, v) = fx
        .call(
            Method::GET,
            &fx.link(&format!("/backups/{}/download", b.uuid)),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "signed_url");
    let url = v["attributes"]["url"].as_str().unwrap();
    let prefix = format!("http://127.0.0.1:{}/download/backup?token=", fx.stub.port);
    assert!(url.starts_with(&prefix), "{url}");
    let token = &url[prefix.len()..];
    let now = chrono::Utc::now().timestamp();
    let claims: Value =
        aerie_jwt::verify(token, server_extras_support::NODE_TOKEN.as_bytes(), now).unwrap();
    assert_eq!(claims["backup_uuid"], b.uuid);
    assert_eq!(claims["server_uuid"], fx.server.uuid);
    assert_eq!(claims["user_uuid"], sub.uuid);
    assert_eq!(claims["unique_id"].as_str().unwrap().len(), 16);
    let exp = claims["exp"].as_i64().unwrap();
    assert!(
        (now + 880..=now + 905).contains(&exp),
        "15 minutes: {claims}"
    );
    // The token is what wings' own type decodes.
    let typed: aerie_proto::wings::BackupDownloadClaims =
        aerie_jwt::verify(token, server_extras_support::NODE_TOKEN.as_bytes(), now).unwrap();
    assert_eq!(typed.backup_uuid, b.uuid);
    assert!(aerie_jwt::verify::<Value>(token, b"another-node", now).is_err());

    let (_, reader) = fx.subuser("reader", &fx.server, &["backup.read"]).await;
    let (status, v) = fx
        .call(
            Method::GET,
            &fx.link(&format!("/backups/{}/download", b.uuid)),
            &reader,
            None,
        )
        .await;
    assert_error(status, &v, 403);
    assert!(
        events(&fx.panel.db, fx.server.id)
            .await
            .iter()
            .any(|(e, _, _)| e == "server:backup.download")
    );
}

#[tokio::test]
async fn deleting_asks_wings_then_soft_deletes() {
    let fx = Fx::start().await;
    let (_, creator) = fx.subuser("creator", &fx.server, &["backup.create"]).await;
    let (_, deleter) = fx.subuser("deleter", &fx.server, &["backup.delete"]).await;
    let b = done_backup(&fx, fx.server.id, "b").await;
    let path = fx.link(&format!("/backups/{}", b.uuid));
    let (status, v) = fx.call(Method::DELETE, &path, &creator, None).await;
    assert_error(status, &v, 403);

    let (status, v) = fx.call(Method::DELETE, &path, &deleter, None).await;
    assert_eq!(status, 204, "{v}");
    let calls = fx.stub.calls_to("DELETE", &format!("/backup/{}", b.uuid));
    assert_eq!(calls.len(), 1);
    assert!(fx.panel.db.backups().find(b.id).await.unwrap().is_none());
    // Soft: the attempt still counts for the throttle's history.
    assert_eq!(
        fx.panel
            .db
            .backups()
            .count_created_since(fx.server.id, "2000-01-01T00:00:00Z")
            .await
            .unwrap(),
        1
    );
    let (status, v) = fx.call(Method::DELETE, &path, &deleter, None).await;
    assert_error(status, &v, 404);

    // An archive wings no longer has is fine; another wings error is not.
    let gone = done_backup(&fx, fx.server.id, "gone").await;
    fx.stub.fail(&format!("/backup/{}", gone.uuid), 404);
    let (status, _) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/backups/{}", gone.uuid)),
            &deleter,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let broken = done_backup(&fx, fx.server.id, "broken").await;
    fx.stub.fail(&format!("/backup/{}", broken.uuid), 500);
    let (status, v) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/backups/{}", broken.uuid)),
            &deleter,
            None,
        )
        .await;
    assert_error(status, &v, 502);
    assert!(
        fx.panel
            .db
            .backups()
            .find(broken.id)
            .await
            .unwrap()
            .is_some()
    );

    let log = events(&fx.panel.db, fx.server.id).await;
    let deletes: Vec<_> = log
        .iter()
        .filter(|(e, _, _)| e == "server:backup.delete")
        .collect();
    assert_eq!(deletes.len(), 2);
    assert_eq!(deletes[0].1["name"], "b");
}

#[tokio::test]
async fn backups_of_other_servers_are_not_reachable() {
    for (method, endpoint) in [
        (Method::GET, ""),
        (Method::GET, "/download"),
        (Method::DELETE, ""),
    ] {
        let fx = Fx::start().await;
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
        let b1 = done_backup(&fx, server1.id, "1").await;
        let b2 = done_backup(&fx, server2.id, "2").await;
        let b3 = done_backup(&fx, server3.id, "3").await;
        let at = |s: &aerie_db::repo::servers::Server, b: &Backup| {
            link(s, &format!("/backups/{}{endpoint}", b.uuid))
        };
        let (status, v) = fx
            .call(method.clone(), &at(&server1, &b1), &fx.owner_key, None)
            .await;
        assert_eq!(
            status,
            if method == Method::DELETE { 204 } else { 200 },
            "{method} {endpoint}: {v}"
        );
        let (status, v) = fx
            .call(method.clone(), &at(&server2, &b2), &fx.owner_key, None)
            .await;
        assert_error(status, &v, 403);
        for (s, b) in [
            (&server1, &b2),
            (&server1, &b3),
            (&server2, &b3),
            (&server3, &b3),
        ] {
            let (status, v) = fx
                .call(method.clone(), &at(s, b), &fx.owner_key, None)
                .await;
            assert_error(status, &v, 404);
        }
    }
}
