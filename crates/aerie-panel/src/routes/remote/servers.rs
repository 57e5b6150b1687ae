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
use crate::api::{JsonBody, no_content};
use crate::auth::DaemonNode;
use crate::services::remote;

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

/// `GET /servers?page=&per_page=`: a Laravel resource-collection page of the node's servers.
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

/// `GET /servers/{uuid}`: settings and process configuration.
pub(crate) async fn get_server(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    let server = remote::server_on_node(&state.db, &node, &uuid).await?;
    let doc = remote::server_document(&state.db, &server).await?;
    Ok(Json(json!({
        "settings": doc.settings,
        "process_configuration": doc.process_configuration,
    }))
    .into_response())
}

/// `GET /servers/{uuid}/install`: the install script.
pub(crate) async fn get_install_script(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    let server = remote::server_on_node(&state.db, &node, &uuid).await?;
    Ok(Json(remote::install_script(&state.db, &server).await?).into_response())
}

/// `POST /servers/{uuid}/install`: how the install ended.
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

/// `POST /servers/reset`: wings booted; clear transient states of its servers.
pub(crate) async fn reset_servers(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    remote::reset_node(&state.db, &node).await?;
    Ok(no_content())
}

/// `GET|POST /servers/{uuid}/transfer/success`: the target node has the server.
pub(crate) async fn transfer_success(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    remote::finish_transfer(&state.db, &node, &uuid, true).await?;
    Ok(no_content())
}

/// `GET|POST /servers/{uuid}/transfer/failure`: the transfer did not complete.
pub(crate) async fn transfer_failure(
    DaemonNode(node): DaemonNode,
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    remote::finish_transfer(&state.db, &node, &uuid, false).await?;
    Ok(no_content())
}
