//! End to end, as wings runs it before a start: egg → process configuration → each config file
//! edited with its parser, placeholders resolved for one server. Sample files are in
//! `tests/fixtures/files`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use aerie_eggs::{
    Egg, EggError, PlaceholderContext, apply_config_file, process_configuration_for_server,
};
use aerie_proto::wings::{ConfigFile, ConfigReplace};
use serde_json::json;

fn read(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn configs(egg: &str) -> (Egg, Vec<ConfigFile>) {
    let egg = Egg::parse(&read(egg)).unwrap_or_else(|e| panic!("{egg}: {e}"));
    let pc = egg.process_configuration().expect("converts");
    (egg, pc.configs)
}

/// A server on port 27015 with the egg's defaults as its environment, on a node whose docker
/// interface is 172.18.0.1.
fn ctx(egg: &Egg) -> PlaceholderContext {
    PlaceholderContext {
        default_ip: "203.0.113.10".into(),
        default_port: 27015,
        memory: 4096,
        env: egg
            .variables
            .iter()
            .map(|v| (v.env_variable.clone(), v.default_value.clone()))
            .collect(),
        server: BTreeMap::new(),
        wings_config: json!({"docker": {"network": {"interface": "172.18.0.1", "name": "pterodactyl_nw"}}, "system": {"data": "/var/lib/pterodactyl/volumes"}}),
    }
}

fn edit(egg: &Egg, file: &ConfigFile, original: &str) -> String {
    apply_config_file(&file.parser, original, &file.replace, &ctx(egg))
        .unwrap_or_else(|e| panic!("{}: {e}", file.file))
}

#[test]
fn paper_server_properties() {
    let (egg, configs) = configs("egg-paper.json");
    let original = read("files/server.properties");
    let out = edit(&egg, &configs[0], &original);
    let expected = original
        .replace("query.port=25565", "query.port=27015")
        .replace("server-ip=\n", "server-ip=0.0.0.0\n")
        .replace("server-port=25565", "server-port=27015");
    assert_eq!(out, expected);
    // Applying again changes nothing.
    assert_eq!(edit(&egg, &configs[0], &out), out);
    // A new server has no file yet.
    assert_eq!(
        edit(&egg, &configs[0], ""),
        "server-ip=0.0.0.0\nserver-port=27015\nquery.port=27015\n"
    );
}

#[test]
fn bungeecord_config_yml_with_regex_if_value() {
    let (egg, configs) = configs("egg-bungeecord.json");
    let out = edit(&egg, &configs[0], &read("files/bungee-config.yml"));
    let doc: serde_yaml::Value = serde_yaml::from_str(&out).expect("valid yaml");
    let listener = &doc["listeners"][0];
    assert_eq!(listener["query_port"], serde_yaml::Value::from(27015));
    assert_eq!(listener["host"], serde_yaml::Value::from("0.0.0.0:27015"));
    assert_eq!(listener["tab_list"], serde_yaml::Value::from("GLOBAL_PING"));
    // localhost/127.0.0.1 become the docker interface, keeping the port ($2); others stay.
    assert_eq!(
        doc["servers"]["lobby"]["address"],
        serde_yaml::Value::from("172.18.0.1:25565")
    );
    assert_eq!(
        doc["servers"]["creative"]["address"],
        serde_yaml::Value::from("172.18.0.1:25566")
    );
    assert_eq!(
        doc["servers"]["remote"]["address"],
        serde_yaml::Value::from("play.example.org:25565")
    );
    assert_eq!(doc["connection_throttle"], serde_yaml::Value::from(4000));
    assert_eq!(edit(&egg, &configs[0], &out), out, "stable");
}

#[test]
fn openttd_cfg_ini() {
    let (egg, configs) = configs("egg-open-t-t-d-server.json");
    let original = read("files/openttd.cfg");
    let out = edit(&egg, &configs[0], &original);
    let expected = original
        .replace("server_port = 3979", "server_port = 27015")
        .replace("server_name = \n", "server_name = OpenTTD Server\n")
        .replace(
            "lan_internet = 1\nmax_clients = 25\n",
            "lan_internet = 0\nmax_clients = 25\nserver_advertise = true\n",
        );
    assert_eq!(out, expected);
}

#[test]
fn mumble_murmur_ini_root_keys() {
    let (egg, configs) = configs("egg-mumble-server.json");
    let original = read("files/murmur.ini");
    let out = edit(&egg, &configs[0], &original);
    let expected = original
        .replace("database=\n", "database=/home/container/murmur.sqlite\n")
        .replace("port=64738\n", "port=27015\n")
        .replace(
            "users=100\n",
            "users=100\nlogfile=/home/container/murmur.log\nhost=0.0.0.0\n",
        );
    assert_eq!(out, expected);
}

#[test]
fn space_engineers_xml() {
    let (egg, configs) = configs("egg-space-engineers.json");
    let dedicated = configs
        .iter()
        .find(|c| c.file == "config/SpaceEngineers-Dedicated.cfg")
        .expect("file");
    let out = edit(&egg, dedicated, &read("files/SpaceEngineers-Dedicated.cfg"));
    for expected in [
        "    <GameMode>Survival</GameMode>\n",
        "    <EnableSaving>true</EnableSaving>\n    <ExperimentalMode>false</ExperimentalMode>\n",
        "  <LoadWorld>Z:\\home\\container\\config\\Saves\\World\\Sandbox.sbc</LoadWorld>\n",
        "  <ServerPort>27015</ServerPort>\n",
        "  <ServerName>A Pterodactyl hosted Space Engineer Server</ServerName>\n",
        "  <RemoteApiEnabled>",
        "</MyConfigDedicated>\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(
        out.starts_with("<?xml version=\"1.0\"?>\n<MyConfigDedicated xmlns:xsd="),
        "{out}"
    );
    assert_eq!(edit(&egg, dedicated, &out), out, "stable");
}

#[test]
fn impostor_json() {
    let (egg, configs) = configs("egg-among-us--impostor-server.json");
    let out = edit(&egg, &configs[0], &read("files/impostor-config.json"));
    assert_eq!(
        out,
        "{\n    \"Server\": {\n        \"PublicIp\": \"127.0.0.1\",\n        \"PublicPort\": 27015,\n        \"ListenIp\": \"0.0.0.0\",\n        \"ListenPort\": 27015\n    },\n    \"AntiCheat\": {\n        \"Enabled\": true,\n        \"BanIpFromGame\": true\n    }\n}\n"
    );
}

#[test]
fn postgres_file_parser() {
    let (egg, configs) = configs("egg-postgres16.json");
    let original = read("files/postgresql.conf");
    let out = edit(&egg, &configs[0], &original);
    assert_eq!(
        out,
        original
            .replace("#port = 5432\t\t\t\t# (change requires restart)", "port = 27015")
            .replace(
                "#unix_socket_directories = '/var/run/postgresql'\t# comma-separated list of directories",
                "unix_socket_directories = '/home/container/postgres_db/run/'"
            )
            .replace(
                "#external_pid_file = ''\t\t\t# write an extra PID file",
                "external_pid_file = '/home/container/postgres_db/run/postgres.pid'"
            )
    );
}

#[test]
fn lavalink_yml_parser_on_a_new_file() {
    let (egg, configs) = configs("egg-lavalink.json");
    assert_eq!(
        edit(&egg, &configs[0], ""),
        "server:\n  address: 0.0.0.0\n  port: 27015\n"
    );
}

#[test]
fn every_fixture_creates_missing_files() {
    for name in [
        "egg-among-us--impostor-server.json",
        "egg-bungeecord.json",
        "egg-lavalink.json",
        "egg-mumble-server.json",
        "egg-open-t-t-d-server.json",
        "egg-paper.json",
        "egg-postgres16.json",
        "egg-space-engineers.json",
        "plcn-v1-example.json",
        "plcn-v3-example.yaml",
        "ptdl-v2-images-list.json",
    ] {
        let (egg, configs) = configs(name);
        for file in &configs {
            let created = edit(&egg, file, "");
            assert_eq!(
                edit(&egg, file, &created),
                created,
                "{name} {}: applying twice changes nothing",
                file.file
            );
        }
    }
}

#[test]
fn plcn_v3_pelican_placeholders() {
    let (egg, configs) = configs("plcn-v3-example.yaml");
    let out = edit(&egg, &configs[0], &read("files/bungee-config.yml"));
    let doc: serde_yaml::Value = serde_yaml::from_str(&out).expect("valid yaml");
    assert_eq!(
        doc["listeners"][0]["host"],
        serde_yaml::Value::from("0.0.0.0:27015")
    );
    assert_eq!(
        doc["listeners"][0]["max_players"],
        serde_yaml::Value::from(100)
    );
    assert_eq!(doc["online_mode"], serde_yaml::Value::from(true));
    assert_eq!(
        doc["servers"]["lobby"]["address"],
        serde_yaml::Value::from("172.18.0.1:25565")
    );
}

#[test]
fn panel_side_resolution_for_stock_wings() {
    let egg = Egg::parse(&read("egg-bungeecord.json")).expect("parses");
    let pc = process_configuration_for_server(&egg.config, &ctx(&egg)).expect("converts");
    let replace: Vec<_> = pc.configs[0]
        .replace
        .iter()
        .map(|r| r.replace_with.clone())
        .collect();
    assert_eq!(
        replace,
        [
            json!("27015"),
            json!("0.0.0.0:27015"),
            json!("{{config.docker.network.interface}}$2")
        ]
    );
}

#[test]
fn unknown_parser_and_bad_regex() {
    let ctx = PlaceholderContext::default();
    let replace = [ConfigReplace {
        matcher: "a".into(),
        if_value: None,
        replace_with: json!("b"),
    }];
    assert_eq!(
        apply_config_file("toml", "a = 1\n", &replace, &ctx),
        Err(EggError::UnknownParser("toml".into()))
    );
    let bad = [ConfigReplace {
        matcher: "a".into(),
        if_value: Some("regex:[".into()),
        replace_with: json!("b"),
    }];
    assert!(matches!(
        apply_config_file("json", "{}", &bad, &ctx),
        Err(EggError::InvalidRegex { .. })
    ));
}

#[test]
fn if_value_not_matching_leaves_every_parser_unchanged() {
    let ctx = PlaceholderContext::default();
    let cases = [
        ("properties", "a=1\n", "a"),
        ("file", "a=1\n", "a="),
        ("yaml", "a: 1\n", "a"),
        ("yml", "a: 1\n", "a"),
        ("json", "{\"a\": 1}", "a"),
        ("ini", "[s]\na = 1\n", "s.a"),
        ("xml", "<r><a>1</a></r>", "r.a"),
    ];
    for (parser, original, matcher) in cases {
        for if_value in ["2", "regex:^2$"] {
            let replace = [ConfigReplace {
                matcher: matcher.into(),
                if_value: Some(if_value.into()),
                replace_with: json!("3"),
            }];
            let out = apply_config_file(parser, original, &replace, &ctx)
                .unwrap_or_else(|e| panic!("{parser}: {e}"));
            assert_eq!(out, original, "{parser} with if_value {if_value}");
        }
        // And the matching case does change it.
        let replace = [ConfigReplace {
            matcher: matcher.into(),
            if_value: Some("regex:1".into()),
            replace_with: json!("3"),
        }];
        let out = apply_config_file(parser, original, &replace, &ctx)
            .unwrap_or_else(|e| panic!("{parser}: {e}"));
        assert_ne!(out, original, "{parser} with a matching regex");
    }
}

#[test]
fn empty_original_works_for_every_parser() {
    let ctx = PlaceholderContext {
        default_port: 25565,
        ..Default::default()
    };
    let replace = |m: &str| {
        [ConfigReplace {
            matcher: m.into(),
            if_value: None,
            replace_with: json!("{{server.build.default.port}}"),
        }]
    };
    let cases = [
        ("properties", "server-port", "server-port=25565\n"),
        ("file", "port=", ""),
        ("yaml", "server.port", "server:\n  port: 25565\n"),
        ("yml", "port", "port: 25565\n"),
        (
            "json",
            "server.port",
            "{\n    \"server\": {\n        \"port\": 25565\n    }\n}\n",
        ),
        ("ini", "server.port", "[server]\nport=25565\n"),
        (
            "xml",
            "config.port",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n  <port>25565</port>\n</config>\n",
        ),
    ];
    for (parser, matcher, expected) in cases {
        let out = apply_config_file(parser, "", &replace(matcher), &ctx)
            .unwrap_or_else(|e| panic!("{parser}: {e}"));
        assert_eq!(out, expected, "{parser}");
    }
}

#[test]
fn malformed_existing_files_are_errors() {
    let ctx = PlaceholderContext::default();
    let replace = [ConfigReplace {
        matcher: "a".into(),
        if_value: None,
        replace_with: json!("b"),
    }];
    for (parser, text) in [
        ("json", "{\"a\": }"),
        ("yaml", "a: [\n"),
        ("xml", "<a><b></a>"),
    ] {
        let err = apply_config_file(parser, text, &replace, &ctx).expect_err(parser);
        assert!(
            matches!(err, EggError::MalformedFile { .. }),
            "{parser}: {err}"
        );
    }
}
