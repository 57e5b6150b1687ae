//! Wings route table.

mod health;
mod system;

pub use health::docker_check;

use axum::Router;
use axum::routing::get;

use crate::WingsState;

pub(crate) fn router(state: WingsState) -> Router {
    Router::new()
        .route("/api/health", get(health::get_health))
        .route("/api/system", get(system::get_system))
        .with_state(state)
}
