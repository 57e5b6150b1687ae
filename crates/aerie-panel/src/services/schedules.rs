//! The rules of a server's schedules and their tasks on the client API (Pterodactyl's
//! `ScheduleController`, `ScheduleTaskController` and their requests).
//!
//! - A schedule is five cron fields (checked with [`Cron`]; a bad field is a 422 naming
//!   it), a name, `is_active` and `only_when_online` (absent means `false`, as Pterodactyl's
//!   `(bool) $request->input(...)`). `next_run_at` is computed on every save. Switching a
//!   schedule on or off also clears `is_processing`, so a schedule stuck by a crashed run
//!   can be freed from the UI.
//! - A schedule holds at most [`MAX_TASKS`] tasks. A task is `command` (payload: the
//!   console line), `power` (payload: `start|stop|restart|kill`) or `backup` (payload:
//!   ignore patterns, optional), waits `time_offset` seconds (0–900) before it runs, and
//!   either stops the run when it fails or lets it continue (`continue_on_failure`).
//!   A new task goes last unless `sequence_id` puts it earlier (later tasks move down);
//!   deleting one closes the gap.
//! - Writing a task needs, besides `schedule.update`, the permission its action would need
//!   when done by hand (`control.console`, `control.start`, `control.stop`,
//!   `control.restart`, `backup.create`), so a schedule cannot do what its author may not.
//!   A backup task is refused while the server may hold no backups.
//!
//! Request bodies are read loosely, as Laravel's validator does: booleans may be `true`,
//! `1` or `"1"`; numbers may be strings of digits (py-dactyl sends `"time_offset": "0"`).

use aerie_db::Db;
use aerie_db::repo::schedules::{Schedule, ScheduleInput, Task, TaskInput};
use aerie_db::repo::servers::Server;
use aerie_http::Error;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::cron::Cron;
use super::{db_err, not_found};
use crate::access::ServerAccess;
use crate::api::{Item, List, atom_timestamp};

/// Most tasks one schedule may hold (Pterodactyl's `per_schedule_task_limit`).
pub const MAX_TASKS: usize = 10;
/// The longest `time_offset`, in seconds.
pub const MAX_TIME_OFFSET: i64 = 900;
/// Task actions.
pub const ACTIONS: [&str; 3] = ["command", "power", "backup"];
/// Payloads of a `power` task.
pub const POWER_SIGNALS: [&str; 4] = ["start", "stop", "restart", "kill"];

// ---- loose field readers (Laravel's validator semantics) ----

fn display(field: &str) -> String {
    field.replace('_', " ")
}

fn present(body: &Map<String, Value>, field: &str) -> Option<Value> {
    body.get(field).filter(|v| !v.is_null()).cloned()
}

/// `required` on a field of any type: present, not null, not an empty string.
///
/// # Errors
/// 422 `required`.
pub fn require_field(body: &Map<String, Value>, field: &str) -> Result<(), Error> {
    match body.get(field) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.trim().is_empty() => {}
        Some(_) => return Ok(()),
    }
    Err(Error::validation(
        field,
        "required",
        format!("The {} field is required.", display(field)),
    ))
}

/// A `string` field; numbers are accepted and written in decimal. `None` when absent.
///
/// # Errors
/// 422 `string` for any other type.
pub fn string_field(body: &Map<String, Value>, field: &str) -> Result<Option<String>, Error> {
    match present(body, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::validation(
            field,
            "string",
            format!("The {} must be a string.", display(field)),
        )),
    }
}

