//! `/servers/{server}/schedules[/{schedule}[/execute|/tasks[/{task}]]]`, addressed by
//! numeric ids.

use aerie_http::Error;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{ServerCtx, body_map};
use crate::AppState;
use crate::api::{JsonBody, List, no_content, ok};
use crate::services::{scheduler, schedules};

/// `GET /servers/{server}/schedules`: every schedule with its tasks.
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

/// `POST /servers/{server}/schedules`.
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

/// `GET /servers/{server}/schedules/{schedule}`.
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

/// `POST /servers/{server}/schedules/{schedule}`: replaces the definition.
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

/// `POST /servers/{server}/schedules/{schedule}/execute`: 202, the run goes on in the
/// background.
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

/// `DELETE /servers/{server}/schedules/{schedule}`.
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

/// `POST /servers/{server}/schedules/{schedule}/tasks`.
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

/// `POST /servers/{server}/schedules/{schedule}/tasks/{task}`.
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

/// `DELETE /servers/{server}/schedules/{schedule}/tasks/{task}`.
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
