//! Panel-wide key/value settings.

use sea_query::{Expr, OnConflict, Query};

use crate::migrations::Settings as S;
use crate::{Db, DbError};

/// The settings repository.
pub struct SettingsRepo<'a>(&'a Db);

impl Db {
    /// Settings.
    pub fn settings(&self) -> SettingsRepo<'_> {
        SettingsRepo(self)
    }
}

impl SettingsRepo<'_> {
    /// A setting's value.
    pub async fn get(&self, key: &str) -> Result<Option<String>, DbError> {
        let q = Query::select()
            .column(S::Value)
            .from(S::Table)
            .and_where(Expr::col(S::Key).eq(key))
            .to_owned();
        match self.0.fetch_optional(&q).await? {
            Some(r) => super::get_opt_str(&r, "value"),
            None => Ok(None),
        }
    }

    /// Sets a setting, inserting or replacing.
    pub async fn set(&self, key: &str, value: &str) -> Result<(), DbError> {
        let q = Query::insert()
            .into_table(S::Table)
            .columns([S::Key, S::Value])
            .values_panic([key.into(), value.into()])
            .on_conflict(
                OnConflict::column(S::Key)
                    .update_column(S::Value)
                    .to_owned(),
            )
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }
}
