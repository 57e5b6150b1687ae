//! Repositories: one file per resource, all SQL of Aerie lives here.

pub mod account_activity;
pub mod activity;
pub mod allocations;
pub mod api_keys;
pub mod backups;
pub mod client_servers;
pub mod databases;
pub mod eggs;
pub mod locations;
pub mod mounts;
pub mod nests;
pub mod nodes;
pub mod password_resets;
pub mod recovery_tokens;
pub mod schedules;
pub mod servers;
pub mod sessions;
pub mod settings;
pub mod ssh_keys;
pub mod subusers;
pub mod users;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::DbError;

pub(crate) fn get_i64(row: &AnyRow, col: &str) -> Result<i64, DbError> {
    Ok(row.try_get::<i64, _>(col)?)
}
pub(crate) fn get_bool(row: &AnyRow, col: &str) -> Result<bool, DbError> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}
pub(crate) fn get_str(row: &AnyRow, col: &str) -> Result<String, DbError> {
    get_opt_str(row, col)?.ok_or_else(|| DbError::Decode(format!("column {col} is NULL")))
}
/// MySQL reports `TEXT` columns as `BLOB` through the `Any` driver, so a text column that
/// does not decode as a string is read as bytes and checked to be UTF-8.
pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>, DbError> {
    match row.try_get::<Option<String>, _>(col) {
        Ok(v) => Ok(v),
        Err(sqlx::Error::ColumnDecode { .. }) => match row.try_get::<Option<Vec<u8>>, _>(col)? {
            None => Ok(None),
            Some(b) => String::from_utf8(b)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("column {col}: {e}"))),
        },
        Err(e) => Err(e.into()),
    }
}

/// Adds spatie-style partial filters: `LOWER(col) LIKE '%part%'` for each comma-separated
/// part of `value` (any part may match). `%`, `_` and the escape character are matched
/// literally. An empty value adds nothing, as spatie ignores blank filters.
pub(crate) fn partial_filter<C>(q: &mut sea_query::SelectStatement, col: C, value: Option<&str>)
where
    C: sea_query::IntoColumnRef + Clone,
{
    let Some(value) = value else { return };
    let parts: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return;
    }
    let mut any = sea_query::Cond::any();
    for part in parts {
        let mut escaped = String::with_capacity(part.len() + 2);
        escaped.push('%');
        for c in part.to_lowercase().chars() {
            if matches!(c, '!' | '%' | '_') {
                escaped.push('!');
            }
            escaped.push(c);
        }
        escaped.push('%');
        any = any.add(
            sea_query::Expr::expr(sea_query::Func::lower(sea_query::Expr::col(col.clone())))
                .like(sea_query::LikeExpr::new(escaped).escape('!')),
        );
    }
    q.cond_where(any);
}
