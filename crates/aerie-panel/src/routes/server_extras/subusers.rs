//! `/servers/{server}/users[/{user}]`: a server's subusers, addressed by the account's UUID.

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{ServerCtx, body_map};
use crate::AppState;
use crate::api::schemas::{
    ClientBadRequest, ClientServerErrors, ClientSubuserItem, ClientSubuserList, CsrfMismatch,
    SubuserCreateBody, SubuserUpdateBody, ValidationFailed,
};
use crate::api::{Item, JsonBody, List, no_content, ok};
use crate::services::schedules::{require_field, string_field};
use crate::services::subusers::{self, SubuserView};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_subusers,
    create_subuser,
    get_subuser,
    update_subuser,
    delete_subuser
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

fn subuser_item(v: &SubuserView) -> Item {
    Item::new("server_subuser", subusers::subuser_attributes(v))
}

/// `permissions` as a list of strings: `None` when absent; 422 when it is not an array of
/// strings.
fn permissions_field(body: &Map<String, Value>) -> Result<Option<Vec<String>>, Error> {
    match body.get("permissions") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    Error::validation(
                        &format!("permissions.{i}"),
                        "string",
                        format!("The permissions.{i} must be a string."),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(Error::validation(
            "permissions",
            "array",
            "The permissions must be an array.",
        )),
    }
}

fn required_permissions(perms: Option<Vec<String>>) -> Result<Vec<String>, Error> {
    perms.ok_or_else(|| {
        Error::validation(
            "permissions",
            "required",
            "The permissions field is required.",
        )
    })
}

/// List a server's subusers.
///
/// `GET /servers/{server}/users`: needs `user.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/users",
    tag = "subusers",
    operation_id = "client_list_subusers",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "Every subuser of the server.", body = ClientSubuserList),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_subusers(
    State(state): State<AppState>,
    ctx: ServerCtx,
) -> Result<Response, Error> {
    ctx.require("user.read")?;
    let all = subusers::list(&state.db, ctx.access.server.id).await?;
    Ok(ok(List::new(all.iter().map(subuser_item))))
}

/// Add a subuser.
///
/// `POST /servers/{server}/users` `{email, permissions[]}`: needs `user.create`, and
/// every permission granted must be one the caller holds (403 otherwise, checked before the
/// fields). An e-mail address without an account gets a new account. Not the owner, not
/// twice (400).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/users",
    tag = "subusers",
    operation_id = "client_create_subuser",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = SubuserCreateBody),
    responses(
        (status = 200, description = "The new subuser.", body = ClientSubuserItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_subuser(
    State(state): State<AppState>,
    ctx: ServerCtx,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    ctx.require("user.create")?;
    let body = body_map(body)?;
    // Pterodactyl checks what may be granted before it validates the fields.
    let perms = permissions_field(&body);
    if let Ok(Some(p)) = &perms {
        subusers::check_assignable(&ctx.access, p)?;
    }
    require_field(&body, "email")?;
    let email = string_field(&body, "email")?.unwrap_or_default();
    subusers::validate_email(Some(&email))?;
    let perms = required_permissions(perms?)?;
    let created = subusers::create(&state.db, &ctx.access.server, &email, &perms).await?;
    ctx.audit(
        &state,
        "server:subuser.create",
        json!({"email": created.user.email, "permissions": created.subuser.permissions}),
    )
    .await;
    Ok(ok(subuser_item(&created)))
}

/// Show a subuser.
///
/// `GET /servers/{server}/users/{user}`: needs `user.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/users/{user}",
    tag = "subusers",
    operation_id = "client_get_subuser",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("user" = String, Path, description = "The subuser's account UUID."),
    ),
    responses(
        (status = 200, description = "The subuser.", body = ClientSubuserItem),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_subuser(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, user)): Path<(String, String)>,
) -> Result<Response, Error> {
    let target = subusers::find(&state.db, ctx.access.server.id, &user).await?;
    ctx.require("user.read")?;
    Ok(ok(subuser_item(&target)))
}

/// Change a subuser's permissions.
///
/// `POST /servers/{server}/users/{user}` `{permissions[]}`: replaces the permissions.
/// Needs `user.update`; not on oneself (403), and only permissions the caller holds.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/users/{user}",
    tag = "subusers",
    operation_id = "client_update_subuser",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("user" = String, Path, description = "The subuser's account UUID."),
    ),
    request_body(content = SubuserUpdateBody),
    responses(
        (status = 200, description = "The subuser with its new permissions.", body = ClientSubuserItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn update_subuser(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, user)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    let target = subusers::find(&state.db, ctx.access.server.id, &user).await?;
    ctx.require("user.update")?;
    subusers::check_not_self(&ctx.access, &target)?;
    let body = body_map(body)?;
    let perms = permissions_field(&body);
    if let Ok(Some(p)) = &perms {
        subusers::check_assignable(&ctx.access, p)?;
    }
    let perms = required_permissions(perms?)?;
    let (updated, old) = subusers::update(&state.db, &ctx.access.server, &target, &perms).await?;
    if old != updated.subuser.permissions {
        ctx.audit(
            &state,
            "server:subuser.update",
            json!({
                "email": updated.user.email,
                "old": old,
                "new": updated.subuser.permissions,
            }),
        )
        .await;
    }
    Ok(ok(subuser_item(&updated)))
}

/// Remove a subuser.
///
/// `DELETE /servers/{server}/users/{user}`: needs `user.delete`; not oneself (403).
#[utoipa::path(
    delete,
    path = "/api/client/servers/{server}/users/{user}",
    tag = "subusers",
    operation_id = "client_delete_subuser",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("user" = String, Path, description = "The subuser's account UUID."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_subuser(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, user)): Path<(String, String)>,
) -> Result<Response, Error> {
    let target = subusers::find(&state.db, ctx.access.server.id, &user).await?;
    ctx.require("user.delete")?;
    subusers::check_not_self(&ctx.access, &target)?;
    subusers::delete(&state.db, &ctx.access.server, &target).await?;
    ctx.audit(
        &state,
        "server:subuser.delete",
        json!({"email": target.user.email}),
    )
    .await;
    Ok(no_content())
}
