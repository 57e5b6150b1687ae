//! Reading real and representative eggs (fixtures in `tests/fixtures`, see SOURCES.md there)
//! and converting them to the wings process configuration.

#![allow(clippy::unwrap_used)]

use aerie_eggs::{Egg, EggError, EggFormat, FindValue, process_configuration};
use serde_json::json;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn egg(name: &str) -> Egg {
    Egg::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn ptdl_v1_legacy_images() {
    let egg = egg("egg-team-fortress2.json");
    assert_eq!(egg.format, EggFormat::PtdlV1);
    assert_eq!(egg.name, "Team Fortress 2");
    assert_eq!(egg.docker_images.len(), 1);
    assert_eq!(
        egg.docker_images
            .get("ghcr.io/pterodactyl/games:source")
            .map(String::as_str),
        Some("ghcr.io/pterodactyl/games:source")
    );
    assert!(
        egg.variables.iter().all(|v| v.field_type == "text"),
        "PTDL_v1 has no field_type: text is the default"
    );
    let appid = &egg.variables[0];
    assert_eq!(appid.env_variable, "SRCDS_APPID");
    assert_eq!(appid.default_value, "232250");
    assert_eq!(appid.rules, "required|regex:/^(232250)$/");
    let pc = egg.process_configuration().expect("converts");
    assert_eq!(pc.stop.kind, "command");
    assert_eq!(pc.stop.value, "quit");
    assert_eq!(pc.startup.done, ["gameserver Steam ID"]);
    assert!(pc.configs.is_empty());
}

#[test]
fn ptdl_v2_paper() {
    let egg = egg("egg-paper.json");
    assert_eq!(egg.format, EggFormat::PtdlV2);
    assert_eq!(egg.author, "parker@pterodactyl.io");
    assert_eq!(egg.features, ["eula", "java_version", "pid_limit"]);
    // Document order: the first image is the default one.
    let labels: Vec<_> = egg.docker_images.keys().map(String::as_str).collect();
    assert_eq!(
        labels,
        ["Java 21", "Java 17", "Java 16", "Java 11", "Java 8"]
    );
    assert_eq!(
        egg.startup,
        "java -Xms128M -XX:MaxRAMPercentage=95.0 -Dterminal.jline=false -Dterminal.ansi=true -jar {{SERVER_JARFILE}}"
    );
    assert_eq!(egg.startup_commands.get("Default"), Some(&egg.startup));
    assert_eq!(
        egg.install.container,
        "ghcr.io/pterodactyl/installers:alpine"
    );
    assert_eq!(egg.install.entrypoint, "ash");
    assert!(egg.install.script.starts_with("#!/bin/ash"));

    let pc = egg.process_configuration().expect("converts");
    assert_eq!(
        serde_json::to_value(&pc).expect("serializes"),
        json!({
            "startup": {"done": [")! For help, type "], "user_interaction": [], "strip_ansi": false},
            "stop": {"type": "command", "value": "stop"},
            "configs": [{
                "file": "server.properties",
                "parser": "properties",
                "replace": [
                    {"match": "server-ip", "replace_with": "0.0.0.0"},
                    {"match": "server-port", "replace_with": "{{server.build.default.port}}"},
                    {"match": "query.port", "replace_with": "{{server.build.default.port}}"}
                ]
            }]
        })
    );
}

#[test]
fn ptdl_v2_bungeecord_regex_if_value() {
    let pc = egg("egg-bungeecord.json")
        .process_configuration()
        .expect("converts");
    assert_eq!(pc.stop.kind, "command");
    assert_eq!(pc.stop.value, "end");
    let file = &pc.configs[0];
    assert_eq!(
        (file.file.as_str(), file.parser.as_str()),
        ("config.yml", "yaml")
    );
    let matches: Vec<_> = file.replace.iter().map(|r| r.matcher.as_str()).collect();
    assert_eq!(
        matches,
        [
            "listeners[0].query_port",
            "listeners[0].host",
            "servers.*.address"
        ]
    );
    let regex = &file.replace[2];
    assert_eq!(
        regex.if_value.as_deref(),
        Some(r"regex:^(127\.0\.0\.1|localhost)(:\d{1,5})?$")
    );
    assert_eq!(regex.replace_with, json!("{{config.docker.interface}}$2"));
}

#[test]
fn done_as_list_and_signals() {
    let pc = egg("egg-node-js-generic.json")
        .process_configuration()
        .expect("converts");
    assert_eq!(
        pc.startup.done,
        ["change this text 1", "change this text 2"]
    );
    assert_eq!(
        (pc.stop.kind.as_str(), pc.stop.value.as_str()),
        ("signal", "C")
    );

    // `^^C` is the signal `^C` (upper-cased rest), as the Pterodactyl panel converts it.
    let pc = egg("egg-lavalink.json")
        .process_configuration()
        .expect("converts");
    assert_eq!(
        (pc.stop.kind.as_str(), pc.stop.value.as_str()),
        ("signal", "^C")
    );
}

#[test]
fn yml_parser_name_is_kept() {
    let egg = egg("egg-lavalink.json");
    let spec = egg.config.files.get("application.yml").expect("file");
    assert_eq!(spec.parser, "yml");
    let pc = egg.process_configuration().expect("converts");
    assert_eq!(pc.configs[0].parser, "yml");
}

#[test]
fn integer_find_value_openttd() {
    let egg = egg("egg-open-t-t-d-server.json");
    let find = &egg.config.files["openttd.cfg"].find;
    assert_eq!(
        find.get("network.lan_internet"),
        Some(&FindValue::Value(json!(0)))
    );
    let pc = egg.process_configuration().expect("converts");
    let lan = pc.configs[0]
        .replace
        .iter()
        .find(|r| r.matcher == "network.lan_internet")
        .expect("entry");
    assert_eq!(lan.replace_with, json!(0));
    assert_eq!(egg.variables[0].env_variable, "srv_name");
}

#[test]
fn duplicate_keys_in_embedded_json_last_wins() {
    // parkervcp/eggs storage/minio: `{"done": "guide", "done": "Documentation:"}`; PHP keeps the last.
    let egg = egg("egg-minio-s3.json");
    assert_eq!(egg.config.startup.done, ["Documentation:"]);
}

#[test]
fn every_real_fixture_converts() {
    for name in [
        "egg-among-us--impostor-server.json",
        "egg-bungeecord.json",
        "egg-lavalink.json",
        "egg-minio-s3.json",
        "egg-mumble-server.json",
        "egg-node-js-generic.json",
        "egg-open-t-t-d-server.json",
        "egg-paper.json",
        "egg-postgres16.json",
        "egg-space-engineers.json",
        "egg-team-fortress2.json",
    ] {
        let egg = egg(name);
        let pc = process_configuration(&egg.config).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(pc.configs.len(), egg.config.files.len(), "{name}");
        assert!(!egg.docker_images.is_empty(), "{name}");
        assert!(!egg.variables.is_empty(), "{name}");
    }
}

#[test]
fn plcn_v1_json() {
    let egg = egg("plcn-v1-example.json");
    assert_eq!(egg.format, EggFormat::PlcnV1);
    assert_eq!(
        egg.uuid.as_deref(),
        Some("0c2b6f3a-55a1-4b7e-8f43-1f5d2a9c7e10")
    );
    assert_eq!(
        egg.update_url.as_deref(),
        Some("https://eggs.aerie.invalid/example.json")
    );
    assert_eq!(egg.description, "");
    assert!(egg.features.is_empty());
    assert_eq!(egg.tags, ["voice"]);
    assert_eq!(egg.file_denylist, ["secrets.ini"]);
    // Null container/entrypoint fall back to the Pterodactyl defaults.
    assert_eq!(
        (
            egg.install.container.as_str(),
            egg.install.entrypoint.as_str()
        ),
        ("alpine:3.4", "ash")
    );
    let motd = &egg.variables[0];
    assert_eq!(motd.rules, "required|string|max:64");
    assert_eq!(motd.field_type, "text");
    assert_eq!(motd.sort, Some(1));
    let slots = &egg.variables[1];
    assert_eq!(
        slots.rules, "required|integer|between:1,512",
        "rules as a map, in document order"
    );
    assert!(slots.user_viewable && !slots.user_editable);
    let pc = egg.process_configuration().expect("converts");
    assert_eq!(
        (pc.stop.kind.as_str(), pc.stop.value.as_str()),
        ("signal", "C")
    );
    let matches: Vec<_> = pc.configs[0]
        .replace
        .iter()
        .map(|r| r.matcher.as_str())
        .collect();
    assert_eq!(matches, ["network.port", "network.bind", "motd"]);
}

#[test]
fn plcn_v3_yaml() {
    let egg = egg("plcn-v3-example.yaml");
    assert_eq!(egg.format, EggFormat::PlcnV3);
    assert_eq!(egg.name, "Aerie Example Proxy");
    assert_eq!(
        egg.description,
        "A made-up proxy egg exercising the\nPLCN_v3 YAML shapes."
    );
    assert_eq!(egg.update_url, None);
    // `image` is the icon in PLCN_v3, never a docker image.
    let labels: Vec<_> = egg.docker_images.keys().map(String::as_str).collect();
    assert_eq!(labels, ["Java 21", "Java 17"]);
    assert!(egg.file_denylist.is_empty(), "`{{  }}` is an empty list");
    assert_eq!(
        egg.startup,
        "java -Xms128M -XX:MaxRAMPercentage=95.0 -jar {{SERVER_JARFILE}}"
    );
    assert_eq!(egg.startup_commands.len(), 2);
    assert_eq!(
        egg.startup_commands["Low memory"],
        "java -Xms64M -jar {{SERVER_JARFILE}}"
    );

    let build = &egg.variables[1];
    assert_eq!(build.default_value, "1670340", "integer default");
    assert_eq!(build.rules, "required|integer", "empty rule dropped");
    assert_eq!(build.sort, Some(2));
    assert!(build.user_viewable && !build.user_editable);
    assert_eq!(egg.variables[2].default_value, "true", "boolean default");
    assert_eq!(
        egg.variables[0].rules,
        r"required|regex:/^([\w\d._-]+)(\.jar)$/"
    );

    let files: Vec<_> = egg.config.files.keys().map(String::as_str).collect();
    assert_eq!(files, ["config.yml", "server.properties"]);
    let pc = egg.process_configuration().expect("converts");
    assert_eq!(
        pc.startup.done,
        ["Listening on ", r"regex:^Done \(\d+\.\d+s\)"]
    );
    assert_eq!(pc.startup.user_interaction, ["Go to eula.txt"]);
    assert!(pc.startup.strip_ansi);
    assert_eq!(
        serde_json::to_value(&pc.configs[0]).expect("serializes"),
        json!({
            "file": "config.yml",
            "parser": "yml",
            "replace": [
                {"match": "listeners[0].query_port", "replace_with": "{{server.allocations.default.port}}"},
                {"match": "listeners[0].host", "replace_with": "0.0.0.0:{{server.allocations.default.port}}"},
                {"match": "listeners[0].max_players", "replace_with": 100},
                {"match": "online_mode", "replace_with": true},
                {"match": "servers.*.address", "if_value": r"regex:^(127\.0\.0\.1|localhost)(:\d{1,5})?$", "replace_with": "{{config.docker.interface}}$2"}
            ]
        })
    );
}

#[test]
fn ptdl_v2_irregularities() {
    let egg = egg("ptdl-v2-irregular.json");
    assert_eq!(
        egg.docker_images
            .get("ghcr.io/example/games:source")
            .map(String::as_str),
        Some("ghcr.io/example/games:source")
    );
    assert!(egg.config.files.is_empty(), "PHP's `[]` for no files");
    assert_eq!(
        egg.config.startup.done,
        ["gameserver Steam ID", "VAC secure mode is activated."]
    );
    assert_eq!(
        egg.config.logs,
        json!("not json at all"),
        "unreadable logs are kept, not fatal"
    );
    let [appid, map, query] = &egg.variables[..] else {
        panic!("three variables")
    };
    assert_eq!(appid.default_value, "232250");
    assert_eq!(appid.rules, "required|string");
    assert!(!appid.user_viewable && !appid.user_editable);
    assert_eq!(map.rules, "required|string|max:20");
    assert_eq!(map.field_type, "text");
    assert!(map.user_viewable && map.user_editable);
    assert_eq!(query.default_value, "");
    assert_eq!(query.rules, "nullable|integer");
    assert_eq!(query.field_type, "text");
    let pc = egg.process_configuration().expect("converts");
    assert_eq!(
        (pc.stop.kind.as_str(), pc.stop.value.as_str()),
        ("signal", "^C")
    );
}

#[test]
fn docker_images_list_and_object_config_blocks() {
    let egg = egg("ptdl-v2-images-list.json");
    let images: Vec<_> = egg
        .docker_images
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        images,
        [
            (
                "ghcr.io/example/yolks:java_21",
                "ghcr.io/example/yolks:java_21"
            ),
            (
                "ghcr.io/example/yolks:java_17",
                "ghcr.io/example/yolks:java_17"
            )
        ]
    );
    let pc = egg.process_configuration().expect("converts");
    assert_eq!(pc.startup.done, ["Done"]);
    assert_eq!(
        serde_json::to_value(&pc.configs).expect("serializes"),
        json!([{
            "file": "settings.json",
            "parser": "json",
            "replace": [
                {"match": "port", "replace_with": "{{server.build.default.port}}"},
                {"match": "mode", "if_value": "old", "replace_with": "new"},
                {"match": "mode", "if_value": "older", "replace_with": "newer"}
            ]
        }])
    );
}

