//! `/api/servers/*`: the panel driving servers on this node.

use std::sync::Arc;
use std::time::Duration;

use aerie_http::Error;
use aerie_proto::wings::{
    CommandsRequest, CreateServerRequest, DenyRequest, PowerAction, PowerRequest, ServerDetails,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::NodeAuth;
use crate::WingsState;
use crate::server::{PowerError, Server};

const NO_SERVER: &str = "The requested resource does not exist on this instance.";

pub(crate) fn find(state: &WingsState, uuid: &str) -> Result<Arc<Server>, Error> {
    state
        .manager
        .get(uuid)
        .ok_or_else(|| Error::NotFound(NO_SERVER.into()))
}

fn power_err(e: PowerError) -> Error {
    match e {
        PowerError::Busy | PowerError::Installing | PowerError::AlreadyRunning => {
            Error::Conflict(e.to_string())
        }
        PowerError::NotRunning => Error::BadGateway(e.to_string()),
        PowerError::Suspended | PowerError::Disk { .. } => Error::BadRequest(e.to_string()),
        PowerError::Sync(m) => Error::BadGateway(format!(
            "could not sync the server configuration with the panel: {m}"
        )),
        PowerError::Runtime(m) => Error::internal(m),
    }
}

pub(crate) async fn list_servers(
    _: NodeAuth,
    State(state): State<WingsState>,
) -> Json<Vec<ServerDetails>> {
    Json(state.manager.all().iter().map(|s| s.details()).collect())
}

pub(crate) async fn create_server(
    _: NodeAuth,
    State(state): State<WingsState>,
    body: Result<Json<CreateServerRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let Json(req) = body.map_err(|e| Error::validation("uuid", "required", e.body_text()))?;
    if req.uuid.is_empty() {
        return Err(Error::validation(
            "uuid",
            "required",
            "The uuid field is required.",
        ));
    }
    let panel = state.manager.context().panel.clone().ok_or_else(|| {
        Error::Unavailable("this node has no panel configured to fetch the server from".into())
    })?;
    let mut cfg = panel
        .get_server(&req.uuid)
        .await
        .map_err(|e| Error::BadGateway(format!("the panel did not return the server: {e}")))?;
    if cfg.settings.uuid.is_empty() {
        cfg.settings.uuid = req.uuid.clone();
    }
    state
        .manager
        .create(cfg, req.start_on_completion)
        .map_err(Error::Conflict)?;
    Ok(StatusCode::ACCEPTED)
}

pub(crate) async fn get_server(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<Json<ServerDetails>, Error> {
    Ok(Json(find(&state, &uuid)?.details()))
}

pub(crate) async fn delete_server(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, Error> {
    find(&state, &uuid)?;
    state.manager.delete(&uuid).await.map_err(power_err)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(crate) struct LogsQuery {
    size: Option<usize>,
}

pub(crate) async fn get_logs(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    Query(q): Query<LogsQuery>,
) -> Result<Json<Value>, Error> {
    let s = find(&state, &uuid)?;
    let n = q.size.unwrap_or(100).clamp(1, 100);
    Ok(Json(json!({ "data": s.console_tail(n) })))
}

pub(crate) async fn post_power(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<PowerRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let s = find(&state, &uuid)?;
    let Json(req) = body.map_err(|e| Error::validation("action", "required", e.body_text()))?;
    let action: PowerAction = req.action.parse().map_err(|_| {
        Error::validation(
            "action",
            "in",
            "The action must be one of start, stop, restart or kill.",
        )
    })?;
    if s.is_suspended() && matches!(action, PowerAction::Start | PowerAction::Restart) {
        return Err(Error::BadRequest(
            "Cannot start or restart a server that is suspended.".into(),
        ));
    }
    if s.is_installing() {
        return Err(Error::Conflict(PowerError::Installing.to_string()));
    }
    if state.transfers().is_transferring(&uuid) {
        return Err(Error::Conflict(
            "The server is being transferred and cannot be controlled.".into(),
        ));
    }
    let wait = Duration::from_secs(
        u64::try_from(req.wait_seconds.unwrap_or(30).clamp(0, 300)).unwrap_or(30),
    );
    // Like Wings: accepted at once, carried out in the background.
    tokio::spawn(async move {
        if let Err(e) = s.power(action, Some(wait)).await {
            tracing::info!(server.uuid = %s.uuid(), error.message = %e, "power action failed");
            s.publish_error(&e.to_string());
        }
    });
    Ok(StatusCode::ACCEPTED)
}

pub(crate) async fn post_commands(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<CommandsRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    let s = find(&state, &uuid)?;
    let Json(req) = body.map_err(|e| Error::validation("commands", "required", e.body_text()))?;
    s.send_commands(&req.commands).await.map_err(power_err)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_install(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, Error> {
    run_install(&state, &uuid, false)
}

pub(crate) async fn post_reinstall(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, Error> {
    run_install(&state, &uuid, true)
}

fn run_install(state: &WingsState, uuid: &str, reinstall: bool) -> Result<StatusCode, Error> {
    let s = find(state, uuid)?;
    if s.is_installing() || (reinstall && s.is_busy()) {
        return Err(Error::Conflict(
            "A power action or install is already in progress for this server.".into(),
        ));
    }
    tokio::spawn(async move {
        if let Err(e) = s.install(reinstall, false).await {
            tracing::warn!(server.uuid = %s.uuid(), error.message = %e, "install failed");
        }
    });
    Ok(StatusCode::ACCEPTED)
}

pub(crate) async fn post_sync(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, Error> {
    let s = find(&state, &uuid)?;
    s.sync()
        .await
        .map_err(|e| Error::BadGateway(format!("could not sync with the panel: {e}")))?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_ws_deny(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<DenyRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, Error> {
    find(&state, &uuid)?;
    let Json(req) = body.map_err(|e| Error::validation("jtis", "required", e.body_text()))?;
    state.manager.deny(&req.jtis);
    Ok(StatusCode::NO_CONTENT)
}
