//! `/api/application/servers`: Pterodactyl's `ServerController`, `ExternalServerController`,
//! `ServerDetailsController`, `StartupController` and `ServerManagementController`.
//!
//! Handlers read, authorize (`r_servers`), call `services::servers` and render with its
//! transformer. Includes follow Pterodactyl's `Application\ServerTransformer`: each one is
//! guarded by the key's bit for the included resource and becomes a `null_resource` when the
//! key may not read it.

use std::collections::HashMap;

use aerie_db::repo::servers::{Server, ServerFilter, ServerListQuery, ServerSort};
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadGateway, BadRequest, Conflict, NotFound, PageParams, ServerBody,
    ServerBuildBody, ServerDetailsBody, ServerItem, ServerPage, ServerStartupBody,
    ServiceUnavailable, ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery, atom_timestamp};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::db_err;
use crate::services::servers as svc;

const FILTERS: [&str; 6] = [
    "uuid",
    "uuidShort",
    "name",
    "description",
    "image",
    "external_id",
];
const SORTS: [&str; 2] = ["id", "uuid"];
const INCLUDES: [&str; 9] = [
    "allocations",
    "user",
    "subusers",
    "nest",
    "egg",
    "variables",
    "location",
    "node",
    "databases",
];

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_servers,
    create_server,
    view_external_server,
    view_server,
    delete_server,
    force_delete_server,
    update_details,
    update_build,
    update_startup,
    suspend_server,
    unsuspend_server,
    reinstall_server
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/servers", get(list_servers).post(create_server))
        .route("/servers/", get(list_servers).post(create_server))
        .route("/servers/external/{external_id}", get(view_external_server))
        .route(
            "/servers/external/{external_id}/",
            get(view_external_server),
        )
        .route("/servers/{id}", get(view_server).delete(delete_server))
        .route("/servers/{id}/", get(view_server).delete(delete_server))
        .route("/servers/{id}/force", delete(force_delete_server))
        .route("/servers/{id}/force/", delete(force_delete_server))
        .route("/servers/{id}/details", patch(update_details))
        .route("/servers/{id}/details/", patch(update_details))
        .route("/servers/{id}/build", patch(update_build))
        .route("/servers/{id}/build/", patch(update_build))
        .route("/servers/{id}/startup", patch(update_startup))
        .route("/servers/{id}/startup/", patch(update_startup))
        .route("/servers/{id}/suspend", post(suspend_server))
        .route("/servers/{id}/suspend/", post(suspend_server))
        .route("/servers/{id}/unsuspend", post(unsuspend_server))
        .route("/servers/{id}/unsuspend/", post(unsuspend_server))
        .route("/servers/{id}/reinstall", post(reinstall_server))
        .route("/servers/{id}/reinstall/", post(reinstall_server))
}

fn include_allowed(admin: &ApplicationUser, include: &str) -> bool {
    let resource = match include {
        "allocations" => Resource::Allocations,
        "user" | "subusers" => Resource::Users,
        "nest" => Resource::Nests,
        "egg" => Resource::Eggs,
        "variables" => Resource::Servers,
        "location" => Resource::Locations,
        "node" => Resource::Nodes,
        "databases" => Resource::ServerDatabases,
        _ => return false,
    };
    admin.require(resource, Access::Read).is_ok()
}

/// The distinct values of `ids`, in first-seen order.
fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// For each server, the related envelope found under `key(server)`, or a null resource.
fn pick(
    servers: &[Server],
    found: &HashMap<i64, Value>,
    key: impl Fn(&Server) -> i64,
) -> Vec<Value> {
    servers
        .iter()
        .map(|s| {
            found
                .get(&key(s))
                .cloned()
                .unwrap_or_else(api::null_resource)
        })
        .collect()
}

