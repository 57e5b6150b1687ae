//! The `aerie` binary as a user runs it.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn aerie(dir: &std::path::Path) -> Command {
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

fn run(c: &mut Command) -> Output {
    c.output().expect("run aerie")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Bad input ends with status 1 and exactly one `error:` line on stderr, no panic.
fn assert_one_line_error(o: &Output, contains: &str) {
    assert!(!o.status.success());
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(lines[0].contains(contains), "`{contains}` not in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn version_is_printed() {
    let o = run(Command::new(env!("CARGO_BIN_EXE_aerie")).arg("--version"));
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("aerie {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn key_create_prints_a_pterodactyl_token_stored_only_as_a_hash() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(aerie(dir.path()).args([
        "user",
        "create",
        "--email",
        "Ops@Example.com",
        "--username",
        "ops",
        "--password",
        "s3cret-pass",
        "--admin",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));

    for (kind, prefix) in [("application", "ptla_"), ("client", "ptlc_")] {
        let o = run(aerie(dir.path()).args([
            "key",
            "create",
            "--user",
            "ops@example.com",
            "--type",
            kind,
        ]));
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let token = out.lines().last().unwrap().trim().to_owned();
        assert_eq!(token.len(), 48, "{out}");
        assert!(token.starts_with(prefix));
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let (identifier, secret) = token.split_at(16);

        // The identifier is stored; the secret appears nowhere in the database files.
        let mut bytes = Vec::new();
        for f in ["panel.db", "panel.db-wal"] {
            if let Ok(b) = std::fs::read(dir.path().join(f)) {
                bytes.extend(b);
            }
        }
        let hay = String::from_utf8_lossy(&bytes);
        assert!(hay.contains(identifier), "identifier stored");
        assert!(!hay.contains(secret), "secret stored in plain text");
    }

    let o = run(aerie(dir.path()).args(["key", "create", "--user", "nobody", "--type", "client"]));
    assert_one_line_error(&o, "No user matches `nobody`");
    let o = run(aerie(dir.path()).args(["key", "create", "--user", "ops", "--type", "root"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("unknown key type `root`"));
}

#[test]
fn a_non_admin_cannot_own_an_application_key() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(aerie(dir.path()).args([
            "user",
            "create",
            "--email",
            "u@example.com",
            "--username",
            "usr",
            "--password",
            "password1"
        ]))
        .status
        .success()
    );
    let o =
        run(aerie(dir.path()).args(["key", "create", "--user", "usr", "--type", "application"]));
    assert_one_line_error(&o, "Only administrators");
}

#[test]
fn user_create_validates_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(aerie(dir.path()).args([
        "user",
        "create",
        "--email",
        "not-an-email",
        "--username",
        "xyz",
        "--password",
        "password1",
    ]));
    assert_one_line_error(&o, "valid email");
    let o = run(aerie(dir.path()).args([
        "user",
        "create",
        "--email",
        "a@example.com",
        "--username",
        "abc",
        "--password",
        "short",
    ]));
    assert_one_line_error(&o, "at least 8 characters");
    assert!(
        run(aerie(dir.path()).args([
            "user",
            "create",
            "--email",
            "a@example.com",
            "--username",
            "abc",
            "--password",
            "password1"
        ]))
        .status
        .success()
    );
    let o = run(aerie(dir.path()).args([
        "user",
        "create",
        "--email",
        "A@example.com",
        "--username",
        "bcd",
        "--password",
        "password1",
    ]));
    assert_one_line_error(&o, "email has already been taken");
}

#[test]
fn bad_configuration_exits_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    // Unreadable config file.
    let o = run(aerie(dir.path()).args(["--config", "/nonexistent/aerie.toml", "migrate"]));
    assert_one_line_error(&o, "cannot read config file /nonexistent/aerie.toml");
    // Invalid TOML.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[panel\nbind = 3").unwrap();
    let o = run(aerie(dir.path()).arg("--config").arg(&bad).arg("migrate"));
    assert_one_line_error(&o, "invalid config file");
    // Bad database URL.
    let o = run(aerie(dir.path())
        .args(["migrate"])
        .env("AERIE_DATABASE_URL", "oracle://db.example/x"));
    assert_one_line_error(&o, "unsupported database `oracle`");
    // Unreachable database: the driver's reason, and never the password.
    let o = run(aerie(dir.path()).args([
        "migrate",
        "--database-url",
        "postgres://u:hunter2@127.0.0.1:1/x",
    ]));
    assert_one_line_error(&o, "cannot connect to the postgres database");
    assert!(!stderr(&o).contains("hunter2"));
    // Bad bind address.
    let o = run(aerie(dir.path()).args(["panel", "--bind", "localhost"]));
    assert_one_line_error(&o, "`localhost` is not an address");
}

#[test]
fn a_port_in_use_is_reported_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = run(aerie(dir.path()).args(["panel", "--bind", &addr]));
    assert_one_line_error(&o, &format!("cannot listen on {addr} for the panel"));
}

#[test]
fn unknown_aerie_variables_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(aerie(dir.path())
        .arg("migrate")
        .env("AERIE_DATABSE_URL", "x"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("ignoring unknown environment variable AERIE_DATABSE_URL"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn migrate_applies_once() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(aerie(dir.path()).arg("migrate"));
    assert!(o.status.success(), "{}", stderr(&o));
    let first = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(first.contains(" migration(s) now"), "{first}");
    assert!(!first.contains("applied 0 migration(s) now"), "{first}");
    let o = run(aerie(dir.path()).arg("migrate"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("applied 0 migration(s) now"));
    assert!(dir.path().join("panel.db").exists());
}

/// `aerie up` on a fresh data directory: creates the admin, registers node 1, serves the
/// panel with DB and Docker healthy, and shuts down cleanly on SIGTERM.
#[tokio::test]
async fn up_serves_panel_and_local_node_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = aerie(dir.path())
        .args(["up", "--bind", "127.0.0.1:0", "--wings-bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read stdout on a thread until the ready line (blocking reads, bounded by a deadline).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut printed = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("aerie up printed its URL");
        printed.push(line.clone());
        if let Some(rest) = line.strip_prefix("Aerie is up: panel ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("created administrator `admin` with password ")),
        "{printed:?}"
    );
    let creds = std::fs::read_to_string(dir.path().join("initial-admin.txt")).unwrap();
    assert!(creds.contains("username: admin"));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("initial-admin.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let r = reqwest::get(format!("{url}/api/health")).await.unwrap();
    let status = r.status();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"]["database"]["ok"], true);
    assert_eq!(body["checks"]["docker"]["ok"], true, "{body}");
    let page = reqwest::get(format!("{url}/auth/login")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.unwrap().contains("<div id=\"root\">"),
        "login page HTML served"
    );

    // Node 1 is registered on 127.0.0.1.
    let db = aerie_db::Db::connect(&format!("sqlite://{}/panel.db", dir.path().display()))
        .await
        .unwrap();
    let nodes = db.nodes().list().await.unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!((nodes[0].id, nodes[0].fqdn.as_str()), (1, "127.0.0.1"));
    db.close().await;

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let waiter = tokio::task::spawn_blocking(move || child.wait());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), waiter)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}
