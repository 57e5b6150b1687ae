//! Server lifecycle on the real engine: crash detection and its restart guard, re-attaching
//! after a wings restart, failed installs, commands to stopped servers, deletion.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use aerie_proto::wings::{InstallScript, ProcessState};
use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use aerie_wings::server::{Manager, NodeContext};
use serde_json::json;

const T: Duration = Duration::from_secs(30);

async fn wait_state(node: &TestNode, uuid: &str, want: ProcessState) {
    let server = node.state.manager.get(uuid).expect("server");
    let mut rx = server.watch_state();
    tokio::time::timeout(T, rx.wait_for(|s| *s == want))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "server never reached {want:?}; console: {:#?}",
                server.console_tail(30)
            )
        })
        .expect("state channel");
}

async fn install_and_start(node: &TestNode) -> String {
    let uuid = new_uuid();
    let (server, script) = echo_server(&uuid);
    node.panel.put(server, script);
    assert_eq!(
        node.post(
            "/api/servers",
            json!({"uuid": uuid, "start_on_completion": true})
        )
        .await
        .status(),
        202
    );
    // Registered at once, installing in the background, then started on completion.
    let deadline = tokio::time::Instant::now() + T;
    while node
        .state
        .manager
        .get(&uuid)
        .is_none_or(|s| s.state() != ProcessState::Running)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server did not start after install"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    uuid
}

async fn kill_from_outside(node: &TestNode, uuid: &str) {
    let opts = bollard::query_parameters::KillContainerOptionsBuilder::default()
        .signal("SIGKILL")
        .build();
    node.state
        .engine
        .client()
        .kill_container(uuid, Some(opts))
        .await
        .expect("docker kill");
}

