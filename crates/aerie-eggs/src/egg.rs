//! Reading egg documents: Pterodactyl `PTDL_v1`/`PTDL_v2` and Pelican `PLCN_v1`/`v2`/`v3`, in
//! JSON or YAML, into one normalized [`Egg`].
//!
//! Real eggs are irregular (see `clients.md` §3), so reading is tolerant where the meaning is
//! clear and strict where guessing could break a server:
//! - `config.files`, `config.startup` and `config.logs` may be JSON-encoded strings or nested maps;
//!   a malformed JSON string in `config.files` or `config.startup` is an error, one in
//!   `config.logs` (which nothing uses) is kept as the raw string.
//! - `startup.done` may be a string or a list; `userInteraction` is read as `user_interaction`.
//! - variable `rules` may be a pipe string, a list or a map; `default_value` may be a number or a
//!   boolean (PLCN_v3 YAML); `user_viewable`/`user_editable` may be `0`/`1`.
//! - images come from `docker_images` (a map, or a list in one egg), else the legacy `images`
//!   list or `image` string (`{img: img}`); a `PTDL_v1` egg with none gets `{"nil": "nil"}`, as
//!   the Pterodactyl importer does.
//! - empty lists exported by PHP as `{ }` read as empty lists.
//!
//! Map order is kept everywhere it is visible (images, startup commands, config files and their
//! keys), because the first image is the default and wings edits files in document order.

use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;
use serde_yaml::{Mapping, Value as Yaml};

use crate::error::EggError;

/// The `meta.version` of an egg document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EggFormat {
    /// Old Pterodactyl export: `images`/`image`, no `field_type`.
    #[serde(rename = "PTDL_v1")]
    PtdlV1,
    /// Current Pterodactyl export.
    #[serde(rename = "PTDL_v2")]
    PtdlV2,
    /// Pelican, 2024-10: PTDL_v2 plus `uuid`.
    #[serde(rename = "PLCN_v1")]
    PlcnV1,
    /// Pelican, 2025-08: YAML allowed, `tags`, config blocks may be maps.
    #[serde(rename = "PLCN_v2")]
    PlcnV2,
    /// Pelican, 2025-10: `startup_commands`, rules as lists, `sort`.
    #[serde(rename = "PLCN_v3")]
    PlcnV3,
}

impl EggFormat {
    /// The `meta.version` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PtdlV1 => "PTDL_v1",
            Self::PtdlV2 => "PTDL_v2",
            Self::PlcnV1 => "PLCN_v1",
            Self::PlcnV2 => "PLCN_v2",
            Self::PlcnV3 => "PLCN_v3",
        }
    }

    /// Reads a `meta.version` string; `None` for anything else.
    pub fn from_version(version: &str) -> Option<Self> {
        match version.trim() {
            "PTDL_v1" => Some(Self::PtdlV1),
            "PTDL_v2" => Some(Self::PtdlV2),
            "PLCN_v1" => Some(Self::PlcnV1),
            "PLCN_v2" => Some(Self::PlcnV2),
            "PLCN_v3" => Some(Self::PlcnV3),
            _ => None,
        }
    }
}

impl fmt::Display for EggFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An egg, normalized from any supported format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Egg {
    /// The format the document was written in.
    pub format: EggFormat,
    /// The egg's UUID, when the document carries one (PLCN, and some PTDL_v2 in the wild).
    pub uuid: Option<String>,
    /// Display name.
    pub name: String,
    /// Author, usually an e-mail address; empty when missing.
    pub author: String,
    /// Description; empty when missing or null.
    pub description: String,
    /// `meta.update_url`, when set.
    pub update_url: Option<String>,
    /// Pelican tags.
    pub tags: Vec<String>,
    /// Feature flags (`eula`, `java_version`, `pid_limit`, `steam_disk_space`, `gsl_token`, …).
    pub features: Vec<String>,
    /// Display label → image reference, in document order (the first is the default).
    pub docker_images: IndexMap<String, String>,
    /// Paths users may not touch.
    pub file_denylist: Vec<String>,
    /// The startup command (`startup`, or the first of PLCN_v3 `startup_commands`).
    pub startup: String,
    /// Every named startup command; `{"Default": startup}` for formats before PLCN_v3.
    pub startup_commands: IndexMap<String, String>,
    /// Process configuration: config files, startup detection, logs and stop.
    pub config: EggConfig,
    /// The install script.
    pub install: InstallScript,
    /// The variables, in document order.
    pub variables: Vec<EggVariable>,
    /// `config.files`, `config.startup` and `config.logs` in the form the panel stores them.
    pub stored_config: StoredConfig,
}

