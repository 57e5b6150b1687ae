//! `GET /api/health` on both panel and wings.

use serde::{Deserialize, Serialize};

/// The health report. The HTTP status is 200 when every check is ok, 503 otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// `panel` or `wings`.
    pub service: String,
    /// The running Aerie version.
    pub version: String,
    /// Each dependency checked, by name (`database`, `docker`).
    pub checks: std::collections::BTreeMap<String, Check>,
}

/// The result of checking one dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Whether the dependency answered.
    pub ok: bool,
    /// How long the check took, in milliseconds.
    pub latency_ms: u64,
    /// What the dependency is (`sqlite`, `postgres`, `Docker 20.10.24`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Health {
    /// Builds a report, `ok` only when every check passed.
    pub fn new(service: &str, checks: std::collections::BTreeMap<String, Check>) -> Self {
        let ok = checks.values().all(|c| c.ok);
        Self {
            status: if ok { "ok" } else { "degraded" }.to_owned(),
            service: service.to_owned(),
            version: crate::VERSION.to_owned(),
            checks,
        }
    }

    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}
