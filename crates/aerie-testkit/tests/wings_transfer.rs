//! Moving a server from one wings to another, both real, with the archive streamed between
//! them over HTTP and the checksum verified; a failed transfer leaves the source untouched.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aerie_proto::wings::{PowerAction, ProcessState};
use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use aerie_wings::transfer::TransferClaims;
use serde_json::json;

const T: Duration = Duration::from_secs(30);

async fn installed_on(node: &TestNode, uuid: &str) {
    let (server, script) = echo_server(uuid);
    node.panel.put(server, script);
    assert_eq!(
        node.post("/api/servers", json!({"uuid": uuid}))
            .await
            .status(),
        202
    );
    let deadline = tokio::time::Instant::now() + T;
    while node.panel.statuses_for(uuid).is_empty() {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn transfer_token(target: &TestNode, uuid: &str) -> String {
    let now = aerie_testkit::node::now();
    let claims = TransferClaims {
        sub: uuid.to_owned(),
        exp: now + 900,
        iat: now,
    };
    format!(
        "Bearer {}",
        aerie_jwt::sign(&claims, target.token.as_bytes(), None).unwrap()
    )
}

fn tree(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push((
                    p.strip_prefix(base).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    walk(root, root, &mut out);
    out.sort();
    out
}

#[tokio::test]
async fn a_server_moves_with_its_files_and_starts_on_the_target() {
    let source = TestNode::start().await;
    let target = TestNode::start().await;
    let uuid = new_uuid();
    installed_on(&source, &uuid).await;
    // The target's panel knows the server too (the panel moved it there).
    let (server, script) = echo_server(&uuid);
    target.panel.put(server, script);

    let src = source.state.manager.get(&uuid).unwrap();
    std::fs::create_dir_all(src.volume().join("world/region")).unwrap();
    std::fs::write(
        src.volume().join("world/region/r.0.0.mca"),
        vec![9u8; 200_000],
    )
    .unwrap();
    std::fs::write(src.volume().join("server.properties"), "motd=moved\n").unwrap();
    src.power(PowerAction::Start, Some(T)).await.unwrap();
    let before = tree(&src.volume());

    let mut ws = source.ws(&uuid).await;
    ws.auth(&source.ws_token(&uuid, &["*", "admin.websocket.transfer"], 600))
        .await;
    let r = source
        .post(
            &format!("/api/servers/{uuid}/transfer"),
            json!({"url": format!("{}/api/transfers", target.url), "token": transfer_token(&target, &uuid), "server": {"uuid": uuid, "start_on_completion": false}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    ws.wait_for(T, "transfer status", |m| {
        m.event == "transfer status" && m.args == ["processing"]
    })
    .await;
    let deadline = tokio::time::Instant::now() + T;
    while target.panel.transfers.lock().unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the target never reported"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        target.panel.transfers.lock().unwrap()[0],
        (uuid.clone(), true)
    );
    ws.wait_for(T, "progress", |m| {
        m.event == "transfer logs" && m.args[0].contains("MiB of compressed data")
    })
    .await;
    ws.wait_for(T, "transfer log", |m| {
        m.event == "transfer logs" && m.args[0].contains("received by the target")
    })
    .await;

    // Same files on both sides; the source keeps its copy until the panel deletes it.
    let dst = target.state.manager.get(&uuid).unwrap();
    assert_eq!(tree(&dst.volume()), before);
    assert_eq!(tree(&src.volume()), before);
    assert_eq!(
        src.state(),
        ProcessState::Offline,
        "the source was stopped for the transfer"
    );
    assert!(
        !tree(&dst.volume())
            .iter()
            .any(|(n, _)| n.contains(".aerie-transfer")),
        "the archive is removed after unpacking"
    );

    // The moved server runs on the target.
    dst.power(PowerAction::Start, Some(T)).await.unwrap();
    let mut rx = dst.watch_state();
    tokio::time::timeout(T, rx.wait_for(|s| *s == ProcessState::Running))
        .await
        .unwrap()
        .unwrap();
    target.cleanup(&uuid).await;
    source.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_refused_transfer_leaves_the_source_untouched() {
    let source = TestNode::start().await;
    let target = TestNode::start().await;
    let uuid = new_uuid();
    installed_on(&source, &uuid).await;
    let (server, script) = echo_server(&uuid);
    target.panel.put(server, script);
    let src = source.state.manager.get(&uuid).unwrap();
    std::fs::write(src.volume().join("keep.txt"), "still here").unwrap();
    let before = tree(&src.volume());
    let mut ws = source.ws(&uuid).await;
    ws.auth(&source.ws_token(&uuid, &["*", "admin.websocket.transfer"], 600))
        .await;

    // Signed with the wrong key: the target refuses before creating anything.
    let bad = format!(
        "Bearer {}",
        aerie_jwt::sign(
            &TransferClaims {
                sub: uuid.clone(),
                exp: aerie_testkit::node::now() + 900,
                iat: 0
            },
            b"nope",
            None
        )
        .unwrap()
    );
    let r = source
        .post(&format!("/api/servers/{uuid}/transfer"), json!({"url": format!("{}/api/transfers", target.url), "token": bad, "server": {"uuid": uuid}}))
        .await;
    assert_eq!(r.status(), 202);
    ws.wait_for(T, "failed", |m| {
        m.event == "transfer status" && m.args == ["failed"]
    })
    .await;
    assert!(target.state.manager.get(&uuid).is_none());
    assert_eq!(tree(&src.volume()), before);

    // A second transfer while one runs is refused; a damaged checksum is refused by the target.
    let form = reqwest::multipart::Form::new()
        .part(
            "archive",
            reqwest::multipart::Part::bytes(b"not really gzip".to_vec()).file_name("a.tar.gz"),
        )
        .text("checksum", "00");
    let r = target
        .client
        .post(format!("{}/api/transfers", target.url))
        .header("authorization", transfer_token(&target, &uuid))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("checksum"));
    assert!(
        target.state.manager.get(&uuid).is_none(),
        "a failed incoming transfer leaves nothing behind"
    );
    assert_eq!(
        target.panel.transfers.lock().unwrap().last().cloned(),
        Some((uuid.clone(), false))
    );
    source.cleanup(&uuid).await;
}
