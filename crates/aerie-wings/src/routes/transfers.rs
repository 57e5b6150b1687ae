//! Transfers between nodes: the source side (`/api/servers/{uuid}/transfer`) and the target
//! side (`/api/transfers`). See [`crate::transfer`].

use std::sync::Arc;
use std::time::Duration;

use aerie_http::Error;
use aerie_proto::wings::{PowerAction, ProcessState};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::auth::NodeAuth;
use super::files::fs_err;
use super::servers::find;
use crate::WingsState;
use crate::server::Server;
use crate::transfer::{self, TransferClaims, TransferRequest};

pub(crate) async fn post_transfer(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<TransferRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let Json(req) = body.map_err(|e| Error::validation("url", "required", e.body_text()))?;
    let server = find(&state, &uuid)?;
    let url = url::Url::parse(&req.url).map_err(|e| {
        Error::validation("url", "url", format!("The target URL is not valid: {e}"))
    })?;
    if server.is_installing() {
        return Err(Error::Conflict(
            "The server is installing and cannot be transferred.".into(),
        ));
    }
    let cancel = state.transfers().begin_outgoing(&uuid).ok_or_else(|| {
        Error::Conflict("A transfer of this server is already in progress.".into())
    })?;
    let st = state.clone();
    tokio::spawn(async move {
        transfer::status(&server, "processing");
        match send(&server, url, &req.token, cancel).await {
            Ok(()) => {
                transfer::log(
                    &server,
                    "The archive was received by the target node; waiting for the panel to finish.",
                );
            }
            Err(e) => {
                tracing::warn!(server.uuid = %server.uuid(), error.message = %e, "outgoing transfer failed");
                transfer::log(&server, &format!("Transfer failed: {e}"));
                transfer::status(&server, "failed");
                // Tell the panel too (as Wings does), so it frees the target's allocations
                // instead of showing a transfer that will never finish.
                if let Some(panel) = st.manager.context().panel.clone()
                    && let Err(e) = panel.set_transfer_status(server.uuid(), false).await
                {
                    tracing::warn!(server.uuid = %server.uuid(), error.message = %e, "could not report the failed transfer to the panel");
                }
            }
        }
        st.transfers().end(server.uuid());
    });
    Ok(StatusCode::ACCEPTED)
}

async fn send(
    server: &Arc<Server>,
    url: url::Url,
    token: &str,
    cancel: Arc<std::sync::atomic::AtomicBool>,
) -> Result<(), String> {
    if server.state() != ProcessState::Offline {
        transfer::log(server, "Stopping the server before the transfer.");
        server
            .power(PowerAction::Stop, Some(Duration::from_secs(30)))
            .await
            .map_err(|e| e.to_string())?;
    }
    let jail = server.jail().map_err(|e| e.to_string())?;
    transfer::log(server, "Streaming the server's files to the target node.");
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(16);
    let (sum_tx, sum_rx) = tokio::sync::oneshot::channel::<Result<String, String>>();
    let c = cancel.clone();
    let me = server.clone();
    let progress = Box::new(move |sent: u64| {
        transfer::log(
            &me,
            &format!(
                "Sent {:.1} MiB of compressed data.",
                sent as f64 / 1_048_576.0
            ),
        )
    });
    tokio::task::spawn_blocking(move || {
        let r = transfer::stream_volume(&jail, tx, c, progress).map_err(|e| e.to_string());
        let _ = sum_tx.send(r);
    });
    let archive = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let checksum = futures_util::stream::once(async move {
        match sum_rx.await {
            Ok(Ok(sum)) => Ok::<_, std::io::Error>(sum.into_bytes()),
            Ok(Err(e)) => Err(std::io::Error::other(e)),
            Err(_) => Err(std::io::Error::other("the archive writer stopped")),
        }
    });
    let form = reqwest::multipart::Form::new()
        .part(
            "archive",
            reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(archive))
                .file_name("archive.tar.gz")
                .mime_str("application/x-gzip")
                .map_err(|e| e.to_string())?,
        )
        .part(
            "checksum",
            reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(checksum)),
        );
    let resp = reqwest::Client::new()
        .post(url)
        .header(reqwest::header::AUTHORIZATION, token)
        .multipart(form)
        .send()
        .await
        .map_err(|e| format!("cannot reach the target node: {}", e.without_url()))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        return Err(format!(
            "the target node answered {status}: {}",
            body.chars().take(300).collect::<String>()
        ));
    }
    Ok(())
}

