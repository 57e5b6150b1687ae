//! Egg variable validation with the subset of Laravel rules eggs use.
//!
//! Egg variables carry Laravel validation strings (`required|string|max:20`,
//! `nullable|regex:/^[\w.-]*$/`, `in:a,b`). Pterodactyl hands them to Laravel's validator;
//! Aerie parses them once into a [`RuleSet`] and checks values with the same semantics:
//!
//! - only implicit rules (`required`, `present`) run on a value that is blank (empty or only
//!   whitespace), so `string|max:20` accepts `""`;
//! - `nullable` lets `null` through every non-implicit rule;
//! - `min`/`max`/`between`/`size`/`gt`... measure a number when the list has `numeric` or
//!   `integer` and the value is numeric, and the length in characters otherwise;
//! - the first failing rule is reported, with Laravel's message and the rule's snake_case
//!   name, so the API can answer 422 with `meta.rule`.
//!
//! Rule strings from the wild are irregular (clients.md §3): lists instead of pipe strings,
//! spaces around tokens, empty tokens (`max:20|`), PHP regexes with `|` inside them, bracket
//! delimiters (`regex:([a-z]+$)`), and rules Laravel does not know (`int`). Unknown rules are
//! accepted and logged at trace level; a regex Rust cannot compile (look-arounds,
//! back-references) is a [`RuleError`], which callers turn into a 422, never a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use aerie_http::Error;
use regex::bytes::{Regex, RegexBuilder};

/// A rule list that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid validation rule `{rule}`: {reason}")]
pub struct RuleError {
    /// The snake_case rule name (`regex`, `max`).
    pub rule: String,
    /// What is wrong with it.
    pub reason: String,
}

impl RuleError {
    fn new(rule: &str, reason: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A value that failed a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The snake_case rule name, as Pterodactyl reports it in `meta.rule`.
    pub rule: String,
    template: String,
}

impl Failure {
    fn new(rule: &str, template: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            template: template.into(),
        }
    }

    /// Laravel's message with `:attribute` replaced by `attribute`
    /// (`"The Server Jar File variable field is required."`).
    pub fn message(&self, attribute: &str) -> String {
        self.template.replace(":attribute", attribute)
    }
}

#[derive(Debug, Clone)]
enum Rule {
    Required,
    Present,
    String,
    Integer,
    Numeric,
    Boolean,
    In(Vec<String>),
    NotIn(Vec<String>),
    Regex { pattern: Box<Regex>, negate: bool },
    Min(Num),
    Max(Num),
    Between(Num, Num),
    Size(Num),
    Gt(Num),
    Gte(Num),
    Lt(Num),
    Lte(Num),
    Digits(usize),
    DigitsBetween(usize, usize),
    Alpha,
    AlphaNum,
    AlphaDash,
    Url,
    Ip,
    Ipv4,
    Ipv6,
    Email,
    StartsWith(Vec<String>),
    EndsWith(Vec<String>),
    Lowercase,
    Uppercase,
}

/// A numeric rule parameter: the number, and the text to print in messages.
#[derive(Debug, Clone)]
struct Num {
    value: f64,
    text: String,
}

/// A parsed Laravel rule list.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    nullable: bool,
    numeric: bool,
}

/// Splits a pipe-separated rule string into tokens, keeping `regex:` patterns whole even
/// when they contain `|` (Laravel itself would cut them; eggs write them anyway).
fn split_pipes(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut parts = raw.split('|').peekable();
    while let Some(part) = parts.next() {
        let mut token = part.to_owned();
        let trimmed = token.trim_start().to_ascii_lowercase();
        if trimmed.starts_with("regex:") || trimmed.starts_with("not_regex:") {
            while regex_incomplete(&token) {
                match parts.next() {
                    Some(next) => {
                        token.push('|');
                        token.push_str(next);
                    }
                    None => break,
                }
            }
        }
        out.push(token);
    }
    out
}

/// Whether a `regex:` token's delimited pattern has not been closed yet.
fn regex_incomplete(token: &str) -> bool {
    let Some((_, pattern)) = token.split_once(':') else {
        return false;
    };
    split_delimited(pattern.trim()).is_none()
}

fn closing_delimiter(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '<' => '>',
        c => c,
    }
}

