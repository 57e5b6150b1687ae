//! The client API's queries over servers and their activity: which servers a user may list
//! (`GET /api/client`, Pterodactyl's `ClientController::index` with its `type` and
//! `filter[...]` parameters, including the `filter[*]` search of `MultiFieldServerFilter`),
//! and a server's activity log as `GET /api/client/servers/{server}/activity` lists it.
//!
//! The server list returns ids only; the caller loads the rows with
//! [`crate::repo::servers::ServerRepo::find_many`], which keeps the server columns in one
//! place.

use sea_query::{Cond, Expr, Func, LikeExpr, Order, Query, SelectStatement};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::activity::Activity;
use super::partial_filter;
use super::{get_i64, get_opt_str, get_str};
use crate::migrations::{ActivityLogs as L, Allocations as A, Servers as S, Subusers as U};
use crate::{Db, DbError};

/// Which servers a client list covers (the `type` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientServerScope {
    /// The default: servers the user owns or is a subuser of.
    Accessible(i64),
    /// `type=owner`: servers the user owns.
    Owned(i64),
    /// `type=admin` for an administrator: every server the user neither owns nor is a
    /// subuser of.
    Others(i64),
    /// `type=admin-all` for an administrator: every server.
    All,
    /// `type=admin`/`admin-all` for someone who is not an administrator: nothing.
    Nothing,
}

/// The `filter[...]` values of a client server list; all given ones must match.
#[derive(Debug, Clone, Default)]
pub struct ClientServerFilter {
    /// `filter[uuid]`: partial, case-insensitive.
    pub uuid: Option<String>,
    /// `filter[name]`: partial, case-insensitive.
    pub name: Option<String>,
    /// `filter[description]`: partial, case-insensitive.
    pub description: Option<String>,
    /// `filter[external_id]`: partial, case-insensitive.
    pub external_id: Option<String>,
    /// `filter[*]`: an IPv4 address (optionally with `:port`) or `:port` matches the
    /// servers' allocations (the port as a prefix); anything else matches the UUID (exactly
    /// or as a prefix), the short id or external id (exactly) or the name (a substring).
    pub any: Option<String>,
}

