//! The rules of a server's subusers on the client API (Pterodactyl's `SubuserController`,
//! `SubuserRequest` and `SubuserCreationService`).
//!
//! - A subuser is added by e-mail. An unknown address gets a new account (username from the
//!   address plus three random characters, no password: it cannot log in until a reset),
//!   as Pterodactyl does. The owner cannot be added; nobody can be added twice.
//! - Permissions: unknown keys are dropped, duplicates removed, `websocket.connect` always
//!   added. Someone who is neither owner nor administrator cannot grant a key they do not
//!   hold themselves (403, checked on the keys as sent), and nobody can change or remove
//!   their own subuser entry (403).
//! - Changing or removing a subuser asks wings to refuse the websocket tokens already given
//!   to them (`ws/deny` with `md5(user_id . server_uuid)`), so their console drops; a wings
//!   that cannot be reached does not block the change.

use super::not_found;
use aerie_db::Db;
use aerie_db::models::User;
use aerie_db::repo::servers::Server;
use aerie_db::repo::subusers::Subuser;
use aerie_http::Error;
use md5::Digest as _;
use serde_json::{Map, Value, json};

use super::backups::{user_jti, wings_for};
use super::{db_err, random_alnum, users};
use crate::access::ServerAccess;
use crate::api::{Validator, atom_timestamp};

/// The permission every subuser has.
pub const WEBSOCKET_CONNECT: &str = "websocket.connect";

/// A subuser row with its account.
#[derive(Debug, Clone)]
pub struct SubuserView {
    /// The subuser row.
    pub subuser: Subuser,
    /// The account.
    pub user: User,
}

/// Client API `server_subuser` attributes: `uuid, username, email, image, 2fa_enabled,
/// created_at, permissions`.
pub fn subuser_attributes(v: &SubuserView) -> Map<String, Value> {
    let image = format!(
        "https://gravatar.com/avatar/{}",
        hex::encode(md5::Md5::digest(v.user.email.to_lowercase().as_bytes()))
    );
    let mut m = Map::new();
    m.insert("uuid".into(), v.user.uuid.clone().into());
    m.insert("username".into(), v.user.username.clone().into());
    m.insert("email".into(), v.user.email.clone().into());
    m.insert("image".into(), image.into());
    m.insert("2fa_enabled".into(), v.user.use_totp.into());
    m.insert(
        "created_at".into(),
        atom_timestamp(Some(&v.user.created_at)),
    );
    m.insert("permissions".into(), json!(v.subuser.permissions));
    m
}

/// The permissions stored for a request: known keys only, in the order sent, without
/// duplicates, then `websocket.connect`.
pub fn clean_permissions(requested: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in requested {
        if aerie_proto::permissions::is_known(p) && !out.contains(p) {
            out.push(p.clone());
        }
    }
    if !out.iter().any(|p| p == WEBSOCKET_CONNECT) {
        out.push(WEBSOCKET_CONNECT.to_owned());
    }
    out
}

/// 403 unless `access` may grant every key in `requested` (owners and administrators may
/// grant anything; a subuser only what they hold).
///
/// # Errors
/// [`Error::Forbidden`].
pub fn check_assignable(access: &ServerAccess, requested: &[String]) -> Result<(), Error> {
    if requested.iter().all(|p| access.can(p)) {
        return Ok(());
    }
    Err(Error::Forbidden(
        "Cannot assign permissions to a subuser that your account does not actively possess."
            .into(),
    ))
}

/// A server's subusers, oldest first.
///
/// # Errors
/// Database failures.
pub async fn list(db: &Db, server_id: i64) -> Result<Vec<SubuserView>, Error> {
    let rows = db
        .subusers()
        .list_for_server(server_id)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = rows.iter().map(|s| s.user_id).collect();
    let users = db.users().find_many(&ids).await.map_err(db_err)?;
    Ok(rows
        .into_iter()
        .filter_map(|s| {
            let user = users.iter().find(|u| u.id == s.user_id)?.clone();
            Some(SubuserView { subuser: s, user })
        })
        .collect())
}

/// The subuser of `server_id` whose account has this UUID.
///
/// # Errors
/// 404 when there is none.
pub async fn find(db: &Db, server_id: i64, user_uuid: &str) -> Result<SubuserView, Error> {
    let user = db
        .users()
        .find_by_uuid(user_uuid)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    let subuser = db
        .subusers()
        .find_for(user.id, server_id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    Ok(SubuserView { subuser, user })
}

/// 403 when the caller is the subuser being changed.
///
/// # Errors
/// [`Error::Forbidden`].
pub fn check_not_self(access: &ServerAccess, target: &SubuserView) -> Result<(), Error> {
    if target.user.id == access.user.id {
        return Err(Error::Forbidden("This action is unauthorized.".into()));
    }
    Ok(())
}

/// Validates the e-mail of a new subuser (`required|email|between:1,191`).
///
/// # Errors
/// 422 on `email`.
pub fn validate_email(email: Option<&str>) -> Result<(), Error> {
    let mut v = Validator::new();
    v.required("email", email)
        .email("email", email)
        .between("email", email, 1, 191);
    v.finish()
}

/// A username for an account made from an e-mail address: the address's local part
/// reduced to `[a-z0-9_.-]`, then three random characters.
fn username_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    let cleaned: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .take(180)
        .collect();
    let cleaned = cleaned.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let base = if cleaned.is_empty() { "user" } else { cleaned };
    format!("{base}{}", random_alnum(3).to_lowercase())
}