/// Splits a PHP-delimited pattern (`/abc/i`, `#abc#`, `(abc)`) into delimiter, body and
/// flags; `None` when the closing delimiter is missing.
fn split_delimited(p: &str) -> Option<(char, &str, &str)> {
    let mut chars = p.char_indices();
    let (_, open) = chars.next()?;
    let close = closing_delimiter(open);
    let bracket = close != open;
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if bracket && c == open {
            depth += 1;
            continue;
        }
        if c == close {
            if depth == 0 {
                let body = &p[open.len_utf8()..i];
                let flags = &p[i + c.len_utf8()..];
                return Some((open, body, flags));
            }
            depth -= 1;
        }
    }
    None
}

/// Compiles a PHP (PCRE) pattern with delimiters and flags into a Rust byte regex. Without
/// the `u` flag PCRE works on bytes and `\w`/`\d` are ASCII, which `unicode(false)` mirrors.
fn compile_php_regex(raw: &str) -> Result<Regex, RuleError> {
    let raw = raw.trim();
    let first = raw
        .chars()
        .next()
        .ok_or_else(|| RuleError::new("regex", "the pattern is empty"))?;
    if first.is_ascii_alphanumeric() || first == '\\' || first.is_whitespace() {
        return Err(RuleError::new(
            "regex",
            format!("`{raw}` has no delimiters (write it as /pattern/)"),
        ));
    }
    let (open, body, flags) = split_delimited(raw)
        .ok_or_else(|| RuleError::new("regex", format!("`{raw}` has no closing delimiter")))?;
    let close = closing_delimiter(open);
    // `\/` inside a `/.../` pattern is PHP escaping the delimiter; Rust wants the plain char
    // (escaped only if it is a regex metacharacter).
    let mut pattern = String::with_capacity(body.len());
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\'
            && let Some(&n) = it.peek()
            && (n == open || n == close)
            && !n.is_ascii_alphanumeric()
        {
            it.next();
            if regex_syntax_meta(n) {
                pattern.push('\\');
            }
            pattern.push(n);
            continue;
        }
        pattern.push(c);
        if c == '\\'
            && let Some(n) = it.next()
        {
            pattern.push(n);
        }
    }
    let mut unicode = false;
    let mut builder_flags = (false, false, false, false, false);
    let mut anchored = false;
    for f in flags.trim_end().chars() {
        match f {
            'i' => builder_flags.0 = true,
            'm' => builder_flags.1 = true,
            's' => builder_flags.2 = true,
            'x' => builder_flags.3 = true,
            'U' => builder_flags.4 = true,
            'u' => unicode = true,
            'A' => anchored = true,
            // PCRE_DOLLAR_ENDONLY and the study flag: Rust's `$` already ends only at the end.
            'D' | 'S' => {}
            other => {
                return Err(RuleError::new(
                    "regex",
                    format!("`{raw}` has an unknown modifier `{other}`"),
                ));
            }
        }
    }
    if anchored {
        pattern = format!(r"\A(?:{pattern})");
    }
    let build = |unicode: bool| {
        RegexBuilder::new(&pattern)
            .case_insensitive(builder_flags.0)
            .multi_line(builder_flags.1)
            .dot_matches_new_line(builder_flags.2)
            .ignore_whitespace(builder_flags.3)
            .swap_greed(builder_flags.4)
            .unicode(unicode)
            .size_limit(1 << 20)
            .build()
    };
    match build(unicode) {
        Ok(r) => Ok(r),
        // A literal non-ASCII character needs Unicode mode even when PCRE would not.
        Err(_) if !unicode => build(true),
        Err(e) => Err(e),
    }
    .map_err(|e| {
        RuleError::new(
            "regex",
            format!(
                "`{raw}` cannot be used: {}",
                e.to_string()
                    .lines()
                    .last()
                    .unwrap_or("invalid pattern")
                    .trim()
            ),
        )
    })
}

fn regex_syntax_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

