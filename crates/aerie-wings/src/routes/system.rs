//! `GET /api/system` (Pterodactyl v1 shape), behind the node token.

use aerie_proto::wings::SystemInfo;
use axum::Json;
use axum::extract::State;

use super::auth::NodeAuth;
use crate::WingsState;

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

pub(crate) async fn get_system(_: NodeAuth, State(_state): State<WingsState>) -> Json<SystemInfo> {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_owned();
    Json(SystemInfo {
        architecture: go_arch().to_owned(),
        cpu_count: std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(1),
        kernel_version: kernel,
        os: std::env::consts::OS.to_owned(),
        version: aerie_proto::VERSION.to_owned(),
    })
}
