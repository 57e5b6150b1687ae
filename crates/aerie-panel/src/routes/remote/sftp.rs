//! `/api/remote/sftp/auth`: wings asks whether an SFTP login is valid.

use aerie_http::Error;
use aerie_proto::wings::{SftpAuthRequest, SftpAuthResponse};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

use crate::AppState;
use crate::api::JsonBody;
use crate::auth::DaemonNode;
use crate::services::remote;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/sftp/auth", post(authenticate_sftp))
}

/// `POST /sftp/auth`.
pub(crate) async fn authenticate_sftp(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<SftpAuthRequest>,
) -> Result<Json<SftpAuthResponse>, Error> {
    let resp = remote::sftp_auth(&state.db, &node, &state.sftp_login_limiter, &req).await?;
    Ok(Json(resp))
}
