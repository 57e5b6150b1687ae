//! The config-file editors wings runs before each start, one module per parser. Each is a pure
//! function from the file's current text (empty when the file does not exist yet) and the
//! resolved replacements to the new text; the caller reads and writes the file.
//!
//! Shared semantics:
//! - `if_value` absent (or empty, as in Wings): always write, creating the key when the format
//!   allows it.
//! - `if_value` exact: write only where the key exists and its current value equals it.
//! - `if_value` `regex:<re>`: write only where the current value matches `<re>`; the new value is
//!   the current one with each match replaced by `replace_with`, which may refer to capture
//!   groups (`$1`, `${name}`; `$$` is a literal dollar). This is the check Pterodactyl Wings
//!   means to make (its snapshot has it inverted, so regex edits never apply there).
//! - Nothing matched means the output equals the input, byte for byte.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use aerie_proto::wings::ConfigReplace;
use regex::Regex;
use serde_json::Value as Json;

use crate::error::EggError;
use crate::placeholders::{PlaceholderContext, resolve, resolve_for_regex};

pub mod file;
pub mod ini;
pub mod json;
pub mod properties;
mod tree;
pub mod xml;
pub mod yaml;

/// The parsers an egg can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parser {
    /// Java `.properties`.
    Properties,
    /// Plain text, matched by line prefix.
    File,
    /// YAML (`yaml` or `yml`).
    Yaml,
    /// JSON.
    Json,
    /// INI.
    Ini,
    /// XML.
    Xml,
}

impl Parser {
    /// Reads a parser name as eggs write it, case-insensitively (`yml` is YAML).
    pub fn from_name(name: &str) -> Result<Self, EggError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "properties" => Ok(Self::Properties),
            "file" => Ok(Self::File),
            "yaml" | "yml" => Ok(Self::Yaml),
            "json" => Ok(Self::Json),
            "ini" => Ok(Self::Ini),
            "xml" => Ok(Self::Xml),
            _ => Err(EggError::UnknownParser(name.to_owned())),
        }
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Properties => "properties",
            Self::File => "file",
            Self::Yaml => "yaml",
            Self::Json => "json",
            Self::Ini => "ini",
            Self::Xml => "xml",
        }
    }

    /// Applies the replacements to a file's text with this parser.
    pub fn apply(self, original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
        match self {
            Self::Properties => properties::apply(original, replaces),
            Self::File => file::apply(original, replaces),
            Self::Yaml => yaml::apply(original, replaces),
            Self::Json => json::apply(original, replaces),
            Self::Ini => ini::apply(original, replaces),
            Self::Xml => xml::apply(original, replaces),
        }
    }
}

impl FromStr for Parser {
    type Err = EggError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s)
    }
}

impl fmt::Display for Parser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// When a replacement applies.
#[derive(Debug, Clone)]
pub enum IfValue {
    /// The current value equals this.
    Equals(String),
    /// The current value matches this (`regex:` prefix in the egg).
    Regex(Regex),
}

impl IfValue {
    /// Reads an egg's `if_value`: `regex:<pattern>` or an exact value; empty means no condition.
    pub fn parse(if_value: &str) -> Result<Option<Self>, EggError> {
        if if_value.is_empty() {
            return Ok(None);
        }
        match if_value.strip_prefix("regex:") {
            Some(pattern) => Regex::new(pattern)
                .map(|re| Some(Self::Regex(re)))
                .map_err(|e| EggError::InvalidRegex {
                    pattern: pattern.to_owned(),
                    message: e.to_string(),
                }),
            None => Ok(Some(Self::Equals(if_value.to_owned()))),
        }
    }
}

impl PartialEq for IfValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Equals(a), Self::Equals(b)) => a == b,
            (Self::Regex(a), Self::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

/// One replacement with its placeholders resolved, ready for a parser.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedReplace {
    /// The key, path or line prefix.
    pub matcher: String,
    /// The condition, if any.
    pub if_value: Option<IfValue>,
    /// The value to write. With a regex `if_value` this is an expansion template (`$1`,
    /// `${name}`, `$$` for a literal dollar).
    pub replace_with: String,
}

impl ResolvedReplace {
    /// A replacement from literal parts (no placeholder resolution).
    pub fn new(
        matcher: impl Into<String>,
        if_value: Option<&str>,
        replace_with: impl Into<String>,
    ) -> Result<Self, EggError> {
        Ok(Self {
            matcher: matcher.into(),
            if_value: match if_value {
                Some(v) => IfValue::parse(v)?,
                None => None,
            },
            replace_with: replace_with.into(),
        })
    }

