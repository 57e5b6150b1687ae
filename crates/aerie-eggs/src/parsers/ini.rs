//! The `ini` parser, editing lines in place so comments, blank lines, order and untouched
//! entries stay exactly as they were.
//!
//! A `match` names a key in a section:
//! - `[Section Name].key` — the bracketed form, needed when the section name has dots
//!   (`[/Script/Astro.AstroServerSettings].PublicIP`); the key may contain dots
//!   (`[SystemSettings].net.AllowEncryption`).
//! - `section.key` — the longest existing section name that prefixes the match wins
//!   (`server.services.test.token` finds `[server.services.test]`); otherwise the match is split
//!   at its first dot (`network.server_port` → section `network`, key `server_port`).
//! - `key` — a key of the root section (before any header), or of no section at all.
//!
//! Names compare exactly, falling back to ASCII case-insensitive. Every occurrence of a key in
//! every section of that name is edited; a replaced line keeps its `key = ` prefix as written.
//! A missing key is added after the last entry of its section (the last one, when the name
//! repeats), in the separator style the file already uses (`key=value` if it has none); a
//! missing section is appended at the end of the file. Key/value separators are `=`, or `:`
//! on lines without `=`; comment lines start with `;` or `#`.

use super::{Lines, ResolvedReplace};
use crate::error::EggError;

#[derive(Debug)]
enum Kind {
    Header(String),
    Entry {
        key: String,
        delim: usize,
        value_start: usize,
    },
    Other,
}

fn classify(line: &str) -> Kind {
    let t = line.trim();
    if t.is_empty() || t.starts_with(';') || t.starts_with('#') {
        return Kind::Other;
    }
    if let Some(inner) = t.strip_prefix('[')
        && let Some(close) = inner.rfind(']')
    {
        return Kind::Header(inner[..close].trim().to_owned());
    }
    let delim = line.find('=').or_else(|| line.find(':'));
    match delim {
        Some(d) if !line[..d].trim().is_empty() => {
            let after = &line[d + 1..];
            let value_start = d + 1 + (after.len() - after.trim_start().len());
            Kind::Entry {
                key: line[..d].trim().to_owned(),
                delim: d,
                value_start,
            }
        }
        _ => Kind::Other,
    }
}

/// A section's lines: `header` is `None` for the root section.
struct Section {
    name: Option<String>,
    header: Option<usize>,
    /// Line indexes of its entries.
    entries: Vec<usize>,
    /// The last line index belonging to the section (before the next header).
    end: usize,
}

fn sections(lines: &[String]) -> Vec<Section> {
    let mut out = vec![Section {
        name: None,
        header: None,
        entries: Vec::new(),
        end: 0,
    }];
    for (i, line) in lines.iter().enumerate() {
        match classify(line) {
            Kind::Header(name) => out.push(Section {
                name: Some(name),
                header: Some(i),
                entries: Vec::new(),
                end: i,
            }),
            Kind::Entry { .. } => {
                if let Some(s) = out.last_mut() {
                    s.entries.push(i);
                }
            }
            Kind::Other => {}
        }
        if let Some(s) = out.last_mut() {
            s.end = i;
        }
    }
    out
}

