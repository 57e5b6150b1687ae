//! The scheduler: runs due schedules' tasks against wings.
//!
//! [`run`] is a loop that wakes at every whole minute (when cron schedules fall due) and
//! at least every [`SchedulerOptions::poll`], loads the due schedules, and **claims** each
//! one before running it: one conditional UPDATE that marks it processing and moves
//! `next_run_at` to the next cron time, and that succeeds only if nobody changed the
//! schedule since it was read ([`aerie_db::repo::schedules::ScheduleRepo::claim`]). So
//! several panels sharing one database run each occurrence once, and a panel restarted
//! after a run does not run it again: the old `next_run_at` is gone. A schedule missed
//! while every panel was down runs once when one comes back.
//!
//! A run (also a manual one, [`run_schedule_now`]) goes through the tasks in order:
//! sleeps each task's `time_offset`, then sends the console command, the power action or
//! starts a backup (the API's path without its throttle). It is skipped as a whole when
//! `only_when_online` is set and wings does not report the server starting or running (or
//! cannot be reached), and it stops when the server enters another state (suspended,
//! reinstalling, restoring), when the schedule is deleted or, for a timed run, switched
//! off, and at the first failed task unless that task has `continue_on_failure`. Then the
//! schedule is released (`is_processing = false`). Errors are logged; nothing here panics
//! or stops the loop. On shutdown, runs in flight are stopped and released.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aerie_db::repo::schedules::{Schedule, Task};
use aerie_db::repo::servers::Server;
use aerie_http::Error;
use chrono::{DateTime, Timelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::backups::{self, NewBackup, wings_for};
use super::cron::Cron;
use super::db_err;
use super::wings::WingsClient;
use crate::AppState;

/// How the loop runs; [`Default`] is what the binary uses.
#[derive(Clone)]
pub struct SchedulerOptions {
    /// Longest sleep between two looks at the due schedules (besides the wake-up at every
    /// whole minute).
    pub poll: Duration,
    /// The current time; tests inject their own.
    pub clock: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(10),
            clock: Arc::new(Utc::now),
        }
    }
}

impl std::fmt::Debug for SchedulerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchedulerOptions")
            .field("poll", &self.poll)
            .finish_non_exhaustive()
    }
}

/// Runs the scheduler with the default options until `shutdown` resolves.
pub async fn run(state: AppState, shutdown: impl Future<Output = ()>) {
    run_with(state, SchedulerOptions::default(), shutdown).await;
}

/// Runs the scheduler until `shutdown` resolves.
pub async fn run_with(state: AppState, opts: SchedulerOptions, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut runs: JoinSet<()> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, i64> = HashMap::new();
    tracing::info!(poll.ms = opts.poll.as_millis() as u64, "scheduler started");
    // The longest possible run is 10 tasks of 15 minutes' offset each; a schedule still
    // "processing" well past that belongs to a panel that died mid-run.
    let stale = aerie_db::format_ts((opts.clock)() - chrono::Duration::hours(3));
    match state.db.schedules().release_stale(&stale).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            schedules = n,
            "released schedules left running by a stopped panel"
        ),
        Err(e) => tracing::warn!(error.message = %e, "could not release stale schedules"),
    }
    let mut last_purge: Option<DateTime<Utc>> = None;
    loop {
        let now = (opts.clock)();
        if last_purge.is_none_or(|at| now - at >= chrono::Duration::hours(1)) {
            purge_expired_credentials(&state, now).await;
            last_purge = Some(now);
        }
        start_due(&state, now, &mut runs, &mut in_flight).await;
        while let Some(done) = runs.try_join_next_with_id() {
            reap(&state, done, &mut in_flight).await;
        }
        let wait = until_next_minute(now).min(opts.poll);
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    runs.abort_all();
    while let Some(done) = runs.join_next_with_id().await {
        reap(&state, done, &mut in_flight).await;
    }
    tracing::info!("scheduler stopped");
}

