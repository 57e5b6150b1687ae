//! The rules of a user's own account: logging in (with throttling, the bcrypt → argon2id
//! upgrade and the two-factor checkpoint), password resets by e-mail, changing the e-mail
//! address and password, client API keys, SSH keys, and the account's activity log.
//!
//! Every failure a login can meet says the same thing, so nobody learns whether an
//! account exists; a throttled login is refused before the password is even looked at.

use std::net::IpAddr;

use aerie_db::models::User;
use aerie_db::repo::account_activity::AccountActivityQuery;
use aerie_db::repo::activity::{Activity, NewActivity};
use aerie_db::repo::ssh_keys::SshKey;
use aerie_http::Error;
use aerie_proto::keys::KeyType;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::keys::{self, CreatedKey};
use super::{db_err, password, random_alnum, sessions, totp};
use crate::AppState;
use crate::api::{Validator, atom_timestamp};

/// Laravel's `auth.failed`, the one answer to every failed login.
pub const FAILED_LOGIN: &str = "These credentials do not match our records.";
/// Pterodactyl's `auth.two_factor.checkpoint_failed`.
pub const CHECKPOINT_FAILED: &str = "The two-factor authentication token was invalid.";
/// The answer to a bad recovery token.
pub const BAD_RECOVERY_TOKEN: &str = "The recovery token provided is not valid.";
/// A confirmation token that is unknown, used or older than five minutes.
pub const TOKEN_EXPIRED: &str =
    "The authentication token provided has expired, please refresh the page and try again.";
/// Pterodactyl's `validation.internal.invalid_password`.
pub const INVALID_PASSWORD: &str = "The password provided was invalid for this account.";
/// Laravel's `passwords.sent`, answered to every reset request.
pub const RESET_LINK_SENT: &str = "We have e-mailed your password reset link!";
/// Laravel's `passwords.token`.
pub const RESET_TOKEN_INVALID: &str = "This password reset token is invalid.";
/// How long a password-reset token is valid.
pub const RESET_TOKEN_MINUTES: i64 = 60;
/// Most client API keys a user may have.
pub const MAX_API_KEYS: usize = keys::MAX_CLIENT_KEYS;
/// Most addresses on one key's allow-list.
pub const MAX_ALLOWED_IPS: usize = 50;

/// An argon2id hash of a random password, verified against when the login names nobody,
/// so an unknown account costs as much time as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZB/8aRVqCzsOGf+Ps1m1Mb2JKnNClZ0gAc8eM6Tx8Yk";

/// Where a request came from, for throttles and the activity log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The client address.
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
}

impl RequestMeta {
    /// The address as logged (`""` when unknown).
    pub fn ip_string(&self) -> String {
        self.ip.map(|ip| ip.to_string()).unwrap_or_default()
    }
}

/// Who acted, for the activity log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The user.
    pub user: &'a User,
    /// The API key used, when the request came with one.
    pub api_key_id: Option<i64>,
    /// The request's origin.
    pub meta: &'a RequestMeta,
}

/// Appends one entry to the activity log.
pub async fn log_event(
    state: &AppState,
    event: &str,
    meta: &RequestMeta,
    actor_id: Option<i64>,
    api_key_id: Option<i64>,
    subject_user_id: Option<i64>,
    properties: Value,
) -> Result<(), Error> {
    state
        .db
        .activity()
        .log(&[NewActivity {
            event: event.to_owned(),
            ip: meta.ip_string(),
            actor_id,
            api_key_id,
            subject_user_id,
            properties: properties.to_string(),
            ..Default::default()
        }])
        .await
        .map_err(db_err)
}

async fn log_actor(
    state: &AppState,
    actor: Actor<'_>,
    event: &str,
    properties: Value,
) -> Result<(), Error> {
    log_event(
        state,
        event,
        actor.meta,
        Some(actor.user.id),
        actor.api_key_id,
        Some(actor.user.id),
        properties,
    )
    .await
}

// ---- the account document ----

/// Pterodactyl's client `AccountTransformer` attributes.
pub fn account_attributes(user: &User) -> Value {
    json!({
        "id": user.id,
        "admin": user.root_admin,
        "username": user.username,
        "email": user.email,
        "first_name": user.name_first.clone().unwrap_or_default(),
        "last_name": user.name_last.clone().unwrap_or_default(),
        "language": user.language,
    })
}