fn name_eq(a: &str, b: &str, exact: bool) -> bool {
    if exact {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

/// Splits a match into (section, key); `None` section is the root.
fn target(matcher: &str, secs: &[Section], lines: &[String]) -> (Option<String>, String) {
    if let Some(inner) = matcher.strip_prefix('[')
        && let Some(close) = inner.find(']')
    {
        let section = inner[..close].to_owned();
        let rest = &inner[close + 1..];
        return match rest.strip_prefix('.') {
            Some(key) => (Some(section), key.to_owned()),
            None => (None, matcher.to_owned()),
        };
    }
    for exact in [true, false] {
        let best = secs
            .iter()
            .filter_map(|s| s.name.as_deref())
            .filter(|name| {
                matcher.len() > name.len() + 1
                    && matcher.is_char_boundary(name.len())
                    && name_eq(&matcher[..name.len()], name, exact)
                    && matcher.as_bytes()[name.len()] == b'.'
            })
            .max_by_key(|name| name.len());
        if let Some(name) = best {
            return (Some(name.to_owned()), matcher[name.len() + 1..].to_owned());
        }
    }
    if let Some(root) = secs.first()
        && root
            .entries
            .iter()
            .any(|&i| matches!(classify(&lines[i]), Kind::Entry { key, .. } if key == matcher))
    {
        return (None, matcher.to_owned());
    }
    match matcher.split_once('.') {
        Some((section, key)) if !section.is_empty() && !key.is_empty() => {
            (Some(section.to_owned()), key.to_owned())
        }
        _ => (None, matcher.to_owned()),
    }
}

/// Applies the replacements; see the module documentation.
pub fn apply(original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
    let mut doc = Lines::split(original);
    let mut changed = false;
    for rep in replaces {
        changed |= apply_one(&mut doc, rep);
    }
    if !changed {
        return Ok(original.to_owned());
    }
    doc.final_newline = true;
    Ok(doc.join())
}

fn apply_one(doc: &mut Lines, rep: &ResolvedReplace) -> bool {
    let secs = sections(&doc.lines);
    let (section, key) = target(&rep.matcher, &secs, &doc.lines);

    for exact in [true, false] {
        let in_scope: Vec<&Section> = secs
            .iter()
            .filter(|s| match (&s.name, &section) {
                (None, None) => true,
                (Some(a), Some(b)) => name_eq(a, b, exact),
                _ => false,
            })
            .collect();
        let hits: Vec<(usize, usize, String)> = in_scope
            .iter()
            .flat_map(|s| s.entries.iter().copied())
            .filter_map(|i| match classify(&doc.lines[i]) {
                Kind::Entry {
                    key: k,
                    value_start,
                    ..
                } if name_eq(&k, &key, exact) => Some((
                    i,
                    value_start,
                    doc.lines[i][value_start..].trim_end().to_owned(),
                )),
                _ => None,
            })
            .collect();
        if hits.is_empty() {
            continue;
        }
        let mut changed = false;
        for (i, value_start, current) in hits {
            if let Some(new) = rep.new_value(Some(&current))
                && new != current
            {
                let line = format!("{}{}", &doc.lines[i][..value_start], new);
                doc.lines[i] = line;
                changed = true;
            }
        }
        return changed;
    }

    // The key does not exist yet.
    let Some(new) = rep.new_value(None) else {
        return false;
    };
    let entry = format!(
        "{key}{}{new}",
        separator_style(&doc.lines, &secs, section.as_deref())
    );
    let existing = [true, false].into_iter().find_map(|exact| {
        secs.iter().rev().find(|s| match (&s.name, &section) {
            (None, None) => true,
            (Some(a), Some(b)) => name_eq(a, b, exact),
            _ => false,
        })
    });
    match existing {
        Some(s) => {
            let at = match (s.entries.last(), s.header) {
                (Some(&last), _) => last + 1,
                (None, Some(header)) => header + 1,
                // Root without entries: before the first header, after any leading comments.
                (None, None) => {
                    let first_header = secs
                        .get(1)
                        .and_then(|s| s.header)
                        .unwrap_or(doc.lines.len());
                    let mut at = first_header;
                    while at > 0 && doc.lines[at - 1].trim().is_empty() {
                        at -= 1;
                    }
                    at
                }
            };
            doc.lines.insert(at.min(doc.lines.len()), entry);
        }
        None => {
            // `section` is Some here: the root section always exists.
            if doc.lines.last().is_some_and(|l| !l.trim().is_empty()) {
                doc.lines.push(String::new());
            }
            doc.lines.push(format!("[{}]", section.unwrap_or_default()));
            doc.lines.push(entry);
        }
    }
    true
}

/// The separator of the first entry in the section, else in the file, else `=`.
fn separator_style(lines: &[String], secs: &[Section], section: Option<&str>) -> String {
    let sample = secs
        .iter()
        .filter(|s| s.name.as_deref() == section)
        .flat_map(|s| s.entries.iter())
        .chain(secs.iter().flat_map(|s| s.entries.iter()))
        .next();
    let Some(&i) = sample else { return "=".into() };
    match classify(&lines[i]) {
        Kind::Entry {
            delim, value_start, ..
        } => {
            let line = &lines[i];
            line[line[..delim].trim_end().len()..value_start].to_owned()
        }
        _ => "=".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, v: &str) -> ResolvedReplace {
        ResolvedReplace::new(m, None, v).expect("valid")
    }

    // The layout OpenTTD writes; the egg is parkervcp/eggs game_eggs/tycoon_games/openttd.
    const OPENTTD: &str = "[misc]\nlast_newgrf_count = 39\n\n[network]\n; the network settings\nserver_port = 3979\nserver_name = Unnamed Server\nlan_internet = 1\n\n[gui]\nautosave = monthly\n";

    #[test]
    fn openttd_network_section() {
        let out = apply(
            OPENTTD,
            &[
                r("network.server_port", "27015"),
                r("network.server_name", "Aerie"),
                r("network.lan_internet", "0"),
                r("network.server_advertise", "true"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "[misc]\nlast_newgrf_count = 39\n\n[network]\n; the network settings\nserver_port = 27015\nserver_name = Aerie\nlan_internet = 0\nserver_advertise = true\n\n[gui]\nautosave = monthly\n"
        );
    }

    #[test]
    fn bracketed_sections_with_dots() {
        // Eggs: parkervcp/eggs steamcmd_servers/astroneer (`[/Script/Astro.AstroServerSettings].PublicIP`,
        // `[SystemSettings].net.AllowEncryption`, `url.Port`).
        let original = "[/Script/Astro.AstroServerSettings]\nPublicIP=1.1.1.1\nOwnerName=\n\n[URL]\nPort=7777\n";
        let out = apply(
            original,
            &[
                r("[/Script/Astro.AstroServerSettings].PublicIP", "10.0.0.1"),
                r("[SystemSettings].net.AllowEncryption", "false"),
                r("url.Port", "8777"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "[/Script/Astro.AstroServerSettings]\nPublicIP=10.0.0.1\nOwnerName=\n\n[URL]\nPort=8777\n\n[SystemSettings]\nnet.AllowEncryption=false\n"
        );
    }

    #[test]
    fn longest_section_prefix() {
        // Egg: parkervcp/eggs software/rathole (a TOML file edited with the ini parser).
        let original = "[server]\nbind_addr = \"0.0.0.0:2333\"\n\n[server.services.test]\ntoken = \"x\"\nbind_addr = \"0.0.0.0:5202\"\n";
        let out = apply(
            original,
            &[
                r("server.bind_addr", "\"0.0.0.0:3000\""),
                r("server.services.test.token", "\"secret\""),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "[server]\nbind_addr = \"0.0.0.0:3000\"\n\n[server.services.test]\ntoken = \"secret\"\nbind_addr = \"0.0.0.0:5202\"\n"
        );
    }

    #[test]
    fn root_keys() {
        // Egg: pterodactyl-seeds voice-servers/egg-mumble-server.json (`murmur.ini` root keys).
        let original = "; Murmur configuration file.\n\ndatabase=\nport=64738\n\n[Ice]\nIce.Warn.UnknownProperties=1\n";
        let out = apply(
            original,
            &[
                r("database", "/home/container/murmur.sqlite"),
                r("port", "30033"),
                r("users", "100"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "; Murmur configuration file.\n\ndatabase=/home/container/murmur.sqlite\nport=30033\nusers=100\n\n[Ice]\nIce.Warn.UnknownProperties=1\n"
        );
        // Root with only comments: after them, before the first section.
        let out = apply("; header\n\n[a]\nb=1\n", &[r("host", "0.0.0.0")]).expect("applies");
        assert_eq!(out, "; header\nhost=0.0.0.0\n\n[a]\nb=1\n");
    }

    #[test]
    fn case_insensitive_fallback_and_if_value() {
        let original = "[Server]\nPorts=8080\n";
        assert_eq!(
            apply(original, &[r("server.ports", "9090")]).expect("applies"),
            "[Server]\nPorts=9090\n"
        );
        let miss = ResolvedReplace::new("Server.Ports", Some("1"), "9090").expect("valid");
        assert_eq!(apply(original, &[miss]).expect("applies"), original);
        let absent = ResolvedReplace::new("Server.Other", Some("1"), "9090").expect("valid");
        assert_eq!(apply(original, &[absent]).expect("applies"), original);
    }

    #[test]
    fn empty_file_is_created() {
        let out = apply(
            "",
            &[
                r("GameWorld.name", "World"),
                r("Host.port", "7777"),
                r("GameWorld.seed", "1"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "[GameWorld]\nname=World\nseed=1\n\n[Host]\nport=7777\n"
        );
        assert_eq!(apply("", &[r("root", "1")]).expect("applies"), "root=1\n");
    }

    #[test]
    fn crlf_kept() {
        let out = apply("[a]\r\nb = 1\r\n", &[r("a.b", "2"), r("a.c", "3")]).expect("applies");
        assert_eq!(out, "[a]\r\nb = 2\r\nc = 3\r\n");
    }
}
