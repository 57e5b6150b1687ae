//! Locations: groups of nodes, the application API's list filters, and what runs in a
//! location (its nodes, and the servers on those nodes).

use sea_query::{Alias, Expr, Order, Query};
use sqlx::any::AnyRow;

use super::partial_filter;
use super::users::{SERVER_SUMMARY_COLS, ServerSummary, server_summary_from_row};
use super::{get_i64, get_opt_str, get_str};
use crate::migrations::{Locations as L, Nodes as N, Servers as S};
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

/// The application API's `filter[...]` values for locations: partial, case-insensitive
/// matches (a comma-separated value matches any of its parts).
#[derive(Debug, Clone, Default)]
pub struct LocationFilter {
    /// `filter[short]`.
    pub short: Option<String>,
    /// `filter[long]`.
    pub long: Option<String>,
}

/// One page of a filtered location list.
#[derive(Debug, Clone, Default)]
pub struct LocationListQuery {
    /// Filters, all of which must match.
    pub filter: LocationFilter,
    /// Whether `sort=-id` was asked for; ascending id otherwise.
    pub id_desc: bool,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
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

    /// A filtered, sorted page of locations and the number matching the filters.
    pub async fn search(&self, query: &LocationListQuery) -> Result<(Vec<Location>, i64), DbError> {
        let mut base = Query::select();
        base.from(L::Table);
        partial_filter(&mut base, L::Short, query.filter.short.as_deref());
        partial_filter(&mut base, L::Long, query.filter.long.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(L::Id).count());
        let total = self.0.count(&count).await?;

        let mut page = base;
        page.columns(COLS)
            .order_by(
                L::Id,
                if query.id_desc {
                    Order::Desc
                } else {
                    Order::Asc
                },
            )
            .limit(query.limit)
            .offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Number of nodes in the location.
    pub async fn count_nodes(&self, id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(N::Id).count())
                    .from(N::Table)
                    .and_where(Expr::col(N::LocationId).eq(id))
                    .to_owned(),
            )
            .await
    }

    /// The servers on the nodes of any of `location_ids`, each with its node's location,
    /// in ascending server id order.
    pub async fn servers_in(
        &self,
        location_ids: &[i64],
    ) -> Result<Vec<(i64, ServerSummary)>, DbError> {
        if location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let loc = Alias::new("node_location_id");
        let q = Query::select()
            .columns(SERVER_SUMMARY_COLS.map(|c| (S::Table, c)))
            .expr_as(Expr::col((N::Table, N::LocationId)), loc)
            .from(S::Table)
            .inner_join(
                N::Table,
                Expr::col((N::Table, N::Id)).equals((S::Table, S::NodeId)),
            )
            .and_where(Expr::col((N::Table, N::LocationId)).is_in(location_ids.iter().copied()))
            .order_by((S::Table, S::Id), Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| Ok((get_i64(r, "node_location_id")?, server_summary_from_row(r)?)))
            .collect()
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
