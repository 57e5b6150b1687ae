//! Wings benchmarks, each against a reference measured in the same run:
//!
//! 1. console fan-out: lines per second delivered to each of 100 websocket clients while a
//!    server prints as fast as it can, against the rate a single raw Docker attach reads the
//!    same output (the ceiling: wings cannot deliver faster than it receives);
//! 2. start overhead: wings' `start` (create + attach + start, to the `done` line) against a
//!    bare `docker start` + attach of an identical, already created container;
//!
//! Usage: `cargo run --release -p aerie-bench --bin bench-wings [clients] [lines]`.
//! Needs the Docker engine and images from `scripts/setup-docker`.

use std::time::{Duration, Instant};

use aerie_proto::wings::{InstallScript, ProcessState, RemoteServer};
use aerie_testkit::node::{TestNode, new_uuid};
use futures_util::StreamExt;
use serde_json::json;

fn printer(uuid: &str, lines: u64) -> (RemoteServer, InstallScript) {
    let server: RemoteServer = serde_json::from_value(json!({
        "uuid": uuid,
        "settings": {
            "uuid": uuid,
            "invocation": format!("bash -c 'echo ready; read go; seq 1 {lines}; sleep 600'"),
            "build": {"memory_limit": 512, "cpu_limit": 0},
            "container": {"image": "aerie/openttd:latest"},
            "allocations": {"default": {"ip": "127.0.0.1", "port": 0}, "mappings": {}}
        },
        "process_configuration": {"startup": {"done": ["ready"]}, "stop": {"type": "signal", "value": "SIGKILL"}}
    }))
    .expect("server document");
    (
        server,
        InstallScript {
            container_image: "aerie/debian:bookworm".into(),
            entrypoint: "bash".into(),
            script: "true".into(),
        },
    )
}

async fn start(node: &TestNode, uuid: &str) -> Duration {
    let server = node.state.manager.get(uuid).expect("server");
    let t = Instant::now();
    server
        .power(
            aerie_proto::wings::PowerAction::Start,
            Some(Duration::from_secs(30)),
        )
        .await
        .expect("start");
    let mut rx = server.watch_state();
    tokio::time::timeout(
        Duration::from_secs(60),
        rx.wait_for(|s| *s == ProcessState::Running),
    )
    .await
    .expect("running")
    .expect("state");
    t.elapsed()
}

async fn register(node: &TestNode, lines: u64) -> String {
    let uuid = new_uuid();
    let (s, i) = printer(&uuid, lines);
    node.panel.put(s, i);
    node.post("/api/servers", json!({"uuid": uuid})).await;
    while node.panel.statuses_for(&uuid).is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    uuid
}

/// Reference for fan-out: read the printer's output straight from a Docker attach.
async fn raw_attach_rate(node: &TestNode, uuid: &str, lines: u64) -> f64 {
    let docker = node.state.engine.client();
    let opts = bollard::query_parameters::AttachContainerOptionsBuilder::default()
        .stdin(true)
        .stdout(true)
        .stderr(true)
        .stream(true)
        .build();
    let mut a = docker
        .attach_container(uuid, Some(opts))
        .await
        .expect("attach");
    let last = format!("{lines}");
    use tokio::io::AsyncWriteExt;
    a.input.write_all(b"go\n").await.expect("write");
    let t = Instant::now();
    let mut buf = String::new();
    let mut count = 0u64;
    while let Some(Ok(chunk)) = a.output.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        while let Some(i) = buf.find('\n') {
            let line: String = buf.drain(..=i).collect();
            if line.trim().chars().all(|c| c.is_ascii_digit()) && !line.trim().is_empty() {
                count += 1;
            }
            if line.trim() == last {
                return count as f64 / t.elapsed().as_secs_f64();
            }
        }
    }
    count as f64 / t.elapsed().as_secs_f64()
}

