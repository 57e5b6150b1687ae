//! Wings against the real Docker engine (started by `scripts/setup-docker`). These tests
//! fail when no engine answers: they never skip.

#![allow(clippy::unwrap_used)]

use aerie_testkit::TestWings;
use aerie_wings::docker::{DockerError, Limits, OneShot};
use serde_json::Value;

fn name(prefix: &str) -> String {
    format!(
        "aerie-test-{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

#[tokio::test]
async fn a_container_runs_with_limits_and_its_output_is_read() {
    let w = TestWings::start().await;
    let engine = &w.state.engine;
    let spec = OneShot {
        name: name("limits"),
        image: "aerie/debian:bookworm".into(),
        // Print what the kernel enforces for this container (cgroup v2 or v1), plus an env var.
        cmd: vec![
            "/bin/sh".into(),
            "-c".into(),
            "echo hello from $GREETING; \
             cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; \
             cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo \"$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)\"; \
             exit 3"
                .into(),
        ],
        env: vec!["GREETING=aerie".into()],
        limits: Limits { memory_mb: 64, cpu_percent: 50, pids: 64 },
    };
    let done = engine
        .run_to_completion(&spec)
        .await
        .expect("run container");
    assert_eq!(done.exit_code, 3, "{}", done.output);
    let lines: Vec<&str> = done.output.lines().collect();
    assert_eq!(lines[0], "hello from aerie");
    assert_eq!(
        lines[1],
        (64 * 1024 * 1024).to_string(),
        "memory limit applied"
    );
    assert_eq!(lines[2], "50000 100000", "cpu quota applied (half a core)");

    // The container is gone afterwards.
    let gone = engine.client().inspect_container(&spec.name, None).await;
    assert!(gone.is_err(), "container still exists");
}

#[tokio::test]
async fn a_missing_image_is_a_clear_error_not_a_pull() {
    let w = TestWings::start().await;
    let spec = OneShot {
        name: name("missing"),
        image: "aerie/does-not-exist:1".into(),
        cmd: vec!["true".into()],
        env: vec![],
        limits: Limits::default(),
    };
    let err = w.state.engine.run_to_completion(&spec).await.unwrap_err();
    assert!(matches!(err, DockerError::MissingImage { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the image aerie/does-not-exist:1 is not available on this node"
    );
}

#[tokio::test]
async fn health_and_system_over_http() {
    let w = TestWings::start().await;
    let r = w
        .client
        .get(format!("{}/api/health", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["service"], "wings");
    assert_eq!(body["checks"]["docker"]["ok"], true);
    assert!(
        body["checks"]["docker"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("Docker ")
    );

    // /api/system needs the node token.
    let r = w
        .client
        .get(format!("{}/api/system", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let rid = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].is_string());
    assert_eq!(
        body["request_id"].as_str(),
        Some(rid.as_str()),
        "the body names the request id of the header"
    );

    let r = w
        .client
        .get(format!("{}/api/system", w.url))
        .bearer_auth("wrong-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        "You are not authorized to access this endpoint."
    );

    let r = w
        .client
        .get(format!("{}/api/system", w.url))
        .bearer_auth(&w.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["os"], "linux");
    assert!(body["cpu_count"].as_u64().unwrap() >= 1);
    assert_eq!(body["version"], aerie_proto::VERSION);
}

#[tokio::test]
async fn health_is_503_when_docker_is_unreachable() {
    // A missing socket is refused up front with a message naming it.
    let err =
        aerie_wings::docker::Engine::connect(Some("unix:///nonexistent/docker.sock")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/docker.sock"),
        "{err}"
    );

    // A socket that is not a Docker engine (it hangs up at once) makes health 503.
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("fake.sock");
    let listener = tokio::net::UnixListener::bind(&sock).unwrap();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            drop(conn);
        }
    });
    let engine =
        aerie_wings::docker::Engine::connect(Some(&format!("unix://{}", sock.display()))).unwrap();
    let state = aerie_wings::WingsState::new(engine, "t");
    let app = aerie_wings::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(aerie_http_serve(app, listener));
    let r = reqwest::get(format!("{url}/api/health")).await.unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["docker"]["ok"], false);
}

async fn aerie_http_serve(app: axum::Router, listener: tokio::net::TcpListener) {
    let _ = aerie_http::serve(app, listener, std::future::pending()).await;
}
