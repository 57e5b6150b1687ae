//! Pterodactyl/Pelican eggs: parsing, conversion to the wings process configuration, and the
//! config-file editors wings applies before each start.
//!
//! - [`Egg::parse`] reads any supported egg document (PTDL_v1, PTDL_v2, PLCN_v1/v2/v3; JSON or
//!   YAML) into one normalized [`Egg`].
//! - [`process_configuration`] turns an egg's `config` into the wire
//!   [`ProcessConfiguration`](aerie_proto::wings::ProcessConfiguration) the panel sends to wings.
//! - [`apply_config_file`] is what wings runs for each config file before a start: it resolves
//!   the placeholders of the replacements ([`placeholders`]) and edits the file's text with the
//!   named parser ([`parsers`]). The caller reads and writes the file; an empty original
//!   stands for a file that does not exist yet.
//! - [`PtdlV2`] writes an egg back out as Pterodactyl `PTDL_v2` JSON; [`bundled`] holds the
//!   eggs Aerie ships for its own first-run nest.
//!
//! Nothing here does I/O or panics on bad input: every failure is an [`EggError`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bundled;
pub mod egg;
pub mod error;
pub mod export;
pub mod parsers;
pub mod placeholders;
pub mod process;

use aerie_proto::wings::ConfigReplace;

pub use egg::{
    ConfigFileSpec, Egg, EggConfig, EggFormat, EggVariable, FindValue, InstallScript, StartupSpec,
    StoredConfig,
};
pub use error::EggError;
pub use export::{PtdlConfig, PtdlInstallation, PtdlMeta, PtdlScripts, PtdlV2, PtdlVariable};
pub use parsers::{IfValue, Parser, ResolvedReplace};
pub use placeholders::PlaceholderContext;
pub use process::{process_configuration, process_configuration_for_server, stop_config};

/// Edits one config file: resolves each replacement's placeholders against `ctx`, then applies
/// them in order with `parser` (`properties`, `file`, `yaml`/`yml`, `json`, `ini`, `xml`) to the
/// file's current text, returning the new text. When nothing applies the text comes back
/// unchanged, byte for byte.
pub fn apply_config_file(
    parser: &str,
    original: &str,
    replaces: &[ConfigReplace],
    ctx: &PlaceholderContext,
) -> Result<String, EggError> {
    let parser = Parser::from_name(parser)?;
    let resolved = replaces
        .iter()
        .map(|r| ResolvedReplace::from_config(r, ctx))
        .collect::<Result<Vec<_>, _>>()?;
    parser.apply(original, &resolved)
}
