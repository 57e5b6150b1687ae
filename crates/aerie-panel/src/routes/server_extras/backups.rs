//! `/servers/{server}/backups[/{backup}[/download|/lock|/restore]]`, addressed by the
//! backup's UUID.

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::{ServerCtx, body_map};
use crate::AppState;
use crate::api::schemas::{
    BackupCreateBody, BackupItem, BackupPage, BackupRestoreBody, BadGateway, ClientBadRequest,
    ClientServerErrors, CsrfMismatch, ServiceUnavailable, SignedUrlItem, ValidationFailed,
};
use crate::api::{Item, JsonBody, List, ListQuery, Page, no_content, ok};
use crate::services::backups::{self, NewBackup};
use crate::services::schedules::{bool_field, require_field, string_field};

/// Default and largest `per_page` of the backup list.
const PER_PAGE: u64 = 20;
const MAX_PER_PAGE: u64 = 50;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_backups,
    create_backup,
    get_backup,
    download_backup,
    lock_backup,
    restore_backup,
    delete_backup
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

fn backup_item(b: &aerie_db::repo::backups::Backup) -> Item {
    Item::new("backup", backups::backup_attributes(b))
}

/// List a server's backups.
///
/// `GET /servers/{server}/backups`: paged (`per_page` up to 50, default 20), with
/// `meta.backup_count` (backups not failed). Needs `backup.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/backups",
    tag = "backups",
    operation_id = "client_list_backups",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("page" = Option<u64>, Query, minimum = 1, description = "The page, from 1."),
        ("per_page" = Option<u64>, Query, minimum = 1, description = "Backups per page: default 20, at most 50 (larger values are clamped)."),
    ),
    responses(
        (status = 200, description = "A page of backups, oldest first.", body = BackupPage),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_backups(
    State(state): State<AppState>,
    ctx: ServerCtx,
    query: ListQuery,
) -> Result<Response, Error> {
    ctx.require("backup.read")?;
    let per_page = query
        .get("per_page")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(PER_PAGE, |n| n.clamp(1, MAX_PER_PAGE));
    let page = Page {
        page: query.page().page,
        per_page,
    };
    let (rows, total, non_failed) =
        backups::list(&state.db, ctx.access.server.id, page.offset(), page.limit()).await?;
    let count = u64::try_from(rows.len()).unwrap_or(0);
    let pagination =
        crate::api::Pagination::new(u64::try_from(total).unwrap_or(0), count, page, |n| {
            query.page_url(&state.url, n)
        });
    Ok(ok(List::new(rows.iter().map(backup_item))
        .paginate(pagination)
        .meta("backup_count", non_failed)))
}

/// Start a backup.
///
/// `POST /servers/{server}/backups` `{name?, is_locked?, ignored?}`: starts a backup. The
/// lock is only honoured for users who may delete backups. Needs `backup.create`; at most
/// the server's backup limit (400) and a few per ten minutes (429).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/backups",
    tag = "backups",
    operation_id = "client_create_backup",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = Option<BackupCreateBody>, description = "Optional: an empty body starts a backup with the defaults."),
    responses(
        (status = 200, description = "The new backup, running.", body = BackupItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_backup(
    State(state): State<AppState>,
    ctx: ServerCtx,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    ctx.require("backup.create")?;
    let body = body_map(body)?;
    let name = string_field(&body, "name")?;
    let ignored = string_field(&body, "ignored")?.unwrap_or_default();
    let mut locked = bool_field(&body, "is_locked")?;
    if locked.is_none() {
        // PteroJS sends it in camel case.
        locked = bool_field(&body, "isLocked")?;
    }
    let locked = locked.unwrap_or(false);
    let input = NewBackup {
        name,
        ignored,
        locked: locked && ctx.access.can("backup.delete"),
    };
    backups::validate(&input)?;
    let backup = backups::start_backup(
        &state.db,
        state.backup_storage.as_ref(),
        &ctx.access.server,
        &input,
        true,
    )
    .await?;
    ctx.audit(
        &state,
        "server:backup.start",
        json!({"name": backup.name, "locked": locked, "uuid": backup.uuid}),
    )
    .await;
    Ok(ok(backup_item(&backup)))
}

/// Show a backup.
///
/// `GET /servers/{server}/backups/{backup}`: needs `backup.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/backups/{backup}",
    tag = "backups",
    operation_id = "client_get_backup",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("backup" = String, Path, description = "The backup's UUID."),
    ),
    responses(
        (status = 200, description = "The backup.", body = BackupItem),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_backup(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, uuid)): Path<(String, String)>,
) -> Result<Response, Error> {
    let backup = backups::find(&state.db, ctx.access.server.id, &uuid).await?;
    ctx.require("backup.read")?;
    Ok(ok(backup_item(&backup)))
}

