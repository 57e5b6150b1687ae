//! Applies an egg's config-file edits to a server's files before each start.
//! PENDING: wired to the aerie-eggs parsers in the next step.

use aerie_proto::wings::{ConfigFile, ServerSettings};

use crate::server::NodeSettings;

/// Applies every config edit; returns console messages for files that could not be edited.
pub fn apply_all(_root: &std::path::Path, configs: &[ConfigFile], _s: &ServerSettings, _n: &NodeSettings) -> Vec<String> {
    configs.iter().map(|c| format!("config file {} not edited: parsers not wired yet", c.file)).collect()
}
