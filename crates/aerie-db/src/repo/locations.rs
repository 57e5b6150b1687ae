//! Locations.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_i64, get_opt_str, get_str};
use crate::migrations::Locations as L;
use crate::models::Location;
use crate::{Db, DbError};

const COLS: [L; 5] = [L::Id, L::Short, L::Long, L::CreatedAt, L::UpdatedAt];

fn from_row(r: &AnyRow) -> Result<Location, DbError> {
    Ok(Location {
        id: get_i64(r, "id")?,
        short: get_str(r, "short")?,
        long: get_opt_str(r, "long")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// The locations repository.
pub struct LocationRepo<'a>(&'a Db);

impl Db {
    /// Locations.
    pub fn locations(&self) -> LocationRepo<'_> {
        LocationRepo(self)
    }
}

impl LocationRepo<'_> {
    /// Inserts a location.
    pub async fn create(&self, short: &str, long: Option<&str>) -> Result<Location, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(L::Table)
            .columns([L::Short, L::Long, L::CreatedAt, L::UpdatedAt])
            .values_panic([
                short.into(),
                long.map(str::to_owned).into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted location vanished".into()))
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Location>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(L::Table)
            .and_where(Expr::col(L::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By short code.
    pub async fn find_by_short(&self, short: &str) -> Result<Option<Location>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(L::Table)
            .and_where(Expr::col(L::Short).eq(short))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// All locations, by id.
    pub async fn list(&self) -> Result<Vec<Location>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(L::Table)
            .order_by(L::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Updates fields given; `None` when the location does not exist.
    pub async fn update(
        &self,
        id: i64,
        short: Option<&str>,
        long: Option<Option<&str>>,
    ) -> Result<Option<Location>, DbError> {
        let mut q = Query::update();
        q.table(L::Table)
            .value(L::UpdatedAt, crate::now())
            .and_where(Expr::col(L::Id).eq(id));
        if let Some(s) = short {
            q.value(L::Short, s);
        }
        if let Some(l) = long {
            q.value(L::Long, l.map(str::to_owned));
        }
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
    }

    /// Deletes a location; fails with [`DbError::ForeignKey`] while nodes use it.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(L::Table)
            .and_where(Expr::col(L::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
