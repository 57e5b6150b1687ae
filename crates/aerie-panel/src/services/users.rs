//! Users: creating, finding, listing, updating and deleting accounts, with the rules of
//! Pterodactyl's `User` model and `StoreUserRequest` (unique e-mail, username and external
//! id; Pterodactyl's username format; first and last name required through the API) and of
//! its `UserDeletionService` (a user who owns servers cannot be deleted).

use super::not_found;
use aerie_db::Db;
use aerie_db::models::{NewUser, User};
use aerie_db::repo::servers::Server;
use aerie_db::repo::users::{ServerSummary, UserListQuery, UserPatch};
use aerie_http::Error;

use super::{db_err, password};
use crate::api::Validator;

/// What it takes to create a user. Only `email` and `username` are needed; the API adds
/// its own requirement of first and last names ([`store_user`]).
#[derive(Debug, Clone, Default)]
pub struct CreateUser {
    /// E-mail address.
    pub email: String,
    /// Username.
    pub username: String,
    /// Plain password; `None` makes an account that cannot log in until a reset.
    pub password: Option<String>,
    /// Administrator?
    pub root_admin: bool,
    /// Id in an external system (billing), unique when set.
    pub external_id: Option<String>,
    /// First name.
    pub name_first: Option<String>,
    /// Last name.
    pub name_last: Option<String>,
    /// UI language code; `None` is `en`.
    pub language: Option<String>,
}

/// Changes to a user; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct UpdateUser {
    /// New e-mail address.
    pub email: Option<String>,
    /// New username.
    pub username: Option<String>,
    /// New first name.
    pub name_first: Option<String>,
    /// New last name.
    pub name_last: Option<String>,
    /// `Some(None)` clears the external id.
    pub external_id: Option<Option<String>>,
    /// New plain password.
    pub password: Option<String>,
    /// New UI language code.
    pub language: Option<String>,
    /// New administrator flag.
    pub root_admin: Option<bool>,
}

/// The message Pterodactyl's `UserDeletionService` refuses with.
pub const HAS_SERVERS: &str = "Cannot delete a user with active servers attached to their account.";

/// Pterodactyl's `Username` rule: lower-case letters and digits at both ends, letters,
/// digits, `_`, `-` and `.` between (so at least three characters).
fn valid_username(u: &str) -> bool {
    let b = u.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    b.len() >= 3
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

fn check_username(v: &mut Validator, username: &str) {
    v.between("username", username, 1, 191).rule(
        "username",
        "p_username",
        valid_username(username),
        "The username must start and end with alpha-numeric characters and contain only letters, numbers, dashes, underscores, and periods.",
    );
}

fn check_name(v: &mut Validator, field: &str, value: Option<&str>, required: bool) {
    if required {
        v.required(field, value);
    }
    v.between(field, value, 1, 191);
}

/// `language`: a short code (`en`, `pt_BR`), at most the column's five characters.
fn check_language(v: &mut Validator, language: Option<&str>) {
    v.max("language", language, 5).rule(
        "language",
        "regex",
        language.is_none_or(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        }),
        "The language format is invalid.",
    );
}

/// Fails with the Laravel `unique` error on `field` when `taken` names a user other than
/// `except`.
fn unique(field: &str, taken: Option<User>, except: Option<i64>) -> Result<(), Error> {
    match taken {
        Some(u) if Some(u.id) != except => Err(Error::validation(
            field,
            "unique",
            format!("The {} has already been taken.", field.replace('_', " ")),
        )),
        _ => Ok(()),
    }
}

async fn check_unique(
    db: &Db,
    email: Option<&str>,
    username: Option<&str>,
    external_id: Option<&str>,
    except: Option<i64>,
) -> Result<(), Error> {
    // In Pterodactyl's rule order: external_id, email, username.
    if let Some(x) = external_id {
        let found = db.users().find_by_external_id(x).await.map_err(db_err)?;
        unique("external_id", found, except)?;
    }
    if let Some(e) = email {
        let found = db.users().find_by_email(e).await.map_err(db_err)?;
        unique("email", found, except)?;
    }
    if let Some(u) = username {
        let found = db.users().find_by_username(u).await.map_err(db_err)?;
        unique("username", found, except)?;
    }
    Ok(())
}

fn hash_password(p: Option<&str>) -> Result<Option<String>, Error> {
    match p {
        Some(p) => {
            password::validate(p)?;
            Ok(Some(password::hash(p)?))
        }
        None => Ok(None),
    }
}

/// Validates and creates a user with an argon2id password hash. E-mail addresses and
/// usernames are stored lower-cased, as Pterodactyl does.
///
/// # Errors
/// 422 [`Error::Validation`] for a bad or taken e-mail, username or external id, a bad
/// name, language or password.
pub async fn create_user(db: &Db, input: CreateUser) -> Result<User, Error> {
    create(db, input, false).await
}

/// Creates a user through the application API: as [`create_user`], with first and last
/// name required (Pterodactyl's `StoreUserRequest`).
///
/// # Errors
/// As [`create_user`], plus 422 `required` on `first_name` / `last_name`.
pub async fn store_user(db: &Db, input: CreateUser) -> Result<User, Error> {
    create(db, input, true).await
}