/// Housekeeping, at start and then hourly: deletes expired browser sessions and password
/// resets past their lifetime, so neither table grows forever. Failures are logged and
/// retried at the next purge.
async fn purge_expired_credentials(state: &AppState, now: DateTime<Utc>) {
    match state
        .db
        .sessions()
        .purge_expired(&aerie_db::format_ts(now))
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::debug!(sessions = n, "purged expired sessions"),
        Err(e) => tracing::warn!(error.message = %e, "could not purge expired sessions"),
    }
    let cutoff = now - chrono::Duration::minutes(super::account::RESET_TOKEN_MINUTES);
    match state
        .db
        .password_resets()
        .purge_older_than(&aerie_db::format_ts(cutoff))
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::debug!(resets = n, "purged expired password resets"),
        Err(e) => tracing::warn!(error.message = %e, "could not purge expired password resets"),
    }
}

/// Time from `now` to just after the next whole minute.
fn until_next_minute(now: DateTime<Utc>) -> Duration {
    let into_minute = Duration::from_secs(u64::from(now.second()))
        + Duration::from_nanos(u64::from(now.nanosecond().min(999_999_999)));
    Duration::from_secs(60).saturating_sub(into_minute) + Duration::from_millis(5)
}

/// Forgets a finished run; a run stopped by shutdown releases its schedule.
async fn reap(
    state: &AppState,
    done: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
    in_flight: &mut HashMap<tokio::task::Id, i64>,
) {
    match done {
        Ok((id, ())) => {
            in_flight.remove(&id);
        }
        Err(e) => {
            if let Some(schedule_id) = in_flight.remove(&e.id()) {
                if e.is_panic() {
                    tracing::error!(schedule.id = schedule_id, "a schedule run panicked");
                }
                if let Err(f) = state.db.schedules().finish(schedule_id).await {
                    tracing::error!(schedule.id = schedule_id, error.message = %f, "could not release an interrupted schedule");
                }
            }
        }
    }
}

/// Claims and starts every schedule due at `now`.
async fn start_due(
    state: &AppState,
    now: DateTime<Utc>,
    runs: &mut JoinSet<()>,
    in_flight: &mut HashMap<tokio::task::Id, i64>,
) {
    let due = match state.db.schedules().due(&aerie_db::format_ts(now)).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error.message = %e, "could not load the due schedules");
            return;
        }
    };
    for schedule in due {
        let next = Cron::new(
            &schedule.cron_minute,
            &schedule.cron_hour,
            &schedule.cron_day_of_month,
            &schedule.cron_month,
            &schedule.cron_day_of_week,
        )
        .ok()
        .and_then(|c| c.next_after(now))
        .map(aerie_db::format_ts);
        let claimed = state
            .db
            .schedules()
            .claim(
                schedule.id,
                schedule.next_run_at.as_deref(),
                next.as_deref(),
            )
            .await;
        match claimed {
            Ok(true) => {
                tracing::info!(
                    schedule.id = schedule.id,
                    server.id = schedule.server_id,
                    "running schedule"
                );
                let st = state.clone();
                let id = schedule.id;
                let handle = runs.spawn(async move { execute(st, schedule, false).await });
                in_flight.insert(handle.id(), id);
            }
            Ok(false) => {
                tracing::debug!(
                    schedule.id = schedule.id,
                    "schedule taken by another scheduler"
                );
            }
            Err(e) => {
                tracing::warn!(schedule.id = schedule.id, error.message = %e, "could not claim a schedule");
            }
        }
    }
}

/// Runs `schedule_id` now, in the background (`POST .../schedules/{id}/execute`), also when
/// it is switched off; refused while it is already running.
///
/// # Errors
/// 404 for an unknown schedule; 400 when it has no tasks; 409 while it is running.
pub async fn run_schedule_now(state: &AppState, schedule_id: i64) -> Result<(), Error> {
    let repo = state.db.schedules();
    let schedule = repo
        .find(schedule_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| {
            Error::NotFound("The requested resource could not be found on the server.".into())
        })?;
    if repo.tasks(schedule.id).await.map_err(db_err)?.is_empty() {
        return Err(Error::BadRequest(
            "Cannot process schedule for task execution: no tasks are registered.".into(),
        ));
    }
    if !repo.claim(schedule.id, None, None).await.map_err(db_err)? {
        return Err(Error::Conflict(
            "This schedule is already being processed; try again when it has finished.".into(),
        ));
    }
    tokio::spawn(execute(state.clone(), schedule, true));
    Ok(())
}

