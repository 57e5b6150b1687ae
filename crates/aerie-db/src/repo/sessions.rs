//! Browser sessions. A session is stored under the hex SHA-256 of its cookie token, so a
//! copy of the database does not hold usable cookies.

use sea_query::{Expr, Query};
use sqlx::any::AnyRow;

use super::{get_i64, get_opt_str, get_str};
use crate::migrations::Sessions as S;
use crate::{Db, DbError};

/// A stored browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the cookie token.
    pub id: String,
    /// The logged-in user.
    pub user_id: i64,
    /// The token every state-changing request of this session must echo in `X-XSRF-TOKEN`.
    pub csrf_token: String,
    /// Address the session was created from.
    pub ip: Option<String>,
    /// `User-Agent` it was created with.
    pub user_agent: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last request (RFC 3339).
    pub last_seen_at: String,
    /// When it stops being valid (RFC 3339).
    pub expires_at: String,
}

/// Fields of a new session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Hex SHA-256 of the cookie token.
    pub id: String,
    /// The user.
    pub user_id: i64,
    /// The CSRF token.
    pub csrf_token: String,
    /// Client address.
    pub ip: Option<String>,
    /// Client `User-Agent` (cut to 500 characters).
    pub user_agent: Option<String>,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

const COLS: [S; 8] = [
    S::Id,
    S::UserId,
    S::CsrfToken,
    S::Ip,
    S::UserAgent,
    S::CreatedAt,
    S::LastSeenAt,
    S::ExpiresAt,
];

fn from_row(r: &AnyRow) -> Result<Session, DbError> {
    Ok(Session {
        id: get_str(r, "id")?,
        user_id: get_i64(r, "user_id")?,
        csrf_token: get_str(r, "csrf_token")?,
        ip: get_opt_str(r, "ip")?,
        user_agent: get_opt_str(r, "user_agent")?,
        created_at: get_str(r, "created_at")?,
        last_seen_at: get_str(r, "last_seen_at")?,
        expires_at: get_str(r, "expires_at")?,
    })
}

/// The sessions repository.
pub struct SessionRepo<'a>(&'a Db);

impl Db {
    /// Browser sessions.
    pub fn sessions(&self) -> SessionRepo<'_> {
        SessionRepo(self)
    }
}

impl SessionRepo<'_> {
    /// Stores a session and returns it.
    pub async fn create(&self, new: &NewSession) -> Result<Session, DbError> {
        let now = crate::now();
        let user_agent = new
            .user_agent
            .as_deref()
            .map(|ua| ua.chars().take(500).collect::<String>());
        let q = Query::insert()
            .into_table(S::Table)
            .columns(COLS)
            .values_panic([
                new.id.clone().into(),
                new.user_id.into(),
                new.csrf_token.clone().into(),
                new.ip.clone().into(),
                user_agent.into(),
                now.clone().into(),
                now.into(),
                new.expires_at.clone().into(),
            ])
            .to_owned();
        self.0.execute(&q).await?;
        self.find(&new.id)
            .await?
            .ok_or_else(|| DbError::Other("inserted session vanished".into()))
    }

    /// A session by id, expired or not.
    pub async fn find(&self, id: &str) -> Result<Option<Session>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// A session by id that has not expired at `now` (RFC 3339).
    pub async fn find_active(&self, id: &str, now: &str) -> Result<Option<Session>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .and_where(Expr::col(S::ExpiresAt).gt(now))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Records a request on the session and moves its expiry.
    pub async fn touch(
        &self,
        id: &str,
        last_seen_at: &str,
        expires_at: &str,
    ) -> Result<(), DbError> {
        let q = Query::update()
            .table(S::Table)
            .value(S::LastSeenAt, last_seen_at)
            .value(S::ExpiresAt, expires_at)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Deletes one session; whether it existed.
    pub async fn delete(&self, id: &str) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Deletes every session of a user except `keep` (the one making the request, when
    /// the user changes their own password); returns how many went.
    pub async fn delete_for_user(&self, user_id: i64, keep: Option<&str>) -> Result<u64, DbError> {
        let mut q = Query::delete();
        q.from_table(S::Table)
            .and_where(Expr::col(S::UserId).eq(user_id));
        if let Some(keep) = keep {
            q.and_where(Expr::col(S::Id).ne(keep));
        }
        self.0.execute(&q).await
    }

    /// The number of sessions a user has, expired ones included.
    pub async fn count_for_user(&self, user_id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(S::Id).count())
                    .from(S::Table)
                    .and_where(Expr::col(S::UserId).eq(user_id))
                    .to_owned(),
            )
            .await
    }

    /// Deletes every session that expired before `now`; returns how many went.
    pub async fn purge_expired(&self, now: &str) -> Result<u64, DbError> {
        let q = Query::delete()
            .from_table(S::Table)
            .and_where(Expr::col(S::ExpiresAt).lte(now))
            .to_owned();
        self.0.execute(&q).await
    }
}
