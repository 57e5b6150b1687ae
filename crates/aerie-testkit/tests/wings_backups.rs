//! Backups against real servers in Docker: local backups with ignore rules, restores (with
//! truncation, refused while running, refused when the archive was tampered with), a backup
//! of a server that keeps writing, deletion, the signed download, and an S3 round trip
//! against a real S3-compatible server on loopback (moto, started by `scripts/setup-s3`),
//! with the test playing the panel's part through boto3.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aerie_proto::wings::{BackupCompleted, BackupDownloadClaims, BackupUploadParts};
use aerie_testkit::node::{TestNode, WsClient, echo_server, new_uuid};
use aerie_wings::backup::archive::sha256_of;
use serde_json::{Value, json};

const T: Duration = Duration::from_secs(60);

/// A node whose backups go to a directory the test can look into.
async fn node() -> (TestNode, tempfile::TempDir) {
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().to_path_buf();
    let node = TestNode::start_with(move |s| s.backup_dir = dir).await;
    (node, backups)
}

/// Registers a server (the echo server, or `invocation` instead of its command), installs it.
async fn installed(node: &TestNode, invocation: Option<&str>) -> String {
    let (mut server, script) = echo_server(&new_uuid());
    if let Some(inv) = invocation {
        server.settings.invocation = inv.to_owned();
    }
    let uuid = node.install(server, script, T).await;
    assert!(
        node.panel.statuses_for(&uuid)[0].successful,
        "install failed"
    );
    uuid
}

async fn connect(node: &TestNode, uuid: &str) -> WsClient {
    let mut ws = node.ws(uuid).await;
    ws.auth(&node.ws_token(uuid, &["*"], 600)).await;
    ws
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn write(node: &TestNode, uuid: &str, file: &str, body: Vec<u8>) {
    let r = node
        .client
        .post(format!(
            "{}/api/servers/{uuid}/files/write?file={}",
            node.url,
            urlencode(file)
        ))
        .bearer_auth(&node.token)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "writing {file}");
}

async fn delete(node: &TestNode, uuid: &str, files: &[&str]) {
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/delete"),
            json!({"root": "/", "files": files}),
        )
        .await;
    assert_eq!(r.status(), 204);
}

fn volume(node: &TestNode, uuid: &str) -> PathBuf {
    node.dir.path().join("volumes").join(uuid)
}

/// Every file and directory under `root` (relative path → content; directories end in `/`).
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let md = p.symlink_metadata().unwrap();
            if md.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Deterministic incompressible bytes.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Starts a backup and waits for its `backup completed` event on `ws`.
async fn backup(
    node: &TestNode,
    ws: &mut WsClient,
    uuid: &str,
    adapter: &str,
    ignore: &str,
) -> (String, BackupCompleted) {
    let backup = new_uuid();
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup"),
            json!({"adapter": adapter, "uuid": backup, "ignore": ignore}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let m = ws
        .wait_for(T, "backup completed", |m| {
            m.event == "backup completed"
                && serde_json::from_str::<BackupCompleted>(&m.args[0])
                    .is_ok_and(|b| b.uuid == backup)
        })
        .await;
    (backup.clone(), serde_json::from_str(&m.args[0]).unwrap())
}

/// Starts a restore, waits for `backup restore completed`, returns what the panel was told.
async fn restore(
    node: &TestNode,
    ws: &mut WsClient,
    uuid: &str,
    backup: &str,
    body: Value,
) -> bool {
    let earlier = node.panel.restore_statuses(backup).len();
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup/{backup}/restore"),
            body,
        )
        .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    ws.wait_for(T, "backup restore completed", |m| {
        m.event == "backup restore completed"
    })
    .await;
    let reported = node.panel.restore_statuses(backup);
    assert_eq!(
        reported.len(),
        earlier + 1,
        "the panel is told once per restore"
    );
    reported[earlier]
}

