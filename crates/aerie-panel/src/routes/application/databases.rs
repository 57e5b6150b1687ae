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
use crate::api::{self, Item, JsonBody, List, ListQuery, Validator};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::databases::{self as svc, CreateDatabase};

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

/// `GET /servers/{id}/databases`.
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

/// `GET /servers/{id}/databases/{database}`.
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
#[derive(Debug, Default, Deserialize)]
struct StoreBody {
    database: Option<String>,
    remote: Option<String>,
    host: Option<i64>,
    max_connections: Option<i64>,
}

/// `POST /servers/{id}/databases`: 201 with `meta.resource`.
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

/// `POST /servers/{id}/databases/{database}/reset-password`: 204.
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

/// `DELETE /servers/{id}/databases/{database}`: 204.
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