    /// Resolves a wire replacement's placeholders against the context. Numbers and booleans
    /// become their text; the json and yaml parsers write such text typed again.
    pub fn from_config(
        replace: &ConfigReplace,
        ctx: &PlaceholderContext,
    ) -> Result<Self, EggError> {
        let if_value = match &replace.if_value {
            Some(v) => IfValue::parse(v)?,
            None => None,
        };
        let regex = matches!(if_value, Some(IfValue::Regex(_)));
        let replace_with = match &replace.replace_with {
            Json::String(s) if regex => resolve_for_regex(s, ctx),
            Json::String(s) => resolve(s, ctx),
            Json::Null => String::new(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        Ok(Self {
            matcher: replace.matcher.clone(),
            if_value,
            replace_with,
        })
    }

    /// The value to write over `current` (`None` when the key does not exist), or `None` when
    /// this replacement does not apply there.
    pub fn new_value<'a>(&'a self, current: Option<&str>) -> Option<Cow<'a, str>> {
        match &self.if_value {
            None => Some(Cow::Borrowed(&self.replace_with)),
            Some(IfValue::Equals(expected)) => {
                (current? == expected).then_some(Cow::Borrowed(&self.replace_with))
            }
            Some(IfValue::Regex(re)) => {
                let current = current?;
                re.is_match(current).then(|| {
                    Cow::Owned(
                        re.replace_all(current, self.replace_with.as_str())
                            .into_owned(),
                    )
                })
            }
        }
    }
}

/// A text file split into lines, remembering its line ending and final newline.
pub(crate) struct Lines {
    pub lines: Vec<String>,
    pub eol: &'static str,
    pub final_newline: bool,
}

impl Lines {
    pub fn split(text: &str) -> Self {
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let final_newline = text.ends_with('\n') || text.is_empty();
        let body = text.strip_suffix('\n').unwrap_or(text);
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
                .collect()
        };
        Self {
            lines,
            eol,
            final_newline,
        }
    }

    pub fn join(&self) -> String {
        let mut out = self.lines.join(self.eol);
        if self.final_newline && !self.lines.is_empty() {
            out.push_str(self.eol);
        }
        out
    }
}

pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_names() {
        assert_eq!(Parser::from_name("yml"), Ok(Parser::Yaml));
        assert_eq!(Parser::from_name(" YAML "), Ok(Parser::Yaml));
        assert_eq!("properties".parse::<Parser>(), Ok(Parser::Properties));
        assert_eq!(
            Parser::from_name("toml"),
            Err(EggError::UnknownParser("toml".into()))
        );
        let message = EggError::UnknownParser("toml".into()).to_string();
        assert!(message.contains("`toml`"), "{message}");
    }

    #[test]
    fn new_value_semantics() {
        let always = ResolvedReplace::new("k", None, "v").expect("valid");
        assert_eq!(always.new_value(None).as_deref(), Some("v"));
        assert_eq!(always.new_value(Some("x")).as_deref(), Some("v"));

        let exact = ResolvedReplace::new("k", Some("old"), "v").expect("valid");
        assert_eq!(exact.new_value(Some("old")).as_deref(), Some("v"));
        assert_eq!(exact.new_value(Some("older")), None);
        assert_eq!(exact.new_value(None), None);

        let empty = ResolvedReplace::new("k", Some(""), "v").expect("valid");
        assert_eq!(empty.if_value, None);

        let re = ResolvedReplace::new(
            "k",
            Some(r"regex:^(127\.0\.0\.1|localhost)(:\d{1,5})?$"),
            "172.18.0.1$2",
        )
        .expect("valid");
        assert_eq!(
            re.new_value(Some("localhost:25565")).as_deref(),
            Some("172.18.0.1:25565")
        );
        assert_eq!(
            re.new_value(Some("127.0.0.1")).as_deref(),
            Some("172.18.0.1")
        );
        assert_eq!(re.new_value(Some("10.1.1.1:25565")), None);
        assert_eq!(re.new_value(None), None);
    }

    #[test]
    fn bad_regex_is_an_error() {
        let err =
            ResolvedReplace::new("k", Some("regex:(unclosed"), "v").expect_err("invalid regex");
        assert!(
            matches!(err, EggError::InvalidRegex { ref pattern, .. } if pattern == "(unclosed"),
            "{err}"
        );
    }

    #[test]
    fn from_config_resolves_and_escapes_for_regex() {
        let ctx = PlaceholderContext {
            env: [("P".to_owned(), "a$1b".to_owned())].into_iter().collect(),
            wings_config: serde_json::json!({"docker": {"network": {"interface": "172.18.0.1"}}}),
            ..Default::default()
        };
        let r = ConfigReplace {
            matcher: "servers.*.address".into(),
            if_value: Some(r"regex:^(127\.0\.0\.1|localhost)(:\d{1,5})?$".into()),
            replace_with: Json::String("{{config.docker.interface}}{{env.P}}$2".into()),
        };
        let resolved = ResolvedReplace::from_config(&r, &ctx).expect("valid");
        assert_eq!(resolved.replace_with, "172.18.0.1a$$1b$2");
        assert_eq!(
            resolved.new_value(Some("localhost:25566")).as_deref(),
            Some("172.18.0.1a$1b:25566")
        );

        let n = ConfigReplace {
            matcher: "x".into(),
            if_value: None,
            replace_with: serde_json::json!(0),
        };
        assert_eq!(
            ResolvedReplace::from_config(&n, &ctx)
                .expect("valid")
                .replace_with,
            "0"
        );
        let b = ConfigReplace {
            matcher: "x".into(),
            if_value: None,
            replace_with: serde_json::json!(false),
        };
        assert_eq!(
            ResolvedReplace::from_config(&b, &ctx)
                .expect("valid")
                .replace_with,
            "false"
        );
    }

    #[test]
    fn lines_round_trip() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n", "a\n\n"] {
            assert_eq!(Lines::split(text).join(), text, "{text:?}");
        }
    }
}
