//! `/api/remote/activity`: server activity wings collected (console commands, SFTP actions).

use aerie_http::Error;
use aerie_proto::wings::ActivityBatch;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::AppState;
use crate::api::JsonBody;
use crate::api::schemas::{RemoteActivityBatch, RemoteErrors, ValidationFailed};
use crate::auth::DaemonNode;
use crate::services::remote;

#[derive(utoipa::OpenApi)]
#[openapi(paths(record_activity))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/activity", post(record_activity))
}

/// Record server activity.
///
/// `POST /activity`: 200 with an empty body, as Pterodactyl answers.
#[utoipa::path(
    post,
    path = "/activity",
    tag = "remote",
    operation_id = "remote_record_activity",
    request_body(content = RemoteActivityBatch),
    responses(
        (status = 200, description = "Recorded (an empty body, as Pterodactyl answers)."),
        (status = 422, response = ValidationFailed),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn record_activity(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    JsonBody(batch): JsonBody<ActivityBatch>,
) -> Result<Response, Error> {
    remote::record_activity(&state.db, &node, batch).await?;
    Ok(axum::http::StatusCode::OK.into_response())
}
