//! `GET /servers/{server}/startup` and `PUT /servers/{server}/startup/variable`
//! (Pterodactyl's client `StartupController`).

use aerie_http::Error;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Fields, Origin};
use crate::AppState;
use crate::access::ServerAccess;
use crate::api::schemas::{
    ClientBadRequest, ClientServerErrors, CsrfMismatch, StartupVariableBody, StartupVariableList,
    StartupVariableUpdated, ValidationFailed,
};
use crate::api::{Item, JsonBody, List};
use crate::services::client_servers::{self as svc, ClientError};

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_variables, update_variable))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(super) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// Show a server's startup command and variables.
///
/// `GET /servers/{server}/startup`: the variables users may see as `egg_variable` items,
/// with `meta.startup_command` (hidden variables read `[hidden]`), `meta.docker_images`
/// and `meta.raw_startup_command`. Needs `startup.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/startup",
    tag = "startup",
    operation_id = "client_list_startup_variables",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "The variables, the startup command and the egg's images.", body = StartupVariableList),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_variables(
    access: ServerAccess,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    access.require("startup.read")?;
    let (vars, primary) = svc::startup_context(&state.db, &access.server).await?;
    let images = svc::egg_images(&state.db, &access.server).await?;
    let startup = svc::invocation(&access.server, primary.as_ref(), &vars, false);
    let items = vars
        .iter()
        .filter(|v| v.variable.user_viewable)
        .map(|v| Item::new("egg_variable", svc::egg_variable_attributes(v)));
    Ok(List::new(items)
        .meta("startup_command", startup)
        .meta("docker_images", Value::Object(images))
        .meta("raw_startup_command", access.server.startup.clone())
        .into_response())
}

/// Change a startup variable.
///
/// `PUT /servers/{server}/startup/variable` `{key, value}` → the `egg_variable` item with
/// `meta.startup_command` and `meta.raw_startup_command`. Needs `startup.update`; 400 for
/// a variable that does not exist, is hidden or is read-only; 422 (naming `value`) when
/// the value breaks the variable's rules.
#[utoipa::path(
    put,
    path = "/api/client/servers/{server}/startup/variable",
    tag = "startup",
    operation_id = "client_update_startup_variable",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = StartupVariableBody),
    responses(
        (status = 200, description = "The variable with its new value.", body = StartupVariableUpdated),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn update_variable(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, ClientError> {
    access.require("startup.update")?;
    let fields = Fields(&body);
    let key = fields.required_string("key")?;
    let value = match fields.present("value")? {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(if *b { "1" } else { "0" }.to_owned()),
        Some(_) => {
            return Err(Error::validation("value", "string", "The value must be a string.").into());
        }
    };
    let update = svc::update_variable(&state.db, &access.server, &key, value.as_deref()).await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:startup.edit",
        json!({"variable": key, "old": update.old, "new": value}),
    )
    .await;
    Ok(Item::new(
        "egg_variable",
        svc::egg_variable_attributes(&update.variable),
    )
    .meta("startup_command", update.startup_command)
    .meta("raw_startup_command", access.server.startup.clone())
    .into_response())
}
