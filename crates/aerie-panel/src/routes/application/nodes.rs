//! `/api/application/nodes`: Pterodactyl's `NodeController`, `NodeDeploymentController` and
//! `NodeConfigurationController`.
//!
//! Node attributes come from [`nodes::node_attributes`] (never the daemon token or its id).
//! Includes: `allocations` (needs allocation read), `location` (location read) and `servers`
//! (server read, with the full server transformer); one the key may not read is a null resource, as Pterodactyl's
//! `BaseTransformer::authorize` does.

use std::collections::HashMap;

use aerie_db::models::Node;
use aerie_db::repo::nodes::{NodeFilter, NodeListQuery, NodeSort};
use aerie_http::Error;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value};

use super::allocations::allocation_item;
use crate::AppState;
use crate::api::schemas::{
    self, ApplicationErrors, BadRequest, NodeBody, NodeItem, NodePage, NotFound, PageParams,
    ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::db_err;
use crate::services::nodes::{self, NodeConfiguration};
use crate::services::servers::server_attributes_many;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_nodes,
    create_node,
    list_deployable_nodes,
    view_node,
    update_node,
    delete_node,
    get_node_configuration
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/nodes", get(list_nodes).post(create_node))
        .route("/nodes/", get(list_nodes).post(create_node))
        .route("/nodes/deployable", get(list_deployable_nodes))
        .route("/nodes/deployable/", get(list_deployable_nodes))
        .route(
            "/nodes/{id}",
            get(view_node).patch(update_node).delete(delete_node),
        )
        .route(
            "/nodes/{id}/",
            get(view_node).patch(update_node).delete(delete_node),
        )
        .route("/nodes/{id}/configuration", get(get_node_configuration))
        .route("/nodes/{id}/configuration/", get(get_node_configuration))
}

/// Node items for `nodes`, in order, with `allocated_resources` and the includes `query`
/// asks for.
async fn node_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    nodes: &[Node],
) -> Result<Vec<Item>, Error> {
    let db = &state.db;
    let mut items = nodes::node_items(db, nodes).await?;
    let ids: Vec<i64> = nodes.iter().map(|n| n.id).collect();

    if query.has_include("allocations") {
        if admin.require(Resource::Allocations, Access::Read).is_ok() {
            let all = db.allocations().list_by_nodes(&ids).await.map_err(db_err)?;
            items = items
                .into_iter()
                .zip(nodes)
                .map(|(item, node)| {
                    let here = all
                        .iter()
                        .filter(|a| a.node_id == node.id)
                        .map(allocation_item);
                    item.include("allocations", List::new(here))
                })
                .collect();
        } else {
            items = with_null(items, "allocations");
        }
    }
    if query.has_include("location") {
        if admin.require(Resource::Locations, Access::Read).is_ok() {
            let mut location_ids: Vec<i64> = nodes.iter().map(|n| n.location_id).collect();
            location_ids.sort_unstable();
            location_ids.dedup();
            let mut locations = HashMap::new();
            for id in location_ids {
                let loc = db.locations().find(id).await.map_err(db_err)?;
                locations.insert(id, loc);
            }
            items = items
                .into_iter()
                .zip(nodes)
                .map(|(item, node)| {
                    let related = match locations.get(&node.location_id) {
                        Some(Some(loc)) => Item::of(loc).into_value(),
                        _ => api::null_resource(),
                    };
                    item.include("location", related)
                })
                .collect();
        } else {
            items = with_null(items, "location");
        }
    }
    if query.has_include("servers") {
        if admin.require(Resource::Servers, Access::Read).is_ok() {
            let server_ids: Vec<i64> = db
                .nodes()
                .servers_on(&ids)
                .await
                .map_err(db_err)?
                .iter()
                .map(|s| s.id)
                .collect();
            let servers = db.servers().find_many(&server_ids).await.map_err(db_err)?;
            let attributes = server_attributes_many(db, &servers).await?;
            items = items
                .into_iter()
                .zip(nodes)
                .map(|(item, node)| {
                    let here = servers
                        .iter()
                        .zip(&attributes)
                        .filter(|(s, _)| s.node_id == node.id)
                        .map(|(_, a)| Item::new("server", a.clone()));
                    item.include("servers", List::new(here))
                })
                .collect();
        } else {
            items = with_null(items, "servers");
        }
    }
    Ok(items)
}

fn with_null(items: Vec<Item>, name: &str) -> Vec<Item> {
    items
        .into_iter()
        .map(|i| i.include(name, api::null_resource()))
        .collect()
}

async fn one_node_item(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    node: Node,
) -> Result<Item, Error> {
    node_items(state, admin, query, std::slice::from_ref(&node))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("node item missing"))
}

