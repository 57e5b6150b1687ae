//! The activity log: who did what, from where, to which server or user.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_i64, get_opt_str, get_str};
use crate::migrations::ActivityLogs as A;
use crate::{Db, DbError};

/// One logged action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Activity {
    /// Numeric id.
    pub id: i64,
    /// Groups entries written by one request, when it wrote several.
    pub batch: Option<String>,
    /// Event name, `server:power.start`, `auth:success`.
    pub event: String,
    /// Address the action came from.
    pub ip: String,
    /// Free text.
    pub description: Option<String>,
    /// The user who acted, if any.
    pub actor_id: Option<i64>,
    /// The API key used, if any.
    pub api_key_id: Option<i64>,
    /// The server acted on, if any.
    pub server_id: Option<i64>,
    /// The user acted on (account events), if any.
    pub subject_user_id: Option<i64>,
    /// Event details as a JSON object.
    pub properties: String,
    /// When (RFC 3339).
    pub timestamp: String,
}

/// A new entry.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct NewActivity {
    pub batch: Option<String>,
    pub event: String,
    pub ip: String,
    pub description: Option<String>,
    pub actor_id: Option<i64>,
    pub api_key_id: Option<i64>,
    pub server_id: Option<i64>,
    pub subject_user_id: Option<i64>,
    /// JSON object; empty means `{}`.
    pub properties: String,
    /// RFC 3339; empty means now.
    pub timestamp: String,
}

const COLS: [A; 11] = [
    A::Id,
    A::Batch,
    A::Event,
    A::Ip,
    A::Description,
    A::ActorId,
    A::ApiKeyId,
    A::ServerId,
    A::SubjectUserId,
    A::Properties,
    A::Timestamp,
];

fn opt_i64(r: &AnyRow, col: &str) -> Result<Option<i64>, DbError> {
    use sqlx::Row;
    Ok(r.try_get::<Option<i64>, _>(col)?)
}

fn from_row(r: &AnyRow) -> Result<Activity, DbError> {
    Ok(Activity {
        id: get_i64(r, "id")?,
        batch: get_opt_str(r, "batch")?,
        event: get_str(r, "event")?,
        ip: get_str(r, "ip")?,
        description: get_opt_str(r, "description")?,
        actor_id: opt_i64(r, "actor_id")?,
        api_key_id: opt_i64(r, "api_key_id")?,
        server_id: opt_i64(r, "server_id")?,
        subject_user_id: opt_i64(r, "subject_user_id")?,
        properties: get_str(r, "properties")?,
        timestamp: get_str(r, "timestamp")?,
    })
}

/// Whose activity to list.
#[derive(Debug, Clone, Copy)]
pub enum ActivityScope {
    /// Everything done to a server.
    Server(i64),
    /// Everything a user did or had done to their account.
    User(i64),
}

/// The activity repository.
pub struct ActivityRepo<'a>(&'a Db);

impl Db {
    /// The activity log.
    pub fn activity(&self) -> ActivityRepo<'_> {
        ActivityRepo(self)
    }
}

impl ActivityRepo<'_> {
    /// Appends entries.
    pub async fn log(&self, entries: &[NewActivity]) -> Result<(), DbError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut stmt = Query::insert()
            .into_table(A::Table)
            .columns([
                A::Batch,
                A::Event,
                A::Ip,
                A::Description,
                A::ActorId,
                A::ApiKeyId,
                A::ServerId,
                A::SubjectUserId,
                A::Properties,
                A::Timestamp,
            ])
            .to_owned();
        let now = crate::now();
        for e in entries {
            stmt.values_panic([
                e.batch.clone().into(),
                e.event.clone().into(),
                e.ip.clone().into(),
                e.description.clone().into(),
                e.actor_id.into(),
                e.api_key_id.into(),
                e.server_id.into(),
                e.subject_user_id.into(),
                if e.properties.is_empty() {
                    "{}".to_owned()
                } else {
                    e.properties.clone()
                }
                .into(),
                if e.timestamp.is_empty() {
                    now.clone()
                } else {
                    e.timestamp.clone()
                }
                .into(),
            ]);
        }
        self.0.execute(&stmt).await?;
        Ok(())
    }

    /// A page of entries, newest first, optionally only events starting with `event_prefix`
    /// (a constant from code, never user input: it is a LIKE pattern), and the total count.
    pub async fn list(
        &self,
        scope: ActivityScope,
        event_prefix: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Activity>, i64), DbError> {
        let mut cond = sea_query::Cond::all();
        cond = match scope {
            ActivityScope::Server(id) => cond.add(Expr::col(A::ServerId).eq(id)),
            ActivityScope::User(id) => cond.add(
                sea_query::Cond::any()
                    .add(Expr::col(A::ActorId).eq(id))
                    .add(Expr::col(A::SubjectUserId).eq(id)),
            ),
        };
        if let Some(p) = event_prefix {
            cond = cond.add(Expr::col(A::Event).like(format!("{p}%")));
        }
        let q = Query::select()
            .columns(COLS)
            .from(A::Table)
            .cond_where(cond.clone())
            .order_by(A::Timestamp, Order::Desc)
            .order_by(A::Id, Order::Desc)
            .offset(offset)
            .limit(limit)
            .to_owned();
        let rows = self.0.fetch_all(&q).await?;
        let total = self
            .0
            .count(
                &Query::select()
                    .expr(Expr::col(A::Id).count())
                    .from(A::Table)
                    .cond_where(cond)
                    .to_owned(),
            )
            .await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }
}
