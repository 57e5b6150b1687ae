//! `/api/servers/{uuid}/files/*` (Pterodactyl Wings file routes) and the signed
//! `/download/file` + `/upload/file` URLs. Every path goes through the server's
//! [`aerie_fs::Jail`]; bodies are streamed, never buffered whole.

use std::io::Write;
use std::sync::Arc;

use aerie_http::Error;
use aerie_proto::wings::{
    ChmodRequest, CopyRequest, CreateDirectoryRequest, FileDownloadClaims, FileUploadClaims,
    FilesRequest, RenameRequest,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;

use super::auth::NodeAuth;
use super::servers::find;
use crate::WingsState;
use crate::server::Server;

/// Largest file `contents` returns inline (without `download=1`).
const CONTENTS_CAP: u64 = 32 * 1024 * 1024;

/// Maps a jail error to the HTTP error, in one place.
pub(crate) fn fs_err(e: aerie_fs::Error) -> Error {
    match e.status_hint() {
        404 => Error::NotFound(e.to_string()),
        403 => Error::Forbidden(e.to_string()),
        409 => Error::Conflict(e.to_string()),
        400 => Error::BadRequest(e.to_string()),
        _ => Error::internal(e),
    }
}

fn join(root: &str, name: &str) -> String {
    if name.starts_with('/') || root.is_empty() {
        return name.to_owned();
    }
    format!("{}/{}", root.trim_end_matches('/'), name)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, aerie_fs::Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(Error::internal)?
        .map_err(fs_err)
}

fn jail(server: &Arc<Server>) -> Result<Arc<aerie_fs::Jail>, Error> {
    server.jail().map_err(fs_err)
}

fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, Error> {
    body.map(|Json(b)| b)
        .map_err(|e| Error::validation("body", "json", e.body_text()))
}

#[derive(Deserialize)]
pub(crate) struct FileQuery {
    #[serde(default)]
    file: String,
    #[serde(default)]
    download: Option<String>,
    #[serde(default)]
    directory: Option<String>,
}

pub(crate) async fn list_directory(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    Query(q): Query<FileQuery>,
) -> Result<Response, Error> {
    let j = jail(&find(&state, &uuid)?)?;
    let dir = q.directory.unwrap_or_else(|| "/".into());
    let list = blocking(move || j.list(&dir)).await?;
    Ok(Json(list).into_response())
}

/// Streams a file in 64 KiB chunks from a blocking reader.
fn stream_file(file: std::fs::File) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = file;
        loop {
            // A fresh 1 MiB buffer per chunk, handed over without copying.
            let mut buf = vec![0u8; 1 << 20];
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(buf)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    Body::from_stream(tokio_stream_from(rx))
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

async fn file_response(
    server: &Arc<Server>,
    path: String,
    download: bool,
) -> Result<Response, Error> {
    let j = jail(server)?;
    let p = path.clone();
    let (file, stat) = blocking(move || {
        let st = j.stat(&p)?;
        Ok((j.open_read(&p)?, st))
    })
    .await?;
    if !download && stat.size > CONTENTS_CAP {
        return Err(Error::BadRequest(format!(
            "The file is too large to open in the editor ({} MiB, the limit is {} MiB); download it instead.",
            stat.size / (1024 * 1024),
            CONTENTS_CAP / (1024 * 1024)
        )));
    }
    let mut resp = Response::new(stream_file(file));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(stat.size));
    h.insert(
        "x-mime-type",
        HeaderValue::from_str(&stat.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if download {
        let name = stat.name.replace(['"', '\\', '\r', '\n'], "_");
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    } else {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    Ok(resp)
}

pub(crate) async fn get_contents(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    Query(q): Query<FileQuery>,
) -> Result<Response, Error> {
    let server = find(&state, &uuid)?;
    let download = q
        .download
        .as_deref()
        .is_some_and(|d| d == "1" || d == "true");
    file_response(&server, q.file, download).await
}

pub(crate) async fn post_write(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    Query(q): Query<FileQuery>,
    request: axum::extract::Request,
) -> Result<Response, Error> {
    let server = find(&state, &uuid)?;
    if q.file.is_empty() {
        return Err(Error::validation(
            "file",
            "required",
            "The file query parameter is required.",
        ));
    }
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A large HTTP/1 body of known length is read from the socket directly (see
    // `aerie_http::Tap`): about twice the throughput of taking it chunk by chunk from hyper.
    let tap = parts
        .extensions
        .get::<axum::extract::ConnectInfo<aerie_http::Peer>>()
        .map(|info| info.0.tap.clone());
    match (tap, declared) {
        (Some(tap), Some(len))
            if len >= RAW_UPLOAD_MIN
                && parts.version <= axum::http::Version::HTTP_11
                && !headers.contains_key(header::TRANSFER_ENCODING) =>
        {
            write_raw(&server, &q.file, len, &tap, body).await
        }
        _ => {
            write_stream(&server, &q.file, declared, body.into_data_stream()).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    }
}

/// Uploads from this size up are read from the socket directly.
const RAW_UPLOAD_MIN: u64 = 1 << 20;

/// How long an upload may send nothing before it is abandoned.
const UPLOAD_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// Writes a body of `len` bytes read straight from the connection to `path`. The disk limit
/// is checked against `len` before the old file is touched.
async fn write_raw(
    server: &Arc<Server>,
    path: &str,
    len: u64,
    tap: &aerie_http::Tap,
    body: Body,
) -> Result<Response, Error> {
    let j = jail(server)?;
    let p = path.to_owned();
    let mut writer = blocking(move || j.create_write_sized(&p, len)).await?;
    let raw = tap.raw_body(body, len).await.map_err(interrupted)?;
    let keeps_connection = raw.is_whole();
    let writer =
        tokio::task::spawn_blocking(move || raw.copy_to(&mut writer, UPLOAD_IDLE).map(|_| writer))
            .await
            .map_err(Error::internal)?
            .map_err(|e| match e {
                aerie_http::CopyError::Read(e) => interrupted(e),
                aerie_http::CopyError::Write(e) => fs_err(aerie_fs::Error::from_io(e)),
            })?;
    writer.finish().map_err(fs_err)?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if !keeps_connection {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(resp)
}

/// 400 for an upload body that stopped arriving (or could not be read).
fn interrupted(e: impl std::fmt::Display) -> Error {
    Error::BadRequest(format!("the upload was interrupted: {e}"))
}

/// Writes a byte stream to `path` through the jail. With a declared length the disk limit
/// is checked before the old file is touched; either way it is never exceeded.
async fn write_stream<S, E>(
    server: &Arc<Server>,
    path: &str,
    declared: Option<u64>,
    mut stream: S,
) -> Result<u64, Error>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let j = jail(server)?;
    let p = path.to_owned();
    let writer = blocking(move || match declared {
        Some(len) => j.create_write_sized(&p, len),
        None => j.create_write(&p, true),
    })
    .await?;
    // Receiving and writing overlap: this task gathers network chunks into ~1 MiB batches
    // (kept as the `Bytes` hyper produced, no copy) and a blocking thread writes them while
    // the next batch arrives. Two batches in flight bound the memory per upload.
    const BATCH: usize = 1 << 20;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<axum::body::Bytes>>(2);
    let write_task = tokio::task::spawn_blocking(move || {
        let mut writer = writer;
        while let Some(batch) = rx.blocking_recv() {
            for chunk in &batch {
                writer.write_all(chunk).map_err(aerie_fs::Error::from_io)?;
            }
        }
        writer.finish()
    });
    let mut batch: Vec<axum::body::Bytes> = Vec::new();
    let mut batched = 0usize;
    let mut failure = None;
    loop {
        let next = stream.next().await;
        let done = next.is_none();
        match next {
            Some(Ok(chunk)) => {
                batched += chunk.len();
                batch.push(chunk);
            }
            Some(Err(e)) => {
                failure = Some(interrupted(e));
                break;
            }
            None => {}
        }
        if (batched >= BATCH || done) && !batch.is_empty() {
            batched = 0;
            // A closed channel means the writer stopped on an error; it is reported below.
            if tx.send(std::mem::take(&mut batch)).await.is_err() {
                break;
            }
        }
        if done {
            break;
        }
    }
    drop(tx);
    let written = write_task.await.map_err(Error::internal)?;
    if let Some(e) = failure {
        return Err(e);
    }
    written.map_err(fs_err)
}

pub(crate) async fn put_rename(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<RenameRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let req = json_body(body)?;
    if req.files.is_empty() {
        return Err(Error::validation(
            "files",
            "required",
            "No files to move or rename were provided.",
        ));
    }
    let j = jail(&find(&state, &uuid)?)?;
    blocking(move || {
        for f in &req.files {
            j.rename(&join(&req.root, &f.from), &join(&req.root, &f.to))?;
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_copy(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<CopyRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let req = json_body(body)?;
    let j = jail(&find(&state, &uuid)?)?;
    blocking(move || j.copy(&req.location)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_delete(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<FilesRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let req = json_body(body)?;
    let j = jail(&find(&state, &uuid)?)?;
    blocking(move || {
        for f in &req.files {
            j.remove(&join(&req.root, f))?;
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_create_directory(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<CreateDirectoryRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let req = json_body(body)?;
    if req.name.is_empty() || req.name.contains('/') {
        return Err(Error::validation(
            "name",
            "regex",
            "The directory name must be a single, non-empty name.",
        ));
    }
    let j = jail(&find(&state, &uuid)?)?;
    blocking(move || j.create_dir_all(&join(&req.path, &req.name))).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reads a chmod mode: an octal string (`"755"`), or a number whose digits are octal.
fn parse_mode(v: &serde_json::Value) -> Option<u32> {
    let digits = match v {
        serde_json::Value::String(s) => s.trim().to_owned(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    u32::from_str_radix(&digits, 8).ok()
}

pub(crate) async fn post_chmod(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<ChmodRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let req = json_body(body)?;
    let mut changes = Vec::new();
    for f in &req.files {
        let mode = parse_mode(&f.mode).ok_or_else(|| {
            Error::BadRequest(format!(
                "Invalid file mode `{}` for {}: use octal digits such as 644.",
                f.mode, f.file
            ))
        })?;
        changes.push((join(&req.root, &f.file), mode));
    }
    let j = jail(&find(&state, &uuid)?)?;
    blocking(move || {
        for (p, m) in &changes {
            j.chmod(p, *m)?;
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: String,
    #[serde(default)]
    directory: Option<String>,
}

fn bad_token(e: impl std::fmt::Display) -> Error {
    Error::Forbidden(format!("The download or upload link is invalid: {e}"))
}

/// `GET /download/file?token=`: single-use signed download.
pub(crate) async fn download_file(
    State(state): State<WingsState>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, Error> {
    let now = crate::now_secs();
    let claims: FileDownloadClaims =
        aerie_jwt::verify(&q.token, state.jwt_key(), now).map_err(bad_token)?;
    if !state
        .used_tokens()
        .claim(&claims.unique_id, claims.exp, now)
    {
        return Err(bad_token("it has already been used"));
    }
    let server = find(&state, &claims.server_uuid)?;
    file_response(&server, claims.file_path, true).await
}

/// `POST /upload/file?token=&directory=`: multipart field `files`, repeatable, each within
/// the node's upload limit.
pub(crate) async fn upload_file(
    State(state): State<WingsState>,
    Query(q): Query<TokenQuery>,
    mut multipart: Multipart,
) -> Result<StatusCode, Error> {
    let now = crate::now_secs();
    let claims: FileUploadClaims =
        aerie_jwt::verify(&q.token, state.jwt_key(), now).map_err(bad_token)?;
    if !state
        .used_tokens()
        .claim(&claims.unique_id, claims.exp, now)
    {
        return Err(bad_token("it has already been used"));
    }
    let server = find(&state, &claims.server_uuid)?;
    let dir = q.directory.unwrap_or_else(|| "/".into());
    let limit = state.upload_limit_bytes();
    let mut count = 0;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| Error::BadRequest(format!("invalid upload: {e}")))?
    {
        if field.name() != Some("files") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let name = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_owned();
        if name.is_empty() || name == "." || name == ".." {
            return Err(Error::BadRequest(
                "An uploaded file has no usable name.".into(),
            ));
        }
        let path = join(&dir, &name);
        let limited = field.map(move |c| c.map_err(|e| e.to_string()));
        let written = write_stream(&server, &path, None, LimitStream::new(limited, limit)).await?;
        tracing::debug!(server.uuid = %server.uuid(), file = %path, bytes = written, "uploaded");
        count += 1;
    }
    if count == 0 {
        return Err(Error::validation(
            "files",
            "required",
            "No files were uploaded.",
        ));
    }
    Ok(StatusCode::OK)
}

/// Ends an upload stream with an error once it passes `limit` bytes.
struct LimitStream<S> {
    inner: S,
    seen: u64,
    limit: u64,
}

impl<S> LimitStream<S> {
    fn new(inner: S, limit: u64) -> Self {
        Self {
            inner,
            seen: 0,
            limit,
        }
    }
}

impl<S> futures_util::Stream for LimitStream<S>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, String>> + Unpin,
{
    type Item = Result<axum::body::Bytes, String>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.inner).poll_next(cx) {
            std::task::Poll::Ready(Some(Ok(b))) => {
                this.seen += b.len() as u64;
                if this.limit > 0 && this.seen > this.limit {
                    return std::task::Poll::Ready(Some(Err(format!(
                        "the file is larger than the upload limit of {} MiB",
                        this.limit / (1024 * 1024)
                    ))));
                }
                std::task::Poll::Ready(Some(Ok(b)))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn modes_are_read_as_octal_from_strings_and_numbers() {
        use serde_json::json;
        assert_eq!(super::parse_mode(&json!("755")), Some(0o755));
        assert_eq!(super::parse_mode(&json!(600)), Some(0o600));
        assert_eq!(super::parse_mode(&json!("0644")), Some(0o644));
        assert_eq!(super::parse_mode(&json!("999")), None);
        assert_eq!(super::parse_mode(&json!("rwx")), None);
        assert_eq!(super::parse_mode(&json!(true)), None);
        assert_eq!(super::join("/a/", "b"), "/a/b");
        assert_eq!(super::join("", "b"), "b");
    }
}
