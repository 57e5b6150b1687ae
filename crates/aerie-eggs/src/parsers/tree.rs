//! Path edits shared by the json and yaml parsers, on an order-preserving document
//! (`serde_yaml::Value`, whose maps keep insertion order; JSON reads into it too).
//!
//! Paths:
//! - `a.b.c`: map keys; `~1` stands for a literal `.` and `~0` for `~` inside a key
//!   (`controller~1http_port` is the key `controller.http_port`).
//! - `a[0].b`, `a.0.b`: list indexes.
//! - `*` (or `[*]`): every existing child of a map or list at that level (`servers.*.address`).
//!
//! Missing keys are created (never at a wildcard level, and never for a conditional replacement);
//! a missing list element is created only when it is the next one (`a[len]`). Nothing is created
//! when the rest of the path cannot be written either, and an existing scalar is never turned
//! into a map or list to make a path fit.
//!
//! Values that read as integers (`25565`, canonical form only) or booleans (`true`, `false`)
//! are written typed, as Wings does; text that parses as a number is also written as a number
//! when the value it replaces was a floating-point number.

use serde_yaml::{Mapping, Number, Value};

use super::ResolvedReplace;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
    Wildcard,
}

fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for piece in path.split('.') {
        if piece == "*" {
            segs.push(Seg::Wildcard);
            continue;
        }
        match split_indexes(piece) {
            Some((name, indexes)) => {
                if !name.is_empty() {
                    segs.push(Seg::Key(unescape_key(name)));
                }
                segs.extend(indexes);
            }
            None => segs.push(Seg::Key(unescape_key(piece))),
        }
    }
    segs
}

/// `name[0][*]` → (`name`, [Index(0), Wildcard]); `None` when the brackets are not all indexes.
fn split_indexes(piece: &str) -> Option<(&str, Vec<Seg>)> {
    let open = piece.find('[')?;
    let (name, mut rest) = piece.split_at(open);
    let mut indexes = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let index = &inner[..close];
        indexes.push(if index == "*" {
            Seg::Wildcard
        } else {
            Seg::Index(index.parse().ok()?)
        });
        rest = &inner[close + 1..];
    }
    Some((name, indexes))
}

fn unescape_key(key: &str) -> String {
    key.replace("~1", ".").replace("~0", "~")
}

/// Applies every replacement in order; returns whether the document changed.
pub(super) fn apply_all(doc: &mut Value, replaces: &[ResolvedReplace]) -> bool {
    let mut changed = false;
    for rep in replaces {
        let segs = parse_path(&rep.matcher);
        changed |= set(doc, &segs, rep, rep.if_value.is_none());
    }
    changed
}

/// Sets the value at `segs` under `node`; returns whether anything changed.
fn set(node: &mut Value, segs: &[Seg], rep: &ResolvedReplace, create: bool) -> bool {
    let Some((seg, rest)) = segs.split_first() else {
        let current = scalar_text(node);
        let Some(new) = rep.new_value(current.as_deref()) else {
            return false;
        };
        let new = typed(&new, node);
        if *node == new {
            return false;
        }
        *node = new;
        return true;
    };
    if let Value::Tagged(tagged) = node {
        return set(&mut tagged.value, segs, rep, create);
    }
    match seg {
        Seg::Wildcard => match node {
            Value::Mapping(map) => map
                .values_mut()
                .fold(false, |acc, child| set(child, rest, rep, create) | acc),
            Value::Sequence(items) => items
                .iter_mut()
                .fold(false, |acc, child| set(child, rest, rep, create) | acc),
            _ => false,
        },
        Seg::Key(key) => match node {
            Value::Mapping(map) => set_in_map(map, key, rest, rep, create),
            Value::Sequence(items) => match key.parse::<usize>() {
                Ok(index) => set_in_list(items, index, rest, rep, create),
                Err(_) => false,
            },
            Value::Null if create => {
                let mut map = Mapping::new();
                let changed = set_in_map(&mut map, key, rest, rep, create);
                if changed {
                    *node = Value::Mapping(map);
                }
                changed
            }
            _ => false,
        },
        Seg::Index(index) => match node {
            Value::Sequence(items) => set_in_list(items, *index, rest, rep, create),
            Value::Mapping(map) => set_in_map(map, &index.to_string(), rest, rep, create),
            Value::Null if create && *index == 0 => {
                let mut items = Vec::new();
                let changed = set_in_list(&mut items, 0, rest, rep, create);
                if changed {
                    *node = Value::Sequence(items);
                }
                changed
            }
            _ => false,
        },
    }
}

