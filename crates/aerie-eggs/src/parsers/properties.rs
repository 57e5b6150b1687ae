//! The `properties` parser: Java `.properties` files such as Minecraft's `server.properties`.
//!
//! The file is edited in place rather than rewritten: comments (leading or not), blank lines,
//! order and untouched entries stay exactly as they were. An entry that is replaced keeps its
//! key and separator as written (`key=`, `key = `, `key:`) and gets the new value escaped the
//! Java way (`\\`, `\n`, `\t`, a leading space, and everything outside printable ASCII as
//! `\uXXXX`). A key that is missing is added at the end as `key=value`. Keys are compared
//! after unescaping; the current value for `if_value` is the unescaped value. Separators are
//! `=`, `:` or whitespace, and a line ending in an odd number of backslashes continues on the
//! next line, as in `java.util.Properties`.

use super::{Lines, ResolvedReplace};
use crate::error::EggError;

enum Item {
    /// A comment, blank line, or other line kept as written.
    Raw(String),
    /// A key/value entry spanning one or more physical lines.
    Entry(Entry),
}

struct Entry {
    /// The original physical lines, written back when the entry is untouched.
    raw: Vec<String>,
    /// The unescaped key.
    key: String,
    /// The key and separator as written, reused when the value changes.
    prefix: String,
    /// The unescaped value.
    value: String,
    changed: bool,
}

/// Applies the replacements; see the module documentation.
pub fn apply(original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
    let doc = Lines::split(original);
    let mut items = parse(&doc.lines);
    let mut changed = false;

    for rep in replaces {
        let mut found = false;
        for item in &mut items {
            let Item::Entry(entry) = item else { continue };
            if entry.key != rep.matcher {
                continue;
            }
            found = true;
            if let Some(new) = rep.new_value(Some(&entry.value))
                && (entry.value != new || entry.raw.len() != 1)
            {
                entry.value = new.into_owned();
                entry.changed = true;
                changed = true;
            }
        }
        if !found && let Some(new) = rep.new_value(None) {
            items.push(Item::Entry(Entry {
                raw: Vec::new(),
                key: rep.matcher.clone(),
                prefix: format!("{}=", escape(&rep.matcher, true)),
                value: new.into_owned(),
                changed: true,
            }));
            changed = true;
        }
    }

    if !changed {
        return Ok(original.to_owned());
    }
    // A file without a final newline keeps it that way, unless we appended to it.
    let appended_last = matches!(items.last(), Some(Item::Entry(e)) if e.raw.is_empty());
    let mut out = Lines {
        lines: Vec::with_capacity(items.len()),
        eol: doc.eol,
        final_newline: doc.final_newline || appended_last,
    };
    for item in items {
        match item {
            Item::Raw(line) => out.lines.push(line),
            Item::Entry(e) if e.changed => {
                out.lines
                    .push(format!("{}{}", e.prefix, escape(&e.value, false)))
            }
            Item::Entry(e) => out.lines.extend(e.raw),
        }
    }
    Ok(out.join())
}

fn parse(lines: &[String]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let content = line.trim_start_matches([' ', '\t', '\u{c}']);
        if content.is_empty() || content.starts_with('#') || content.starts_with('!') {
            items.push(Item::Raw(line.clone()));
            i += 1;
            continue;
        }
        // Join continuation lines into one logical line.
        let mut logical = content.to_owned();
        let mut raw = vec![line.clone()];
        while continues(&logical) && i + 1 < lines.len() {
            logical.pop();
            i += 1;
            logical.push_str(lines[i].trim_start_matches([' ', '\t', '\u{c}']));
            raw.push(lines[i].clone());
        }
        if continues(&logical) {
            logical.pop();
        }
        i += 1;

        let indent = &line[..line.len() - content.len()];
        let (key_end, value_start) = split_key(&logical);
        // A bare `key` line has no separator to reuse: write `key=` when it gets a value.
        let separator = if value_start == key_end { "=" } else { "" };
        items.push(Item::Entry(Entry {
            raw,
            key: unescape(&logical[..key_end]),
            prefix: format!("{indent}{}{separator}", &logical[..value_start]),
            value: unescape(&logical[value_start..]),
            changed: false,
        }));
    }
    items
}

/// True when the line ends in an odd number of backslashes.
fn continues(line: &str) -> bool {
    line.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Byte offsets of the end of the key and the start of the value.
fn split_key(line: &str) -> (usize, usize) {
    let bytes = line.as_bytes();
    let mut key_end = bytes.len();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' | b':' | b' ' | b'\t' | b'\x0c' => {
                key_end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let key_end = key_end.min(bytes.len());
    let mut j = key_end;
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
        j += 1;
    }
    if j < bytes.len() && matches!(bytes[j], b'=' | b':') {
        j += 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\x0c') {
            j += 1;
        }
    }
    (key_end, j)
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u16::from_str_radix(&hex, 16) {
                    Ok(unit) if hex.len() == 4 => {
                        for _ in 0..4 {
                            chars.next();
                        }
                        let mut units = vec![unit];
                        // A high surrogate followed by `\uDC00`-style low surrogate.
                        if (0xD800..0xDC00).contains(&unit) {
                            let ahead: String = chars.clone().take(6).collect();
                            if let Some(low) = ahead
                                .strip_prefix("\\u")
                                .and_then(|h| u16::from_str_radix(h, 16).ok())
                                && (0xDC00..0xE000).contains(&low)
                                && ahead.len() == 6
                            {
                                for _ in 0..6 {
                                    chars.next();
                                }
                                units.push(low);
                            }
                        }
                        out.extend(
                            char::decode_utf16(units)
                                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)),
                        );
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
        }
    }
    out
}

