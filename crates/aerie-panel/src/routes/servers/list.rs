//! `GET /api/client` (the servers a user may see, Pterodactyl's `ClientController::index`)
//! and `GET /api/client/permissions` (the subuser permission keys with their texts).

use aerie_db::repo::client_servers::ClientServerFilter;
use aerie_http::Error;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::api::schemas::{
    ClientBadRequest, ClientErrors, ClientServerPage, SystemPermissionsItem, ValidationFailed,
};
use crate::api::{List, ListQuery, Page, Pagination};
use crate::auth::ClientUser;
use crate::services::client_servers::{self as svc, ListType, ServerIncludes};

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_servers, list_permissions))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(super) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// `per_page` when not given.
const DEFAULT_PER_PAGE: u64 = 50;
/// The largest page; more is cut down to it (`min(per_page, 100)`), not refused.
const MAX_PER_PAGE: u64 = 100;
const FILTERS: [&str; 5] = ["uuid", "name", "description", "external_id", "*"];

/// List the servers the user may see.
///
/// `GET /api/client?type=&filter[..]=&include=egg,subusers&per_page=&page=`: by default
/// the servers the user owns or is a subuser of, oldest first. Each server carries its
/// allocations and variables as the user may see them (Pterodactyl's
/// `ClientController::index`).
#[utoipa::path(
    get,
    path = "/api/client",
    tag = "client-servers",
    operation_id = "client_list_servers",
    params(
        ("type" = Option<String>, Query, description = "`owner`: only the user's own servers; `admin`: the servers of others (administrators only, nothing for anyone else); `admin-all`: every server (administrators only); anything else: owned and subuser servers."),
        ("filter[uuid]" = Option<String>, Query, description = "Partial, case-insensitive match on the UUID."),
        ("filter[name]" = Option<String>, Query, description = "Partial, case-insensitive match on the name."),
        ("filter[description]" = Option<String>, Query, description = "Partial, case-insensitive match on the description."),
        ("filter[external_id]" = Option<String>, Query, description = "Partial, case-insensitive match on the external id."),
        ("filter[*]" = Option<String>, Query, description = "Search: an IPv4 address (optionally `:port`) or `:port` matches the servers' allocations (the port as a prefix); anything else matches the UUID (exactly or as a prefix), the short id or the external id (exactly), or the name (a substring)."),
        ("include" = Option<String>, Query, description = "Comma-separated: `egg` (its UUID and name), `subusers` (with `user.read`; a null resource otherwise). Unknown includes are ignored."),
        ("page" = Option<u64>, Query, minimum = 1, description = "The page, from 1."),
        ("per_page" = Option<u64>, Query, minimum = 1, description = "Servers per page: default 50, at most 100 (larger values are clamped)."),
    ),
    responses(
        (status = 200, description = "A page of servers.", body = ClientServerPage),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_servers(
    client: ClientUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    query.check_filters(&FILTERS)?;
    let kind = ListType::parse(query.get("type"));
    let filter = ClientServerFilter {
        uuid: query.filter("uuid").map(str::to_owned),
        name: query.filter("name").map(str::to_owned),
        description: query.filter("description").map(str::to_owned),
        external_id: query.filter("external_id").map(str::to_owned),
        any: query.filter("*").map(str::to_owned),
    };
    let includes = ServerIncludes {
        egg: query.has_include("egg"),
        subusers: query.has_include("subusers"),
    };
    let per_page = match query.get("per_page").map(str::trim) {
        None | Some("") => DEFAULT_PER_PAGE,
        Some(_) => query.page().per_page.min(MAX_PER_PAGE),
    };
    let page = Page {
        page: query.page().page,
        per_page,
    };
    let (items, total) = svc::list_servers(
        &state.db,
        &client.user,
        kind,
        filter,
        includes,
        page.offset(),
        page.limit(),
    )
    .await?;
    let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let total = u64::try_from(total).unwrap_or(0);
    let pagination = Pagination::new(total, count, page, |n| query.page_url(&state.url, n));
    Ok(List::new(items).paginate(pagination).into_response())
}

/// List the subuser permission keys.
///
/// `GET /api/client/permissions`: every permission group with its keys and what each
/// allows; a permission is `<group>.<key>`.
#[utoipa::path(
    get,
    path = "/api/client/permissions",
    tag = "client-servers",
    operation_id = "client_list_permissions",
    responses(
        (status = 200, description = "The permission groups.", body = SystemPermissionsItem),
        (status = 400, response = ClientBadRequest),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_permissions(_client: ClientUser) -> Json<Value> {
    Json(svc::system_permissions())
}
