//! `/api/application/database-hosts`: database hosts, as Pelican's application API has them
//! (Pterodactyl manages them only in its admin UI). ACL resource `database_hosts`.
//!
//! - `GET /database-hosts`: paginated; `filter[name]`, `filter[host]` (partial); `sort`
//!   `id`, `name`; `include=databases`.
//! - `POST /database-hosts`: `{name, host, port, username, password, max_databases,
//!   node_id}`; the panel logs in to the host first (400 naming the host when it cannot);
//!   201 with `meta.resource`.
//! - `GET /database-hosts/{id}`, `PATCH /database-hosts/{id}` (the fields given; a new
//!   address or account is tried first), `DELETE /database-hosts/{id}` (204; 400 while it
//!   holds databases).
//!
//! The `database_host` attributes never include the password.

use aerie_db::repo::databases::{DatabaseHost, DatabaseHostListQuery};
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Deserializer};

use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, DatabaseHostItem, DatabaseHostPage, NotFound, PageParams,
    ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::databases::{self as svc, HostUpdate, NewHost};

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_hosts, create_host, view_host, update_host, delete_host))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/database-hosts", get(list_hosts).post(create_host))
        .route("/database-hosts/", get(list_hosts).post(create_host))
        .route(
            "/database-hosts/{id}",
            get(view_host).patch(update_host).delete(delete_host),
        )
        .route(
            "/database-hosts/{id}/",
            get(view_host).patch(update_host).delete(delete_host),
        )
}

fn not_found() -> Error {
    Error::NotFound("The requested resource could not be found on the server.".into())
}

fn parse_id(raw: &str) -> Result<i64, Error> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    raw.parse().map_err(|_| not_found())
}

/// The `database_host` item, with `relationships.databases` when asked for (a null
/// resource when the key may not read server databases).
async fn host_item(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    h: &DatabaseHost,
) -> Result<Item, Error> {
    let mut item = Item::new("database_host", svc::host_attributes(h));
    if query.has_include("databases") {
        if admin
            .require(Resource::ServerDatabases, Access::Read)
            .is_ok()
        {
            let dbs = svc::list_for_host(&state.db, h.id).await?;
            item = item.include(
                "databases",
                List::new(dbs.iter().map(|d| {
                    Item::new("server_database", svc::database_attributes_application(d))
                })),
            );
        } else {
            item = item.include("databases", api::null_resource());
        }
    }
    Ok(item)
}

