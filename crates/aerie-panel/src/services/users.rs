//! Creating and finding users.

use aerie_db::Db;
use aerie_db::models::{NewUser, User};
use aerie_http::Error;

use super::{db_err, password};

/// What it takes to create a user.
#[derive(Debug, Clone)]
pub struct CreateUser {
    /// E-mail address.
    pub email: String,
    /// Username.
    pub username: String,
    /// Plain password; `None` makes an account that cannot log in until a reset.
    pub password: Option<String>,
    /// Administrator?
    pub root_admin: bool,
}

fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 191
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && u.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.len() <= 191
        && !e.chars().any(char::is_whitespace)
}

/// Validates and creates a user with an argon2id password hash.
pub async fn create_user(db: &Db, input: CreateUser) -> Result<User, Error> {
    let email = input.email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(Error::validation(
            "email",
            "email",
            "The email must be a valid email address.",
        ));
    }
    if !valid_username(&input.username) {
        return Err(Error::validation(
            "username",
            "regex",
            "The username may only contain letters, numbers, dashes, underscores and periods, and must start with a letter or number.",
        ));
    }
    let password_hash = match &input.password {
        Some(p) => {
            password::validate(p)?;
            Some(password::hash(p)?)
        }
        None => None,
    };
    db.users()
        .create(&NewUser {
            username: input.username,
            email,
            password_hash,
            root_admin: input.root_admin,
            ..NewUser::default()
        })
        .await
        .map_err(db_err)
}

/// Finds a user by numeric id, username or e-mail.
pub async fn find_user(db: &Db, ident: &str) -> Result<User, Error> {
    let found = match ident.parse::<i64>() {
        Ok(id) => db.users().find(id).await.map_err(db_err)?,
        Err(_) => db.users().find_by_login(ident).await.map_err(db_err)?,
    };
    found.ok_or_else(|| Error::NotFound(format!("No user matches `{ident}`.")))
}
