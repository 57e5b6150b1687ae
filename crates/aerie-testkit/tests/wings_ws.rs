//! The console websocket against a real server in Docker: authentication failures give the
//! right `jwt error`, permissions gate commands and power, origins are checked.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aerie_testkit::node::{TestNode, WsClient, echo_server, new_uuid, sign_ws};
use serde_json::json;

const T: Duration = Duration::from_secs(30);

/// Registers the echo server, installs it, and waits for the install to finish.
async fn installed_echo(node: &TestNode) -> String {
    let uuid = new_uuid();
    let (server, script) = echo_server(&uuid);
    node.panel.put(server, script);
    let r = node
        .post(
            "/api/servers",
            json!({"uuid": uuid, "start_on_completion": false}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let deadline = tokio::time::Instant::now() + T;
    while node.panel.statuses_for(&uuid).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "install did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let console = node
        .state
        .manager
        .get(&uuid)
        .expect("registered")
        .console_tail(20);
    assert!(
        node.panel.statuses_for(&uuid)[0].successful,
        "install failed: {console:#?}"
    );
    uuid
}

async fn running_echo(node: &TestNode) -> (String, WsClient) {
    let uuid = installed_echo(node).await;
    let mut ws = node.ws(&uuid).await;
    ws.auth(&node.ws_token(&uuid, &["*"], 600)).await;
    ws.send("set state", &["start"]).await;
    ws.wait_for(T, "status running", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;
    (uuid, ws)
}

#[tokio::test]
async fn bad_tokens_get_the_wings_jwt_errors() {
    let node = TestNode::start().await;
    let uuid = installed_echo(&node).await;
    let url = format!(
        "{}/api/servers/{uuid}/ws",
        node.url.replace("http://", "ws://")
    );

    let cases = [
        (
            sign_ws("not-the-node-token", &uuid, &["*"], 600, "j1"),
            "jwt: HMAC verification failed",
        ),
        (
            node.ws_token(&uuid, &["*"], -5),
            "jwt: exp claim is invalid",
        ),
        (
            node.ws_token(&uuid, &["control.console"], 600),
            "jwt: missing connect permission",
        ),
        (
            node.ws_token(&new_uuid(), &["*"], 600),
            "jwt: server uuid mismatch",
        ),
        ("garbage".to_owned(), "jwt: token is malformed"),
    ];
    for (token, expected) in cases {
        let mut ws = WsClient::connect(&url, None).await;
        ws.send("auth", &[&token]).await;
        let m = ws
            .wait_for(T, "jwt error", |m| m.event == "jwt error")
            .await;
        assert_eq!(m.args, vec![expected.to_owned()]);
        // Without a valid token, nothing else works either.
        ws.send("send logs", &[]).await;
        let m = ws
            .wait_for(T, "jwt error", |m| m.event == "jwt error")
            .await;
        assert_eq!(m.args, vec!["jwt: no jwt present".to_owned()]);
    }
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn a_denied_jti_is_refused_on_new_and_open_sockets() {
    let node = TestNode::start().await;
    let uuid = installed_echo(&node).await;
    let token = node.ws_token(&uuid, &["*"], 600);
    let mut open = node.ws(&uuid).await;
    open.auth(&token).await;

    let r = node
        .post(
            &format!("/api/servers/{uuid}/ws/deny"),
            json!({"jtis": ["jti-test"]}),
        )
        .await;
    assert_eq!(r.status(), 204);

    let mut fresh = node.ws(&uuid).await;
    fresh.send("auth", &[&token]).await;
    let m = fresh
        .wait_for(T, "jwt error", |m| m.event == "jwt error")
        .await;
    assert_eq!(
        m.args,
        vec!["jwt: created too far in past (denylist)".to_owned()]
    );

    open.send("send stats", &[]).await;
    let m = open
        .wait_for(T, "jwt error", |m| m.event == "jwt error")
        .await;
    assert_eq!(
        m.args,
        vec!["jwt: created too far in past (denylist)".to_owned()]
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn permissions_gate_commands_and_power() {
    let node = TestNode::start().await;
    let (uuid, mut owner) = running_echo(&node).await;

    // A subuser with only websocket.connect sees the console but cannot type or stop.
    let mut sub = node.ws(&uuid).await;
    sub.auth(&node.ws_token(&uuid, &["websocket.connect"], 600))
        .await;
    sub.send("send command", &["from-subuser"]).await;
    let m = sub
        .wait_for(T, "daemon error", |m| m.event == "daemon error")
        .await;
    assert!(m.args[0].contains("control.console"), "{:?}", m.args);
    sub.send("set state", &["stop"]).await;
    let m = sub
        .wait_for(T, "daemon error", |m| m.event == "daemon error")
        .await;
    assert!(m.args[0].contains("control.stop"), "{:?}", m.args);

    // The owner's command reaches the process, and both sockets see the output.
    owner.send("send command", &["from-owner"]).await;
    owner
        .wait_for(T, "echo of owner command", |m| {
            m.event == "console output" && m.args[0] == "got:from-owner"
        })
        .await;
    sub.wait_for(T, "subuser sees output", |m| {
        m.event == "console output" && m.args[0] == "got:from-owner"
    })
    .await;
    assert!(
        !owner
            .seen
            .iter()
            .chain(sub.seen.iter())
            .any(|m| m.args.iter().any(|a| a.contains("got:from-subuser"))),
        "the subuser's command must not reach the server"
    );

    // send logs replays the console; send stats answers with a stats document.
    owner.send("send logs", &[]).await;
    owner
        .wait_for(T, "replayed ready line", |m| {
            m.event == "console output" && m.args[0] == "ready"
        })
        .await;
    owner.send("send stats", &[]).await;
    let m = owner.wait_for(T, "stats", |m| m.event == "stats").await;
    let stats: serde_json::Value =
        serde_json::from_str(&m.args[0]).expect("stats is a JSON string");
    assert_eq!(stats["state"], "running");
    // The limit comes with the first sample from the engine, which may follow the answer.
    owner
        .wait_for(T, "stats with the memory limit", |m| {
            m.event == "stats"
                && serde_json::from_str::<serde_json::Value>(&m.args[0])
                    .is_ok_and(|s| s["memory_limit_bytes"].as_u64().is_some_and(|b| b > 0))
        })
        .await;

    // Stop by command: the server exits cleanly, no crash is reported.
    owner.send("set state", &["stop"]).await;
    owner
        .wait_for(T, "status offline", |m| {
            m.event == "status" && m.args == ["offline"]
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while owner.next(Duration::from_millis(200)).await.is_some() {}
    assert!(
        !owner
            .seen
            .iter()
            .any(|m| m.args.iter().any(|a| a.contains("crashed state"))),
        "a requested stop is not a crash"
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn install_output_needs_the_admin_permission() {
    let node = TestNode::start().await;
    let uuid = installed_echo(&node).await;
    let mut admin = node.ws(&uuid).await;
    admin
        .auth(&node.ws_token(&uuid, &["*", "admin.websocket.install"], 600))
        .await;
    let mut user = node.ws(&uuid).await;
    user.auth(&node.ws_token(&uuid, &["*"], 600)).await;

    let r = node
        .post(&format!("/api/servers/{uuid}/reinstall"), json!({}))
        .await;
    assert_eq!(r.status(), 202);
    admin
        .wait_for(T, "install output", |m| {
            m.event == "install output" && m.args[0].contains("installing echo server")
        })
        .await;
    admin
        .wait_for(T, "install completed", |m| m.event == "install completed")
        .await;
    user.wait_for(T, "install completed", |m| m.event == "install completed")
        .await;
    assert!(
        !user.seen.iter().any(|m| m.event == "install output"),
        "install output is for admins only"
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn origins_and_unknown_servers_are_refused() {
    let node = TestNode::start().await;
    let uuid = installed_echo(&node).await;
    let url = format!(
        "{}/api/servers/{uuid}/ws",
        node.url.replace("http://", "ws://")
    );
    let err = WsClient::try_connect(&url, Some("http://evil.example"))
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("403"), "{err}");
    WsClient::connect(&url, Some("http://panel.test")).await;
    let missing = format!(
        "{}/api/servers/{}/ws",
        node.url.replace("http://", "ws://"),
        new_uuid()
    );
    let err = WsClient::try_connect(&missing, None)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("404"), "{err}");
    node.cleanup(&uuid).await;
}