// ---- login ----

/// What a correct password leads to.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// Logged in.
    Complete(Box<User>),
    /// The account has two-factor on: finish at the checkpoint with this token.
    NeedsTwoFactor {
        /// Valid five minutes, single use.
        confirmation_token: String,
    },
}

fn login_key(login: &str, meta: &RequestMeta) -> String {
    format!("login:{}|{}", login.trim().to_lowercase(), meta.ip_string())
}

fn throttled(state: &AppState, key: &str) -> Result<(), Error> {
    match state.login_limiter.is_limited(key) {
        Some(retry_after) => Err(Error::TooManyRequests { retry_after }),
        None => Ok(()),
    }
}

fn failed_login() -> Error {
    Error::validation("user", "credentials", FAILED_LOGIN)
}

/// Checks a username-or-e-mail and password. Throttled at 10 failures a minute per login
/// name and address; a throttled attempt is refused before any lookup. A bcrypt hash (from
/// Pterodactyl) is replaced by an argon2id hash on success.
pub async fn login(
    state: &AppState,
    login: &str,
    password_given: &str,
    meta: &RequestMeta,
) -> Result<LoginOutcome, Error> {
    let mut v = Validator::new();
    v.required("user", login)
        .required("password", password_given);
    v.finish()?;
    let key = login_key(login, meta);
    throttled(state, &key)?;

    let user = state
        .db
        .users()
        .find_by_login(login.trim())
        .await
        .map_err(db_err)?;
    let stored = user.as_ref().and_then(|u| u.password.clone());
    let subject = user.as_ref().map(|u| u.id);
    let ok = match &stored {
        Some(hash) => password::verify(password_given, hash),
        None => {
            // Same work as a real check, and always false.
            let _ = password::verify(password_given, DUMMY_HASH);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        state.login_limiter.hit(&key);
        log_event(
            state,
            "auth:fail",
            meta,
            None,
            None,
            subject,
            json!({ "identifier": login.trim() }),
        )
        .await?;
        return Err(failed_login());
    };
    state.login_limiter.clear(&key);

    if let Some(hash) = stored.as_deref()
        && password::needs_rehash(hash)
    {
        let fresh = password::hash(password_given)?;
        state
            .db
            .users()
            .set_password_hash(user.id, &fresh)
            .await
            .map_err(db_err)?;
    }

    if user.use_totp {
        return Ok(LoginOutcome::NeedsTwoFactor {
            confirmation_token: state.pending_logins.issue(user.id),
        });
    }
    log_event(
        state,
        "auth:success",
        meta,
        Some(user.id),
        None,
        Some(user.id),
        json!({}),
    )
    .await?;
    Ok(LoginOutcome::Complete(Box::new(user)))
}

/// Finishes a two-factor login with a code or a recovery token. Failures count against
/// the user's login throttle; the confirmation token is used up only by a success.
pub async fn checkpoint(
    state: &AppState,
    confirmation_token: &str,
    code: Option<&str>,
    recovery_token: Option<&str>,
    meta: &RequestMeta,
) -> Result<User, Error> {
    let expired = || Error::validation("confirmation_token", "valid", TOKEN_EXPIRED);
    let user_id = state
        .pending_logins
        .peek(confirmation_token)
        .ok_or_else(expired)?;
    let key = format!("checkpoint:{user_id}");
    throttled(state, &key)?;
    let user = state
        .db
        .users()
        .find(user_id)
        .await
        .map_err(db_err)?
        .ok_or_else(expired)?;

    let recovery = recovery_token.map(str::trim).filter(|t| !t.is_empty());
    let (ok, failure) = match recovery {
        Some(token) => (
            totp::use_recovery_token(&state.db, user.id, token).await?,
            Error::validation("recovery_token", "valid", BAD_RECOVERY_TOKEN),
        ),
        None => (
            user.use_totp
                && totp::verify_code(&state.db, user.id, code.unwrap_or_default()).await?,
            Error::validation("authentication_code", "valid", CHECKPOINT_FAILED),
        ),
    };
    if !ok {
        state.login_limiter.hit(&key);
        log_event(
            state,
            "auth:fail",
            meta,
            None,
            None,
            Some(user.id),
            json!({ "identifier": user.username, "two_factor": true }),
        )
        .await?;
        return Err(failure);
    }
    if !state.pending_logins.consume(confirmation_token) {
        return Err(expired());
    }
    state.login_limiter.clear(&key);
    log_event(
        state,
        "auth:success",
        meta,
        Some(user.id),
        None,
        Some(user.id),
        json!({ "two_factor": true, "recovery_token": recovery.is_some() }),
    )
    .await?;
    Ok(user)
}

// ---- password resets ----

fn reset_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Handles "forgot password": always the same answer. For an existing account a token
/// (valid [`RESET_TOKEN_MINUTES`]) is stored hashed and mailed in the background, so the
/// answer takes as long whether or not the address exists. 2 requests a minute per address.
pub async fn request_password_reset(
    state: &AppState,
    email: &str,
    meta: &RequestMeta,
) -> Result<(), Error> {
    if let crate::api::Decision::Limited { retry_after, .. } = state
        .password_reset_limiter
        .hit(&format!("reset:{}", meta.ip_string()))
    {
        return Err(Error::TooManyRequests { retry_after });
    }
    let email = email.trim().to_lowercase();
    let mut v = Validator::new();
    v.required("email", email.as_str())
        .email("email", email.as_str());
    v.finish()?;

    let Some(user) = state
        .db
        .users()
        .find_by_email(&email)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    let token = random_alnum(64);
    state
        .db
        .password_resets()
        .put(&user.email, &reset_hash(&token))
        .await
        .map_err(db_err)?;
    let link = format!(
        "{}/auth/password/reset/{token}?email={}",
        state.url.trim_end_matches('/'),
        url_encode(&user.email)
    );
    let body = format!(
        "Hello {name},\n\n\
         You are receiving this email because we received a password reset request for your account.\n\n\
         Reset your password: {link}\n\n\
         This link expires in {RESET_TOKEN_MINUTES} minutes. If you did not request a password reset, no further action is required.\n",
        name = user.username,
    );
    match state.mailer.clone() {
        Some(mailer) => {
            let to = user.email.clone();
            tokio::spawn(async move {
                if let Err(e) = mailer.send(&to, "Reset Password", &body).await {
                    tracing::warn!(error.message = %e, "password reset e-mail not sent");
                }
            });
        }
        None => tracing::warn!(
            user.id = user.id,
            "password reset requested but no mail server is configured ([mail] / AERIE_MAIL_HOST)"
        ),
    }
    Ok(())
}

fn check_new_password(
    field: &str,
    password_new: &str,
    confirmation: Option<&str>,
) -> Result<(), Error> {
    let mut v = Validator::new();
    v.required(field, password_new);
    v.finish()?;
    password::validate(password_new).map_err(|e| match e {
        Error::Validation { rule, message, .. } => Error::Validation {
            field: field.to_owned(),
            rule,
            message,
        },
        other => other,
    })?;
    if confirmation != Some(password_new) {
        return Err(Error::validation(
            field,
            "confirmed",
            format!("The {field} confirmation does not match."),
        ));
    }
    Ok(())
}

/// Sets a new password with a mailed token. The token is used up, and every session of the
/// account ends. Unknown, wrong, used and expired tokens all get the same 400.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    email: &str,
    password_new: &str,
    confirmation: Option<&str>,
    meta: &RequestMeta,
) -> Result<User, Error> {
    let email = email.trim().to_lowercase();
    let mut v = Validator::new();
    v.required("token", token)
        .required("email", email.as_str())
        .email("email", email.as_str());
    v.finish()?;
    check_new_password("password", password_new, confirmation)?;

    let invalid = || Error::BadRequest(RESET_TOKEN_INVALID.into());
    let reset = state
        .db
        .password_resets()
        .find(&email)
        .await
        .map_err(db_err)?
        .ok_or_else(invalid)?;
    let hash = reset_hash(token);
    if !bool::from(hash.as_bytes().ct_eq(reset.token_hash.as_bytes())) {
        return Err(invalid());
    }
    let fresh = crate::api::parse_timestamp(&reset.created_at)
        .is_some_and(|at| chrono::Utc::now() - at < chrono::Duration::minutes(RESET_TOKEN_MINUTES));
    if !fresh {
        state
            .db
            .password_resets()
            .delete(&email)
            .await
            .map_err(db_err)?;
        return Err(invalid());
    }
    if !state
        .db
        .password_resets()
        .consume(&email, &hash)
        .await
        .map_err(db_err)?
    {
        return Err(invalid());
    }
    let user = state
        .db
        .users()
        .find_by_email(&email)
        .await
        .map_err(db_err)?
        .ok_or_else(invalid)?;
    state
        .db
        .users()
        .set_password_hash(user.id, &password::hash(password_new)?)
        .await
        .map_err(db_err)?;
    sessions::end_all_for_user(&state.db, user.id, None).await?;
    log_event(
        state,
        "user:account.password-changed",
        meta,
        None,
        None,
        Some(user.id),
        json!({ "reset": true }),
    )
    .await?;
    Ok(user)
}