/// Items for `servers` with the includes `query` asks for.
async fn server_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    servers: &[Server],
) -> Result<Vec<Item>, Error> {
    let db = &state.db;
    let attrs = svc::server_attributes_many(db, servers).await?;
    let mut items: Vec<Item> = attrs.into_iter().map(|a| Item::new("server", a)).collect();
    let ids: Vec<i64> = servers.iter().map(|s| s.id).collect();
    let wanted: Vec<&str> = INCLUDES
        .iter()
        .copied()
        .filter(|name| {
            query
                .includes()
                .iter()
                .any(|i| i.split('.').next() == Some(*name))
        })
        .collect();
    for name in wanted {
        if !include_allowed(admin, name) {
            items = items
                .into_iter()
                .map(|i| i.include(name, api::null_resource()))
                .collect();
            continue;
        }
        let related: Vec<Value> = match name {
            "allocations" => {
                let all = db
                    .allocations()
                    .list_by_servers(&ids)
                    .await
                    .map_err(db_err)?;
                servers
                    .iter()
                    .map(|s| {
                        List::new(all.iter().filter(|a| a.server_id == Some(s.id)).map(|a| {
                            Item::new(
                                "allocation",
                                crate::services::allocations::allocation_attributes(a),
                            )
                        }))
                        .into_value()
                    })
                    .collect()
            }
            "user" => {
                let owners: Vec<i64> = servers.iter().map(|s| s.owner_id).collect();
                let users = db.users().find_many(&owners).await.map_err(db_err)?;
                servers
                    .iter()
                    .map(|s| {
                        users
                            .iter()
                            .find(|u| u.id == s.owner_id)
                            .map_or_else(api::null_resource, |u| Item::of(u).into_value())
                    })
                    .collect()
            }
            "subusers" => {
                let mut out = Vec::with_capacity(servers.len());
                for s in servers {
                    let subs = db.subusers().list_for_server(s.id).await.map_err(db_err)?;
                    out.push(
                        List::new(subs.iter().map(|u| {
                            Item::new(
                                "server_subuser",
                                json!({
                                    "id": u.id,
                                    "user_id": u.user_id,
                                    "server_id": u.server_id,
                                    "permissions": u.permissions,
                                    "created_at": atom_timestamp(Some(&u.created_at)),
                                    "updated_at": atom_timestamp(Some(&u.updated_at)),
                                }),
                            )
                        }))
                        .into_value(),
                    );
                }
                out
            }
            "nest" => {
                let mut found: HashMap<i64, Value> = HashMap::new();
                for id in distinct(servers.iter().map(|s| s.nest_id)) {
                    let v = match db.nests().find(id).await.map_err(db_err)? {
                        Some(n) => Item::new("nest", crate::services::eggs::nest_attributes(&n))
                            .into_value(),
                        None => api::null_resource(),
                    };
                    found.insert(id, v);
                }
                pick(servers, &found, |s| s.nest_id)
            }
            "egg" => {
                let mut found: HashMap<i64, Value> = HashMap::new();
                for id in distinct(servers.iter().map(|s| s.egg_id)) {
                    let v = match db.eggs().find(id).await.map_err(db_err)? {
                        Some(e) => {
                            Item::new("egg", crate::services::eggs::egg_attributes(&e)).into_value()
                        }
                        None => api::null_resource(),
                    };
                    found.insert(id, v);
                }
                pick(servers, &found, |s| s.egg_id)
            }
            "variables" => {
                let all = svc::variables_of(db, servers).await?;
                servers
                    .iter()
                    .map(|s| {
                        let vars = all.get(&s.id).map_or(&[][..], Vec::as_slice);
                        List::new(vars.iter().map(|v| {
                            Item::new("server_variable", svc::server_variable_attributes(v))
                        }))
                        .into_value()
                    })
                    .collect()
            }
            "node" | "location" => {
                let node_ids: Vec<i64> = servers.iter().map(|s| s.node_id).collect();
                let nodes = db.nodes().find_many(&node_ids).await.map_err(db_err)?;
                if name == "node" {
                    let node_items = crate::services::nodes::node_items(db, &nodes).await?;
                    servers
                        .iter()
                        .map(|s| {
                            nodes
                                .iter()
                                .position(|n| n.id == s.node_id)
                                .and_then(|i| node_items.get(i))
                                .map_or_else(api::null_resource, |i| i.clone().into_value())
                        })
                        .collect()
                } else {
                    let mut found: HashMap<i64, Value> = HashMap::new();
                    for id in distinct(nodes.iter().map(|n| n.location_id)) {
                        let v = match db.locations().find(id).await.map_err(db_err)? {
                            Some(l) => Item::of(&l).into_value(),
                            None => api::null_resource(),
                        };
                        found.insert(id, v);
                    }
                    servers
                        .iter()
                        .map(|s| {
                            nodes
                                .iter()
                                .find(|n| n.id == s.node_id)
                                .and_then(|n| found.get(&n.location_id))
                                .cloned()
                                .unwrap_or_else(api::null_resource)
                        })
                        .collect()
                }
            }
            "databases" => {
                let mut out = Vec::with_capacity(servers.len());
                for s in servers {
                    let dbs = crate::services::databases::list_for_server(db, s.id).await?;
                    out.push(
                        List::new(dbs.iter().map(|d| {
                            Item::new(
                                "server_database",
                                crate::services::databases::database_attributes_application(d),
                            )
                        }))
                        .into_value(),
                    );
                }
                out
            }
            _ => continue,
        };
        items = items
            .into_iter()
            .zip(related)
            .map(|(item, rel)| item.include(name, rel))
            .collect();
    }
    Ok(items)
}

