//! `/servers/{server}/network/allocations*` (Pterodactyl's client
//! `NetworkAllocationController`): list, automatic assignment, notes, primary, removal.

use std::collections::HashMap;

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Fields, Origin};
use crate::AppState;
use crate::access::ServerAccess;
use crate::api::schemas::{
    AllocationNotesBody, ClientAllocationItem, ClientAllocationList, ClientBadRequest,
    ClientServerErrors, CsrfMismatch, ValidationFailed,
};
use crate::api::{Item, JsonBody, List, no_content};
use crate::services::client_servers::{self as svc, ClientError};
use crate::services::db_err;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_allocations,
    create_allocation,
    update_notes,
    set_primary,
    delete_allocation
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(super) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

fn item(a: &aerie_db::repo::allocations::Allocation, primary: i64) -> Item {
    Item::new("allocation", svc::allocation_attributes(a, primary))
}

async fn allocation_of(
    state: &AppState,
    access: &ServerAccess,
    params: &HashMap<String, String>,
) -> Result<aerie_db::repo::allocations::Allocation, Error> {
    let id = params.get("allocation").map_or("", String::as_str);
    svc::server_allocation(&state.db, &access.server, id).await
}

/// List a server's allocations.
///
/// `GET /servers/{server}/network/allocations` → every allocation of the server. Needs
/// `allocation.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/network/allocations",
    tag = "network",
    operation_id = "client_list_allocations",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "The allocations.", body = ClientAllocationList),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_allocations(
    access: ServerAccess,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    access.require("allocation.read")?;
    let list = state
        .db
        .allocations()
        .list_by_server(access.server.id)
        .await
        .map_err(db_err)?;
    let primary = access.server.allocation_id;
    Ok(List::new(list.iter().map(|a| item(a, primary))).into_response())
}

/// Add an allocation to a server.
///
/// `POST /servers/{server}/network/allocations` → the newly assigned `allocation`: a free
/// one on the primary IP within the panel's port range, else a new one on a port of the
/// range nobody uses. Needs `allocation.create`; 400 `DisplayException` at the server's
/// allocation limit, `AutoAllocationNotEnabledException` when the panel does not allow it,
/// `NoAutoAllocationSpaceAvailableException` when the range is full.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/network/allocations",
    tag = "network",
    operation_id = "client_create_allocation",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "The new allocation.", body = ClientAllocationItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_allocation(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
) -> Result<Response, ClientError> {
    access.require("allocation.create")?;
    let a = svc::assign_allocation(&state.db, &access.server).await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:allocation.create",
        json!({"allocation": svc::allocation_label(&a)}),
    )
    .await;
    Ok(item(&a, access.server.allocation_id).into_response())
}

/// Set an allocation's notes.
///
/// `POST /servers/{server}/network/allocations/{allocation}` `{notes}` (present, nullable,
/// at most 256 characters). Needs `allocation.update`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/network/allocations/{allocation}",
    tag = "network",
    operation_id = "client_update_allocation_notes",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("allocation" = i64, Path, description = "The allocation's id (one of the server's)."),
    ),
    request_body(content = AllocationNotesBody),
    responses(
        (status = 200, description = "The allocation with its new notes.", body = ClientAllocationItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn update_notes(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    Path(params): Path<HashMap<String, String>>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    let allocation = allocation_of(&state, &access, &params).await?;
    access.require("allocation.update")?;
    let fields = Fields(&body);
    fields.present("notes")?;
    let notes = fields.optional_string("notes")?;
    if notes.as_ref().is_some_and(|n| n.chars().count() > 256) {
        return Err(Error::validation(
            "notes",
            "max",
            "The notes must not be greater than 256 characters.",
        ));
    }
    let updated = svc::set_allocation_notes(&state.db, &allocation, notes.as_deref()).await?;
    if allocation.notes != updated.notes {
        svc::log_server_event(
            &state.db,
            &access,
            &origin,
            "server:allocation.notes",
            json!({
                "allocation": svc::allocation_label(&updated),
                "old": allocation.notes,
                "new": updated.notes,
            }),
        )
        .await;
    }
    Ok(item(&updated, access.server.allocation_id).into_response())
}

/// Make an allocation the primary one.
///
/// `POST /servers/{server}/network/allocations/{allocation}/primary` → the allocation,
/// now the default. Needs `allocation.update`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/network/allocations/{allocation}/primary",
    tag = "network",
    operation_id = "client_set_primary_allocation",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("allocation" = i64, Path, description = "The allocation's id (one of the server's)."),
    ),
    responses(
        (status = 200, description = "The allocation, now primary.", body = ClientAllocationItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn set_primary(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Response, Error> {
    let allocation = allocation_of(&state, &access, &params).await?;
    access.require("allocation.update")?;
    svc::set_primary_allocation(&state.db, &access.server, &allocation).await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:allocation.primary",
        json!({"allocation": svc::allocation_label(&allocation)}),
    )
    .await;
    Ok(item(&allocation, allocation.id).into_response())
}

/// Remove an allocation from a server.
///
/// `DELETE /servers/{server}/network/allocations/{allocation}` → 204; the notes are
/// cleared. Needs `allocation.delete`; 400 `DisplayException` for the primary allocation
/// and for a server without an allocation limit.
#[utoipa::path(
    delete,
    path = "/api/client/servers/{server}/network/allocations/{allocation}",
    tag = "network",
    operation_id = "client_delete_allocation",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("allocation" = i64, Path, description = "The allocation's id (one of the server's)."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_allocation(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Response, ClientError> {
    let allocation = allocation_of(&state, &access, &params).await?;
    access.require("allocation.delete")?;
    svc::unassign_allocation(&state.db, &access.server, &allocation).await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:allocation.delete",
        json!({"allocation": svc::allocation_label(&allocation)}),
    )
    .await;
    Ok(no_content())
}
