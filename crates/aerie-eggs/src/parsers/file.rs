//! The `file` parser: every line that starts with a replacement's `match` is replaced whole by
//! its `replace_with`. Lines are compared as written (no trimming), the first replacement that
//! matches a line wins, and a line no replacement matches is kept. Nothing is ever added, so a
//! file where nothing matches (or an empty new file) stays as it is.
//!
//! For `if_value` the current value is the whole line. Line breaks inside `replace_with` are
//! written with the file's own line ending.

use super::{Lines, ResolvedReplace};
use crate::error::EggError;

/// Applies the replacements; see the module documentation.
pub fn apply(original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
    let mut doc = Lines::split(original);
    let mut changed = false;
    for line in &mut doc.lines {
        let hit = replaces
            .iter()
            .filter(|r| !r.matcher.is_empty() && line.starts_with(&r.matcher))
            .find_map(|r| r.new_value(Some(line)).map(|v| v.into_owned()));
        if let Some(new) = hit {
            let new = new.replace("\r\n", "\n").replace('\n', doc.eol);
            if *line != new {
                *line = new;
                changed = true;
            }
        }
    }
    Ok(if changed {
        doc.join()
    } else {
        original.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, v: &str) -> ResolvedReplace {
        ResolvedReplace::new(m, None, v).expect("valid")
    }

    #[test]
    fn postgres_commented_defaults() {
        // From parkervcp/eggs database/sql/postgres/egg-postgres16.json.
        let original = "# comment\n#port = 5432\t\t\t\t# (change requires restart)\nmax_connections = 100\n#external_pid_file = ''\n";
        let out = apply(
            original,
            &[
                r("#port =", "port = 5433"),
                r(
                    "#external_pid_file =",
                    "external_pid_file = '/home/container/postgres_db/run/postgres.pid'",
                ),
                r(
                    "#unix_socket_directories =",
                    "unix_socket_directories = '/home/container/postgres_db/run/'",
                ),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "# comment\nport = 5433\nmax_connections = 100\nexternal_pid_file = '/home/container/postgres_db/run/postgres.pid'\n"
        );
    }

    #[test]
    fn prefix_with_trailing_space_and_every_matching_line() {
        // From parkervcp/eggs game_eggs/cs2d/egg-c-s2-d.json: `sv_hostport ` keeps `sv_hostportx` alone.
        let original = "sv_name \"x\"\nsv_hostport 36963\nsv_hostportx 1\nsv_name \"y\"";
        let out = apply(
            original,
            &[
                r("sv_hostport ", "sv_hostport 40000"),
                r("sv_name", "sv_name Aerie"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "sv_name Aerie\nsv_hostport 40000\nsv_hostportx 1\nsv_name Aerie"
        );
    }

    #[test]
    fn multi_line_replacement_uses_file_line_ending() {
        // From parkervcp/eggs database/nosql/mongodb/egg-mongo-d-b7.json.
        let original = "net:\r\n  port: 27017\r\n#security:\r\n";
        let out = apply(
            original,
            &[r(
                "#security:",
                "security: \r\n  authorization: \"enabled\"",
            )],
        )
        .expect("applies");
        assert_eq!(
            out,
            "net:\r\n  port: 27017\r\nsecurity: \r\n  authorization: \"enabled\"\r\n"
        );
    }

    #[test]
    fn nothing_matches_nothing_changes() {
        let original = "a=1\nb=2\n";
        assert_eq!(
            apply(original, &[r("c=", "c=3")]).expect("applies"),
            original
        );
        assert_eq!(apply("", &[r("c=", "c=3")]).expect("applies"), "");
    }

    #[test]
    fn if_value_is_the_whole_line() {
        let original = "motd=hello\nmotd=other\n";
        let rep = ResolvedReplace::new("motd=", Some("motd=hello"), "motd=bye").expect("valid");
        assert_eq!(
            apply(original, &[rep]).expect("applies"),
            "motd=bye\nmotd=other\n"
        );
        let rep = ResolvedReplace::new("motd=", Some("motd=nope"), "motd=bye").expect("valid");
        assert_eq!(apply(original, &[rep]).expect("applies"), original);
    }
}
