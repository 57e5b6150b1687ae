//! `/api/application/mounts`: Pelican's `MountController` (Pterodactyl 1.x has mounts only
//! in its admin pages).
//!
//! Paths and bodies follow Pelican: list, view, create (201 with `meta.resource`), update,
//! delete (204; the mount is detached from its servers, as Pterodactyl deletes it), and for
//! each of `eggs`, `nodes` and `servers`: `GET /mounts/{id}/eggs` (the linked items),
//! `POST /mounts/{id}/eggs` with `{"eggs": [ids]}` (links them, answers the mount) and
//! `DELETE /mounts/{id}/eggs/{egg_id}` (204). Every route needs the key's mounts bit (read
//! for GET, write otherwise); the linked-item lists and includes also need that resource's
//! read bit (an include the key may not read is a null resource, as elsewhere).
//!
//! The transformer lives here as `impl Transformer for Mount`: the model's columns, as
//! Pelican's `toArray()`.

use aerie_db::models::Mount;
use aerie_db::repo::mounts::{MountFilter, MountLink, MountListQuery, MountSort};
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get};
use serde_json::{Map, Value};

use super::users::parse_id;
use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, EggList, MountBody, MountEggsBody, MountItem, MountNodesBody,
    MountPage, MountServersBody, NodeList, NotFound, PageParams, ServerList, ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery, Transformer};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::mounts as svc;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_mounts,
    create_mount,
    view_mount,
    update_mount,
    delete_mount,
    list_mount_eggs,
    attach_mount_eggs,
    detach_mount_egg,
    list_mount_nodes,
    attach_mount_nodes,
    detach_mount_node,
    list_mount_servers,
    attach_mount_servers,
    detach_mount_server
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/mounts", get(list_mounts).post(create_mount))
        .route("/mounts/", get(list_mounts).post(create_mount))
        .route(
            "/mounts/{id}",
            get(view_mount).patch(update_mount).delete(delete_mount),
        )
        .route(
            "/mounts/{id}/",
            get(view_mount).patch(update_mount).delete(delete_mount),
        )
        .route(
            "/mounts/{id}/eggs",
            get(list_mount_eggs).post(attach_mount_eggs),
        )
        .route(
            "/mounts/{id}/eggs/",
            get(list_mount_eggs).post(attach_mount_eggs),
        )
        .route("/mounts/{id}/eggs/{egg_id}", delete(detach_mount_egg))
        .route("/mounts/{id}/eggs/{egg_id}/", delete(detach_mount_egg))
        .route(
            "/mounts/{id}/nodes",
            get(list_mount_nodes).post(attach_mount_nodes),
        )
        .route(
            "/mounts/{id}/nodes/",
            get(list_mount_nodes).post(attach_mount_nodes),
        )
        .route("/mounts/{id}/nodes/{node_id}", delete(detach_mount_node))
        .route("/mounts/{id}/nodes/{node_id}/", delete(detach_mount_node))
        .route(
            "/mounts/{id}/servers",
            get(list_mount_servers).post(attach_mount_servers),
        )
        .route(
            "/mounts/{id}/servers/",
            get(list_mount_servers).post(attach_mount_servers),
        )
        .route(
            "/mounts/{id}/servers/{server_id}",
            delete(detach_mount_server),
        )
        .route(
            "/mounts/{id}/servers/{server_id}/",
            delete(detach_mount_server),
        )
}

impl Transformer for Mount {
    fn object(&self) -> &'static str {
        "mount"
    }

    /// Pelican's `MountTransformer`: the model's columns.
    fn attributes(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), self.id.into());
        m.insert("uuid".into(), self.uuid.clone().into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("description".into(), self.description.clone().into());
        m.insert("source".into(), self.source.clone().into());
        m.insert("target".into(), self.target.clone().into());
        m.insert("read_only".into(), self.read_only.into());
        m.insert("user_mountable".into(), self.user_mountable.into());
        m
    }
}

