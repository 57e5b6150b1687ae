//! `/servers/{server}/files/*`: every file route of Pterodactyl's `FileController` and
//! `FileUploadController`, proxied to the node's wings (`/api/servers/{uuid}/files/*`)
//! with the request shapes our wings accepts. Downloads and uploads are signed, single-use
//! URLs the browser takes straight to wings.

use std::collections::HashMap;

use aerie_http::Error;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Fields, Origin, now_secs};
use crate::AppState;
use crate::access::ServerAccess;
use crate::api::schemas::{
    BadGateway, ClientBadRequest, ClientServerErrors, CsrfMismatch, FileChmodBody, FileCopyBody,
    FileCreateFolderBody, FileDecompressBody, FileListBody, FileObjectItem, FileObjectList,
    FilePullBody, FileRenameBody, PayloadTooLarge, ServiceUnavailable, SignedUrlItem,
    ValidationFailed,
};
use crate::api::{Decision, Item, JsonBody, List, MAX_BODY_BYTES, no_content};
use crate::services::client_servers::{self as svc, ClientError, MAX_EDIT_SIZE};
use crate::services::wings::WingsClient;

type Params = Query<HashMap<String, String>>;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_files,
    get_contents,
    get_download,
    get_upload,
    rename_files,
    copy_file,
    write_file,
    compress_files,
    decompress_file,
    delete_files,
    create_folder,
    chmod_files,
    pull_file
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(super) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// `/api/servers/{uuid}/files/{op}` with an encoded query string.
fn wings_path(uuid: &str, op: &str, query: &[(&str, &str)]) -> String {
    let mut path = format!("/api/servers/{uuid}/files/{op}");
    if !query.is_empty() {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in query {
            ser.append_pair(k, v);
        }
        path.push('?');
        path.push_str(&ser.finish());
    }
    path
}

async fn wings(state: &AppState, access: &ServerAccess) -> Result<WingsClient, Error> {
    svc::wings_for(&state.db, &access.server).await
}

/// A required query parameter (Laravel's `required|string`).
fn required_param(params: &HashMap<String, String>, name: &str) -> Result<String, Error> {
    params
        .get(name)
        .filter(|v| !v.trim().is_empty())
        .cloned()
        .ok_or_else(|| {
            Error::validation(name, "required", format!("The {name} field is required."))
        })
}

/// PHP's `rawurldecode`, which Pterodactyl applies to the already decoded `file` before it
/// signs a download (so a client that encodes twice still names the right file).
fn raw_url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

fn root_of(fields: &Fields<'_>) -> Result<String, Error> {
    Ok(fields
        .optional_string("root")?
        .unwrap_or_else(|| "/".to_owned()))
}