// ---- e-mail and password ----

fn check_current_password(user: &User, given: Option<&str>) -> Result<(), Error> {
    let ok = match (user.password.as_deref(), given) {
        (Some(stored), Some(given)) => password::verify(given, stored),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(INVALID_PASSWORD.into()))
    }
}

/// Changes the e-mail address after checking the password.
pub async fn update_email(
    state: &AppState,
    actor: Actor<'_>,
    email: Option<&str>,
    password_given: Option<&str>,
) -> Result<User, Error> {
    let mut v = Validator::new();
    v.required("email", email)
        .required("password", password_given);
    v.finish()?;
    check_current_password(actor.user, password_given)?;
    let old = actor.user.email.clone();
    let user = super::users::update_user(
        &state.db,
        actor.user.id,
        super::users::UpdateUser {
            email: email.map(str::to_owned),
            ..Default::default()
        },
    )
    .await?;
    if user.email != old {
        log_actor(
            state,
            actor,
            "user:account.email-changed",
            json!({ "old": old, "new": user.email }),
        )
        .await?;
    }
    Ok(user)
}

/// Changes the password after checking the current one. Every other session of the user
/// ends (`keep_session` is the id of the session making the request, if any).
pub async fn update_password(
    state: &AppState,
    actor: Actor<'_>,
    current: Option<&str>,
    password_new: Option<&str>,
    confirmation: Option<&str>,
    keep_session: Option<&str>,
) -> Result<(), Error> {
    let mut v = Validator::new();
    v.required("current_password", current);
    v.finish()?;
    check_current_password(actor.user, current)?;
    check_new_password("password", password_new.unwrap_or_default(), confirmation)?;
    state
        .db
        .users()
        .set_password_hash(
            actor.user.id,
            &password::hash(password_new.unwrap_or_default())?,
        )
        .await
        .map_err(db_err)?;
    sessions::end_all_for_user(&state.db, actor.user.id, keep_session).await?;
    log_actor(state, actor, "user:account.password-changed", json!({})).await
}

