//! `/api/remote/*`: the API wings calls, authenticated as a node
//! (`Bearer <token_id>.<token>`).

mod activity;
mod backups;
mod servers;
mod sftp;

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(servers::routes())
        .merge(sftp::routes())
        .merge(backups::routes())
        .merge(activity::routes())
}

/// The OpenAPI paths of the documented resource files, relative to `/api/remote` (see
/// `crate::openapi`). A newly documented file adds its `openapi()` here.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = servers::openapi();
    for part in [sftp::openapi(), backups::openapi(), activity::openapi()] {
        doc.merge(part);
    }
    doc
}
