//! The rules wings enforces around a server, each against the real engine: Docker limits
//! mapped as Pterodactyl maps them, missing images, install timeouts, the console throttle,
//! the disk check, suspension, `kill` bypassing a stuck stop, and the activity log.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aerie_proto::wings::{InstallScript, PowerAction, ProcessState, RemoteServer};
use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use serde_json::json;

const T: Duration = Duration::from_secs(30);

async fn register(node: &TestNode, server: RemoteServer, script: InstallScript) -> String {
    node.install(server, script, T).await
}

async fn wait_console(node: &TestNode, uuid: &str, needle: &str) {
    let s = node.state.manager.get(uuid).unwrap();
    let deadline = tokio::time::Instant::now() + T;
    while !s.console_tail(200).iter().any(|l| l.contains(needle)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "`{needle}` never appeared: {:#?}",
            s.console_tail(40)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn limits_ports_and_hardening_are_mapped_like_pterodactyl() {
    let node = TestNode::start().await;
    let uuid = new_uuid();
    let (mut server, script) = echo_server(&uuid);
    server.settings.build.memory_limit = 256;
    server.settings.build.swap = 128;
    server.settings.build.cpu_limit = 150;
    server.settings.build.threads = Some("0".into());
    server.settings.build.io_weight = 500;
    let port = aerie_testkit::games::free_port();
    server.settings.allocations.default.port = port;
    server
        .settings
        .allocations
        .mappings
        .insert("127.0.0.1".into(), vec![port]);
    let uuid = register(&node, server, script).await;
    let s = node.state.manager.get(&uuid).unwrap();
    s.power(PowerAction::Start, Some(T)).await.unwrap();

    let c = node
        .state
        .engine
        .client()
        .inspect_container(&uuid, None)
        .await
        .unwrap();
    let h = c.host_config.unwrap();
    let memory = (256.0 * 1.15 * 1_000_000.0) as i64;
    assert_eq!(
        h.memory,
        Some(memory),
        "memory × overhead multiplier (1.15 up to 2 GB), decimal MB"
    );
    assert_eq!(h.memory_reservation, Some(256 * 1_000_000));
    assert_eq!(h.memory_swap, Some(128 * 1_000_000 + memory));
    assert_eq!((h.cpu_quota, h.cpu_period), (Some(150_000), Some(100_000)));
    assert_eq!(h.cpuset_cpus.as_deref(), Some("0"));
    assert_eq!(h.pids_limit, Some(512));
    assert_eq!(h.readonly_rootfs, Some(true));
    assert!(
        h.security_opt
            .unwrap()
            .contains(&"no-new-privileges".to_owned())
    );
    assert!(h.cap_drop.unwrap().contains(&"net_raw".to_owned()));
    assert!(h.tmpfs.unwrap()["/tmp"].contains("size=100M"));
    let bindings = h.port_bindings.unwrap();
    for proto in ["tcp", "udp"] {
        let b = bindings[&format!("{port}/{proto}")].clone().unwrap();
        assert_eq!(b[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(b[0].host_port.as_deref(), Some(port.to_string().as_str()));
    }
    let cfg = c.config.unwrap();
    assert_eq!(cfg.user.as_deref(), Some("1000:1000"), "never root");
    assert_eq!(cfg.tty, Some(true));
    let env = cfg.env.unwrap();
    assert!(env.contains(&format!("SERVER_PORT={port}")));
    assert!(env.contains(&"SERVER_MEMORY=256".to_owned()));
    assert!(env.iter().any(|e| e.starts_with("STARTUP=bash -c")));
    // The volume belongs to the container user.
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(s.volume()).unwrap().uid(), 1000);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_missing_image_is_a_clear_console_error() {
    let node = TestNode::start().await;
    let uuid = new_uuid();
    let (mut server, script) = echo_server(&uuid);
    server.settings.container.image = "aerie/no-such-image:1".into();
    let uuid = register(&node, server, script).await;
    let s = node.state.manager.get(&uuid).unwrap();
    let err = s.power(PowerAction::Start, Some(T)).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("aerie/no-such-image:1 is not available on this node"),
        "{err}"
    );
    wait_console(
        &node,
        &uuid,
        "Failed to start the server: the image aerie/no-such-image:1 is not available",
    )
    .await;
    assert_eq!(s.state(), ProcessState::Offline);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn an_install_that_runs_too_long_is_stopped_and_failed() {
    let node = TestNode::start_with(|s| s.install_timeout = Duration::from_secs(2)).await;
    let uuid = new_uuid();
    let (server, _) = echo_server(&uuid);
    let script = InstallScript {
        container_image: "aerie/debian:bookworm".into(),
        entrypoint: "bash".into(),
        script: "echo slow\nsleep 60\n".into(),
    };
    let started = std::time::Instant::now();
    let uuid = register(&node, server, script).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the timeout ended the install"
    );
    assert!(!node.panel.statuses_for(&uuid)[0].successful);
    wait_console(&node, &uuid, "Installation timed out after 2 seconds").await;
    let gone = node
        .state
        .engine
        .client()
        .inspect_container(&format!("{uuid}_installer"), None)
        .await;
    assert!(gone.is_err(), "the installer container is removed");
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn the_console_throttle_drops_floods_with_one_warning() {
    let node = TestNode::start_with(|s| {
        s.throttle_lines = 50;
        s.throttle_interval = Duration::from_millis(100);
    })
    .await;
    let uuid = new_uuid();
    let (mut server, script) = echo_server(&uuid);
    server.settings.invocation =
        "bash -c 'echo ready; read go; seq 1 20000; echo flood-done; sleep 600'".into();
    let uuid = register(&node, server, script).await;
    let s = node.state.manager.get(&uuid).unwrap();
    let mut events = s.subscribe();
    s.power(PowerAction::Start, Some(T)).await.unwrap();
    let mut rx = s.watch_state();
    tokio::time::timeout(T, rx.wait_for(|st| *st == ProcessState::Running))
        .await
        .unwrap()
        .unwrap();
    s.send_commands(&["go".into()]).await.unwrap();
    let (mut numbers, mut warnings) = (0, 0);
    // seq finishes in well under a second; two seconds of output is the whole flood.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let Ok(Ok(ev)) = tokio::time::timeout_at(deadline, events.recv()).await else {
            break;
        };
        if ev.name != "console output" {
            continue;
        }
        let line = &ev.args[0];
        if line.contains("outputting console data too quickly") {
            warnings += 1;
        } else if line.trim().parse::<u32>().is_ok() {
            numbers += 1;
        }
    }
    assert_eq!(warnings, 1, "exactly one throttle warning per run");
    assert!(
        numbers < 20_000,
        "excess lines were dropped, {numbers} delivered"
    );
    // At least most of one window passes (the window also counts the echoed `go` line).
    assert!(
        numbers >= 40,
        "lines within the limit pass, {numbers} delivered"
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn start_is_refused_over_the_disk_limit_and_when_suspended() {
    let node = TestNode::start().await;
    let uuid = new_uuid();
    let (mut server, script) = echo_server(&uuid);
    server.settings.build.disk_space = 1;
    let uuid = register(&node, server.clone(), script.clone()).await;
    let s = node.state.manager.get(&uuid).unwrap();
    std::fs::write(s.volume().join("big.bin"), vec![0u8; 2 * 1024 * 1024]).unwrap();
    let err = s.power(PowerAction::Start, Some(T)).await.unwrap_err();
    assert!(
        err.to_string().contains("exceeded its disk space limit"),
        "{err}"
    );
    assert_eq!(s.state(), ProcessState::Offline);
    assert!(s.volume().join("big.bin").exists(), "nothing is deleted");

    // Suspended (the panel says so at the next sync): HTTP start is 400.
    server.settings.build.disk_space = 0;
    server.settings.suspended = true;
    node.panel.put(server, script);
    assert_eq!(
        node.post(&format!("/api/servers/{uuid}/sync"), json!({}))
            .await
            .status(),
        204
    );
    let r = node
        .post(
            &format!("/api/servers/{uuid}/power"),
            json!({"action": "start"}),
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("suspended"));
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn kill_bypasses_a_stop_that_hangs() {
    let node = TestNode::start().await;
    let uuid = new_uuid();
    let (mut server, script) = echo_server(&uuid);
    // bash as PID 1 ignores SIGINT, so this stop never completes on its own.
    server.process_configuration.stop = aerie_proto::wings::StopConfig {
        kind: "signal".into(),
        value: "C".into(),
    };
    let uuid = register(&node, server, script).await;
    let s = node.state.manager.get(&uuid).unwrap();
    s.power(PowerAction::Start, Some(T)).await.unwrap();
    let mut rx = s.watch_state();
    tokio::time::timeout(T, rx.wait_for(|st| *st == ProcessState::Running))
        .await
        .unwrap()
        .unwrap();

    let stopper = s.clone();
    let stop = tokio::spawn(async move { stopper.power(PowerAction::Stop, Some(T)).await });
    tokio::time::timeout(T, rx.wait_for(|st| *st == ProcessState::Stopping))
        .await
        .unwrap()
        .unwrap();
    assert!(s.is_busy(), "the stop holds the power lock");
    assert_eq!(
        s.power(PowerAction::Start, None).await.unwrap_err(),
        aerie_wings::server::PowerError::Busy
    );
    s.power(PowerAction::Kill, None).await.unwrap();
    assert_eq!(s.state(), ProcessState::Offline);
    tokio::time::timeout(T, stop)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn websocket_commands_and_power_are_sent_to_the_panel_activity_log() {
    let node = TestNode::start_with(|s| {
        s.activity_send_count = 2;
        s.activity_send_interval = Duration::from_secs(3600);
    })
    .await;
    node.state.manager.spawn_activity_sender();
    let uuid = new_uuid();
    let (server, script) = echo_server(&uuid);
    let uuid = register(&node, server, script).await;
    let mut ws = node.ws(&uuid).await;
    ws.auth(&node.ws_token(&uuid, &["*"], 600)).await;
    ws.send("set state", &["start"]).await;
    ws.wait_for(T, "running", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;
    ws.send("send command", &["say hi"]).await;
    ws.wait_for(T, "echo", |m| {
        m.event == "console output" && m.args[0] == "got:say hi"
    })
    .await;
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let sent = node.panel.activity.lock().unwrap().clone();
        if sent.len() >= 2 {
            assert_eq!(sent[0].event, "server:power.start");
            assert_eq!(sent[1].event, "server:console.command");
            assert_eq!(sent[1].metadata, Some(json!({"command": "say hi"})));
            assert_eq!(sent[1].user.as_deref(), Some("u-1"));
            assert_eq!(sent[1].server, uuid);
            assert_eq!(sent[1].ip, "127.0.0.1");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "activity not sent: {sent:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    node.cleanup(&uuid).await;
}
