//! The one error type of this crate. Every message names what was wrong and where, so the
//! panel can show it to an administrator importing an egg and wings can print it to the
//! server console when a config file could not be edited.

/// Everything that can go wrong while reading an egg or editing a config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EggError {
    /// The egg document is not valid JSON.
    #[error("the egg is not valid JSON: {0}")]
    Json(String),

    /// The egg document is not valid YAML.
    #[error("the egg is not valid YAML: {0}")]
    Yaml(String),

    /// The document is valid JSON or YAML but not a map at the top level.
    #[error("the egg must be a JSON object or a YAML map at the top level")]
    NotAnObject,

    /// The egg has no `meta.version`.
    #[error(
        "the egg has no `meta.version`; expected one of PTDL_v1, PTDL_v2, PLCN_v1, PLCN_v2 or PLCN_v3"
    )]
    MissingVersion,

    /// `meta.version` names a format this crate does not read.
    #[error(
        "unsupported egg format `{0}`; expected one of PTDL_v1, PTDL_v2, PLCN_v1, PLCN_v2 or PLCN_v3"
    )]
    UnsupportedVersion(String),

    /// A field of the egg has a shape that cannot be read.
    #[error("egg field `{field}`: {message}")]
    InvalidField {
        /// Where in the egg, e.g. `variables[2].rules` or `config.files."server.properties".find`.
        field: String,
        /// What was wrong with it.
        message: String,
    },

    /// One of the JSON-encoded strings (`config.files`, `config.startup`) does not parse.
    #[error("egg field `{field}` is not valid JSON: {message}")]
    EmbeddedJson {
        /// `config.files` or `config.startup`.
        field: String,
        /// The JSON parser's message, with line and column.
        message: String,
    },

    /// A config file names a parser that does not exist.
    #[error(
        "unknown config file parser `{0}`; expected one of properties, file, yaml, yml, json, ini or xml"
    )]
    UnknownParser(String),

    /// An `if_value` of the form `regex:…` holds an invalid regular expression.
    #[error("invalid regular expression in if_value `{pattern}`: {message}")]
    InvalidRegex {
        /// The pattern, without the `regex:` prefix.
        pattern: String,
        /// The regex compiler's message.
        message: String,
    },

    /// The file on disk could not be parsed with the egg's parser, so it was left alone.
    #[error("the existing file is not valid {parser}: {message}")]
    MalformedFile {
        /// `json`, `yaml` or `xml`.
        parser: &'static str,
        /// The parser's message.
        message: String,
    },

    /// The edited document could not be written back out.
    #[error("could not write the edited {parser} file: {message}")]
    Serialize {
        /// `json` or `yaml`.
        parser: &'static str,
        /// The serializer's message.
        message: String,
    },
}

impl EggError {
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }
}