/// The account with this e-mail, created (without a password) when there is none.
async fn account_for(db: &Db, email: &str) -> Result<User, Error> {
    if let Some(u) = db.users().find_by_email(email).await.map_err(db_err)? {
        return Ok(u);
    }
    let mut last = None;
    // A generated username can collide; a few fresh suffixes settle it.
    for _ in 0..5 {
        match users::create_user(
            db,
            users::CreateUser {
                email: email.to_owned(),
                username: username_from_email(email),
                password: None,
                name_first: Some("Server".into()),
                name_last: Some("Subuser".into()),
                ..Default::default()
            },
        )
        .await
        {
            Ok(u) => return Ok(u),
            Err(Error::Validation { ref field, .. }) if field == "username" => {
                last = Some(Error::internal("could not find a free username"));
            }
            Err(other) => return Err(other),
        }
    }
    Err(last.unwrap_or_else(|| Error::internal("could not create the account")))
}

/// Adds the account with `email` (created when unknown) as a subuser of `server`.
///
/// # Errors
/// 422 for a bad e-mail; 400 for the owner or an existing subuser.
pub async fn create(
    db: &Db,
    server: &Server,
    email: &str,
    requested: &[String],
) -> Result<SubuserView, Error> {
    let email = email.trim().to_lowercase();
    validate_email(Some(&email))?;
    let user = account_for(db, &email).await?;
    if user.id == server.owner_id {
        return Err(Error::BadRequest(
            "You cannot add the server owner as a subuser for this server.".into(),
        ));
    }
    let exists = || {
        Error::BadRequest(
            "A user with that email address is already assigned as a subuser for this server."
                .into(),
        )
    };
    if db
        .subusers()
        .find_for(user.id, server.id)
        .await
        .map_err(db_err)?
        .is_some()
    {
        return Err(exists());
    }
    let subuser = db
        .subusers()
        .create(user.id, server.id, &clean_permissions(requested))
        .await
        .map_err(|e| match e {
            aerie_db::DbError::Unique { .. } => exists(),
            other => db_err(other),
        })?;
    Ok(SubuserView { subuser, user })
}

/// Asks wings to drop the websocket tokens `user_id` holds for `server`. Failures are
/// logged only: a wings that is down refuses old tokens anyway when it boots.
pub async fn revoke_tokens(db: &Db, server: &Server, user_id: i64) {
    let jti = user_jti(user_id, &server.uuid);
    let result = match wings_for(db, server).await {
        Ok((_, wings)) => wings
            .deny_tokens(&server.uuid, vec![jti])
            .await
            .map_err(Error::from),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!(server.id = server.id, user.id = user_id, error.message = %e, "could not revoke a subuser's websocket tokens");
    }
}

/// Replaces a subuser's permissions; returns the subuser and the permissions it had. Wings
/// is told only when the set changed.
///
/// # Errors
/// Database failures.
pub async fn update(
    db: &Db,
    server: &Server,
    target: &SubuserView,
    requested: &[String],
) -> Result<(SubuserView, Vec<String>), Error> {
    let new = clean_permissions(requested);
    let old = target.subuser.permissions.clone();
    let mut a = new.clone();
    let mut b = old.clone();
    a.sort();
    b.sort();
    if a != b {
        db.subusers()
            .set_permissions(target.subuser.id, &new)
            .await
            .map_err(db_err)?;
        revoke_tokens(db, server, target.user.id).await;
    }
    let subuser = db
        .subusers()
        .find(target.subuser.id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    Ok((
        SubuserView {
            subuser,
            user: target.user.clone(),
        },
        old,
    ))
}

/// Removes a subuser and drops their websocket tokens.
///
/// # Errors
/// Database failures.
pub async fn delete(db: &Db, server: &Server, target: &SubuserView) -> Result<(), Error> {
    db.subusers()
        .delete(target.subuser.id)
        .await
        .map_err(db_err)?;
    revoke_tokens(db, server, target.user.id).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_cleaned_and_websocket_added() {
        let p = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            clean_permissions(&p(&["control.start", "foo.bar", "control.start"])),
            p(&["control.start", "websocket.connect"])
        );
        assert_eq!(
            clean_permissions(&p(&["websocket.connect", "file.read"])),
            p(&["websocket.connect", "file.read"])
        );
    }

    #[test]
    fn usernames_from_addresses_are_valid() {
        for email in ["John.Doe+x@example.com", "__@x.y", "-a-@b.c"] {
            let u = username_from_email(email);
            assert!(u.len() >= 4, "{u}");
            assert!(
                u.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()),
                "{u}"
            );
            assert!(
                u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')),
                "{u}"
            );
        }
    }
}
