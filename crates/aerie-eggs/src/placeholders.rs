//! Placeholders in config-file replacement values.
//!
//! Two families exist, resolved on different sides in Pterodactyl:
//! - **Panel side**: `{{server.build.default.ip}}`, `{{server.build.default.port}}`,
//!   `{{server.build.memory}}`, `{{server.build.env.X}}`, `{{env.X}}`, any other `{{server.<path>}}`
//!   the context carries, and Pelican's spellings (`server.allocations.default.ip|port`,
//!   `server.build.memory_limit`, `server.environment.X`). Legacy aliases are applied first:
//!   `env.SERVER_MEMORY` / `server.build.env.SERVER_MEMORY` → memory, `…SERVER_IP` → default IP,
//!   `…SERVER_PORT` → default port.
//! - **Wings side**: `{{config.a.b}}`, looked up in the wings configuration as JSON (snake_case
//!   keys, dotted path); `{{config.docker.interface}}` is an alias of
//!   `{{config.docker.network.interface}}`.
//!
//! Whitespace inside the braces is allowed (`{{ env.X }}`). A placeholder with no value in the
//! context is left exactly as written.

use std::collections::BTreeMap;

use aerie_proto::wings::ServerSettings;
use serde_json::Value as Json;

/// Everything placeholders can refer to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlaceholderContext {
    /// The primary allocation's IP (`{{server.build.default.ip}}`).
    pub default_ip: String,
    /// The primary allocation's port (`{{server.build.default.port}}`).
    pub default_port: u16,
    /// Memory limit in MB (`{{server.build.memory}}`).
    pub memory: i64,
    /// The server's environment variables (`{{env.X}}`, `{{server.build.env.X}}`).
    pub env: BTreeMap<String, String>,
    /// Other `{{server.<path>}}` values, keyed by the path after `server.`
    /// (e.g. `build.swap`, `uuid`).
    pub server: BTreeMap<String, String>,
    /// The wings configuration serialized to JSON (`{{config.<path>}}`).
    pub wings_config: Json,
}

impl PlaceholderContext {
    /// The context for one server on a node: allocations, limits and environment from the
    /// server's settings document, `{{config.*}}` from the node's configuration as JSON.
    pub fn from_server_settings(settings: &ServerSettings, wings_config: Json) -> Self {
        let env = settings
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), json_text(v).unwrap_or_default()))
            .collect();
        let b = &settings.build;
        let server = [
            ("uuid", settings.uuid.clone()),
            ("suspended", settings.suspended.to_string()),
            ("build.swap", b.swap.to_string()),
            ("build.io", b.io_weight.to_string()),
            ("build.cpu", b.cpu_limit.to_string()),
            ("build.threads", b.threads.clone().unwrap_or_default()),
            ("build.disk", b.disk_space.to_string()),
            ("build.image", settings.container.image.clone()),
            ("build.oom_disabled", b.oom_disabled.to_string()),
            (
                "service.skip_scripts",
                settings.skip_egg_scripts.to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            default_ip: settings.allocations.default.ip.clone(),
            default_port: settings.allocations.default.port,
            memory: b.memory_limit,
            env,
            server,
            wings_config,
        }
    }
}

/// Resolves every placeholder the context can answer, panel and wings side.
pub fn resolve(template: &str, ctx: &PlaceholderContext) -> String {
    substitute(template, ctx, Side::Both, false)
}

/// Resolves the panel-side placeholders only; `{{config.*}}` is left for wings (with the
/// `config.docker.interface` alias rewritten, as the Pterodactyl panel does).
pub fn resolve_panel_side(template: &str, ctx: &PlaceholderContext) -> String {
    substitute(template, ctx, Side::Panel, false)
}

/// Resolves into a regex replacement template: substituted values have `$` doubled so that
/// only the template's own `$1`-style references expand.
pub(crate) fn resolve_for_regex(template: &str, ctx: &PlaceholderContext) -> String {
    substitute(template, ctx, Side::Both, true)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Panel,
    Both,
}