/// The three JSON blocks of an egg's `config` as the panel database keeps them (Pterodactyl's
/// `config_files`, `config_startup` and `config_logs` columns): a JSON-encoded string from the
/// document is kept byte for byte, a nested map (PLCN YAML) is encoded as JSON with its keys in
/// document order, and a missing or blank block is `{}`. Exporting these strings unchanged
/// is what makes export → import → export stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredConfig {
    /// `config.files`.
    pub files: String,
    /// `config.startup`.
    pub startup: String,
    /// `config.logs`.
    pub logs: String,
}

impl Default for StoredConfig {
    fn default() -> Self {
        Self {
            files: "{}".into(),
            startup: "{}".into(),
            logs: "{}".into(),
        }
    }
}

/// The `config` block of an egg, decoded from JSON strings or nested maps.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EggConfig {
    /// Path → file edit, in document order.
    pub files: IndexMap<String, ConfigFileSpec>,
    /// How wings knows the server has started.
    pub startup: StartupSpec,
    /// The `logs` block; unused by wings, kept for export.
    pub logs: Json,
    /// The stop command, or `^C`-style signal.
    pub stop: String,
}

/// One entry of `config.files`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigFileSpec {
    /// The parser name as written (`properties`, `yml`, …); matched case-insensitively later.
    pub parser: String,
    /// Key or path → what to write, in document order.
    pub find: IndexMap<String, FindValue>,
}

/// What one `find` entry writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FindValue {
    /// Always write this value (a string, number, boolean or null).
    Value(Json),
    /// `if_value → replace_with` pairs, in document order: write only over a matching value.
    Conditional(IndexMap<String, Json>),
}

/// The decoded `config.startup` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StartupSpec {
    /// Console substrings (or `regex:` patterns) meaning "started".
    pub done: Vec<String>,
    /// Legacy `userInteraction`; unused by wings.
    pub user_interaction: Vec<String>,
    /// Strip ANSI escapes before matching.
    pub strip_ansi: bool,
}

/// The install script (`scripts.installation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallScript {
    /// The script, as written (wings turns CRLF into LF when it writes it out).
    pub script: String,
    /// The image it runs in; `alpine:3.4` when missing, the Pterodactyl default.
    pub container: String,
    /// The program that runs it; `ash` when missing, the Pterodactyl default.
    pub entrypoint: String,
}

impl Default for InstallScript {
    fn default() -> Self {
        Self {
            script: String::new(),
            container: DEFAULT_INSTALL_CONTAINER.into(),
            entrypoint: DEFAULT_INSTALL_ENTRYPOINT.into(),
        }
    }
}

const DEFAULT_INSTALL_CONTAINER: &str = "alpine:3.4";
const DEFAULT_INSTALL_ENTRYPOINT: &str = "ash";

/// One egg variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EggVariable {
    /// Display name.
    pub name: String,
    /// Help text.
    pub description: String,
    /// The environment variable it sets.
    pub env_variable: String,
    /// Default value; numbers and booleans are written as strings (`25565`, `true`).
    pub default_value: String,
    /// Users can see it.
    pub user_viewable: bool,
    /// Users can change it.
    pub user_editable: bool,
    /// Laravel validation rules as one pipe string, trailing empty rules dropped.
    pub rules: String,
    /// Form field type; `text` when missing.
    pub field_type: String,
    /// Display order (Pelican), when given.
    pub sort: Option<i64>,
}

