//! `/servers/{server}/schedules[/{schedule}[/execute|/tasks[/{task}]]]`, addressed by
//! numeric ids.

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ServerCtx, body_map};
use crate::AppState;
use crate::api::schemas::{
    ClientBadRequest, ClientServerErrors, CsrfMismatch, ScheduleBody, ScheduleItem, ScheduleList,
    ScheduleTaskBody, ScheduleTaskItem, ValidationFailed,
};
use crate::api::{JsonBody, List, no_content, ok};
use crate::services::{scheduler, schedules};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_schedules,
    create_schedule,
    get_schedule,
    update_schedule,
    execute_schedule,
    delete_schedule,
    create_task,
    update_task,
    delete_task
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// List a server's schedules.
///
/// `GET /servers/{server}/schedules`: every schedule with its tasks. Needs
/// `schedule.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/schedules",
    tag = "schedules",
    operation_id = "client_list_schedules",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 200, description = "Every schedule, each with `relationships.tasks`.", body = ScheduleList),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn list_schedules(
    State(state): State<AppState>,
    ctx: ServerCtx,
) -> Result<Response, Error> {
    ctx.require("schedule.read")?;
    let all = schedules::list(&state.db, ctx.access.server.id).await?;
    Ok(ok(List::new(
        all.iter().map(|(s, t)| schedules::schedule_item(s, t)),
    )))
}

