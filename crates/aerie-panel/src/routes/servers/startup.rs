//! `GET /servers/{server}/startup` and `PUT /servers/{server}/startup/variable`
//! (Pterodactyl's client `StartupController`).

use aerie_http::Error;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Fields, Origin};
use crate::AppState;
use crate::access::ServerAccess;
use crate::api::{Item, JsonBody, List};
use crate::services::client_servers::{self as svc, ClientError};

/// The variables users may see as `egg_variable` items, with `meta.startup_command`
/// (hidden variables read `[hidden]`), `meta.docker_images` and
/// `meta.raw_startup_command`.
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

/// `{key, value}` → the `egg_variable` item with `meta.startup_command` and
/// `meta.raw_startup_command`.
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