// ---- two-factor ----

/// Enables two-factor; returns the recovery tokens.
pub async fn enable_two_factor(
    state: &AppState,
    actor: Actor<'_>,
    code: Option<&str>,
    password_given: Option<&str>,
) -> Result<Vec<String>, Error> {
    let mut v = Validator::new();
    v.required("code", code)
        .rule(
            "code",
            "size",
            code.is_none_or(|c| c.chars().count() == 6),
            "The code must be 6 characters.",
        )
        .required("password", password_given);
    v.finish()?;
    let tokens = totp::enable(
        &state.db,
        actor.user,
        code.unwrap_or_default(),
        password_given.unwrap_or_default(),
    )
    .await?;
    log_actor(state, actor, "user:two-factor.create", json!({})).await?;
    Ok(tokens)
}

/// Disables two-factor after checking the password.
pub async fn disable_two_factor(
    state: &AppState,
    actor: Actor<'_>,
    password_given: Option<&str>,
) -> Result<(), Error> {
    totp::disable(&state.db, actor.user, password_given.unwrap_or_default()).await?;
    log_actor(state, actor, "user:two-factor.delete", json!({})).await
}

// ---- API keys ----

/// Pterodactyl's client `ApiKeyTransformer` attributes.
pub fn api_key_attributes(key: &aerie_db::models::ApiKey) -> Value {
    json!({
        "identifier": key.identifier,
        "description": key.memo,
        "allowed_ips": key.allowed_ips,
        "last_used_at": atom_timestamp(key.last_used_at.as_deref()),
        "created_at": atom_timestamp(Some(&key.created_at)),
    })
}

