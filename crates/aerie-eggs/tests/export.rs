//! Exporting eggs as PTDL_v2: the document shape, and export → parse → export being byte
//! stable over every fixture, the bundled eggs and, when it is present next to the
//! repository (`../shared/eggs`), the whole public corpus.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use aerie_eggs::{Egg, PtdlV2, process_configuration};
use serde_json::Value;

const STAMP: &str = "2026-01-02T03:04:05+00:00";

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every `*.json`/`*.yaml`/`*.yml` under `dir` (in subdirectories too when `deep`), sorted.
fn egg_files(dir: &Path, deep: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if deep {
                    stack.push(p);
                }
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("json" | "yaml" | "yml")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Exports `text`, re-reads the export and exports again; both exports must be identical and
/// the re-read egg must mean the same as the original.
fn round_trip(name: &str, text: &str) {
    let original = Egg::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let first = PtdlV2::from_egg(&original, STAMP).to_json();
    let reread =
        Egg::parse(&first).unwrap_or_else(|e| panic!("{name}: export does not parse: {e}"));
    let second = PtdlV2::from_egg(&reread, STAMP).to_json();
    assert_eq!(first, second, "{name}: export is not stable");

    assert_eq!(reread.name, original.name, "{name}");
    assert_eq!(reread.startup, original.startup, "{name}");
    assert_eq!(reread.docker_images, original.docker_images, "{name}");
    assert_eq!(reread.config.files, original.config.files, "{name}");
    assert_eq!(reread.config.startup, original.config.startup, "{name}");
    assert_eq!(reread.install, original.install, "{name}");
    assert_eq!(
        process_configuration(&reread.config).ok(),
        process_configuration(&original.config).ok(),
        "{name}"
    );
    let envs = |e: &Egg| {
        let mut v: Vec<_> = e
            .variables
            .iter()
            .map(|v| {
                (
                    v.env_variable.clone(),
                    v.default_value.clone(),
                    v.rules.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(envs(&reread), envs(&original), "{name}");
}

#[test]
fn export_shape_is_ptdl_v2() {
    let text = std::fs::read_to_string(fixtures_dir().join("egg-paper.json")).unwrap();
    let egg = Egg::parse(&text).unwrap();
    let json = PtdlV2::from_egg(&egg, STAMP).to_json();
    assert!(json.starts_with("{\n    \"_comment\": "), "{json}");
    assert!(!json.contains("\\/"), "slashes are not escaped");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["meta"]["version"], "PTDL_v2");
    assert_eq!(v["meta"]["update_url"], Value::Null);
    assert_eq!(v["exported_at"], STAMP);
    assert_eq!(v["name"], "Paper");
    assert_eq!(v["author"], "parker@pterodactyl.io");
    assert_eq!(
        v["features"],
        serde_json::json!(["eula", "java_version", "pid_limit"])
    );
    assert!(v["docker_images"].is_object());
    assert!(v["file_denylist"].is_array());
    for block in ["files", "startup", "logs", "stop"] {
        assert!(v["config"][block].is_string(), "config.{block} is a string");
    }
    // The stored string is the document's, byte for byte.
    let original: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["config"]["files"], original["config"]["files"]);
    assert_eq!(v["config"]["startup"], original["config"]["startup"]);
    let install = &v["scripts"]["installation"];
    assert_eq!(
        install["container"],
        original["scripts"]["installation"]["container"]
    );
    assert_eq!(install["entrypoint"], "ash");
    let var = &v["variables"][0];
    let keys: Vec<&str> = var
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "name",
        "description",
        "env_variable",
        "default_value",
        "user_viewable",
        "user_editable",
        "rules",
        "field_type",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(var["field_type"], "text");
    // Key order follows Pterodactyl's exporter.
    let order = [
        "\"meta\"",
        "\"exported_at\"",
        "\"name\"",
        "\"docker_images\"",
        "\"variables\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| json.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn yaml_config_maps_are_stored_as_json_in_document_order() {
    let text = std::fs::read_to_string(fixtures_dir().join("plcn-v3-example.yaml")).unwrap();
    let egg = Egg::parse(&text).unwrap();
    let files: Value = serde_json::from_str(&egg.stored_config.files).unwrap();
    assert!(files.is_object());
    let stored_paths: Vec<&str> = egg.config.files.keys().map(String::as_str).collect();
    let mut last = 0;
    for p in &stored_paths {
        let at = egg.stored_config.files.find(&format!("\"{p}\"")).unwrap();
        assert!(at >= last, "paths keep document order");
        last = at;
    }
    assert!(
        egg.stored_config.files.contains("\n    \""),
        "four-space indent"
    );
    let json = PtdlV2::from_egg(&egg, STAMP).to_json();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["meta"]["version"], "PTDL_v2");
    assert!(v["config"]["files"].is_string());
}

#[test]
fn missing_config_blocks_are_empty_objects() {
    let egg = Egg::parse(r#"{"meta": {"version": "PTDL_v2"}, "name": "Bare"}"#).unwrap();
    assert_eq!(egg.stored_config.files, "{}");
    assert_eq!(egg.stored_config.startup, "{}");
    assert_eq!(egg.stored_config.logs, "{}");
    round_trip(
        "bare",
        r#"{"meta": {"version": "PTDL_v2"}, "name": "Bare"}"#,
    );
}

#[test]
fn every_fixture_round_trips() {
    let mut n = 0;
    for path in egg_files(&fixtures_dir(), false) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("bad-") {
            continue;
        }
        round_trip(&name, &std::fs::read_to_string(&path).unwrap());
        n += 1;
    }
    for (name, text) in aerie_eggs::bundled::AERIE_GAME_EGGS {
        round_trip(name, text);
        n += 1;
    }
    assert!(n >= 15, "only {n} fixtures found");
}

/// The public corpus lives outside the repository (`<repo>/../shared/eggs`); on a clean
/// clone it is absent and only the fixtures above are checked.
#[test]
fn public_corpus_round_trips_when_present() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eggs");
    if !corpus.is_dir() {
        eprintln!("no egg corpus at {}; skipped", corpus.display());
        return;
    }
    let files = egg_files(&corpus, true);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        round_trip(&path.display().to_string(), &text);
    }
    eprintln!("{} corpus eggs round-tripped", files.len());
    assert!(!files.is_empty());
}