/// Get a download link for a backup.
///
/// `GET /servers/{server}/backups/{backup}/download`: a signed wings URL. Needs
/// `backup.download`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/backups/{backup}/download",
    tag = "backups",
    operation_id = "client_download_backup",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("backup" = String, Path, description = "The backup's UUID."),
    ),
    responses(
        (status = 200, description = "A one-time download URL on the node, valid 15 minutes.", body = SignedUrlItem),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn download_backup(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, uuid)): Path<(String, String)>,
) -> Result<Response, Error> {
    let backup = backups::find(&state.db, ctx.access.server.id, &uuid).await?;
    ctx.require("backup.download")?;
    let url = backups::download_url(
        &state.db,
        state.backup_storage.as_ref(),
        &state.url,
        &ctx.access.server,
        &backup,
        &ctx.access.user,
    )
    .await?;
    ctx.audit(
        &state,
        "server:backup.download",
        json!({"name": backup.name, "uuid": backup.uuid}),
    )
    .await;
    Ok(ok(
        json!({"object": "signed_url", "attributes": {"url": url}}),
    ))
}

/// Lock or unlock a backup.
///
/// `POST /servers/{server}/backups/{backup}/lock`: toggles the lock. Needs
/// `backup.delete`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/backups/{backup}/lock",
    tag = "backups",
    operation_id = "client_lock_backup",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("backup" = String, Path, description = "The backup's UUID."),
    ),
    responses(
        (status = 200, description = "The backup with its lock toggled.", body = BackupItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn lock_backup(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, uuid)): Path<(String, String)>,
) -> Result<Response, Error> {
    let backup = backups::find(&state.db, ctx.access.server.id, &uuid).await?;
    ctx.require("backup.delete")?;
    let updated = backups::toggle_lock(&state.db, &backup).await?;
    let event = if updated.is_locked {
        "server:backup.lock"
    } else {
        "server:backup.unlock"
    };
    ctx.audit(
        &state,
        event,
        json!({"name": updated.name, "uuid": updated.uuid}),
    )
    .await;
    Ok(ok(backup_item(&updated)))
}

/// Restore a backup.
///
/// `POST /servers/{server}/backups/{backup}/restore` `{truncate}`: 204; the server is
/// `restoring_backup` until wings reports back. Needs `backup.restore`; only a successful
/// backup of an idle server (400).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/backups/{backup}/restore",
    tag = "backups",
    operation_id = "client_restore_backup",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("backup" = String, Path, description = "The backup's UUID."),
    ),
    request_body(content = BackupRestoreBody),
    responses(
        (status = 204, description = "The restore started."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn restore_backup(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, uuid)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    let backup = backups::find(&state.db, ctx.access.server.id, &uuid).await?;
    ctx.require("backup.restore")?;
    let body = body_map(body)?;
    require_field(&body, "truncate")?;
    let truncate = bool_field(&body, "truncate")?.unwrap_or(false);
    backups::restore(
        &state.db,
        state.backup_storage.as_ref(),
        &ctx.access.server,
        &backup,
        truncate,
    )
    .await?;
    ctx.audit(
        &state,
        "server:backup.restore",
        json!({"name": backup.name, "uuid": backup.uuid, "truncate": truncate}),
    )
    .await;
    Ok(no_content())
}

/// Delete a backup.
///
/// `DELETE /servers/{server}/backups/{backup}`: needs `backup.delete`; not a locked
/// backup (400). The archive is removed from the node.
#[utoipa::path(
    delete,
    path = "/api/client/servers/{server}/backups/{backup}",
    tag = "backups",
    operation_id = "client_delete_backup",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("backup" = String, Path, description = "The backup's UUID."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_backup(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, uuid)): Path<(String, String)>,
) -> Result<Response, Error> {
    let backup = backups::find(&state.db, ctx.access.server.id, &uuid).await?;
    ctx.require("backup.delete")?;
    backups::delete(
        &state.db,
        state.backup_storage.as_ref(),
        &ctx.access.server,
        &backup,
    )
    .await?;
    ctx.audit(
        &state,
        "server:backup.delete",
        json!({"name": backup.name, "uuid": backup.uuid, "failed": !backup.is_successful}),
    )
    .await;
    Ok(no_content())
}