/// Whether `s` is an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
pub fn is_ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => s.parse::<IpAddr>().is_ok(),
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32 && !bits.starts_with('+'),
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128 && !bits.starts_with('+'),
            _ => false,
        },
    }
}

/// The user's client keys, oldest first.
pub async fn list_api_keys(
    state: &AppState,
    user: &User,
) -> Result<Vec<aerie_db::models::ApiKey>, Error> {
    state
        .db
        .api_keys()
        .list_for_user(user.id, KeyType::Client.db_code())
        .await
        .map_err(db_err)
}

/// Creates a client key (at most [`MAX_API_KEYS`]).
pub async fn create_api_key(
    state: &AppState,
    actor: Actor<'_>,
    description: Option<&str>,
    allowed_ips: &[String],
) -> Result<CreatedKey, Error> {
    let mut v = Validator::new();
    v.max("description", description, 500).rule(
        "allowed_ips",
        "max",
        allowed_ips.len() <= MAX_ALLOWED_IPS,
        format!("The allowed ips must not have more than {MAX_ALLOWED_IPS} items."),
    );
    for (i, ip) in allowed_ips.iter().enumerate() {
        v.rule(
            &format!("allowed_ips.{i}"),
            "ip",
            is_ip_or_cidr(ip.trim()),
            format!("The allowed_ips.{i} must be a valid IP address or CIDR range."),
        );
    }
    v.finish()?;
    let created = keys::create_key(
        &state.db,
        actor.user,
        KeyType::Client,
        description.map(str::to_owned),
        allowed_ips.iter().map(|s| s.trim().to_owned()).collect(),
    )
    .await?;
    log_actor(
        state,
        actor,
        "user:api-key.create",
        json!({ "identifier": created.key.identifier }),
    )
    .await?;
    Ok(created)
}

/// Deletes one of the user's client keys; 404 for anything else.
pub async fn delete_api_key(
    state: &AppState,
    actor: Actor<'_>,
    identifier: &str,
) -> Result<(), Error> {
    let not_found =
        || Error::NotFound("The requested resource could not be found on the server.".into());
    let key = state
        .db
        .api_keys()
        .find_by_identifier(identifier)
        .await
        .map_err(db_err)?
        .filter(|k| k.user_id == actor.user.id && k.key_type == KeyType::Client.db_code())
        .ok_or_else(not_found)?;
    if !state
        .db
        .api_keys()
        .delete(actor.user.id, &key.identifier)
        .await
        .map_err(db_err)?
    {
        return Err(not_found());
    }
    log_actor(
        state,
        actor,
        "user:api-key.delete",
        json!({ "identifier": key.identifier }),
    )
    .await
}

// ---- SSH keys ----

/// A checked OpenSSH public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSshKey {
    /// The key type (`ssh-ed25519`, `ssh-rsa`, ...).
    pub kind: String,
    /// `<type> <base64>`, without the comment: the form stored and compared at SFTP login.
    pub normalized: String,
    /// `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
}

const SSH_KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

fn take_string<'a>(blob: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, rest) = blob.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
    if rest.len() < len {
        return None;
    }
    let (s, rest) = rest.split_at(len);
    *blob = rest;
    Some(s)
}

fn ssh_key_error(message: &str) -> Error {
    Error::validation("public_key", "valid", message)
}