/// `str_getcsv` as Laravel uses it for rule parameters: commas split, double quotes group.
fn csv(params: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = params.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn num(rule: &str, p: Option<&String>) -> Result<Num, RuleError> {
    let text = p
        .map(|s| s.trim().to_owned())
        .ok_or_else(|| RuleError::new(rule, "a number parameter is required"))?;
    let value = parse_numeric(&text)
        .ok_or_else(|| RuleError::new(rule, format!("`{text}` is not a number")))?;
    Ok(Num { value, text })
}

fn count(rule: &str, p: Option<&String>) -> Result<usize, RuleError> {
    let text = p
        .map(|s| s.trim())
        .ok_or_else(|| RuleError::new(rule, "a number parameter is required"))?;
    text.parse()
        .map_err(|_| RuleError::new(rule, format!("`{text}` is not a whole number")))
}

fn non_empty(rule: &str, params: Vec<String>) -> Result<Vec<String>, RuleError> {
    if params.is_empty() || (params.len() == 1 && params[0].is_empty()) {
        return Err(RuleError::new(rule, "at least one value is required"));
    }
    Ok(params)
}

impl RuleSet {
    /// Parses a stored rule string: a pipe-separated list (`required|max:20`), or a JSON
    /// array of rules (how list-form rules from PLCN eggs may be stored).
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let trimmed = raw.trim();
        if trimmed.starts_with('[')
            && let Ok(list) = serde_json::from_str::<Vec<serde_json::Value>>(trimmed)
        {
            return Self::parse_list(list.iter().map(value_as_rule_text));
        }
        Self::parse_tokens(split_pipes(raw))
    }

    /// Parses a list of rules, each one rule (`["required", "max:20"]`). An item holding
    /// pipes is split further.
    pub fn parse_list<I, S>(items: I) -> Result<Self, RuleError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut tokens = Vec::new();
        for item in items {
            let item = item.as_ref();
            let lower = item.trim_start().to_ascii_lowercase();
            if lower.starts_with("regex:") || lower.starts_with("not_regex:") {
                tokens.push(item.to_owned());
            } else {
                tokens.extend(split_pipes(item));
            }
        }
        Self::parse_tokens(tokens)
    }

    /// Parses rules as they appear in egg JSON: a string, a list, or (once in the wild) an
    /// object whose values are the rules.
    pub fn parse_json(v: &serde_json::Value) -> Result<Self, RuleError> {
        match v {
            serde_json::Value::Null => Ok(Self::default()),
            serde_json::Value::String(s) => Self::parse(s),
            serde_json::Value::Array(items) => {
                Self::parse_list(items.iter().map(value_as_rule_text))
            }
            serde_json::Value::Object(map) => {
                Self::parse_list(map.values().map(value_as_rule_text))
            }
            other => Self::parse(&other.to_string()),
        }
    }

    fn parse_tokens(tokens: Vec<String>) -> Result<Self, RuleError> {
        let mut set = Self::default();
        for token in tokens {
            let token = token.trim();
            if token.is_empty() {
                continue;
            }
            let (name, params) = match token.split_once(':') {
                Some((n, p)) => (n.trim().to_ascii_lowercase(), Some(p)),
                None => (token.to_ascii_lowercase(), None),
            };
            let p = params.map(csv).unwrap_or_default();
            let rule = match name.as_str() {
                "required" => Rule::Required,
                "present" => Rule::Present,
                "nullable" => {
                    set.nullable = true;
                    continue;
                }
                "sometimes" | "bail" | "filled" | "confirmed" => continue,
                "string" => Rule::String,
                "integer" => {
                    set.numeric = true;
                    Rule::Integer
                }
                "numeric" => {
                    set.numeric = true;
                    Rule::Numeric
                }
                "boolean" => Rule::Boolean,
                "in" => Rule::In(non_empty("in", p)?),
                "not_in" => Rule::NotIn(non_empty("not_in", p)?),
                "regex" | "not_regex" => {
                    let pattern = params
                        .ok_or_else(|| RuleError::new(&name, "a pattern parameter is required"))?;
                    Rule::Regex {
                        pattern: Box::new(compile_php_regex(pattern)?),
                        negate: name == "not_regex",
                    }
                }
                "min" => Rule::Min(num("min", p.first())?),
                "max" => Rule::Max(num("max", p.first())?),
                "between" => Rule::Between(num("between", p.first())?, num("between", p.get(1))?),
                "size" => Rule::Size(num("size", p.first())?),
                "gt" => Rule::Gt(num("gt", p.first())?),
                "gte" => Rule::Gte(num("gte", p.first())?),
                "lt" => Rule::Lt(num("lt", p.first())?),
                "lte" => Rule::Lte(num("lte", p.first())?),
                "digits" => Rule::Digits(count("digits", p.first())?),
                "digits_between" => Rule::DigitsBetween(
                    count("digits_between", p.first())?,
                    count("digits_between", p.get(1))?,
                ),
                "alpha" => Rule::Alpha,
                "alpha_num" => Rule::AlphaNum,
                "alpha_dash" => Rule::AlphaDash,
                "url" | "active_url" => Rule::Url,
                "ip" => Rule::Ip,
                "ipv4" => Rule::Ipv4,
                "ipv6" => Rule::Ipv6,
                "email" => Rule::Email,
                "starts_with" => Rule::StartsWith(non_empty("starts_with", p)?),
                "ends_with" => Rule::EndsWith(non_empty("ends_with", p)?),
                "lowercase" => Rule::Lowercase,
                "uppercase" => Rule::Uppercase,
                other => {
                    tracing::trace!(rule = %other, "unknown validation rule accepted");
                    continue;
                }
            };
            set.rules.push(rule);
        }
        Ok(set)
    }

    /// Whether `nullable` is in the list.
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    /// Whether `required` is in the list.
    pub fn is_required(&self) -> bool {
        self.rules.iter().any(|r| matches!(r, Rule::Required))
    }

    /// Checks `value` (`None` = null) against the rules; the first failure wins.
    pub fn check(&self, value: Option<&str>) -> Result<(), Failure> {
        let blank = value.is_none_or(|v| v.trim().is_empty());
        for rule in &self.rules {
            match rule {
                Rule::Required => {
                    if blank {
                        return Err(Failure::new(
                            "required",
                            "The :attribute field is required.",
                        ));
                    }
                    continue;
                }
                Rule::Present => continue,
                _ => {}
            }
            let Some(v) = value else {
                if self.nullable {
                    continue;
                }
                // A null that is not allowed fails every type and format rule; sizes of null
                // are 0, as Laravel measures them.
                match self.check_one(rule, "") {
                    Err(f) => return Err(f),
                    Ok(()) if is_format_rule(rule) => return Err(format_failure(rule)),
                    Ok(()) => continue,
                }
            };
            if v.trim().is_empty() {
                // Laravel runs only implicit rules on blank strings.
                continue;
            }
            self.check_one(rule, v)?;
        }
        Ok(())
    }

    /// The size Laravel compares `min`/`max`/...: the number when the list is numeric and
    /// the value is a number, the length in characters otherwise.
    fn size(&self, v: &str) -> (f64, bool) {
        if self.numeric
            && let Some(n) = parse_numeric(v)
        {
            return (n, true);
        }
        (v.chars().count() as f64, false)
    }

    fn check_one(&self, rule: &Rule, v: &str) -> Result<(), Failure> {
        let ok = match rule {
            Rule::Required | Rule::Present => true,
            Rule::String => true,
            Rule::Integer => is_php_int(v),
            Rule::Numeric => parse_numeric(v).is_some(),
            Rule::Boolean => matches!(v, "1" | "0" | "true" | "false"),
            Rule::In(list) => list.iter().any(|x| x == v),
            Rule::NotIn(list) => !list.iter().any(|x| x == v),
            Rule::Regex { pattern, negate } => pattern.is_match(v.as_bytes()) != *negate,
            Rule::Min(n) => self.size(v).0 >= n.value,
            Rule::Max(n) => self.size(v).0 <= n.value,
            Rule::Between(a, b) => {
                let s = self.size(v).0;
                s >= a.value && s <= b.value
            }
            Rule::Size(n) => self.size(v).0 == n.value,
            Rule::Gt(n) => self.size(v).0 > n.value,
            Rule::Gte(n) => self.size(v).0 >= n.value,
            Rule::Lt(n) => self.size(v).0 < n.value,
            Rule::Lte(n) => self.size(v).0 <= n.value,
            Rule::Digits(n) => v.bytes().all(|b| b.is_ascii_digit()) && v.len() == *n,
            Rule::DigitsBetween(a, b) => {
                v.bytes().all(|b| b.is_ascii_digit()) && (*a..=*b).contains(&v.len())
            }
            Rule::Alpha => v.chars().all(char::is_alphabetic),
            Rule::AlphaNum => v.chars().all(char::is_alphanumeric),
            Rule::AlphaDash => v
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_'),
            Rule::Url => is_url(v),
            Rule::Ip => v.parse::<IpAddr>().is_ok(),
            Rule::Ipv4 => v.parse::<Ipv4Addr>().is_ok(),
            Rule::Ipv6 => v.parse::<Ipv6Addr>().is_ok(),
            Rule::Email => is_email(v),
            Rule::StartsWith(list) => list.iter().any(|p| v.starts_with(p.as_str())),
            Rule::EndsWith(list) => list.iter().any(|p| v.ends_with(p.as_str())),
            Rule::Lowercase => v == v.to_lowercase(),
            Rule::Uppercase => v == v.to_uppercase(),
        };
        if ok {
            return Ok(());
        }
        let numeric = self.size(v).1;
        Err(failure(rule, numeric))
    }
}