fn substitute(template: &str, ctx: &PlaceholderContext, side: Side, escape_dollar: bool) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = after[..close].trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            // Not a placeholder (e.g. `{{{x}}}`): keep one brace and look again from the next.
            out.push('{');
            rest = &rest[open + 1..];
            continue;
        }
        let written = &rest[open..open + 2 + close + 2];
        match lookup(key, ctx, side) {
            Some(Found::Value(v)) if escape_dollar => out.push_str(&v.replace('$', "$$")),
            Some(Found::Value(v)) => out.push_str(&v),
            Some(Found::Rewritten(k)) => {
                out.push_str("{{");
                out.push_str(&k);
                out.push_str("}}");
            }
            None => out.push_str(written),
        }
        rest = &rest[open + 2 + close + 2..];
    }
    out.push_str(rest);
    out
}

enum Found {
    Value(String),
    /// Panel side: a `config.*` key rewritten for wings.
    Rewritten(String),
}

fn lookup(key: &str, ctx: &PlaceholderContext, side: Side) -> Option<Found> {
    let key = legacy_alias(key);
    if let Some(path) = key.strip_prefix("config.") {
        return match side {
            Side::Panel => Some(Found::Rewritten(key.to_owned())),
            Side::Both => config_value(&ctx.wings_config, path).map(Found::Value),
        };
    }
    let value = match key {
        "server.build.default.ip" | "server.allocations.default.ip" => Some(ctx.default_ip.clone()),
        "server.build.default.port" | "server.allocations.default.port" => {
            Some(ctx.default_port.to_string())
        }
        "server.build.memory" | "server.build.memory_limit" => Some(ctx.memory.to_string()),
        _ => {
            if let Some(var) = key
                .strip_prefix("env.")
                .or_else(|| key.strip_prefix("server.build.env."))
                .or_else(|| key.strip_prefix("server.environment."))
            {
                env_value(&ctx.env, var)
            } else if let Some(path) = key.strip_prefix("server.") {
                ctx.server.get(path).cloned()
            } else {
                None
            }
        }
    };
    value.map(Found::Value)
}

fn legacy_alias(key: &str) -> &str {
    match key {
        "config.docker.interface" => "config.docker.network.interface",
        "env.SERVER_MEMORY" | "server.build.env.SERVER_MEMORY" => "server.build.memory",
        "env.SERVER_IP" | "server.build.env.SERVER_IP" => "server.build.default.ip",
        "env.SERVER_PORT" | "server.build.env.SERVER_PORT" => "server.build.default.port",
        other => other,
    }
}

