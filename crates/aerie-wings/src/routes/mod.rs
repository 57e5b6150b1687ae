//! Wings route table (Pterodactyl Wings `router/router.go`).

mod archive;
mod auth;
mod backups;
mod files;
mod health;
mod pull;
mod servers;
mod system;
mod transfers;

pub use health::docker_check;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use crate::WingsState;

pub(crate) fn router(state: WingsState) -> Router {
    Router::new()
        .route("/api/health", get(health::get_health))
        .route("/api/system", get(system::get_system))
        .route(
            "/api/servers",
            get(servers::list_servers).post(servers::create_server),
        )
        .route(
            "/api/servers/{uuid}",
            get(servers::get_server).delete(servers::delete_server),
        )
        .route("/api/servers/{uuid}/logs", get(servers::get_logs))
        .route("/api/servers/{uuid}/power", post(servers::post_power))
        .route("/api/servers/{uuid}/commands", post(servers::post_commands))
        .route("/api/servers/{uuid}/install", post(servers::post_install))
        .route(
            "/api/servers/{uuid}/reinstall",
            post(servers::post_reinstall),
        )
        .route("/api/servers/{uuid}/sync", post(servers::post_sync))
        .route("/api/servers/{uuid}/ws/deny", post(servers::post_ws_deny))
        .route("/api/servers/{uuid}/ws", get(crate::ws::websocket))
        .route(
            "/api/servers/{uuid}/files/list-directory",
            get(files::list_directory),
        )
        .route(
            "/api/servers/{uuid}/files/contents",
            get(files::get_contents),
        )
        .route(
            "/api/servers/{uuid}/files/write",
            post(files::post_write).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/servers/{uuid}/files/rename", put(files::put_rename))
        .route("/api/servers/{uuid}/files/copy", post(files::post_copy))
        .route("/api/servers/{uuid}/files/delete", post(files::post_delete))
        .route(
            "/api/servers/{uuid}/files/create-directory",
            post(files::post_create_directory),
        )
        .route("/api/servers/{uuid}/files/chmod", post(files::post_chmod))
        .route(
            "/api/servers/{uuid}/files/compress",
            post(archive::post_compress),
        )
        .route(
            "/api/servers/{uuid}/files/decompress",
            post(archive::post_decompress),
        )
        .route(
            "/api/servers/{uuid}/files/pull",
            get(pull::list_pulls).post(pull::post_pull),
        )
        .route(
            "/api/servers/{uuid}/files/pull/{download}",
            axum::routing::delete(pull::delete_pull),
        )
        .route("/api/servers/{uuid}/backup", post(backups::post_backup))
        .route(
            "/api/servers/{uuid}/backup/{backup}",
            axum::routing::delete(backups::delete_backup),
        )
        .route(
            "/api/servers/{uuid}/backup/{backup}/restore",
            post(backups::post_restore),
        )
        .route("/download/backup", get(backups::download_backup))
        .route(
            "/api/servers/{uuid}/transfer",
            post(transfers::post_transfer).delete(transfers::delete_transfer),
        )
        .route(
            "/api/transfers",
            post(transfers::receive_transfer).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/transfers/{uuid}",
            axum::routing::delete(transfers::delete_incoming),
        )
        .route("/download/file", get(files::download_file))
        .route(
            "/upload/file",
            post(files::upload_file).layer(DefaultBodyLimit::disable()),
        )
        .with_state(state)
}

pub(crate) use pull::Downloads;
pub(crate) use servers::find as find_server;
