//! `/api/remote/activity`: server activity wings collected (console commands, SFTP actions).

use aerie_http::Error;
use aerie_proto::wings::ActivityBatch;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::AppState;
use crate::api::JsonBody;
use crate::auth::DaemonNode;
use crate::services::remote;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/activity", post(record_activity))
}

/// `POST /activity`: 200 with an empty body, as Pterodactyl answers.
pub(crate) async fn record_activity(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    JsonBody(batch): JsonBody<ActivityBatch>,
) -> Result<Response, Error> {
    remote::record_activity(&state.db, &node, batch).await?;
    Ok(axum::http::StatusCode::OK.into_response())
}
