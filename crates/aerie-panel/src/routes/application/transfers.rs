//! `/api/application/servers/{id}/transfer`: moving a server to another node (Pelican's
//! application route; Pterodactyl's admin `ServerTransferController`), and
//! `/api/application/nodes/{id}/system`: what a node's wings says about itself. The rules
//! are in `services::transfers` and `services::node_system`.

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadGateway, Conflict, NodeSystemInformation, NotFound, ServerTransferBody,
    ServerTransferItem, ServiceUnavailable, ValidationFailed,
};
use crate::api::{Item, JsonBody};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::servers::find_server;
use crate::services::transfers::{self as svc, TransferInput};
use crate::services::{node_system, nodes};

#[derive(utoipa::OpenApi)]
#[openapi(paths(view_transfer, start_transfer, cancel_transfer, view_node_system))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/servers/{id}/transfer",
            get(view_transfer)
                .post(start_transfer)
                .delete(cancel_transfer),
        )
        .route(
            "/servers/{id}/transfer/",
            get(view_transfer)
                .post(start_transfer)
                .delete(cancel_transfer),
        )
        .route("/nodes/{id}/system", get(view_node_system))
        .route("/nodes/{id}/system/", get(view_node_system))
}

fn transfer_item(t: &aerie_db::repo::servers::ServerTransfer) -> Item {
    Item::new("server_transfer", svc::transfer_attributes(t))
}

/// Show a server's transfer.
///
/// `GET /servers/{id}/transfer`: the server's newest transfer, running (`successful` is
/// `null`) or finished; 404 when the server was never transferred.
#[utoipa::path(
    get,
    path = "/servers/{id}/transfer",
    tag = "servers",
    operation_id = "view_server_transfer",
    params(("id" = i64, Path, description = "The server's id.")),
    responses(
        (status = 200, description = "The newest transfer.", body = ServerTransferItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_transfer(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Read)?;
    let server = find_server(&state.db, &id).await?;
    let transfer = svc::latest_transfer(&state.db, &server).await?;
    Ok(transfer_item(&transfer).into_response())
}

/// Transfer a server to another node.
///
/// `POST /servers/{id}/transfer` `{node_id, allocation_id, allocation_additional?}`: the
/// allocations (free ones on the target node) are reserved for the server and the server's
/// node starts streaming it to the target; 202 with the running transfer. The outcome comes
/// from the nodes later: on success the server, its primary allocation and its additional
/// allocations are on the target and the old ones are free; on failure it stays where it
/// was. 409 when the server is not installed, restoring a backup or already moving; 422 for
/// a missing or unchanged node, a node without room, or allocations that are not free on
/// it; the node's error (502/503) when it does not start, in which case nothing changed.
#[utoipa::path(
    post,
    path = "/servers/{id}/transfer",
    tag = "servers",
    operation_id = "start_server_transfer",
    params(("id" = i64, Path, description = "The server's id.")),
    request_body(content = ServerTransferBody),
    responses(
        (status = 202, description = "The transfer started.", body = ServerTransferItem),
        (status = 400, response = crate::api::schemas::BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn start_transfer(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = find_server(&state.db, &id).await?;
    let input = TransferInput::from_body(&body)?;
    let transfer = svc::start_transfer(&state.db, &state.transfer_starts, &server, &input).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(transfer_item(&transfer).into_value()),
    )
        .into_response())
}

/// Cancel a server's transfer.
///
/// `DELETE /servers/{id}/transfer`: both nodes are asked to stop, then the transfer is
/// recorded as failed and the target allocations are freed; 200 with the finished
/// transfer. 409 when no transfer is running or it succeeded meanwhile.
#[utoipa::path(
    delete,
    path = "/servers/{id}/transfer",
    tag = "servers",
    operation_id = "cancel_server_transfer",
    params(("id" = i64, Path, description = "The server's id.")),
    responses(
        (status = 200, description = "The cancelled transfer.", body = ServerTransferItem),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn cancel_transfer(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = find_server(&state.db, &id).await?;
    let transfer = svc::cancel_transfer(&state.db, &server).await?;
    Ok(transfer_item(&transfer).into_response())
}

/// Show a node's system information.
///
/// `GET /nodes/{id}/system` (Aerie; Pterodactyl's admin pages show the same): the node's
/// wings is asked for its version, kernel, architecture, OS and CPU count. 503 naming the
/// node when it does not answer within a few seconds, 502 when it answers with an error.
#[utoipa::path(
    get,
    path = "/nodes/{id}/system",
    tag = "nodes",
    operation_id = "view_node_system",
    params(("id" = i64, Path, description = "The node's id.")),
    responses(
        (status = 200, description = "What the node's wings reports.", body = NodeSystemInformation),
        (status = 404, response = NotFound),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_node_system(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Read)?;
    let node = nodes::find_node(&state.db, &id).await?;
    let info = node_system::system_info(&node).await?;
    Ok(Json(json!({
        "version": info.version,
        "kernel_version": info.kernel_version,
        "architecture": info.architecture,
        "os": info.os,
        "cpu_count": info.cpu_count,
    }))
    .into_response())
}
