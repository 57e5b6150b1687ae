//! A user's own activity log as `GET /api/client/account/activity` lists it: entries the
//! user acted in or was the subject of, with spatie's partial `filter[event]` and a
//! `timestamp` sort in either direction.

use sea_query::{Cond, Expr, Order, Query};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::activity::Activity;
use super::partial_filter;
use super::{get_i64, get_opt_str, get_str};
use crate::migrations::ActivityLogs as A;
use crate::{Db, DbError};

/// One page of a user's activity.
#[derive(Debug, Clone, Default)]
pub struct AccountActivityQuery {
    /// `filter[event]`: a case-insensitive substring of the event name.
    pub event: Option<String>,
    /// Oldest first (`sort=timestamp`) instead of newest first.
    pub ascending: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
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

impl Db {
    /// A page of `user_id`'s account activity (entries with no server, where the user is
    /// the actor or the subject) and the number of entries matching.
    pub async fn account_activity(
        &self,
        user_id: i64,
        query: &AccountActivityQuery,
    ) -> Result<(Vec<Activity>, i64), DbError> {
        let mut base = Query::select();
        base.from(A::Table)
            .cond_where(
                Cond::any()
                    .add(Expr::col(A::ActorId).eq(user_id))
                    .add(Expr::col(A::SubjectUserId).eq(user_id)),
            )
            .and_where(Expr::col(A::ServerId).is_null());
        partial_filter(&mut base, A::Event, query.event.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(A::Id).count());
        let total = self.count(&count).await?;

        let order = if query.ascending {
            Order::Asc
        } else {
            Order::Desc
        };
        let mut page = base;
        page.columns(COLS)
            .order_by(A::Timestamp, order.clone())
            .order_by(A::Id, order)
            .offset(query.offset)
            .limit(query.limit);
        let rows = self.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }
}
