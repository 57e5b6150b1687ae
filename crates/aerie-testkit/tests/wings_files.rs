//! The wings file API over HTTP, through the jail: everyday operations, escapes refused,
//! the disk limit, and the single-use signed download/upload URLs.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aerie_proto::wings::{FileDownloadClaims, FileUploadClaims};
use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use serde_json::{Value, json};

async fn installed(node: &TestNode, disk_mb: i64) -> String {
    let (mut server, script) = echo_server(&new_uuid());
    server.settings.build.disk_space = disk_mb;
    node.install(server, script, Duration::from_secs(30)).await
}

fn url(node: &TestNode, uuid: &str, rest: &str) -> String {
    format!("{}/api/servers/{uuid}/files/{rest}", node.url)
}

async fn write(node: &TestNode, uuid: &str, file: &str, body: &'static [u8]) -> reqwest::Response {
    node.client
        .post(url(node, uuid, &format!("write?file={}", urlencode(file))))
        .bearer_auth(&node.token)
        .body(body)
        .send()
        .await
        .unwrap()
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

async fn contents(node: &TestNode, uuid: &str, file: &str) -> reqwest::Response {
    node.client
        .get(url(
            node,
            uuid,
            &format!("contents?file={}", urlencode(file)),
        ))
        .bearer_auth(&node.token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn everyday_file_operations() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;

    // The install script's file is listed with Wings' Stat shape.
    let list: Value = node
        .get(&format!(
            "/api/servers/{uuid}/files/list-directory?directory=/"
        ))
        .await
        .json()
        .await
        .unwrap();
    let hello = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "hello.txt")
        .expect("hello.txt listed");
    assert_eq!(hello["file"], true);
    assert_eq!(hello["size"], 3);
    for key in [
        "created",
        "modified",
        "mode",
        "mode_bits",
        "directory",
        "symlink",
        "mime",
    ] {
        assert!(hello.get(key).is_some(), "{key} missing: {hello}");
    }

    // Write creates parents; contents returns the bytes with the mime header.
    assert_eq!(
        write(&node, &uuid, "/config/server.properties", b"motd=hi\n")
            .await
            .status(),
        204
    );
    let r = contents(&node, &uuid, "/config/server.properties").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-mime-type"));
    assert_eq!(r.text().await.unwrap(), "motd=hi\n");

    // Copy uses Pterodactyl's naming; rename moves; create-directory; chmod as string and number.
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/copy"),
            json!({"location": "/config/server.properties"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        contents(&node, &uuid, "/config/server copy.properties")
            .await
            .status(),
        200
    );
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/create-directory"),
            json!({"name": "backup", "path": "/config"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = node
        .client
        .put(url(&node, &uuid, "rename"))
        .bearer_auth(&node.token)
        .json(&json!({"root": "/config", "files": [{"from": "server copy.properties", "to": "backup/old.properties"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        contents(&node, &uuid, "/config/backup/old.properties")
            .await
            .text()
            .await
            .unwrap(),
        "motd=hi\n"
    );
    let r = node
        .client
        .put(url(&node, &uuid, "rename"))
        .bearer_auth(&node.token)
        .json(&json!({"root": "/", "files": [{"from": "hello.txt", "to": "config/server.properties"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "renaming onto an existing file is refused (400, as Wings)"
    );
    assert_eq!(
        contents(&node, &uuid, "/config/server.properties")
            .await
            .text()
            .await
            .unwrap(),
        "motd=hi\n",
        "nothing lost"
    );

    for mode in [json!("600"), json!(640)] {
        let r = node
            .post(
                &format!("/api/servers/{uuid}/files/chmod"),
                json!({"root": "/config", "files": [{"file": "server.properties", "mode": mode}]}),
            )
            .await;
        assert_eq!(r.status(), 204);
    }
    let list: Value = node
        .get(&format!(
            "/api/servers/{uuid}/files/list-directory?directory=/config"
        ))
        .await
        .json()
        .await
        .unwrap();
    let props = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "server.properties")
        .unwrap();
    assert_eq!(props["mode_bits"], "640");
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/chmod"),
            json!({"files": [{"file": "hello.txt", "mode": "4755"}]}),
        )
        .await;
    assert_eq!(r.status(), 400, "setuid is refused");

    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/delete"),
            json!({"root": "/config", "files": ["backup"]}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        contents(&node, &uuid, "/config/backup/old.properties")
            .await
            .status(),
        404
    );
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/delete"),
            json!({"root": "/", "files": ["/"]}),
        )
        .await;
    assert!(
        r.status().is_client_error(),
        "the root itself cannot be deleted"
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn escapes_through_the_api_are_refused() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let server = node.state.manager.get(&uuid).unwrap();
    let outside = node.dir.path().join("outside-secret.txt");
    std::fs::write(&outside, "top secret").unwrap();
    std::os::unix::fs::symlink("/", server.volume().join("rootlink")).unwrap();
    std::os::unix::fs::symlink(&outside, server.volume().join("secretlink")).unwrap();

    for path in [
        "../../../../etc/passwd",
        "/../outside-secret.txt",
        "rootlink/etc/passwd",
        "secretlink",
        "/rootlink/etc/shadow",
    ] {
        let r = contents(&node, &uuid, path).await;
        assert!(r.status().is_client_error(), "{path} → {}", r.status());
        let body = r.text().await.unwrap();
        assert!(
            !body.contains("root:") && !body.contains("top secret"),
            "{path} leaked"
        );
    }
    // Writing through a symlink to the outside never touches the outside file.
    let r = write(&node, &uuid, "secretlink", b"owned").await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let r = write(&node, &uuid, "rootlink/tmp/aerie-escape", b"owned").await;
    assert!(r.status().is_client_error());
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "top secret");
    assert!(!std::path::Path::new("/tmp/aerie-escape").exists());
    // Deleting through the link deletes nothing outside.
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/delete"),
            json!({"root": "/rootlink", "files": ["tmp"]}),
        )
        .await;
    assert!(r.status().is_client_error());
    assert!(std::path::Path::new("/tmp").exists());
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn the_disk_limit_refuses_writes_without_losing_the_old_file() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 1).await;
    assert_eq!(
        write(&node, &uuid, "keep.txt", b"precious").await.status(),
        204
    );
    static BIG: [u8; 2 * 1024 * 1024] = [7u8; 2 * 1024 * 1024];
    let r = write(&node, &uuid, "keep.txt", &BIG).await;
    assert_eq!(r.status(), 409, "{}", r.text().await.unwrap());
    assert_eq!(
        contents(&node, &uuid, "keep.txt")
            .await
            .text()
            .await
            .unwrap(),
        "precious"
    );
    node.cleanup(&uuid).await;
}

/// A chunked upload (no `Content-Length`) of `chunks` blocks of 1 MiB, each filled with its
/// index, so a misordered or lost block shows in the content.
async fn write_chunked(node: &TestNode, uuid: &str, file: &str, chunks: u8) -> reqwest::Response {
    let blocks = futures_util::stream::iter(
        (0..chunks).map(|i| Ok::<_, std::io::Error>(vec![i; 1024 * 1024])),
    );
    node.client
        .post(url(node, uuid, &format!("write?file={}", urlencode(file))))
        .bearer_auth(&node.token)
        .body(reqwest::Body::wrap_stream(blocks))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_chunked_upload_arrives_whole_and_in_order_and_cannot_pass_the_limit() {
    let node = TestNode::start().await;
    let unlimited = installed(&node, 0).await;
    let r = write_chunked(&node, &unlimited, "big.bin", 5).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let body = contents(&node, &unlimited, "big.bin").await;
    assert_eq!(body.status(), 200);
    let bytes = body.bytes().await.unwrap();
    assert_eq!(bytes.len(), 5 * 1024 * 1024);
    for (i, block) in bytes.chunks(1024 * 1024).enumerate() {
        assert!(
            block.iter().all(|b| usize::from(*b) == i),
            "block {i} is wrong"
        );
    }
    node.cleanup(&unlimited).await;

    // 1 MB limit, 3 MiB streamed without a declared length: refused mid-stream, with the
    // limit never crossed on disk.
    let limited = installed(&node, 1).await;
    let r = write_chunked(&node, &limited, "big.bin", 3).await;
    assert_eq!(r.status(), 409, "{}", r.text().await.unwrap());
    let on_disk = node
        .state
        .manager
        .get(&limited)
        .unwrap()
        .volume()
        .join("big.bin");
    let len = std::fs::metadata(&on_disk).map_or(0, |m| m.len());
    assert!(len <= 1024 * 1024, "{len} bytes written past a 1 MiB limit");
    node.cleanup(&limited).await;
}

#[tokio::test]
async fn signed_download_and_upload_urls_work_once() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let now = aerie_testkit::node::now();
    let claims = FileDownloadClaims {
        exp: now + 900,
        iat: now,
        unique_id: new_uuid(),
        server_uuid: uuid.clone(),
        file_path: "/hello.txt".into(),
    };
    let token = aerie_jwt::sign(&claims, node.token.as_bytes(), None).unwrap();
    let dl = format!("{}/download/file?token={token}", node.url);
    let r = node.client.get(&dl).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("hello.txt")
    );
    assert_eq!(r.text().await.unwrap(), "hi\n");
    assert_eq!(
        node.client.get(&dl).send().await.unwrap().status(),
        403,
        "single use"
    );
    let forged = aerie_jwt::sign(
        &FileDownloadClaims {
            unique_id: new_uuid(),
            ..claims.clone()
        },
        b"wrong-key",
        None,
    )
    .unwrap();
    assert_eq!(
        node.client
            .get(format!("{}/download/file?token={forged}", node.url))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let expired = aerie_jwt::sign(
        &FileDownloadClaims {
            unique_id: new_uuid(),
            exp: now - 1,
            ..claims
        },
        node.token.as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(
        node.client
            .get(format!("{}/download/file?token={expired}", node.url))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // Upload two files into a directory in one request.
    let up = FileUploadClaims {
        exp: now + 900,
        iat: now,
        unique_id: new_uuid(),
        server_uuid: uuid.clone(),
        user_uuid: "u-1".into(),
    };
    let token = aerie_jwt::sign(&up, node.token.as_bytes(), None).unwrap();
    let form = reqwest::multipart::Form::new()
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"one".to_vec()).file_name("a.txt"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(vec![b'x'; 300_000]).file_name("../../escape.bin"),
        );
    let r = node
        .client
        .post(format!(
            "{}/upload/file?token={token}&directory=/uploads",
            node.url
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        contents(&node, &uuid, "/uploads/a.txt")
            .await
            .text()
            .await
            .unwrap(),
        "one"
    );
    assert_eq!(
        contents(&node, &uuid, "/uploads/escape.bin")
            .await
            .bytes()
            .await
            .unwrap()
            .len(),
        300_000,
        "the name is reduced to its last part"
    );
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(b"two".to_vec()).file_name("b.txt"),
    );
    let r = node
        .client
        .post(format!(
            "{}/upload/file?token={token}&directory=/uploads",
            node.url
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "single use");
    node.cleanup(&uuid).await;
}

/// Browsers on the panel's page upload straight to wings, which needs CORS: the preflight
/// is answered with 204 and the panel's origin; any other origin is not echoed back.
#[tokio::test]
async fn cors_lets_the_panel_page_call_wings_and_nobody_else() {
    let node = aerie_testkit::node::TestNode::start_with(|s| {
        s.allowed_origins = vec!["https://ui.example.com".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        node.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/upload/file?token=x", node.url),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .send()
    };
    for (origin, expected) in [
        ("http://panel.test", "http://panel.test"),
        ("https://ui.example.com", "https://ui.example.com"),
        ("https://evil.example", "http://panel.test"),
    ] {
        let resp = preflight(origin).await.unwrap();
        assert_eq!(resp.status(), 204, "{origin}");
        assert_eq!(
            resp.headers()["access-control-allow-origin"],
            expected,
            "{origin}"
        );
        assert!(
            resp.headers()["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
    }
    // A real request carries the header too, and still needs its credentials.
    let resp = node
        .client
        .get(format!("{}/api/servers", node.url))
        .header("Origin", "http://panel.test")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://panel.test"
    );
}

/// Sends a `files/write` of `body` over a raw connection: the headers with the first 64 KiB,
/// then the rest in pieces with pauses, so part of the body reaches wings through hyper and
/// the rest straight from the socket. Returns the response head.
async fn raw_upload(node: &TestNode, uuid: &str, file: &str, body: &[u8], expect: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = node.url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/servers/{uuid}/files/write?file={} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n{}\r\n",
        urlencode(file),
        node.token,
        body.len(),
        if expect {
            "Expect: 100-continue\r\n"
        } else {
            ""
        }
    );
    let mut sent = 0;
    if expect {
        s.write_all(head.as_bytes()).await.unwrap();
        let mut interim = [0u8; 25];
        tokio::time::timeout(Duration::from_secs(2), s.read_exact(&mut interim))
            .await
            .expect("no answer to Expect")
            .unwrap();
        if &interim != b"HTTP/1.1 100 Continue\r\n\r\n" {
            // Refused before the body was sent.
            let mut rest = interim.to_vec();
            s.read_to_end(&mut rest).await.unwrap();
            return String::from_utf8_lossy(&rest).to_ascii_lowercase();
        }
    } else {
        let mut first = head.into_bytes();
        first.extend_from_slice(&body[..65_536]);
        s.write_all(&first).await.unwrap();
        sent = 65_536;
    }
    for piece in body[sent..].chunks(700_000) {
        tokio::time::sleep(Duration::from_millis(10)).await;
        s.write_all(piece).await.unwrap();
    }
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut response))
        .await
        .expect("wings kept the connection open after the upload")
        .unwrap();
    String::from_utf8_lossy(&response).to_ascii_lowercase()
}

#[tokio::test]
async fn a_large_upload_read_from_the_socket_arrives_exactly() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let body: Vec<u8> = (0..5 * 1024 * 1024 + 3)
        .map(|i: usize| (i * 7 % 253) as u8)
        .collect();
    for expect in [false, true] {
        let name = format!("raw-{expect}.bin");
        let response = raw_upload(&node, &uuid, &name, &body, expect).await;
        assert!(response.starts_with("http/1.1 204"), "{response}");
        assert!(response.contains("connection: close"), "{response}");
        let r = contents(&node, &uuid, &name).await;
        assert_eq!(r.status(), 200);
        assert!(
            r.bytes().await.unwrap() == body,
            "the file differs from the upload"
        );
    }
    // The disk limit is checked against the declared length before the body is asked for.
    let limited = installed(&node, 1).await;
    let response = raw_upload(&node, &limited, "big.bin", &body, true).await;
    assert!(response.starts_with("http/1.1 409"), "{response}");
    node.cleanup(&uuid).await;
    node.cleanup(&limited).await;
}
