//! The `xml` parser. A `match` is a dotted element path whose first segment is the root
//! element (`MyConfigDedicated.SessionSettings.GameMode`, as Wings' `./a/b/c` lookup from the
//! document); a path whose first segment is not the root's name changes nothing.
//!
//! - Every element at the path gets the value as its text, or, when the value has the form
//!   `[name='value']`, the attribute `name` set to `value`.
//! - Missing elements are created (unless the replacement is conditional), indented like their
//!   siblings; an empty file gets an XML declaration and the root element.
//! - `if_value` compares with the element's text (or, for the attribute form, the attribute).
//!
//! The document is kept as written: the reader records each piece's original bytes, and only
//! the elements that change are rewritten (an edited start tag is rebuilt from its attributes,
//! so its spacing may change). A file that is not well-formed is an error and is left alone.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{ResolvedReplace, strip_bom};
use crate::error::EggError;

#[derive(Debug, Clone)]
enum Node {
    Element(Element),
    /// Character data, entity references or CDATA, as written.
    Text(String),
    /// Declarations, comments, processing instructions, doctype: as written.
    Other(String),
}

#[derive(Debug, Clone)]
struct Element {
    name: String,
    /// The start tag as written, `<` to `>` (or `/>` when `empty`).
    start: String,
    empty: bool,
    children: Vec<Node>,
    /// The end tag as written; empty when `empty`.
    end: String,
}

/// Applies the replacements; see the module documentation.
pub fn apply(original: &str, replaces: &[ResolvedReplace]) -> Result<String, EggError> {
    let text = strip_bom(original);
    let mut nodes = parse(text)?;
    let mut changed = false;
    for rep in replaces {
        changed |= apply_one(&mut nodes, rep);
    }
    if !changed {
        return Ok(original.to_owned());
    }
    let mut out = String::with_capacity(original.len() + 64);
    if original.len() != text.len() {
        out.push('\u{feff}');
    }
    for node in &nodes {
        write_node(node, &mut out);
    }
    Ok(out)
}

fn malformed(message: impl Into<String>) -> EggError {
    EggError::MalformedFile {
        parser: "xml",
        message: message.into(),
    }
}

/// Files live in user-writable server directories: bound the nesting so a hostile file cannot
/// exhaust the stack of the (recursive) writer and editors.
const MAX_DEPTH: usize = 256;

fn parse(text: &str) -> Result<Vec<Node>, EggError> {
    let mut reader = Reader::from_str(text);
    let mut top = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let from = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("at byte {from}: {e}")))?;
        let to = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let raw = text
            .get(from..to)
            .ok_or_else(|| malformed("the reader lost its place"))?
            .to_owned();
        let node = match event {
            Event::Eof => break,
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(format!(
                        "elements are nested more than {MAX_DEPTH} deep"
                    )));
                }
                stack.push(Element {
                    name: name_of(&e),
                    start: raw,
                    empty: false,
                    children: Vec::new(),
                    end: String::new(),
                });
                continue;
            }
            Event::End(_) => {
                let mut element = stack
                    .pop()
                    .ok_or_else(|| malformed("an end tag has no start tag"))?;
                element.end = raw;
                Node::Element(element)
            }
            Event::Empty(e) => Node::Element(Element {
                name: name_of(&e),
                start: raw,
                empty: true,
                children: Vec::new(),
                end: String::new(),
            }),
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => Node::Text(raw),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                Node::Other(raw)
            }
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => top.push(node),
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(format!(
            "element <{}> is never closed",
            open.name
        )));
    }
    Ok(top)
}

fn name_of(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Text(s) | Node::Other(s) => out.push_str(s),
        Node::Element(e) => {
            out.push_str(&e.start);
            for child in &e.children {
                write_node(child, out);
            }
            out.push_str(&e.end);
        }
    }
}

enum Action {
    Text,
    Attribute(String),
}