/// One run of a claimed schedule, always followed by its release.
async fn execute(state: AppState, schedule: Schedule, manual: bool) {
    if let Err(e) = run_tasks(&state, &schedule, manual).await {
        tracing::warn!(schedule.id = schedule.id, error.message = %e, "schedule run failed");
    }
    if let Err(e) = state.db.schedules().finish(schedule.id).await {
        tracing::error!(schedule.id = schedule.id, error.message = %e, "could not release a schedule");
    }
}

async fn run_tasks(state: &AppState, schedule: &Schedule, manual: bool) -> Result<(), Error> {
    let db = &state.db;
    let Some(mut server) = db
        .servers()
        .find(schedule.server_id)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    let (_, wings) = wings_for(db, &server).await?;
    if schedule.only_when_online && !is_online(&wings, &server).await {
        tracing::info!(
            schedule.id = schedule.id,
            "server is not online; schedule skipped"
        );
        return Ok(());
    }
    let tasks = db.schedules().tasks(schedule.id).await.map_err(db_err)?;
    for task in tasks {
        db.schedules()
            .set_task_queued(task.id, true)
            .await
            .map_err(db_err)?;
        let offset = u64::try_from(task.time_offset).unwrap_or(0);
        if offset > 0 {
            tokio::time::sleep(Duration::from_secs(offset)).await;
        }
        // The world may have changed while we waited.
        match db.schedules().find(schedule.id).await.map_err(db_err)? {
            Some(s) if manual || s.is_active => {}
            _ => return Ok(()),
        }
        let Some(current) = db
            .schedules()
            .find_task(schedule.id, task.id)
            .await
            .map_err(db_err)?
        else {
            continue;
        };
        match db.servers().find(server.id).await.map_err(db_err)? {
            Some(s) if s.status.is_none() => server = s,
            _ => {
                tracing::info!(
                    schedule.id = schedule.id,
                    "server is busy or gone; schedule run stopped"
                );
                return Ok(());
            }
        }
        let result = run_task(state, &server, &wings, &current).await;
        db.schedules()
            .set_task_queued(task.id, false)
            .await
            .map_err(db_err)?;
        if let Err(e) = result {
            tracing::warn!(schedule.id = schedule.id, task.id = current.id, task.action = %current.action, error.message = %e, "schedule task failed");
            if !current.continue_on_failure {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Whether wings reports the server starting or running. Unreachable counts as not.
async fn is_online(wings: &WingsClient, server: &Server) -> bool {
    match wings
        .request_json::<Value>(Method::GET, &format!("/api/servers/{}", server.uuid), None)
        .await
    {
        Ok(v) => matches!(
            v.get("state").and_then(Value::as_str),
            Some("running" | "starting")
        ),
        Err(e) => {
            tracing::info!(server.id = server.id, error.message = %e, "could not ask wings for the server state");
            false
        }
    }
}

async fn run_task(
    state: &AppState,
    server: &Server,
    wings: &WingsClient,
    task: &Task,
) -> Result<(), Error> {
    match task.action.as_str() {
        "command" => {
            wings
                .request(
                    Method::POST,
                    &format!("/api/servers/{}/commands", server.uuid),
                    Some(&json!({"commands": [task.payload]})),
                )
                .await?;
        }
        "power" => {
            let action = task
                .payload
                .parse()
                .map_err(|e: String| Error::BadRequest(e))?;
            wings.power(&server.uuid, action).await?;
        }
        "backup" => {
            backups::start_backup(
                &state.db,
                state.backup_storage.as_ref(),
                server,
                &NewBackup {
                    name: None,
                    ignored: task.payload.clone(),
                    locked: false,
                },
                false,
            )
            .await?;
        }
        other => {
            return Err(Error::BadRequest(format!("unknown task action `{other}`")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_just_after_the_next_minute() {
        let t = DateTime::parse_from_rfc3339("2026-01-01T10:00:59.5Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(until_next_minute(t), Duration::from_millis(505));
    }
}
