//! `/api/remote/servers*`: what wings reads about its servers, and its install and transfer
//! callbacks. Every route is scoped to the calling node.

use aerie_http::Error;
use aerie_proto::wings::InstallStatus;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::schemas::{
    Conflict, NotFound, RemoteErrors, RemoteInstallScript, RemoteInstallStatus,
    RemoteServerDocument, RemoteServerPage, ValidationFailed,
};
use crate::api::{JsonBody, no_content};
use crate::auth::DaemonNode;
use crate::services::remote;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_servers,
    reset_servers,
    get_server,
    get_install_script,
    set_install_status,
    transfer_success,
    transfer_failure
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`). The transfer
/// callbacks answer GET (older wings) as well as POST; an operation id must be unique, so
/// the GET twin is the POST operation under `<id>_get`.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = <ApiDoc as utoipa::OpenApi>::openapi();
    for path in [
        "/servers/{uuid}/transfer/success",
        "/servers/{uuid}/transfer/failure",
    ] {
        if let Some(item) = doc.paths.paths.get_mut(path)
            && let Some(post) = &item.post
        {
            let mut get = post.clone();
            get.operation_id = get.operation_id.map(|id| format!("{id}_get"));
            item.get = Some(get);
        }
    }
    doc
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/servers", get(list_servers))
        .route("/servers/reset", post(reset_servers))
        .route("/servers/{uuid}", get(get_server))
        .route(
            "/servers/{uuid}/install",
            get(get_install_script).post(set_install_status),
        )
        .route(
            "/servers/{uuid}/transfer/success",
            get(transfer_success).post(transfer_success),
        )
        .route(
            "/servers/{uuid}/transfer/failure",
            get(transfer_failure).post(transfer_failure),
        )
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// List the node's servers.
///
/// `GET /servers?page=&per_page=`: a Laravel resource-collection page of the node's servers.
#[utoipa::path(
    get,
    path = "/servers",
    tag = "remote",
    operation_id = "remote_list_servers",
    params(
        ("page" = Option<u64>, Query, description = "The page, from 1."),
        ("per_page" = Option<u64>, Query, description = "Page size, 1..500 (default 50)."),
    ),
    responses(
        (status = 200, description = "A page of the calling node's servers.", body = RemoteServerPage),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn list_servers(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, Error> {
    let page = q
        .page
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page = q
        .per_page
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(50)
        .clamp(1, 500);
    let (data, total) = remote::server_page(&state.db, &node, page, per_page).await?;
    let total = u64::try_from(total).unwrap_or(0);
    let last_page = total.div_ceil(per_page).max(1);
    let path = format!("{}/api/remote/servers", state.url.trim_end_matches('/'));
    let from = (page - 1) * per_page + 1;
    let count = data.len() as u64;
    let page_url = |p: u64| format!("{path}?page={p}");
    Ok(Json(json!({
        "data": data,
        "links": {
            "first": page_url(1),
            "last": page_url(last_page),
            "prev": (page > 1).then(|| page_url(page - 1)),
            "next": (page < last_page).then(|| page_url(page + 1)),
        },
        "meta": {
            "current_page": page,
            "from": (count > 0).then_some(from),
            "last_page": last_page,
            "links": [],
            "path": path,
            "per_page": per_page,
            "to": (count > 0).then_some(from + count - 1),
            "total": total,
        },
    })))
}

/// Show a server's configuration.
///
/// `GET /servers/{uuid}`: settings and process configuration. The target node of a running
/// transfer may read the server too, as it will be there.
#[utoipa::path(
    get,
    path = "/servers/{uuid}",
    tag = "remote",
    operation_id = "remote_get_server",
    params(
        ("uuid" = String, Path, description = "The server's UUID."),
    ),
    responses(
        (status = 200, description = "The server's settings and process configuration.", body = RemoteServerDocument),
        (status = 404, response = NotFound),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn get_server(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    let doc = remote::server_document_for_node(&state.db, &node, &uuid).await?;
    Ok(Json(json!({
        "settings": doc.settings,
        "process_configuration": doc.process_configuration,
    }))
    .into_response())
}

/// Show a server's install script.
///
/// `GET /servers/{uuid}/install`: the install script.
#[utoipa::path(
    get,
    path = "/servers/{uuid}/install",
    tag = "remote",
    operation_id = "remote_get_install_script",
    params(
        ("uuid" = String, Path, description = "The server's UUID."),
    ),
    responses(
        (status = 200, description = "The install script.", body = RemoteInstallScript),
        (status = 404, response = NotFound),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn get_install_script(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    let server = remote::server_on_node(&state.db, &node, &uuid).await?;
    Ok(Json(remote::install_script(&state.db, &server).await?).into_response())
}

/// Report how an install ended.
///
/// `POST /servers/{uuid}/install`: how the install ended.
#[utoipa::path(
    post,
    path = "/servers/{uuid}/install",
    tag = "remote",
    operation_id = "remote_set_install_status",
    params(
        ("uuid" = String, Path, description = "The server's UUID."),
    ),
    request_body(content = RemoteInstallStatus),
    responses(
        (status = 204, description = "Recorded."),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn set_install_status(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody<InstallStatus>,
) -> Result<Response, Error> {
    let server = remote::server_on_node(&state.db, &node, &uuid).await?;
    remote::set_install_status(&state.db, &server, body.successful, body.reinstall).await?;
    Ok(no_content())
}

/// Reset the node's servers after a wings restart.
///
/// `POST /servers/reset`: wings booted; clear transient states of its servers.
#[utoipa::path(
    post,
    path = "/servers/reset",
    tag = "remote",
    operation_id = "remote_reset_servers",
    responses(
        (status = 204, description = "Transient states of the node's servers were cleared."),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn reset_servers(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    remote::reset_node(&state.db, &node).await?;
    Ok(no_content())
}

/// Report a finished transfer.
///
/// `GET|POST /servers/{uuid}/transfer/success`: the target node has the server.
#[utoipa::path(
    post,
    path = "/servers/{uuid}/transfer/success",
    tag = "remote",
    operation_id = "remote_transfer_success",
    params(
        ("uuid" = String, Path, description = "The server's UUID."),
    ),
    responses(
        (status = 204, description = "The transfer is complete."),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn transfer_success(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    remote::finish_transfer(&state.db, &node, &uuid, true).await?;
    Ok(no_content())
}

/// Report a failed transfer.
///
/// `GET|POST /servers/{uuid}/transfer/failure`: the transfer did not complete.
#[utoipa::path(
    post,
    path = "/servers/{uuid}/transfer/failure",
    tag = "remote",
    operation_id = "remote_transfer_failure",
    params(
        ("uuid" = String, Path, description = "The server's UUID."),
    ),
    responses(
        (status = 204, description = "The transfer was rolled back."),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        RemoteErrors,
    ),
    security(("node_token" = [])),
)]
pub(crate) async fn transfer_failure(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    remote::finish_transfer(&state.db, &node, &uuid, false).await?;
    Ok(no_content())
}
