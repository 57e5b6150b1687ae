//! `/api/servers/{uuid}/backup*` (Pterodactyl Wings backup routes) and the signed
//! `/download/backup` URL. The work itself is in [`crate::backup`]; these handlers check the
//! request, answer at once (202) and let the backup or restore run in the background.

use aerie_http::Error;
use aerie_proto::wings::{
    BackupAdapter, BackupDownloadClaims, BackupRequest, ProcessState, RestoreRequest,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::auth::NodeAuth;
use super::servers::find;
use crate::WingsState;
use crate::backup::{self, OpGuard, local};

fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, Error> {
    body.map(|Json(b)| b)
        .map_err(|e| Error::validation("body", "json", e.body_text()))
}

fn check_backup_uuid(field: &'static str, uuid: &str) -> Result<(), Error> {
    if local::valid_uuid(uuid) {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            "uuid",
            "The backup UUID may only contain letters, digits and dashes.",
        ))
    }
}

/// `POST /api/servers/{uuid}/backup`: starts a backup; 202 at once, the result goes to the
/// panel and the websocket.
pub(crate) async fn post_backup(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<BackupRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let server = find(&state, &uuid)?;
    let req = json_body(body)?;
    check_backup_uuid("uuid", &req.uuid)?;
    let ctx = state.manager.context().clone();
    if req.adapter == BackupAdapter::S3 && ctx.panel.is_none() {
        return Err(Error::BadRequest(
            "S3 backups need a panel to presign the upload, and none is configured.".into(),
        ));
    }
    let guard = OpGuard::for_backup(&server).ok_or_else(|| {
        Error::Conflict(
            "The server is being restored from a backup; try again when it is done.".into(),
        )
    })?;
    tokio::spawn(backup::run_backup(server, ctx, req, guard));
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/servers/{uuid}/backup/{backup}/restore`: 409 unless the server is stopped (and
/// not installing, and not already being backed up or restored).
pub(crate) async fn post_restore(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path((uuid, backup_uuid)): Path<(String, String)>,
    body: Result<Json<RestoreRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let server = find(&state, &uuid)?;
    let req = json_body(body)?;
    check_backup_uuid("backup", &backup_uuid)?;
    if req.adapter == BackupAdapter::S3 && req.download_url.is_empty() {
        return Err(Error::validation(
            "download_url",
            "required",
            "A download URL is required to restore an S3 backup.",
        ));
    }
    if server.state() != ProcessState::Offline || server.is_installing() || server.is_busy() {
        return Err(Error::Conflict(
            "The server must be stopped (and not installing) before a backup can be restored."
                .into(),
        ));
    }
    let ctx = state.manager.context().clone();
    if req.adapter == BackupAdapter::Wings
        && local::find(backup::backup_dir(&ctx), &backup_uuid).is_none()
    {
        return Err(Error::NotFound(
            "The requested backup was not found on this node.".into(),
        ));
    }
    let guard = OpGuard::for_restore(&server).ok_or_else(|| {
        Error::Conflict("A backup or restore of this server is already running.".into())
    })?;
    tokio::spawn(backup::run_restore(server, ctx, backup_uuid, req, guard));
    Ok(StatusCode::ACCEPTED)
}

/// `DELETE /api/servers/{uuid}/backup/{backup}`: 204, or 404 when this node has no such file.
pub(crate) async fn delete_backup(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path((uuid, backup_uuid)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    find(&state, &uuid)?;
    let not_found = || Error::NotFound("The requested backup was not found on this node.".into());
    if !local::valid_uuid(&backup_uuid) {
        return Err(not_found());
    }
    let dir = backup::backup_dir(state.manager.context()).to_path_buf();
    let deleted = tokio::task::spawn_blocking(move || local::delete(&dir, &backup_uuid))
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: String,
}

fn bad_token(e: impl std::fmt::Display) -> Error {
    Error::Forbidden(format!("The download link is invalid: {e}"))
}

/// `GET /download/backup?token=`: a single-use signed download of a local backup.
pub(crate) async fn download_backup(
    State(state): State<WingsState>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, Error> {
    let now = chrono::Utc::now().timestamp();
    let claims: BackupDownloadClaims =
        aerie_jwt::verify(&q.token, state.jwt_key(), now).map_err(bad_token)?;
    if !state
        .used_tokens()
        .claim(&claims.unique_id, claims.exp, now)
    {
        return Err(bad_token("it has already been used"));
    }
    find(&state, &claims.server_uuid)?;
    let path = local::find(
        backup::backup_dir(state.manager.context()),
        &claims.backup_uuid,
    )
    .ok_or_else(|| Error::NotFound("The requested backup was not found on this node.".into()))?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(Error::internal)?;
    let size = file.metadata().await.map_err(Error::internal)?.len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let body = futures_util::stream::unfold(
        (file, vec![0u8; 64 * 1024]),
        |(mut f, mut buf)| async move {
            match f.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    let chunk = buf[..n].to_vec();
                    Some((Ok::<_, std::io::Error>(chunk), (f, buf)))
                }
                Err(e) => Some((Err(e), (f, buf))),
            }
        },
    );
    let mut resp = Response::new(Body::from_stream(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    // The name is a validated UUID plus our extension: nothing to escape.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