async fn one_item(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    server: Server,
) -> Result<Item, Error> {
    server_items(state, admin, query, std::slice::from_ref(&server))
        .await?
        .pop()
        .ok_or_else(|| Error::internal("server item missing"))
}

fn list_query(query: &ListQuery) -> ServerListQuery {
    let f = |name: &str| query.filter(name).map(str::to_owned);
    let page = query.page();
    ServerListQuery {
        filter: ServerFilter {
            uuid: f("uuid"),
            uuid_short: f("uuidShort"),
            name: f("name"),
            description: f("description"),
            image: f("image"),
            external_id: f("external_id"),
        },
        sort: query.sort().map(|s| {
            let col = if s.field == "uuid" {
                ServerSort::Uuid
            } else {
                ServerSort::Id
            };
            (col, s.descending)
        }),
        offset: page.offset(),
        limit: page.limit(),
    }
}

/// List servers.
///
/// `GET /servers`: filters `uuid`, `uuidShort`, `name`, `description`, `image`,
/// `external_id` (partial matches); sorts `id`, `uuid`; every include.
#[utoipa::path(
    get,
    path = "/servers",
    tag = "servers",
    operation_id = "list_servers",
    params(
        PageParams,
        ("filter[uuid]" = Option<String>, Query, description = "Partial match on the UUID."),
        ("filter[uuidShort]" = Option<String>, Query, description = "Partial match on the short UUID (`identifier`)."),
        ("filter[name]" = Option<String>, Query, description = "Partial match on the name."),
        ("filter[description]" = Option<String>, Query, description = "Partial match on the description."),
        ("filter[image]" = Option<String>, Query, description = "Partial match on the Docker image."),
        ("filter[external_id]" = Option<String>, Query, description = "Partial match on the external id."),
        ("sort" = Option<String>, Query, description = "`id` or `uuid`; a leading `-` sorts descending."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "A page of servers.", body = ServerPage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_servers(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Read)?;
    query.check(&FILTERS, &SORTS, &INCLUDES)?;
    let (servers, total) = svc::list_servers(&state.db, &list_query(&query)).await?;
    let items = server_items(&state, &admin, &query, &servers).await?;
    let total = u64::try_from(total).unwrap_or_default();
    Ok(List::new(items)
        .paginate_query(&query, &state.url, total)
        .into_response())
}

/// Show a server.
///
/// `GET /servers/{id}`; every include.
#[utoipa::path(
    get,
    path = "/servers/{id}",
    tag = "servers",
    operation_id = "view_server",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "The server.", body = ServerItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Read)?;
    query.check_includes(&INCLUDES)?;
    let server = svc::find_server(&state.db, &id).await?;
    Ok(one_item(&state, &admin, &query, server)
        .await?
        .into_response())
}

