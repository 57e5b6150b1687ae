//! The `yaml` (and `yml`) parser: dotted-path edits (shared with json; see the tree module)
//! on a YAML document, written back with `serde_yaml`.
//!
//! Limitation: YAML comments, anchors and the original quoting/layout do not survive a rewrite,
//! since the document is re-serialized (Pterodactyl Wings loses them the same way). A file whose
//! edits change nothing is returned untouched, comments included. A missing or empty file starts
//! as an empty map; a file that is not valid YAML is an error and is left alone.

use serde_yaml::{Mapping, Value};

use super::{ResolvedReplace, strip_bom, tree};
use crate::error::EggError;

/// Applies the replacements; see the module documentation.
pub fn apply(original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
    let text = strip_bom(original);
    let mut doc: Value = if text.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml::from_str(text).map_err(|e| EggError::MalformedFile {
            parser: "yaml",
            message: e.to_string(),
        })?
    };
    if doc.is_null() {
        // Only comments: start from an empty map.
        doc = Value::Mapping(Mapping::new());
    }
    if !tree::apply_all(&mut doc, replaces) {
        return Ok(original.to_owned());
    }
    serde_yaml::to_string(&doc).map_err(|e| EggError::Serialize {
        parser: "yaml",
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, v: &str) -> ResolvedReplace {
        ResolvedReplace::new(m, None, v).expect("valid")
    }

    // The shape BungeeCord writes; the egg is pterodactyl-seeds minecraft/egg-bungeecord.json.
    const BUNGEE: &str = "# BungeeCord\nlisteners:\n- query_port: 25577\n  motd: '&1Another Bungee server'\n  host: 0.0.0.0:25577\n  max_players: 1\nservers:\n  lobby:\n    motd: '&1Just another BungeeCord - Forced Host'\n    address: localhost:25565\n    restricted: false\n  survival:\n    address: 127.0.0.1\n  remote:\n    address: 10.0.0.7:25565\nip_forward: false\n";

    fn bungee_replaces() -> Vec<ResolvedReplace> {
        vec![
            r("listeners[0].query_port", "25600"),
            r("listeners[0].host", "0.0.0.0:25600"),
            ResolvedReplace::new(
                "servers.*.address",
                Some(r"regex:^(127\.0\.0\.1|localhost)(:\d{1,5})?$"),
                "172.18.0.1$2",
            )
            .expect("valid"),
        ]
    }

    #[test]
    fn bungeecord_config() {
        let out = apply(BUNGEE, &bungee_replaces()).expect("applies");
        let v: Value = serde_yaml::from_str(&out).expect("valid yaml");
        assert_eq!(v["listeners"][0]["query_port"], Value::Number(25600.into()));
        assert_eq!(
            v["listeners"][0]["host"],
            Value::String("0.0.0.0:25600".into())
        );
        assert_eq!(
            v["listeners"][0]["motd"],
            Value::String("&1Another Bungee server".into())
        );
        assert_eq!(
            v["servers"]["lobby"]["address"],
            Value::String("172.18.0.1:25565".into())
        );
        assert_eq!(
            v["servers"]["survival"]["address"],
            Value::String("172.18.0.1".into())
        );
        assert_eq!(
            v["servers"]["remote"]["address"],
            Value::String("10.0.0.7:25565".into())
        );
        assert_eq!(v["servers"]["lobby"]["restricted"], Value::Bool(false));
        // Key order survives the rewrite.
        let keys: Vec<_> = v
            .as_mapping()
            .expect("map")
            .keys()
            .filter_map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["listeners", "servers", "ip_forward"]);
    }

    #[test]
    fn waterfall_plain_if_values() {
        // Egg: parkervcp/eggs game_eggs/minecraft/proxy/java/waterfall (nested map of exact if_values).
        let replaces = vec![
            ResolvedReplace::new("servers.*.address", Some("127.0.0.1"), "172.18.0.1")
                .expect("valid"),
            ResolvedReplace::new("servers.*.address", Some("localhost"), "172.18.0.1")
                .expect("valid"),
        ];
        let out = apply(
            "servers:\n  a:\n    address: localhost\n  b:\n    address: localhost:25565\n",
            &replaces,
        )
        .expect("applies");
        assert_eq!(
            out,
            "servers:\n  a:\n    address: 172.18.0.1\n  b:\n    address: localhost:25565\n"
        );
    }

    #[test]
    fn dotted_keys_typed_and_created() {
        // Egg: parkervcp/eggs voice_servers/lavalink (`server.address`, `server.port`; parser `yml`).
        let out = apply(
            "server:\n  port: 2333\nlavalink:\n  server:\n    password: x\n",
            &[r("server.address", "0.0.0.0"), r("server.port", "2400")],
        )
        .expect("applies");
        assert_eq!(
            out,
            "server:\n  port: 2400\n  address: 0.0.0.0\nlavalink:\n  server:\n    password: x\n"
        );
    }

    #[test]
    fn unchanged_keeps_comments() {
        let original = "# a comment\nport: 1\n";
        assert_eq!(
            apply(original, &[r("port", "1")]).expect("applies"),
            original
        );
        let rep = ResolvedReplace::new("port", Some("2"), "3").expect("valid");
        assert_eq!(apply(original, &[rep]).expect("applies"), original);
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(
            apply("", &[r("listener.port", "19132")]).expect("applies"),
            "listener:\n  port: 19132\n"
        );
        assert_eq!(
            apply("# nothing yet\n", &[r("a", "b")]).expect("applies"),
            "a: b\n"
        );
    }

    #[test]
    fn malformed_yaml_is_an_error() {
        let err = apply("a: [1, 2\n", &[r("a", "1")]).expect_err("malformed");
        assert!(
            matches!(err, EggError::MalformedFile { parser: "yaml", .. }),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(apply(&deep, &[r("a", "1")]).is_err());
    }
}
