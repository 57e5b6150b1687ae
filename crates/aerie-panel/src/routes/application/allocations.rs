//! `/api/application/nodes/{id}/allocations`: Pterodactyl's application `AllocationController`.
//!
//! Allocation attributes come from [`allocations::allocation_attributes`]. Includes: `node`
//! (needs node read) and `server` (server read); a free allocation's `server` is a null
//! resource.

use aerie_db::repo::allocations::{
    Allocation, AllocationFilter, AllocationListQuery, ServerFilter,
};
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get};
use serde_json::{Map, Value};

use crate::AppState;
use crate::api::schemas::{
    AllocationBody, AllocationPage, ApplicationErrors, BadRequest, NotFound, PageParams,
    ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::servers::server_attributes_many;
use crate::services::{allocations, db_err, nodes};

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_allocations, create_allocations, delete_allocation))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/nodes/{id}/allocations",
            get(list_allocations).post(create_allocations),
        )
        .route(
            "/nodes/{id}/allocations/",
            get(list_allocations).post(create_allocations),
        )
        .route(
            "/nodes/{id}/allocations/{allocation}",
            delete(delete_allocation),
        )
        .route(
            "/nodes/{id}/allocations/{allocation}/",
            delete(delete_allocation),
        )
}

/// `{"object": "allocation", "attributes": {id, ip, alias, port, notes, assigned}}`.
pub(crate) fn allocation_item(a: &Allocation) -> Item {
    Item::new("allocation", allocations::allocation_attributes(a))
}

/// List a node's allocations.
///
/// `GET /nodes/{id}/allocations`: filters `ip`, `port` (exact), `ip_alias` (partial),
/// `server_id` (a number, or anything else for the free ones); includes `node`, `server`.
#[utoipa::path(
    get,
    path = "/nodes/{id}/allocations",
    tag = "allocations",
    operation_id = "list_allocations",
    params(
        ("id" = i64, Path, description = "The node's id."),
        PageParams,
        ("filter[ip]" = Option<String>, Query, description = "Exact IP address."),
        ("filter[port]" = Option<String>, Query, description = "Exact port."),
        ("filter[ip_alias]" = Option<String>, Query, description = "Partial match on the alias."),
        ("filter[server_id]" = Option<String>, Query, description = "A server id, or anything else for the free allocations."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `node` (needs node read), `server` (server read; a null resource for a free allocation)."),
    ),
    responses(
        (status = 200, description = "A page of the node's allocations.", body = AllocationPage),
        (status = 404, response = NotFound),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_allocations(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Allocations, Access::Read)?;
    query.check_filters(&["ip", "port", "ip_alias", "server_id"])?;
    let server_id = query
        .filters()
        .iter()
        .rev()
        .find(|(name, _)| name == "server_id")
        .map(|(_, v)| {
            let v = v.trim();
            match v.parse::<i64>() {
                Ok(id) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                    ServerFilter::Server(id)
                }
                _ => ServerFilter::Unassigned,
            }
        });
    let page = query.page();
    let list_query = AllocationListQuery {
        filter: AllocationFilter {
            ip: query.filter("ip").map(str::to_owned),
            port: query.filter("port").map(str::to_owned),
            ip_alias: query.filter("ip_alias").map(str::to_owned),
            server_id,
        },
        offset: page.offset(),
        limit: page.limit(),
    };
    let (found, total) = allocations::list_allocations(&state.db, &id, &list_query).await?;
    let items = allocation_items(&state, &admin, &query, &found).await?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// Allocation items with the `node` and `server` includes when asked for.
async fn allocation_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    found: &[Allocation],
) -> Result<Vec<Item>, Error> {
    let db = &state.db;
    let mut items: Vec<Item> = found.iter().map(allocation_item).collect();
    if query.has_include("node") {
        if admin.require(Resource::Nodes, Access::Read).is_ok() {
            let mut node_ids: Vec<i64> = found.iter().map(|a| a.node_id).collect();
            node_ids.sort_unstable();
            node_ids.dedup();
            let node_list = db.nodes().find_many(&node_ids).await.map_err(db_err)?;
            let node_envelopes = nodes::node_items(db, &node_list).await?;
            items = items
                .into_iter()
                .zip(found)
                .map(|(item, a)| {
                    let related = node_list
                        .iter()
                        .zip(&node_envelopes)
                        .find(|(n, _)| n.id == a.node_id)
                        .map_or_else(api::null_resource, |(_, env)| env.clone().into_value());
                    item.include("node", related)
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("node", api::null_resource()))
                .collect();
        }
    }
    if query.has_include("server") {
        if admin.require(Resource::Servers, Access::Read).is_ok() {
            let mut server_ids: Vec<i64> = found.iter().filter_map(|a| a.server_id).collect();
            server_ids.sort_unstable();
            server_ids.dedup();
            let servers = db.servers().find_many(&server_ids).await.map_err(db_err)?;
            let attributes = server_attributes_many(db, &servers).await?;
            items = items
                .into_iter()
                .zip(found)
                .map(|(item, a)| {
                    let related = a
                        .server_id
                        .and_then(|sid| servers.iter().position(|s| s.id == sid))
                        .and_then(|i| attributes.get(i))
                        .map_or_else(api::null_resource, |attrs| {
                            Item::new("server", attrs.clone()).into_value()
                        });
                    item.include("server", related)
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("server", api::null_resource()))
                .collect();
        }
    }
    Ok(items)
}

/// Add allocations to a node.
///
/// `POST /nodes/{id}/allocations` with `{"ip", "alias", "ports": [...]}`: 204.
#[utoipa::path(
    post,
    path = "/nodes/{id}/allocations",
    tag = "allocations",
    operation_id = "create_allocations",
    params(
        ("id" = i64, Path, description = "The node's id."),
    ),
    request_body(content = AllocationBody, description = "The address and the ports to add; duplicates are skipped."),
    responses(
        (status = 204, description = "Created."),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_allocations(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Allocations, Access::Write)?;
    let created = allocations::create_allocations(&state.db, &id, &body).await?;
    tracing::info!(node.id = %id, admin.id = admin.user.id, allocations.created = created, "allocations created via API");
    Ok(api::no_content())
}

/// Delete an allocation.
///
/// `DELETE /nodes/{id}/allocations/{allocation}`: 204; 400 while a server uses it.
#[utoipa::path(
    delete,
    path = "/nodes/{id}/allocations/{allocation}",
    tag = "allocations",
    operation_id = "delete_allocation",
    params(
        ("id" = i64, Path, description = "The node's id."),
        ("allocation" = i64, Path, description = "The allocation's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_allocation(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, allocation)): Path<(String, String)>,
) -> Result<Response, Error> {
    admin.require(Resource::Allocations, Access::Write)?;
    allocations::delete_allocation(&state.db, &id, &allocation).await?;
    tracing::info!(node.id = %id, allocation.id = %allocation, admin.id = admin.user.id, "allocation deleted via API");
    Ok(api::no_content())
}
