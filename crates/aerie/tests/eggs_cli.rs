//! `aerie eggs import` as an administrator runs it, and the nests a fresh database gets.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn aerie(dir: &Path) -> Command {
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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(c: &mut Command) -> Output {
    c.output().expect("run aerie")
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/eggs")
}

async fn db(dir: &Path) -> aerie_db::Db {
    aerie_db::Db::connect(&format!("sqlite://{}/panel.db", dir.display()))
        .await
        .unwrap()
}

#[tokio::test]
async fn import_reports_each_egg_and_keeps_going_past_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(
        &bad,
        "{\"meta\": {\"version\": \"PTDL_v9\"}, \"name\": \"x\"}",
    )
    .unwrap();
    let tagged = dir.path().join("tagged.yaml");
    std::fs::write(
        &tagged,
        "meta:\n  version: PLCN_v2\nname: Tagged\ntags: [voice-servers]\n\
         docker_images:\n  Alpine: alpine:3\nstartup: ./run\n",
    )
    .unwrap();

    let o = run(aerie(dir.path()).args(["eggs", "import"]).args([
        fixtures().join("egg-openttd.json"),
        bad.clone(),
        fixtures().join("egg-mumble.json"),
        tagged.clone(),
        dir.path().join("missing.json"),
    ]));
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!o.status.success(), "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("imported egg 1 \"OpenTTD\" into nest 5 \"Imported\" from "),
        "{out}"
    );
    assert!(
        lines[1].starts_with("imported egg 2 \"Mumble\" into nest 5 \"Imported\""),
        "{out}"
    );
    // The first tag names the nest: the seeded "Voice Servers" (id 3).
    assert!(
        lines[2].starts_with("imported egg 3 \"Tagged\" into nest 3 \"Voice Servers\""),
        "{out}"
    );
    assert_eq!(lines[3], "3 egg(s) imported, 0 updated, 2 failed");
    let err_lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(err_lines.len(), 3, "{err}");
    assert!(err_lines[0].starts_with("error: ") && err_lines[0].contains("broken.json"));
    assert!(err_lines[0].contains("PTDL_v9"), "{err}");
    assert!(err_lines[1].contains("missing.json"), "{err}");
    assert_eq!(err_lines[2], "error: 2 egg file(s) could not be imported");
    assert!(!err.contains("panicked"), "{err}");

    let db = db(dir.path()).await;
    let names: Vec<String> = db
        .nests()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(
        names,
        [
            "Minecraft",
            "Source Engine",
            "Voice Servers",
            "Rust",
            "Imported"
        ]
    );
    assert_eq!(db.eggs().list().await.unwrap().len(), 3);
    db.close().await;

    // Again, into a named nest, with a directory: OpenTTD and Mumble are updated in place
    // where they are; the rest are new there.
    let o = run(aerie(dir.path())
        .args(["eggs", "import", "--nest", "5"])
        .arg(fixtures()));
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("updated egg 1 \"OpenTTD\" into nest 5"),
        "{out}"
    );
    assert!(
        out.contains("updated egg 2 \"Mumble\" into nest 5"),
        "{out}"
    );
    assert!(out.contains("\"Minetest\" into nest 5"), "{out}");
    assert!(
        out.lines().last().unwrap().ends_with("2 updated, 0 failed"),
        "{out}"
    );

    let o = run(aerie(dir.path())
        .args(["eggs", "import", "--nest", "99"])
        .arg(&tagged));
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("nest 99 does not exist"));
}

#[test]
fn import_needs_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(aerie(dir.path()).args(["eggs", "import"]));
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("PATH"), "{}", text(&o.stderr));
}

#[tokio::test]
async fn migrate_seeds_the_standard_nests_once() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let o = run(aerie(dir.path()).arg("migrate"));
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let db = db(dir.path()).await;
    let nests = db.nests().list().await.unwrap();
    let names: Vec<&str> = nests.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["Minecraft", "Source Engine", "Voice Servers", "Rust"]
    );
    assert!(nests.iter().all(|n| n.author == "support@pterodactyl.io"));
    assert!(db.eggs().list().await.unwrap().is_empty());
}
