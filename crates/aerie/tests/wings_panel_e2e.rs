//! The whole product, end to end: `aerie up` (panel + local node in one process, on the real
//! Docker engine) driven only through the Pterodactyl Application API, as a billing system
//! would. A server is created from the bundled Mumble egg, wings fetches it through the
//! panel's remote API, installs it, starts it, and the game answers its UDP ping on the
//! allocated port; then the server is deleted and stops answering.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aerie_testkit::games::{free_port, mumble_ping};
use serde_json::{Value, json};

struct Up {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn aerie(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aerie"));
    c.arg("--data-dir").arg(dir);
    for (k, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("AERIE_") && !k.starts_with("AERIE_TEST_"))
    {
        c.env_remove(k);
    }
    c.env("AERIE_LOG", "warn");
    c
}

fn up() -> Up {
    let dir = tempfile::tempdir().unwrap();
    let mut child = aerie(dir.path())
        .args(["up", "--bind", "127.0.0.1:0", "--wings-bind", "127.0.0.1:0"])
        .env("AERIE_VOLUMES_DIR", dir.path().join("volumes"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("aerie up printed its URL");
        if let Some(rest) = line.strip_prefix("Aerie is up: panel ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    Up { child, url, dir }
}

fn app_key(dir: &std::path::Path) -> String {
    let out = aerie(dir)
        .args(["key", "create", "--user", "admin", "--type", "application"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned()
}

struct Api {
    url: String,
    key: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/application{path}", self.url))
            .bearer_auth(&self.key)
            .header("Accept", "Application/vnd.pterodactyl.v1+json");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

#[tokio::test]
async fn a_billing_system_creates_a_server_that_installs_runs_and_is_deleted() {
    let up = up();
    let api = Api {
        url: up.url.clone(),
        key: app_key(up.dir.path()),
        http: reqwest::Client::new(),
    };
    use reqwest::Method;

    // The bundled eggs are there on a fresh install.
    let (status, nests) = api.call(Method::GET, "/nests?include=eggs", None).await;
    assert_eq!(status, 200, "{nests}");
    let egg = nests["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| {
            n["attributes"]["relationships"]["eggs"]["data"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|e| e["attributes"]["name"].as_str().unwrap().contains("Mumble"))
        .expect("the Mumble egg is bundled");
    let egg_id = egg["attributes"]["id"].as_i64().unwrap();

    // A port for the game on the local node.
    let port = free_port();
    let (status, body) = api
        .call(
            Method::POST,
            "/nodes/1/allocations",
            Some(json!({"ip": "127.0.0.1", "ports": [port.to_string()]})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, allocs) = api
        .call(
            Method::GET,
            &format!("/nodes/1/allocations?filter[port]={port}"),
            None,
        )
        .await;
    let alloc_id = allocs["data"][0]["attributes"]["id"].as_i64().unwrap();

    // Create it the way WHMCS / Paymenter modules do, flat limits and all.
    let (status, created) = api
        .call(
            Method::POST,
            "/servers",
            Some(json!({
                "name": "Voice for the guild",
                "user": 1,
                "egg": egg_id,
                "environment": {},
                "limits": {"memory": 512, "swap": 0, "disk": 1024, "io": 500, "cpu": 0},
                "feature_limits": {"databases": 0, "allocations": 0, "backups": 1},
                "allocation": {"default": alloc_id},
                "start_on_completion": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let a = &created["attributes"];
    assert_eq!(created["object"], "server");
    assert_eq!(a["status"], "installing");
    assert_eq!(a["allocation"], alloc_id);
    let id = a["id"].as_i64().unwrap();
    let identifier = a["identifier"].as_str().unwrap().to_owned();
    assert_eq!(identifier.len(), 8);

    // Wings installs it (reporting back through the remote API) and starts it.
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let (_, s) = api.call(Method::GET, &format!("/servers/{id}"), None).await;
        match s["attributes"]["status"].as_str() {
            None => break,
            Some("installing") => {}
            Some(other) => panic!("install ended as {other}: {s}"),
        }
        assert!(Instant::now() < deadline, "install did not finish: {s}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while !mumble_ping(port).await {
        assert!(
            Instant::now() < deadline,
            "Mumble never answered on its allocated port {port}"
        );
    }
    let volume = up
        .dir
        .path()
        .join("volumes")
        .join(a["uuid"].as_str().unwrap());
    assert!(volume.is_dir(), "the server's files live on the node");

    // Deleting through the API removes it from the node: the game stops answering.
    let (status, body) = api
        .call(Method::DELETE, &format!("/servers/{id}"), None)
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(!mumble_ping(port).await, "the deleted server still answers");
    let (status, _) = api.call(Method::GET, &format!("/servers/{id}"), None).await;
    assert_eq!(status, 404);
    assert!(!volume.exists(), "the node removed the server's files");
}

/// The unmodified py-dactyl client (PyPI, installed by `scripts/setup-clients`) drives the
/// Application API of a live panel + node: users, locations, nodes, allocations, eggs, and a
/// server's whole life (create, install on the real engine, details, build, startup,
/// suspend, delete).
#[tokio::test]
async fn py_dactyl_drives_the_application_api() {
    let python = std::env::var("AERIE_TEST_CLIENTS_PYTHON")
        .expect("AERIE_TEST_CLIENTS_PYTHON is set by scripts/test (scripts/setup-clients)");
    let up = up();
    let key = app_key(up.dir.path());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/clients/pydactyl_application.py");
    let port = free_port().to_string();
    let url = up.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([url.as_str(), key.as_str(), port.as_str()])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("all steps passed"),
        "py-dactyl failed:\n{stdout}\n{stderr}"
    );
}

/// A live panel + node with a non-admin player (`player1`, with a client key) owning a real
/// OpenTTD server (not yet installed: wings is installing it), and a database host on the
/// real MariaDB; what the client-API tests drive.
struct OpenTtdForAPlayer {
    up: Up,
    api: Api,
    client_key: String,
    identifier: String,
}

async fn openttd_for_a_player() -> OpenTtdForAPlayer {
    use reqwest::Method;
    let mysql = url::Url::parse(
        &std::env::var("AERIE_TEST_MYSQL_URL")
            .expect("AERIE_TEST_MYSQL_URL is set by scripts/test (scripts/setup-databases)"),
    )
    .unwrap();
    let up = up();
    let api = Api {
        url: up.url.clone(),
        key: app_key(up.dir.path()),
        http: reqwest::Client::new(),
    };
    let (status, user) = api
        .call(
            Method::POST,
            "/users",
            Some(
                json!({"username": "player1", "email": "player1@example.com",
                "first_name": "Player", "last_name": "One", "password": "player-password-1"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let user_id = user["attributes"]["id"].as_i64().unwrap();
    let out = aerie(up.dir.path())
        .args(["key", "create", "--user", "player1", "--type", "client"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client_key = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned();
    let (status, host) = api
        .call(
            Method::POST,
            "/database-hosts",
            Some(
                json!({"name": "local mariadb", "host": mysql.host_str().unwrap(),
                "port": mysql.port().unwrap(), "username": mysql.username(),
                "password": mysql.password().unwrap(), "node_id": 1}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{host}");

    let (_, nests) = api.call(Method::GET, "/nests?include=eggs", None).await;
    let egg_id = nests["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| {
            n["attributes"]["relationships"]["eggs"]["data"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|e| {
            e["attributes"]["name"]
                .as_str()
                .unwrap()
                .contains("OpenTTD")
        })
        .expect("the OpenTTD egg is bundled")["attributes"]["id"]
        .as_i64()
        .unwrap();
    let port = free_port();
    let (status, _) = api
        .call(
            Method::POST,
            "/nodes/1/allocations",
            Some(json!({"ip": "127.0.0.1", "ports": [port.to_string()]})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, allocs) = api
        .call(
            Method::GET,
            &format!("/nodes/1/allocations?filter[port]={port}"),
            None,
        )
        .await;
    let alloc_id = allocs["data"][0]["attributes"]["id"].as_i64().unwrap();
    let (status, created) = api
        .call(
            Method::POST,
            "/servers",
            Some(json!({
                "name": "Transport tycoons", "user": user_id, "egg": egg_id,
                "environment": {"SERVER_NAME": "Aerie", "MAX_CLIENTS": 8},
                "limits": {"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 0},
                "feature_limits": {"databases": 1, "allocations": 1, "backups": 2},
                "allocation": {"default": alloc_id},
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let identifier = created["attributes"]["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    OpenTtdForAPlayer {
        up,
        api,
        client_key,
        identifier,
    }
}

/// The unmodified py-dactyl client drives the Client API of a live panel + node running a
/// real OpenTTD server (account, keys, power, console, websocket, files, startup, network,
/// subusers, schedules, backups, databases on the real MariaDB), and pterodactyl-exporter
/// reads its metrics once.
#[tokio::test]
async fn py_dactyl_and_the_exporter_drive_the_client_api() {
    let python = std::env::var("AERIE_TEST_CLIENTS_PYTHON")
        .expect("AERIE_TEST_CLIENTS_PYTHON is set by scripts/test (scripts/setup-clients)");
    let OpenTtdForAPlayer {
        up,
        client_key,
        identifier,
        ..
    } = openttd_for_a_player().await;

    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/clients/pydactyl_client.py");
    let url = up.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([
                url.as_str(),
                client_key.as_str(),
                identifier.as_str(),
                "status",
                "SERVER_NAME",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("all steps passed"),
        "py-dactyl (client API) failed:\n{stdout}\n{stderr}"
    );
}

/// The unmodified PteroJS client (npm `@devnote-dev/pterojs`, installed by
/// `scripts/setup-clients`) drives both APIs of a live panel + node running a real OpenTTD
/// server: users, locations, nodes (deployable, configuration), allocations, nests/eggs,
/// server details/build/startup/suspension through `PteroApp`; account, keys, power,
/// console, its websocket shard, files, startup, network, subusers, schedules, backups and
/// databases (on the real MariaDB) through `PteroClient`.
#[tokio::test]
async fn pterojs_drives_the_application_and_client_api() {
    let node_path = std::env::var("AERIE_TEST_CLIENTS_NODE_PATH")
        .expect("AERIE_TEST_CLIENTS_NODE_PATH is set by scripts/test (scripts/setup-clients)");
    let OpenTtdForAPlayer {
        up,
        api,
        client_key,
        identifier,
    } = openttd_for_a_player().await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/pterojs.mjs");
    let url = up.url.clone();
    let port = free_port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .args([
                url.as_str(),
                api.key.as_str(),
                client_key.as_str(),
                identifier.as_str(),
                port.as_str(),
            ])
            .env("AERIE_TEST_CLIENTS_NODE_PATH", node_path)
            .output()
            .expect("Node.js (`node`) is on PATH (scripts/setup-clients installs it)")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("pterojs: all steps passed"),
        "PteroJS failed:\n{stdout}\n{stderr}"
    );
}
