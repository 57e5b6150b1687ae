//! `GET /servers/{server}` (with `meta.is_server_owner` and `meta.user_permissions`),
//! `/websocket`, `/resources`, `/activity`, `POST /command` and `/power`.

use aerie_db::repo::client_servers::ServerActivityQuery;
use aerie_http::Error;
use aerie_proto::wings::PowerAction;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Fields, Origin, now_secs};
use crate::AppState;
use crate::access::{ServerAccess, ServerAccessAnyState};
use crate::api::{Item, JsonBody, List, ListQuery, Page, Pagination};
use crate::services::client_servers::{self as svc, ClientError, ServerIncludes};

/// `per_page` of the activity list when not given, and its largest value.
const ACTIVITY_PER_PAGE: u64 = 25;
const ACTIVITY_MAX_PER_PAGE: u64 = 100;

/// `GET /servers/{server}?include=egg,subusers`: allowed in every state.
pub(super) async fn view_server(
    ServerAccessAnyState(access): ServerAccessAnyState,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    let includes = ServerIncludes {
        egg: query.has_include("egg"),
        subusers: query.has_include("subusers"),
    };
    let item = svc::server_item(&state.db, &access, includes)
        .await?
        .meta("is_server_owner", access.is_owner)
        .meta("user_permissions", svc::user_permissions(&access));
    Ok(item.into_response())
}

/// `GET /servers/{server}/websocket`: `{"data":{"token","socket"}}`. Administrators get it
/// even while the server is installing, suspended or moving.
pub(super) async fn get_websocket(
    ServerAccessAnyState(access): ServerAccessAnyState,
    State(state): State<AppState>,
) -> Result<Json<Value>, Error> {
    if !access.user.root_admin {
        access.ensure_actionable(&state).await?;
    }
    let (token, socket) =
        svc::websocket_credentials(&state.db, &state.url, &access, now_secs()).await?;
    Ok(Json(json!({"data": {"token": token, "socket": socket}})))
}

/// `GET /servers/{server}/resources`: the `stats` item, cached for a while per server;
/// allowed in every state.
pub(super) async fn get_resources(
    ServerAccessAnyState(access): ServerAccessAnyState,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    let stats = svc::resources(&state.db, &state.client_servers.resources, &access.server).await?;
    Ok(Item::new("stats", stats).into_response())
}

/// `GET /servers/{server}/activity?filter[event]=&sort=-timestamp&include=actor`.
pub(super) async fn list_activity(
    access: ServerAccess,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    access.require("activity.read")?;
    query.check_filters(&["event"])?;
    query.check_sorts(&["timestamp"])?;
    let per_page = match query.get("per_page").map(str::trim) {
        None | Some("") => ACTIVITY_PER_PAGE,
        Some(_) => query.page().per_page.min(ACTIVITY_MAX_PER_PAGE),
    };
    let page = Page {
        page: query.page().page,
        per_page,
    };
    let ascending = query.sort().is_some_and(|s| !s.descending);
    let (items, total) = svc::list_activity(
        &state.db,
        &access.user,
        &access.server,
        ServerActivityQuery {
            event: query.filter("event").map(str::to_owned),
            hidden_events: Vec::new(),
            ascending,
            offset: page.offset(),
            limit: page.limit(),
        },
        query.has_include("actor"),
    )
    .await?;
    let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let total = u64::try_from(total).unwrap_or(0);
    let pagination = Pagination::new(total, count, page, |n| query.page_url(&state.url, n));
    Ok(List::new(items).paginate(pagination).into_response())
}

/// `POST /servers/{server}/command` `{command}` → 204.
pub(super) async fn send_command(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, ClientError> {
    access.require("control.console")?;
    let command = Fields(&body).required_string("command")?;
    svc::send_command(&state.db, &access.server, &command).await?;
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        "server:console.command",
        json!({"command": command}),
    )
    .await;
    Ok(crate::api::no_content())
}

/// `POST /servers/{server}/power` `{signal: start|stop|restart|kill}` → 204. Each signal
/// needs its own permission: `control.start`, `control.stop` (stop and kill),
/// `control.restart`.
pub(super) async fn send_power(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    let signal = match body.get("signal") {
        Some(Value::String(s)) => s.trim().to_owned(),
        _ => String::new(),
    };
    let action = match signal.as_str() {
        "start" => Some((PowerAction::Start, "control.start")),
        "stop" => Some((PowerAction::Stop, "control.stop")),
        "kill" => Some((PowerAction::Kill, "control.stop")),
        "restart" => Some((PowerAction::Restart, "control.restart")),
        _ => None,
    };
    let Some((action, permission)) = action else {
        // Pterodactyl asks for a permission nobody has, so only owners and administrators
        // get as far as the validation error.
        if !access.can("*") {
            return Err(Error::Forbidden(
                "You do not have permission to perform this action on this server (requires `control.start`, `control.stop` or `control.restart`).".into(),
            ));
        }
        if signal.is_empty() {
            return Err(Error::validation(
                "signal",
                "required",
                "The signal field is required.",
            ));
        }
        return Err(Error::validation(
            "signal",
            "in",
            "The selected signal is invalid.",
        ));
    };
    access.require(permission)?;
    svc::wings_for(&state.db, &access.server)
        .await?
        .power(&access.server.uuid, action)
        .await?;
    state.client_servers.resources.forget(&access.server.uuid);
    svc::log_server_event(
        &state.db,
        &access,
        &origin,
        &format!("server:power.{signal}"),
        json!({}),
    )
    .await;
    Ok(crate::api::no_content())
}