#[tokio::test]
async fn local_backup_and_restore_round_trip() {
    let (node, backups) = node().await;
    let uuid = installed(&node, None).await;
    let mut ws = connect(&node, &uuid).await;
    write(
        &node,
        &uuid,
        "/.pteroignore",
        b"# build output\n*.log\n/cache/\n".to_vec(),
    )
    .await;
    write(&node, &uuid, "/world/level.dat", noise(200_000, 7)).await;
    write(
        &node,
        &uuid,
        "/config/server.properties",
        b"motd=original\n".to_vec(),
    )
    .await;
    write(
        &node,
        &uuid,
        "/logs/latest.log",
        b"ignored by .pteroignore".to_vec(),
    )
    .await;
    write(
        &node,
        &uuid,
        "/cache/blob.bin",
        b"ignored directory".to_vec(),
    )
    .await;
    write(
        &node,
        &uuid,
        "/plugins/cache/keep.txt",
        b"only the root cache is ignored".to_vec(),
    )
    .await;
    let vol = volume(&node, &uuid);
    let before = snapshot(&vol);

    let (b, done) = backup(&node, &mut ws, &uuid, "wings", "").await;
    assert!(done.is_successful);
    assert_eq!(done.checksum_type, "sha256");
    let file = backups.path().join(format!("{b}.tar.zst"));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(
        done.checksum,
        sha256_of(&bytes[..]).unwrap(),
        "the checksum is the SHA-256 of the file on disk"
    );
    assert_eq!(done.file_size, bytes.len() as u64);
    let reported = node.panel.backup_statuses(&b);
    assert_eq!(reported.len(), 1);
    assert!(reported[0].successful && reported[0].parts.is_empty());
    assert_eq!(
        (reported[0].checksum.as_str(), reported[0].size),
        (done.checksum.as_str(), done.file_size)
    );
    let names: Vec<String> = std::fs::read_dir(backups.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("partial")),
        "no temporary file is left: {names:?}"
    );

    // Change things, then restore with truncation: exactly the backed-up files come back.
    write(
        &node,
        &uuid,
        "/config/server.properties",
        b"motd=changed\n".to_vec(),
    )
    .await;
    delete(&node, &uuid, &["world"]).await;
    write(&node, &uuid, "/new-since-backup.txt", b"goes away".to_vec()).await;
    assert!(
        restore(
            &node,
            &mut ws,
            &uuid,
            &b,
            json!({"adapter": "wings", "truncate_directory": true})
        )
        .await
    );
    let mut expected = before.clone();
    expected.retain(|k, _| !k.starts_with("logs/latest.log") && !k.starts_with("cache/"));
    let mut after = snapshot(&vol);
    // Directories that held only ignored files come back empty.
    after.remove("logs/");
    expected.remove("logs/");
    assert_eq!(after, expected);
    assert!(!vol.join("logs/latest.log").exists() && !vol.join("cache").exists());
    let console = node
        .state
        .manager
        .get(&uuid)
        .unwrap()
        .console_tail(10)
        .join("\n");
    assert!(
        console.contains("Completed server restoration from backup."),
        "{console}"
    );

    // The request's own rules replace .pteroignore.
    let (b2, done2) = backup(&node, &mut ws, &uuid, "wings", "world/\n").await;
    assert!(done2.is_successful);
    delete(
        &node,
        &uuid,
        &["world", "config", "plugins", ".pteroignore"],
    )
    .await;
    assert!(
        restore(
            &node,
            &mut ws,
            &uuid,
            &b2,
            json!({"adapter": "wings", "truncate_directory": false})
        )
        .await
    );
    assert!(!vol.join("world").exists(), "ignored by the request");
    assert!(vol.join(".pteroignore").exists() && vol.join("config/server.properties").exists());

    // Delete: 204, then 404; a deleted backup cannot be restored.
    let path = format!("{}/api/servers/{uuid}/backup/{b}", node.url);
    assert_eq!(
        node.client
            .delete(&path)
            .bearer_auth(&node.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(!file.exists() && !backups.path().join(format!("{b}.tar.zst.sha256")).exists());
    assert_eq!(
        node.client
            .delete(&path)
            .bearer_auth(&node.token)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup/{b}/restore"),
            json!({"adapter": "wings"}),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = node
        .client
        .delete(format!(
            "{}/api/servers/{uuid}/backup/..%2F..%2Fetc",
            node.url
        ))
        .bearer_auth(&node.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup"),
            json!({"adapter": "wings", "uuid": "../x"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup"),
            json!({"adapter": "tape", "uuid": new_uuid()}),
        )
        .await;
    assert_eq!(r.status(), 422);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_tampered_backup_is_refused_and_the_volume_is_untouched() {
    let (node, backups) = node().await;
    let uuid = installed(&node, None).await;
    let mut ws = connect(&node, &uuid).await;
    write(&node, &uuid, "/data.bin", noise(100_000, 3)).await;
    let (b, done) = backup(&node, &mut ws, &uuid, "wings", "").await;
    assert!(done.is_successful);

    let file = backups.path().join(format!("{b}.tar.zst"));
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    write(&node, &uuid, "/after-backup.txt", b"must survive".to_vec()).await;
    let before = snapshot(&volume(&node, &uuid));

    assert!(
        !restore(
            &node,
            &mut ws,
            &uuid,
            &b,
            json!({"adapter": "wings", "truncate_directory": true})
        )
        .await
    );
    assert_eq!(
        snapshot(&volume(&node, &uuid)),
        before,
        "nothing was touched"
    );
    let console = node
        .state
        .manager
        .get(&uuid)
        .unwrap()
        .console_tail(10)
        .join("\n");
    assert!(console.contains("checksum does not match"), "{console}");
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_running_server_is_backed_up_while_it_writes_and_the_restore_starts() {
    let (node, _backups) = node().await;
    // Appends to one file and keeps replacing another while it runs.
    let busy = "bash -c 'echo ready; (while true; do echo tick >> busy.log; head -c 8192 /dev/urandom > churn.tmp && mv churn.tmp churn.bin; sleep 0.005; done) & while read l; do if [ \"$l\" = quit ]; then echo bye; exit 0; fi; done'";
    let uuid = installed(&node, Some(busy)).await;
    write(&node, &uuid, "/world/level.dat", noise(500_000, 11)).await;
    let mut ws = connect(&node, &uuid).await;
    ws.send("set state", &["start"]).await;
    ws.wait_for(T, "status running", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;

    // A restore is refused while the server runs.
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup/{}/restore", new_uuid()),
            json!({"adapter": "wings", "truncate_directory": true}),
        )
        .await;
    assert_eq!(r.status(), 409);

    let deadline = tokio::time::Instant::now() + T;
    while !volume(&node, &uuid).join("churn.bin").exists() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server never wrote"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (b, done) = backup(&node, &mut ws, &uuid, "wings", "").await;
    assert!(done.is_successful, "a backup of a running server succeeds");

    assert_eq!(
        node.post(
            &format!("/api/servers/{uuid}/power"),
            json!({"action": "stop"})
        )
        .await
        .status(),
        202
    );
    ws.wait_for(T, "status offline", |m| {
        m.event == "status" && m.args == ["offline"]
    })
    .await;
    delete(&node, &uuid, &["world"]).await;

    assert!(
        restore(
            &node,
            &mut ws,
            &uuid,
            &b,
            json!({"adapter": "wings", "truncate_directory": true})
        )
        .await
    );
    let vol = volume(&node, &uuid);
    assert_eq!(
        std::fs::read(vol.join("world/level.dat")).unwrap(),
        noise(500_000, 11)
    );
    assert!(
        std::fs::read_to_string(vol.join("busy.log"))
            .unwrap()
            .lines()
            .all(|l| l == "tick"),
        "no torn lines"
    );
    assert_eq!(
        std::fs::metadata(vol.join("churn.bin")).unwrap().len(),
        8192
    );

    ws.send("set state", &["start"]).await;
    ws.wait_for(T, "status running after the restore", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn the_signed_download_works_once() {
    let (node, _backups) = node().await;
    let uuid = installed(&node, None).await;
    let mut ws = connect(&node, &uuid).await;
    write(&node, &uuid, "/a.txt", b"hello".to_vec()).await;
    let (b, done) = backup(&node, &mut ws, &uuid, "wings", "").await;

    let now = aerie_testkit::node::now();
    let claims = BackupDownloadClaims {
        exp: now + 900,
        iat: now,
        unique_id: new_uuid(),
        server_uuid: uuid.clone(),
        backup_uuid: b.clone(),
    };
    let token = aerie_jwt::sign(&claims, node.token.as_bytes(), None).unwrap();
    let url = format!("{}/download/backup?token={token}", node.url);
    let r = node.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(disposition, format!("attachment; filename=\"{b}.tar.zst\""));
    let body = r.bytes().await.unwrap();
    assert_eq!(sha256_of(&body[..]).unwrap(), done.checksum);
    assert_eq!(
        node.client.get(&url).send().await.unwrap().status(),
        403,
        "single use"
    );

    let forged = aerie_jwt::sign(
        &BackupDownloadClaims {
            unique_id: new_uuid(),
            ..claims.clone()
        },
        b"not-the-key",
        None,
    )
    .unwrap();
    let r = node
        .client
        .get(format!("{}/download/backup?token={forged}", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let missing = aerie_jwt::sign(
        &BackupDownloadClaims {
            unique_id: new_uuid(),
            backup_uuid: new_uuid(),
            ..claims
        },
        node.token.as_bytes(),
        None,
    )
    .unwrap();
    let r = node
        .client
        .get(format!("{}/download/backup?token={missing}", node.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    node.cleanup(&uuid).await;
}

/// The panel's side of S3, through boto3 in the moto venv.
const PANEL_S3: &str = r#"
import hashlib, json, sys
import boto3
from botocore.config import Config
endpoint, action, bucket, key = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="aerie",
                  aws_secret_access_key="aerie-secret", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
if action == "prepare":
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    urls = [s3.generate_presigned_url("upload_part", Params={"Bucket": bucket, "Key": key, "UploadId": upload, "PartNumber": n},
                                      ExpiresIn=3600) for n in range(1, int(sys.argv[5]) + 1)]
    print(json.dumps({"upload_id": upload, "parts": urls}))
elif action == "complete":
    upload, parts = sys.argv[5], json.loads(sys.argv[6])
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={
        "Parts": [{"ETag": p["etag"], "PartNumber": p["part_number"]} for p in parts]})
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600)
    print(json.dumps({"sha256": hashlib.sha256(body).hexdigest(), "size": len(body), "download_url": url}))
"#;

fn s3_python() -> String {
    std::env::var("AERIE_TEST_S3_PYTHON").unwrap_or_else(|_| {
        let state = std::env::var("AERIE_STATE").unwrap_or_else(|_| "/var/tmp/aerie-dev".into());
        format!("{state}/moto/bin/python")
    })
}

async fn panel_s3(endpoint: &str, args: &[&str]) -> Value {
    let out = tokio::process::Command::new(s3_python())
        .arg("-c")
        .arg(PANEL_S3)
        .arg(endpoint)
        .args(args)
        .output()
        .await
        .expect("run the moto venv's python (scripts/setup-s3)");
    assert!(
        out.status.success(),
        "boto3 script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn s3_backup_round_trip() {
    let endpoint = std::env::var("AERIE_TEST_S3_URL").expect(
        "AERIE_TEST_S3_URL is not set: run `eval \"$(scripts/setup-s3)\"` (scripts/test does)",
    );
    let (node, backups) = node().await;
    let uuid = installed(&node, None).await;
    let mut ws = connect(&node, &uuid).await;
    // Incompressible, so the archive needs several 5 MiB parts (S3's minimum part size).
    write(
        &node,
        &uuid,
        "/world/region.bin",
        noise(11 * 1024 * 1024, 5),
    )
    .await;
    write(&node, &uuid, "/config.yml", b"name: s3\n".to_vec()).await;
    let before = snapshot(&volume(&node, &uuid));

    // The panel creates the multipart upload and presigns part URLs (more than needed: wings
    // asks with the archive's size and gets as many as that takes).
    let bucket = "aerie-backups";
    let backup_uuid = new_uuid();
    let key = format!("{uuid}/{backup_uuid}.tar.zst");
    let prepared = panel_s3(&endpoint, &["prepare", bucket, &key, "6"]).await;
    let part_size = 5 * 1024 * 1024;
    let urls: Vec<String> = serde_json::from_value(prepared["parts"].clone()).unwrap();
    node.panel.backup_parts.lock().unwrap().insert(
        backup_uuid.clone(),
        BackupUploadParts {
            parts: urls,
            part_size,
        },
    );

    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup"),
            json!({"adapter": "s3", "uuid": backup_uuid, "ignore": ""}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let m = ws
        .wait_for(T, "backup completed", |m| m.event == "backup completed")
        .await;
    let done: BackupCompleted = serde_json::from_str(&m.args[0]).unwrap();
    assert!(done.is_successful, "{done:?}");
    let status = node.panel.backup_statuses(&backup_uuid).pop().unwrap();
    assert!(status.successful);
    assert_eq!(
        node.panel.part_requests.lock().unwrap().clone(),
        vec![(backup_uuid.clone(), status.size)]
    );
    let expected_parts = status.size.div_ceil(part_size);
    assert!(
        expected_parts >= 3,
        "the archive spans several parts ({} bytes)",
        status.size
    );
    assert_eq!(status.parts.len() as u64, expected_parts);
    assert!(
        status
            .parts
            .iter()
            .enumerate()
            .all(|(i, p)| p.part_number as usize == i + 1 && !p.etag.is_empty())
    );
    assert_eq!(
        std::fs::read_dir(backups.path()).unwrap().count(),
        0,
        "the temporary archive is removed after the upload"
    );

    // The panel completes the upload; the object is exactly what wings hashed.
    let parts = serde_json::to_string(&status.parts).unwrap();
    let object = panel_s3(
        &endpoint,
        &[
            "complete",
            bucket,
            &key,
            prepared["upload_id"].as_str().unwrap(),
            &parts,
        ],
    )
    .await;
    assert_eq!(object["sha256"], status.checksum);
    assert_eq!(object["size"], status.size);

    // Restore from the presigned download URL.
    delete(&node, &uuid, &["world", "config.yml"]).await;
    write(
        &node,
        &uuid,
        "/stray.txt",
        b"removed by truncation".to_vec(),
    )
    .await;
    let url = object["download_url"].as_str().unwrap();
    assert!(
        restore(
            &node,
            &mut ws,
            &uuid,
            &backup_uuid,
            json!({"adapter": "s3", "truncate_directory": true, "download_url": url})
        )
        .await
    );
    assert_eq!(snapshot(&volume(&node, &uuid)), before);

    // A download that fails leaves the volume alone.
    let before = snapshot(&volume(&node, &uuid));
    let gone = format!("{endpoint}/{bucket}/no-such-object");
    assert!(
        !restore(
            &node,
            &mut ws,
            &uuid,
            &backup_uuid,
            json!({"adapter": "s3", "truncate_directory": true, "download_url": gone})
        )
        .await
    );
    assert_eq!(snapshot(&volume(&node, &uuid)), before);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn failed_backups_are_reported_and_leave_nothing_behind() {
    // S3: the panel has no upload for this backup, so asking for part URLs fails.
    let (node, backups) = node().await;
    let uuid = installed(&node, None).await;
    let mut ws = connect(&node, &uuid).await;
    let (b, done) = backup(&node, &mut ws, &uuid, "s3", "").await;
    assert!(!done.is_successful);
    assert_eq!((done.checksum.as_str(), done.file_size), ("", 0));
    let reported = node.panel.backup_statuses(&b);
    assert_eq!(reported.len(), 1);
    assert!(!reported[0].successful && reported[0].parts.is_empty());
    assert_eq!(
        std::fs::read_dir(backups.path()).unwrap().count(),
        0,
        "the temporary archive is removed"
    );
    node.cleanup(&uuid).await;

    // Local: the backup directory cannot be created (a file is in the way).
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let dir = blocker.path().join("backups");
    let node = TestNode::start_with(move |s| s.backup_dir = dir).await;
    let uuid = installed(&node, None).await;
    let mut ws = connect(&node, &uuid).await;
    let (b, done) = backup(&node, &mut ws, &uuid, "wings", "").await;
    assert!(!done.is_successful);
    assert!(!node.panel.backup_statuses(&b)[0].successful);
    node.cleanup(&uuid).await;
}

/// The remote API calls for backups, against a stand-in panel that records them.
#[tokio::test]
async fn the_remote_client_speaks_the_panel_backup_routes() {
    use aerie_proto::wings::{BackupPart, BackupStatus};
    use aerie_wings::remote::RemoteClient;
    use axum::extract::{Path as UrlPath, Query, State};
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<(String, Value)>>>;
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route(
            "/api/remote/backups/{uuid}",
            axum::routing::get(|State(s): State<Seen>, UrlPath(u): UrlPath<String>, Query(q): Query<BTreeMap<String, String>>| async move {
                s.lock().unwrap().push((format!("GET {u}"), json!(q)));
                axum::Json(json!({"parts": ["http://s3.test/1", "http://s3.test/2"], "part_size": 5242880}))
            })
            .post(|State(s): State<Seen>, UrlPath(u): UrlPath<String>, axum::Json(b): axum::Json<Value>| async move {
                s.lock().unwrap().push((format!("POST {u}"), b));
                axum::http::StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/api/remote/backups/{uuid}/restore",
            axum::routing::post(|State(s): State<Seen>, UrlPath(u): UrlPath<String>, axum::Json(b): axum::Json<Value>| async move {
                s.lock().unwrap().push((format!("RESTORE {u}"), b));
                axum::http::StatusCode::NO_CONTENT
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = aerie_wings::config::WingsFile {
        remote: url,
        token_id: "abcdefghijklmnop".into(),
        token: "t".repeat(64),
        ..Default::default()
    };
    let client = RemoteClient::new(&config).unwrap();
    let parts = client.backup_upload_parts("b-1", 7_000_000).await.unwrap();
    assert_eq!((parts.parts.len(), parts.part_size), (2, 5_242_880));
    let status = BackupStatus {
        successful: true,
        checksum: "ab".repeat(32),
        checksum_type: "sha256".into(),
        size: 7_000_000,
        parts: vec![
            BackupPart {
                etag: "\"e1\"".into(),
                part_number: 1,
            },
            BackupPart {
                etag: "\"e2\"".into(),
                part_number: 2,
            },
        ],
    };
    client.set_backup_status("b-1", &status).await.unwrap();
    client.set_restore_status("b-1", false).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], ("GET b-1".to_owned(), json!({"size": "7000000"})));
    assert_eq!(
        seen[1],
        (
            "POST b-1".to_owned(),
            json!({"successful": true, "checksum": "ab".repeat(32), "checksum_type": "sha256", "size": 7_000_000,
                   "parts": [{"etag": "\"e1\"", "part_number": 1}, {"etag": "\"e2\"", "part_number": 2}]})
        )
    );
    assert_eq!(
        seen[2],
        ("RESTORE b-1".to_owned(), json!({"successful": false}))
    );
}
