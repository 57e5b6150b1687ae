//! `/servers/{server}/users[/{user}]`: a server's subusers, addressed by the account's UUID.

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{ServerCtx, body_map};
use crate::AppState;
use crate::api::{Item, JsonBody, List, no_content, ok};
use crate::services::schedules::{require_field, string_field};
use crate::services::subusers::{self, SubuserView};

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

/// `GET /servers/{server}/users`.
pub(super) async fn list_subusers(
    State(state): State<AppState>,
    ctx: ServerCtx,
) -> Result<Response, Error> {
    ctx.require("user.read")?;
    let all = subusers::list(&state.db, ctx.access.server.id).await?;
    Ok(ok(List::new(all.iter().map(subuser_item))))
}

/// `POST /servers/{server}/users` `{email, permissions[]}`.
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

/// `GET /servers/{server}/users/{user}`.
pub(super) async fn get_subuser(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, user)): Path<(String, String)>,
) -> Result<Response, Error> {
    let target = subusers::find(&state.db, ctx.access.server.id, &user).await?;
    ctx.require("user.read")?;
    Ok(ok(subuser_item(&target)))
}

/// `POST /servers/{server}/users/{user}` `{permissions[]}`: replaces the permissions.
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

/// `DELETE /servers/{server}/users/{user}`.
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
