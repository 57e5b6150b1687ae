//! The `json` parser: dotted-path edits (see the path rules in the crate's tree module
//! documentation, shared with yaml) on a JSON document, written back indented with four spaces,
//! keys in their original order. A file whose edits change nothing is returned untouched,
//! formatting included. A missing or empty file starts as `{}`; a file that is not valid JSON
//! is an error and is left alone.

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use super::{ResolvedReplace, strip_bom, tree};
use crate::error::EggError;

/// Applies the replacements; see the module documentation.
pub fn apply(original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
    let text = strip_bom(original);
    let mut doc: Value = if text.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_json::from_str(text).map_err(|e| EggError::MalformedFile {
            parser: "json",
            message: e.to_string(),
        })?
    };
    if !tree::apply_all(&mut doc, replaces) {
        return Ok(original.to_owned());
    }
    let mut out = Vec::with_capacity(original.len() + 64);
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    doc.serialize(&mut serializer)
        .map_err(|e| EggError::Serialize {
            parser: "json",
            message: e.to_string(),
        })?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| EggError::Serialize {
        parser: "json",
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, v: &str) -> ResolvedReplace {
        ResolvedReplace::new(m, None, v).expect("valid")
    }

    #[test]
    fn among_us_impostor_config() {
        // Egg: parkervcp/eggs game_eggs/among_us/impostor_server (`Server.PublicPort`, `Server.ListenPort`).
        let original = r#"{
  "Server": {
    "PublicIp": "127.0.0.1",
    "PublicPort": 22023,
    "ListenIp": "0.0.0.0",
    "ListenPort": 22023
  },
  "AntiCheat": {
    "Enabled": true
  }
}"#;
        let out = apply(
            original,
            &[
                r("Server.PublicPort", "27015"),
                r("Server.ListenPort", "27015"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            r#"{
    "Server": {
        "PublicIp": "127.0.0.1",
        "PublicPort": 27015,
        "ListenIp": "0.0.0.0",
        "ListenPort": 27015
    },
    "AntiCheat": {
        "Enabled": true
    }
}
"#
        );
    }

    #[test]
    fn typed_values_and_created_keys() {
        // Egg: parkervcp/eggs game_eggs/steamcmd_servers/arma/arma_reforger (`game.name`, `bindPort`, …).
        let original =
            r#"{"bindAddress": "", "bindPort": 2001, "game": {"name": "old", "maxPlayers": 64}}"#;
        let out = apply(
            original,
            &[
                r("bindAddress", "0.0.0.0"),
                r("bindPort", "2302"),
                r("game.name", "Aerie"),
                r("game.password", ""),
                r("game.gameProperties.battlEye", "true"),
            ],
        )
        .expect("applies");
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid json");
        assert_eq!(
            v,
            serde_json::json!({"bindAddress": "0.0.0.0", "bindPort": 2302, "game": {"name": "Aerie", "maxPlayers": 64, "password": "", "gameProperties": {"battlEye": true}}})
        );
        // Order kept: created keys go last.
        let name = out.find("\"name\"").expect("name");
        let password = out.find("\"password\"").expect("password");
        assert!(name < password);
    }

    #[test]
    fn array_index_and_escaped_dots() {
        // Eggs: parkervcp/eggs software/5e-tools (`apps.http.servers.srv0.listen.0`) and
        // game_eggs/factorio/clusterio (`controller~1http_port`).
        let caddy = r#"{"apps":{"http":{"servers":{"srv0":{"listen":[":80"]}}}}}"#;
        let out = apply(caddy, &[r("apps.http.servers.srv0.listen.0", ":8080")]).expect("applies");
        assert!(out.contains("\":8080\""), "{out}");
        let clusterio = r#"{"controller.http_port": 8080, "controller.name": "x"}"#;
        let out = apply(clusterio, &[r("controller~1http_port", "9000")]).expect("applies");
        assert!(out.contains("\"controller.http_port\": 9000"), "{out}");
    }

    #[test]
    fn wildcard_with_regex() {
        let original = r#"{"servers": {"lobby": {"address": "localhost:25566"}, "hub": {"address": "10.0.0.2:25567"}}}"#;
        let rep = ResolvedReplace::new(
            "servers.*.address",
            Some(r"regex:^(127\.0\.0\.1|localhost)(:\d{1,5})?$"),
            "172.18.0.1$2",
        )
        .expect("valid");
        let out = apply(original, &[rep]).expect("applies");
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid json");
        assert_eq!(v["servers"]["lobby"]["address"], "172.18.0.1:25566");
        assert_eq!(v["servers"]["hub"]["address"], "10.0.0.2:25567");
    }

    #[test]
    fn if_value_not_matching_leaves_file_unchanged() {
        let original = "{\n  \"port\": 1\n}";
        let rep = ResolvedReplace::new("port", Some("2"), "3").expect("valid");
        assert_eq!(apply(original, &[rep]).expect("applies"), original);
        // Conditional replacements never create.
        let rep = ResolvedReplace::new("other", Some(""), "3").expect("valid");
        assert_eq!(rep.if_value, None);
        let rep = ResolvedReplace::new("other", Some("x"), "3").expect("valid");
        assert_eq!(apply(original, &[rep]).expect("applies"), original);
    }

    #[test]
    fn empty_file_is_created() {
        let out = apply(
            "",
            &[
                r("port", "25565"),
                r("bind.ip", "0.0.0.0"),
                r("list[0].a", "b"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "{\n    \"port\": 25565,\n    \"bind\": {\n        \"ip\": \"0.0.0.0\"\n    },\n    \"list\": [\n        {\n            \"a\": \"b\"\n        }\n    ]\n}\n"
        );
    }

    #[test]
    fn paths_that_do_not_fit_change_nothing() {
        let original = r#"{"a": 5, "l": [1]}"#;
        for m in ["a.b", "l[3]", "l.x", "*.x"] {
            assert_eq!(
                apply(original, &[r(m, "1")]).expect("applies"),
                original,
                "{m}"
            );
        }
    }

    #[test]
    fn malformed_json_is_an_error() {
        let err = apply("{\"a\": ", &[r("a", "1")]).expect_err("malformed");
        assert!(
            matches!(err, EggError::MalformedFile { parser: "json", .. }),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(apply(&deep, &[r("a", "1")]).is_err());
    }
}
