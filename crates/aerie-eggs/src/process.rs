//! Turning an egg's `config` block into the `process_configuration` the panel sends to wings
//! (`GET /api/remote/servers/{uuid}`), as Pterodactyl's `EggConfigurationService` does.
//!
//! - `startup.done` becomes a list; `strip_ansi` and `user_interaction` are copied.
//! - `stop`: `^X` becomes `{type: signal, value: upper(X)}` (so `^C` → `C`, `^^C` → `^C`); anything
//!   else is `{type: command, value}`; an empty stop falls back to wings' default, SIGTERM.
//! - `files` keep document order; each `find` entry becomes one [`ConfigReplace`], and a nested
//!   `{if_value: replace_with}` map one per pair. Parser names are passed through as written
//!   (an unknown one, such as Pelican's `toml`, fails only when that file is edited, with
//!   [`EggError::UnknownParser`]).

use aerie_proto::wings::{
    ConfigFile, ConfigReplace, ProcessConfiguration, StartupConfig, StopConfig,
};
use serde_json::Value as Json;

use crate::egg::{ConfigFileSpec, EggConfig, FindValue};
use crate::error::EggError;
use crate::placeholders::{PlaceholderContext, resolve_panel_side};

/// The wings process configuration for an egg's `config`, with placeholders left in place
/// (wings resolves them when it edits the files; see [`crate::apply_config_file`]).
pub fn process_configuration(config: &EggConfig) -> Result<ProcessConfiguration, EggError> {
    Ok(ProcessConfiguration {
        startup: StartupConfig {
            done: config.startup.done.clone(),
            user_interaction: config.startup.user_interaction.clone(),
            strip_ansi: config.startup.strip_ansi,
        },
        stop: stop_config(&config.stop),
        configs: config
            .files
            .iter()
            .map(|(path, spec)| config_file(path, spec))
            .collect::<Result<_, _>>()?,
    })
}

/// Like [`process_configuration`], with the panel-side placeholders (`{{server.*}}`, `{{env.*}}`
/// and the legacy aliases) resolved for one server, as the Pterodactyl panel sends them to a
/// stock Pterodactyl Wings. `{{config.*}}` is left for wings.
pub fn process_configuration_for_server(
    config: &EggConfig,
    ctx: &PlaceholderContext,
) -> Result<ProcessConfiguration, EggError> {
    let mut pc = process_configuration(config)?;
    for file in &mut pc.configs {
        for replace in &mut file.replace {
            if let Json::String(s) = &replace.replace_with {
                replace.replace_with = Json::String(resolve_panel_side(s, ctx));
            }
        }
    }
    Ok(pc)
}

/// The stop block for an egg's `config.stop`.
pub fn stop_config(stop: &str) -> StopConfig {
    if stop.is_empty() {
        return StopConfig::default();
    }
    match stop.strip_prefix('^') {
        Some(signal) => StopConfig {
            kind: "signal".into(),
            value: signal.to_uppercase(),
        },
        None => StopConfig {
            kind: "command".into(),
            value: stop.to_owned(),
        },
    }
}

fn config_file(path: &str, spec: &ConfigFileSpec) -> Result<ConfigFile, EggError> {
    let mut replace = Vec::with_capacity(spec.find.len());
    for (matcher, value) in &spec.find {
        let at = || format!("config.files.\"{path}\".find.\"{matcher}\"");
        match value {
            FindValue::Value(v) => replace.push(ConfigReplace {
                matcher: matcher.clone(),
                if_value: None,
                replace_with: scalar(v)
                    .ok_or_else(|| EggError::field(at(), "must be a string, number or boolean"))?,
            }),
            FindValue::Conditional(pairs) => {
                for (if_value, replace_with) in pairs {
                    replace.push(ConfigReplace {
                        matcher: matcher.clone(),
                        if_value: Some(if_value.clone()),
                        replace_with: scalar(replace_with).ok_or_else(|| {
                            EggError::field(
                                at(),
                                "replace_with must be a string, number or boolean",
                            )
                        })?,
                    });
                }
            }
        }
    }
    Ok(ConfigFile {
        file: path.to_owned(),
        parser: spec.parser.clone(),
        replace,
    })
}

/// Scalars pass through; null becomes the empty string; lists and maps are refused.
fn scalar(value: &Json) -> Option<Json> {
    match value {
        Json::Null => Some(Json::String(String::new())),
        Json::Bool(_) | Json::Number(_) | Json::String(_) => Some(value.clone()),
        Json::Array(_) | Json::Object(_) => None,
    }
}
