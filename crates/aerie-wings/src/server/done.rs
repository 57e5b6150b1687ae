//! Startup detection: does a console line mean the server is up?

/// Compiled `done` matchers of an egg.
#[derive(Debug, Clone, Default)]
pub struct DoneMatcher {
    substrings: Vec<String>,
    patterns: Vec<regex::Regex>,
    strip_ansi: bool,
}

impl DoneMatcher {
    /// Compiles the egg's `done` entries; a bad `regex:` entry is an error naming it.
    pub fn new(done: &[String], strip_ansi: bool) -> Result<Self, String> {
        let mut m = Self {
            strip_ansi,
            ..Self::default()
        };
        for d in done {
            match d.strip_prefix("regex:") {
                Some(p) => m.patterns.push(
                    regex::Regex::new(p).map_err(|e| format!("invalid done pattern `{p}`: {e}"))?,
                ),
                None if d.is_empty() => {}
                None => m.substrings.push(d.clone()),
            }
        }
        Ok(m)
    }

    /// Whether nothing is configured (then the server counts as running once started).
    pub fn is_empty(&self) -> bool {
        self.substrings.is_empty() && self.patterns.is_empty()
    }

    /// Whether `line` marks the server as started.
    pub fn matches(&self, line: &str) -> bool {
        let stripped;
        let line = if self.strip_ansi {
            stripped = strip_ansi(line);
            stripped.as_str()
        } else {
            line
        };
        self.substrings.iter().any(|s| line.contains(s.as_str()))
            || self.patterns.iter().any(|p| p.is_match(line))
    }
}

/// Removes ANSI escape sequences (CSI and OSC) from a line.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                // OSC: until BEL or ESC \.
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {
                chars.next();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_regex_list_and_ansi() {
        let m = DoneMatcher::new(
            &[
                "Map generated, starting game".into(),
                "regex:^Server listening on \\d".into(),
            ],
            true,
        )
        .unwrap();
        assert!(m.matches("[2026] dbg: Map generated, starting game"));
        assert!(
            m.matches(
                "\u{1b}[32mServer listening on 0.0.0.0\u{1b}[0m"
                    .replace("0.0.0.0", "1.2.3.4")
                    .as_str()
            )
        );
        assert!(!m.matches("Server listening on localhost"));
        let raw = DoneMatcher::new(&["Done (".into()], false).unwrap();
        assert!(!raw.matches("\u{1b}[1mDone\u{1b}[0m ("));
        assert!(DoneMatcher::new(&["regex:(".into()], false).is_err());
        assert!(DoneMatcher::new(&[], false).unwrap().is_empty());
        assert_eq!(strip_ansi("\u{1b}]0;title\u{7}a\u{1b}[1;33mb"), "ab");
    }
}