/// `[name='value']` (or double quotes) → (`name`, `value`).
fn attribute_form(value: &str) -> Option<(&str, &str)> {
    let inner = value.strip_prefix('[')?.strip_suffix(']')?;
    let (name, quoted) = inner.split_once('=')?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'));
    let unquoted = quoted
        .strip_prefix('\'')
        .and_then(|q| q.strip_suffix('\''))
        .or_else(|| quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')));
    if valid { Some((name, unquoted?)) } else { None }
}

fn apply_one(nodes: &mut Vec<Node>, rep: &ResolvedReplace) -> bool {
    let segs: Vec<&str> = rep.matcher.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return false;
    }
    let (action, rep) = match attribute_form(&rep.replace_with) {
        Some((name, value)) => (
            Action::Attribute(name.to_owned()),
            ResolvedReplace {
                matcher: rep.matcher.clone(),
                if_value: rep.if_value.clone(),
                replace_with: value.to_owned(),
            },
        ),
        None => (Action::Text, rep.clone()),
    };
    let create = rep.if_value.is_none();

    let has_root = nodes.iter().any(|n| matches!(n, Node::Element(_)));
    if !has_root {
        if !create {
            return false;
        }
        if nodes
            .iter()
            .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()))
        {
            nodes.clear();
            nodes.push(Node::Other(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>".into(),
            ));
        }
        if !nodes
            .last()
            .is_some_and(|n| matches!(n, Node::Text(t) if t.ends_with('\n')))
        {
            nodes.push(Node::Text("\n".into()));
        }
        nodes.push(Node::Element(new_element(segs[0])));
        nodes.push(Node::Text("\n".into()));
    }
    let Some(root) = nodes.iter_mut().find_map(|n| match n {
        Node::Element(e) => Some(e),
        _ => None,
    }) else {
        return false;
    };
    if root.name != segs[0] {
        return false;
    }
    let unit = indent_unit(root);
    let (found, mut changed) = apply_at(root, &segs[1..], &rep, &action);
    if !found
        && create
        && let Some(target) = ensure_path(root, &segs[1..], Some(""), &unit)
    {
        changed |= act(target, &rep, &action);
    }
    changed
}

/// Applies at every element matching `segs` below `element`: (any matched, any changed).
fn apply_at(
    element: &mut Element,
    segs: &[&str],
    rep: &ResolvedReplace,
    action: &Action,
) -> (bool, bool) {
    let Some((first, rest)) = segs.split_first() else {
        return (true, act(element, rep, action));
    };
    let mut found = false;
    let mut changed = false;
    for child in &mut element.children {
        if let Node::Element(c) = child
            && c.name == *first
        {
            let (f, ch) = apply_at(c, rest, rep, action);
            found |= f;
            changed |= ch;
        }
    }
    (found, changed)
}

fn act(element: &mut Element, rep: &ResolvedReplace, action: &Action) -> bool {
    match action {
        Action::Text => {
            let current = text_of(element);
            let Some(new) = rep.new_value(Some(&current)) else {
                return false;
            };
            if new == current {
                return false;
            }
            set_text(element, &new);
            true
        }
        Action::Attribute(name) => {
            let attrs = attributes(element);
            let current = attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| unescape(v));
            let Some(new) = rep.new_value(current.as_deref()) else {
                return false;
            };
            if current.as_deref() == Some(&*new) {
                return false;
            }
            set_attribute(element, attrs, name, &new);
            true
        }
    }
}

fn new_element(name: &str) -> Element {
    Element {
        name: name.to_owned(),
        start: format!("<{name}/>"),
        empty: true,
        children: Vec::new(),
        end: String::new(),
    }
}

/// Turns `<a x="1"/>` into `<a x="1">…</a>`.
fn open_up(element: &mut Element) {
    if element.empty {
        let inner = element
            .start
            .trim_end_matches('>')
            .trim_end_matches('/')
            .trim_end();
        element.start = format!("{inner}>");
        element.end = format!("</{}>", element.name);
        element.empty = false;
    }
}