fn egg_item(egg: &aerie_db::repo::eggs::Egg) -> Item {
    Item::new("egg", crate::services::eggs::egg_attributes(egg))
}

/// Items for `mounts` with the requested includes; an include the key may not read is a
/// null resource.
async fn mount_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    mounts: &[Mount],
) -> Result<Vec<Item>, Error> {
    let db = &state.db;
    let ids: Vec<i64> = mounts.iter().map(|m| m.id).collect();
    let mut items: Vec<Item> = mounts.iter().map(Item::of).collect();
    if query.has_include("eggs") {
        if admin.require(Resource::Eggs, Access::Read).is_ok() {
            let eggs = svc::eggs_of(db, &ids).await?;
            items = items
                .into_iter()
                .zip(mounts)
                .map(|(item, m)| {
                    let here = eggs
                        .iter()
                        .filter(|(id, _)| *id == m.id)
                        .map(|(_, e)| egg_item(e));
                    item.include("eggs", List::new(here))
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("eggs", api::null_resource()))
                .collect();
        }
    }
    if query.has_include("nodes") {
        if admin.require(Resource::Nodes, Access::Read).is_ok() {
            let nodes = svc::nodes_of(db, &ids).await?;
            let bare: Vec<_> = nodes.iter().map(|(_, n)| n.clone()).collect();
            let node_items = crate::services::nodes::node_items(db, &bare).await?;
            items = items
                .into_iter()
                .zip(mounts)
                .map(|(item, m)| {
                    let here = nodes
                        .iter()
                        .zip(&node_items)
                        .filter(|((id, _), _)| *id == m.id)
                        .map(|(_, i)| i.clone());
                    item.include("nodes", List::new(here))
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("nodes", api::null_resource()))
                .collect();
        }
    }
    if query.has_include("servers") {
        if admin.require(Resource::Servers, Access::Read).is_ok() {
            let servers = svc::servers_of(db, &ids).await?;
            let bare: Vec<_> = servers.iter().map(|(_, s)| s.clone()).collect();
            let attrs = crate::services::servers::server_attributes_many(db, &bare).await?;
            items = items
                .into_iter()
                .zip(mounts)
                .map(|(item, m)| {
                    let here = servers
                        .iter()
                        .zip(&attrs)
                        .filter(|((id, _), _)| *id == m.id)
                        .map(|(_, a)| Item::new("server", a.clone()));
                    item.include("servers", List::new(here))
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("servers", api::null_resource()))
                .collect();
        }
    }
    Ok(items)
}

/// List mounts.
///
/// `GET /mounts`: filters `uuid`, `name`, `source`, `target` (partial matches); sorts `id`,
/// `uuid`, `name`; includes `eggs`, `nodes`, `servers`.
#[utoipa::path(
    get,
    path = "/mounts",
    tag = "mounts",
    operation_id = "list_mounts",
    params(
        PageParams,
        ("filter[uuid]" = Option<String>, Query, description = "Partial match on the UUID."),
        ("filter[name]" = Option<String>, Query, description = "Partial match on the name."),
        ("filter[source]" = Option<String>, Query, description = "Partial match on the source path."),
        ("filter[target]" = Option<String>, Query, description = "Partial match on the target path."),
        ("sort" = Option<String>, Query, description = "`id`, `uuid` or `name`; a leading `-` sorts descending."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `eggs` (needs egg read), `nodes` (needs node read), `servers` (needs server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "A page of mounts.", body = MountPage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_mounts(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Read)?;
    query.check_filters(&["uuid", "name", "source", "target"])?;
    query.check_sorts(&["id", "uuid", "name"])?;
    let page = query.page();
    let (sort, desc) = match query.sort() {
        Some(s) => (
            match s.field.as_str() {
                "uuid" => MountSort::Uuid,
                "name" => MountSort::Name,
                _ => MountSort::Id,
            },
            s.descending,
        ),
        None => (MountSort::Id, false),
    };
    let list_query = MountListQuery {
        filter: MountFilter {
            uuid: query.filter("uuid").map(str::to_owned),
            name: query.filter("name").map(str::to_owned),
            source: query.filter("source").map(str::to_owned),
            target: query.filter("target").map(str::to_owned),
        },
        sort,
        desc,
        offset: page.offset(),
        limit: page.limit(),
    };
    let (mounts, total) = svc::list_mounts(&state.db, &list_query).await?;
    let items = mount_items(&state, &admin, &query, &mounts).await?;
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// Show a mount.
///
/// `GET /mounts/{id}`.
#[utoipa::path(
    get,
    path = "/mounts/{id}",
    tag = "mounts",
    operation_id = "view_mount",
    params(
        ("id" = i64, Path, description = "The mount's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `eggs` (needs egg read), `nodes` (needs node read), `servers` (needs server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "The mount.", body = MountItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_mount(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Read)?;
    let mount = svc::get_mount(&state.db, parse_id(&id)?).await?;
    let items = mount_items(&state, &admin, &query, std::slice::from_ref(&mount)).await?;
    let item = items.into_iter().next().unwrap_or_else(|| Item::of(&mount));
    Ok(api::ok(item))
}

/// Create a mount.
///
/// `POST /mounts`: 201 with `meta.resource`.
#[utoipa::path(
    post,
    path = "/mounts",
    tag = "mounts",
    operation_id = "create_mount",
    request_body(content = MountBody, description = "`name`, `source` and `target` are required."),
    responses(
        (status = 201, description = "The new mount, with `meta.resource`.", body = MountItem),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_mount(
    admin: ApplicationUser,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Write)?;
    let mount = svc::create_mount(&state.db, &body).await?;
    tracing::info!(
        mount.id = mount.id,
        admin.id = admin.user.id,
        "mount created"
    );
    let url = format!(
        "{}/api/application/mounts/{}",
        state.url.trim_end_matches('/'),
        mount.id
    );
    Ok(api::created(Item::of(&mount).meta("resource", url)))
}

/// Update a mount.
///
/// `PATCH /mounts/{id}`: the fields given change.
#[utoipa::path(
    patch,
    path = "/mounts/{id}",
    tag = "mounts",
    operation_id = "update_mount",
    params(
        ("id" = i64, Path, description = "The mount's id."),
    ),
    request_body(content = MountBody, description = "The fields to change."),
    responses(
        (status = 200, description = "The updated mount.", body = MountItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_mount(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Write)?;
    let id = parse_id(&id)?;
    let mount = svc::update_mount(&state.db, id, &body).await?;
    tracing::info!(mount.id = id, admin.id = admin.user.id, "mount updated");
    Ok(api::ok(Item::of(&mount)))
}

/// Delete a mount.
///
/// `DELETE /mounts/{id}`: 204; the mount is detached from its eggs, nodes and servers (a
/// running server keeps it until its container is rebuilt).
#[utoipa::path(
    delete,
    path = "/mounts/{id}",
    tag = "mounts",
    operation_id = "delete_mount",
    params(
        ("id" = i64, Path, description = "The mount's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_mount(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Write)?;
    let id = parse_id(&id)?;
    svc::delete_mount(&state.db, id).await?;
    tracing::info!(mount.id = id, admin.id = admin.user.id, "mount deleted");
    Ok(api::no_content())
}

// ---- links -------------------------------------------------------------------------------

/// The ACL resource of the items a link kind points at.
fn linked_resource(kind: MountLink) -> Resource {
    match kind {
        MountLink::Egg => Resource::Eggs,
        MountLink::Node => Resource::Nodes,
        MountLink::Server => Resource::Servers,
    }
}

async fn list_linked(
    admin: &ApplicationUser,
    state: &AppState,
    id: &str,
    kind: MountLink,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Read)?;
    admin.require(linked_resource(kind), Access::Read)?;
    let mount = svc::get_mount(&state.db, parse_id(id)?).await?;
    let db = &state.db;
    let ids = [mount.id];
    let list = match kind {
        MountLink::Egg => List::new(
            svc::eggs_of(db, &ids)
                .await?
                .iter()
                .map(|(_, e)| egg_item(e)),
        ),
        MountLink::Node => {
            let nodes: Vec<_> = svc::nodes_of(db, &ids)
                .await?
                .into_iter()
                .map(|(_, n)| n)
                .collect();
            List::new(crate::services::nodes::node_items(db, &nodes).await?)
        }
        MountLink::Server => {
            let servers: Vec<_> = svc::servers_of(db, &ids)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            let attrs = crate::services::servers::server_attributes_many(db, &servers).await?;
            List::new(attrs.into_iter().map(|a| Item::new("server", a)))
        }
    };
    Ok(api::ok(list))
}

async fn attach(
    admin: &ApplicationUser,
    state: &AppState,
    id: &str,
    kind: MountLink,
    body: &Map<String, Value>,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Write)?;
    let id = parse_id(id)?;
    let mount = svc::link(&state.db, id, kind, body).await?;
    tracing::info!(
        mount.id = id,
        admin.id = admin.user.id,
        link = svc::link_field(kind),
        "mount linked"
    );
    Ok(api::ok(Item::of(&mount)))
}

async fn detach(
    admin: &ApplicationUser,
    state: &AppState,
    id: &str,
    other: &str,
    kind: MountLink,
) -> Result<Response, Error> {
    admin.require(Resource::Mounts, Access::Write)?;
    let id = parse_id(id)?;
    let other = parse_id(other)?;
    svc::unlink(&state.db, id, kind, other).await?;
    tracing::info!(
        mount.id = id,
        admin.id = admin.user.id,
        link = svc::link_field(kind),
        link.id = other,
        "mount unlinked"
    );
    Ok(api::no_content())
}

/// List a mount's eggs.
///
/// `GET /mounts/{id}/eggs`: the eggs the mount may be used with (needs egg read too).
#[utoipa::path(
    get,
    path = "/mounts/{id}/eggs",
    tag = "mounts",
    operation_id = "list_mount_eggs",
    params(("id" = i64, Path, description = "The mount's id.")),
    responses(
        (status = 200, description = "The linked eggs.", body = EggList),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_mount_eggs(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    list_linked(&admin, &state, &id, MountLink::Egg).await
}

/// Link eggs to a mount.
///
/// `POST /mounts/{id}/eggs` with `{"eggs": [ids]}`: links the eggs not linked yet and
/// answers the mount. An unknown id is a 422 and links nothing.
#[utoipa::path(
    post,
    path = "/mounts/{id}/eggs",
    tag = "mounts",
    operation_id = "attach_mount_eggs",
    params(("id" = i64, Path, description = "The mount's id.")),
    request_body(content = MountEggsBody, description = "The egg ids to link."),
    responses(
        (status = 200, description = "The mount.", body = MountItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn attach_mount_eggs(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    attach(&admin, &state, &id, MountLink::Egg, &body).await
}

/// Unlink an egg from a mount.
///
/// `DELETE /mounts/{id}/eggs/{egg_id}`: 204, also when the egg was not linked.
#[utoipa::path(
    delete,
    path = "/mounts/{id}/eggs/{egg_id}",
    tag = "mounts",
    operation_id = "detach_mount_egg",
    params(
        ("id" = i64, Path, description = "The mount's id."),
        ("egg_id" = i64, Path, description = "The egg's id."),
    ),
    responses(
        (status = 204, description = "Unlinked."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn detach_mount_egg(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, egg_id)): Path<(String, String)>,
) -> Result<Response, Error> {
    detach(&admin, &state, &id, &egg_id, MountLink::Egg).await
}

/// List a mount's nodes.
///
/// `GET /mounts/{id}/nodes`: the nodes the mount exists on (needs node read too).
#[utoipa::path(
    get,
    path = "/mounts/{id}/nodes",
    tag = "mounts",
    operation_id = "list_mount_nodes",
    params(("id" = i64, Path, description = "The mount's id.")),
    responses(
        (status = 200, description = "The linked nodes.", body = NodeList),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_mount_nodes(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    list_linked(&admin, &state, &id, MountLink::Node).await
}

/// Link nodes to a mount.
///
/// `POST /mounts/{id}/nodes` with `{"nodes": [ids]}`: links the nodes not linked yet and
/// answers the mount. An unknown id is a 422 and links nothing.
#[utoipa::path(
    post,
    path = "/mounts/{id}/nodes",
    tag = "mounts",
    operation_id = "attach_mount_nodes",
    params(("id" = i64, Path, description = "The mount's id.")),
    request_body(content = MountNodesBody, description = "The node ids to link."),
    responses(
        (status = 200, description = "The mount.", body = MountItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn attach_mount_nodes(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    attach(&admin, &state, &id, MountLink::Node, &body).await
}

/// Unlink a node from a mount.
///
/// `DELETE /mounts/{id}/nodes/{node_id}`: 204, also when the node was not linked.
#[utoipa::path(
    delete,
    path = "/mounts/{id}/nodes/{node_id}",
    tag = "mounts",
    operation_id = "detach_mount_node",
    params(
        ("id" = i64, Path, description = "The mount's id."),
        ("node_id" = i64, Path, description = "The node's id."),
    ),
    responses(
        (status = 204, description = "Unlinked."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn detach_mount_node(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, node_id)): Path<(String, String)>,
) -> Result<Response, Error> {
    detach(&admin, &state, &id, &node_id, MountLink::Node).await
}

/// List a mount's servers.
///
/// `GET /mounts/{id}/servers`: the servers the mount is attached to (needs server read
/// too), whether or not it applies to them.
#[utoipa::path(
    get,
    path = "/mounts/{id}/servers",
    tag = "mounts",
    operation_id = "list_mount_servers",
    params(("id" = i64, Path, description = "The mount's id.")),
    responses(
        (status = 200, description = "The attached servers.", body = ServerList),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_mount_servers(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    list_linked(&admin, &state, &id, MountLink::Server).await
}

/// Attach a mount to servers.
///
/// `POST /mounts/{id}/servers` with `{"servers": [ids]}`: attaches the servers not attached
/// yet and answers the mount. An unknown id is a 422 and attaches nothing. Wings mounts it
/// only into servers whose node and egg are linked to the mount.
#[utoipa::path(
    post,
    path = "/mounts/{id}/servers",
    tag = "mounts",
    operation_id = "attach_mount_servers",
    params(("id" = i64, Path, description = "The mount's id.")),
    request_body(content = MountServersBody, description = "The server ids to attach."),
    responses(
        (status = 200, description = "The mount.", body = MountItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn attach_mount_servers(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    attach(&admin, &state, &id, MountLink::Server, &body).await
}

/// Detach a mount from a server.
///
/// `DELETE /mounts/{id}/servers/{server_id}`: 204, also when it was not attached.
#[utoipa::path(
    delete,
    path = "/mounts/{id}/servers/{server_id}",
    tag = "mounts",
    operation_id = "detach_mount_server",
    params(
        ("id" = i64, Path, description = "The mount's id."),
        ("server_id" = i64, Path, description = "The server's id."),
    ),
    responses(
        (status = 204, description = "Detached."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn detach_mount_server(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, server_id)): Path<(String, String)>,
) -> Result<Response, Error> {
    detach(&admin, &state, &id, &server_id, MountLink::Server).await
}
