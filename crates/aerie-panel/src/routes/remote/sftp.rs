//! `/api/remote/sftp/auth`: wings asks whether an SFTP login is valid.

use aerie_http::Error;
use aerie_proto::wings::{SftpAuthRequest, SftpAuthResponse};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

use crate::AppState;
use crate::api::JsonBody;
use crate::api::schemas::{
    self, ErrorEnvelope, NotFound, RemoteErrors, TooManyRequests, ValidationFailed,
};
use crate::auth::DaemonNode;
use crate::services::remote;

#[derive(utoipa::OpenApi)]
#[openapi(paths(authenticate_sftp))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/sftp/auth", post(authenticate_sftp))
}

/// Check an SFTP login.
///
/// `POST /sftp/auth`.
#[utoipa::path(
    post,
    path = "/sftp/auth",
    tag = "remote",
    operation_id = "remote_authenticate_sftp",
    request_body(content = schemas::SftpAuthRequest),
    responses(
        (status = 200, description = "The login is valid: who it is and what they may do.", body = schemas::SftpAuthResponse),
        (status = 403, description = "Bad credentials, or no access to the server.", body = ErrorEnvelope),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        (status = 429, response = TooManyRequests),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn authenticate_sftp(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SftpAuthRequest>,
) -> Result<Json<SftpAuthResponse>, Error> {
    let resp = remote::sftp_auth(&state.db, &node, &state.sftp_login_limiter, &req).await?;
    Ok(Json(resp))
}