/// Exact name first; eggs sometimes differ from the variable only in case.
fn env_value(env: &BTreeMap<String, String>, name: &str) -> Option<String> {
    env.get(name)
        .or_else(|| {
            env.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .cloned()
}

/// Looks a dotted path up in the wings configuration; each segment is tried as written, then
/// snake_cased. Only scalars are substituted.
fn config_value(config: &Json, path: &str) -> Option<String> {
    let mut node = config;
    for segment in path.split('.') {
        node = match node {
            Json::Object(map) => map.get(segment).or_else(|| map.get(&snake_case(segment)))?,
            Json::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    json_text(node)
}

fn json_text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Null => Some(String::new()),
        Json::Array(_) | Json::Object(_) => None,
    }
}

fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(if c == '-' { '_' } else { c });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PlaceholderContext {
        PlaceholderContext {
            default_ip: "10.0.0.5".into(),
            default_port: 25565,
            memory: 2048,
            env: [
                ("SERVER_JARFILE".to_owned(), "server.jar".to_owned()),
                ("srv_name".to_owned(), "My $erver".to_owned()),
            ]
            .into_iter()
            .collect(),
            server: [("build.swap".to_owned(), "0".to_owned())]
                .into_iter()
                .collect(),
            wings_config: serde_json::json!({
                "docker": {"network": {"interface": "172.18.0.1", "dns": ["1.1.1.1"]}},
                "api": {"port": 8080, "ssl": {"enabled": false}},
                "system": {"sftp": {"bind_port": 2022}}
            }),
        }
    }

    #[test]
    fn panel_side_keys() {
        let c = ctx();
        assert_eq!(resolve("{{server.build.default.port}}", &c), "25565");
        assert_eq!(
            resolve("0.0.0.0:{{server.build.default.port}}", &c),
            "0.0.0.0:25565"
        );
        assert_eq!(resolve("{{server.build.default.ip}}", &c), "10.0.0.5");
        assert_eq!(resolve("{{server.build.memory}}", &c), "2048");
        assert_eq!(
            resolve("{{server.build.env.SERVER_JARFILE}}", &c),
            "server.jar"
        );
        assert_eq!(resolve("{{env.SERVER_JARFILE}}", &c), "server.jar");
        assert_eq!(resolve("{{server.build.swap}}", &c), "0");
        assert_eq!(resolve("{{server.allocations.default.port}}", &c), "25565");
        assert_eq!(resolve("{{server.environment.srv_name}}", &c), "My $erver");
    }

    #[test]
    fn legacy_aliases() {
        let c = ctx();
        assert_eq!(resolve("{{env.SERVER_MEMORY}}", &c), "2048");
        assert_eq!(resolve("{{server.build.env.SERVER_MEMORY}}", &c), "2048");
        assert_eq!(
            resolve("{{env.SERVER_IP}}:{{env.SERVER_PORT}}", &c),
            "10.0.0.5:25565"
        );
        assert_eq!(resolve("{{server.build.env.SERVER_PORT}}", &c), "25565");
        assert_eq!(resolve("{{config.docker.interface}}", &c), "172.18.0.1");
    }

    #[test]
    fn wings_side_config() {
        let c = ctx();
        assert_eq!(
            resolve("{{config.docker.network.interface}}", &c),
            "172.18.0.1"
        );
        assert_eq!(resolve("{{config.api.port}}", &c), "8080");
        assert_eq!(resolve("{{config.api.ssl.enabled}}", &c), "false");
        assert_eq!(resolve("{{config.system.sftp.bindPort}}", &c), "2022");
        assert_eq!(resolve("{{config.docker.network.dns.0}}", &c), "1.1.1.1");
        // Not a scalar: left alone.
        assert_eq!(
            resolve("{{config.docker.network}}", &c),
            "{{config.docker.network}}"
        );
    }

    #[test]
    fn whitespace_and_unknown() {
        let c = ctx();
        assert_eq!(resolve("{{ env.SERVER_JARFILE }}", &c), "server.jar");
        assert_eq!(resolve("{{  server.build.default.port}}", &c), "25565");
        assert_eq!(
            resolve(
                "{{env.NOPE}} {{server.nope}} {{config.nope.x}} {{other}}",
                &c
            ),
            "{{env.NOPE}} {{server.nope}} {{config.nope.x}} {{other}}"
        );
        assert_eq!(resolve("{{SERVER_JARFILE}}", &c), "{{SERVER_JARFILE}}");
        assert_eq!(resolve("{{{env.SERVER_JARFILE}}}", &c), "{server.jar}");
        assert_eq!(resolve("open {{ never closed", &c), "open {{ never closed");
        assert_eq!(resolve("a {{bad key}} b", &c), "a {{bad key}} b");
        assert_eq!(resolve("", &c), "");
    }

    #[test]
    fn env_case_fallback() {
        assert_eq!(
            resolve("{{server.build.env.SRV_NAME}}", &ctx()),
            "My $erver"
        );
    }

    #[test]
    fn panel_side_leaves_config_for_wings() {
        let c = ctx();
        assert_eq!(
            resolve_panel_side("{{config.docker.interface}}$2", &c),
            "{{config.docker.network.interface}}$2"
        );
        assert_eq!(
            resolve_panel_side("{{ config.api.port }}", &c),
            "{{config.api.port}}"
        );
        assert_eq!(
            resolve_panel_side("{{server.build.default.port}}", &c),
            "25565"
        );
    }

    #[test]
    fn regex_templates_escape_dollars_in_values() {
        assert_eq!(
            resolve_for_regex("{{env.srv_name}}$1", &ctx()),
            "My $$erver$1"
        );
    }

    #[test]
    fn from_settings() {
        let settings: ServerSettings = serde_json::from_value(serde_json::json!({
            "uuid": "u-1",
            "environment": {"A": "x", "N": 5, "B": true, "Z": null},
            "build": {"memory_limit": 1024, "swap": -1},
            "allocations": {"default": {"ip": "1.2.3.4", "port": 27015}}
        }))
        .expect("valid settings");
        let c = PlaceholderContext::from_server_settings(&settings, Json::Null);
        assert_eq!(
            resolve(
                "{{server.build.default.ip}}:{{server.build.default.port}} {{server.build.memory}}",
                &c
            ),
            "1.2.3.4:27015 1024"
        );
        assert_eq!(
            resolve(
                "{{env.A}}{{env.N}}{{env.B}}[{{env.Z}}] {{server.uuid}} {{server.build.swap}}",
                &c
            ),
            "x5true[] u-1 -1"
        );
    }
}
