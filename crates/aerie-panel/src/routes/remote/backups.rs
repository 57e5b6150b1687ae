//! `/api/remote/backups/*`: wings reports how backups and restores ended.

use aerie_http::Error;
use aerie_proto::wings::{BackupStatus, RestoreStatus};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::AppState;
use crate::api::schemas::{
    BackupUploadParts, NotFound, RemoteBackupStatus, RemoteErrors, RemoteRestoreStatus,
    ValidationFailed,
};
use crate::api::{JsonBody, no_content};
use crate::auth::DaemonNode;
use crate::services::{backups, remote};

#[derive(utoipa::OpenApi)]
#[openapi(paths(set_backup_status, get_upload_parts, set_restore_status))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/backups/{uuid}",
            post(set_backup_status).get(get_upload_parts),
        )
        .route("/backups/{uuid}/restore", post(set_restore_status))
}

/// Report how a backup ended.
///
/// `POST /backups/{uuid}`: a backup finished (or failed).
#[utoipa::path(
    post,
    path = "/backups/{uuid}",
    tag = "remote",
    operation_id = "remote_set_backup_status",
    params(
        ("uuid" = String, Path, description = "The backup's UUID."),
    ),
    request_body(content = RemoteBackupStatus),
    responses(
        (status = 204, description = "Recorded."),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn set_backup_status(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody<BackupStatus>,
) -> Result<Response, Error> {
    remote::backup_finished(
        &state.db,
        state.backup_storage.as_ref(),
        &node,
        &uuid,
        &body,
    )
    .await?;
    Ok(no_content())
}

/// Get presigned S3 part URLs for a backup.
///
/// `GET /backups/{uuid}?size=`: starts the S3 multipart upload of a backup and answers one
/// presigned `UploadPart` URL per part, with the part size. Only for backups stored in S3.
#[utoipa::path(
    get,
    path = "/backups/{uuid}",
    tag = "remote",
    operation_id = "remote_get_backup_upload_parts",
    params(
        ("uuid" = String, Path, description = "The backup's UUID."),
        ("size" = Option<u64>, Query, description = "The archive size in bytes."),
    ),
    responses(
        (status = 200, description = "Presigned part URLs.", body = BackupUploadParts),
        (status = 404, response = NotFound),
        (status = 409, description = "The backup already ended."),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn get_upload_parts(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, Error> {
    let (backup, server) = remote::backup_on_node(&state.db, &node, &uuid).await?;
    let size = query
        .get("size")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let parts = backups::upload_parts(
        &state.db,
        state.backup_storage.as_ref(),
        &server,
        &backup,
        size,
    )
    .await?;
    Ok(Json(parts).into_response())
}

/// Report how a restore ended.
///
/// `POST /backups/{uuid}/restore`: a restore finished.
#[utoipa::path(
    post,
    path = "/backups/{uuid}/restore",
    tag = "remote",
    operation_id = "remote_set_restore_status",
    params(
        ("uuid" = String, Path, description = "The backup's UUID."),
    ),
    request_body(content = RemoteRestoreStatus),
    responses(
        (status = 204, description = "Recorded."),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn set_restore_status(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody<RestoreStatus>,
) -> Result<Response, Error> {
    remote::restore_finished(&state.db, &node, &uuid, body.successful).await?;
    Ok(no_content())
}