/// One page of a client server list.
#[derive(Debug, Clone)]
pub struct ClientServerQuery {
    /// Whose servers.
    pub scope: ClientServerScope,
    /// Filters.
    pub filter: ClientServerFilter,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// One page of a server's activity log.
#[derive(Debug, Clone, Default)]
pub struct ServerActivityQuery {
    /// `filter[event]`: a case-insensitive substring of the event name.
    pub event: Option<String>,
    /// Events never listed (Pterodactyl's `ActivityLog::DISABLED_EVENTS`).
    pub hidden_events: Vec<String>,
    /// Oldest first (`sort=timestamp`) instead of newest first.
    pub ascending: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// `%` and `_` are wildcards in LIKE; `!` is the escape character used here.
fn like_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '!' | '%' | '_') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

fn subuser_servers(user_id: i64) -> SelectStatement {
    Query::select()
        .column(U::ServerId)
        .from(U::Table)
        .and_where(Expr::col(U::UserId).eq(user_id))
        .to_owned()
}

fn accessible(user_id: i64) -> Cond {
    Cond::any()
        .add(Expr::col(S::OwnerId).eq(user_id))
        .add(Expr::col(S::Id).in_subquery(subuser_servers(user_id)))
}

/// `192.168.1.1`, `192.168.1.1:25565` or `:25565`, as `MultiFieldServerFilter` detects them.
fn address_search(value: &str) -> Option<(Option<&str>, Option<&str>)> {
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if let Some(port) = value.strip_prefix(':') {
        return digits(port, 1, 5).then_some((None, Some(port)));
    }
    let (ip, port) = match value.split_once(':') {
        Some((ip, port)) => (ip, Some(port)),
        None => (value, None),
    };
    let octets: Vec<&str> = ip.split('.').collect();
    let ip_ok = octets.len() == 4 && octets.iter().all(|o| digits(o, 1, 3));
    let port_ok = port.is_none_or(|p| digits(p, 1, 5));
    (ip_ok && port_ok).then_some((Some(ip), port))
}

/// The ports whose decimal form starts with `prefix` (`LIKE 'prefix%'` on the port),
/// written as ranges so the port column stays an integer on every backend.
fn port_prefix(prefix: &str) -> Cond {
    let mut any = Cond::any();
    let Ok(base) = prefix.parse::<i64>() else {
        return any.add(Expr::val(1).eq(0));
    };
    let mut scale: i64 = 1;
    // Ports have at most 5 digits; a longer form cannot match.
    for _ in prefix.len()..=5 {
        let start = base.saturating_mul(scale);
        let end = start.saturating_add(scale - 1);
        if start > 65535 {
            break;
        }
        any = any.add(
            Cond::all()
                .add(Expr::col(A::Port).gte(start))
                .add(Expr::col(A::Port).lte(end)),
        );
        scale *= 10;
    }
    any
}

fn any_filter(value: &str) -> Cond {
    if let Some((ip, port)) = address_search(value) {
        let mut cond = Cond::all();
        if let Some(ip) = ip {
            cond = cond.add(Expr::col(A::Ip).eq(ip));
        }
        if let Some(port) = port {
            cond = cond.add(port_prefix(port));
        }
        let servers_with = Query::select()
            .column(A::ServerId)
            .from(A::Table)
            .and_where(Expr::col(A::ServerId).is_not_null())
            .cond_where(cond)
            .to_owned();
        return Cond::all().add(Expr::col(S::Id).in_subquery(servers_with));
    }
    let escaped = like_escape(value);
    Cond::any()
        .add(Expr::col(S::Uuid).eq(value))
        .add(Expr::col(S::Uuid).like(LikeExpr::new(format!("{escaped}%")).escape('!')))
        .add(Expr::col(S::UuidShort).eq(value))
        .add(Expr::col(S::ExternalId).eq(value))
        .add(
            Expr::expr(Func::lower(Expr::col(S::Name))).like(
                LikeExpr::new(format!("%{}%", like_escape(&value.to_lowercase()))).escape('!'),
            ),
        )
}

fn activity_from_row(r: &AnyRow) -> Result<Activity, DbError> {
    let opt_i64 =
        |col: &str| -> Result<Option<i64>, DbError> { Ok(r.try_get::<Option<i64>, _>(col)?) };
    Ok(Activity {
        id: get_i64(r, "id")?,
        batch: get_opt_str(r, "batch")?,
        event: get_str(r, "event")?,
        ip: get_str(r, "ip")?,
        description: get_opt_str(r, "description")?,
        actor_id: opt_i64("actor_id")?,
        api_key_id: opt_i64("api_key_id")?,
        server_id: opt_i64("server_id")?,
        subject_user_id: opt_i64("subject_user_id")?,
        properties: get_str(r, "properties")?,
        timestamp: get_str(r, "timestamp")?,
    })
}

const ACTIVITY_COLS: [L; 11] = [
    L::Id,
    L::Batch,
    L::Event,
    L::Ip,
    L::Description,
    L::ActorId,
    L::ApiKeyId,
    L::ServerId,
    L::SubjectUserId,
    L::Properties,
    L::Timestamp,
];

impl Db {
    /// The ids of one page of the servers a client list covers, ascending, and how many
    /// servers match in all.
    pub async fn client_server_ids(
        &self,
        query: &ClientServerQuery,
    ) -> Result<(Vec<i64>, i64), DbError> {
        let mut base = Query::select();
        base.from(S::Table);
        match query.scope {
            ClientServerScope::Accessible(user) => {
                base.cond_where(accessible(user));
            }
            ClientServerScope::Owned(user) => {
                base.and_where(Expr::col(S::OwnerId).eq(user));
            }
            ClientServerScope::Others(user) => {
                base.cond_where(accessible(user).not());
            }
            ClientServerScope::All => {}
            ClientServerScope::Nothing => return Ok((Vec::new(), 0)),
        }
        let f = &query.filter;
        partial_filter(&mut base, S::Uuid, f.uuid.as_deref());
        partial_filter(&mut base, S::Name, f.name.as_deref());
        partial_filter(&mut base, S::Description, f.description.as_deref());
        partial_filter(&mut base, S::ExternalId, f.external_id.as_deref());
        if let Some(v) = f.any.as_deref().filter(|v| !v.is_empty()) {
            base.cond_where(any_filter(v));
        }

        let mut count = base.clone();
        count.expr(Expr::col(S::Id).count());
        let total = self.count(&count).await?;

        let mut page = base;
        page.column(S::Id)
            .order_by(S::Id, Order::Asc)
            .limit(query.limit)
            .offset(query.offset);
        let ids = self
            .fetch_all(&page)
            .await?
            .iter()
            .map(|r| get_i64(r, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((ids, total))
    }

    /// A page of server `server_id`'s activity and the number of entries matching.
    pub async fn server_activity(
        &self,
        server_id: i64,
        query: &ServerActivityQuery,
    ) -> Result<(Vec<Activity>, i64), DbError> {
        let mut base = Query::select();
        base.from(L::Table)
            .and_where(Expr::col(L::ServerId).eq(server_id));
        if !query.hidden_events.is_empty() {
            base.and_where(Expr::col(L::Event).is_not_in(query.hidden_events.iter().cloned()));
        }
        partial_filter(&mut base, L::Event, query.event.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(L::Id).count());
        let total = self.count(&count).await?;

        let order = if query.ascending {
            Order::Asc
        } else {
            Order::Desc
        };
        let mut page = base;
        page.columns(ACTIVITY_COLS)
            .order_by(L::Timestamp, order.clone())
            .order_by(L::Id, order)
            .offset(query.offset)
            .limit(query.limit);
        let rows = self.fetch_all(&page).await?;
        Ok((
            rows.iter()
                .map(activity_from_row)
                .collect::<Result<_, _>>()?,
            total,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_searches_like_pterodactyl() {
        assert_eq!(
            address_search("192.168.1.1"),
            Some((Some("192.168.1.1"), None))
        );
        assert_eq!(
            address_search("192.168.1.1:25565"),
            Some((Some("192.168.1.1"), Some("25565")))
        );
        assert_eq!(address_search(":255"), Some((None, Some("255"))));
        assert_eq!(address_search("Julia"), None);
        assert_eq!(address_search("88788878-12"), None);
        assert_eq!(address_search(":"), None);
        assert_eq!(address_search("1.2.3"), None);
    }

    #[test]
    fn escapes_wildcards() {
        assert_eq!(like_escape("a%b_c!"), "a!%b!_c!!");
    }
}
