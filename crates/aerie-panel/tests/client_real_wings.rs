//! The client server API against a real node: our wings on the real Docker engine, wired
//! to this real panel as its remote API. A Minetest server is created through
//! `services::servers` (which asks wings to create it; wings reads it back through the
//! remote API and installs it), then driven only through `/api/client`: power start until
//! the resources say `running`, a console command, a file written and read back, renamed,
//! compressed and deleted, power stop. Needs `scripts/setup-docker` (images
//! `aerie/minetest`, `aerie/debian:bookworm`).

#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

use aerie_db::Db;
use aerie_db::models::NewNode;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use aerie_testkit::games::free_port;
use futures_util::FutureExt;
use reqwest::Method;
use serde_json::{Value, json};

const TOKEN_ID: &str = "realwingstoken01";

struct Client<'a> {
    panel: &'a TestPanel,
    key: String,
}

impl Client<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.panel.call_json(method, path, &self.key, body).await
    }

    async fn raw(&self, method: Method, path: &str, body: Option<&str>) -> (u16, String) {
        let mut req = self
            .panel
            .client
            .request(method, format!("{}{path}", self.panel.url))
            .bearer_auth(&self.key)
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.header("Content-Type", "text/plain").body(b.to_owned());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// Polls `GET path` until `done(body)` or the deadline.
    async fn wait_for(
        &self,
        path: &str,
        what: &str,
        within: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let (status, v) = self.call(Method::GET, path, None).await;
            assert_eq!(status, 200, "{path}: {v}");
            if done(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last answer: {v}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["attributes"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_minetest_server_runs_and_is_managed_through_the_client_api() {
    // The panel, with a short resource cache so state changes show quickly.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("panel.db").display()
    ))
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let mut state = aerie_panel::AppState::new(db, "http://127.0.0.1");
    state.client_servers =
        aerie_panel::services::client_servers::ClientServerState::with_resource_ttl(
            Duration::from_millis(200),
        );
    let panel = TestPanel::start_with_state(state).await;
    let db = panel.db.clone();
    let owner = panel.user("player", false).await;
    let client = Client {
        panel: &panel,
        key: panel.key(&owner, KeyType::Client).await,
    };

    // The node: its row, and real wings on a port bound before the row is written.
    let wings_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let wings_port = wings_listener.local_addr().unwrap().port();
    let token =
        uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
    let location = db.locations().create("real", None).await.unwrap();
    let node = db
        .nodes()
        .create(&NewNode {
            name: "real".into(),
            description: None,
            location_id: location.id,
            fqdn: "127.0.0.1".into(),
            scheme: "http".into(),
            behind_proxy: false,
            public: true,
            memory: 8192,
            memory_overallocate: 0,
            disk: 100_000,
            disk_overallocate: 0,
            upload_size: 100,
            daemon_listen: i64::from(wings_port),
            daemon_sftp: 2022,
            daemon_base: dir.path().join("volumes").display().to_string(),
            daemon_token_id: TOKEN_ID.into(),
            daemon_token: token.clone(),
        })
        .await
        .unwrap();
    let mut file = aerie_wings::config::WingsFile::for_local_node(
        &node.uuid,
        TOKEN_ID,
        &token,
        "127.0.0.1",
        wings_port,
        &panel.url,
        dir.path(),
    );
    file.system.sftp.bind_port = 0;
    file.docker.network.name = "aerie_test_nw".into();
    let engine = aerie_wings::docker::Engine::connect(None).expect("docker client");
    let wings = aerie_wings::boot::start_node(&file, engine).await;
    let (stop_wings, wings_stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(aerie_wings::serve(wings, wings_listener, async move {
        let _ = wings_stopped.await;
    }));

    // The server, created the way the application API creates one.
    let nest = aerie_panel::services::eggs::create_nest(&db, "t@example.com", "Games", None)
        .await
        .unwrap();
    let egg_file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/eggs/egg-minetest.json");
    let egg = aerie_panel::services::eggs::import(&db, nest.id, &std::fs::read(egg_file).unwrap())
        .await
        .unwrap();
    let port = i64::from(free_port());
    db.allocations()
        .insert_ignore(node.id, "127.0.0.1", None, &[port])
        .await
        .unwrap();
    let allocation = db
        .allocations()
        .list_by_nodes(&[node.id])
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.port == port)
        .unwrap();
    let body = json!({
        "name": "Real Minetest",
        "user": owner.id,
        "egg": egg.id,
        "docker_image": "aerie/minetest:latest",
        "limits": {"memory": 512, "swap": 0, "disk": 1024, "io": 500, "cpu": 0},
        "feature_limits": {"databases": 0, "allocations": 1, "backups": 0},
        "environment": {"SERVER_NAME": "Client API test", "MAX_USERS": "4"},
        "allocation": {"default": allocation.id},
        "start_on_completion": false,
    });
    let server = aerie_panel::services::servers::create_server(&db, body.as_object().unwrap())
        .await
        .expect("wings accepted the new server");

    let result = std::panic::AssertUnwindSafe(drive(&client, &server.uuid_short))
        .catch_unwind()
        .await;

    // Clean up the container and files whatever happened.
    let fresh = db.servers().find(server.id).await.unwrap().unwrap();
    let cleanup = aerie_panel::services::servers::delete_server(&db, &fresh, true).await;
    let _ = stop_wings.send(());
    match result {
        Ok(outcome) => outcome.unwrap(),
        Err(panic) => std::panic::resume_unwind(panic),
    }
    cleanup.unwrap();
}

async fn drive(client: &Client<'_>, short: &str) -> Result<(), String> {
    let base = format!("/api/client/servers/{short}");
    let installed = client
        .wait_for(
            &base,
            "the install to finish",
            Duration::from_secs(240),
            |v| {
                v["attributes"]["is_installing"] == false
                    || v["attributes"]["status"] == "install_failed"
            },
        )
        .await;
    if installed["attributes"]["status"] == "install_failed" {
        return Err(format!("the install failed: {installed}"));
    }

    // Wings reports the install to the panel a moment before it stops counting the server
    // as installing, so a start right away may meet a short 409.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, v) = client
            .call(
                Method::POST,
                &format!("{base}/power"),
                Some(json!({"signal": "start"})),
            )
            .await;
        if status == 409 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        assert_eq!(status, 204, "{v}");
        break;
    }
    client
        .wait_for(
            &format!("{base}/resources"),
            "the server to run",
            Duration::from_secs(120),
            |v| v["attributes"]["current_state"] == "running",
        )
        .await;

    let (status, v) = client
        .call(
            Method::POST,
            &format!("{base}/command"),
            Some(json!({"command": "status"})),
        )
        .await;
    assert_eq!(status, 204, "{v}");

    // Files: write, read back, rename, compress, delete.
    let text = "Hello from the client API ✓\nsecond line\n";
    let (status, body) = client
        .raw(
            Method::POST,
            &format!("{base}/files/write?file=%2Fhello.txt"),
            Some(text),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = client
        .raw(
            Method::GET,
            &format!("{base}/files/contents?file=%2Fhello.txt"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, text);
    let (status, v) = client
        .call(
            Method::PUT,
            &format!("{base}/files/rename"),
            Some(json!({"root": "/", "files": [{"from": "hello.txt", "to": "renamed.txt"}]})),
        )
        .await;
    assert_eq!(status, 204, "{v}");
    let (status, list) = client
        .call(
            Method::GET,
            &format!("{base}/files/list?directory=%2F"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let listed = names(&list);
    assert!(listed.contains(&"renamed.txt".to_owned()), "{listed:?}");
    assert!(!listed.contains(&"hello.txt".to_owned()), "{listed:?}");
    let renamed = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["attributes"]["name"] == "renamed.txt")
        .unwrap();
    assert_eq!(renamed["attributes"]["size"], text.len());
    assert_eq!(renamed["attributes"]["is_file"], true);
    let (status, archive) = client
        .call(
            Method::POST,
            &format!("{base}/files/compress"),
            Some(json!({"root": "/", "files": ["renamed.txt"]})),
        )
        .await;
    assert_eq!(status, 200, "{archive}");
    assert_eq!(archive["object"], "file_object");
    let archive_name = archive["attributes"]["name"].as_str().unwrap().to_owned();
    assert!(archive_name.ends_with(".tar.gz"), "{archive_name}");
    let (status, v) = client
        .call(
            Method::POST,
            &format!("{base}/files/delete"),
            Some(json!({"root": "/", "files": ["renamed.txt", archive_name]})),
        )
        .await;
    assert_eq!(status, 204, "{v}");
    let (_, list) = client
        .call(
            Method::GET,
            &format!("{base}/files/list?directory=%2F"),
            None,
        )
        .await;
    let listed = names(&list);
    assert!(!listed.contains(&"renamed.txt".to_owned()), "{listed:?}");
    assert!(!listed.contains(&archive_name), "{listed:?}");

    let (status, v) = client
        .call(
            Method::POST,
            &format!("{base}/power"),
            Some(json!({"signal": "stop"})),
        )
        .await;
    assert_eq!(status, 204, "{v}");
    client
        .wait_for(
            &format!("{base}/resources"),
            "the server to stop",
            Duration::from_secs(90),
            |v| v["attributes"]["current_state"] == "offline",
        )
        .await;
    // With the server stopped, wings refuses commands and the panel says why.
    let (status, v) = client
        .call(
            Method::POST,
            &format!("{base}/command"),
            Some(json!({"command": "status"})),
        )
        .await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(
        v["errors"][0]["detail"],
        "Server must be online in order to send commands."
    );
    let (status, activity) = client
        .call(Method::GET, &format!("{base}/activity"), None)
        .await;
    assert_eq!(status, 200);
    let events: Vec<&str> = activity["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["event"].as_str().unwrap())
        .collect();
    for e in [
        "server:power.start",
        "server:console.command",
        "server:file.write",
        "server:file.read",
        "server:file.rename",
        "server:file.compress",
        "server:file.delete",
        "server:power.stop",
    ] {
        assert!(events.contains(&e), "{e} missing from {events:?}");
    }
    Ok(())
}
