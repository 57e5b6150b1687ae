//! Writing eggs out as Pterodactyl `PTDL_v2` JSON, the format every panel (Pterodactyl and
//! Pelican alike) imports.
//!
//! [`PtdlV2`] is the document, field for field in the order Pterodactyl's exporter writes
//! them; the panel fills it from its database row and [`PtdlV2::from_egg`] fills it from a
//! parsed [`Egg`]. [`PtdlV2::to_json`] renders it with four-space indentation (PHP's
//! `JSON_PRETTY_PRINT`) and without escaping slashes. The config blocks are written as the
//! JSON-encoded strings the panel stores ([`crate::StoredConfig`]), so an export that is
//! imported and exported again comes out byte for byte the same, `exported_at` aside.

use indexmap::IndexMap;
use serde::Serialize;

use crate::egg::Egg;

/// The `_comment` line at the top of an export.
pub const EXPORT_COMMENT: &str =
    "DO NOT EDIT: FILE GENERATED AUTOMATICALLY BY AERIE PANEL (PTERODACTYL-COMPATIBLE)";

/// A `PTDL_v2` egg document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtdlV2 {
    /// The do-not-edit banner ([`EXPORT_COMMENT`]).
    #[serde(rename = "_comment")]
    pub comment: String,
    /// `meta.version` (always `PTDL_v2`) and `meta.update_url`.
    pub meta: PtdlMeta,
    /// When the export was made, Atom format (`2024-05-07T12:55:55+00:00`).
    pub exported_at: String,
    /// Display name.
    pub name: String,
    /// Author.
    pub author: String,
    /// Description; `null` when there is none.
    pub description: Option<String>,
    /// Feature flags.
    pub features: Vec<String>,
    /// Display label → image, the default first.
    pub docker_images: IndexMap<String, String>,
    /// Paths users may not touch.
    pub file_denylist: Vec<String>,
    /// The startup command.
    pub startup: String,
    /// The process configuration, as JSON-encoded strings.
    pub config: PtdlConfig,
    /// The install script.
    pub scripts: PtdlScripts,
    /// The variables, in display order.
    pub variables: Vec<PtdlVariable>,
}

/// `meta` of a [`PtdlV2`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtdlMeta {
    /// Always `PTDL_v2`.
    pub version: String,
    /// Where updated versions of the egg can be fetched, if anywhere.
    pub update_url: Option<String>,
}

/// `config` of a [`PtdlV2`] document: three JSON-encoded strings and the stop command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtdlConfig {
    /// `config.files`, a JSON-encoded string.
    pub files: String,
    /// `config.startup`, a JSON-encoded string.
    pub startup: String,
    /// `config.logs`, a JSON-encoded string.
    pub logs: String,
    /// The stop command or `^C`-style signal.
    pub stop: String,
}

/// `scripts` of a [`PtdlV2`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtdlScripts {
    /// `scripts.installation`.
    pub installation: PtdlInstallation,
}

/// `scripts.installation` of a [`PtdlV2`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtdlInstallation {
    /// The script text.
    pub script: String,
    /// The image it runs in.
    pub container: String,
    /// The program that runs it.
    pub entrypoint: String,
}

/// One variable of a [`PtdlV2`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PtdlVariable {
    /// Display name.
    pub name: String,
    /// Help text.
    pub description: String,
    /// The environment variable.
    pub env_variable: String,
    /// Default value.
    pub default_value: String,
    /// Users can see it.
    pub user_viewable: bool,
    /// Users can change it.
    pub user_editable: bool,
    /// Laravel rules as one pipe string.
    pub rules: String,
    /// Always `text`, as Pterodactyl exports it.
    pub field_type: String,
}

impl PtdlMeta {
    /// `{"version": "PTDL_v2", "update_url": update_url}`.
    pub fn v2(update_url: Option<String>) -> Self {
        Self {
            version: "PTDL_v2".into(),
            update_url,
        }
    }
}

impl PtdlV2 {
    /// The export of a parsed egg, stamped `exported_at`. Variables keep their document
    /// order, or Pelican's `sort` order when the egg gives one.
    pub fn from_egg(egg: &Egg, exported_at: &str) -> Self {
        let mut variables: Vec<(usize, &crate::EggVariable)> =
            egg.variables.iter().enumerate().collect();
        variables.sort_by_key(|(i, v)| (v.sort.unwrap_or(i64::try_from(*i).unwrap_or(0)), *i));
        Self {
            comment: EXPORT_COMMENT.into(),
            meta: PtdlMeta::v2(egg.update_url.clone()),
            exported_at: exported_at.to_owned(),
            name: egg.name.clone(),
            author: egg.author.clone(),
            description: Some(egg.description.clone()).filter(|d| !d.is_empty()),
            features: egg.features.clone(),
            docker_images: egg.docker_images.clone(),
            file_denylist: egg.file_denylist.clone(),
            startup: egg.startup.clone(),
            config: PtdlConfig {
                files: egg.stored_config.files.clone(),
                startup: egg.stored_config.startup.clone(),
                logs: egg.stored_config.logs.clone(),
                stop: egg.config.stop.clone(),
            },
            scripts: PtdlScripts {
                installation: PtdlInstallation {
                    script: egg.install.script.clone(),
                    container: egg.install.container.clone(),
                    entrypoint: egg.install.entrypoint.clone(),
                },
            },
            variables: variables
                .into_iter()
                .map(|(_, v)| PtdlVariable {
                    name: v.name.clone(),
                    description: v.description.clone(),
                    env_variable: v.env_variable.clone(),
                    default_value: v.default_value.clone(),
                    user_viewable: v.user_viewable,
                    user_editable: v.user_editable,
                    rules: v.rules.clone(),
                    field_type: "text".into(),
                })
                .collect(),
        }
    }

    /// The document as JSON, indented by four spaces, slashes unescaped.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, lists and string maps into memory cannot fail.
        pretty_json(self).unwrap_or_default()
    }
}

/// Any serializable value as JSON indented by four spaces (PHP's `JSON_PRETTY_PRINT`),
/// keeping map keys in the order the value yields them.
pub(crate) fn pretty_json<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}