pub(crate) async fn delete_transfer(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, Error> {
    find(&state, &uuid)?;
    if !state.transfers().cancel_outgoing(&uuid) {
        return Err(Error::NotFound(
            "No transfer of this server is in progress.".into(),
        ));
    }
    Ok(StatusCode::ACCEPTED)
}

pub(crate) async fn delete_incoming(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, Error> {
    if !state.transfers().cancel_incoming(&uuid) {
        return Err(Error::NotFound(
            "No incoming transfer of this server is in progress.".into(),
        ));
    }
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/transfers` on the target node.
pub(crate) async fn receive_transfer(
    State(state): State<WingsState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<StatusCode, Error> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Error::Unauthenticated)?;
    let claims: TransferClaims =
        aerie_jwt::verify(token.trim(), state.jwt_key(), crate::now_secs())
            .map_err(|e| Error::Forbidden(format!("The transfer token was refused: {e}")))?;
    let uuid = claims.sub.clone();
    if state.manager.get(&uuid).is_some() {
        return Err(Error::Conflict(
            "The server already exists on this node.".into(),
        ));
    }
    let cancel = state.transfers().begin_incoming(&uuid).ok_or_else(|| {
        Error::Conflict("A transfer of this server is already being received.".into())
    })?;
    let result = receive(&state, &uuid, multipart, cancel).await;
    let panel = state.manager.context().panel.clone();
    let ok = result.is_ok();
    if !ok {
        let _ = state.manager.delete(&uuid).await;
    }
    if let Some(panel) = panel
        && let Err(e) = panel.set_transfer_status(&uuid, ok).await
    {
        tracing::warn!(server.uuid = %uuid, error.message = %e, "could not report the transfer result to the panel");
    }
    state.transfers().end(&uuid);
    result.map(|()| StatusCode::OK)
}

async fn receive(
    state: &WingsState,
    uuid: &str,
    mut multipart: Multipart,
    cancel: Arc<std::sync::atomic::AtomicBool>,
) -> Result<(), Error> {
    let panel = state.manager.context().panel.clone().ok_or_else(|| {
        Error::Unavailable("this node has no panel to fetch the server from".into())
    })?;
    let mut cfg = panel
        .get_server(uuid)
        .await
        .map_err(|e| Error::BadGateway(format!("the panel did not return the server: {e}")))?;
    if cfg.settings.uuid.is_empty() {
        cfg.settings.uuid = uuid.to_owned();
    }
    let server = state.manager.adopt(cfg).map_err(Error::Conflict)?;
    // This node does not know the server, so anything in its directory is left over from an
    // earlier transfer that died half-way (wings killed mid-stream): start clean.
    let volume = server.volume();
    if volume.exists() {
        tracing::info!(server.uuid = %uuid, path = %volume.display(), "removing leftovers of an interrupted transfer");
        tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&volume))
            .await
            .map_err(Error::internal)?
            .map_err(|e| {
                Error::internal(format!(
                    "cannot clear the leftovers of an earlier transfer: {e}"
                ))
            })?;
    }
    let jail = server.jail().map_err(fs_err)?;
    let name = format!(
        ".aerie-transfer-{}.tar.gz",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let mut hash = Sha256::new();
    let mut have_archive = false;
    let mut checksum = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| Error::BadRequest(format!("invalid transfer body: {e}")))?
    {
        match field.name() {
            Some("archive") => {
                let j = jail.clone();
                let n = name.clone();
                let mut writer = tokio::task::spawn_blocking(move || j.create_write(&n, true))
                    .await
                    .map_err(Error::internal)?
                    .map_err(fs_err)?;
                while let Some(chunk) = field.next().await {
                    if cancel.load(std::sync::atomic::Ordering::SeqCst) {
                        return Err(Error::Conflict("The transfer was cancelled.".into()));
                    }
                    let chunk = chunk
                        .map_err(|e| Error::BadRequest(format!("the archive stream broke: {e}")))?;
                    hash.update(&chunk);
                    writer = tokio::task::spawn_blocking(move || {
                        use std::io::Write;
                        writer.write_all(&chunk).map(|()| writer)
                    })
                    .await
                    .map_err(Error::internal)?
                    .map_err(|e| fs_err(aerie_fs::Error::from_io(e)))?;
                }
                tokio::task::spawn_blocking(move || writer.finish())
                    .await
                    .map_err(Error::internal)?
                    .map_err(fs_err)?;
                have_archive = true;
            }
            Some("checksum") => {
                checksum = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| Error::BadRequest(format!("invalid checksum: {e}")))?
                        .trim()
                        .to_lowercase(),
                );
            }
            _ => {}
        }
    }
    let cleanup = |j: Arc<aerie_fs::Jail>, n: String| async move {
        let _ = tokio::task::spawn_blocking(move || j.remove(&n)).await;
    };
    if !have_archive {
        return Err(Error::BadRequest(
            "The transfer contained no archive.".into(),
        ));
    }
    let computed = hex::encode(hash.finalize());
    if checksum.as_deref() != Some(computed.as_str()) {
        cleanup(jail.clone(), name.clone()).await;
        return Err(Error::BadRequest(
            "The archive's checksum does not match: it was damaged on the way.".into(),
        ));
    }
    let j = jail.clone();
    let n = name.clone();
    let unpacked = tokio::task::spawn_blocking(move || {
        let limits = aerie_archive::Limits::for_jail(&j);
        aerie_archive::decompress(&j, "/", &n, limits)
    })
    .await
    .map_err(Error::internal)?;
    cleanup(jail.clone(), name).await;
    unpacked.map_err(|e| Error::BadRequest(format!("The archive could not be unpacked: {e}")))?;
    let _ = tokio::task::spawn_blocking(move || jail.rescan()).await;
    tracing::info!(server.uuid = %uuid, "incoming transfer complete");
    Ok(())
}
