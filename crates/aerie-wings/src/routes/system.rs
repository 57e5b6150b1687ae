//! `GET /api/system` (Pterodactyl v1 shape), behind the node token.

use aerie_http::Error;
use aerie_proto::wings::SystemInfo;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;

use crate::WingsState;

/// Proof that the request carried the node token.
pub(crate) struct NodeAuth;

impl FromRequestParts<WingsState> for NodeAuth {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &WingsState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| Error::Unauthenticated)?;
        if state.token_matches(token.trim()) {
            Ok(NodeAuth)
        } else {
            Err(Error::Forbidden("You are not authorized to access this endpoint.".into()))
        }
    }
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

pub(crate) async fn get_system(_: NodeAuth, State(_state): State<WingsState>) -> Json<SystemInfo> {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
    Json(SystemInfo {
        architecture: go_arch().to_owned(),
        cpu_count: std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1),
        kernel_version: kernel,
        os: std::env::consts::OS.to_owned(),
        version: aerie_proto::VERSION.to_owned(),
    })
}