/// Show a server by its external id.
///
/// `GET /servers/external/{external_id}`; every include.
#[utoipa::path(
    get,
    path = "/servers/external/{external_id}",
    tag = "servers",
    operation_id = "view_external_server",
    params(
        ("external_id" = String, Path, description = "The server's id in an external system."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "The server.", body = ServerItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_external_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(external_id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Read)?;
    query.check_includes(&INCLUDES)?;
    let server = svc::find_by_external_id(&state.db, &external_id).await?;
    Ok(one_item(&state, &admin, &query, server)
        .await?
        .into_response())
}

/// Create a server.
///
/// `POST /servers`: the rows are written, then wings creates the server (and removes the
/// rows again when it cannot). 201 with the server, without `meta.resource` (as
/// Pterodactyl); its status is `installing`. 400 when no node or allocation fits a
/// deployment.
#[utoipa::path(
    post,
    path = "/servers",
    tag = "servers",
    operation_id = "create_server",
    params(
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    request_body(content = ServerBody, description = "`name`, `user`, `egg`, the limits (`memory`, `swap`, `disk`, nested under `limits` or flat) and either `allocation.default` or `deploy` are required."),
    responses(
        (status = 201, description = "The new server (no `meta.resource`).", body = ServerItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    query.check_includes(&INCLUDES)?;
    let server = svc::create_server(&state.db, &body).await?;
    let item = one_item(&state, &admin, &query, server).await?;
    Ok(api::created(item))
}

/// Update a server's details.
///
/// `PATCH /servers/{id}/details`: `external_id`, `name`, `user`, `description`; the fields
/// left out keep their value.
#[utoipa::path(
    patch,
    path = "/servers/{id}/details",
    tag = "servers",
    operation_id = "update_server_details",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    request_body(content = ServerDetailsBody, description = "The fields to change."),
    responses(
        (status = 200, description = "The updated server.", body = ServerItem),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_details(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    let server = svc::update_details(&state.db, &server, &body).await?;
    Ok(one_item(&state, &admin, &query, server)
        .await?
        .into_response())
}

/// Update a server's build.
///
/// `PATCH /servers/{id}/build`: the primary allocation, limits (nested or flat), added and
/// removed allocations and feature limits; then wings is told to sync (a failed sync is
/// only logged: wings re-reads the server before its next start).
#[utoipa::path(
    patch,
    path = "/servers/{id}/build",
    tag = "servers",
    operation_id = "update_server_build",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    request_body(content = ServerBuildBody, description = "The fields to change."),
    responses(
        (status = 200, description = "The updated server.", body = ServerItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_build(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    let server = svc::update_build(&state.db, &server, &body).await?;
    Ok(one_item(&state, &admin, &query, server)
        .await?
        .into_response())
}

/// Update a server's startup.
///
/// `PATCH /servers/{id}/startup`: the startup command, variables, egg, image and
/// `skip_scripts`; then wings is told to sync (a failed sync is only logged).
#[utoipa::path(
    patch,
    path = "/servers/{id}/startup",
    tag = "servers",
    operation_id = "update_server_startup",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `allocations` (needs allocation read), `user` and `subusers` (user read), `nest` (nest read), `egg` (egg read), `variables` (server read), `location` (location read), `node` (node read), `databases` (server database read); an include the key may not read is a null resource."),
    ),
    request_body(content = ServerStartupBody, description = "The fields to change."),
    responses(
        (status = 200, description = "The updated server.", body = ServerItem),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_startup(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    let server = svc::update_startup(&state.db, &server, &body).await?;
    Ok(one_item(&state, &admin, &query, server)
        .await?
        .into_response())
}

/// Suspend a server.
///
/// `POST /servers/{id}/suspend`: sets the `suspended` status and has wings sync (nothing
/// happens when it is already suspended); the status is put back when wings fails.
#[utoipa::path(
    post,
    path = "/servers/{id}/suspend",
    tag = "servers",
    operation_id = "suspend_server",
    params(
        ("id" = i64, Path, description = "The server's id."),
    ),
    responses(
        (status = 204, description = "Suspended."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn suspend_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    svc::set_suspended(&state.db, &server, true).await?;
    Ok(api::no_content())
}

/// Unsuspend a server.
///
/// `POST /servers/{id}/unsuspend`: clears the `suspended` status and has wings sync
/// (nothing happens when it is not suspended); the status is put back when wings fails.
#[utoipa::path(
    post,
    path = "/servers/{id}/unsuspend",
    tag = "servers",
    operation_id = "unsuspend_server",
    params(
        ("id" = i64, Path, description = "The server's id."),
    ),
    responses(
        (status = 204, description = "Unsuspended."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn unsuspend_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    svc::set_suspended(&state.db, &server, false).await?;
    Ok(api::no_content())
}

/// Reinstall a server.
///
/// `POST /servers/{id}/reinstall`: status `installing`, then wings runs the install script
/// again; the status is put back when wings fails.
#[utoipa::path(
    post,
    path = "/servers/{id}/reinstall",
    tag = "servers",
    operation_id = "reinstall_server",
    params(
        ("id" = i64, Path, description = "The server's id."),
    ),
    responses(
        (status = 204, description = "The reinstall started."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn reinstall_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    svc::reinstall(&state.db, &server).await?;
    Ok(api::no_content())
}

/// Delete a server.
///
/// `DELETE /servers/{id}`: wings deletes the server (a 404 from wings is fine), then its
/// databases are dropped, its allocations freed and the row removed. Any other wings or
/// database host error stops the deletion.
#[utoipa::path(
    delete,
    path = "/servers/{id}",
    tag = "servers",
    operation_id = "delete_server",
    params(
        ("id" = i64, Path, description = "The server's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    svc::delete_server(&state.db, &server, false).await?;
    Ok(api::no_content())
}

/// Force-delete a server.
///
/// `DELETE /servers/{id}/force`: as `DELETE /servers/{id}`, but wings errors and database
/// host errors are logged and the server is removed from the panel anyway.
#[utoipa::path(
    delete,
    path = "/servers/{id}/force",
    tag = "servers",
    operation_id = "force_delete_server",
    params(
        ("id" = i64, Path, description = "The server's id."),
    ),
    responses(
        (status = 204, description = "Deleted from the panel."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn force_delete_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Servers, Access::Write)?;
    let server = svc::find_server(&state.db, &id).await?;
    svc::delete_server(&state.db, &server, true).await?;
    Ok(api::no_content())
}
