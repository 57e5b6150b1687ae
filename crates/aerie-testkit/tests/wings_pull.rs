//! `files/pull`: downloads into a server's files, and the SSRF guard against a loopback
//! listener (the only network target this machine has).

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use serde_json::{Value, json};

async fn installed(node: &TestNode) -> String {
    let (server, script) = echo_server(&new_uuid());
    node.install(server, script, Duration::from_secs(30)).await
}

/// A loopback HTTP server: `/mod.jar` (64 KiB), `/go` redirecting to it, `/big` (3 MiB).
async fn origin() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new()
        .route(
            "/mod.jar",
            axum::routing::get(|| async { vec![42u8; 65536] }),
        )
        .route(
            "/go",
            axum::routing::get(|| async { axum::response::Redirect::temporary("/mod.jar") }),
        )
        .route(
            "/big",
            axum::routing::get(|| async { vec![1u8; 3 * 1024 * 1024] }),
        )
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let h = h.clone();
                async move {
                    h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    next.run(req).await
                }
            },
        ));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, hits)
}

#[tokio::test]
async fn loopback_and_private_targets_are_refused_by_default() {
    let node = TestNode::start().await;
    let uuid = installed(&node).await;
    let (origin, hits) = origin().await;
    for target in [
        format!("{origin}/mod.jar"),
        "http://localhost:9/x".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]:9/x".to_owned(),
        "http://10.0.0.1/x".to_owned(),
    ] {
        let r = node
            .post(
                &format!("/api/servers/{uuid}/files/pull"),
                json!({"url": target, "root": "/"}),
            )
            .await;
        assert_eq!(r.status(), 403, "{target}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("private, loopback or reserved"),
            "{body}"
        );
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request ever reached the listener"
    );
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/pull"),
            json!({"url": "file:///etc/passwd"}),
        )
        .await;
    assert_eq!(r.status(), 400);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn pulls_follow_redirects_report_progress_and_respect_the_disk_limit_when_allowed() {
    let node = TestNode::start_configured(|_| {}, |s| s.with_remote_downloads(true, true)).await;
    let uuid = installed(&node).await;
    let (origin, _) = origin().await;

    // Foreground: the Stat of the new file comes back.
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/pull"),
            json!({"url": format!("{origin}/go"), "root": "/mods", "foreground": true}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let server = node.state.manager.get(&uuid).unwrap();
    assert_eq!(
        std::fs::read(server.volume().join("mods/mod.jar"))
            .unwrap()
            .len(),
        65536
    );

    // Background: 202 with an identifier, then the file appears and the list empties.
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/pull"),
            json!({"url": format!("{origin}/mod.jar"), "root": "/", "file_name": "renamed.jar"}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let body: Value = r.json().await.unwrap();
    assert!(body["identifier"].is_string());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !server.volume().join("renamed.jar").exists()
        || !node
            .get(&format!("/api/servers/{uuid}/files/pull"))
            .await
            .json::<Value>()
            .await
            .unwrap()["downloads"]
            .as_array()
            .unwrap()
            .is_empty()
    {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The disk limit bounds what a pull may write.
    let mut cfg = echo_server(&uuid).0;
    cfg.settings.build.disk_space = 1;
    node.panel.put(cfg, echo_server(&uuid).1);
    assert_eq!(
        node.post(&format!("/api/servers/{uuid}/sync"), json!({}))
            .await
            .status(),
        204
    );
    let r = node
        .post(
            &format!("/api/servers/{uuid}/files/pull"),
            json!({"url": format!("{origin}/big"), "foreground": true}),
        )
        .await;
    assert_eq!(r.status(), 409, "{}", r.text().await.unwrap());
    assert!(
        !server.volume().join("big").exists()
            || std::fs::metadata(server.volume().join("big"))
                .unwrap()
                .len()
                < 3 * 1024 * 1024
    );
    node.cleanup(&uuid).await;
}