/// List a directory.
///
/// `GET /servers/{server}/files/list?directory=` → the directory's entries as
/// `file_object` items, as wings lists them. Needs `file.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/files/list",
    tag = "files",
    operation_id = "client_list_files",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("directory" = Option<String>, Query, description = "The directory, from the server's root (default `/`)."),
    ),
    responses(
        (status = 200, description = "The directory's entries.", body = FileObjectList),
        (status = 400, response = ClientBadRequest),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_files(
    access: ServerAccess,
    State(state): State<AppState>,
    Query(params): Params,
) -> Result<Response, Error> {
    access.require("file.read")?;
    let directory = params
        .get("directory")
        .filter(|d| !d.is_empty())
        .cloned()
        .unwrap_or_else(|| "/".to_owned());
    let stats: Vec<Value> = wings(&state, &access)
        .await?
        .request_json(
            Method::GET,
            &wings_path(
                &access.server.uuid,
                "list-directory",
                &[("directory", &directory)],
            ),
            None,
        )
        .await?;
    let items = stats
        .iter()
        .map(|s| Item::new("file_object", svc::file_object_attributes(s)));
    Ok(List::new(items).into_response())
}

fn too_large() -> ClientError {
    ClientError::display(
        "FileSizeTooLargeException",
        "The file you are attempting to open is too large to view in the file editor.",
    )
}

/// Read a file.
///
/// `GET /servers/{server}/files/contents?file=` → the raw file as `text/plain`, at most
/// 4 MiB (400 `FileSizeTooLargeException` beyond). Needs `file.read-content`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/files/contents",
    tag = "files",
    operation_id = "client_get_file_contents",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("file" = String, Query, description = "The file, from the server's root."),
    ),
    responses(
        (status = 200, description = "The file's contents, as stored (not necessarily UTF-8).", content_type = "text/plain", body = String),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_contents(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    Query(params): Params,
) -> Result<Response, ClientError> {
    access.require("file.read-content")?;
    let file = required_param(&params, "file")?;
    let mut resp = wings(&state, &access)
        .await?
        .request(
            Method::GET,
            &wings_path(&access.server.uuid, "contents", &[("file", &file)]),
            None,
        )
        .await?;
    if resp.content_length().is_some_and(|n| n > MAX_EDIT_SIZE) {
        return Err(too_large());
    }
    let mut bytes: Vec<u8> = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Error::BadGateway(format!("The file could not be read from the node: {e}")))?
    {
        if (bytes.len() + chunk.len()) as u64 > MAX_EDIT_SIZE {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.read",
        json!({"file": file}),
    )
    .await;
    let mut out = Response::new(Body::from(bytes));
    out.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(out)
}

/// Get a download link for a file.
///
/// `GET /servers/{server}/files/download?file=` →
/// `{"object":"signed_url","attributes":{"url"}}`: a single-use wings URL, valid 15
/// minutes. Needs `file.read-content`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/files/download",
    tag = "files",
    operation_id = "client_get_file_download",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("file" = String, Query, description = "The file, from the server's root."),
    ),
    responses(
        (status = 200, description = "A one-time download URL on the node.", body = SignedUrlItem),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_download(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    Query(params): Params,
) -> Result<Response, Error> {
    access.require("file.read-content")?;
    let file = required_param(&params, "file")?;
    let url = svc::download_url(
        &state.db,
        &state.url,
        &access,
        &raw_url_decode(&file),
        now_secs(),
    )
    .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.download",
        json!({"file": file}),
    )
    .await;
    Ok(Item::new("signed_url", json!({"url": url})).into_response())
}

/// Get an upload link.
///
/// `GET /servers/{server}/files/upload` → a signed URL for wings' `POST /upload/file`,
/// valid 15 minutes: post the files as `multipart/form-data` (`files` fields), adding
/// `&directory=` to choose where they go. Needs `file.create`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/files/upload",
    tag = "files",
    operation_id = "client_get_file_upload",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "A one-time upload URL on the node.", body = SignedUrlItem),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_upload(
    access: ServerAccess,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    access.require("file.create")?;
    let url = svc::upload_url(&state.db, &state.url, &access, now_secs()).await?;
    Ok(Item::new("signed_url", json!({"url": url})).into_response())
}

/// Rename or move files.
///
/// `PUT /servers/{server}/files/rename` `{root, files: [{from, to}]}` → 204. Needs
/// `file.update`.
#[utoipa::path(
    put,
    path = "/api/client/servers/{server}/files/rename",
    tag = "files",
    operation_id = "client_rename_files",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileRenameBody),
    responses(
        (status = 204, description = "Renamed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn rename_files(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.update")?;
    let fields = Fields(&body);
    let root = root_of(&fields)?;
    let Some(Value::Array(items)) = fields.value("files") else {
        return Err(Error::validation(
            "files",
            "required",
            "The files field is required.",
        ));
    };
    let mut files = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let empty = Map::new();
        let entry = Fields(item.as_object().unwrap_or(&empty));
        let from = entry.required_string("from").map_err(|_| {
            Error::validation(
                &format!("files.{i}.from"),
                "required",
                format!("The files.{i}.from field is required."),
            )
        })?;
        let to = entry.required_string("to").map_err(|_| {
            Error::validation(
                &format!("files.{i}.to"),
                "required",
                format!("The files.{i}.to field is required."),
            )
        })?;
        files.push(json!({"from": from, "to": to}));
    }
    let body = json!({"root": root, "files": files});
    wings(&state, &access)
        .await?
        .request(
            Method::PUT,
            &wings_path(&access.server.uuid, "rename", &[]),
            Some(&body),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.rename",
        json!({"directory": root, "files": files}),
    )
    .await;
    Ok(no_content())
}