/// List nodes.
///
/// `GET /nodes`: filters `uuid`, `name`, `fqdn`, `daemon_token_id` (partial matches);
/// sorts `id`, `uuid`, `memory`, `disk`; includes `allocations`, `location`, `servers`.
#[utoipa::path(
    get,
    path = "/nodes",
    tag = "nodes",
    operation_id = "list_nodes",
    params(
        PageParams,
        ("filter[uuid]" = Option<String>, Query, description = "Partial match on the UUID."),
        ("filter[name]" = Option<String>, Query, description = "Partial match on the name."),
        ("filter[fqdn]" = Option<String>, Query, description = "Partial match on the FQDN."),
        ("filter[daemon_token_id]" = Option<String>, Query, description = "Partial match on the daemon token id."),
        ("sort" = Option<String>, Query, description = "`id`, `uuid`, `memory` or `disk`; a leading `-` sorts descending."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `location` (location read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "A page of nodes.", body = NodePage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_nodes(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Read)?;
    query.check_filters(&["uuid", "name", "fqdn", "daemon_token_id"])?;
    query.check_sorts(&["id", "uuid", "memory", "disk"])?;
    let page = query.page();
    let sort = query.sort().map(|s| {
        let col = match s.field.as_str() {
            "uuid" => NodeSort::Uuid,
            "memory" => NodeSort::Memory,
            "disk" => NodeSort::Disk,
            _ => NodeSort::Id,
        };
        (col, s.descending)
    });
    let list_query = NodeListQuery {
        filter: NodeFilter {
            uuid: query.filter("uuid").map(str::to_owned),
            name: query.filter("name").map(str::to_owned),
            fqdn: query.filter("fqdn").map(str::to_owned),
            daemon_token_id: query.filter("daemon_token_id").map(str::to_owned),
        },
        sort,
        offset: page.offset(),
        limit: page.limit(),
    };
    let (found, total) = nodes::list_nodes(&state.db, &list_query).await?;
    let items = node_items(&state, &admin, &query, &found).await?;
    let total = u64::try_from(total).unwrap_or(0);
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// List the nodes a deployment may use.
///
/// `GET /nodes/deployable?memory=&disk=&location_ids[]=`: the nodes an automatic deployment
/// of a server of that size may use (public, not in maintenance, with room), paginated.
/// 400 when there is none, as Pterodactyl. `memory`, `disk` and `location_ids` may also come
/// as a JSON body (Laravel's input; PteroJS sends them so), which wins over the query.
#[utoipa::path(
    get,
    path = "/nodes/deployable",
    tag = "nodes",
    operation_id = "list_deployable_nodes",
    params(
        PageParams,
        ("memory" = i64, Query, description = "Memory in MB the server needs.", minimum = 0),
        ("disk" = i64, Query, description = "Disk in MB the server needs.", minimum = 0),
        ("location_ids[]" = Option<Vec<i64>>, Query, description = "Only nodes in these locations."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `location` (location read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "A page of the public nodes with room, not in maintenance.", body = NodePage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_deployable_nodes(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Read)?;
    // Laravel's `input()` reads a JSON body on a GET too, before the query string; PteroJS's
    // `nodes.fetchDeployable()` sends `{"memory":..,"disk":..}` that way.
    let memory = required_int(deploy_input(&body, &query, "memory").as_deref(), "memory")?;
    let disk = required_int(deploy_input(&body, &query, "disk").as_deref(), "disk")?;
    let raw_ids: Vec<String> = match body.get("location_ids") {
        Some(Value::Array(ids)) => ids.iter().map(scalar_text).collect(),
        Some(Value::Null) | None => {
            if query.get("location_ids").is_some_and(|v| !v.is_empty()) {
                return Err(not_an_array());
            }
            query
                .get_all("location_ids")
                .into_iter()
                .map(str::to_owned)
                .collect()
        }
        Some(_) => return Err(not_an_array()),
    };
    let mut location_ids = Vec::new();
    for (i, raw) in raw_ids.iter().enumerate() {
        let id = raw.trim().parse::<i64>().map_err(|_| {
            Error::validation(
                &format!("location_ids.{i}"),
                "integer",
                format!("The location_ids.{i} must be an integer."),
            )
        })?;
        location_ids.push(id);
    }
    let viable = nodes::viable_nodes(&state.db, &location_ids, memory, disk).await?;
    let page = query.page();
    let total = u64::try_from(viable.len()).unwrap_or(u64::MAX);
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
    let on_page: Vec<Node> = viable.into_iter().skip(offset).take(limit).collect();
    let items = node_items(&state, &admin, &query, &on_page).await?;
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

fn not_an_array() -> Error {
    Error::validation(
        "location_ids",
        "array",
        "The location ids must be an array.",
    )
}

/// A JSON scalar as the text a query string would carry (`null` as empty).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A deployment input as Laravel reads it: the JSON body's value, else the query string's.
fn deploy_input(body: &Map<String, Value>, query: &ListQuery, field: &str) -> Option<String> {
    match body.get(field) {
        Some(Value::Null) | None => query.get(field).map(str::to_owned),
        Some(v) => Some(scalar_text(v)),
    }
}

/// A required non-negative integer input (`required|integer|min:0`).
fn required_int(raw: Option<&str>, field: &str) -> Result<i64, Error> {
    let raw = raw
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::validation(field, "required", format!("The {field} field is required."))
        })?;
    let n: i64 = raw.parse().map_err(|_| {
        Error::validation(field, "integer", format!("The {field} must be an integer."))
    })?;
    if n < 0 {
        return Err(Error::validation(
            field,
            "min",
            format!("The {field} must be at least 0."),
        ));
    }
    Ok(n)
}

/// Show a node.
///
/// `GET /nodes/{id}`; includes `allocations`, `location`, `servers`.
#[utoipa::path(
    get,
    path = "/nodes/{id}",
    tag = "nodes",
    operation_id = "view_node",
    params(
        ("id" = i64, Path, description = "The node's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `location` (location read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "The node.", body = NodeItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_node(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Read)?;
    let node = nodes::find_node(&state.db, &id).await?;
    Ok(api::ok(one_node_item(&state, &admin, &query, node).await?))
}

/// Create a node.
///
/// `POST /nodes`: 201 with `meta.resource`.
#[utoipa::path(
    post,
    path = "/nodes",
    tag = "nodes",
    operation_id = "create_node",
    params(
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `location` (location read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    request_body(content = NodeBody, description = "The new node's fields."),
    responses(
        (status = 201, description = "The new node, with `meta.resource`.", body = NodeItem),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_node(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Write)?;
    let node = nodes::create_node(&state.db, &body).await?;
    tracing::info!(
        node.id = node.id,
        admin.id = admin.user.id,
        "node created via API"
    );
    let url = format!(
        "{}/api/application/nodes/{}",
        state.url.trim_end_matches('/'),
        node.id
    );
    let item = one_node_item(&state, &admin, &query, node).await?;
    Ok(api::created(item.meta("resource", url)))
}

/// Update a node.
///
/// `PATCH /nodes/{id}`: the fields given change; `reset_secret: true` rotates the daemon
/// token.
#[utoipa::path(
    patch,
    path = "/nodes/{id}",
    tag = "nodes",
    operation_id = "update_node",
    params(
        ("id" = i64, Path, description = "The node's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `location` (location read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    request_body(content = NodeBody, description = "The fields to change; `reset_secret: true` rotates the daemon token."),
    responses(
        (status = 200, description = "The updated node.", body = NodeItem),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_node(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Write)?;
    let node = nodes::update_node(&state.db, &id, &body).await?;
    tracing::info!(
        node.id = node.id,
        admin.id = admin.user.id,
        "node updated via API"
    );
    Ok(api::ok(one_node_item(&state, &admin, &query, node).await?))
}

/// Delete a node.
///
/// `DELETE /nodes/{id}`: 204, or 400 while servers are on the node.
#[utoipa::path(
    delete,
    path = "/nodes/{id}",
    tag = "nodes",
    operation_id = "delete_node",
    params(
        ("id" = i64, Path, description = "The node's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_node(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Nodes, Access::Write)?;
    nodes::delete_node(&state.db, &id).await?;
    tracing::info!(node.id = %id, admin.id = admin.user.id, "node deleted via API");
    Ok(api::no_content())
}

/// Show a node's wings configuration.
///
/// `GET /nodes/{id}/configuration`: the node's wings `config.yml` as JSON (not enveloped).
/// An application key needs read access to nodes (a root admin's client key has it all).
#[utoipa::path(
    get,
    path = "/nodes/{id}/configuration",
    tag = "nodes",
    operation_id = "get_node_configuration",
    params(
        ("id" = i64, Path, description = "The node's id."),
    ),
    responses(
        (status = 200, description = "The node's wings configuration (`config.yml` as JSON, not enveloped).", body = schemas::NodeConfiguration),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn get_node_configuration(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<NodeConfiguration>, Error> {
    admin.require(Resource::Nodes, Access::Read)?;
    let config = nodes::configuration(&state.db, &id, &state.url).await?;
    tracing::info!(node.id = %id, user.id = admin.user.id, "node configuration read");
    Ok(Json(config))
}