/// Create a schedule.
///
/// `POST /servers/{server}/schedules`: needs `schedule.create`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/schedules",
    tag = "schedules",
    operation_id = "client_create_schedule",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = ScheduleBody),
    responses(
        (status = 200, description = "The new schedule (no tasks yet).", body = ScheduleItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_schedule(
    State(state): State<AppState>,
    ctx: ServerCtx,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    ctx.require("schedule.create")?;
    let input = schedules::schedule_input(&body_map(body)?)?;
    let schedule = schedules::create(&state.db, ctx.access.server.id, &input).await?;
    ctx.audit(
        &state,
        "server:schedule.create",
        json!({"name": schedule.name, "id": schedule.id}),
    )
    .await;
    Ok(ok(schedules::schedule_item(&schedule, &[])))
}

/// Show a schedule.
///
/// `GET /servers/{server}/schedules/{schedule}`: with its tasks. Needs `schedule.read`.
#[utoipa::path(
    get,
    path = "/api/client/servers/{server}/schedules/{schedule}",
    tag = "schedules",
    operation_id = "client_get_schedule",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
    ),
    responses(
        (status = 200, description = "The schedule with `relationships.tasks`.", body = ScheduleItem),
        (status = 400, response = ClientBadRequest),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn get_schedule(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("schedule.read")?;
    let tasks = schedules::tasks(&state.db, schedule.id).await?;
    Ok(ok(schedules::schedule_item(&schedule, &tasks)))
}

/// Change a schedule.
///
/// `POST /servers/{server}/schedules/{schedule}`: replaces the definition; switching it
/// on or off also frees a stuck run. Needs `schedule.update`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/schedules/{schedule}",
    tag = "schedules",
    operation_id = "client_update_schedule",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
    ),
    request_body(content = ScheduleBody),
    responses(
        (status = 200, description = "The schedule with `relationships.tasks`.", body = ScheduleItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn update_schedule(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("schedule.update")?;
    let input = schedules::schedule_input(&body_map(body)?)?;
    let updated = schedules::update(&state.db, &schedule, &input).await?;
    ctx.audit(
        &state,
        "server:schedule.update",
        json!({"name": updated.name, "id": updated.id, "active": updated.is_active}),
    )
    .await;
    let tasks = schedules::tasks(&state.db, updated.id).await?;
    Ok(ok(schedules::schedule_item(&updated, &tasks)))
}

/// Run a schedule now.
///
/// `POST /servers/{server}/schedules/{schedule}/execute`: 202, the run goes on in the
/// background (also for a schedule that is switched off). Needs `schedule.update`; 400
/// without tasks, 409 while it runs.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/schedules/{schedule}/execute",
    tag = "schedules",
    operation_id = "client_execute_schedule",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
    ),
    responses(
        (status = 202, description = "The run started."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn execute_schedule(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("schedule.update")?;
    scheduler::run_schedule_now(&state, schedule.id).await?;
    ctx.audit(
        &state,
        "server:schedule.execute",
        json!({"name": schedule.name, "id": schedule.id}),
    )
    .await;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Delete a schedule.
///
/// `DELETE /servers/{server}/schedules/{schedule}`: with its tasks. Needs
/// `schedule.delete`.
#[utoipa::path(
    delete,
    path = "/api/client/servers/{server}/schedules/{schedule}",
    tag = "schedules",
    operation_id = "client_delete_schedule",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_schedule(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("schedule.delete")?;
    schedules::delete(&state.db, &schedule).await?;
    ctx.audit(
        &state,
        "server:schedule.delete",
        json!({"name": schedule.name, "id": schedule.id}),
    )
    .await;
    Ok(no_content())
}

/// Add a task to a schedule.
///
/// `POST /servers/{server}/schedules/{schedule}/tasks`: last, or at `sequence_id`. Needs
/// `schedule.update` and the permission the action needs by hand; at most 10 tasks (400).
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/schedules/{schedule}/tasks",
    tag = "schedules",
    operation_id = "client_create_task",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
    ),
    request_body(content = ScheduleTaskBody),
    responses(
        (status = 200, description = "The new task.", body = ScheduleTaskItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn create_task(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    ctx.require("schedule.update")?;
    let form = schedules::task_form(&body_map(body)?)?;
    let task = schedules::create_task(&state.db, &ctx.access, &schedule, &form).await?;
    ctx.audit(
        &state,
        "server:task.create",
        json!({"name": schedule.name, "action": task.action, "payload": task.payload}),
    )
    .await;
    Ok(ok(schedules::task_item(&task)))
}

/// Change a task.
///
/// `POST /servers/{server}/schedules/{schedule}/tasks/{task}`: the task keeps its position
/// (`sequence_id` is ignored). Needs `schedule.update` and the permission the action needs
/// by hand.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/schedules/{schedule}/tasks/{task}",
    tag = "schedules",
    operation_id = "client_update_task",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
        ("task" = i64, Path, description = "The task's id."),
    ),
    request_body(content = ScheduleTaskBody),
    responses(
        (status = 200, description = "The task.", body = ScheduleTaskItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn update_task(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id, task_id)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    let task = schedules::find_task(&state.db, &schedule, &task_id).await?;
    ctx.require("schedule.update")?;
    let form = schedules::task_form(&body_map(body)?)?;
    let task = schedules::update_task(&state.db, &ctx.access, &schedule, &task, &form).await?;
    ctx.audit(
        &state,
        "server:task.update",
        json!({"name": schedule.name, "action": task.action, "payload": task.payload}),
    )
    .await;
    Ok(ok(schedules::task_item(&task)))
}

/// Delete a task.
///
/// `DELETE /servers/{server}/schedules/{schedule}/tasks/{task}`: later tasks move up.
/// Needs `schedule.update`.
#[utoipa::path(
    delete,
    path = "/api/client/servers/{server}/schedules/{schedule}/tasks/{task}",
    tag = "schedules",
    operation_id = "client_delete_task",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
        ("schedule" = i64, Path, description = "The schedule's id."),
        ("task" = i64, Path, description = "The task's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn delete_task(
    State(state): State<AppState>,
    ctx: ServerCtx,
    Path((_, id, task_id)): Path<(String, String, String)>,
) -> Result<Response, Error> {
    let schedule = schedules::find(&state.db, ctx.access.server.id, &id).await?;
    let task = schedules::find_task(&state.db, &schedule, &task_id).await?;
    ctx.require("schedule.update")?;
    schedules::delete_task(&state.db, &schedule, &task).await?;
    ctx.audit(
        &state,
        "server:task.delete",
        json!({"name": schedule.name, "action": task.action}),
    )
    .await;
    Ok(no_content())
}