/// Parses an OpenSSH public key line (`type base64 [comment]`). DSA keys and RSA keys under
/// 2048 bits are refused, with Pterodactyl's messages.
pub fn parse_ssh_public_key(line: &str) -> Result<ParsedSshKey, Error> {
    let invalid = || ssh_key_error("The public key provided is not valid.");
    let mut parts = line.split_whitespace();
    let kind = parts.next().ok_or_else(invalid)?;
    let body = parts.next().ok_or_else(invalid)?;
    let blob = STANDARD.decode(body).map_err(|_| invalid())?;
    let mut rest = blob.as_slice();
    let inner_kind = take_string(&mut rest).ok_or_else(invalid)?;
    if inner_kind != kind.as_bytes() {
        return Err(invalid());
    }
    if kind == "ssh-dss" {
        return Err(ssh_key_error("DSA keys are not supported."));
    }
    if !SSH_KEY_TYPES.contains(&kind) {
        return Err(invalid());
    }
    if kind == "ssh-rsa" {
        let _e = take_string(&mut rest).ok_or_else(invalid)?;
        let n = take_string(&mut rest).ok_or_else(invalid)?;
        let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
        let bits = match n.first() {
            Some(first) => (n.len() * 8).saturating_sub(first.leading_zeros() as usize),
            None => 0,
        };
        if bits < 2048 {
            return Err(ssh_key_error(
                "RSA keys must be at least 2048 bytes in length.",
            ));
        }
    } else {
        // Every other accepted type carries at least its key material after the type.
        take_string(&mut rest).ok_or_else(invalid)?;
    }
    Ok(ParsedSshKey {
        kind: kind.to_owned(),
        normalized: format!("{kind} {body}"),
        fingerprint: format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&blob))),
    })
}

/// Pterodactyl's `UserSSHKeyTransformer` attributes.
pub fn ssh_key_attributes(key: &SshKey) -> Value {
    json!({
        "name": key.name,
        "fingerprint": key.fingerprint,
        "public_key": key.public_key,
        "created_at": atom_timestamp(Some(&key.created_at)),
    })
}

/// The user's SSH keys.
pub async fn list_ssh_keys(state: &AppState, user: &User) -> Result<Vec<SshKey>, Error> {
    state
        .db
        .ssh_keys()
        .list_for_user(user.id)
        .await
        .map_err(db_err)
}

/// Adds an SSH key to the account.
pub async fn create_ssh_key(
    state: &AppState,
    actor: Actor<'_>,
    name: Option<&str>,
    public_key: Option<&str>,
) -> Result<SshKey, Error> {
    let mut v = Validator::new();
    v.required("name", name)
        .max("name", name, 191)
        .required("public_key", public_key);
    v.finish()?;
    let parsed = parse_ssh_public_key(public_key.unwrap_or_default().trim())?;
    let existing = list_ssh_keys(state, actor.user).await?;
    if existing.iter().any(|k| k.fingerprint == parsed.fingerprint) {
        return Err(ssh_key_error(
            "The public key provided already exists on your account.",
        ));
    }
    let key = state
        .db
        .ssh_keys()
        .create(
            actor.user.id,
            name.unwrap_or_default().trim(),
            &parsed.fingerprint,
            &parsed.normalized,
        )
        .await
        .map_err(db_err)?;
    log_actor(
        state,
        actor,
        "user:ssh-key.create",
        json!({ "fingerprint": key.fingerprint }),
    )
    .await?;
    Ok(key)
}

/// Removes an SSH key by fingerprint (nothing happens for an unknown one, as Pterodactyl).
pub async fn delete_ssh_key(
    state: &AppState,
    actor: Actor<'_>,
    fingerprint: Option<&str>,
) -> Result<(), Error> {
    let mut v = Validator::new();
    v.required("fingerprint", fingerprint);
    v.finish()?;
    let fingerprint = fingerprint.unwrap_or_default().trim();
    if state
        .db
        .ssh_keys()
        .delete(actor.user.id, fingerprint)
        .await
        .map_err(db_err)?
    {
        log_actor(
            state,
            actor,
            "user:ssh-key.delete",
            json!({ "fingerprint": fingerprint }),
        )
        .await?;
    }
    Ok(())
}

// ---- activity ----

/// A page of the user's account activity and the number of matching entries.
pub async fn list_activity(
    state: &AppState,
    user: &User,
    query: &AccountActivityQuery,
) -> Result<(Vec<Activity>, i64), Error> {
    state
        .db
        .account_activity(user.id, query)
        .await
        .map_err(db_err)
}

