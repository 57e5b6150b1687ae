//! Schedules and their tasks.
//!
//! Running a schedule starts with [`ScheduleRepo::claim`]: one conditional UPDATE that only
//! succeeds for the replica that still sees the schedule idle and due at the same
//! `next_run_at`. Several panels sharing one database therefore run each due schedule once,
//! and a panel restarted after a missed run finds the old `next_run_at` already advanced by
//! whoever ran it (or runs it once itself).

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::migrations::{Schedules as S, Tasks as T};
use crate::{Db, DbError};

/// A cron schedule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub struct Schedule {
    pub id: i64,
    pub server_id: i64,
    pub name: String,
    pub cron_day_of_week: String,
    pub cron_month: String,
    pub cron_day_of_month: String,
    pub cron_hour: String,
    pub cron_minute: String,
    pub is_active: bool,
    pub is_processing: bool,
    pub only_when_online: bool,
    pub last_run_at: Option<String>,
    pub next_run_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a schedule is made of, for create and update.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct ScheduleInput {
    pub name: String,
    pub cron_minute: String,
    pub cron_hour: String,
    pub cron_day_of_month: String,
    pub cron_month: String,
    pub cron_day_of_week: String,
    pub is_active: bool,
    pub only_when_online: bool,
    /// Computed by the caller from the cron fields.
    pub next_run_at: Option<String>,
}

/// A step of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub struct Task {
    pub id: i64,
    pub schedule_id: i64,
    pub sequence_id: i64,
    pub action: String,
    pub payload: String,
    pub time_offset: i64,
    pub is_queued: bool,
    pub continue_on_failure: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What a task is made of.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct TaskInput {
    pub action: String,
    pub payload: String,
    pub time_offset: i64,
    pub continue_on_failure: bool,
}

const SCOLS: [S; 15] = [
    S::Id,
    S::ServerId,
    S::Name,
    S::CronDayOfWeek,
    S::CronMonth,
    S::CronDayOfMonth,
    S::CronHour,
    S::CronMinute,
    S::IsActive,
    S::IsProcessing,
    S::OnlyWhenOnline,
    S::LastRunAt,
    S::NextRunAt,
    S::CreatedAt,
    S::UpdatedAt,
];

const TCOLS: [T; 10] = [
    T::Id,
    T::ScheduleId,
    T::SequenceId,
    T::Action,
    T::Payload,
    T::TimeOffset,
    T::IsQueued,
    T::ContinueOnFailure,
    T::CreatedAt,
    T::UpdatedAt,
];