fn text_of(element: &Element) -> String {
    let mut out = String::new();
    for child in &element.children {
        if let Node::Text(raw) = child {
            match raw
                .strip_prefix("<![CDATA[")
                .and_then(|r| r.strip_suffix("]]>"))
            {
                Some(cdata) => out.push_str(cdata),
                None => out.push_str(&unescape(raw)),
            }
        }
    }
    if element
        .children
        .iter()
        .any(|c| matches!(c, Node::Element(_)))
    {
        out.trim().to_owned()
    } else {
        out
    }
}

fn set_text(element: &mut Element, value: &str) {
    open_up(element);
    let escaped = escape(value, false);
    if element
        .children
        .iter()
        .any(|c| matches!(c, Node::Element(_)))
    {
        // Keep the indentation between child elements; replace only real text.
        element
            .children
            .retain(|c| !matches!(c, Node::Text(t) if !t.trim().is_empty()));
        element.children.insert(0, Node::Text(escaped));
    } else {
        element.children = vec![Node::Text(escaped)];
    }
}

/// The start tag's attributes as (name, raw value).
fn attributes(element: &Element) -> Vec<(String, String)> {
    let inner = element
        .start
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let start = BytesStart::from_content(inner, element.name.len());
    start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| {
            (
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                String::from_utf8_lossy(&a.value).into_owned(),
            )
        })
        .collect()
}

fn set_attribute(element: &mut Element, attrs: Vec<(String, String)>, name: &str, value: &str) {
    let mut tag = format!("<{}", element.name);
    let mut written = false;
    for (k, v) in attrs {
        if k == name {
            tag.push_str(&format!(" {k}=\"{}\"", escape(value, true)));
            written = true;
        } else if v.contains('"') {
            tag.push_str(&format!(" {k}='{v}'"));
        } else {
            tag.push_str(&format!(" {k}=\"{v}\""));
        }
    }
    if !written {
        tag.push_str(&format!(" {name}=\"{}\"", escape(value, true)));
    }
    tag.push_str(if element.empty { "/>" } else { ">" });
    element.start = tag;
}

/// The whitespace unit the document indents with: what precedes the root's first child element.
fn indent_unit(root: &Element) -> String {
    root.children
        .iter()
        .position(|c| matches!(c, Node::Element(_)))
        .and_then(|i| indent_before(&root.children, i))
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "  ".into())
}

/// The indentation (text after the last newline) of whitespace just before `children[i]`.
fn indent_before(children: &[Node], i: usize) -> Option<String> {
    let Node::Text(t) = children.get(i.checked_sub(1)?)? else {
        return None;
    };
    if !t.trim().is_empty() {
        return None;
    }
    t.rfind('\n').map(|nl| t[nl + 1..].to_owned())
}

/// Finds or creates the first element along `segs`; `indent` is `element`'s own indentation.
fn ensure_path<'a>(
    element: &'a mut Element,
    segs: &[&str],
    indent: Option<&str>,
    unit: &str,
) -> Option<&'a mut Element> {
    let Some((first, rest)) = segs.split_first() else {
        return Some(element);
    };
    let index = match element
        .children
        .iter()
        .position(|c| matches!(c, Node::Element(e) if e.name == *first))
    {
        Some(i) => i,
        None => add_child(element, first, indent, unit),
    };
    let child_indent = indent_before(&element.children, index);
    match element.children.get_mut(index) {
        Some(Node::Element(child)) => ensure_path(child, rest, child_indent.as_deref(), unit),
        _ => None,
    }
}

