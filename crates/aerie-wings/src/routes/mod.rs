//! Wings route table (Pterodactyl Wings `router/router.go`).

mod auth;
mod health;
mod servers;
mod system;

pub use health::docker_check;

use axum::Router;
use axum::routing::{get, post};

use crate::WingsState;

pub(crate) fn router(state: WingsState) -> Router {
    Router::new()
        .route("/api/health", get(health::get_health))
        .route("/api/system", get(system::get_system))
        .route("/api/servers", get(servers::list_servers).post(servers::create_server))
        .route("/api/servers/{uuid}", get(servers::get_server).delete(servers::delete_server))
        .route("/api/servers/{uuid}/logs", get(servers::get_logs))
        .route("/api/servers/{uuid}/power", post(servers::post_power))
        .route("/api/servers/{uuid}/commands", post(servers::post_commands))
        .route("/api/servers/{uuid}/install", post(servers::post_install))
        .route("/api/servers/{uuid}/reinstall", post(servers::post_reinstall))
        .route("/api/servers/{uuid}/sync", post(servers::post_sync))
        .route("/api/servers/{uuid}/ws/deny", post(servers::post_ws_deny))
        .route("/api/servers/{uuid}/ws", get(crate::ws::websocket))
        .with_state(state)
}

pub(crate) use servers::find as find_server;
