//! Which files a backup leaves out: gitignore-like patterns, from the request's `ignore`
//! (newline-separated) or, when that is empty, the server's `.pteroignore`.
//!
//! The rules are gitignore's (the `ignore` crate's matcher): `*.log` matches at any depth,
//! `/cache` only at the root, `cache/` only directories, `!keep.log` re-includes, `#` starts a
//! comment. An ignored directory is not descended into, so, as in git, a file beneath it
//! cannot be re-included.

use std::io::Read;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// The most of `.pteroignore` that is read; a larger file is cut here.
const MAX_IGNORE_FILE: u64 = 1024 * 1024;

/// Compiled ignore patterns.
#[derive(Debug, Clone)]
pub struct IgnoreRules {
    matcher: Option<Gitignore>,
    /// Lines that were not valid patterns (reported, then skipped).
    pub invalid: Vec<String>,
}

impl IgnoreRules {
    /// No file is ignored.
    pub fn none() -> Self {
        Self {
            matcher: None,
            invalid: Vec::new(),
        }
    }

    /// Compiles newline-separated patterns. Invalid lines are skipped and listed in
    /// [`IgnoreRules::invalid`]; the others still apply.
    pub fn parse(text: &str) -> Self {
        let mut builder = GitignoreBuilder::new("/");
        let mut invalid = Vec::new();
        let mut any = false;
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            // A bad glob is only reported when the matcher is built, and then for all lines
            // at once: check each line on its own so one typo does not drop every rule.
            let mut alone = GitignoreBuilder::new("/");
            let valid = alone.add_line(None, line).is_ok() && alone.build().is_ok();
            if valid && builder.add_line(None, line).is_ok() {
                any = true;
            } else {
                invalid.push(line.to_owned());
            }
        }
        if !any {
            return Self {
                matcher: None,
                invalid,
            };
        }
        match builder.build() {
            Ok(m) => Self {
                matcher: Some(m),
                invalid,
            },
            Err(_) => Self {
                matcher: None,
                invalid,
            },
        }
    }

    /// The rules for a backup: `request` when it has any pattern, else the server's
    /// `.pteroignore` (read through the jail; missing or unreadable means no rules).
    pub fn for_backup(request: &str, jail: &aerie_fs::Jail) -> Self {
        if !request.trim().is_empty() {
            return Self::parse(request);
        }
        let Ok(file) = jail.open_read("/.pteroignore") else {
            return Self::none();
        };
        let mut text = String::new();
        if file
            .take(MAX_IGNORE_FILE)
            .read_to_string(&mut text)
            .is_err()
        {
            return Self::none();
        }
        Self::parse(&text)
    }

    /// Whether `rel` (relative to the server root, `/`-separated, no leading `/`) is left out.
    pub fn is_ignored(&self, rel: &str, is_dir: bool) -> bool {
        self.matcher
            .as_ref()
            .is_some_and(|m| m.matched(rel, is_dir).is_ignore())
    }
}

#[cfg(test)]
mod tests {
    use super::IgnoreRules;

    #[test]
    fn gitignore_semantics() {
        let r = IgnoreRules::parse(
            "*.log\n/cache\nbuild/\n!keep.log\n# comment\n\n  \nsub/dir/file.txt\r\n",
        );
        assert!(r.is_ignored("a.log", false));
        assert!(r.is_ignored("logs/deep/a.log", false));
        assert!(!r.is_ignored("keep.log", false));
        assert!(r.is_ignored("cache", true));
        assert!(!r.is_ignored("plugins/cache", true));
        assert!(r.is_ignored("build", true));
        assert!(r.is_ignored("x/build", true));
        assert!(
            !r.is_ignored("build", false),
            "a trailing slash matches directories only"
        );
        assert!(r.is_ignored("sub/dir/file.txt", false));
        assert!(!r.is_ignored("sub/dir/other.txt", false));
        assert!(!r.is_ignored("# comment", false));
        assert!(r.invalid.is_empty());
    }

    #[test]
    fn empty_rules_ignore_nothing() {
        let r = IgnoreRules::parse("\n# only a comment\n");
        assert!(!r.is_ignored("anything", false));
        assert!(!IgnoreRules::none().is_ignored("x", true));
    }

    #[test]
    fn invalid_lines_are_reported_and_the_rest_apply() {
        let r = IgnoreRules::parse("a{b\n*.tmp\n");
        assert_eq!(r.invalid, vec!["a{b".to_owned()]);
        assert!(r.is_ignored("x.tmp", false));
    }
}
