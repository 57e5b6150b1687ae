//! Panel → wings HTTP API types (Pterodactyl Wings `router/*`).

use serde::{Deserialize, Serialize};

/// `GET /api/system` (v1 shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    /// `amd64`, `arm64`, … (Go's naming, as Wings reports it).
    pub architecture: String,
    /// Logical CPUs on the node.
    pub cpu_count: u64,
    /// `uname -r`.
    pub kernel_version: String,
    /// `linux`.
    pub os: String,
    /// The daemon version.
    pub version: String,
}
