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
use crate::api::schemas::{
    BadGateway, ClientBadRequest, ClientErrors, ClientServerDetail, ClientServerErrors,
    CommandBody, CsrfMismatch, NotFound, PowerBody, ServerActivityLogPage, ServiceUnavailable,
    StatsItem, ValidationFailed, WebsocketCredentials,
};
use crate::api::{Item, JsonBody, List, ListQuery, Page, Pagination};
use crate::services::client_servers::{self as svc, ClientError, ServerIncludes};

/// `per_page` of the activity list when not given, and its largest value.
const ACTIVITY_PER_PAGE: u64 = 25;
const ACTIVITY_MAX_PER_PAGE: u64 = 100;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    view_server,
    get_websocket,
    get_resources,
    list_activity,
    send_command,
    send_power
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(super) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// Show a server.
///
/// `GET /servers/{server}?include=egg,subusers`: the server with its allocations and
/// variables as the user may see them, and the user's rights in `meta`. Allowed in every
/// state (suspended, installing, ...).
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}",
    tag = "client-servers",
    operation_id = "client_get_server",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("include" = Option<String>, Query, description = "Comma-separated: `egg` (its UUID and name), `subusers` (with `user.read`; a null resource otherwise). Unknown includes are ignored."),
    ),
    responses(
        (status = 200, description = "The server.", body = ClientServerDetail),
        (status = 400, response = ClientBadRequest),
        (status = 404, response = NotFound),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
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

/// Get websocket credentials.
///
/// `GET /servers/{server}/websocket`: `{"data":{"token","socket"}}`, a 10-minute token for
/// the server's console socket on wings. Needs `websocket.connect`. Administrators get it
/// even while the server is installing, suspended or moving (during a transfer only they
/// do, pointing at the new node once the archive has moved).
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/websocket",
    tag = "client-servers",
    operation_id = "client_get_websocket",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "The token and the socket URL.", body = WebsocketCredentials),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
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

/// Show a server's state and resource usage.
///
/// `GET /servers/{server}/resources`: the `stats` item from wings, cached for 20 seconds
/// per server (a power action clears it). Allowed in every state.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/resources",
    tag = "client-servers",
    operation_id = "client_get_resources",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "The state and usage.", body = StatsItem),
        (status = 400, response = ClientBadRequest),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_resources(
    ServerAccessAnyState(access): ServerAccessAnyState,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    let stats = svc::resources(&state.db, &state.client_servers.resources, &access.server).await?;
    Ok(Item::new("stats", stats).into_response())
}

/// List a server's activity.
///
/// `GET /servers/{server}/activity?filter[event]=&sort=-timestamp&include=actor`: newest
/// first by default, `per_page` up to 100 (25 by default). Needs `activity.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/activity",
    tag = "client-servers",
    operation_id = "client_list_server_activity",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("page" = Option<u64>, Query, minimum = 1, description = "The page, from 1."),
        ("per_page" = Option<u64>, Query, minimum = 1, description = "Entries per page: default 25, at most 100 (larger values are clamped)."),
        ("filter[event]" = Option<String>, Query, description = "Partial, case-insensitive match on the event name."),
        ("sort" = Option<String>, Query, description = "`timestamp` (oldest first) or `-timestamp` (newest first, the default)."),
        ("include" = Option<String>, Query, description = "`actor`: the user who acted, as `relationships.actor` (a null resource when none)."),
    ),
    responses(
        (status = 200, description = "A page of the server's activity.", body = ServerActivityLogPage),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
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

/// Send a console command.
///
/// `POST /servers/{server}/command` `{command}` → 204. Needs `control.console`; 502
/// `HttpException` when the server is not running.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/command",
    tag = "client-servers",
    operation_id = "client_send_command",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = CommandBody),
    responses(
        (status = 204, description = "Sent."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
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

/// Start, stop, restart or kill a server.
///
/// `POST /servers/{server}/power` `{signal: start|stop|restart|kill}` → 204. Each signal
/// needs its own permission: `control.start`, `control.stop` (stop and kill),
/// `control.restart`. A missing or unknown signal is a 422 for the owner and
/// administrators and a 403 for subusers.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/power",
    tag = "client-servers",
    operation_id = "client_send_power",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = PowerBody),
    responses(
        (status = 204, description = "Wings accepted the signal."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
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
