//! Repositories: one file per resource, all SQL of Aerie lives here.

pub mod api_keys;
pub mod locations;
pub mod nodes;
pub mod settings;
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
    Ok(row.try_get::<String, _>(col)?)
}
pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>, DbError> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}
