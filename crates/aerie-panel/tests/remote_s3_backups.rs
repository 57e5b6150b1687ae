//! S3 backups, Pterodactyl's protocol, against a real S3-compatible server (moto on
//! loopback, `scripts/setup-s3`): the panel starts the multipart upload and presigns the
//! part URLs wings asks for (`GET /api/remote/backups/{uuid}?size=`), completes or aborts
//! the upload when wings reports the end (`POST /api/remote/backups/{uuid}`), and serves
//! downloads, restores and deletes from the bucket. Wings' side is played by wings' own
//! `RemoteClient` and plain PUTs of the parts; the node's backup calls go to a stub wings.
#![allow(clippy::unwrap_used, missing_docs)]

mod server_extras_support;

use aerie_db::Db;
use aerie_db::models::{NewNode, Node, User};
use aerie_db::repo::servers::Server;
use aerie_panel::AppState;
use aerie_panel::services::s3::{S3Settings, S3Storage};
use aerie_proto::keys::KeyType;
use aerie_proto::wings::{BackupPart, BackupStatus};
use aerie_testkit::TestPanel;
use aerie_wings::config::WingsFile;
use aerie_wings::remote::RemoteClient;
use reqwest::Method;
use serde_json::json;
use server_extras_support::{NODE_TOKEN, Stub, World, link, plain_user, server, world};
use sha1::Digest as _;

const MIB: u64 = 1024 * 1024;

struct S3Fx {
    panel: TestPanel,
    stub: Stub,
    world: World,
    owner_key: String,
    server: Server,
    /// Wings of the server's node.
    client: RemoteClient,
    endpoint: String,
    bucket: String,
    http: reqwest::Client,
    _owner: User,
    _dir: tempfile::TempDir,
}

fn endpoint() -> String {
    std::env::var("AERIE_TEST_S3_URL").expect(
        "AERIE_TEST_S3_URL is not set: run `eval \"$(scripts/setup-s3)\"` (scripts/test does)",
    )
}

fn wings_file(panel: &TestPanel, token_id: &str, token: &str) -> WingsFile {
    WingsFile {
        remote: panel.url.clone(),
        token_id: token_id.into(),
        token: token.into(),
        ..WingsFile::default()
    }
}