impl Egg {
    /// Parses an egg document, JSON or YAML (a leading `{` means JSON).
    pub fn parse(text: &str) -> Result<Self, EggError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc: Yaml = if text.trim_start().starts_with('{') {
            json_document(text).map_err(|e| EggError::Json(e.to_string()))?
        } else {
            let mut doc: Yaml =
                serde_yaml::from_str(text).map_err(|e| EggError::Yaml(e.to_string()))?;
            doc.apply_merge()
                .map_err(|e| EggError::Yaml(e.to_string()))?;
            doc
        };
        let Yaml::Mapping(root) = doc else {
            return Err(EggError::NotAnObject);
        };
        Self::from_mapping(&root)
    }

    /// The wings `process_configuration` for this egg (see [`crate::process_configuration`]).
    pub fn process_configuration(
        &self,
    ) -> Result<aerie_proto::wings::ProcessConfiguration, EggError> {
        crate::process::process_configuration(&self.config)
    }

    fn from_mapping(root: &Mapping) -> Result<Self, EggError> {
        let version = get(root, "meta")
            .and_then(|m| m.as_mapping())
            .and_then(|m| get(m, "version"))
            .and_then(scalar_string)
            .ok_or(EggError::MissingVersion)?;
        let format =
            EggFormat::from_version(&version).ok_or(EggError::UnsupportedVersion(version))?;
        let update_url = match get(root, "meta").and_then(|m| m.as_mapping()) {
            Some(meta) => {
                opt_string(get(meta, "update_url"), "meta.update_url")?.filter(|u| !u.is_empty())
            }
            None => None,
        };

        let name = opt_string(get(root, "name"), "name")?
            .ok_or_else(|| EggError::field("name", "is required"))?;
        let startup_commands_field = get(root, "startup_commands");
        let mut startup_commands = match startup_commands_field {
            Some(v) => string_map(v, "startup_commands")?,
            None => IndexMap::new(),
        };
        let startup = match opt_string(get(root, "startup"), "startup")? {
            Some(s) => s,
            None => startup_commands
                .values()
                .next()
                .cloned()
                .unwrap_or_default(),
        };
        if startup_commands.is_empty() && !startup.is_empty() {
            startup_commands.insert("Default".into(), startup.clone());
        }

        Ok(Self {
            format,
            uuid: opt_string(get(root, "uuid"), "uuid")?.filter(|u| !u.is_empty()),
            name,
            author: opt_string(get(root, "author"), "author")?.unwrap_or_default(),
            description: opt_string(get(root, "description"), "description")?.unwrap_or_default(),
            update_url,
            tags: string_list(get(root, "tags"), "tags")?,
            features: string_list(get(root, "features"), "features")?,
            docker_images: docker_images(root, format)?,
            file_denylist: string_list(get(root, "file_denylist"), "file_denylist")?,
            startup,
            startup_commands,
            config: match get(root, "config") {
                Some(Yaml::Mapping(config)) => EggConfig::from_mapping(config)?,
                Some(_) => return Err(EggError::field("config", "must be a map")),
                None => EggConfig::default(),
            },
            install: install_script(root)?,
            variables: variables(get(root, "variables"))?,
            stored_config: match get(root, "config") {
                Some(Yaml::Mapping(config)) => StoredConfig {
                    files: stored_block(get(config, "files"), "config.files")?,
                    startup: stored_block(get(config, "startup"), "config.startup")?,
                    logs: stored_block(get(config, "logs"), "config.logs")?,
                },
                _ => StoredConfig::default(),
            },
        })
    }
}

impl EggConfig {
    /// Builds the config from the four stored strings, the form the panel database keeps
    /// (`config_files`, `config_startup`, `config_logs`, `config_stop`).
    pub fn from_json_strings(
        files: Option<&str>,
        startup: Option<&str>,
        logs: Option<&str>,
        stop: Option<&str>,
    ) -> Result<Self, EggError> {
        let s = |v: Option<&str>| v.map(|s| Yaml::String(s.to_owned()));
        Ok(Self {
            files: config_files(s(files).as_ref())?,
            startup: startup_spec(s(startup).as_ref())?,
            logs: logs_value(s(logs).as_ref()),
            stop: stop.unwrap_or_default().to_owned(),
        })
    }

