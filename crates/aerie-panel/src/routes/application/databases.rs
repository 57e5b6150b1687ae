//! `/api/application/servers/{id}/databases`: Pterodactyl's application
//! `DatabaseController` (ACL resource `server_databases`).
//!
//! - `GET /servers/{id}/databases`: every database of the server, **not** paginated.
//! - `GET /servers/{id}/databases/{database}`: one (numeric id or the client's hashid form).
//! - `POST /servers/{id}/databases`: `{database, remote, host}` (plus optional
//!   `max_connections`); 201 with `meta.resource`. The server's `database_limit` is not
//!   applied here, as in Pterodactyl's admin paths.
//! - `POST /servers/{id}/databases/{database}/reset-password`: 204.
//! - `DELETE /servers/{id}/databases/{database}`: 204.
//!
//! Includes: `password` (`database_password`) and `host` (`database_host`, or a null
//! resource when the key may not read database hosts).

use aerie_db::repo::databases::Database;
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, NotFound, ServerDatabaseItem, ServerDatabaseList,
    ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery, Validator};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::databases::{self as svc, CreateDatabase};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_databases,
    create_database,
    view_database,
    reset_password,
    delete_database
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/servers/{id}/databases",
            get(list_databases).post(create_database),
        )
        .route(
            "/servers/{id}/databases/",
            get(list_databases).post(create_database),
        )
        .route(
            "/servers/{id}/databases/{database}",
            get(view_database).delete(delete_database),
        )
        .route(
            "/servers/{id}/databases/{database}/",
            get(view_database).delete(delete_database),
        )
        .route(
            "/servers/{id}/databases/{database}/reset-password",
            post(reset_password),
        )
        .route(
            "/servers/{id}/databases/{database}/reset-password/",
            post(reset_password),
        )
}

fn not_found() -> Error {
    Error::NotFound("The requested resource could not be found on the server.".into())
}

/// A route id: digits only, else the resource does not exist (Laravel's route binding).
fn parse_id(raw: &str) -> Result<i64, Error> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    raw.parse().map_err(|_| not_found())
}

/// The `server_database` item with the includes asked for.
async fn database_item(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    cipher: Option<&svc::Cipher>,
    d: &Database,
) -> Result<Item, Error> {
    let mut item = Item::new("server_database", svc::database_attributes_application(d));
    if query.has_include("password") {
        let password = match cipher {
            Some(c) => svc::database_password(c, d)?,
            None => svc::database_password(&svc::cipher(&state.db).await?, d)?,
        };
        item = item.include("password", svc::password_item(&password));
    }
    if query.has_include("host") {
        if admin.require(Resource::DatabaseHosts, Access::Read).is_ok() {
            let host = svc::host_of(&state.db, d).await?;
            item = item.include(
                "host",
                Item::new("database_host", svc::host_attributes(&host)),
            );
        } else {
            item = item.include("host", api::null_resource());
        }
    }
    Ok(item)
}

/// List a server's databases.
///
/// `GET /servers/{id}/databases`.
#[utoipa::path(
    get,
    path = "/servers/{id}/databases",
    tag = "server-databases",
    operation_id = "list_databases",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `password` (the account password), `host` (needs database host read; a null resource otherwise)."),
    ),
    responses(
        (status = 200, description = "Every database of the server (not paginated).", body = ServerDatabaseList),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_databases(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::ServerDatabases, Access::Read)?;
    let databases = svc::list_for_server(&state.db, parse_id(&id)?).await?;
    let cipher = if query.has_include("password") {
        Some(svc::cipher(&state.db).await?)
    } else {
        None
    };
    let mut items = Vec::with_capacity(databases.len());
    for d in &databases {
        items.push(database_item(&state, &admin, &query, cipher.as_ref(), d).await?);
    }
    Ok(api::ok(List::new(items)))
}

