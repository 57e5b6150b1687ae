//! The wings archive routes over HTTP, through the jail: compress then decompress in every
//! format, a zip-slip archive refused with nothing written outside, a decompression bomb and
//! the disk limit refused with the volume unchanged, and unknown formats.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use serde_json::{Value, json};

async fn installed(node: &TestNode, disk_mb: i64) -> String {
    let (mut server, script) = echo_server(&new_uuid());
    server.settings.build.disk_space = disk_mb;
    node.install(server, script, Duration::from_secs(30)).await
}

fn files_url(node: &TestNode, uuid: &str, rest: &str) -> String {
    format!("{}/api/servers/{uuid}/files/{rest}", node.url)
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

async fn write(node: &TestNode, uuid: &str, file: &str, body: Vec<u8>) -> reqwest::Response {
    node.client
        .post(files_url(
            node,
            uuid,
            &format!("write?file={}", urlencode(file)),
        ))
        .bearer_auth(&node.token)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn contents(node: &TestNode, uuid: &str, file: &str) -> reqwest::Response {
    node.client
        .get(files_url(
            node,
            uuid,
            &format!("contents?file={}", urlencode(file)),
        ))
        .bearer_auth(&node.token)
        .send()
        .await
        .unwrap()
}

async fn compress(node: &TestNode, uuid: &str, body: Value) -> reqwest::Response {
    node.post(&format!("/api/servers/{uuid}/files/compress"), body)
        .await
}

async fn decompress(node: &TestNode, uuid: &str, root: &str, file: &str) -> reqwest::Response {
    node.post(
        &format!("/api/servers/{uuid}/files/decompress"),
        json!({"root": root, "file": file}),
    )
    .await
}

fn volume(node: &TestNode, uuid: &str) -> PathBuf {
    node.state.manager.get(uuid).unwrap().volume()
}

/// Every path under `dir` with its kind and a digest of its content, read from the host.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = format!("{prefix}/{}", e.file_name().to_string_lossy());
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                out.insert(name.clone(), "dir".into());
                walk(&e.path(), &name, out);
            } else {
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                let sum = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                out.insert(
                    name,
                    format!(
                        "{} {} {sum:x}",
                        if m.file_type().is_symlink() {
                            "link"
                        } else {
                            "file"
                        },
                        bytes.len()
                    ),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// Deterministic bytes that do not compress.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A ustar archive written by hand, names verbatim (this crate has no tar library, and a
/// library would refuse the hostile names anyway).
fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

#[tokio::test]
async fn compress_then_decompress_in_every_format() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let level = noise(40_000, 1);
    let region = noise(300_000, 2);
    assert_eq!(
        write(&node, &uuid, "/world/level.dat", level.clone())
            .await
            .status(),
        204
    );
    assert_eq!(
        write(&node, &uuid, "/world/region/r.0.0.mca", region.clone())
            .await
            .status(),
        204
    );
    assert_eq!(
        write(
            &node,
            &uuid,
            "/server.properties",
            b"motd=archived\n".to_vec()
        )
        .await
        .status(),
        204
    );

    for (format, ext, mime) in [
        (None, "tar.gz", "application/tar+gzip"),
        (Some("zip"), "zip", "application/zip"),
        (Some("tar.zst"), "tar.zst", "application/zstd"),
    ] {
        let mut body = json!({"root": "/", "files": ["world", "server.properties"]});
        if let Some(f) = format {
            body["format"] = json!(f);
        }
        let r = compress(&node, &uuid, body).await;
        assert_eq!(r.status(), 200, "{ext}");
        let stat: Value = r.json().await.unwrap();
        let name = stat["name"].as_str().unwrap().to_owned();
        assert!(
            name.starts_with("archive-") && name.ends_with(&format!(".{ext}")),
            "{stat}"
        );
        assert_eq!(stat["mime"], mime);
        assert_eq!(stat["file"], true);
        assert!(stat["size"].as_u64().unwrap() > 300_000, "{stat}");
        for key in [
            "created",
            "modified",
            "mode",
            "mode_bits",
            "directory",
            "symlink",
        ] {
            assert!(stat.get(key).is_some(), "{key} missing: {stat}");
        }

        // Move it elsewhere and unpack it there.
        let dir = format!("restore-{}", ext.replace('.', "-"));
        let r = node
            .client
            .put(files_url(&node, &uuid, "rename"))
            .bearer_auth(&node.token)
            .json(&json!({"root": "/", "files": [{"from": name, "to": format!("{dir}/{name}")}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = decompress(&node, &uuid, &format!("/{dir}"), &name).await;
        assert_eq!(r.status(), 204, "{ext}: {}", r.text().await.unwrap());
        let got = async |p: &str| {
            contents(&node, &uuid, &format!("/{dir}/{p}"))
                .await
                .bytes()
                .await
                .unwrap()
                .to_vec()
        };
        assert_eq!(got("world/level.dat").await, level, "{ext}");
        assert_eq!(got("world/region/r.0.0.mca").await, region, "{ext}");
        assert_eq!(got("server.properties").await, b"motd=archived\n", "{ext}");
        let listing: Value = node
            .get(&format!(
                "/api/servers/{uuid}/files/list-directory?directory=/{dir}"
            ))
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = listing
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names.len(),
            3,
            "world, server.properties and the archive, no staging left: {names:?}"
        );
    }

    let r = compress(
        &node,
        &uuid,
        json!({"root": "/", "files": ["world"], "format": "rar"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = compress(&node, &uuid, json!({"root": "/", "files": []})).await;
    assert_eq!(r.status(), 422);
    let r = compress(
        &node,
        &uuid,
        json!({"root": "/", "files": ["does-not-exist"]}),
    )
    .await;
    assert_eq!(r.status(), 404);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_zip_slip_archive_is_refused_and_nothing_lands_outside() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let vol = volume(&node, &uuid);
    let outside = vol.parent().unwrap().to_path_buf();
    let marker = format!("aerie-slip-{}", new_uuid());
    let names = [
        format!("../../{marker}"),
        format!("/tmp/{marker}"),
        format!("a/../../{marker}"),
    ];
    for bad in &names {
        assert_eq!(
            write(&node, &uuid, "/config.yml", b"original".to_vec())
                .await
                .status(),
            204
        );
        let archive = tar(&[
            ("config.yml", b"overwritten"),
            ("ok.txt", b"fine"),
            (bad, b"pwned"),
        ]);
        assert_eq!(
            write(&node, &uuid, "/up/slip.tar", archive).await.status(),
            204
        );
        let before = snapshot(&vol);
        let outside_before = snapshot(&outside);

        let r = decompress(&node, &uuid, "/up", "slip.tar").await;
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert!(status == 400 || status == 409, "{bad}: {status} {body}");
        assert!(
            body["error"].as_str().unwrap().contains(bad.as_str()),
            "the error names the entry: {body}"
        );

        assert_eq!(snapshot(&vol), before, "{bad}: the volume changed");
        assert_eq!(
            snapshot(&outside),
            outside_before,
            "{bad}: something was written outside the volume"
        );
        assert!(!Path::new("/tmp").join(&marker).exists());
        assert!(
            !outside.join(&marker).exists() && !outside.parent().unwrap().join(&marker).exists()
        );
        assert_eq!(
            contents(&node, &uuid, "/config.yml")
                .await
                .text()
                .await
                .unwrap(),
            "original"
        );
    }
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_and_the_volume_is_unchanged() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let vol = volume(&node, &uuid);
    // 24 MiB of zeros, made into a tar.zst by wings itself: a few hundred bytes.
    assert_eq!(
        write(&node, &uuid, "/zeros.bin", vec![0u8; 24 << 20])
            .await
            .status(),
        204
    );
    let r = compress(
        &node,
        &uuid,
        json!({"root": "/", "files": ["zeros.bin"], "format": "tar.zst"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let stat: Value = r.json().await.unwrap();
    let archive = stat["name"].as_str().unwrap().to_owned();
    assert!(stat["size"].as_u64().unwrap() < 10_000, "{stat}");
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/delete"),
            json!({"root": "/", "files": ["zeros.bin"]}),
        )
        .await;
    assert_eq!(r.status(), 204);

    let before = snapshot(&vol);
    let r = decompress(&node, &uuid, "/", &archive).await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("times its own size"),
        "{body}"
    );
    assert_eq!(snapshot(&vol), before, "nothing of the bomb was kept");
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn the_disk_limit_stops_compress_and_decompress() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 20).await;
    let vol = volume(&node, &uuid);
    assert_eq!(
        write(&node, &uuid, "/data.bin", noise(8 << 20, 3))
            .await
            .status(),
        204
    );
    let r = compress(&node, &uuid, json!({"root": "/", "files": ["data.bin"]})).await;
    assert_eq!(r.status(), 200, "8 MiB more fits in 20 MiB");
    let archive = r.json::<Value>().await.unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();

    // A second archive would not fit: refused, and no partial archive is left.
    let before = snapshot(&vol);
    let r = compress(
        &node,
        &uuid,
        json!({"root": "/", "files": ["data.bin"], "format": "zip"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    assert_eq!(snapshot(&vol), before);

    // Unpacking 8 MiB more would not fit either.
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/create-directory"),
            json!({"name": "restore", "path": "/"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let before = snapshot(&vol);
    let r = decompress(&node, &uuid, "/restore", &format!("../{archive}")).await;
    assert_eq!(r.status(), 409, "{}", r.text().await.unwrap());
    assert_eq!(
        snapshot(&vol),
        before,
        "what was unpacked before the limit was removed"
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn unknown_formats_are_bad_requests() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    assert_eq!(
        write(
            &node,
            &uuid,
            "/x.rar",
            b"Rar!\x1a\x07\x00 not really".to_vec()
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        write(&node, &uuid, "/y.zip", b"just text".to_vec())
            .await
            .status(),
        204
    );
    for file in ["x.rar", "y.zip"] {
        let r = decompress(&node, &uuid, "/", file).await;
        assert_eq!(r.status(), 400, "{file}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("supported format"),
            "{body}"
        );
    }
    assert_eq!(
        decompress(&node, &uuid, "/", "missing.tar.gz")
            .await
            .status(),
        404
    );
    assert_eq!(decompress(&node, &uuid, "/", "").await.status(), 422);
    let r = node
        .client
        .post(files_url(&node, &uuid, "decompress"))
        .bearer_auth("wrong")
        .json(&json!({"root": "/", "file": "x.rar"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "the node token is required");
    node.cleanup(&uuid).await;
}
