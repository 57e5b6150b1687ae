//! `/api/remote/servers*`: what wings reads about its servers, and install/transfer callbacks.

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