    fn from_mapping(config: &Mapping) -> Result<Self, EggError> {
        Ok(Self {
            files: config_files(get(config, "files"))?,
            startup: startup_spec(get(config, "startup"))?,
            logs: logs_value(get(config, "logs")),
            stop: opt_string(get(config, "stop"), "config.stop")?.unwrap_or_default(),
        })
    }
}

fn docker_images(root: &Mapping, format: EggFormat) -> Result<IndexMap<String, String>, EggError> {
    let mut images = IndexMap::new();
    match get(root, "docker_images") {
        Some(Yaml::Mapping(map)) => {
            for (label, image) in map {
                let label = scalar_string(label)
                    .ok_or_else(|| EggError::field("docker_images", "labels must be strings"))?;
                let image = scalar_string(image).ok_or_else(|| {
                    EggError::field(
                        format!("docker_images.{label}"),
                        "must be an image reference",
                    )
                })?;
                images.insert(label, image);
            }
        }
        Some(list @ Yaml::Sequence(_)) => {
            for image in string_list(Some(list), "docker_images")? {
                images.insert(image.clone(), image);
            }
        }
        Some(_) => {
            return Err(EggError::field(
                "docker_images",
                "must be a map of label to image",
            ));
        }
        None => {}
    }
    if images.is_empty() {
        for image in string_list(get(root, "images"), "images")? {
            images.insert(image.clone(), image);
        }
    }
    if images.is_empty() {
        // PLCN_v3 uses `image` for the egg's icon (a data: URI), never a docker image.
        if let Some(image) = opt_string(get(root, "image"), "image")?
            .filter(|i| !i.is_empty() && !i.starts_with("data:"))
        {
            images.insert(image.clone(), image);
        }
    }
    if images.is_empty() && format == EggFormat::PtdlV1 {
        images.insert("nil".into(), "nil".into());
    }
    Ok(images)
}