#[tokio::test]
async fn a_crash_restarts_the_server_once_within_the_guard_window() {
    let node = TestNode::start().await;
    let uuid = install_and_start(&node).await;
    let server = node.state.manager.get(&uuid).unwrap();
    let mut events = server.subscribe();

    kill_from_outside(&node, &uuid).await;
    // offline → (restart) starting → running, with the crash announced on the console.
    let mut saw_crash = false;
    let mut saw_offline = false;
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("events before deadline")
            .expect("event");
        if ev.name == "console output"
            && ev.args[0].contains("Detected server process in a crashed state")
        {
            saw_crash = true;
        }
        if ev.name == "status" && ev.args[0] == "offline" {
            saw_offline = true;
        }
        if ev.name == "status" && ev.args[0] == "running" && saw_offline {
            break;
        }
    }
    assert!(saw_crash);
    assert!(
        server
            .console_tail(50)
            .iter()
            .any(|l| l.contains("Exit code: 137")),
        "{:#?}",
        server.console_tail(50)
    );

    // A second crash within 60 s is not restarted.
    kill_from_outside(&node, &uuid).await;
    wait_state(&node, &uuid, ProcessState::Offline).await;
    let deadline = tokio::time::Instant::now() + T;
    while !server
        .console_tail(50)
        .iter()
        .any(|l| l.contains("Aborting automatic restart"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:#?}",
            server.console_tail(50)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(server.state(), ProcessState::Offline);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_new_wings_reattaches_to_a_running_server_with_its_console() {
    let node = TestNode::start().await;
    let uuid = install_and_start(&node).await;
    let old = node.state.manager.get(&uuid).unwrap();
    old.send_commands(&["before-restart".into()]).await.unwrap();
    let deadline = tokio::time::Instant::now() + T;
    while !old
        .console_tail(20)
        .iter()
        .any(|l| l == "got:before-restart")
    {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A second wings instance boots from the panel's list, as after a restart.
    let ctx = NodeContext {
        runtime: node.state.manager.context().runtime.clone(),
        panel: Some(node.panel.clone()),
        settings: node.state.manager.context().settings.clone(),
    };
    let fresh = Manager::new(Arc::new(ctx));
    let (cfg, _) = echo_server(&uuid);
    assert_eq!(
        fresh.boot(vec![cfg]).await,
        1,
        "the running server is re-attached"
    );
    let server = fresh.get(&uuid).unwrap();
    assert_eq!(server.state(), ProcessState::Running);
    let tail = server.console_tail(20);
    assert!(
        tail.iter().any(|l| l == "got:before-restart"),
        "console restored from the container log: {tail:#?}"
    );
    assert!(
        server.stats().uptime > 0,
        "uptime continues from the container's start"
    );

    let mut events = server.subscribe();
    server
        .send_commands(&["after-restart".into()])
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("output")
            .expect("event");
        if ev.name == "console output" && ev.args[0] == "got:after-restart" {
            break;
        }
    }
    fresh.delete(&uuid).await.unwrap();
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_failing_install_script_is_reported_as_failed() {
    let node = TestNode::start().await;
    let uuid = new_uuid();
    let (server, _) = echo_server(&uuid);
    node.panel.put(
        server,
        InstallScript {
            container_image: "aerie/debian:bookworm".into(),
            entrypoint: "bash".into(),
            script: "echo about to fail\nexit 7\n".into(),
        },
    );
    assert_eq!(
        node.post(
            "/api/servers",
            json!({"uuid": uuid, "start_on_completion": true})
        )
        .await
        .status(),
        202
    );
    let deadline = tokio::time::Instant::now() + T;
    while node.panel.statuses_for(&uuid).is_empty() {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let st = node.panel.statuses_for(&uuid);
    assert!(!st[0].successful, "exit code 7 is a failure");
    assert!(!st[0].reinstall);
    let server = node.state.manager.get(&uuid).unwrap();
    assert!(
        server
            .console_tail(10)
            .iter()
            .any(|l| l.contains("exited with code 7"))
    );
    // The install log is kept.
    let log =
        std::fs::read_to_string(node.dir.path().join(format!("logs/install/{uuid}.log"))).unwrap();
    assert!(log.contains("about to fail"));
    // Not started after a failed install.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.state(), ProcessState::Offline);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn http_api_validates_and_reports_like_wings() {
    let node = TestNode::start().await;
    let uuid = install_and_start(&node).await;
    let base = format!("/api/servers/{uuid}");

    let r = node.get(&base).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["state"], "running");
    assert_eq!(body["configuration"]["uuid"], uuid.as_str());

    let r = node
        .post(&format!("{base}/power"), json!({"action": "dance"}))
        .await;
    assert_eq!(r.status(), 422);
    let r = node
        .post(
            &format!("{base}/commands"),
            json!({"commands": ["via-http"]}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let logs: serde_json::Value = node
            .get(&format!("{base}/logs?size=5"))
            .await
            .json()
            .await
            .unwrap();
        if logs["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "got:via-http")
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = node
        .post(
            "/api/servers/not-a-server/power",
            json!({"action": "start"}),
        )
        .await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        "The requested resource does not exist on this instance."
    );
    let r = node
        .client
        .post(format!("{}{base}/power", node.url))
        .bearer_auth(&node.token)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Stop over HTTP (202, asynchronous), then commands to a stopped server are 502.
    assert_eq!(
        node.post(&format!("{base}/power"), json!({"action": "stop"}))
            .await
            .status(),
        202
    );
    wait_state(&node, &uuid, ProcessState::Offline).await;
    let r = node
        .post(&format!("{base}/commands"), json!({"commands": ["x"]}))
        .await;
    assert_eq!(r.status(), 502);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"],
        "Cannot send commands to a stopped server instance."
    );

    // Delete removes the container and the files.
    let volume = node.state.manager.get(&uuid).unwrap().volume();
    assert!(
        volume.join("hello.txt").exists(),
        "install wrote into the volume"
    );
    let r = node
        .client
        .delete(format!("{}{base}", node.url))
        .bearer_auth(&node.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(node.get(&base).await.status(), 404);
    assert!(
        node.state
            .engine
            .client()
            .inspect_container(&uuid, None)
            .await
            .is_err()
    );
    let deadline = tokio::time::Instant::now() + T;
    while volume.exists() {
        assert!(tokio::time::Instant::now() < deadline, "volume not removed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn only_mounts_inside_allowed_mounts_reach_the_container() {
    use std::os::unix::fs::PermissionsExt;
    let host = tempfile::tempdir().unwrap();
    let shared = host.path().join("shared");
    let secret = host.path().join("secret");
    for d in [&shared, &secret] {
        std::fs::create_dir(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(shared.join("map.txt"), "shared-map-42\n").unwrap();
    std::fs::write(secret.join("key.txt"), "top-secret\n").unwrap();
    std::os::unix::fs::symlink(&secret, shared.join("sneaky")).unwrap();
    let allowed = shared.clone();
    let node = TestNode::start_with(move |s| s.allowed_mounts = vec![allowed]).await;

    let uuid = new_uuid();
    let (mut server, script) = echo_server(&uuid);
    server.settings.invocation = "bash -c 'cat /mnt/shared/map.txt; cat /mnt/secret/key.txt /mnt/sneaky/key.txt 2>/dev/null || echo no-secret; echo ready; while read l; do if [ \"$l\" = quit ]; then exit 0; fi; done'".into();
    server.settings.mounts = serde_json::from_value(json!([
        {"source": shared.display().to_string(), "target": "/mnt/shared", "read_only": true},
        {"source": secret.display().to_string(), "target": "/mnt/secret", "read_only": true},
        {"source": shared.join("sneaky").display().to_string(), "target": "/mnt/sneaky", "read_only": true},
    ]))
    .unwrap();
    node.panel.put(server, script);
    assert_eq!(
        node.post(
            "/api/servers",
            json!({"uuid": uuid, "start_on_completion": true})
        )
        .await
        .status(),
        202
    );
    wait_state(&node, &uuid, ProcessState::Running).await;
    let server = node.state.manager.get(&uuid).unwrap();
    let deadline = tokio::time::Instant::now() + T;
    let mut console = String::new();
    while !console.contains("\nready") && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        console = server.console_tail(30).join("\n");
    }
    assert!(console.contains("shared-map-42"), "{console}");
    assert!(console.contains("no-secret"), "{console}");
    assert!(!console.contains("top-secret"), "{console}");
    node.cleanup(&uuid).await;
}
