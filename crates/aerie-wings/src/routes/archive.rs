//! `POST /api/servers/{uuid}/files/compress` and `files/decompress` (Pterodactyl Wings archive
//! routes), made and unpacked only through the server's jail by [`aerie_archive`].
//!
//! - **compress** `{root, files[], format?}` → 200 with the `Stat` JSON of the new archive
//!   (`archive-<date>T<time>.tar.gz` in `root`, mime `application/tar+gzip` as Wings reports
//!   it); 409 when the archive would pass the disk limit (the partial archive is deleted).
//!   `format` is an extension beyond Wings, which only writes tar.gz: `"tar.gz"` (default),
//!   `"zip"` or `"tar.zst"`.
//! - **decompress** `{root, file}` → 204; 400 for an unknown format, a damaged archive, or an
//!   entry escaping `root` (zip-slip); 409 when a limit is hit: the server's free disk space
//!   (10 GiB for servers without a disk limit), an expansion of more than 1000 times the
//!   archive's size, or more than 500,000 entries ([`Limits::for_jail`]). A refused archive
//!   leaves the volume as it was.

use std::sync::Arc;

use aerie_archive::{Format, Limits};
use aerie_http::Error;
use aerie_proto::wings::DecompressRequest;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::NodeAuth;
use super::files::fs_err;
use super::servers::find;
use crate::WingsState;
use crate::server::Server;

/// `files/compress` body: Wings' `{root, files}` plus an optional `format`.
#[derive(Debug, Deserialize)]
pub(crate) struct CompressRequest {
    #[serde(default)]
    root: String,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    format: Option<String>,
}

/// Maps an archive error to the HTTP error by its status hint; host failures are logged once
/// at the boundary and shown as a generic sentence.
fn archive_err(e: aerie_archive::Error) -> Error {
    match e {
        aerie_archive::Error::Fs(e) => fs_err(e),
        e => match e.status_hint() {
            400 => Error::BadRequest(e.to_string()),
            403 => Error::Forbidden(e.to_string()),
            404 => Error::NotFound(e.to_string()),
            409 => Error::Conflict(e.to_string()),
            _ => Error::internal(e),
        },
    }
}

/// Runs archive work on the blocking pool.
async fn run<T: Send + 'static>(
    f: impl FnOnce() -> aerie_archive::Result<T> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(Error::internal)?
        .map_err(archive_err)
}

fn jail(server: &Arc<Server>) -> Result<Arc<aerie_fs::Jail>, Error> {
    server.jail().map_err(fs_err)
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Error> {
    body.map(|Json(b)| b)
        .map_err(|e| Error::validation("body", "json", e.body_text()))
}

/// `POST /api/servers/{uuid}/files/compress`.
pub(crate) async fn post_compress(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<CompressRequest>, JsonRejection>,
) -> Result<Response, Error> {
    let req = json_body(body)?;
    if req.files.is_empty() {
        return Err(Error::validation(
            "files",
            "required",
            "No files to compress were provided.",
        ));
    }
    let format = match req.format.as_deref().map(str::trim) {
        None | Some("") => Format::TarGz,
        Some(f) => Format::parse(f).ok_or_else(|| {
            Error::validation(
                "format",
                "in",
                "The archive format must be one of tar.gz, zip or tar.zst.",
            )
        })?,
    };
    let j = jail(&find(&state, &uuid)?)?;
    let stat = run(move || {
        let path = aerie_archive::compress(&j, &req.root, &req.files, format)?;
        let mut stat = j.stat(&path)?;
        stat.mime = format.mime().to_owned();
        Ok(stat)
    })
    .await?;
    tracing::info!(server.uuid = %uuid, archive = %stat.name, bytes = stat.size, "files compressed");
    Ok(Json(stat).into_response())
}

/// `POST /api/servers/{uuid}/files/decompress`.
pub(crate) async fn post_decompress(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<DecompressRequest>, JsonRejection>,
) -> Result<StatusCode, Error> {
    let req = json_body(body)?;
    if req.file.trim().is_empty() {
        return Err(Error::validation(
            "file",
            "required",
            "The archive to decompress is required.",
        ));
    }
    let j = jail(&find(&state, &uuid)?)?;
    let file = req.file.clone();
    let bytes =
        run(move || aerie_archive::decompress(&j, &req.root, &req.file, Limits::for_jail(&j)))
            .await?;
    tracing::info!(server.uuid = %uuid, archive = %file, bytes, "archive decompressed");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_errors_map_to_wings_statuses() {
        let status = |e: aerie_archive::Error| match archive_err(e) {
            Error::BadRequest(_) => 400,
            Error::NotFound(_) => 404,
            Error::Forbidden(_) => 403,
            Error::Conflict(_) => 409,
            Error::Internal(_) => 500,
            _ => 0,
        };
        assert_eq!(status(aerie_archive::Error::UnknownFormat), 400);
        assert_eq!(
            status(aerie_archive::Error::UnsafeEntry {
                entry: "../x".into()
            }),
            400
        );
        assert_eq!(
            status(aerie_archive::Error::RatioExceeded { ratio: 1000 }),
            409
        );
        assert_eq!(status(aerie_archive::Error::TooLarge { limit: 1 }), 409);
        assert_eq!(
            status(aerie_archive::Error::Fs(aerie_fs::Error::NotFound)),
            404
        );
        assert_eq!(
            status(aerie_archive::Error::Entry {
                entry: "a".into(),
                source: aerie_fs::Error::DiskLimit {
                    limit: 1,
                    needed: 1
                }
            }),
            409
        );
        assert_eq!(
            status(aerie_archive::Error::Io(std::io::Error::other("x"))),
            500
        );
    }
}
