//! `/api/application/api-keys`: the signed-in administrator's application (`ptla_`) keys.
//!
//! An Aerie extra: Pterodactyl manages these in its admin web pages, not its API. Like those
//! pages, these routes (and `/settings`) take only a root administrator's browser session:
//! a request made with any API key gets 403, so a leaked key can never mint more keys.
//! [`AdminSession`] is the extractor that enforces it.

use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get};
use serde::Deserialize;

use crate::AppState;
use crate::api::schemas::{
    ApplicationApiKeyCreated, ApplicationApiKeyList, ApplicationErrors, BadRequest, CsrfMismatch,
    NotFound, ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List};
use crate::auth::AdminSession;
use crate::services::application_keys::{self as svc, NewApplicationKey};

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_application_keys, create_application_key, delete_application_key))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api-keys",
            get(list_application_keys).post(create_application_key),
        )
        .route("/api-keys/{identifier}", delete(delete_application_key))
}

/// List your application API keys.
///
/// `GET /api-keys`: the signed-in administrator's application keys, oldest first, with
/// their permission bits (never their secrets). Browser session only.
#[utoipa::path(
    get,
    path = "/api-keys",
    tag = "application-api-keys",
    operation_id = "list_application_api_keys",
    responses(
        (status = 200, description = "The administrator's application keys.", body = ApplicationApiKeyList),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("session" = [])),
)]
async fn list_application_keys(
    AdminSession(admin): AdminSession,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    let keys = svc::list_application_keys(&state.db, &admin).await?;
    Ok(api::ok(List::new(keys.iter().map(|k| {
        Item::new("application_api_key", svc::application_key_attributes(k))
    }))))
}

/// The body of `POST /api-keys`. Each `r_*` is 0 (none, the default), 1 (read) or 3 (read
/// and write).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct CreateApplicationKeyBody {
    /// What the key is for (required, at most 500 characters).
    #[schema(max_length = 500)]
    memo: Option<String>,
    /// IPs and CIDR ranges the key may be used from (empty or absent = anywhere).
    #[serde(default)]
    allowed_ips: Option<Vec<String>>,
    /// Servers.
    r_servers: Option<i64>,
    /// Nodes.
    r_nodes: Option<i64>,
    /// Allocations.
    r_allocations: Option<i64>,
    /// Users.
    r_users: Option<i64>,
    /// Locations.
    r_locations: Option<i64>,
    /// Nests.
    r_nests: Option<i64>,
    /// Eggs.
    r_eggs: Option<i64>,
    /// Database hosts.
    r_database_hosts: Option<i64>,
    /// Server databases.
    r_server_databases: Option<i64>,
    /// Mounts.
    r_mounts: Option<i64>,
}

/// Create an application API key.
///
/// `POST /api-keys`: 201 with the key and, in `meta.token`, its whole bearer token, shown
/// only this once. Browser session only.
#[utoipa::path(
    post,
    path = "/api-keys",
    tag = "application-api-keys",
    operation_id = "create_application_api_key",
    request_body(content = CreateApplicationKeyBody, description = "`memo` is required; absent `r_*` bits are 0."),
    responses(
        (status = 201, description = "The new key; `meta.token` is shown only now.", body = ApplicationApiKeyCreated),
        (status = 400, response = BadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("session" = [])),
)]
async fn create_application_key(
    AdminSession(admin): AdminSession,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CreateApplicationKeyBody>,
) -> Result<Response, Error> {
    let input = NewApplicationKey {
        memo: body.memo,
        allowed_ips: body.allowed_ips.unwrap_or_default(),
        permissions: [
            body.r_servers,
            body.r_nodes,
            body.r_allocations,
            body.r_users,
            body.r_locations,
            body.r_nests,
            body.r_eggs,
            body.r_database_hosts,
            body.r_server_databases,
            body.r_mounts,
        ],
    };
    let created = svc::create_application_key(&state.db, &admin, input).await?;
    tracing::info!(
        api_key.identifier = %created.key.identifier,
        admin.id = admin.id,
        "application api key created"
    );
    Ok(api::created(
        Item::new(
            "application_api_key",
            svc::application_key_attributes(&created.key),
        )
        .meta("token", created.token),
    ))
}

/// Delete an application API key.
///
/// `DELETE /api-keys/{identifier}`: 204; 404 for a key that is not one of the signed-in
/// administrator's application keys. Browser session only.
#[utoipa::path(
    delete,
    path = "/api-keys/{identifier}",
    tag = "application-api-keys",
    operation_id = "delete_application_api_key",
    params(
        ("identifier" = String, Path, description = "The key's identifier (`ptla_` + 11 characters)."),
    ),
    responses(
        (status = 204, description = "Deleted; the key stops working at once."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 419, response = CsrfMismatch),
        ApplicationErrors,
    ),
    security(("session" = [])),
)]
async fn delete_application_key(
    AdminSession(admin): AdminSession,
    State(state): State<AppState>,
    Path(identifier): Path<String>,
) -> Result<Response, Error> {
    svc::delete_application_key(&state.db, &admin, &identifier).await?;
    tracing::info!(
        api_key.identifier = %identifier,
        admin.id = admin.id,
        "application api key deleted"
    );
    Ok(api::no_content())
}
