//! `aerie wings configure` against a real panel (`aerie up` on its own data directory).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use aerie_wings::config::WingsFile;

fn aerie(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aerie"));
    c.arg("--data-dir").arg(dir);
    // Keep the caller's AERIE_* settings out of these tests.
    for (k, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("AERIE_") && !k.starts_with("AERIE_TEST_"))
    {
        c.env_remove(k);
    }
    c.env("AERIE_LOG", "warn");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Status 1 and exactly one `error:` line on stderr.
fn assert_one_line_error(o: &Output, contains: &[&str]) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    for c in contains {
        assert!(lines[0].contains(c), "`{c}` not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// `aerie up` on `dir`; returns the child and the panel URL once it is serving.
fn up(dir: &Path) -> (Child, String) {
    let mut child = aerie(dir)
        .args(["up", "--bind", "127.0.0.1:0", "--wings-bind", "127.0.0.1:0"])
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
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("aerie up printed its URL");
        if let Some(rest) = line.strip_prefix("Aerie is up: panel ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    (child, url)
}

fn stop(mut child: Child) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn configure_writes_the_nodes_config_from_the_panel() {
    let panel_dir = tempfile::tempdir().unwrap();
    let (child, url) = up(panel_dir.path());

    let o = aerie(panel_dir.path())
        .args(["key", "create", "--user", "admin", "--type", "application"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let key = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned();

    let node_dir = tempfile::tempdir().unwrap();
    let configure = |token: &str, node: &str| {
        aerie(node_dir.path())
            .args([
                "wings",
                "configure",
                "--panel",
                &url,
                "--token",
                token,
                "--node",
                node,
            ])
            .output()
            .unwrap()
    };
    let o = configure(&key, "1");
    assert!(o.status.success(), "{}", stderr(&o));
    let path = node_dir.path().join("wings/config.yml");
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!(
        "wrote node 1's configuration to {}",
        path.display()
    )));

    let db = aerie_db::Db::connect(&format!("sqlite://{}/panel.db", panel_dir.path().display()))
        .await
        .unwrap();
    let node = db.nodes().find(1).await.unwrap().unwrap();
    db.close().await;
    let file = WingsFile::load(&path).unwrap();
    assert_eq!(file.uuid, node.uuid);
    assert_eq!(file.token_id, node.daemon_token_id);
    assert_eq!(file.token, node.daemon_token);
    assert_eq!(file.remote, url);
    assert_eq!(i64::from(file.api.port), node.daemon_listen);
    assert_eq!(file.system.data, node.daemon_base);
    assert_eq!(
        file.app_name, "Aerie",
        "keys the panel leaves out are written with their defaults"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // A second run keeps the previous file as .bak (the token file variant, too).
    std::fs::write(&path, "token: old\n").unwrap();
    let key_file = node_dir.path().join("key.txt");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    let o = aerie(node_dir.path())
        .args([
            "wings",
            "configure",
            "--panel",
            &url,
            "--node",
            "1",
            "--token-file",
        ])
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(node_dir.path().join("wings/config.yml.bak")).unwrap(),
        "token: old\n"
    );
    assert_eq!(WingsFile::load(&path).unwrap().token, node.daemon_token);

    // A wrong key, an unknown node: one line each, the file untouched.
    let before = std::fs::read(&path).unwrap();
    let mut wrong = key.clone();
    wrong.replace_range(47..48, if key.ends_with('a') { "b" } else { "a" });
    assert_one_line_error(
        &configure(&wrong, "1"),
        &["did not accept the API key", "401"],
    );
    assert_one_line_error(&configure(&key, "42"), &["node 42 was not found", "404"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);

    stop(child);

    // The panel is gone now.
    let o = configure(&key, "1");
    assert_one_line_error(&o, &["cannot reach the panel at"]);
    assert!(
        !stderr(&o).contains(&key[16..]),
        "the key's secret is never printed"
    );
}