async fn create(db: &Db, input: CreateUser, require_names: bool) -> Result<User, Error> {
    let email = input.email.trim().to_lowercase();
    let username = input.username.trim().to_lowercase();
    // Pterodactyl's rule order: external_id, email, username, password, language,
    // first_name, last_name.
    let mut v = Validator::new();
    v.max("external_id", input.external_id.as_deref(), 191)
        .required("email", email.as_str())
        .email("email", email.as_str())
        .between("email", email.as_str(), 1, 191)
        .required("username", username.as_str());
    check_username(&mut v, &username);
    v.finish()?;
    if let Some(p) = input.password.as_deref() {
        password::validate(p)?;
    }
    check_language(&mut v, input.language.as_deref());
    check_name(
        &mut v,
        "first_name",
        input.name_first.as_deref(),
        require_names,
    );
    check_name(
        &mut v,
        "last_name",
        input.name_last.as_deref(),
        require_names,
    );
    v.finish()?;
    check_unique(
        db,
        Some(&email),
        Some(&username),
        input.external_id.as_deref(),
        None,
    )
    .await?;
    let password_hash = hash_password(input.password.as_deref())?;
    db.users()
        .create(&NewUser {
            external_id: input.external_id,
            username,
            email,
            name_first: input.name_first,
            name_last: input.name_last,
            password_hash,
            root_admin: input.root_admin,
            language: input.language,
        })
        .await
        .map_err(db_err)
}

/// Updates the fields given. An e-mail, username or external id taken by another user is
/// refused; a name, once given, cannot be blanked.
///
/// # Errors
/// 404 when the user does not exist; 422 as [`create_user`].
pub async fn update_user(db: &Db, id: i64, input: UpdateUser) -> Result<User, Error> {
    let current = get_user(db, id).await?;
    let email = input.email.map(|e| e.trim().to_lowercase());
    let username = input.username.map(|u| u.trim().to_lowercase());
    let mut v = Validator::new();
    if let Some(Some(x)) = &input.external_id {
        v.max("external_id", x.as_str(), 191);
    }
    if let Some(e) = &email {
        v.required("email", e.as_str())
            .email("email", e.as_str())
            .between("email", e.as_str(), 1, 191);
    }
    if let Some(u) = &username {
        v.required("username", u.as_str());
        check_username(&mut v, u);
    }
    check_language(&mut v, input.language.as_deref());
    if let Some(n) = &input.name_first {
        check_name(&mut v, "first_name", Some(n), true);
    }
    if let Some(n) = &input.name_last {
        check_name(&mut v, "last_name", Some(n), true);
    }
    v.finish()?;
    check_unique(
        db,
        email.as_deref().filter(|e| *e != current.email),
        username.as_deref().filter(|u| *u != current.username),
        input
            .external_id
            .as_ref()
            .and_then(|x| x.as_deref())
            .filter(|x| Some(*x) != current.external_id.as_deref()),
        Some(id),
    )
    .await?;
    let password_hash = hash_password(input.password.as_deref())?;
    let patch = UserPatch {
        username,
        email,
        name_first: input.name_first.map(Some),
        name_last: input.name_last.map(Some),
        password_hash,
        root_admin: input.root_admin,
        external_id: input.external_id,
        language: input.language,
    };
    db.users()
        .update(id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Deletes a user, refusing while they own servers (their API keys, SSH keys and subuser
/// rows go with them).
///
/// # Errors
/// 404 when the user does not exist; 400 [`HAS_SERVERS`] while they own a server.
pub async fn delete_user(db: &Db, id: i64) -> Result<(), Error> {
    get_user(db, id).await?;
    if db.users().count_servers(id).await.map_err(db_err)? > 0 {
        return Err(Error::BadRequest(HAS_SERVERS.into()));
    }
    match db.users().delete(id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found()),
        // A server created between the check and the delete.
        Err(aerie_db::DbError::ForeignKey) => Err(Error::BadRequest(HAS_SERVERS.into())),
        Err(e) => Err(db_err(e)),
    }
}

/// The user with this id.
///
/// # Errors
/// 404 [`Error::NotFound`] when there is none.
pub async fn get_user(db: &Db, id: i64) -> Result<User, Error> {
    db.users()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// The user with this external id.
///
/// # Errors
/// 404 [`Error::NotFound`] when there is none.
pub async fn get_user_by_external_id(db: &Db, external_id: &str) -> Result<User, Error> {
    db.users()
        .find_by_external_id(external_id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// A filtered, sorted page of users and how many match in all.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn list_users(db: &Db, query: &UserListQuery) -> Result<(Vec<User>, u64), Error> {
    let (users, total) = db.users().search(query).await.map_err(db_err)?;
    Ok((users, u64::try_from(total).unwrap_or(0)))
}

/// The servers owned by any of `user_ids`, in ascending id order.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn servers_of(db: &Db, user_ids: &[i64]) -> Result<Vec<ServerSummary>, Error> {
    db.users().servers_of(user_ids).await.map_err(db_err)
}

/// The servers owned by any of `user_ids`, whole (for the server transformer), in
/// ascending id order.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn servers_owned(db: &Db, user_ids: &[i64]) -> Result<Vec<Server>, Error> {
    let ids: Vec<i64> = servers_of(db, user_ids)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    db.servers().find_many(&ids).await.map_err(db_err)
}

/// Finds a user by numeric id, username or e-mail.
///
/// # Errors
/// 404 [`Error::NotFound`] when nothing matches.
pub async fn find_user(db: &Db, ident: &str) -> Result<User, Error> {
    let found = match ident.parse::<i64>() {
        Ok(id) => db.users().find(id).await.map_err(db_err)?,
        Err(_) => db.users().find_by_login(ident).await.map_err(db_err)?,
    };
    found.ok_or_else(|| Error::NotFound(format!("No user matches `{ident}`.")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn usernames_follow_pterodactyl() {
        for ok in ["admin", "a.b", "user_1", "x-y.z9", "abc"] {
            assert!(super::valid_username(ok), "{ok}");
        }
        for bad in ["ab", "_abc", "abc.", "a b c", "ünï", "", "Abc"] {
            assert!(!super::valid_username(bad), "{bad}");
        }
    }
}