/// List database hosts.
///
/// `GET /database-hosts`.
#[utoipa::path(
    get,
    path = "/database-hosts",
    tag = "database-hosts",
    operation_id = "list_database_hosts",
    params(
        PageParams,
        ("filter[name]" = Option<String>, Query, description = "Partial match on the name."),
        ("filter[host]" = Option<String>, Query, description = "Partial match on the address."),
        ("sort" = Option<String>, Query, description = "`id` or `name`; a leading `-` sorts descending."),
        ("include" = Option<String>, Query, description = "`databases` (needs server database read; a null resource otherwise)."),
    ),
    responses(
        (status = 200, description = "A page of database hosts.", body = DatabaseHostPage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_hosts(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::DatabaseHosts, Access::Read)?;
    query.check_filters(&["name", "host"])?;
    query.check_sorts(&["id", "name"])?;
    let page = query.page();
    let sort = query.sort();
    let list_query = DatabaseHostListQuery {
        name: query.filter("name").map(str::to_owned),
        host: query.filter("host").map(str::to_owned),
        sort_by_name: sort.is_some_and(|s| s.field == "name"),
        descending: sort.is_some_and(|s| s.descending),
        offset: page.offset(),
        limit: page.limit(),
    };
    let (hosts, total) = svc::search_hosts(&state.db, &list_query).await?;
    let mut items = Vec::with_capacity(hosts.len());
    for h in &hosts {
        items.push(host_item(&state, &admin, &query, h).await?);
    }
    let total = u64::try_from(total).unwrap_or(0);
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// Show a database host.
///
/// `GET /database-hosts/{id}`.
#[utoipa::path(
    get,
    path = "/database-hosts/{id}",
    tag = "database-hosts",
    operation_id = "view_database_host",
    params(
        ("id" = i64, Path, description = "The database host's id."),
        ("include" = Option<String>, Query, description = "`databases` (needs server database read; a null resource otherwise)."),
    ),
    responses(
        (status = 200, description = "The database host.", body = DatabaseHostItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_host(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::DatabaseHosts, Access::Read)?;
    let h = svc::find_host(&state.db, parse_id(&id)?).await?;
    Ok(api::ok(host_item(&state, &admin, &query, &h).await?))
}

/// `absent` → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// The body of `POST /database-hosts` and `PATCH /database-hosts/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = DatabaseHostBody)]
struct HostBody {
    /// Display name (unique).
    name: Option<String>,
    /// The address clients and the panel connect to.
    host: Option<String>,
    /// Port.
    port: Option<i64>,
    /// The administrative account the panel uses.
    username: Option<String>,
    /// That account's password.
    #[schema(write_only)]
    password: Option<String>,
    /// Most databases the host may hold (`null` = no limit).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    max_databases: Option<Option<i64>>,
    /// The node to link it to (`node` is accepted too).
    #[serde(default, deserialize_with = "nullable", alias = "node")]
    #[schema(value_type = Option<i64>)]
    node_id: Option<Option<i64>>,
}

/// Create a database host.
///
/// `POST /database-hosts`: 201 with `meta.resource`.
#[utoipa::path(
    post,
    path = "/database-hosts",
    tag = "database-hosts",
    operation_id = "create_database_host",
    request_body(content = HostBody, description = "`name`, `host`, `port`, `username` and `password` are required; the panel logs in to the host first."),
    responses(
        (status = 201, description = "The new host, with `meta.resource`.", body = DatabaseHostItem),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_host(
    admin: ApplicationUser,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<HostBody>,
) -> Result<Response, Error> {
    admin.require(Resource::DatabaseHosts, Access::Write)?;
    let input = NewHost {
        name: body.name,
        host: body.host,
        port: body.port,
        username: body.username,
        password: body.password,
        max_databases: body.max_databases.flatten(),
        node_id: body.node_id.flatten(),
    };
    let h = svc::create_host(&state.db, input).await?;
    tracing::info!(
        database_host.id = h.id,
        admin.id = admin.user.id,
        "database host created"
    );
    let url = format!(
        "{}/api/application/database-hosts/{}",
        state.url.trim_end_matches('/'),
        h.id
    );
    Ok(api::created(
        Item::new("database_host", svc::host_attributes(&h)).meta("resource", url),
    ))
}

/// Update a database host.
///
/// `PATCH /database-hosts/{id}`.
#[utoipa::path(
    patch,
    path = "/database-hosts/{id}",
    tag = "database-hosts",
    operation_id = "update_database_host",
    params(
        ("id" = i64, Path, description = "The database host's id."),
    ),
    request_body(content = HostBody, description = "The fields to change; a new address or account is tried first."),
    responses(
        (status = 200, description = "The updated host.", body = DatabaseHostItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_host(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<HostBody>,
) -> Result<Response, Error> {
    admin.require(Resource::DatabaseHosts, Access::Write)?;
    let id = parse_id(&id)?;
    let input = HostUpdate {
        name: body.name,
        host: body.host,
        port: body.port,
        username: body.username,
        password: body.password,
        max_databases: body.max_databases,
        node_id: body.node_id,
    };
    let h = svc::update_host(&state.db, id, input).await?;
    tracing::info!(
        database_host.id = h.id,
        admin.id = admin.user.id,
        "database host updated"
    );
    Ok(api::ok(Item::new(
        "database_host",
        svc::host_attributes(&h),
    )))
}

/// Delete a database host.
///
/// `DELETE /database-hosts/{id}`: 204, or 400 while databases remain.
#[utoipa::path(
    delete,
    path = "/database-hosts/{id}",
    tag = "database-hosts",
    operation_id = "delete_database_host",
    params(
        ("id" = i64, Path, description = "The database host's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_host(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::DatabaseHosts, Access::Write)?;
    let id = parse_id(&id)?;
    svc::delete_host(&state.db, id).await?;
    tracing::info!(
        database_host.id = id,
        admin.id = admin.user.id,
        "database host deleted"
    );
    Ok(api::no_content())
}