/// Property keys that an event's description already shows; any other key means the
/// entry has "additional metadata" (Pterodactyl's `hasAdditionalMetadata`).
const DESCRIBED_PROPERTIES: &[&str] = &[
    "identifier",
    "fingerprint",
    "old",
    "new",
    "ip",
    "useragent",
    "using_sftp",
];

/// Pterodactyl's `ActivityLogTransformer` attributes (the IP is shown: these are the
/// user's own entries).
pub fn activity_attributes(entry: &Activity) -> Value {
    use sha1::Digest as _;
    let properties: Map<String, Value> =
        serde_json::from_str(&entry.properties).unwrap_or_default();
    let has_additional_metadata = properties
        .keys()
        .any(|k| !DESCRIBED_PROPERTIES.contains(&k.as_str()));
    json!({
        "id": hex::encode(sha1::Sha1::digest(entry.id.to_string().as_bytes())),
        "batch": entry.batch,
        "event": entry.event,
        "is_api": entry.api_key_id.is_some(),
        "ip": entry.ip,
        "description": entry.description,
        "properties": Value::Object(properties),
        "has_additional_metadata": has_additional_metadata,
        "timestamp": atom_timestamp(Some(&entry.timestamp)),
    })
}

/// Pterodactyl's client `UserTransformer` attributes (an activity entry's `actor`).
pub fn actor_attributes(user: &User) -> Value {
    use md5::Digest as _;
    let hash = hex::encode(md5::Md5::digest(
        user.email.trim().to_lowercase().as_bytes(),
    ));
    json!({
        "uuid": user.uuid,
        "username": user.username,
        "email": user.email,
        "image": format!("https://gravatar.com/avatar/{hash}"),
        "2fa_enabled": user.use_totp,
        "created_at": atom_timestamp(Some(&user.created_at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh_line(kind: &str, fields: &[&[u8]]) -> String {
        let mut blob = Vec::new();
        for f in std::iter::once(kind.as_bytes()).chain(fields.iter().copied()) {
            blob.extend_from_slice(&u32::try_from(f.len()).unwrap().to_be_bytes());
            blob.extend_from_slice(f);
        }
        format!("{kind} {} comment@host", STANDARD.encode(blob))
    }

    #[test]
    fn ssh_keys_are_checked_and_fingerprinted() {
        let ed = ssh_line("ssh-ed25519", &[&[7u8; 32]]);
        let parsed = parse_ssh_public_key(&ed).unwrap();
        assert!(parsed.fingerprint.starts_with("SHA256:"));
        assert!(!parsed.fingerprint.ends_with('='));
        assert!(!parsed.normalized.contains("comment"));

        let mut n2048 = vec![0u8];
        n2048.extend(std::iter::repeat_n(0xffu8, 256));
        assert!(parse_ssh_public_key(&ssh_line("ssh-rsa", &[&[1, 0, 1], &n2048])).is_ok());
        let n1024 = vec![0xffu8; 128];
        let err = parse_ssh_public_key(&ssh_line("ssh-rsa", &[&[1, 0, 1], &n1024])).unwrap_err();
        assert!(err.to_string().contains("2048"));
        let err =
            parse_ssh_public_key(&ssh_line("ssh-dss", &[b"p", b"q", b"g", b"y"])).unwrap_err();
        assert_eq!(err.to_string(), "DSA keys are not supported.");
        // Declared and embedded types must agree.
        let lie = ed.replacen("ssh-ed25519", "ssh-rsa", 1);
        assert!(parse_ssh_public_key(&lie).is_err());
        assert!(parse_ssh_public_key("ssh-ed25519 not-base64!").is_err());
        assert!(parse_ssh_public_key("").is_err());
    }

    #[test]
    fn allowed_ip_entries() {
        for ok in ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0"] {
            assert!(is_ip_or_cidr(ok), "{ok}");
        }
        for bad in [
            "",
            "localhost",
            "10.0.0.0/33",
            "1.2.3",
            "fd00::/129",
            "1.2.3.4/+8",
        ] {
            assert!(!is_ip_or_cidr(bad), "{bad}");
        }
    }

    #[test]
    fn dummy_hash_is_a_valid_argon2id_hash() {
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!password::verify("anything", DUMMY_HASH));
    }
}
