//! `/api/remote/backups/*`: wings reports how backups and restores ended.

use aerie_http::Error;
use aerie_proto::wings::{BackupStatus, RestoreStatus};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use crate::AppState;
use crate::api::{JsonBody, no_content};
use crate::auth::DaemonNode;
use crate::services::remote;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/backups/{uuid}",
            post(set_backup_status).get(get_upload_parts),
        )
        .route("/backups/{uuid}/restore", post(set_restore_status))
}

/// `POST /backups/{uuid}`: a backup finished (or failed).
pub(crate) async fn set_backup_status(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody<BackupStatus>,
) -> Result<Response, Error> {
    remote::backup_finished(&state.db, &node, &uuid, &body).await?;
    Ok(no_content())
}

/// `GET /backups/{uuid}?size=`: presigned S3 part URLs. This panel stores backups on the
/// nodes, so there is nothing to presign.
pub(crate) async fn get_upload_parts(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    remote::backup_on_node(&state.db, &node, &uuid).await?;
    Err(Error::BadRequest(
        "This panel is not configured to store backups in S3.".into(),
    ))
}

/// `POST /backups/{uuid}/restore`: a restore finished.
pub(crate) async fn set_restore_status(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody<RestoreStatus>,
) -> Result<Response, Error> {
    remote::restore_finished(&state.db, &node, &uuid, body.successful).await?;
    Ok(no_content())
}
