//! SFTP throughput: wings' SFTP server against OpenSSH's own `sshd` + `sftp-server`, with the
//! same OpenSSH `sftp` client, the same file and the same disk, in the same run.
//!
//! Usage: `cargo run --release -p aerie-bench --bin bench-sftp [size_mib]`. Run as root; installs
//! nothing itself (needs `openssh-server` and `openssh-client`).

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use aerie_wings::runtime::BoxFut;
use aerie_wings::sftp::{
    SftpAuthError, SftpAuthKind, SftpAuthRequest, SftpAuthResponse, SftpAuthenticator, SftpOptions,
    SftpServer,
};
use serde_json::json;

struct KeyAuth {
    server: String,
    key: String,
}

impl SftpAuthenticator for KeyAuth {
    fn authenticate(
        &self,
        req: SftpAuthRequest,
    ) -> BoxFut<'_, Result<SftpAuthResponse, SftpAuthError>> {
        Box::pin(async move {
            if req.kind == SftpAuthKind::PublicKey && req.password == self.key {
                Ok(SftpAuthResponse {
                    user: "bench".into(),
                    server: self.server.clone(),
                    permissions: vec!["*".into()],
                })
            } else {
                Err(SftpAuthError::Denied)
            }
        })
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Times `put` then `get` of `file` with OpenSSH's sftp client.
fn sftp_round(
    work: &std::path::Path,
    port: u16,
    user: &str,
    key: &std::path::Path,
    remote: &str,
) -> (Duration, Duration) {
    let client = |batch: &str| {
        std::fs::write(work.join("batch"), batch).expect("batch");
        let t = Instant::now();
        run(Command::new("sftp")
            .current_dir(work)
            .args(["-b", "batch", "-P", &port.to_string(), "-i"])
            .arg(key)
            .args([
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "LogLevel=ERROR",
            ])
            .arg(format!("{user}@127.0.0.1")));
        t.elapsed()
    };
    let up = client(&format!("put source.bin {remote}\n"));
    let down = client(&format!("get {remote} back.bin\n"));
    (up, down)
}

#[tokio::main]
async fn main() {
    let size_mib: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(256);
    let node = TestNode::start().await;
    let uuid = new_uuid();
    let (server, script) = echo_server(&uuid);
    node.panel.put(server, script);
    node.post("/api/servers", json!({"uuid": uuid})).await;
    while node.panel.statuses_for(&uuid).is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let work = node.dir.path().join("sftp-bench");
    std::fs::create_dir_all(&work).expect("dir");
    run(Command::new("bash").arg("-c").arg(format!(
        "head -c {} /dev/urandom > {}/source.bin",
        size_mib << 20,
        work.display()
    )));
    let key = work.join("id_ed25519");
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key));
    let public = std::fs::read_to_string(work.join("id_ed25519.pub")).expect("pub");
    let line = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");

    // Wings' SFTP.
    let auth = Arc::new(KeyAuth {
        server: uuid.clone(),
        key: line,
    });
    let sftp = SftpServer::new(
        node.state.manager.clone(),
        auth,
        SftpOptions::new(work.join("hostkey")),
    )
    .expect("sftp server");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(sftp.serve(listener, std::future::pending()));
    let user = format!("bench.{}", &uuid.replace('-', "")[..8]);
    let (w2, k2, u2) = (work.clone(), key.clone(), user.clone());
    let (aerie_up, aerie_down) =
        tokio::task::spawn_blocking(move || sftp_round(&w2, port, &u2, &k2, "/up.bin"))
            .await
            .expect("aerie");

    // OpenSSH's sshd with its sftp-server, on loopback, files in a plain directory.
    let sshd_dir = work.join("sshd");
    std::fs::create_dir_all(sshd_dir.join("files")).expect("dir");
    std::fs::create_dir_all("/run/sshd").expect("privsep dir");
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(sshd_dir.join("host")));
    std::fs::copy(
        work.join("id_ed25519.pub"),
        sshd_dir.join("authorized_keys"),
    )
    .expect("keys");
    let sshd_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    std::fs::write(
        sshd_dir.join("sshd_config"),
        format!(
            "Port {sshd_port}\nListenAddress 127.0.0.1\nHostKey {}/host\nAuthorizedKeysFile {}/authorized_keys\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nPidFile none\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
            sshd_dir.display(),
            sshd_dir.display()
        ),
    )
    .expect("config");
    let mut sshd = Command::new("/usr/sbin/sshd")
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(sshd_dir.join("sshd_config"))
        .spawn()
        .expect("sshd");
    std::thread::sleep(Duration::from_millis(500));
    let remote = format!("{}/files/up.bin", sshd_dir.display());
    let (w3, k3) = (work.clone(), key.clone());
    let (ossh_up, ossh_down) =
        tokio::task::spawn_blocking(move || sftp_round(&w3, sshd_port, "root", &k3, &remote))
            .await
            .expect("openssh");
    let _ = sshd.kill();
    let _ = sshd.wait();
    node.cleanup(&uuid).await;

    let rate = |d: Duration| size_mib as f64 / d.as_secs_f64();
    println!("| benchmark | Aerie | reference | ratio (reference time / Aerie time) |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| SFTP upload {size_mib} MiB (OpenSSH `sftp` client) | {:.0} MiB/s | OpenSSH `sshd` + `sftp-server`: {:.0} MiB/s | {:.2} |",
        rate(aerie_up),
        rate(ossh_up),
        ossh_up.as_secs_f64() / aerie_up.as_secs_f64()
    );
    println!(
        "| SFTP download {size_mib} MiB | {:.0} MiB/s | OpenSSH `sshd` + `sftp-server`: {:.0} MiB/s | {:.2} |",
        rate(aerie_down),
        rate(ossh_down),
        ossh_down.as_secs_f64() / aerie_down.as_secs_f64()
    );
}
