//! The egg's `file_denylist`: paths the user may not read, write, rename, delete or chmod.
//!
//! Patterns follow `.gitignore` rules, as Wings reads them:
//!
//! - a pattern without `/` (other than a trailing one) matches a name at any depth
//!   (`*.jar`, `secrets.ini`);
//! - a pattern with a `/` in it is anchored at the server root (`/config/a.yml`, `config/*.yml`);
//! - `*` and `?` stop at `/`, `**` crosses directories, `[abc]` is a class, `\` escapes;
//! - a leading `!` re-allows what an earlier pattern denied (the last matching pattern wins);
//! - a path beneath a denied directory is denied, and cannot be re-allowed;
//! - blank lines and lines starting with `#` are ignored.
//!
//! A trailing `/` (directory-only in gitignore) is accepted but also matches a file of that
//! name: the jail does not always know the type, and denying more is the safe side. A pattern
//! that does not compile as a glob is matched literally rather than dropped.

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};

#[derive(Debug, Clone)]
struct Rule {
    matcher: GlobMatcher,
    allow: bool,
}

/// A compiled denylist.
#[derive(Debug, Clone, Default)]
pub struct Denylist {
    rules: Vec<Rule>,
}

impl Denylist {
    /// Compiles the egg's patterns.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Denylist {
        let rules = patterns
            .iter()
            .filter_map(|p| compile(p.as_ref()))
            .collect();
        Denylist { rules }
    }

    /// Whether there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether `rel` (relative to the root, without a leading `/`; empty for the root) or any
    /// directory above it is denied.
    pub fn is_denied(&self, rel: &Path) -> bool {
        if self.rules.is_empty() {
            return false;
        }
        let mut prefix = std::path::PathBuf::new();
        for comp in rel.components() {
            prefix.push(comp);
            if self.matches_exactly(&prefix) {
                return true;
            }
        }
        false
    }

    fn matches_exactly(&self, p: &Path) -> bool {
        let mut denied = false;
        for r in &self.rules {
            if r.matcher.is_match(p) {
                denied = !r.allow;
            }
        }
        denied
    }
}

fn compile(raw: &str) -> Option<Rule> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (allow, line) = match line.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix("\\!").map_or(line, |_| &line[1..])),
    };
    let line = line.trim_end_matches('/');
    let anchored = line.contains('/');
    let body = line.trim_start_matches('/');
    if body.is_empty() {
        return None;
    }
    let glob = if anchored {
        body.to_owned()
    } else {
        format!("**/{body}")
    };
    let build = |g: &str| {
        GlobBuilder::new(g)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
    };
    let matcher = match build(&glob) {
        Ok(g) => g.compile_matcher(),
        Err(_) => {
            let literal = globset::escape(body);
            let glob = if anchored {
                literal
            } else {
                format!("**/{literal}")
            };
            build(&glob).ok()?.compile_matcher()
        }
    };
    Some(Rule { matcher, allow })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(list: &[&str], p: &str) -> bool {
        Denylist::new(list).is_denied(Path::new(p))
    }

    #[test]
    fn basename_patterns_match_at_any_depth() {
        assert!(denied(&["secrets.ini"], "secrets.ini"));
        assert!(denied(&["secrets.ini"], "a/b/secrets.ini"));
        assert!(!denied(&["secrets.ini"], "a/secrets.ini.bak"));
        assert!(denied(&["*.jar"], "server.jar"));
        assert!(denied(&["*.jar"], "plugins/x.jar"));
        assert!(!denied(&["*.jar"], "plugins/x.jar.txt"));
    }

    #[test]
    fn anchored_patterns() {
        assert!(denied(&["/config.yml"], "config.yml"));
        assert!(!denied(&["/config.yml"], "sub/config.yml"));
        assert!(denied(&["config/*.yml"], "config/a.yml"));
        assert!(!denied(&["config/*.yml"], "config/x/a.yml"));
        assert!(denied(&["config/**/*.yml"], "config/x/y/a.yml"));
    }

    #[test]
    fn directories_deny_everything_beneath() {
        assert!(denied(&["secret/"], "secret"));
        assert!(denied(&["secret/"], "secret/a/b.txt"));
        assert!(denied(&["/secret"], "secret/a"));
        assert!(!denied(&["/secret"], "secretive/a"));
    }

    #[test]
    fn negation_and_comments() {
        let list = ["*.cfg", "!public.cfg", "# comment", ""];
        assert!(denied(&list, "a.cfg"));
        assert!(!denied(&list, "public.cfg"));
        assert!(!denied(&list, "x/public.cfg"));
        // a file under a denied directory cannot be re-allowed
        assert!(denied(&["/locked", "!/locked/ok"], "locked/ok"));
        assert!(denied(&["\\!bang"], "!bang"));
    }

    #[test]
    fn bad_globs_match_literally_and_empty_list_denies_nothing() {
        assert!(denied(&["a[b"], "a[b"));
        assert!(!denied(&["a[b"], "ab"));
        assert!(!Denylist::new::<&str>(&[]).is_denied(Path::new("anything")));
        assert!(Denylist::new(&["#only a comment"]).is_empty());
    }
}