fn set_in_map(
    map: &mut Mapping,
    key: &str,
    rest: &[Seg],
    rep: &ResolvedReplace,
    create: bool,
) -> bool {
    if let Some(child) = map.get_mut(key) {
        return set(child, rest, rep, create);
    }
    // Keys YAML reads as numbers or booleans (`25565: …`) match their text.
    if let Some((_, child)) = map
        .iter_mut()
        .find(|(k, _)| !k.is_string() && scalar_text(k).as_deref() == Some(key))
    {
        return set(child, rest, rep, create);
    }
    if !create {
        return false;
    }
    let mut child = Value::Null;
    let changed = set(&mut child, rest, rep, create);
    if changed {
        map.insert(Value::String(key.to_owned()), child);
    }
    changed
}

fn set_in_list(
    items: &mut Vec<Value>,
    index: usize,
    rest: &[Seg],
    rep: &ResolvedReplace,
    create: bool,
) -> bool {
    if let Some(child) = items.get_mut(index) {
        return set(child, rest, rep, create);
    }
    if !create || index != items.len() {
        return false;
    }
    let mut child = Value::Null;
    let changed = set(&mut child, rest, rep, create);
    if changed {
        items.push(child);
    }
    changed
}

/// The text `if_value` compares against; `None` for maps and lists.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Tagged(t) => scalar_text(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

fn typed(text: &str, existing: &Value) -> Value {
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>()
        && i.to_string() == text
    {
        return Value::Number(i.into());
    }
    if let Ok(u) = text.parse::<u64>()
        && u.to_string() == text
    {
        return Value::Number(u.into());
    }
    if matches!(existing, Value::Number(n) if n.is_f64())
        && let Ok(f) = text.trim().parse::<f64>()
        && f.is_finite()
    {
        return Value::Number(Number::from(f));
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        use Seg::*;
        assert_eq!(parse_path("a.b"), vec![Key("a".into()), Key("b".into())]);
        assert_eq!(
            parse_path("listeners[0].host"),
            vec![Key("listeners".into()), Index(0), Key("host".into())]
        );
        assert_eq!(
            parse_path("servers.*.address"),
            vec![Key("servers".into()), Wildcard, Key("address".into())]
        );
        assert_eq!(
            parse_path("a[1][*]"),
            vec![Key("a".into()), Index(1), Wildcard]
        );
        assert_eq!(
            parse_path("controller~1http_port"),
            vec![Key("controller.http_port".into())]
        );
        assert_eq!(parse_path("odd[x]"), vec![Key("odd[x]".into())]);
        assert_eq!(parse_path("apps.http.servers.srv0.listen.0").len(), 6);
    }

    #[test]
    fn typing() {
        assert_eq!(typed("25565", &Value::Null), Value::Number(25565.into()));
        assert_eq!(typed("-3", &Value::Null), Value::Number((-3).into()));
        assert_eq!(typed("007", &Value::Null), Value::String("007".into()));
        assert_eq!(typed("true", &Value::Null), Value::Bool(true));
        assert_eq!(typed("1.5", &Value::Null), Value::String("1.5".into()));
        assert_eq!(
            typed("1.5", &Value::Number(Number::from(0.5))),
            Value::Number(Number::from(1.5))
        );
        assert_eq!(
            typed("0.0.0.0:25565", &Value::Null),
            Value::String("0.0.0.0:25565".into())
        );
    }
}
