//! Users.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::migrations::Users as U;
use crate::models::{NewUser, User};
use crate::{Db, DbError};

const COLS: [U; 13] = [
    U::Id,
    U::ExternalId,
    U::Uuid,
    U::Username,
    U::Email,
    U::NameFirst,
    U::NameLast,
    U::Password,
    U::Language,
    U::RootAdmin,
    U::UseTotp,
    U::CreatedAt,
    U::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<User, DbError> {
    Ok(User {
        id: get_i64(r, "id")?,
        external_id: get_opt_str(r, "external_id")?,
        uuid: get_str(r, "uuid")?,
        username: get_str(r, "username")?,
        email: get_str(r, "email")?,
        name_first: get_opt_str(r, "name_first")?,
        name_last: get_opt_str(r, "name_last")?,
        password: get_opt_str(r, "password")?,
        language: get_str(r, "language")?,
        root_admin: get_bool(r, "root_admin")?,
        use_totp: get_bool(r, "use_totp")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// Changes to a user; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct UserPatch {
    pub username: Option<String>,
    pub email: Option<String>,
    pub name_first: Option<Option<String>>,
    pub name_last: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub root_admin: Option<bool>,
    pub external_id: Option<Option<String>>,
}

/// The users repository.
pub struct UserRepo<'a>(&'a Db);

impl Db {
    /// Users.
    pub fn users(&self) -> UserRepo<'_> {
        UserRepo(self)
    }
}

impl UserRepo<'_> {
    /// Inserts a user and returns it.
    pub async fn create(&self, new: &NewUser) -> Result<User, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(U::Table)
            .columns([
                U::ExternalId,
                U::Uuid,
                U::Username,
                U::Email,
                U::NameFirst,
                U::NameLast,
                U::Password,
                U::RootAdmin,
                U::CreatedAt,
                U::UpdatedAt,
            ])
            .values_panic([
                new.external_id.clone().into(),
                uuid::Uuid::new_v4().to_string().into(),
                new.username.clone().into(),
                new.email.to_lowercase().into(),
                new.name_first.clone().into(),
                new.name_last.clone().into(),
                new.password_hash.clone().into(),
                new.root_admin.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted user vanished".into()))
    }

    /// By numeric id.
    pub async fn find(&self, id: i64) -> Result<Option<User>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(U::Table)
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// By username or e-mail (case-insensitive for e-mail), as a login form accepts either.
    pub async fn find_by_login(&self, login: &str) -> Result<Option<User>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(U::Table)
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(U::Username).eq(login))
                    .add(Expr::col(U::Email).eq(login.to_lowercase())),
            )
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// A page of users in ascending id order, and the total count.
    pub async fn list(&self, offset: u64, limit: u64) -> Result<(Vec<User>, i64), DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(U::Table)
            .order_by(U::Id, Order::Asc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        let rows = self.0.fetch_all(&q).await?;
        let total = self
            .0
            .count(
                &Query::select()
                    .expr(Expr::col(U::Id).count())
                    .from(U::Table)
                    .to_owned(),
            )
            .await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Applies a patch; returns the updated user, or `None` if it does not exist.
    pub async fn update(&self, id: i64, patch: &UserPatch) -> Result<Option<User>, DbError> {
        let mut q = Query::update();
        q.table(U::Table)
            .and_where(Expr::col(U::Id).eq(id))
            .value(U::UpdatedAt, crate::now());
        if let Some(v) = &patch.username {
            q.value(U::Username, v.clone());
        }
        if let Some(v) = &patch.email {
            q.value(U::Email, v.to_lowercase());
        }
        if let Some(v) = &patch.name_first {
            q.value(U::NameFirst, v.clone());
        }
        if let Some(v) = &patch.name_last {
            q.value(U::NameLast, v.clone());
        }
        if let Some(v) = &patch.password_hash {
            q.value(U::Password, v.clone());
        }
        if let Some(v) = patch.root_admin {
            q.value(U::RootAdmin, i64::from(v));
        }
        if let Some(v) = &patch.external_id {
            q.value(U::ExternalId, v.clone());
        }
        if self.0.execute(&q).await? == 0 {
            return Ok(None);
        }
        self.find(id).await
    }

    /// Deletes a user (their API keys go with them); false when there was none.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let q = Query::delete()
            .from_table(U::Table)
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Number of users.
    pub async fn count(&self) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(U::Id).count())
                    .from(U::Table)
                    .to_owned(),
            )
            .await
    }
}
