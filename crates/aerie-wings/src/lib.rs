//! The Aerie node daemon ("wings") as a library: it drives the local Docker engine and
//! serves the Pterodactyl Wings HTTP API to the panel. The binary (`aerie wings`, or
//! `aerie up` for a single machine) builds a [`WingsState`] and hands it to [`serve`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backup;
pub mod boot;
pub mod config;
mod configfiles;
mod cors;
pub mod docker;
pub mod remote;
mod routes;
pub mod runtime;
pub mod server;
pub mod sftp;
mod state;
mod tokens;
pub mod transfer;
mod ws;

pub use routes::docker_check;
pub use state::WingsState;

/// The wings router with every layer applied.
pub fn router(state: WingsState) -> axum::Router {
    let routes = routes::router(state.clone())
        .layer(axum::middleware::from_fn_with_state(state, cors::cors));
    aerie_http::with_observability(routes, "wings", aerie_http::Envelope::Wings)
}

/// Serves wings on `listener` until `shutdown` resolves.
pub async fn serve(
    state: WingsState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    aerie_http::serve_tapped(router(state), listener, shutdown).await
}

/// The current time in whole seconds since the epoch (JWT `iat`/`exp` units).
pub(crate) fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}
