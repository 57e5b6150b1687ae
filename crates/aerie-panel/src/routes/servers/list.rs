//! `GET /api/client` (the servers a user may see, Pterodactyl's `ClientController::index`)
//! and `GET /api/client/permissions` (the subuser permission keys with their texts).

use aerie_db::repo::client_servers::ClientServerFilter;
use aerie_http::Error;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::api::{List, ListQuery, Page, Pagination};
use crate::auth::ClientUser;
use crate::services::client_servers::{self as svc, ListType, ServerIncludes};

/// `per_page` when not given.
const DEFAULT_PER_PAGE: u64 = 50;
/// The largest page; more is cut down to it (`min(per_page, 100)`), not refused.
const MAX_PER_PAGE: u64 = 100;
const FILTERS: [&str; 5] = ["uuid", "name", "description", "external_id", "*"];

/// `GET /api/client?type=&filter[..]=&include=egg,subusers&per_page=&page=`.
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

/// `GET /api/client/permissions`.
pub(super) async fn list_permissions(_client: ClientUser) -> Json<Value> {
    Json(svc::system_permissions())
}
