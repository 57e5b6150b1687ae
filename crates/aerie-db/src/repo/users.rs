//! Users: accounts, the application API's list filters and sorts, and the servers a user
//! owns (read straight from the `servers` table, so deleting a user can be refused while it
//! owns any and `include=servers` can list them).

use sea_query::{Cond, Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_bool, get_i64, get_opt_str, get_str, partial_filter};
use crate::migrations::{Servers as S, Users as U};
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
    pub language: Option<String>,
}

/// The application API's `filter[...]` values for users. Each is a partial, case-insensitive
/// match (spatie's partial filter: `LOWER(col) LIKE %value%`); a comma-separated value
/// matches any of its parts.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// `filter[email]`.
    pub email: Option<String>,
    /// `filter[uuid]`.
    pub uuid: Option<String>,
    /// `filter[username]`.
    pub username: Option<String>,
    /// `filter[external_id]`.
    pub external_id: Option<String>,
}

/// A column users can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    /// `sort=id`.
    Id,
    /// `sort=uuid`.
    Uuid,
}

/// One page of a filtered, sorted user list.
#[derive(Debug, Clone, Default)]
pub struct UserListQuery {
    /// Filters, all of which must match.
    pub filter: UserFilter,
    /// Sort column and whether it is descending; `None` is ascending id.
    pub sort: Option<(UserSort, bool)>,
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

/// The few facts of a server that the user and location endpoints can read without the
/// server transformer: enough to list what a user owns or what runs in a location.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ServerSummary {
    pub id: i64,
    pub external_id: Option<String>,
    pub uuid: String,
    /// The 8-character short uuid (Pterodactyl's `identifier`).
    pub uuid_short: String,
    pub name: String,
    pub description: Option<String>,
    pub owner_id: i64,
    pub node_id: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub(crate) const SERVER_SUMMARY_COLS: [S; 10] = [
    S::Id,
    S::ExternalId,
    S::Uuid,
    S::UuidShort,
    S::Name,
    S::Description,
    S::OwnerId,
    S::NodeId,
    S::CreatedAt,
    S::UpdatedAt,
];

pub(crate) fn server_summary_from_row(r: &AnyRow) -> Result<ServerSummary, DbError> {
    Ok(ServerSummary {
        id: get_i64(r, "id")?,
        external_id: get_opt_str(r, "external_id")?,
        uuid: get_str(r, "uuid")?,
        uuid_short: get_str(r, "uuid_short")?,
        name: get_str(r, "name")?,
        description: get_opt_str(r, "description")?,
        owner_id: get_i64(r, "owner_id")?,
        node_id: get_i64(r, "node_id")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
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
                U::Language,
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
                new.language.clone().unwrap_or_else(|| "en".into()).into(),
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

    /// By external id (exact match).
    pub async fn find_by_external_id(&self, external_id: &str) -> Result<Option<User>, DbError> {
        self.find_where(Expr::col(U::ExternalId).eq(external_id))
            .await
    }

    /// By e-mail address (compared lower-cased, as it is stored).
    pub async fn find_by_email(&self, email: &str) -> Result<Option<User>, DbError> {
        self.find_where(Expr::col(U::Email).eq(email.to_lowercase()))
            .await
    }

    /// By public UUID (exact; what wings reports in activity).
    pub async fn find_by_uuid(&self, uuid: &str) -> Result<Option<User>, DbError> {
        self.find_where(Expr::col(U::Uuid).eq(uuid)).await
    }

    /// By username (exact).
    pub async fn find_by_username(&self, username: &str) -> Result<Option<User>, DbError> {
        self.find_where(Expr::col(U::Username).eq(username)).await
    }

    async fn find_where(&self, cond: sea_query::SimpleExpr) -> Result<Option<User>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(U::Table)
            .and_where(cond)
            .limit(1)
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// A filtered, sorted page of users and the number of users matching the filters.
    pub async fn search(&self, query: &UserListQuery) -> Result<(Vec<User>, i64), DbError> {
        let mut base = Query::select();
        base.from(U::Table);
        let f = &query.filter;
        partial_filter(&mut base, U::Email, f.email.as_deref());
        partial_filter(&mut base, U::Uuid, f.uuid.as_deref());
        partial_filter(&mut base, U::Username, f.username.as_deref());
        partial_filter(&mut base, U::ExternalId, f.external_id.as_deref());

        let mut count = base.clone();
        count.expr(Expr::col(U::Id).count());
        let total = self.0.count(&count).await?;

        let mut page = base;
        page.columns(COLS);
        match query.sort {
            Some((UserSort::Uuid, desc)) => {
                page.order_by(U::Uuid, if desc { Order::Desc } else { Order::Asc });
                page.order_by(U::Id, Order::Asc);
            }
            Some((UserSort::Id, true)) => {
                page.order_by(U::Id, Order::Desc);
            }
            Some((UserSort::Id, false)) | None => {
                page.order_by(U::Id, Order::Asc);
            }
        }
        page.limit(query.limit).offset(query.offset);
        let rows = self.0.fetch_all(&page).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// Users with these ids, in ascending id order (ids that do not exist are skipped).
    pub async fn find_many(&self, ids: &[i64]) -> Result<Vec<User>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLS)
            .from(U::Table)
            .and_where(Expr::col(U::Id).is_in(ids.iter().copied()))
            .order_by(U::Id, Order::Asc)
            .to_owned();
        self.0.fetch_all(&q).await?.iter().map(from_row).collect()
    }

    /// Number of servers the user owns.
    pub async fn count_servers(&self, user_id: i64) -> Result<i64, DbError> {
        self.0
            .count(
                &Query::select()
                    .expr(Expr::col(S::Id).count())
                    .from(S::Table)
                    .and_where(Expr::col(S::OwnerId).eq(user_id))
                    .to_owned(),
            )
            .await
    }

    /// The servers owned by any of `user_ids`, in ascending id order.
    pub async fn servers_of(&self, user_ids: &[i64]) -> Result<Vec<ServerSummary>, DbError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(SERVER_SUMMARY_COLS)
            .from(S::Table)
            .and_where(Expr::col(S::OwnerId).is_in(user_ids.iter().copied()))
            .order_by(S::Id, Order::Asc)
            .to_owned();
        self.0
            .fetch_all(&q)
            .await?
            .iter()
            .map(server_summary_from_row)
            .collect()
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
        if let Some(v) = &patch.language {
            q.value(U::Language, v.clone());
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

/// A user's two-factor columns, which the [`User`] model leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    /// Whether TOTP is on.
    pub use_totp: bool,
    /// The stored secret (encrypted by the panel), set once setup began.
    pub secret: Option<String>,
    /// Start of the time step of the last accepted code (RFC 3339).
    pub authenticated_at: Option<String>,
}

/// Columns owned by migration 3 (`totp_authenticated_at`) are named here, not in [`U`].
#[derive(sea_query::Iden, Clone, Copy)]
enum UsersTotp {
    TotpAuthenticatedAt,
}

// Two-factor and password columns (accounts and security).
impl UserRepo<'_> {
    /// The two-factor state of a user, `None` when the user does not exist.
    pub async fn totp_state(&self, id: i64) -> Result<Option<TotpState>, DbError> {
        let q = Query::select()
            .columns([U::UseTotp, U::TotpSecret])
            .column(UsersTotp::TotpAuthenticatedAt)
            .from(U::Table)
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned();
        match self.0.fetch_optional(&q).await? {
            Some(r) => Ok(Some(TotpState {
                use_totp: get_bool(&r, "use_totp")?,
                secret: get_opt_str(&r, "totp_secret")?,
                authenticated_at: get_opt_str(&r, "totp_authenticated_at")?,
            })),
            None => Ok(None),
        }
    }

    /// Stores a (new) TOTP secret without turning TOTP on.
    pub async fn set_totp_secret(&self, id: i64, secret: Option<&str>) -> Result<(), DbError> {
        let q = Query::update()
            .table(U::Table)
            .value(U::TotpSecret, secret)
            .value(U::UpdatedAt, crate::now())
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Turns TOTP on or off and records `authenticated_at` as the last accepted step.
    pub async fn set_totp_enabled(
        &self,
        id: i64,
        enabled: bool,
        authenticated_at: &str,
    ) -> Result<(), DbError> {
        let q = Query::update()
            .table(U::Table)
            .value(U::UseTotp, i64::from(enabled))
            .value(UsersTotp::TotpAuthenticatedAt, authenticated_at)
            .value(U::UpdatedAt, crate::now())
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Records `step_at` (the start of a TOTP time step, RFC 3339) as used, only if it is
    /// later than the last recorded step. Returns false when it is not: the code was already
    /// used, or an older one. One statement, so two racing requests cannot both win.
    pub async fn claim_totp_step(&self, id: i64, step_at: &str) -> Result<bool, DbError> {
        let q = Query::update()
            .table(U::Table)
            .value(UsersTotp::TotpAuthenticatedAt, step_at)
            .and_where(Expr::col(U::Id).eq(id))
            .cond_where(
                Cond::any()
                    .add(Expr::col(UsersTotp::TotpAuthenticatedAt).is_null())
                    .add(Expr::col(UsersTotp::TotpAuthenticatedAt).lt(step_at)),
            )
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Replaces the password hash.
    pub async fn set_password_hash(&self, id: i64, hash: &str) -> Result<bool, DbError> {
        let q = Query::update()
            .table(U::Table)
            .value(U::Password, hash)
            .value(U::UpdatedAt, crate::now())
            .and_where(Expr::col(U::Id).eq(id))
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