/// A `boolean` field: `true`, `false`, `1`, `0`, `"1"`, `"0"` (and `"true"`/`"false"`).
/// `None` when absent.
///
/// # Errors
/// 422 `boolean` for anything else.
pub fn bool_field(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, Error> {
    let parsed = match present(body, field) {
        None => return Ok(None),
        Some(Value::Bool(b)) => Some(b),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Some(Value::String(s)) => match s.as_str() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        Some(_) => None,
    };
    parsed.map(Some).ok_or_else(|| {
        Error::validation(
            field,
            "boolean",
            format!("The {} field must be true or false.", display(field)),
        )
    })
}

/// A `numeric` field that must be a whole number (a number or a string of digits).
/// `None` when absent.
///
/// # Errors
/// 422 `numeric`.
pub fn int_field(body: &Map<String, Value>, field: &str) -> Result<Option<i64>, Error> {
    let parsed = match present(body, field) {
        None => return Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    parsed.map(Some).ok_or_else(|| {
        Error::validation(
            field,
            "numeric",
            format!("The {} must be a number.", display(field)),
        )
    })
}

// ---- transformers ----

/// Client API `schedule_task` item.
pub fn task_item(t: &Task) -> Item {
    Item::new(
        "schedule_task",
        json!({
            "id": t.id,
            "sequence_id": t.sequence_id,
            "action": t.action,
            "payload": t.payload,
            "time_offset": t.time_offset,
            "is_queued": t.is_queued,
            "continue_on_failure": t.continue_on_failure,
            "created_at": atom_timestamp(Some(&t.created_at)),
            "updated_at": atom_timestamp(Some(&t.updated_at)),
        }),
    )
}

/// Client API `server_schedule` item with `relationships.tasks` (always included).
pub fn schedule_item(s: &Schedule, tasks: &[Task]) -> Item {
    Item::new(
        "server_schedule",
        json!({
            "id": s.id,
            "name": s.name,
            "cron": {
                "day_of_week": s.cron_day_of_week,
                "day_of_month": s.cron_day_of_month,
                "month": s.cron_month,
                "hour": s.cron_hour,
                "minute": s.cron_minute,
            },
            "is_active": s.is_active,
            "is_processing": s.is_processing,
            "only_when_online": s.only_when_online,
            "last_run_at": atom_timestamp(s.last_run_at.as_deref()),
            "next_run_at": atom_timestamp(s.next_run_at.as_deref()),
            "created_at": atom_timestamp(Some(&s.created_at)),
            "updated_at": atom_timestamp(Some(&s.updated_at)),
        }),
    )
    .include("tasks", List::new(tasks.iter().map(task_item)))
}

// ---- schedules ----

/// The next time the schedule's cron fields fire after `after`, in the stored format;
/// `None` when they never do.
pub fn next_run_after(s: &ScheduleInput, after: DateTime<Utc>) -> Result<Option<String>, Error> {
    let cron = parse_cron(s)?;
    Ok(cron.next_after(after).map(aerie_db::format_ts))
}

fn parse_cron(s: &ScheduleInput) -> Result<Cron, Error> {
    Cron::new(
        &s.cron_minute,
        &s.cron_hour,
        &s.cron_day_of_month,
        &s.cron_month,
        &s.cron_day_of_week,
    )
    .map_err(|e| Error::validation(e.field, "cron", e.message))
}

/// Reads and validates a schedule body (create and update take the same one) and computes
/// its `next_run_at` from now.
///
/// # Errors
/// 422 naming the first bad field.
pub fn schedule_input(body: &Map<String, Value>) -> Result<ScheduleInput, Error> {
    for f in ["name", "minute", "hour", "day_of_month", "day_of_week"] {
        require_field(body, f)?;
    }
    let name = string_field(body, "name")?.unwrap_or_default();
    crate::api::Validator::new()
        .max("name", name.as_str(), 191)
        .finish()?;
    let cron = |f: &str| -> Result<String, Error> {
        let v = string_field(body, f)?.unwrap_or_else(|| "*".to_owned());
        let v = v.trim().to_owned();
        crate::api::Validator::new()
            .max(f, v.as_str(), 100)
            .finish()?;
        Ok(v)
    };
    let mut input = ScheduleInput {
        name: name.trim().to_owned(),
        cron_minute: cron("minute")?,
        cron_hour: cron("hour")?,
        cron_day_of_month: cron("day_of_month")?,
        cron_month: cron("month")?,
        cron_day_of_week: cron("day_of_week")?,
        is_active: bool_field(body, "is_active")?.unwrap_or(false),
        only_when_online: bool_field(body, "only_when_online")?.unwrap_or(false),
        next_run_at: None,
    };
    input.next_run_at = next_run_after(&input, Utc::now())?;
    Ok(input)
}

/// A server's schedules with their tasks.
///
/// # Errors
/// Database failures.
pub async fn list(db: &Db, server_id: i64) -> Result<Vec<(Schedule, Vec<Task>)>, Error> {
    let repo = db.schedules();
    let mut out = Vec::new();
    for s in repo.list_for_server(server_id).await.map_err(db_err)? {
        let tasks = repo.tasks(s.id).await.map_err(db_err)?;
        out.push((s, tasks));
    }
    Ok(out)
}

/// One schedule of `server_id` by its route id.
///
/// # Errors
/// 404 when the id is not a number, does not exist or belongs to another server.
pub async fn find(db: &Db, server_id: i64, id: &str) -> Result<Schedule, Error> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    db.schedules()
        .find(id)
        .await
        .map_err(db_err)?
        .filter(|s| s.server_id == server_id)
        .ok_or_else(not_found)
}

/// A schedule's tasks in run order.
///
/// # Errors
/// Database failures.
pub async fn tasks(db: &Db, schedule_id: i64) -> Result<Vec<Task>, Error> {
    db.schedules().tasks(schedule_id).await.map_err(db_err)
}

/// Creates a schedule.
///
/// # Errors
/// Database failures.
pub async fn create(db: &Db, server_id: i64, input: &ScheduleInput) -> Result<Schedule, Error> {
    db.schedules()
        .create(server_id, input)
        .await
        .map_err(db_err)
}

/// Replaces a schedule's definition; switching it on or off clears `is_processing`.
///
/// # Errors
/// Database failures; 404 when it vanished.
pub async fn update(db: &Db, current: &Schedule, input: &ScheduleInput) -> Result<Schedule, Error> {
    let repo = db.schedules();
    repo.update(current.id, input).await.map_err(db_err)?;
    if current.is_active != input.is_active {
        repo.finish(current.id).await.map_err(db_err)?;
    }
    repo.find(current.id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Deletes a schedule and its tasks.
///
/// # Errors
/// Database failures.
pub async fn delete(db: &Db, schedule: &Schedule) -> Result<(), Error> {
    db.schedules().delete(schedule.id).await.map_err(db_err)?;
    Ok(())
}

// ---- tasks ----

/// A checked task body.
#[derive(Debug, Clone)]
pub struct TaskForm {
    /// What to store.
    pub input: TaskInput,
    /// The position asked for, if any.
    pub sequence_id: Option<i64>,
}

/// Reads and validates a task body.
///
/// # Errors
/// 422 naming the first bad field (`action` `required`/`in`, `payload`
/// `required_unless`/`in`, `time_offset` `required`/`numeric`/`between`, `sequence_id`
/// `numeric`/`min`, `continue_on_failure` `boolean`).
pub fn task_form(body: &Map<String, Value>) -> Result<TaskForm, Error> {
    require_field(body, "action")?;
    let action = string_field(body, "action")?.unwrap_or_default();
    if !ACTIONS.contains(&action.as_str()) {
        return Err(Error::validation(
            "action",
            "in",
            "The selected action is invalid.",
        ));
    }
    let payload = string_field(body, "payload")?.unwrap_or_default();
    if action != "backup" && payload.trim().is_empty() {
        return Err(Error::validation(
            "payload",
            "required_unless",
            "The payload field is required unless action is in backup.",
        ));
    }
    if action == "power" && !POWER_SIGNALS.contains(&payload.as_str()) {
        return Err(Error::validation(
            "payload",
            "in",
            "The selected payload is invalid.",
        ));
    }
    crate::api::Validator::new()
        .max("payload", payload.as_str(), 65_535)
        .finish()?;
    require_field(body, "time_offset")?;
    let time_offset = int_field(body, "time_offset")?.unwrap_or_default();
    crate::api::Validator::new()
        .between_values("time_offset", time_offset, 0, MAX_TIME_OFFSET)
        .finish()?;
    let sequence_id = int_field(body, "sequence_id")?;
    crate::api::Validator::new()
        .min_value("sequence_id", sequence_id, 1)
        .finish()?;
    let continue_on_failure = bool_field(body, "continue_on_failure")?.unwrap_or(false);
    Ok(TaskForm {
        input: TaskInput {
            action,
            payload,
            time_offset,
            continue_on_failure,
        },
        sequence_id,
    })
}

/// The permission an action needs when done by hand.
pub fn action_permission(action: &str, payload: &str) -> &'static str {
    match (action, payload) {
        ("command", _) => "control.console",
        ("power", "start") => "control.start",
        ("power", "restart") => "control.restart",
        ("power", _) => "control.stop",
        _ => "backup.create",
    }
}

fn check_task_allowed(access: &ServerAccess, server: &Server, t: &TaskInput) -> Result<(), Error> {
    access.require(action_permission(&t.action, &t.payload))?;
    if t.action == "backup" && server.backup_limit == 0 {
        return Err(Error::Forbidden(
            "A backup task cannot be created when the server's backup limit is set to 0.".into(),
        ));
    }
    Ok(())
}

/// One task of `schedule` by its route id.
///
/// # Errors
/// 404 when the id is not a number or the task belongs to another schedule.
pub async fn find_task(db: &Db, schedule: &Schedule, id: &str) -> Result<Task, Error> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    db.schedules()
        .find_task(schedule.id, id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Adds a task: last, or at the `sequence_id` asked for when that is earlier.
///
/// # Errors
/// 403 when the caller may not do what the task does, or for a backup task on a server
/// without backups; 400 when the schedule is full.
pub async fn create_task(
    db: &Db,
    access: &ServerAccess,
    schedule: &Schedule,
    form: &TaskForm,
) -> Result<Task, Error> {
    check_task_allowed(access, &access.server, &form.input)?;
    let repo = db.schedules();
    let existing = repo.tasks(schedule.id).await.map_err(db_err)?;
    if existing.len() >= MAX_TASKS {
        return Err(Error::BadRequest(format!(
            "Schedules may not have more than {MAX_TASKS} tasks associated with them. Creating this task would put this schedule over the limit."
        )));
    }
    let next = existing.iter().map(|t| t.sequence_id).max().unwrap_or(0) + 1;
    let sequence = form.sequence_id.map_or(next, |s| s.clamp(1, next));
    repo.create_task(schedule.id, sequence, &form.input)
        .await
        .map_err(db_err)
}

/// Changes a task's action, payload, offset and failure handling (its position stays).
///
/// # Errors
/// 403 as [`create_task`]; 404 when it vanished.
pub async fn update_task(
    db: &Db,
    access: &ServerAccess,
    schedule: &Schedule,
    task: &Task,
    form: &TaskForm,
) -> Result<Task, Error> {
    check_task_allowed(access, &access.server, &form.input)?;
    let repo = db.schedules();
    repo.update_task(task.id, &form.input)
        .await
        .map_err(db_err)?;
    repo.find_task(schedule.id, task.id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Deletes a task; later tasks move up.
///
/// # Errors
/// Database failures.
pub async fn delete_task(db: &Db, schedule: &Schedule, task: &Task) -> Result<(), Error> {
    db.schedules()
        .delete_task(schedule.id, task.id)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn loose_fields_follow_laravel() {
        let b = body(json!({"a": "1", "b": 0, "c": "no", "d": "12", "e": "x", "f": 3}));
        assert_eq!(bool_field(&b, "a").ok(), Some(Some(true)));
        assert_eq!(bool_field(&b, "b").ok(), Some(Some(false)));
        assert!(
            matches!(bool_field(&b, "c"), Err(Error::Validation { ref rule, .. }) if rule == "boolean")
        );
        assert_eq!(int_field(&b, "d").ok(), Some(Some(12)));
        assert!(
            matches!(int_field(&b, "e"), Err(Error::Validation { ref rule, .. }) if rule == "numeric")
        );
        assert_eq!(string_field(&b, "f").ok(), Some(Some("3".to_owned())));
        assert_eq!(bool_field(&b, "missing").ok(), Some(None));
    }

    #[test]
    fn task_bodies_are_checked_in_order() {
        let rule = |v: Value| match task_form(&body(v)) {
            Err(Error::Validation { field, rule, .. }) => format!("{field}:{rule}"),
            other => format!("{other:?}"),
        };
        assert_eq!(rule(json!({})), "action:required");
        assert_eq!(
            rule(json!({"action": "hodor", "time_offset": 0})),
            "action:in"
        );
        assert_eq!(
            rule(json!({"action": "command", "time_offset": 0})),
            "payload:required_unless"
        );
        assert_eq!(
            rule(json!({"action": "power", "payload": "explode", "time_offset": 0})),
            "payload:in"
        );
        assert_eq!(rule(json!({"action": "backup"})), "time_offset:required");
        assert_eq!(
            rule(json!({"action": "backup", "time_offset": 901})),
            "time_offset:between"
        );
        assert_eq!(
            rule(
                json!({"action": "command", "payload": "say", "time_offset": "0", "sequence_id": "hodor"})
            ),
            "sequence_id:numeric"
        );
        assert!(task_form(&body(json!({"action": "backup", "time_offset": "0"}))).is_ok());
    }
}