#[test]
fn unknown_version_is_rejected() {
    let err = Egg::parse(&fixture("bad-version.json")).expect_err("rejected");
    assert_eq!(err, EggError::UnsupportedVersion("PTDL_v9".into()));
    assert!(
        err.to_string().contains("unsupported egg format `PTDL_v9`"),
        "{err}"
    );
    assert_eq!(
        Egg::parse(r#"{"name": "x"}"#),
        Err(EggError::MissingVersion)
    );
    assert_eq!(
        Egg::parse("meta:\n  version: PLCN_v4\nname: x\n"),
        Err(EggError::UnsupportedVersion("PLCN_v4".into()))
    );
}

#[test]
fn malformed_config_files_json_is_a_clear_error() {
    let err = Egg::parse(&fixture("bad-config-files.json")).expect_err("rejected");
    match &err {
        EggError::EmbeddedJson { field, message } => {
            assert_eq!(field, "config.files");
            assert!(message.contains("line"), "{message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("egg field `config.files` is not valid JSON"),
        "{err}"
    );
}

#[test]
fn bad_documents_are_errors_not_panics() {
    for (doc, what) in [
        ("", "empty"),
        ("{", "truncated json"),
        ("[1, 2]", "a list"),
        ("just text", "a string"),
        ("meta: [", "truncated yaml"),
        (r#"{"meta": {"version": "PTDL_v2"}}"#, "no name"),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "variables": [{"name": "v"}]}"#,
            "variable without env_variable",
        ),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "variables": [{"env_variable": "A", "rules": {"x": [1]}}]}"#,
            "nested rules",
        ),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "config": {"files": {"a": {"find": {}}}}}"#,
            "file without parser",
        ),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "config": {"files": {"a": {"parser": "file", "find": {"k": [1]}}}}}"#,
            "list find value",
        ),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "config": {"startup": "{\"done\": "}}"#,
            "broken startup json",
        ),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "docker_images": 5}"#,
            "docker_images a number",
        ),
        (
            r#"{"meta": {"version": "PTDL_v2"}, "name": "x", "variables": [{"env_variable": "A", "user_viewable": "maybe"}]}"#,
            "not a boolean",
        ),
    ] {
        assert!(Egg::parse(doc).is_err(), "{what} should be rejected");
    }
    // Nesting deeper than the parsers' recursion limits is an error, not a stack overflow.
    let deep_json = format!("{{\"meta\": {}{}}}", "[".repeat(50_000), "]".repeat(50_000));
    assert!(matches!(Egg::parse(&deep_json), Err(EggError::Json(_))));
    let deep_files = format!(
        "{{\"meta\": {{\"version\": \"PTDL_v2\"}}, \"name\": \"x\", \"config\": {{\"files\": \"{}\"}}}}",
        "[".repeat(5_000)
    );
    assert!(matches!(
        Egg::parse(&deep_files),
        Err(EggError::EmbeddedJson { .. })
    ));
    let deep_yaml = format!("meta: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    assert!(matches!(Egg::parse(&deep_yaml), Err(EggError::Yaml(_))));
}

#[test]
fn config_from_stored_strings() {
    let config = aerie_eggs::EggConfig::from_json_strings(
        Some("{\"server.properties\": {\"parser\": \"properties\", \"find\": {\"server-port\": \"{{server.build.default.port}}\"}}}"),
        Some("{\"done\": \")! For help, type \"}"),
        Some("{}"),
        Some("stop"),
    )
    .expect("reads");
    let pc = process_configuration(&config).expect("converts");
    assert_eq!(pc.configs[0].replace[0].matcher, "server-port");
    assert_eq!(pc.startup.done, [")! For help, type "]);
    let empty = aerie_eggs::EggConfig::from_json_strings(None, None, None, None).expect("reads");
    let pc = process_configuration(&empty).expect("converts");
    assert_eq!(
        (pc.stop.kind.as_str(), pc.stop.value.as_str()),
        ("signal", "SIGTERM"),
        "no stop: wings' default"
    );
    assert!(aerie_eggs::EggConfig::from_json_strings(Some("{"), None, None, None).is_err());
}