/// Java-style escaping; keys also escape separators and comment starters.
fn escape(s: &str, key: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{c}' => out.push_str("\\f"),
            ' ' if key || i == 0 => out.push_str("\\ "),
            '=' | ':' | '#' | '!' if key => {
                out.push('\\');
                out.push(c);
            }
            c if (' '..='~').contains(&c) => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, v: &str) -> ResolvedReplace {
        ResolvedReplace::new(m, None, v).expect("valid")
    }

    // Shaped like a server.properties Minecraft writes; the egg is pterodactyl-seeds
    // minecraft/egg-paper.json (`server-ip`, `server-port`, `query.port`).
    const SERVER_PROPERTIES: &str = "#Minecraft server properties\n#Mon May 06 12:00:00 UTC 2024\nenable-jmx-monitoring=false\nrcon.port=25575\nlevel-seed=\ngamemode=survival\nmotd=A Minecraft Server\nquery.port=25565\nserver-ip=\nserver-port=25565\n";

    #[test]
    fn minecraft_server_properties() {
        let out = apply(
            SERVER_PROPERTIES,
            &[
                r("server-ip", "0.0.0.0"),
                r("server-port", "25566"),
                r("query.port", "25566"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            SERVER_PROPERTIES
                .replace("query.port=25565", "query.port=25566")
                .replace("server-ip=\n", "server-ip=0.0.0.0\n")
                .replace("server-port=25565", "server-port=25566")
        );
        assert!(out.starts_with("#Minecraft server properties\n#Mon May 06"));
    }

    #[test]
    fn missing_keys_are_appended() {
        let out =
            apply("a=1\n", &[r("server-port", "25565"), r("with space", "x")]).expect("applies");
        assert_eq!(out, "a=1\nserver-port=25565\nwith\\ space=x\n");
    }

    #[test]
    fn empty_file_is_created() {
        let out =
            apply("", &[r("server-ip", "0.0.0.0"), r("server-port", "25565")]).expect("applies");
        assert_eq!(out, "server-ip=0.0.0.0\nserver-port=25565\n");
    }

    #[test]
    fn values_are_escaped() {
        let out = apply("motd=x\n", &[r("motd", "§aHello wörld 😀 \\o/")]).expect("applies");
        assert_eq!(
            out,
            "motd=\\u00A7aHello w\\u00F6rld \\uD83D\\uDE00 \\\\o/\n"
        );
        // Reading it back gives the same value, so if_value comparisons see unescaped text.
        let again = apply(
            &out,
            &[ResolvedReplace::new("motd", Some("§aHello wörld 😀 \\o/"), "ok").expect("valid")],
        )
        .expect("applies");
        assert_eq!(again, "motd=ok\n");
        assert_eq!(
            apply("a=b\n", &[r("a", " lead")]).expect("applies"),
            "a=\\ lead\n"
        );
    }

    #[test]
    fn if_value_exact() {
        let original = "# keep\nonline-mode=true\nwhite-list=false\n";
        let hit = ResolvedReplace::new("online-mode", Some("true"), "false").expect("valid");
        assert_eq!(
            apply(original, &[hit]).expect("applies"),
            "# keep\nonline-mode=false\nwhite-list=false\n"
        );
        let miss = ResolvedReplace::new("online-mode", Some("yes"), "false").expect("valid");
        assert_eq!(apply(original, &[miss]).expect("applies"), original);
        let absent = ResolvedReplace::new("pvp", Some("true"), "false").expect("valid");
        assert_eq!(apply(original, &[absent]).expect("applies"), original);
    }

    #[test]
    fn separators_and_continuations() {
        let original = "a = 1\nb:2\nc 3\n  d=long \\\n    value\n! bang comment\ne\\:f=4\n";
        let out = apply(
            original,
            &[
                r("a", "10"),
                r("b", "20"),
                r("c", "30"),
                r("d", "short"),
                r("e:f", "40"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "a = 10\nb:20\nc 30\n  d=short\n! bang comment\ne\\:f=40\n"
        );
        // Untouched continuation lines are kept as written.
        assert_eq!(apply(original, &[r("a", "1")]).expect("applies"), original);
    }

    #[test]
    fn bare_keys_get_a_separator() {
        assert_eq!(
            apply("flag\nother 1\n", &[r("flag", "on"), r("other", "2")]).expect("applies"),
            "flag=on\nother 2\n"
        );
    }

    #[test]
    fn crlf_and_no_final_newline() {
        assert_eq!(
            apply("a=1\r\nb=2", &[r("b", "3")]).expect("applies"),
            "a=1\r\nb=3"
        );
        assert_eq!(
            apply("a=1\r\nb=2", &[r("c", "3")]).expect("applies"),
            "a=1\r\nb=2\r\nc=3\r\n"
        );
    }

    #[test]
    fn unescape_round_trip() {
        assert_eq!(unescape(r"a\tb\u00e9\uD83D\uDE00\x\\"), "a\tbé😀x\\");
        assert_eq!(unescape(r"\u12"), "u12");
        assert_eq!(unescape(r"\uD83D"), "\u{FFFD}");
    }
}
