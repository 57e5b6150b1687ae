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
use crate::api::{Item, JsonBody, List, no_content};
use crate::services::client_servers::{self as svc, ClientError};
use crate::services::db_err;

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

/// `GET network/allocations` → every allocation of the server.
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

/// `POST network/allocations` → the newly assigned `allocation`.
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

/// `POST network/allocations/{allocation}` `{notes}` (present, nullable, ≤ 256).
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

/// `POST network/allocations/{allocation}/primary` → the allocation, now the default.
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

/// `DELETE network/allocations/{allocation}` → 204.
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