fn schedule(r: &AnyRow) -> Result<Schedule, DbError> {
    Ok(Schedule {
        id: get_i64(r, "id")?,
        server_id: get_i64(r, "server_id")?,
        name: get_str(r, "name")?,
        cron_day_of_week: get_str(r, "cron_day_of_week")?,
        cron_month: get_str(r, "cron_month")?,
        cron_day_of_month: get_str(r, "cron_day_of_month")?,
        cron_hour: get_str(r, "cron_hour")?,
        cron_minute: get_str(r, "cron_minute")?,
        is_active: get_bool(r, "is_active")?,
        is_processing: get_bool(r, "is_processing")?,
        only_when_online: get_bool(r, "only_when_online")?,
        last_run_at: get_opt_str(r, "last_run_at")?,
        next_run_at: get_opt_str(r, "next_run_at")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

fn task(r: &AnyRow) -> Result<Task, DbError> {
    Ok(Task {
        id: get_i64(r, "id")?,
        schedule_id: get_i64(r, "schedule_id")?,
        sequence_id: get_i64(r, "sequence_id")?,
        action: get_str(r, "action")?,
        payload: get_str(r, "payload")?,
        time_offset: get_i64(r, "time_offset")?,
        is_queued: get_bool(r, "is_queued")?,
        continue_on_failure: get_bool(r, "continue_on_failure")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// The schedules repository.
pub struct ScheduleRepo<'a>(&'a Db);

impl Db {
    /// Schedules and tasks.
    pub fn schedules(&self) -> ScheduleRepo<'_> {
        ScheduleRepo(self)
    }
}

impl ScheduleRepo<'_> {
    /// Creates a schedule.
    pub async fn create(&self, server_id: i64, s: &ScheduleInput) -> Result<Schedule, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(S::Table)
            .columns([
                S::ServerId,
                S::Name,
                S::CronDayOfWeek,
                S::CronMonth,
                S::CronDayOfMonth,
                S::CronHour,
                S::CronMinute,
                S::IsActive,
                S::OnlyWhenOnline,
                S::NextRunAt,
                S::CreatedAt,
                S::UpdatedAt,
            ])
            .values_panic([
                server_id.into(),
                s.name.clone().into(),
                s.cron_day_of_week.clone().into(),
                s.cron_month.clone().into(),
                s.cron_day_of_month.clone().into(),
                s.cron_hour.clone().into(),
                s.cron_minute.clone().into(),
                s.is_active.into(),
                s.only_when_online.into(),
                s.next_run_at.clone().into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted schedule vanished".into()))
    }

    /// Replaces a schedule's definition.
    pub async fn update(&self, id: i64, s: &ScheduleInput) -> Result<(), DbError> {
        let q = Query::update()
            .table(S::Table)
            .value(S::Name, s.name.clone())
            .value(S::CronDayOfWeek, s.cron_day_of_week.clone())
            .value(S::CronMonth, s.cron_month.clone())
            .value(S::CronDayOfMonth, s.cron_day_of_month.clone())
            .value(S::CronHour, s.cron_hour.clone())
            .value(S::CronMinute, s.cron_minute.clone())
            .value(S::IsActive, s.is_active)
            .value(S::OnlyWhenOnline, s.only_when_online)
            .value(S::NextRunAt, s.next_run_at.clone())
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Schedule>, DbError> {
        let q = Query::select()
            .columns(SCOLS)
            .from(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(schedule)
            .transpose()
    }

    /// A server's schedules, by id.
    pub async fn list_for_server(&self, server_id: i64) -> Result<Vec<Schedule>, DbError> {
        let q = Query::select()
            .columns(SCOLS)
            .from(S::Table)
            .and_where(Expr::col(S::ServerId).eq(server_id))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(schedule).collect()
    }

    /// Active, idle schedules whose next run is at or before `now`.
    pub async fn due(&self, now: &str) -> Result<Vec<Schedule>, DbError> {
        let q = Query::select()
            .columns(SCOLS)
            .from(S::Table)
            .and_where(Expr::col(S::IsActive).eq(1))
            .and_where(Expr::col(S::IsProcessing).eq(0))
            .and_where(Expr::col(S::NextRunAt).is_not_null())
            .and_where(Expr::col(S::NextRunAt).lte(now))
            .order_by(S::NextRunAt, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(schedule).collect()
    }

    /// Takes a schedule for running: marks it processing and moves `next_run_at` on, only
    /// if nobody else did since `seen_next_run_at` was read (or, for a manual run, only if
    /// it is idle: pass `None`). Returns whether this caller won.
    pub async fn claim(
        &self,
        id: i64,
        seen_next_run_at: Option<&str>,
        new_next_run_at: Option<&str>,
    ) -> Result<bool, DbError> {
        let now = crate::now();
        let mut q = Query::update()
            .table(S::Table)
            .value(S::IsProcessing, true)
            .value(S::LastRunAt, now.clone())
            .value(S::UpdatedAt, now)
            .and_where(Expr::col(S::Id).eq(id))
            .and_where(Expr::col(S::IsProcessing).eq(0))
            .to_owned();
        if let Some(seen) = seen_next_run_at {
            q.value(S::NextRunAt, new_next_run_at.map(str::to_owned));
            q.and_where(Expr::col(S::NextRunAt).eq(seen));
        }
        Ok(self.0.execute(&q).await? == 1)
    }

    /// Marks a run finished.
    pub async fn finish(&self, id: i64) -> Result<(), DbError> {
        let q = Query::update()
            .table(S::Table)
            .value(S::IsProcessing, false)
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        let q = Query::update()
            .table(T::Table)
            .value(T::IsQueued, false)
            .and_where(Expr::col(T::ScheduleId).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Frees schedules still marked processing although their run started before `before`
    /// (RFC 3339): a panel that crashed mid-run would otherwise leave them stuck for good.
    /// Returns how many were freed.
    pub async fn release_stale(&self, before: &str) -> Result<u64, DbError> {
        let q = Query::update()
            .table(S::Table)
            .value(S::IsProcessing, false)
            .value(S::UpdatedAt, crate::now())
            .and_where(Expr::col(S::IsProcessing).eq(1))
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(S::LastRunAt).is_null())
                    .add(Expr::col(S::LastRunAt).lt(before)),
            )
            .to_owned();
        self.0.execute(&q).await
    }

    /// Deletes a schedule and its tasks.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(T::Table)
            .and_where(Expr::col(T::ScheduleId).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        let q = Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// A schedule's tasks in run order.
    pub async fn tasks(&self, schedule_id: i64) -> Result<Vec<Task>, DbError> {
        let q = Query::select()
            .columns(TCOLS)
            .from(T::Table)
            .and_where(Expr::col(T::ScheduleId).eq(schedule_id))
            .order_by(T::SequenceId, Order::Asc)
            .order_by(T::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(task).collect()
    }

    /// One task of a schedule.
    pub async fn find_task(&self, schedule_id: i64, task_id: i64) -> Result<Option<Task>, DbError> {
        let q = Query::select()
            .columns(TCOLS)
            .from(T::Table)
            .and_where(Expr::col(T::ScheduleId).eq(schedule_id))
            .and_where(Expr::col(T::Id).eq(task_id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(task)
            .transpose()
    }

    /// Adds a task at `sequence_id`, shifting later tasks down (Pterodactyl's behaviour).
    pub async fn create_task(
        &self,
        schedule_id: i64,
        sequence_id: i64,
        t: &TaskInput,
    ) -> Result<Task, DbError> {
        let q = Query::update()
            .table(T::Table)
            .value(T::SequenceId, Expr::col(T::SequenceId).add(1))
            .and_where(Expr::col(T::ScheduleId).eq(schedule_id))
            .and_where(Expr::col(T::SequenceId).gte(sequence_id))
            .to_owned();
        self.0.execute(&q).await?;
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(T::Table)
            .columns([
                T::ScheduleId,
                T::SequenceId,
                T::Action,
                T::Payload,
                T::TimeOffset,
                T::ContinueOnFailure,
                T::CreatedAt,
                T::UpdatedAt,
            ])
            .values_panic([
                schedule_id.into(),
                sequence_id.into(),
                t.action.clone().into(),
                t.payload.clone().into(),
                t.time_offset.into(),
                t.continue_on_failure.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find_task(schedule_id, id)
            .await?
            .ok_or_else(|| DbError::Other("inserted task vanished".into()))
    }

    /// Changes a task.
    pub async fn update_task(&self, task_id: i64, t: &TaskInput) -> Result<(), DbError> {
        let q = Query::update()
            .table(T::Table)
            .value(T::Action, t.action.clone())
            .value(T::Payload, t.payload.clone())
            .value(T::TimeOffset, t.time_offset)
            .value(T::ContinueOnFailure, t.continue_on_failure)
            .value(T::UpdatedAt, crate::now())
            .and_where(Expr::col(T::Id).eq(task_id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Marks a task queued (or not) while its schedule runs.
    pub async fn set_task_queued(&self, task_id: i64, queued: bool) -> Result<(), DbError> {
        let q = Query::update()
            .table(T::Table)
            .value(T::IsQueued, queued)
            .and_where(Expr::col(T::Id).eq(task_id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Removes a task and closes the gap in the sequence.
    pub async fn delete_task(&self, schedule_id: i64, task_id: i64) -> Result<bool, DbError> {
        let Some(t) = self.find_task(schedule_id, task_id).await? else {
            return Ok(false);
        };
        let q = Query::delete()
            .from_table(T::Table)
            .and_where(Expr::col(T::Id).eq(task_id))
            .to_owned();
        self.0.execute(&q).await?;
        let q = Query::update()
            .table(T::Table)
            .value(T::SequenceId, Expr::col(T::SequenceId).sub(1))
            .and_where(Expr::col(T::ScheduleId).eq(schedule_id))
            .and_where(Expr::col(T::SequenceId).gt(t.sequence_id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(true)
    }
}