/// Copy a file.
///
/// `POST /servers/{server}/files/copy` `{location}` → 204: the copy is written next to
/// the file with ` copy` in its name. Needs `file.create`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/copy",
    tag = "files",
    operation_id = "client_copy_file",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileCopyBody),
    responses(
        (status = 204, description = "Copied."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn copy_file(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.create")?;
    let location = Fields(&body).required_string("location")?;
    wings(&state, &access)
        .await?
        .request(
            Method::POST,
            &wings_path(&access.server.uuid, "copy", &[]),
            Some(&json!({"location": location})),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.copy",
        json!({"file": location}),
    )
    .await;
    Ok(no_content())
}

/// Write a file.
///
/// `POST /servers/{server}/files/write?file=` with the raw contents as the body → 204;
/// the file is created or replaced. Any content type is taken as bytes. Needs
/// `file.create`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/write",
    tag = "files",
    operation_id = "client_write_file",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("file" = String, Query, description = "The file, from the server's root."),
    ),
    request_body(content = String, content_type = "text/plain", description = "The new contents, as they are to be stored."),
    responses(
        (status = 204, description = "Written."),
        (status = 400, response = ClientBadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn write_file(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    Query(params): Params,
    body: Body,
) -> Result<Response, ClientError> {
    access.require("file.create")?;
    let file = required_param(&params, "file")?;
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ClientError::Display {
            code: "PostTooLargeException",
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: format!(
                "The request body is larger than the limit of {} MiB.",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        })?;
    wings(&state, &access)
        .await?
        .request_raw(
            Method::POST,
            &wings_path(&access.server.uuid, "write", &[("file", &file)]),
            reqwest::Body::from(bytes.to_vec()),
            "application/octet-stream",
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.write",
        json!({"file": file}),
    )
    .await;
    Ok(no_content())
}

/// Archive files.
///
/// `POST /servers/{server}/files/compress` `{root, files[]}` → the new `.tar.gz` archive
/// (in `root`) as a `file_object`. Needs `file.archive`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/compress",
    tag = "files",
    operation_id = "client_compress_files",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileListBody),
    responses(
        (status = 200, description = "The archive.", body = FileObjectItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn compress_files(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.archive")?;
    let fields = Fields(&body);
    let root = root_of(&fields)?;
    let files = fields.string_list("files")?;
    let stat: Value = wings(&state, &access)
        .await?
        .request_json(
            Method::POST,
            &wings_path(&access.server.uuid, "compress", &[]),
            Some(&json!({"root": root, "files": files})),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.compress",
        json!({"directory": root, "files": files}),
    )
    .await;
    Ok(Item::new("file_object", svc::file_object_attributes(&stat)).into_response())
}

/// Unpack an archive.
///
/// `POST /servers/{server}/files/decompress` `{root, file}` → 204: unpacked into `root`.
/// Needs `file.create`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/decompress",
    tag = "files",
    operation_id = "client_decompress_file",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileDecompressBody),
    responses(
        (status = 204, description = "Unpacked."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn decompress_file(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.create")?;
    let fields = Fields(&body);
    let root = root_of(&fields)?;
    let file = fields.required_string("file")?;
    wings(&state, &access)
        .await?
        .request(
            Method::POST,
            &wings_path(&access.server.uuid, "decompress", &[]),
            Some(&json!({"root": root, "file": file})),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.decompress",
        json!({"directory": root, "file": file}),
    )
    .await;
    Ok(no_content())
}

/// Delete files.
///
/// `POST /servers/{server}/files/delete` `{root, files[]}` → 204; directories go with
/// everything in them. Needs `file.delete`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/delete",
    tag = "files",
    operation_id = "client_delete_files",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileListBody),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_files(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.delete")?;
    let fields = Fields(&body);
    let root = root_of(&fields)?;
    let files = fields.string_list("files")?;
    wings(&state, &access)
        .await?
        .request(
            Method::POST,
            &wings_path(&access.server.uuid, "delete", &[]),
            Some(&json!({"root": root, "files": files})),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.delete",
        json!({"directory": root, "files": files}),
    )
    .await;
    Ok(no_content())
}

/// Create a directory.
///
/// `POST /servers/{server}/files/create-folder` `{root, name}` → 204. Needs
/// `file.create`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/create-folder",
    tag = "files",
    operation_id = "client_create_folder",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileCreateFolderBody),
    responses(
        (status = 204, description = "Created."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_folder(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.create")?;
    let fields = Fields(&body);
    let root = root_of(&fields)?;
    let name = fields.required_string("name")?;
    wings(&state, &access)
        .await?
        .request(
            Method::POST,
            &wings_path(&access.server.uuid, "create-directory", &[]),
            Some(&json!({"name": name, "path": root})),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.create-directory",
        json!({"directory": root, "name": name}),
    )
    .await;
    Ok(no_content())
}

/// A chmod `mode`: digits, given as a number (`755`) or a string (`"755"`).
fn mode_digits(v: Option<&Value>) -> Option<String> {
    let digits = match v? {
        Value::Number(n) => n.as_u64()?.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Change file modes.
///
/// `POST /servers/{server}/files/chmod` `{root, files: [{file, mode}]}` → 204; modes reach
/// wings as octal digit strings. Needs `file.update`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/chmod",
    tag = "files",
    operation_id = "client_chmod_files",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FileChmodBody),
    responses(
        (status = 204, description = "Changed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn chmod_files(
    access: ServerAccess,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.update")?;
    let fields = Fields(&body);
    let root = root_of(&fields)?;
    let Some(Value::Array(items)) = fields.value("files") else {
        return Err(Error::validation(
            "files",
            "required",
            "The files field is required.",
        ));
    };
    let mut files = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let empty = Map::new();
        let entry = Fields(item.as_object().unwrap_or(&empty));
        let file = entry.required_string("file").map_err(|_| {
            Error::validation(
                &format!("files.{i}.file"),
                "required",
                format!("The files.{i}.file field is required."),
            )
        })?;
        let mode = mode_digits(entry.value("mode")).ok_or_else(|| {
            Error::validation(
                &format!("files.{i}.mode"),
                "numeric",
                format!("The files.{i}.mode must be a number."),
            )
        })?;
        files.push(json!({"file": file, "mode": mode}));
    }
    wings(&state, &access)
        .await?
        .request(
            Method::POST,
            &wings_path(&access.server.uuid, "chmod", &[]),
            Some(&json!({"root": root, "files": files})),
        )
        .await?;
    Ok(no_content())
}

/// Download a file from a URL to the server.
///
/// `POST /servers/{server}/files/pull` `{url, directory?, filename?, use_header?,
/// foreground?}` → 204; wings downloads it. Needs `file.create`; 10 per server per 5
/// minutes (429).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/files/pull",
    tag = "files",
    operation_id = "client_pull_file",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = FilePullBody),
    responses(
        (status = 204, description = "The download started (or, with `foreground`, finished)."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn pull_file(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("file.create")?;
    if let Decision::Limited { retry_after, .. } =
        state.client_servers.pull_limiter.hit(&access.server.uuid)
    {
        return Err(Error::TooManyRequests { retry_after });
    }
    let fields = Fields(&body);
    let url = fields.required_string("url")?;
    if reqwest::Url::parse(&url)
        .ok()
        .filter(|u| u.host_str().is_some())
        .is_none()
    {
        return Err(Error::validation(
            "url",
            "url",
            "The url must be a valid URL.",
        ));
    }
    let directory = fields.optional_string("directory")?;
    let filename = fields.optional_string("filename")?;
    let use_header = fields.boolean("use_header")?;
    let foreground = fields.boolean("foreground")?;
    let request = json!({
        "url": url,
        "root": directory.clone().unwrap_or_else(|| "/".to_owned()),
        "file_name": filename,
        "use_header": use_header,
        "foreground": foreground,
    });
    wings(&state, &access)
        .await?
        .request(
            Method::POST,
            &wings_path(&access.server.uuid, "pull", &[]),
            Some(&request),
        )
        .await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:file.pull",
        json!({"directory": directory, "url": url}),
    )
    .await;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_decoding() {
        assert_eq!(
            wings_path("u", "contents", &[("file", "/a b&c.txt")]),
            "/api/servers/u/files/contents?file=%2Fa+b%26c.txt"
        );
        assert_eq!(raw_url_decode("a%20b%2Fc+d"), "a b/c+d");
        assert_eq!(raw_url_decode("100%"), "100%");
        assert_eq!(mode_digits(Some(&json!(755))).as_deref(), Some("755"));
        assert_eq!(mode_digits(Some(&json!("0644"))).as_deref(), Some("0644"));
        assert_eq!(mode_digits(Some(&json!("rwx"))), None);
    }
}
