//! `/servers/{server}/databases[/{database}[/rotate-password]]`, addressed by the 8-character
//! client id of [`crate::services::databases::encode_database_id`] (or the number).
//!
//! `include=password` on the list, and every create and rotate answer, carry the password as
//! `relationships.password` for users with `database.view_password`, and a null resource
//! for the others, as Pterodactyl's `DatabaseTransformer::includePassword` does.

use std::collections::HashMap;

use aerie_db::repo::databases::{Database, DatabaseHost};
use aerie_http::Error;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::{ServerCtx, body_map};
use crate::AppState;
use crate::api::schemas::{
    BadGateway, ClientBadRequest, ClientDatabaseBody, ClientDatabaseItem, ClientDatabaseList,
    ClientServerErrors, CsrfMismatch, ValidationFailed,
};
use crate::api::{
    Item, JsonBody, List, ListQuery, attach_relationship, no_content, null_resource, ok,
};
use crate::services::databases::{self as dbs, Cipher};
use crate::services::schedules::{require_field, string_field};

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_databases, create_database, rotate_password, delete_database))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// One `server_database` item; with `with_password`, the password include (or a null
/// resource when `cipher` is `None`: the user may not see it).
fn database_item(
    d: &Database,
    host: &DatabaseHost,
    with_password: bool,
    cipher: Option<&Cipher>,
) -> Result<Value, Error> {
    let password = match (with_password, cipher) {
        (true, Some(c)) => Some(dbs::database_password(c, d)?),
        _ => None,
    };
    let mut v = Item::new(
        "server_database",
        dbs::database_attributes_client(d, host, password.as_deref()),
    )
    .into_value();
    if with_password && password.is_none() {
        attach_relationship(&mut v, "password", null_resource());
    }
    Ok(v)
}

/// The cipher, when the user may see passwords.
async fn cipher_for(state: &AppState, ctx: &ServerCtx) -> Result<Option<Cipher>, Error> {
    if ctx.access.can("database.view_password") {
        Ok(Some(dbs::cipher(&state.db).await?))
    } else {
        Ok(None)
    }
}

/// List a server's databases.
///
/// `GET /servers/{server}/databases` (`include=password`): needs `database.read`; the
/// password include needs `database.view_password` and is a null resource without it.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/databases",
    tag = "databases",
    operation_id = "client_list_databases",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("include" = Option<String>, Query, description = "`password`: each database's password as `relationships.password` (a null resource without `database.view_password`)."),
    ),
    responses(
        (status = 200, description = "Every database of the server.", body = ClientDatabaseList),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_databases(
    State(state): State<AppState>,
    ctx: ServerCtx,
    query: ListQuery,
) -> Result<Response, Error> {
    ctx.require("database.read")?;
    let with_password = query.has_include("password");
    let rows = dbs::list_for_server(&state.db, ctx.access.server.id).await?;
    let cipher = if with_password {
        cipher_for(&state, &ctx).await?
    } else {
        None
    };
    let mut hosts: HashMap<i64, DatabaseHost> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for d in &rows {
        if !hosts.contains_key(&d.database_host_id) {
            let h = dbs::host_of(&state.db, d).await?;
            hosts.insert(h.id, h);
        }
        let host = hosts
            .get(&d.database_host_id)
            .ok_or_else(|| Error::internal("database host vanished"))?;
        items.push(database_item(d, host, with_password, cipher.as_ref())?);
    }
    Ok(ok(List::new(items)))
}

fn check_body(database: &str, remote: &str) -> Result<(), Error> {
    let alpha_dash = database
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let remote_ok = (1..=15).contains(&remote.len())
        && remote
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'%' || b == b'.');
    crate::api::Validator::new()
        .rule(
            "database",
            "alpha_dash",
            alpha_dash,
            "The database must only contain letters, numbers, dashes and underscores.",
        )
        .min("database", database, 3)
        .max("database", database, 48)
        .rule(
            "remote",
            "regex",
            remote_ok,
            "The remote format is invalid.",
        )
        .finish()
}

/// Create a database.
///
/// `POST /servers/{server}/databases` `{database, remote}`: within the server's limit
/// (400), on a database host of the server's node when there is one. Needs
/// `database.create`. The answer carries `relationships.password` (a null resource without
/// `database.view_password`).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/databases",
    tag = "databases",
    operation_id = "client_create_database",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = ClientDatabaseBody),
    responses(
        (status = 200, description = "The new database with `relationships.password`.", body = ClientDatabaseItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_database(
    State(state): State<AppState>,
    ctx: ServerCtx,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    ctx.require("database.create")?;
    let body = body_map(body)?;
    require_field(&body, "database")?;
    let database = string_field(&body, "database")?.unwrap_or_default();
    require_field(&body, "remote")?;
    let remote = string_field(&body, "remote")?.unwrap_or_default();
    check_body(&database, &remote)?;
    let created = dbs::create_database(
        &state.db,
        ctx.access.server.id,
        &database,
        Some(&remote),
        None,
        true,
    )
    .await?;
    ctx.audit(
        &state,
        "server:database.create",
        json!({"name": created.database}),
    )
    .await;
    let host = dbs::host_of(&state.db, &created).await?;
    let cipher = cipher_for(&state, &ctx).await?;
    Ok(ok(database_item(&created, &host, true, cipher.as_ref())?))
}

/// Rotate a database's password.
///
/// `POST /servers/{server}/databases/{database}/rotate-password`: needs
/// `database.update`. The answer carries `relationships.password` (a null resource without
/// `database.view_password`).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/databases/{database}/rotate-password",
    tag = "databases",
    operation_id = "client_rotate_database_password",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("database" = String, Path, description = "The database's 8-character client id (or its numeric id)."),
    ),
    responses(
        (status = 200, description = "The database with its new password in `relationships.password`.", body = ClientDatabaseItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 502, response = BadGateway),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn rotate_password(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let database = dbs::find_for_server(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("database.update")?;
    let updated = dbs::rotate_password(&state.db, &database).await?;
    ctx.audit(
        &state,
        "server:database.rotate-password",
        json!({"name": updated.database}),
    )
    .await;
    let host = dbs::host_of(&state.db, &updated).await?;
    let cipher = cipher_for(&state, &ctx).await?;
    Ok(ok(database_item(&updated, &host, true, cipher.as_ref())?))
}

/// Delete a database.
///
/// `DELETE /servers/{server}/databases/{database}`: drops it and its account on the
/// host. Needs `database.delete`.
#[utoipa::path(
    delete,
    path = "/api/client/servers/{server}/databases/{database}",
    tag = "databases",
    operation_id = "client_delete_database",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("database" = String, Path, description = "The database's 8-character client id (or its numeric id)."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 502, response = BadGateway),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_database(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let database = dbs::find_for_server(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("database.delete")?;
    dbs::delete_database(&state.db, &database).await?;
    ctx.audit(
        &state,
        "server:database.delete",
        json!({"name": database.database}),
    )
    .await;
    Ok(no_content())
}
