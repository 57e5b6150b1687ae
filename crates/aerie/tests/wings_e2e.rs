//! End to end on the real Docker engine with real game servers from Debian: a real
//! `aerie wings` process, driven over HTTP and the websocket as a Pterodactyl panel and
//! browser would, with the panel's remote API played by an HTTP stand-in.

#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aerie_testkit::games::{HttpPanel, free_port, mumble_ping, server_from_egg};
use aerie_testkit::node::{WsClient, new_uuid, sign_ws};
use aerie_wings::config::WingsFile;
use serde_json::{Value, json};

const T: Duration = Duration::from_secs(90);

struct Wings {
    child: Child,
    url: String,
    token: String,
    dir: std::path::PathBuf,
    client: reqwest::Client,
}

impl Wings {
    /// Writes the node config under `dir` (first time) and starts `aerie wings`.
    async fn start(dir: &std::path::Path, panel: &HttpPanel, port: u16) -> Self {
        let cfg_path = dir.join("wings/config.yml");
        if !cfg_path.exists() {
            let mut f = WingsFile::for_local_node(
                "node-e2e",
                &panel.token_id,
                &panel.token,
                "127.0.0.1",
                port,
                &panel.url,
                dir,
            );
            f.docker.network.name = "aerie_e2e_nw".into();
            f.save(&cfg_path).expect("save config");
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aerie"));
        cmd.arg("--data-dir")
            .arg(dir)
            .arg("wings")
            .env("AERIE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, _) in std::env::vars()
            .filter(|(k, _)| k.starts_with("AERIE_") && !k.starts_with("AERIE_TEST_"))
        {
            cmd.env_remove(k);
        }
        let child = cmd.spawn().expect("spawn aerie wings");
        let w = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            token: panel.token.clone(),
            dir: dir.to_owned(),
            client: reqwest::Client::new(),
        };
        let deadline = tokio::time::Instant::now() + T;
        loop {
            if let Ok(r) = w.client.get(format!("{}/api/health", w.url)).send().await
                && r.status() == 200
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "wings did not become healthy"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        w
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }

    async fn ws(&self, uuid: &str, panel: &HttpPanel, perms: &[&str]) -> WsClient {
        let url = format!(
            "{}/api/servers/{uuid}/ws",
            self.url.replace("http://", "ws://")
        );
        let mut ws = WsClient::connect(&url, Some(&panel.url)).await;
        ws.auth(&sign_ws(
            &self.token,
            uuid,
            perms,
            600,
            &format!("jti-{}", new_uuid()),
        ))
        .await;
        ws
    }

    fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn volume(&self, uuid: &str) -> std::path::PathBuf {
        self.dir.join("volumes").join(uuid)
    }
}

impl Drop for Wings {
    fn drop(&mut self) {
        self.kill_hard();
    }
}

async fn install(w: &Wings, panel: &HttpPanel, uuid: &str, start: bool) -> WsClient {
    let r = w
        .post(
            "/api/servers",
            json!({"uuid": uuid, "start_on_completion": start}),
        )
        .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
    let mut ws = w.ws(uuid, panel, &["*", "admin.websocket.install"]).await;
    ws.wait_for(T, "install completed", |m| m.event == "install completed")
        .await;
    let deadline = tokio::time::Instant::now() + T;
    while panel.statuses_for(uuid).is_empty() {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        panel.statuses_for(uuid)[0].successful,
        "install reported as failed: {:?}",
        ws.seen
    );
    ws
}

fn console_has(ws: &WsClient, needle: &str) -> bool {
    ws.seen
        .iter()
        .any(|m| m.event == "console output" && m.args.iter().any(|a| a.contains(needle)))
}

async fn docker_kill(uuid: &str) {
    let docker = bollard::Docker::connect_with_local_defaults().expect("docker");
    let opts = bollard::query_parameters::KillContainerOptionsBuilder::default()
        .signal("SIGKILL")
        .build();
    docker
        .kill_container(uuid, Some(opts))
        .await
        .expect("kill from outside");
}

#[tokio::test]
async fn openttd_install_run_command_crash_restart_wings_and_stop() {
    let dir = tempfile::tempdir().unwrap();
    let panel = HttpPanel::start().await;
    let game_port = free_port();
    let uuid = new_uuid();
    let (server, script) =
        server_from_egg("openttd", &uuid, game_port, &[("SERVER_NAME", "Aerie E2E")]);
    panel.put(server, script);
    let mut wings = Wings::start(dir.path(), &panel, free_port()).await;
    assert_eq!(panel.resets(), 1, "wings resets server states on boot");

    // Install: the egg's script writes openttd.cfg; its exit code is checked.
    let mut ws = install(&wings, &panel, &uuid, false).await;
    assert!(
        ws.seen
            .iter()
            .any(|m| m.event == "install output" && m.args[0].contains("OpenTTD config written")),
        "{:?}",
        ws.seen
    );

    // Start: running is detected from the game's real done line.
    ws.send("set state", &["start"]).await;
    ws.wait_for(T, "starting", |m| {
        m.event == "status" && m.args == ["starting"]
    })
    .await;
    ws.wait_for(T, "running", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;
    assert!(console_has(&ws, "Map generated, starting game"));

    // The ini parser set the allocated port and the variable before the start.
    let cfg = std::fs::read_to_string(wings.volume(&uuid).join("openttd.cfg")).unwrap();
    assert!(cfg.contains(&format!("server_port = {game_port}")), "{cfg}");
    assert!(cfg.contains("server_name = Aerie E2E"), "{cfg}");
    // The game is reachable on the port published on 127.0.0.1.
    tokio::net::TcpStream::connect(("127.0.0.1", game_port))
        .await
        .expect("OpenTTD listens on its allocation");

    // A console command reaches the game, and its answer comes back.
    ws.send("send command", &["echo hello-from-aerie"]).await;
    ws.wait_for(T, "echo output", |m| {
        m.event == "console output"
            && m.args[0].contains("hello-from-aerie")
            && !m.args[0].contains("echo ")
    })
    .await;

    // Stats arrive about once a second with real numbers.
    let m = ws
        .wait_for(T, "running stats", |m| {
            m.event == "stats"
                && serde_json::from_str::<Value>(&m.args[0])
                    .is_ok_and(|s| s["state"] == "running" && s["memory_bytes"].as_u64() > Some(0))
        })
        .await;
    let stats: Value = serde_json::from_str(&m.args[0]).unwrap();
    assert!(stats["memory_limit_bytes"].as_u64().unwrap() >= 1024 * 1_000_000);
    assert!(stats["uptime"].as_u64().unwrap() > 0);

    // Kill the game from outside: crash detection restarts it.
    docker_kill(&uuid).await;
    ws.wait_for(T, "crash detected", |m| {
        m.event == "console output" && m.args[0].contains("crashed state")
    })
    .await;
    ws.wait_for(T, "restarted", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;

    // Kill wings itself; the game keeps running; a new wings re-attaches with its console.
    let port = wings
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    wings.kill_hard();
    drop(ws);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let docker = bollard::Docker::connect_with_local_defaults().unwrap();
    let c = docker.inspect_container(&uuid, None).await.unwrap();
    assert_eq!(
        c.state.and_then(|s| s.running),
        Some(true),
        "the game survives wings dying"
    );

    // Tokens from before the restart are refused (issued before boot); fetch a new one.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let wings = Wings::start(dir.path(), &panel, port).await;
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let r = wings.get(&format!("/api/servers/{uuid}")).await;
        if r.status() == 200 && r.json::<Value>().await.unwrap()["state"] == "running" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "server not re-attached"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut ws = wings.ws(&uuid, &panel, &["*"]).await;
    ws.send("send logs", &[]).await;
    ws.wait_for(T, "console restored", |m| {
        m.event == "console output" && m.args[0].contains("Map generated, starting game")
    })
    .await;
    ws.send("send command", &["echo after-restart"]).await;
    ws.wait_for(T, "command after restart", |m| {
        m.event == "console output"
            && m.args[0].contains("after-restart")
            && !m.args[0].contains("echo ")
    })
    .await;

    // Stop by command (`exit`): a clean stop, not a crash.
    ws.send("set state", &["stop"]).await;
    ws.wait_for(T, "stopping", |m| {
        m.event == "status" && m.args == ["stopping"]
    })
    .await;
    ws.wait_for(T, "offline", |m| {
        m.event == "status" && m.args == ["offline"]
    })
    .await;
    let c = docker.inspect_container(&uuid, None).await.unwrap();
    assert_eq!(
        c.state.and_then(|s| s.exit_code),
        Some(0),
        "OpenTTD exited by itself on `exit`"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    while ws.next(Duration::from_millis(200)).await.is_some() {}
    assert!(!console_has(&ws, "crashed state"));

    let r = wings
        .client
        .delete(format!("{}/api/servers/{uuid}", wings.url))
        .bearer_auth(&wings.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn mumble_runs_as_a_user_answers_udp_and_stops_by_signal() {
    let dir = tempfile::tempdir().unwrap();
    let panel = HttpPanel::start().await;
    let game_port = free_port();
    let uuid = new_uuid();
    let (server, script) =
        server_from_egg("mumble", &uuid, game_port, &[("WELCOME", "Hi from Aerie")]);
    panel.put(server, script);
    let wings = Wings::start(dir.path(), &panel, free_port()).await;
    let mut ws = install(&wings, &panel, &uuid, true).await;
    ws.wait_for(T, "running", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;
    assert!(console_has(&ws, "Server listening on"));
    let ini = std::fs::read_to_string(wings.volume(&uuid).join("murmur.ini")).unwrap();
    assert!(
        ini.contains(&format!("port={game_port}")) || ini.contains(&format!("port = {game_port}")),
        "{ini}"
    );
    assert!(ini.contains("Hi from Aerie"), "{ini}");
    assert!(
        mumble_ping(game_port).await,
        "Mumble answers its UDP ping on the published port"
    );

    // Stop by signal (SIGTERM from the egg's `^SIGTERM`).
    ws.send("set state", &["stop"]).await;
    ws.wait_for(T, "offline", |m| {
        m.event == "status" && m.args == ["offline"]
    })
    .await;
    assert!(!console_has(&ws, "crashed state"));
    let r = wings
        .client
        .delete(format!("{}/api/servers/{uuid}", wings.url))
        .bearer_auth(&wings.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn minetest_file_parser_udp_allocation_and_sigint_stop() {
    let dir = tempfile::tempdir().unwrap();
    let panel = HttpPanel::start().await;
    let game_port = free_port();
    let uuid = new_uuid();
    let (server, script) = server_from_egg("minetest", &uuid, game_port, &[]);
    panel.put(server, script);
    let wings = Wings::start(dir.path(), &panel, free_port()).await;
    let mut ws = install(&wings, &panel, &uuid, true).await;
    ws.wait_for(T, "running", |m| {
        m.event == "status" && m.args == ["running"]
    })
    .await;
    assert!(
        console_has(&ws, &format!(":{game_port}.")),
        "the game listens on its allocated port: {:?}",
        ws.seen
    );
    let conf = std::fs::read_to_string(wings.volume(&uuid).join("minetest.conf")).unwrap();
    assert!(conf.contains("server_name = Aerie Minetest"), "{conf}");
    assert!(conf.contains("max_users = 12"), "{conf}");
    assert!(
        conf.contains("creative_mode = false"),
        "untouched lines kept: {conf}"
    );
    assert!(
        wings.volume(&uuid).join("world").is_dir(),
        "world data lives in the volume"
    );

    ws.send("set state", &["stop"]).await;
    ws.wait_for(T, "offline", |m| {
        m.event == "status" && m.args == ["offline"]
    })
    .await;
    assert!(!console_has(&ws, "crashed state"));
    let r = wings
        .client
        .delete(format!("{}/api/servers/{uuid}", wings.url))
        .bearer_auth(&wings.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn wings_keeps_serving_while_the_panel_is_down_and_boots_once_it_is_up() {
    let dir = tempfile::tempdir().unwrap();
    // A panel address nothing listens on yet.
    let panel_port = free_port();
    let mut down = HttpPanel::start().await;
    down.url = format!("http://127.0.0.1:{panel_port}");
    let wings = Wings::start(dir.path(), &down, free_port()).await;
    let r = wings.get("/api/system").await;
    assert_eq!(r.status(), 200, "the API answers without a panel");
    let r = wings.get("/api/servers").await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    let r = wings
        .post("/api/servers", json!({"uuid": new_uuid()}))
        .await;
    assert_eq!(r.status(), 502, "creating needs the panel, and says so");
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("panel"), "{body}");

    // The panel comes up with one server: wings' boot retry picks it up.
    let panel = HttpPanel::start_on(
        panel_port,
        Some((down.token_id.clone(), down.token.clone())),
    )
    .await;
    let uuid = new_uuid();
    let (server, script) = server_from_egg("minetest", &uuid, free_port(), &[]);
    panel.put(server, script);
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let list: Value = wings.get("/api/servers").await.json().await.unwrap();
        if list
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["configuration"]["uuid"] == uuid.as_str())
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "wings never loaded the server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(panel.resets() >= 1);
}

fn transfer_token(target_token: &str, uuid: &str) -> String {
    let now = aerie_testkit::node::now();
    let claims = aerie_wings::transfer::TransferClaims {
        sub: uuid.to_owned(),
        exp: now + 900,
        iat: now,
    };
    format!(
        "Bearer {}",
        aerie_jwt::sign(&claims, target_token.as_bytes(), None).unwrap()
    )
}

fn files_of(root: &std::path::Path) -> Vec<(String, u64, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, u64, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                let sum = bytes
                    .iter()
                    .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(*b)));
                out.push((
                    p.strip_prefix(base).unwrap().display().to_string(),
                    bytes.len() as u64,
                    sum.to_le_bytes().to_vec(),
                ));
            }
        }
    }
    walk(root, root, &mut out);
    out.sort();
    out
}

async fn state_of(w: &Wings, uuid: &str) -> Value {
    w.get(&format!("/api/servers/{uuid}"))
        .await
        .json::<Value>()
        .await
        .unwrap()["state"]
        .clone()
}

/// Two `aerie wings` processes on loopback sharing the Docker engine: the server moves with
/// identical files and runs on the target; an interrupted transfer leaves the source intact.
#[tokio::test]
async fn transfer_between_two_wings_processes() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (panel_a, panel_b) = (HttpPanel::start().await, HttpPanel::start().await);
    let uuid = new_uuid();
    let (server, script) = server_from_egg("minetest", &uuid, free_port(), &[]);
    panel_a.put(server.clone(), script.clone());
    panel_b.put_unlisted(server, script);
    let source = Wings::start(dir_a.path(), &panel_a, free_port()).await;
    let mut target = Wings::start(dir_b.path(), &panel_b, free_port()).await;
    let _ = install(&source, &panel_a, &uuid, true).await;
    let deadline = tokio::time::Instant::now() + T;
    while state_of(&source, &uuid).await != "running" {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A large file makes the transfer take long enough to interrupt.
    let big: Vec<u8> = (0..96 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(source.volume(&uuid).join("big.dat"), &big).unwrap();
    drop(big);

    // 1. Interrupted: the target dies mid-stream.
    let r = source
        .post(&format!("/api/servers/{uuid}/transfer"), json!({"url": format!("{}/api/transfers", target.url), "token": transfer_token(&target.token, &uuid), "server": {"uuid": uuid}}))
        .await;
    assert_eq!(r.status(), 202);
    // Kill the target as soon as the archive is arriving in its copy of the volume.
    let incoming = target.volume(&uuid);
    let deadline = tokio::time::Instant::now() + T;
    while !std::fs::read_dir(&incoming)
        .map(|d| {
            d.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".aerie-transfer-")
            })
        })
        .unwrap_or(false)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the archive never started arriving"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let target_port = target
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    target.kill_hard();
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let r = source.post(&format!("/api/servers/{uuid}/transfer"), json!({"url": "http://127.0.0.1:9/api/transfers", "token": "Bearer x", "server": {"uuid": uuid}})).await;
        if r.status() == 202 {
            // The first transfer has ended (a new one could start); this one fails at once.
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the interrupted transfer never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = files_of(&source.volume(&uuid));
    assert!(
        before
            .iter()
            .any(|(n, len, _)| n == "big.dat" && *len == 96 * 1024 * 1024),
        "source files intact"
    );
    assert!(
        panel_b.transfers().iter().all(|(_, ok)| !ok),
        "nothing was reported as a success"
    );
    // The source server is still startable.
    assert_eq!(
        source
            .post(
                &format!("/api/servers/{uuid}/power"),
                json!({"action": "start"})
            )
            .await
            .status(),
        202
    );
    let deadline = tokio::time::Instant::now() + T;
    while state_of(&source, &uuid).await != "running" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "source not startable after a failed transfer"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 2. A full transfer to a restarted target.
    let target = Wings::start(dir_b.path(), &panel_b, target_port).await;
    let r = source
        .post(&format!("/api/servers/{uuid}/transfer"), json!({"url": format!("{}/api/transfers", target.url), "token": transfer_token(&target.token, &uuid), "server": {"uuid": uuid}}))
        .await;
    assert_eq!(r.status(), 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !panel_b.transfers().iter().any(|(u, ok)| u == &uuid && *ok) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "transfer did not complete: {:?}",
            panel_b.transfers()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let moved = files_of(&target.volume(&uuid));
    let now_source = files_of(&source.volume(&uuid));
    assert_eq!(moved, now_source, "identical files on the target");
    assert_eq!(
        state_of(&source, &uuid).await,
        "offline",
        "the source stopped for the move"
    );

    // The panel moves the server: delete on the source, start on the target.
    let r = source
        .client
        .delete(format!("{}/api/servers/{uuid}", source.url))
        .bearer_auth(&source.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        target
            .post(
                &format!("/api/servers/{uuid}/power"),
                json!({"action": "start"})
            )
            .await
            .status(),
        202
    );
    let deadline = tokio::time::Instant::now() + T;
    while state_of(&target, &uuid).await != "running" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server does not run on the target"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = target
        .client
        .delete(format!("{}/api/servers/{uuid}", target.url))
        .bearer_auth(&target.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

/// Killing wings in the middle of a backup leaves no archive that counts as made: nothing is
/// reported to the panel, no final file exists, and the next start removes the partial one.
#[tokio::test]
async fn a_backup_interrupted_by_killing_wings_is_never_reported_as_successful() {
    let dir = tempfile::tempdir().unwrap();
    let panel = HttpPanel::start().await;
    let uuid = new_uuid();
    let (server, script) = server_from_egg("minetest", &uuid, free_port(), &[]);
    panel.put(server, script);
    let port = free_port();
    let mut wings = Wings::start(dir.path(), &panel, port).await;
    let _ = install(&wings, &panel, &uuid, false).await;
    let noise: Vec<u8> = (0..160 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(wings.volume(&uuid).join("noise.bin"), &noise).unwrap();
    drop(noise);

    let backup = new_uuid();
    let r = wings
        .post(
            &format!("/api/servers/{uuid}/backup"),
            json!({"adapter": "wings", "uuid": backup, "ignore": ""}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let backups = dir.path().join("wings/backups");
    let deadline = tokio::time::Instant::now() + T;
    while !std::fs::read_dir(&backups)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        })
        .unwrap_or(false)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the backup never started writing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wings.kill_hard();
    assert!(
        panel.backups().is_empty(),
        "nothing reported: {:?}",
        panel.backups()
    );
    assert!(
        !backups.join(format!("{backup}.tar.zst")).exists(),
        "no final archive"
    );

    let wings = Wings::start(dir.path(), &panel, port).await;
    let leftovers: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        leftovers.iter().all(|n| !n.ends_with(".partial")),
        "partial archive removed at start: {leftovers:?}"
    );
    assert!(panel.backups().is_empty());
    let r = wings
        .client
        .delete(format!("{}/api/servers/{uuid}", wings.url))
        .bearer_auth(&wings.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}
