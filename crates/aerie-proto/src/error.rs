//! Error envelopes. The panel speaks Pterodactyl's Laravel shape
//! (`{"errors":[{"code","status","detail","meta"}]}`); wings speaks Pterodactyl Wings' shape
//! (`{"error","request_id"}`). Third-party clients parse both, so the shapes are exact.

use serde::{Deserialize, Serialize};

/// The panel's error document: one entry per problem (validation gives one per field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelErrors {
    /// The problems, at least one.
    pub errors: Vec<PanelError>,
}

/// One problem in a [`PanelErrors`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelError {
    /// Pterodactyl's exception class name, e.g. `NotFoundHttpException`.
    pub code: String,
    /// The HTTP status as a string (`"404"`), as Laravel sends it.
    pub status: String,
    /// A message fit to show to the user.
    pub detail: String,
    /// For validation errors: which field and which rule failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<PanelErrorMeta>,
}

/// Where a validation error comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelErrorMeta {
    /// The request field that failed.
    pub source_field: String,
    /// The snake_cased rule that failed, e.g. `required`.
    pub rule: String,
}

/// Wings' error document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WingsError {
    /// A message fit to show to the user.
    pub error: String,
    /// The id also sent in the `X-Request-Id` header, for finding the request in the logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