fn value_as_rule_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_format_rule(rule: &Rule) -> bool {
    !matches!(
        rule,
        Rule::Required
            | Rule::Present
            | Rule::Min(_)
            | Rule::Max(_)
            | Rule::Between(..)
            | Rule::Size(_)
            | Rule::Gt(_)
            | Rule::Gte(_)
            | Rule::Lt(_)
            | Rule::Lte(_)
            | Rule::NotIn(_)
    )
}

fn format_failure(rule: &Rule) -> Failure {
    failure(rule, false)
}

fn sized(numeric: bool, num: &str, string: &str) -> String {
    if numeric { num } else { string }.to_owned()
}

/// Laravel's English message for `rule` (Pterodactyl's `resources/lang/en/validation.php`).
fn failure(rule: &Rule, numeric: bool) -> Failure {
    match rule {
        Rule::Required => Failure::new("required", "The :attribute field is required."),
        Rule::Present => Failure::new("present", "The :attribute field must be present."),
        Rule::String => Failure::new("string", "The :attribute must be a string."),
        Rule::Integer => Failure::new("integer", "The :attribute must be an integer."),
        Rule::Numeric => Failure::new("numeric", "The :attribute must be a number."),
        Rule::Boolean => Failure::new("boolean", "The :attribute field must be true or false."),
        Rule::In(_) => Failure::new("in", "The selected :attribute is invalid."),
        Rule::NotIn(_) => Failure::new("not_in", "The selected :attribute is invalid."),
        Rule::Regex { negate, .. } => Failure::new(
            if *negate { "not_regex" } else { "regex" },
            "The :attribute format is invalid.",
        ),
        Rule::Min(n) => Failure::new(
            "min",
            sized(
                numeric,
                &format!("The :attribute must be at least {}.", n.text),
                &format!("The :attribute must be at least {} characters.", n.text),
            ),
        ),
        Rule::Max(n) => Failure::new(
            "max",
            sized(
                numeric,
                &format!("The :attribute may not be greater than {}.", n.text),
                &format!(
                    "The :attribute may not be greater than {} characters.",
                    n.text
                ),
            ),
        ),
        Rule::Between(a, b) => Failure::new(
            "between",
            sized(
                numeric,
                &format!("The :attribute must be between {} and {}.", a.text, b.text),
                &format!(
                    "The :attribute must be between {} and {} characters.",
                    a.text, b.text
                ),
            ),
        ),
        Rule::Size(n) => Failure::new(
            "size",
            sized(
                numeric,
                &format!("The :attribute must be {}.", n.text),
                &format!("The :attribute must be {} characters.", n.text),
            ),
        ),
        Rule::Gt(n) => compare("gt", "greater than", n, numeric),
        Rule::Gte(n) => compare("gte", "greater than or equal", n, numeric),
        Rule::Lt(n) => compare("lt", "less than", n, numeric),
        Rule::Lte(n) => compare("lte", "less than or equal", n, numeric),
        Rule::Digits(n) => Failure::new("digits", format!("The :attribute must be {n} digits.")),
        Rule::DigitsBetween(a, b) => Failure::new(
            "digits_between",
            format!("The :attribute must be between {a} and {b} digits."),
        ),
        Rule::Alpha => Failure::new("alpha", "The :attribute may only contain letters."),
        Rule::AlphaNum => Failure::new(
            "alpha_num",
            "The :attribute may only contain letters and numbers.",
        ),
        Rule::AlphaDash => Failure::new(
            "alpha_dash",
            "The :attribute may only contain letters, numbers, and dashes.",
        ),
        Rule::Url => Failure::new("url", "The :attribute format is invalid."),
        Rule::Ip => Failure::new("ip", "The :attribute must be a valid IP address."),
        Rule::Ipv4 => Failure::new("ipv4", "The :attribute must be a valid IPv4 address."),
        Rule::Ipv6 => Failure::new("ipv6", "The :attribute must be a valid IPv6 address."),
        Rule::Email => Failure::new("email", "The :attribute must be a valid email address."),
        Rule::StartsWith(list) => Failure::new(
            "starts_with",
            format!(
                "The :attribute must start with one of the following: {}.",
                list.join(", ")
            ),
        ),
        Rule::EndsWith(list) => Failure::new(
            "ends_with",
            format!(
                "The :attribute must end with one of the following: {}.",
                list.join(", ")
            ),
        ),
        Rule::Lowercase => Failure::new("lowercase", "The :attribute must be lowercase."),
        Rule::Uppercase => Failure::new("uppercase", "The :attribute must be uppercase."),
    }
}

