//! Nests (groups of eggs).

use sea_query::{Expr, Func, Order, Query};
use sqlx::any::AnyRow;

use super::users::{SERVER_SUMMARY_COLS, ServerSummary, server_summary_from_row};
use super::{get_i64, get_opt_str, get_str};
use crate::migrations::{Eggs as E, Nests as N, Servers as S};
use crate::{Db, DbError};

/// A nest: a named group of eggs (Pterodactyl's `nests` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nest {
    /// Id.
    pub id: i64,
    /// UUID.
    pub uuid: String,
    /// Author, usually an e-mail address.
    pub author: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Updated (RFC 3339).
    pub updated_at: String,
}

const COLS: [N; 7] = [
    N::Id,
    N::Uuid,
    N::Author,
    N::Name,
    N::Description,
    N::CreatedAt,
    N::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<Nest, DbError> {
    Ok(Nest {
        id: get_i64(r, "id")?,
        uuid: get_str(r, "uuid")?,
        author: get_str(r, "author")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// The nests repository.
pub struct NestRepo<'a>(&'a Db);

impl Db {
    /// Nests.
    pub fn nests(&self) -> NestRepo<'_> {
        NestRepo(self)
    }
}

impl NestRepo<'_> {
    /// Inserts a nest with a fresh UUID.
    pub async fn create(
        &self,
        author: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<Nest, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(N::Table)
            .columns([
                N::Uuid,
                N::Author,
                N::Name,
                N::Description,
                N::CreatedAt,
                N::UpdatedAt,
            ])
            .values_panic([
                uuid::Uuid::new_v4().to_string().into(),
                author.into(),
                name.into(),
                description.map(str::to_owned).into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted nest vanished".into()))
    }

    /// Updates the fields given; `None` when the nest does not exist.
    pub async fn update(
        &self,
        id: i64,
        name: Option<&str>,
        description: Option<Option<&str>>,
    ) -> Result<Option<Nest>, DbError> {
        let mut q = Query::update();
        q.table(N::Table)
            .value(N::UpdatedAt, crate::now())
            .and_where(Expr::col(N::Id).eq(id));
        if let Some(n) = name {
            q.value(N::Name, n);
        }
        if let Some(d) = description {
            q.value(N::Description, d.map(str::to_owned));
        }
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
    }

    /// By id.
    pub async fn find(&self, id: i64) -> Result<Option<Nest>, DbError> {
        self.one(Expr::col(N::Id).eq(id)).await
    }

    /// By UUID.
    pub async fn find_by_uuid(&self, uuid: &str) -> Result<Option<Nest>, DbError> {
        self.one(Expr::col(N::Uuid).eq(uuid)).await
    }

    /// The first nest (lowest id) with exactly this name.
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Nest>, DbError> {
        self.one(Expr::col(N::Name).eq(name)).await
    }

    /// The first nest (lowest id) whose name matches case-insensitively.
    pub async fn find_by_name_ci(&self, name: &str) -> Result<Option<Nest>, DbError> {
        self.one(Expr::expr(Func::lower(Expr::col(N::Name))).eq(name.to_lowercase()))
            .await
    }

    async fn one(&self, cond: sea_query::SimpleExpr) -> Result<Option<Nest>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .and_where(cond)
            .order_by(N::Id, Order::Asc)
            .limit(1)
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// All nests, by id.
    pub async fn list(&self) -> Result<Vec<Nest>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .order_by(N::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// One page of nests by id: `limit` rows after skipping `offset`.
    pub async fn page(&self, offset: u64, limit: u64) -> Result<Vec<Nest>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(N::Table)
            .order_by(N::Id, Order::Asc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// How many nests exist.
    pub async fn count(&self) -> Result<i64, DbError> {
        let q = Query::select()
            .expr(Expr::col(N::Id).count())
            .from(N::Table)
            .to_owned();
        self.0.count(&q).await
    }

    /// How many eggs the nest holds.
    pub async fn egg_count(&self, id: i64) -> Result<i64, DbError> {
        let q = Query::select()
            .expr(Expr::col(E::Id).count())
            .from(E::Table)
            .and_where(Expr::col(E::NestId).eq(id))
            .to_owned();
        self.0.count(&q).await
    }

    /// The servers made from the eggs of any of these nests, each with its nest id, in
    /// ascending id order (for `include=servers`).
    pub async fn servers_of(&self, nest_ids: &[i64]) -> Result<Vec<(i64, ServerSummary)>, DbError> {
        if nest_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(SERVER_SUMMARY_COLS)
            .column(S::NestId)
            .from(S::Table)
            .and_where(Expr::col(S::NestId).is_in(nest_ids.iter().copied()))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| Ok((get_i64(r, "nest_id")?, server_summary_from_row(r)?)))
            .collect()
    }

    /// Deletes a nest; fails with [`DbError::ForeignKey`] while it holds eggs.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(N::Table)
            .and_where(Expr::col(N::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