fn install_script(root: &Mapping) -> Result<InstallScript, EggError> {
    let Some(scripts) = get(root, "scripts") else {
        return Ok(InstallScript::default());
    };
    let Some(install) = scripts.as_mapping().and_then(|s| get(s, "installation")) else {
        return Ok(InstallScript::default());
    };
    let Some(install) = install.as_mapping() else {
        return Err(EggError::field("scripts.installation", "must be a map"));
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    Ok(InstallScript {
        script: opt_string(get(install, "script"), "scripts.installation.script")?
            .unwrap_or_default(),
        container: non_empty(opt_string(
            get(install, "container"),
            "scripts.installation.container",
        )?)
        .unwrap_or_else(|| DEFAULT_INSTALL_CONTAINER.into()),
        entrypoint: non_empty(opt_string(
            get(install, "entrypoint"),
            "scripts.installation.entrypoint",
        )?)
        .unwrap_or_else(|| DEFAULT_INSTALL_ENTRYPOINT.into()),
    })
}

fn variables(value: Option<&Yaml>) -> Result<Vec<EggVariable>, EggError> {
    let items: Vec<&Yaml> = match value {
        None => return Ok(Vec::new()),
        Some(Yaml::Sequence(seq)) => seq.iter().collect(),
        // A PHP array with gaps in its keys is exported as a JSON object.
        Some(Yaml::Mapping(map)) => map.values().collect(),
        Some(_) => return Err(EggError::field("variables", "must be a list")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| variable(i, v))
        .collect()
}

fn variable(index: usize, value: &Yaml) -> Result<EggVariable, EggError> {
    let at = |name: &str| format!("variables[{index}].{name}");
    let Some(var) = value.as_mapping() else {
        return Err(EggError::field(
            format!("variables[{index}]"),
            "must be a map",
        ));
    };
    let env_variable = opt_string(get(var, "env_variable"), &at("env_variable"))?
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| EggError::field(at("env_variable"), "is required"))?;
    Ok(EggVariable {
        name: opt_string(get(var, "name"), &at("name"))?.unwrap_or_else(|| env_variable.clone()),
        description: opt_string(get(var, "description"), &at("description"))?.unwrap_or_default(),
        env_variable,
        default_value: opt_string(get(var, "default_value"), &at("default_value"))?
            .unwrap_or_default(),
        user_viewable: bool_like(get(var, "user_viewable"), &at("user_viewable"))?,
        user_editable: bool_like(get(var, "user_editable"), &at("user_editable"))?,
        rules: rules(get(var, "rules"), &at("rules"))?,
        field_type: opt_string(get(var, "field_type"), &at("field_type"))?
            .filter(|f| !f.trim().is_empty())
            .unwrap_or_else(|| "text".into()),
        sort: match get(var, "sort") {
            None => None,
            Some(v) => Some(
                scalar_string(v)
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .ok_or_else(|| EggError::field(at("sort"), "must be an integer"))?,
            ),
        },
    })
}

/// Rules as one pipe string. A string is kept as written (a `regex:` rule may itself contain
/// `|`), less trailing pipes; list and map forms are joined, dropping empty entries.
fn rules(value: Option<&Yaml>, field: &str) -> Result<String, EggError> {
    match value {
        None => Ok(String::new()),
        Some(Yaml::Sequence(_) | Yaml::Mapping(_)) => {
            let parts = string_list(value, field)?;
            Ok(parts
                .into_iter()
                .filter(|p| !p.trim().is_empty())
                .collect::<Vec<_>>()
                .join("|"))
        }
        Some(v) => match scalar_string(v) {
            Some(s) => Ok(s
                .trim_end_matches(|c: char| c == '|' || c.is_whitespace())
                .to_owned()),
            None => Err(EggError::field(
                field,
                "must be a string or a list of rules",
            )),
        },
    }
}

fn config_files(value: Option<&Yaml>) -> Result<IndexMap<String, ConfigFileSpec>, EggError> {
    const FIELD: &str = "config.files";
    let Some(doc) = embedded_document(value, FIELD)? else {
        return Ok(IndexMap::new());
    };
    let map = match &doc {
        Yaml::Mapping(map) => map,
        Yaml::Sequence(seq) if seq.is_empty() => return Ok(IndexMap::new()),
        _ => {
            return Err(EggError::field(
                FIELD,
                "must be a map of file path to {parser, find}",
            ));
        }
    };
    let mut files = IndexMap::new();
    for (path, spec) in map {
        let path = scalar_string(path)
            .ok_or_else(|| EggError::field(FIELD, "file paths must be strings"))?;
        let at = format!("{FIELD}.\"{path}\"");
        let Some(spec) = spec.as_mapping() else {
            return Err(EggError::field(
                at,
                "must be a map with `parser` and `find`",
            ));
        };
        let parser = opt_string(get(spec, "parser"), &format!("{at}.parser"))?
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .ok_or_else(|| EggError::field(format!("{at}.parser"), "is required"))?;
        let find = find_entries(get(spec, "find"), &format!("{at}.find"))?;
        files.insert(path, ConfigFileSpec { parser, find });
    }
    Ok(files)
}

fn find_entries(value: Option<&Yaml>, at: &str) -> Result<IndexMap<String, FindValue>, EggError> {
    let map = match value {
        None => return Ok(IndexMap::new()),
        Some(Yaml::Mapping(map)) => map,
        Some(Yaml::Sequence(seq)) if seq.is_empty() => return Ok(IndexMap::new()),
        Some(_) => return Err(EggError::field(at, "must be a map of key to value")),
    };
    let mut find = IndexMap::new();
    for (key, value) in map {
        let key = scalar_string(key).ok_or_else(|| EggError::field(at, "keys must be strings"))?;
        let entry_at = format!("{at}.\"{key}\"");
        let entry = match value {
            Yaml::Mapping(pairs) => {
                let mut conditional = IndexMap::new();
                for (if_value, replace_with) in pairs {
                    let if_value = scalar_string(if_value).ok_or_else(|| {
                        EggError::field(&entry_at, "if_value keys must be strings")
                    })?;
                    let replace_with = scalar_json(replace_with).ok_or_else(|| {
                        EggError::field(
                            &entry_at,
                            "replace_with values must be strings, numbers or booleans",
                        )
                    })?;
                    conditional.insert(if_value, replace_with);
                }
                FindValue::Conditional(conditional)
            }
            other => FindValue::Value(scalar_json(other).ok_or_else(|| {
                EggError::field(
                    &entry_at,
                    "must be a value or a map of if_value to replace_with",
                )
            })?),
        };
        find.insert(key, entry);
    }
    Ok(find)
}

fn startup_spec(value: Option<&Yaml>) -> Result<StartupSpec, EggError> {
    const FIELD: &str = "config.startup";
    // A bare string that does not look like JSON is taken as the `done` text itself.
    if let Some(Yaml::String(s)) = value {
        let t = s.trim_start();
        if !t.is_empty() && !t.starts_with(['{', '[', '"']) {
            return Ok(StartupSpec {
                done: vec![s.clone()],
                ..StartupSpec::default()
            });
        }
    }
    let Some(doc) = embedded_document(value, FIELD)? else {
        return Ok(StartupSpec::default());
    };
    match &doc {
        Yaml::Mapping(map) => {
            let user_interaction = match get(map, "user_interaction") {
                Some(v) => string_list(Some(v), "config.startup.user_interaction")?,
                None => string_list(
                    get(map, "userInteraction"),
                    "config.startup.userInteraction",
                )?,
            };
            Ok(StartupSpec {
                done: done_list(map.get("done"))?,
                user_interaction,
                strip_ansi: bool_like(get(map, "strip_ansi"), "config.startup.strip_ansi")?,
            })
        }
        other => Ok(StartupSpec {
            done: done_list(Some(other))?,
            ..StartupSpec::default()
        }),
    }
}

/// `done` as a list. Unlike other lists a lone empty string is kept: it matches every line,
/// which is what the egg says (the panel passes it through as `[""]`).
fn done_list(value: Option<&Yaml>) -> Result<Vec<String>, EggError> {
    match value {
        Some(Yaml::String(s)) => Ok(vec![s.clone()]),
        other => string_list(other.filter(|v| !v.is_null()), "config.startup.done"),
    }
}

fn logs_value(value: Option<&Yaml>) -> Json {
    match value {
        None => Json::Object(Default::default()),
        Some(Yaml::String(s)) if s.trim().is_empty() => Json::Object(Default::default()),
        Some(Yaml::String(s)) => json_document(s)
            .ok()
            .and_then(|doc| serde_json::to_value(doc).ok())
            .unwrap_or_else(|| Json::String(s.clone())),
        Some(v) => serde_json::to_value(v).unwrap_or(Json::Null),
    }
}

/// One config block as the panel stores it (see [`StoredConfig`]).
fn stored_block(value: Option<&Yaml>, field: &str) -> Result<String, EggError> {
    match value {
        None => Ok("{}".into()),
        Some(Yaml::String(s)) if s.trim().is_empty() => Ok("{}".into()),
        Some(Yaml::String(s)) => Ok(s.clone()),
        Some(Yaml::Tagged(t)) => stored_block(Some(&t.value), field),
        Some(v @ (Yaml::Mapping(_) | Yaml::Sequence(_))) => {
            crate::export::pretty_json(v).map_err(|e| EggError::field(field, e))
        }
        Some(v) => Ok(scalar_string(v).unwrap_or_default()),
    }
}

/// A block that may be a JSON-encoded string or already a map/list.
fn embedded_document(value: Option<&Yaml>, field: &str) -> Result<Option<Yaml>, EggError> {
    match value {
        None => Ok(None),
        Some(Yaml::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Yaml::String(s)) => json_document(s)
            .map(Some)
            .map_err(|e| EggError::EmbeddedJson {
                field: field.into(),
                message: e.to_string(),
            }),
        Some(Yaml::Tagged(t)) => embedded_document(Some(&t.value), field),
        Some(v @ (Yaml::Mapping(_) | Yaml::Sequence(_))) => Ok(Some(v.clone())),
        Some(_) => Err(EggError::field(
            field,
            "must be a map or a JSON-encoded string",
        )),
    }
}

/// Reads JSON into an order-preserving document. Duplicate keys are allowed, the last one
/// winning as with PHP's `json_decode` (`parkervcp/eggs` minio has `"done"` twice).
fn json_document(text: &str) -> Result<Yaml, serde_json::Error> {
    serde_json::from_str::<Lenient>(text).map(|l| l.0)
}

struct Lenient(Yaml);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Yaml, E> {
        Ok(Yaml::Number(v.into()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Yaml, E> {
        Ok(Yaml::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Yaml, E> {
        Ok(Yaml::String(v))
    }

    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        serde::Deserialize::deserialize(d).map(|l: Lenient| l.0)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Lenient(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Yaml::Sequence(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut out = Mapping::new();
        while let Some((Lenient(k), Lenient(v))) = map.next_entry()? {
            out.insert(k, v);
        }
        Ok(Yaml::Mapping(out))
    }
}

// ---- small readers over the generic document ------------------------------------------------

/// A key's value, with null read as missing.
fn get<'a>(map: &'a Mapping, key: &str) -> Option<&'a Yaml> {
    map.get(key).filter(|v| !v.is_null())
}

/// Strings as they are; numbers and booleans as their text.
pub(crate) fn scalar_string(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Tagged(t) => scalar_string(&t.value),
        Yaml::Null | Yaml::Sequence(_) | Yaml::Mapping(_) => None,
    }
}

fn scalar_json(value: &Yaml) -> Option<Json> {
    match value {
        Yaml::Null => Some(Json::Null),
        Yaml::Bool(b) => Some(Json::Bool(*b)),
        Yaml::Number(n) => Some(if let Some(i) = n.as_i64() {
            Json::from(i)
        } else if let Some(u) = n.as_u64() {
            Json::from(u)
        } else {
            n.as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number)
                .unwrap_or(Json::String(n.to_string()))
        }),
        Yaml::String(s) => Some(Json::String(s.clone())),
        Yaml::Tagged(t) => scalar_json(&t.value),
        Yaml::Sequence(_) | Yaml::Mapping(_) => None,
    }
}

fn opt_string(value: Option<&Yaml>, field: &str) -> Result<Option<String>, EggError> {
    match value {
        None => Ok(None),
        Some(v) => scalar_string(v)
            .map(Some)
            .ok_or_else(|| EggError::field(field, "must be a string")),
    }
}

/// A list of strings; also accepts one string, null, and a map (PHP's `{ }` for an empty list).
fn string_list(value: Option<&Yaml>, field: &str) -> Result<Vec<String>, EggError> {
    let items: Vec<&Yaml> = match value {
        None => return Ok(Vec::new()),
        Some(Yaml::Sequence(seq)) => seq.iter().collect(),
        Some(Yaml::Mapping(map)) => map.values().collect(),
        Some(Yaml::Tagged(t)) => return string_list(Some(&t.value), field),
        Some(v) => {
            return Ok(scalar_string(v)
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect());
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Yaml::Null => {}
            v => out.push(
                scalar_string(v)
                    .ok_or_else(|| EggError::field(field, "must be a list of strings"))?,
            ),
        }
    }
    Ok(out)
}

fn string_map(value: &Yaml, field: &str) -> Result<IndexMap<String, String>, EggError> {
    let Yaml::Mapping(map) = value else {
        return Err(EggError::field(field, "must be a map of name to command"));
    };
    let mut out = IndexMap::new();
    for (k, v) in map {
        let k = scalar_string(k).ok_or_else(|| EggError::field(field, "names must be strings"))?;
        let v = scalar_string(v)
            .ok_or_else(|| EggError::field(format!("{field}.{k}"), "must be a string"))?;
        out.insert(k, v);
    }
    Ok(out)
}

/// Booleans as PHP exports them: `true`, `1`, `"1"`, `"true"`; missing is false.
fn bool_like(value: Option<&Yaml>, field: &str) -> Result<bool, EggError> {
    match value {
        None => Ok(false),
        Some(Yaml::Bool(b)) => Ok(*b),
        Some(Yaml::Number(n)) => Ok(n.as_f64().is_some_and(|f| f != 0.0)),
        Some(Yaml::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "" | "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(EggError::field(
                field,
                format!("must be a boolean, not `{s}`"),
            )),
        },
        Some(Yaml::Tagged(t)) => bool_like(Some(&t.value), field),
        Some(_) => Err(EggError::field(field, "must be a boolean")),
    }
}
