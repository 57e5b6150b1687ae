//! Route table. One file per resource; handlers are named verb_noun.

mod account;
mod application;
mod health;
mod remote;

use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health::get_health))
        .route("/api/client/account", get(account::get_account))
        .nest(
            "/api/application",
            application::routes().layer(axum::middleware::from_fn_with_state(
                state.application_limiter.clone(),
                crate::api::rate_limit,
            )),
        )
        .nest("/api/remote", remote::routes())
        .fallback(fallback)
        .with_state(state)
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