fn compare(rule: &str, words: &str, n: &Num, numeric: bool) -> Failure {
    Failure::new(
        rule,
        sized(
            numeric,
            &format!("The :attribute must be {words} {}.", n.text),
            &format!("The :attribute must be {words} {} characters.", n.text),
        ),
    )
}

/// PHP `filter_var($v, FILTER_VALIDATE_INT)`: optional surrounding whitespace, an optional
/// sign, no leading zeros, within 64 bits.
fn is_php_int(v: &str) -> bool {
    let t = v.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && t.parse::<i64>().is_ok()
}

/// PHP `is_numeric`: decimal integers and floats with an optional exponent, optional leading
/// and trailing whitespace; no hex, no `inf`.
fn parse_numeric(v: &str) -> Option<f64> {
    let t = v.trim_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int)
        || !frac.is_none_or(digits)
        || (int.is_empty() && frac.is_none_or(str::is_empty))
    {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default();
    scheme_ok && !host.is_empty() && !v.chars().any(char::is_whitespace)
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !v.chars().any(char::is_whitespace)
}

/// Validates one egg variable's value as Pterodactyl's `VariableValidatorService` does.
///
/// `name` is the variable's display name (Pterodactyl's messages read "The Server Jar File
/// variable field is required."), `env` its environment name, which becomes
/// `meta.source_field` = `environment.<env>`. `rules` is the stored rule string; `value` is
/// `None` for null.
///
/// # Errors
/// A 422 [`Error::Validation`] for the first failing rule, or for rules that cannot be parsed
/// (a regex Rust cannot compile, `max:abc`).
pub fn validate_variable(
    name: &str,
    env: &str,
    rules: Option<&str>,
    value: Option<&str>,
) -> Result<(), Error> {
    let field = format!("environment.{env}");
    let attribute = format!("{name} variable");
    let set = RuleSet::parse(rules.unwrap_or("")).map_err(|e| {
        Error::validation(
            &field,
            &e.rule,
            format!(
                "The validation rules of the {attribute} cannot be applied: {}.",
                e.reason
            ),
        )
    })?;
    set.check(value)
        .map_err(|f| Error::validation(&field, &f.rule, f.message(&attribute)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rules: &str, value: Option<&str>) -> Result<(), String> {
        RuleSet::parse(rules)
            .map_err(|e| format!("parse: {e}"))?
            .check(value)
            .map_err(|f| f.rule)
    }

    #[test]
    fn table_of_rules_and_values() {
        // (rules, value, expected: Ok or the failing rule)
        let cases: &[(&str, Option<&str>, Result<(), &str>)] = &[
            ("required", Some("x"), Ok(())),
            ("required", Some(""), Err("required")),
            ("required", Some("   "), Err("required")),
            ("required", None, Err("required")),
            ("nullable|required", None, Err("required")),
            ("nullable|string", None, Ok(())),
            ("string", None, Err("string")),
            ("string|max:20", Some(""), Ok(())),
            ("string|max:5", Some("abcdef"), Err("max")),
            ("string|max:5", Some("abcde"), Ok(())),
            ("string|max:5", Some("ééééé"), Ok(())),
            ("required|string|max:20|", Some("ok"), Ok(())),
            (" required | string ", Some("ok"), Ok(())),
            ("min:3", Some("ab"), Err("min")),
            ("integer|min:3", Some("5"), Ok(())),
            ("integer|min:3", Some("2"), Err("min")),
            ("numeric|max:100", Some("100.0"), Ok(())),
            ("numeric|max:100", Some("100.5"), Err("max")),
            ("max:3", Some("1000"), Err("max")),
            ("required|between:1,6", Some("abcdef"), Ok(())),
            ("required|between:1,6", Some("abcdefg"), Err("between")),
            ("required|numeric|between:1,65535", Some("25565"), Ok(())),
            (
                "required|numeric|between:1,65535",
                Some("70000"),
                Err("between"),
            ),
            ("integer", Some("42"), Ok(())),
            ("integer", Some("-42"), Ok(())),
            ("integer", Some("+7"), Ok(())),
            ("integer", Some("4.2"), Err("integer")),
            ("integer", Some("042"), Err("integer")),
            ("integer", Some("abc"), Err("integer")),
            ("integer", Some("99999999999999999999"), Err("integer")),
            ("numeric", Some("4.2"), Ok(())),
            ("numeric", Some("-1e3"), Ok(())),
            ("numeric", Some(".5"), Ok(())),
            ("numeric", Some("0x1A"), Err("numeric")),
            ("numeric", Some("1e"), Err("numeric")),
            ("numeric", Some("."), Err("numeric")),
            ("boolean", Some("1"), Ok(())),
            ("boolean", Some("0"), Ok(())),
            ("boolean", Some("true"), Ok(())),
            ("boolean", Some("false"), Ok(())),
            ("boolean", Some("yes"), Err("boolean")),
            ("required|boolean", Some("2"), Err("boolean")),
            ("in:normal,rotate,update", Some("rotate"), Ok(())),
            ("in:normal,rotate,update", Some("Rotate"), Err("in")),
            ("in:\"a,b\",c", Some("a,b"), Ok(())),
            ("not_in:a,b", Some("a"), Err("not_in")),
            ("not_in:a,b", Some("c"), Ok(())),
            (r"regex:/^([\w\d._-]+)(\.jar)$/", Some("server.jar"), Ok(())),
            (
                r"regex:/^([\w\d._-]+)(\.jar)$/",
                Some("server.zip"),
                Err("regex"),
            ),
            (r"regex:/^[\w.-]*$/", Some("é"), Err("regex")),
            (r"regex:/^[\w.-]*$/u", Some("é"), Ok(())),
            (r"regex:/^abc$/i", Some("ABC"), Ok(())),
            (r"regex:/^a\/b$/", Some("a/b"), Ok(())),
            (r"regex:#^a/b$#", Some("a/b"), Ok(())),
            ("regex:([a-z-0-9]+$)", Some("abc-1"), Ok(())),
            ("regex:([a-z-0-9]+$)", Some("ABC"), Err("regex")),
            ("required|regex:/^(yes|no)$/", Some("no"), Ok(())),
            (
                "required|regex:/^(yes|no)$/|max:3",
                Some("maybe"),
                Err("regex"),
            ),
            (r"not_regex:/^\d+$/", Some("123"), Err("not_regex")),
            ("size:32", Some("0123456789abcdef0123456789abcdef"), Ok(())),
            ("size:32", Some("short"), Err("size")),
            ("numeric|gt:0", Some("1"), Ok(())),
            ("numeric|gt:0", Some("0"), Err("gt")),
            ("digits:4", Some("1234"), Ok(())),
            ("digits:4", Some("123"), Err("digits")),
            ("digits:4", Some("12a4"), Err("digits")),
            ("required|numeric|digits_between:1,5", Some("27015"), Ok(())),
            (
                "required|numeric|digits_between:1,5",
                Some("270150"),
                Err("digits_between"),
            ),
            ("alpha", Some("abcÉ"), Ok(())),
            ("alpha", Some("ab1"), Err("alpha")),
            ("alpha_num", Some("ab1"), Ok(())),
            ("alpha_num", Some("ab-1"), Err("alpha_num")),
            ("alpha_dash", Some("ab-1_x"), Ok(())),
            ("alpha_dash", Some("ab 1"), Err("alpha_dash")),
            ("url", Some("https://example.com/x?y=1"), Ok(())),
            ("url", Some("example.com"), Err("url")),
            ("url", Some("https:// spaced"), Err("url")),
            ("ip", Some("::1"), Ok(())),
            ("ip", Some("10.0.0.1"), Ok(())),
            ("ip", Some("10.0.0"), Err("ip")),
            ("ipv4", Some("::1"), Err("ipv4")),
            ("ipv4", Some("127.0.0.1"), Ok(())),
            ("email", Some("a@b.co"), Ok(())),
            ("email", Some("nope"), Err("email")),
            ("starts_with:foo,bar", Some("barn"), Ok(())),
            ("starts_with:foo,bar", Some("baz"), Err("starts_with")),
            ("ends_with:.jar", Some("x.jar"), Ok(())),
            ("ends_with:.jar", Some("x.zip"), Err("ends_with")),
            (
                "confirmed|int|present|sometimes|bail",
                Some("anything"),
                Ok(()),
            ),
            ("present", None, Ok(())),
            ("", Some("anything"), Ok(())),
            // JSON list form.
            (
                r#"["required", "string", "max:3"]"#,
                Some("abcd"),
                Err("max"),
            ),
        ];
        for (rules, value, expected) in cases {
            let got = check(rules, *value);
            let expected = expected.map_err(str::to_owned);
            assert_eq!(got, expected, "rules {rules:?} value {value:?}");
        }
    }

    #[test]
    fn lists_and_json_forms() {
        let set = RuleSet::parse_list(["required", "regex:/^(a|b)$/", " max:1 "]).unwrap();
        assert!(set.check(Some("a")).is_ok());
        assert_eq!(set.check(Some("c")).unwrap_err().rule, "regex");
        let v = serde_json::json!({"0": "required", "1": "in:x,y"});
        let set = RuleSet::parse_json(&v).unwrap();
        assert!(set.is_required());
        assert_eq!(set.check(Some("z")).unwrap_err().rule, "in");
        assert!(
            RuleSet::parse_json(&serde_json::Value::Null)
                .unwrap()
                .check(None)
                .is_ok()
        );
    }

    #[test]
    fn unusable_rules_are_errors_not_panics() {
        for bad in [
            r"regex:/(?<=a)b/",
            r"regex:/(a)\1/",
            "regex:/unclosed",
            "regex:abc",
            "regex:/a/q",
            "max:abc",
            "between:1",
            "digits:x",
            "in:",
        ] {
            let err = RuleSet::parse(bad).unwrap_err();
            assert!(!err.reason.is_empty(), "{bad}");
        }
    }

    #[test]
    fn messages_are_laravel_style() {
        let e = validate_variable(
            "Server Jar File",
            "SERVER_JARFILE",
            Some("required"),
            Some(""),
        )
        .unwrap_err();
        match e {
            Error::Validation {
                field,
                rule,
                message,
            } => {
                assert_eq!(field, "environment.SERVER_JARFILE");
                assert_eq!(rule, "required");
                assert_eq!(message, "The Server Jar File variable field is required.");
            }
            other => panic!("{other:?}"),
        }
        let e = validate_variable("Port", "PORT", Some("numeric|max:10"), Some("11")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The Port variable may not be greater than 10."
        );
        let e = validate_variable("Name", "NAME", Some("string|max:2"), Some("abc")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The Name variable may not be greater than 2 characters."
        );
        let e = validate_variable("X", "X", Some(r"regex:/(?=a)/"), Some("a")).unwrap_err();
        assert!(
            matches!(e, Error::Validation { ref rule, .. } if rule == "regex"),
            "{e:?}"
        );
        assert!(validate_variable("X", "X", None, None).is_ok());
    }

    fn egg_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                egg_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }

    /// Parses the rules of every variable of every egg under `dir`; returns how many.
    fn parse_corpus(dir: &std::path::Path) -> usize {
        let mut files = Vec::new();
        egg_files(dir, &mut files);
        let mut n = 0;
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            let Some(vars) = doc.get("variables").and_then(|v| v.as_array()) else {
                continue;
            };
            for var in vars {
                let rules = var.get("rules").cloned().unwrap_or_default();
                if let Err(e) = RuleSet::parse_json(&rules) {
                    panic!("{}: rules {rules} do not parse: {e}", f.display());
                }
                n += 1;
            }
        }
        n
    }

    #[test]
    fn every_rule_in_the_fixture_eggs_parses() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../aerie-eggs/tests/fixtures");
        assert!(parse_corpus(&dir) > 10);
    }

    /// The shared egg corpus (parkervcp/eggs snapshot) lives beside the work tree, in
    /// `shared/eggs`, on developer machines and in CI; `AERIE_EGG_CORPUS` overrides it.
    #[test]
    fn every_rule_in_the_egg_corpus_parses() {
        let dir = std::env::var_os("AERIE_EGG_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eggs")
            });
        if !dir.is_dir() {
            eprintln!(
                "egg corpus not found at {}; nothing to check",
                dir.display()
            );
            return;
        }
        assert!(
            parse_corpus(&dir) > 1000,
            "the corpus has over a thousand variables"
        );
    }
}