async fn start() -> S3Fx {
    let endpoint = endpoint().trim_end_matches('/').to_owned();
    let http = reqwest::Client::new();
    let bucket = format!(
        "aerie-panel-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    );
    // moto takes any (or no) credentials.
    let made = http
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("moto is not answering (scripts/setup-s3)");
    assert!(
        made.status().is_success(),
        "CreateBucket: {}",
        made.status()
    );
    let storage = S3Storage::new(&S3Settings {
        endpoint: endpoint.clone(),
        region: "us-east-1".into(),
        bucket: bucket.clone(),
        access_key_id: "aerie".into(),
        secret_access_key: "aerie-secret".into(),
        path_style: true,
        part_size: 5 * MIB,
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("panel.db").display()
    ))
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let state = AppState::new(db, "http://127.0.0.1").with_backup_storage(storage);
    let panel = TestPanel::start_with_state(state).await;
    let stub = Stub::start().await;
    let world = world(&panel.db, &stub).await;
    let owner = plain_user(&panel.db, "owner").await;
    let owner_key = panel.key(&owner, KeyType::Client).await;
    let server = server(&panel.db, &world, owner.id, 3, 2).await;
    let client =
        RemoteClient::new(&wings_file(&panel, &world.node.daemon_token_id, NODE_TOKEN)).unwrap();
    S3Fx {
        panel,
        stub,
        world,
        owner_key,
        server,
        client,
        endpoint,
        bucket,
        http,
        _owner: owner,
        _dir: dir,
    }
}

impl S3Fx {
    fn object_url(&self, backup: &str) -> String {
        format!(
            "{}/{}/{}/{backup}.tar.gz",
            self.endpoint, self.bucket, self.server.uuid
        )
    }

    /// The upload ids S3 holds in progress (`ListMultipartUploads`).
    async fn uploads_in_progress(&self) -> String {
        let r = self
            .http
            .get(format!("{}/{}?uploads", self.endpoint, self.bucket))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        r.text().await.unwrap()
    }

    /// PUTs `data` split by `part_size` to the presigned URLs, as wings does; returns the
    /// parts with S3's ETags.
    async fn upload(&self, urls: &[String], part_size: u64, data: &[u8]) -> Vec<BackupPart> {
        let chunks: Vec<&[u8]> = data.chunks(usize::try_from(part_size).unwrap()).collect();
        assert_eq!(chunks.len(), urls.len(), "one URL per part");
        let mut parts = Vec::new();
        for (i, (url, chunk)) in urls.iter().zip(chunks).enumerate() {
            let r = self
                .http
                .put(url)
                .body(chunk.to_vec())
                .send()
                .await
                .unwrap();
            assert!(
                r.status().is_success(),
                "UploadPart {}: {}",
                i + 1,
                r.status()
            );
            let etag = r.headers()["etag"].to_str().unwrap().to_owned();
            parts.push(BackupPart {
                etag,
                part_number: u32::try_from(i + 1).unwrap(),
            });
        }
        parts
    }

    async fn backup(&self, uuid: &str) -> aerie_db::repo::backups::Backup {
        self.panel
            .db
            .backups()
            .find_by_uuid(uuid)
            .await
            .unwrap()
            .unwrap()
    }
}

/// A second node with its own token, and wings' client for it.
async fn other_node(fx: &S3Fx) -> (Node, RemoteClient) {
    let token = format!("other{}", "t".repeat(59));
    let node = fx
        .panel
        .db
        .nodes()
        .create(&NewNode {
            name: "other".into(),
            description: None,
            location_id: fx.world.node.location_id,
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
            daemon_token_id: "othertokenid0001".into(),
            daemon_token: token.clone(),
        })
        .await
        .unwrap();
    let client = RemoteClient::new(&wings_file(&fx.panel, "othertokenid0001", &token)).unwrap();
    (node, client)
}

/// Incompressible bytes, so sizes are what they say.
fn noise(len: u64) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[tokio::test]
async fn an_s3_backup_is_uploaded_in_parts_then_downloaded_restored_and_deleted() {
    let fx = start().await;

    // Starting a backup records the s3 disk and tells wings to use the s3 adapter.
    let (status, body) = fx
        .panel
        .call_json(
            Method::POST,
            &link(&fx.server, "/backups"),
            &fx.owner_key,
            Some(json!({"name": "to s3"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let uuid = body["attributes"]["uuid"].as_str().unwrap().to_owned();
    assert_eq!(fx.backup(&uuid).await.disk, "s3");
    let asked = fx
        .stub
        .calls_to("POST", &format!("/api/servers/{}/backup", fx.server.uuid));
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].body,
        json!({"adapter": "s3", "uuid": uuid, "ignore": ""})
    );

    // Another node cannot get part URLs for it.
    let (_, other) = other_node(&fx).await;
    let err = other.backup_upload_parts(&uuid, 100).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(fx.backup(&uuid).await.upload_id.is_none());

    // 6 MiB and a bit in 5 MiB parts: two part URLs.
    let size = 6 * MIB + 123;
    let plan = fx.client.backup_upload_parts(&uuid, size).await.unwrap();
    assert_eq!(plan.part_size, 5 * MIB);
    assert_eq!(plan.parts.len(), 2);
    let upload_id = fx.backup(&uuid).await.upload_id.expect("upload id kept");
    assert!(plan.parts[0].contains("partNumber=1") && plan.parts[1].contains("partNumber=2"));
    assert!(plan.parts.iter().all(|u| u.contains(&upload_id)
        && u.contains("X-Amz-Signature=")
        && u.starts_with(&fx.object_url(&uuid))));
    assert!(fx.uploads_in_progress().await.contains(&upload_id));

    let data = noise(size);
    let mut parts = fx.upload(&plan.parts, plan.part_size, &data).await;
    // Wings may report the parts in any order; the panel orders them by number.
    parts.reverse();
    let checksum = hex::encode(sha1::Sha1::digest(&data));
    fx.client
        .set_backup_status(
            &uuid,
            &BackupStatus {
                successful: true,
                checksum: checksum.clone(),
                checksum_type: "sha1".into(),
                size,
                parts,
            },
        )
        .await
        .unwrap();
    let stored = fx.backup(&uuid).await;
    assert!(stored.is_successful);
    assert!(stored.completed_at.is_some());
    assert_eq!(
        stored.checksum.as_deref(),
        Some(&*format!("sha1:{checksum}"))
    );
    assert_eq!(stored.bytes, i64::try_from(size).unwrap());
    assert!(!fx.uploads_in_progress().await.contains(&upload_id));

    // A finished backup gets no more part URLs.
    let err = fx
        .client
        .backup_upload_parts(&uuid, size)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));

    // The client download link is a presigned GET of exactly the uploaded bytes.
    let (status, body) = fx
        .panel
        .call_json(
            Method::GET,
            &link(&fx.server, &format!("/backups/{uuid}/download")),
            &fx.owner_key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "signed_url");
    let url = body["attributes"]["url"].as_str().unwrap();
    assert!(url.starts_with(&fx.object_url(&uuid)) && url.contains("X-Amz-Expires=900"));
    let got = fx.http.get(url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert!(
        got.bytes().await.unwrap() == data,
        "the downloaded bytes differ"
    );
    // Downloading never asked wings.
    assert!(
        fx.stub
            .calls()
            .iter()
            .all(|c| !c.path.contains("/download"))
    );

    // A restore sends wings the s3 adapter and a presigned GET of the archive.
    let (status, body) = fx
        .panel
        .call_json(
            Method::POST,
            &link(&fx.server, &format!("/backups/{uuid}/restore")),
            &fx.owner_key,
            Some(json!({"truncate": true})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let restore = fx.stub.calls_to(
        "POST",
        &format!("/api/servers/{}/backup/{uuid}/restore", fx.server.uuid),
    );
    assert_eq!(restore.len(), 1);
    assert_eq!(restore[0].body["adapter"], "s3");
    assert_eq!(restore[0].body["truncate_directory"], true);
    let from = restore[0].body["download_url"].as_str().unwrap();
    let got = fx.http.get(from).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert!(got.bytes().await.unwrap() == data);
    fx.client.set_restore_status(&uuid, true).await.unwrap();

    // Deleting removes the object, not a file on the node.
    let (status, body) = fx
        .panel
        .call_json(
            Method::DELETE,
            &link(&fx.server, &format!("/backups/{uuid}")),
            &fx.owner_key,
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(
        fx.stub
            .calls_to(
                "DELETE",
                &format!("/api/servers/{}/backup/{uuid}", fx.server.uuid)
            )
            .is_empty()
    );
    let gone = fx.http.get(fx.object_url(&uuid)).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert!(
        fx.panel
            .db
            .backups()
            .find_by_uuid(&uuid)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_failed_or_uncompletable_s3_backup_leaves_nothing_in_the_bucket() {
    let fx = start().await;
    let repo = fx.panel.db.backups();

    // Wings failed midway: the upload is aborted and the backup recorded as failed.
    let failed = repo
        .create(fx.server.id, "failed", "", "s3", false)
        .await
        .unwrap();
    let plan = fx
        .client
        .backup_upload_parts(&failed.uuid, 1000)
        .await
        .unwrap();
    assert_eq!(plan.parts.len(), 1);
    let upload_id = fx.backup(&failed.uuid).await.upload_id.unwrap();
    fx.upload(&plan.parts, plan.part_size, &noise(1000)).await;
    assert!(fx.uploads_in_progress().await.contains(&upload_id));
    fx.client
        .set_backup_status(
            &failed.uuid,
            &BackupStatus {
                successful: false,
                checksum: String::new(),
                checksum_type: "sha1".into(),
                size: 0,
                parts: vec![],
            },
        )
        .await
        .unwrap();
    let stored = fx.backup(&failed.uuid).await;
    assert!(!stored.is_successful);
    assert!(stored.completed_at.is_some());
    assert!(!fx.uploads_in_progress().await.contains(&upload_id));
    let gone = fx
        .http
        .get(fx.object_url(&failed.uuid))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    // S3 refuses to complete (an ETag it never gave): the backup is failed, and wings hears
    // why with a 400 (it must not retry into "already completed").
    let bad = repo
        .create(fx.server.id, "bad", "", "s3", false)
        .await
        .unwrap();
    let plan = fx.client.backup_upload_parts(&bad.uuid, 10).await.unwrap();
    fx.upload(&plan.parts, plan.part_size, &noise(10)).await;
    let err = fx
        .client
        .set_backup_status(
            &bad.uuid,
            &BackupStatus {
                successful: true,
                checksum: "abc".into(),
                checksum_type: "sha1".into(),
                size: 10,
                parts: vec![BackupPart {
                    etag: "\"0123456789abcdef0123456789abcdef\"".into(),
                    part_number: 1,
                }],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(err.to_string().contains("refused to complete"), "{err}");
    let stored = fx.backup(&bad.uuid).await;
    assert!(!stored.is_successful);
    assert!(stored.completed_at.is_some());
    assert_eq!(stored.checksum, None);
    let gone = fx.http.get(fx.object_url(&bad.uuid)).send().await.unwrap();
    assert_eq!(gone.status(), 404);

    // Success reported without ever asking for part URLs: refused, recorded as failed.
    let never = repo
        .create(fx.server.id, "never", "", "s3", false)
        .await
        .unwrap();
    let err = fx
        .client
        .set_backup_status(
            &never.uuid,
            &BackupStatus {
                successful: true,
                checksum: "abc".into(),
                checksum_type: "sha1".into(),
                size: 10,
                parts: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(!fx.backup(&never.uuid).await.is_successful);

    // A backup kept on the node has no part URLs; nor does a size of 0.
    let local = repo
        .create(fx.server.id, "local", "", "wings", false)
        .await
        .unwrap();
    let err = fx
        .client
        .backup_upload_parts(&local.uuid, 10)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let pending = repo
        .create(fx.server.id, "pending", "", "s3", false)
        .await
        .unwrap();
    let err = fx
        .client
        .backup_upload_parts(&pending.uuid, 0)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[tokio::test]
async fn s3_storage_is_required_for_s3_backups() {
    // A panel without S3 storage keeps new backups on the node, and cannot serve S3 ones.
    let fx = start().await;
    let plain = TestPanel::start_with_db(fx.panel.db.clone()).await;
    let client = RemoteClient::new(&wings_file(
        &plain,
        &fx.world.node.daemon_token_id,
        NODE_TOKEN,
    ))
    .unwrap();
    let b = fx
        .panel
        .db
        .backups()
        .create(fx.server.id, "s3", "", "s3", false)
        .await
        .unwrap();
    let err = client.backup_upload_parts(&b.uuid, 10).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    let (status, body) = plain
        .call_json(
            Method::POST,
            &link(&fx.server, "/backups"),
            &fx.owner_key,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let uuid = body["attributes"]["uuid"].as_str().unwrap();
    assert_eq!(fx.backup(uuid).await.disk, "wings");
    let asked = fx
        .stub
        .calls_to("POST", &format!("/api/servers/{}/backup", fx.server.uuid));
    assert_eq!(asked[0].body["adapter"], "wings");
}