/// Appends a new empty child element, indented like its siblings; returns its index.
fn add_child(parent: &mut Element, name: &str, indent: Option<&str>, unit: &str) -> usize {
    open_up(parent);
    let sibling_ws = parent
        .children
        .iter()
        .position(|c| matches!(c, Node::Element(_)))
        .and_then(
            |i| match i.checked_sub(1).and_then(|p| parent.children.get(p)) {
                Some(Node::Text(t)) if t.trim().is_empty() && t.contains('\n') => Some(t.clone()),
                _ => None,
            },
        );
    let only_whitespace = parent
        .children
        .iter()
        .all(|c| matches!(c, Node::Text(t) if t.trim().is_empty()));
    let child = Node::Element(new_element(name));

    if let Some(ws) = sibling_ws {
        // Before the whitespace that indents the closing tag, if there is one.
        let at = match parent.children.last() {
            Some(Node::Text(t)) if t.trim().is_empty() => parent.children.len() - 1,
            _ => parent.children.len(),
        };
        parent.children.insert(at, Node::Text(ws));
        parent.children.insert(at + 1, child);
        return at + 1;
    }
    if only_whitespace && let Some(indent) = indent {
        parent.children = vec![
            Node::Text(format!("\n{indent}{unit}")),
            child,
            Node::Text(format!("\n{indent}")),
        ];
        return 1;
    }
    parent.children.push(child);
    parent.children.len() - 1
}

fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &after[..semi];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            }?;
            Some((c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, v: &str) -> ResolvedReplace {
        ResolvedReplace::new(m, None, v).expect("valid")
    }

    // The layout Space Engineers writes; the egg is parkervcp/eggs
    // game_eggs/steamcmd_servers/space_engineers/default (config/SpaceEngineers-Dedicated.cfg).
    const SE: &str = r#"<?xml version="1.0"?>
<MyConfigDedicated xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <SessionSettings>
    <GameMode>Creative</GameMode>
    <MaxPlayers>4</MaxPlayers>
    <EnableSaving>true</EnableSaving>
  </SessionSettings>
  <!-- where the world lives -->
  <LoadWorld />
  <ServerPort>27016</ServerPort>
  <ServerName>SE &amp; friends</ServerName>
</MyConfigDedicated>
"#;

    #[test]
    fn space_engineers_config() {
        let out = apply(
            SE,
            &[
                r("MyConfigDedicated.SessionSettings.GameMode", "Survival"),
                r("MyConfigDedicated.SessionSettings.MaxPlayers", "16"),
                r(
                    "MyConfigDedicated.SessionSettings.ExperimentalMode",
                    "false",
                ),
                r(
                    "MyConfigDedicated.LoadWorld",
                    r"Z:\home\container\config\Saves\World\Sandbox.sbc",
                ),
                r("MyConfigDedicated.ServerPort", "27020"),
                r("MyConfigDedicated.RemoteApiPort", "8080"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            r#"<?xml version="1.0"?>
<MyConfigDedicated xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <SessionSettings>
    <GameMode>Survival</GameMode>
    <MaxPlayers>16</MaxPlayers>
    <EnableSaving>true</EnableSaving>
    <ExperimentalMode>false</ExperimentalMode>
  </SessionSettings>
  <!-- where the world lives -->
  <LoadWorld>Z:\home\container\config\Saves\World\Sandbox.sbc</LoadWorld>
  <ServerPort>27020</ServerPort>
  <ServerName>SE &amp; friends</ServerName>
  <RemoteApiPort>8080</RemoteApiPort>
</MyConfigDedicated>
"#
        );
    }

    #[test]
    fn wrong_root_changes_nothing() {
        // The torch egg points MyConfigDedicated.* at Sandbox.sbc, whose root is different.
        let sandbox = "<MyObjectBuilder_Checkpoint>\n  <Settings>\n    <GameMode>Creative</GameMode>\n  </Settings>\n</MyObjectBuilder_Checkpoint>\n";
        assert_eq!(
            apply(
                sandbox,
                &[r("MyConfigDedicated.SessionSettings.GameMode", "Survival")]
            )
            .expect("applies"),
            sandbox
        );
        let out = apply(
            sandbox,
            &[r(
                "MyObjectBuilder_Checkpoint.Settings.GameMode",
                "Survival",
            )],
        )
        .expect("applies");
        assert_eq!(out, sandbox.replace("Creative", "Survival"));
    }

    #[test]
    fn attributes_and_escaping() {
        // Egg shape: parkervcp/eggs game_eggs/gta/gtac (server.xml, root `server`).
        let original = "<server>\n\t<servername>old</servername>\n\t<port value=\"1\" other='a\"b'/>\n</server>";
        let out = apply(
            original,
            &[
                r("server.servername", "Fish & <Chips>"),
                r("server.port", "[value='22000']"),
                r("server.http", "[enabled=\"true\"]"),
            ],
        )
        .expect("applies");
        assert_eq!(
            out,
            "<server>\n\t<servername>Fish &amp; &lt;Chips&gt;</servername>\n\t<port value=\"22000\" other='a\"b'/>\n\t<http enabled=\"true\"/>\n</server>"
        );
        // Reading back: text compares unescaped.
        let rep =
            ResolvedReplace::new("server.servername", Some("Fish & <Chips>"), "x").expect("valid");
        assert!(
            apply(&out, &[rep])
                .expect("applies")
                .contains("<servername>x</servername>")
        );
    }

    #[test]
    fn if_value_and_every_match() {
        let original = "<Settings>\n  <Port>1</Port>\n  <Port>2</Port>\n</Settings>\n";
        let rep = ResolvedReplace::new("Settings.Port", Some("2"), "3").expect("valid");
        assert_eq!(
            apply(original, &[rep]).expect("applies"),
            "<Settings>\n  <Port>1</Port>\n  <Port>3</Port>\n</Settings>\n"
        );
        assert_eq!(
            apply(original, &[r("Settings.Port", "9")]).expect("applies"),
            "<Settings>\n  <Port>9</Port>\n  <Port>9</Port>\n</Settings>\n"
        );
        let miss = ResolvedReplace::new("Settings.Missing", Some("2"), "3").expect("valid");
        assert_eq!(apply(original, &[miss]).expect("applies"), original);
        let re =
            ResolvedReplace::new("Settings.Port", Some(r"regex:^(\d)$"), "1$1").expect("valid");
        assert_eq!(
            apply(original, &[re]).expect("applies"),
            "<Settings>\n  <Port>11</Port>\n  <Port>12</Port>\n</Settings>\n"
        );
    }

    #[test]
    fn empty_file_is_created() {
        // Egg: parkervcp/eggs game_eggs/gta/ragecoop (`Settings.Port`).
        let out = apply(
            "",
            &[r("Settings.Port", "4499"), r("Settings.Name.Short", "x")],
        )
        .expect("applies");
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Settings>\n  <Port>4499</Port>\n  <Name>\n    <Short>x</Short>\n  </Name>\n</Settings>\n"
        );
    }

    #[test]
    fn round_trip_is_byte_exact() {
        let doc = "<?xml version='1.0'?>\n<!DOCTYPE a>\n<a  x = \"1\" ><?pi x?><b><![CDATA[<raw>]]></b>&#65;&lt;<c/></a >\n<!-- tail -->";
        assert_eq!(apply(doc, &[r("a.b", "<raw>")]).expect("applies"), doc);
        let out = apply(doc, &[r("a.c", "v")]).expect("applies");
        assert_eq!(out, doc.replace("<c/>", "<c>v</c>"));
    }

    #[test]
    fn malformed_is_an_error() {
        for bad in ["<a><b></a>", "<a>", "<a></b>"] {
            let err = apply(bad, &[r("a.b", "1")]).expect_err(bad);
            assert!(
                matches!(err, EggError::MalformedFile { parser: "xml", .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let err = apply(&deep, &[r("a.a", "1")]).expect_err("too deep");
        assert!(err.to_string().contains("nested"), "{err}");
        let ok = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        assert!(apply(&ok, &[r("a.a", "1")]).is_ok());
    }

    #[test]
    fn unescape_entities() {
        assert_eq!(unescape("a&amp;b&#65;&#x42;&unknown;&"), "a&bAB&unknown;&");
    }
}
