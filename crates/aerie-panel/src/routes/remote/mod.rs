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
