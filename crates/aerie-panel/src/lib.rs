//! The Aerie panel as a library: the HTTP API, the embedded web UI, and the services that
//! hold the rules. The binary (`aerie panel` / `aerie up`) only builds an [`AppState`] and
//! hands it to [`serve`]; tests do the same on `127.0.0.1:0`.
//!
//! Layers: `routes::*` (extract → authorize → call a service → DTO) → `services::*` (rules)
//! → `aerie_db` repositories (SQL). Handlers never touch SQL.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod access;
pub mod api;
mod assets;
pub mod auth;
pub mod openapi;
mod routes;
pub mod services;
mod state;

pub use assets::ui_embedded;
pub use state::{AppState, HealthProbe};

/// The panel's router with every layer applied.
pub fn router(state: AppState) -> axum::Router {
    aerie_http::with_observability(routes::router(state), "panel", aerie_http::Envelope::Panel)
}

/// Serves the panel on `listener` until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    aerie_http::serve(router(state), listener, shutdown).await
}