/// Show a server database.
///
/// `GET /servers/{id}/databases/{database}`.
#[utoipa::path(
    get,
    path = "/servers/{id}/databases/{database}",
    tag = "server-databases",
    operation_id = "view_database",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("database" = String, Path, description = "The database's numeric id, or the client API's opaque id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `password` (the account password), `host` (needs database host read; a null resource otherwise)."),
    ),
    responses(
        (status = 200, description = "The database.", body = ServerDatabaseItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_database(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, database)): Path<(String, String)>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::ServerDatabases, Access::Read)?;
    let d = svc::find_for_server(&state.db, parse_id(&id)?, &database).await?;
    Ok(api::ok(
        database_item(&state, &admin, &query, None, &d).await?,
    ))
}

/// The body of `POST /servers/{id}/databases`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ServerDatabaseBody)]
struct StoreBody {
    /// The database name (prefixed `s{server}_` on the host).
    database: Option<String>,
    /// Where the account may connect from (default `%`).
    remote: Option<String>,
    /// The database host id.
    host: Option<i64>,
    /// The account's connection limit.
    max_connections: Option<i64>,
}

/// Create a server database.
///
/// `POST /servers/{id}/databases`: 201 with `meta.resource`.
#[utoipa::path(
    post,
    path = "/servers/{id}/databases",
    tag = "server-databases",
    operation_id = "create_database",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `password` (the account password), `host` (needs database host read; a null resource otherwise)."),
    ),
    request_body(content = StoreBody, description = "`database` and `host` are required."),
    responses(
        (status = 201, description = "The new database, with `meta.resource`.", body = ServerDatabaseItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_database(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
    JsonBody(body): JsonBody<StoreBody>,
) -> Result<Response, Error> {
    admin.require(Resource::ServerDatabases, Access::Write)?;
    let server_id = parse_id(&id)?;
    let mut v = Validator::new();
    v.required("database", body.database.as_deref())
        .required_value("host", body.host.as_ref());
    v.finish()?;
    let input = CreateDatabase {
        name: body.database.unwrap_or_default().trim().to_owned(),
        // Laravel turns "" into null; the service then uses `%`.
        remote: body
            .remote
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
        host_id: body.host,
        max_connections: body.max_connections,
    };
    let d = svc::create_database_with(&state.db, server_id, &input, false).await?;
    tracing::info!(
        database.id = d.id,
        server.id = server_id,
        admin.id = admin.user.id,
        "server database created"
    );
    let url = format!(
        "{}/api/application/servers/{server_id}/databases/{}",
        state.url.trim_end_matches('/'),
        d.id
    );
    let item = database_item(&state, &admin, &query, None, &d).await?;
    Ok(api::created(item.meta("resource", url)))
}

/// Rotate a server database's password.
///
/// `POST /servers/{id}/databases/{database}/reset-password`: 204.
#[utoipa::path(
    post,
    path = "/servers/{id}/databases/{database}/reset-password",
    tag = "server-databases",
    operation_id = "reset_database_password",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("database" = String, Path, description = "The database's numeric id, or the client API's opaque id."),
    ),
    responses(
        (status = 204, description = "The password was changed."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn reset_password(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, database)): Path<(String, String)>,
) -> Result<Response, Error> {
    admin.require(Resource::ServerDatabases, Access::Write)?;
    let d = svc::find_for_server(&state.db, parse_id(&id)?, &database).await?;
    svc::rotate_password(&state.db, &d).await?;
    tracing::info!(
        database.id = d.id,
        admin.id = admin.user.id,
        "server database password reset"
    );
    Ok(api::no_content())
}

/// Delete a server database.
///
/// `DELETE /servers/{id}/databases/{database}`: 204.
#[utoipa::path(
    delete,
    path = "/servers/{id}/databases/{database}",
    tag = "server-databases",
    operation_id = "delete_database",
    params(
        ("id" = i64, Path, description = "The server's id."),
        ("database" = String, Path, description = "The database's numeric id, or the client API's opaque id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_database(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, database)): Path<(String, String)>,
) -> Result<Response, Error> {
    admin.require(Resource::ServerDatabases, Access::Write)?;
    let d = svc::find_for_server(&state.db, parse_id(&id)?, &database).await?;
    svc::delete_database(&state.db, &d).await?;
    tracing::info!(
        database.id = d.id,
        admin.id = admin.user.id,
        "server database deleted"
    );
    Ok(api::no_content())
}