async fn fan_out(clients: usize, lines: u64) -> (f64, f64, f64) {
    let node = TestNode::start_with(|s| s.throttle_enabled = false).await;
    // Reference run.
    let ref_uuid = register(&node, lines).await;
    start(&node, &ref_uuid).await;
    let raw = raw_attach_rate(&node, &ref_uuid, lines).await;
    node.cleanup(&ref_uuid).await;

    // Wings run: 100 websocket clients.
    let uuid = register(&node, lines).await;
    start(&node, &uuid).await;
    let token = node.ws_token(&uuid, &["*"], 600);
    let mut tasks = Vec::new();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(clients);
    for _ in 0..clients {
        let mut ws = node.ws(&uuid).await;
        let token = token.clone();
        let ready = ready_tx.clone();
        let last = lines.to_string();
        tasks.push(tokio::spawn(async move {
            ws.auth(&token).await;
            let _ = ready.send(()).await;
            let mut got = 0u64;
            let mut first: Option<Instant> = None;
            loop {
                match ws.next(Duration::from_secs(10)).await {
                    Some(m) if m.event == "console output" => {
                        let l = m.args[0].trim().to_owned();
                        if l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty() {
                            first.get_or_insert_with(Instant::now);
                            got += 1;
                            if l == last {
                                break;
                            }
                        }
                    }
                    Some(_) => {}
                    None => break,
                }
                ws.seen.clear();
            }
            (got, first.map(|f| f.elapsed()).unwrap_or_default())
        }));
    }
    for _ in 0..clients {
        ready_rx.recv().await;
    }
    let server = node.state.manager.get(&uuid).expect("server");
    let t = Instant::now();
    server.send_commands(&["go".into()]).await.expect("go");
    let mut total = 0u64;
    let mut complete = 0usize;
    for t in tasks {
        let (got, _) = t.await.expect("client");
        total += got;
        if got == lines {
            complete += 1;
        }
    }
    let elapsed = t.elapsed().as_secs_f64();
    node.cleanup(&uuid).await;
    let per_client = total as f64 / clients as f64 / elapsed;
    eprintln!("fan-out: {complete}/{clients} clients received all {lines} lines");
    (
        raw,
        per_client,
        total as f64 / (clients as f64 * lines as f64),
    )
}

async fn start_overhead(runs: usize) -> (f64, f64) {
    let node = TestNode::start().await;
    let mut wings = Vec::new();
    for _ in 0..runs {
        let uuid = register(&node, 1).await;
        wings.push(start(&node, &uuid).await.as_secs_f64() * 1000.0);
        node.cleanup(&uuid).await;
    }
    // Reference: the same container created ahead, then `docker start` + attach to first line.
    let uuid = register(&node, 1).await;
    start(&node, &uuid).await;
    let server = node.state.manager.get(&uuid).expect("server");
    server
        .power(aerie_proto::wings::PowerAction::Kill, None)
        .await
        .expect("kill");
    let docker = node.state.engine.client().clone();
    let mut bare = Vec::new();
    for _ in 0..runs {
        let opts = bollard::query_parameters::AttachContainerOptionsBuilder::default()
            .stdout(true)
            .stream(true)
            .build();
        let t = Instant::now();
        let mut a = docker
            .attach_container(&uuid, Some(opts))
            .await
            .expect("attach");
        docker
            .start_container(
                &uuid,
                None::<bollard::query_parameters::StartContainerOptions>,
            )
            .await
            .expect("start");
        while let Some(Ok(c)) = a.output.next().await {
            if String::from_utf8_lossy(&c.into_bytes()).contains("ready") {
                break;
            }
        }
        bare.push(t.elapsed().as_secs_f64() * 1000.0);
        let k = bollard::query_parameters::KillContainerOptionsBuilder::default()
            .signal("SIGKILL")
            .build();
        docker.kill_container(&uuid, Some(k)).await.expect("kill");
        let mut w = docker.wait_container(
            &uuid,
            None::<bollard::query_parameters::WaitContainerOptions>,
        );
        let _ = w.next().await;
    }
    node.state.manager.delete(&uuid).await.expect("delete");
    (median(&mut wings), median(&mut bare))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let lines: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let (raw, per_client, delivered) = fan_out(clients, lines).await;
    let (wings_ms, bare_ms) = start_overhead(7).await;
    println!("| benchmark | Aerie | reference | ratio |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| console fan-out, {clients} websocket clients, {lines} lines (throttle off) | {per_client:.0} lines/s per client, {:.0} frames/s in all ({:.1}% of lines delivered) | raw Docker attach, 1 reader: {raw:.0} lines/s | {:.2} per client, {:.2} in all |",
        per_client * clients as f64,
        delivered * 100.0,
        per_client / raw,
        per_client * clients as f64 / raw
    );
    println!(
        "| start to first line (median of 7) | wings start: {wings_ms:.0} ms | bare `docker start` + attach: {bare_ms:.0} ms | {:.2} |",
        wings_ms / bare_ms
    );
}
