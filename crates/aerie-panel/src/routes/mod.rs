//! Route table. One file per resource; handlers are named verb_noun.

mod application;
mod auth;
// `/api/client/account/*`; declared by path so a later `routes/client/mod.rs` can adopt it.
#[path = "client/account.rs"]
mod client_account;
mod health;
mod remote;
mod server_extras;
mod servers;

use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health::get_health))
        .merge(crate::openapi::routes())
        .merge(auth::routes())
        .nest(
            "/api/client",
            client_account::routes().layer(axum::middleware::from_fn_with_state(
                state.client_limiter.clone(),
                crate::api::rate_limit,
            )),
        )
        .nest(
            "/api/application",
            application::routes().layer(axum::middleware::from_fn_with_state(
                state.application_limiter.clone(),
                crate::api::rate_limit,
            )),
        )
        .nest("/api/remote", remote::routes())
        .merge(
            server_extras::routes().layer(axum::middleware::from_fn_with_state(
                state.client_limiter.clone(),
                crate::api::rate_limit,
            )),
        )
        .merge(
            servers::routes().layer(axum::middleware::from_fn_with_state(
                state.client_limiter.clone(),
                crate::api::rate_limit,
            )),
        )
        .fallback(fallback)
        .with_state(state)
}

/// The OpenAPI paths of every documented route file, nested as [`router`] nests their
/// routers (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = health::openapi()
        .nest("/api/application", application::openapi())
        .nest("/api/client", client_account::openapi())
        .nest("/api/remote", remote::openapi());
    // These routers are merged with full paths, so are their documents.
    doc.merge(auth::openapi());
    doc.merge(server_extras::openapi());
    doc.merge(servers::openapi());
    doc
}

/// Unknown API paths get the JSON 404 envelope; everything else is the web UI.
async fn fallback(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    let p = uri.path();
    if p == "/api" || p.starts_with("/api/") {
        return aerie_http::Error::NotFound(
            "The requested resource could not be found on the server.".into(),
        )
        .into_response();
    }
    crate::assets::serve_asset(uri, headers).await
}
