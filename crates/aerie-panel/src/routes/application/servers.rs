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

/// `GET /servers`.
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

/// `GET /servers/{id}`.
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

/// `GET /servers/external/{external_id}`.
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

/// `POST /servers`: 201 with the server (no `meta.resource`, as Pterodactyl).
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

/// `PATCH /servers/{id}/details`.
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

/// `PATCH /servers/{id}/build`.
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

/// `PATCH /servers/{id}/startup`.
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

/// `POST /servers/{id}/suspend`.
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

/// `POST /servers/{id}/unsuspend`.
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

/// `POST /servers/{id}/reinstall`.
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

/// `DELETE /servers/{id}`.
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

/// `DELETE /servers/{id}/force`: deletes even when wings fails.
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
