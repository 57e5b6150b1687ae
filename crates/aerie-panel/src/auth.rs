//! Authentication extractors. A handler that names [`ClientUser`] or [`ApplicationUser`]
//! cannot run without the matching, verified credentials: authorization by type.
//!
//! Two kinds of credentials are accepted on `/api/client` and `/api/application`:
//!
//! - `Authorization: Bearer <key>`: a Pterodactyl-style API key. No CSRF token needed (a
//!   browser never adds this header on its own).
//! - The `aerie_session` cookie of a browser login. Every state-changing request
//!   (anything but GET, HEAD, OPTIONS) must then carry the session's CSRF token in
//!   `X-XSRF-TOKEN`, else 419 `TokenMismatchException`. As in Pterodactyl (Sanctum's
//!   `TransientToken`), a root administrator's session also works on the application API,
//!   with every ACL bit.
//!
//! A bearer header wins over a cookie. After authentication the panel's `2fa_required`
//! setting is enforced (0 nobody, 1 administrators, 2 everyone): an account it applies to
//! without two-factor gets 400 `TwoFactorAuthRequiredException` everywhere except
//! `GET /api/client/account` and `/api/client/account/two-factor*`, where it turns it on.

use std::net::SocketAddr;

use aerie_db::models::{ApiKey, User};
use aerie_db::repo::sessions::Session;
use aerie_http::Error;
use aerie_proto::keys::KeyType;
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri};
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;

use crate::AppState;
use crate::services::account::RequestMeta;
use crate::services::{keys, sessions};

/// The settings key of the two-factor requirement (0 none, 1 administrators, 2 everyone).
pub const TWO_FACTOR_REQUIRED_SETTING: &str = "2fa_required";

async fn bearer_key(parts: &mut Parts, state: &AppState) -> Result<(ApiKey, User), Error> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(Error::Unauthenticated)?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or(Error::Unauthenticated)?
        .trim();
    let (key, user) = keys::authenticate(&state.db, token).await?;
    if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>()
        && !keys::ip_allowed(&key.allowed_ips, addr.ip())
    {
        tracing::info!(api_key.identifier = %key.identifier, client.ip = %addr.ip(), "api key used from a disallowed address");
        return Err(Error::Forbidden(
            "This API key is not allowed from your IP address.".into(),
        ));
    }
    Ok((key, user))
}

/// A verified caller: the user and how they proved it.
enum Credential {
    Key(ApiKey),
    Session(Session),
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<(User, Credential), Error> {
    if parts.headers.contains_key(AUTHORIZATION) {
        let (key, user) = bearer_key(parts, state).await?;
        return Ok((user, Credential::Key(key)));
    }
    let token = sessions::read_cookie(&parts.headers, sessions::SESSION_COOKIE)
        .ok_or(Error::Unauthenticated)?;
    let (session, user) = sessions::resolve(&state.db, &token)
        .await?
        .ok_or(Error::Unauthenticated)?;
    if sessions::needs_csrf(&parts.method) {
        sessions::check_session_csrf(&parts.headers, &session)?;
    }
    Ok((user, Credential::Session(session)))
}

/// The full request path, also under a nested router.
fn full_path(parts: &Parts) -> String {
    match parts.extensions.get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path().to_owned(),
        None => parts.uri.path().to_owned(),
    }
}

/// Whether the two-factor requirement leaves this path alone: the account document and
/// the two-factor setup routes, which a user needs to comply.
fn exempt_from_two_factor(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path == "/api/client/account"
        || path == "/api/client/account/two-factor"
        || path.starts_with("/api/client/account/two-factor/")
}

/// Enforces the panel's `2fa_required` setting for `user` on `path`.
///
/// # Errors
/// [`Error::TwoFactorRequired`] when the setting applies to the user, the user has no
/// two-factor, and the path is not exempt.
pub async fn require_two_factor(state: &AppState, user: &User, path: &str) -> Result<(), Error> {
    if user.use_totp || exempt_from_two_factor(path) {
        return Ok(());
    }
    let level = state
        .db
        .settings()
        .get(TWO_FACTOR_REQUIRED_SETTING)
        .await
        .map_err(crate::services::db_err)?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let applies = match level {
        1 => user.root_admin,
        2 => true,
        _ => false,
    };
    if applies {
        return Err(Error::TwoFactorRequired);
    }
    Ok(())
}

/// A user authenticated for the client API: with a client (`ptlc_`) key, or with a browser
/// session (then `key` is `None` and `session` is set).
#[derive(Debug, Clone)]
pub struct ClientUser {
    /// The user.
    pub user: User,
    /// The key used, for key-authenticated requests.
    pub key: Option<ApiKey>,
    /// The session, for cookie-authenticated requests.
    pub session: Option<Session>,
}

impl ClientUser {
    /// The id of the API key used, if any (for the activity log's `is_api`).
    pub fn api_key_id(&self) -> Option<i64> {
        self.key.as_ref().map(|k| k.id)
    }
}

impl FromRequestParts<AppState> for ClientUser {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (user, credential) = authenticate(parts, state).await?;
        let (key, session) = match credential {
            Credential::Key(key) => {
                if KeyType::from_db_code(key.key_type) != Some(KeyType::Client) {
                    return Err(Error::Forbidden(
                        "You are attempting to use an application API key on an endpoint that requires a client API key.".into(),
                    ));
                }
                (Some(key), None)
            }
            Credential::Session(session) => (None, Some(session)),
        };
        require_two_factor(state, &user, &full_path(parts)).await?;
        Ok(Self { user, key, session })
    }
}

/// An administrator authenticated with an application (`ptla_`) key, with a root admin's
/// client key, or with a root admin's browser session (Pterodactyl allows all three on
/// the application API; the last two have every ACL bit).
#[derive(Debug, Clone)]
pub struct ApplicationUser {
    /// The administrator.
    pub user: User,
    /// The key used; `None` for a session.
    pub key: Option<ApiKey>,
}

impl FromRequestParts<AppState> for ApplicationUser {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (user, credential) = authenticate(parts, state).await?;
        if !user.root_admin {
            return Err(Error::Forbidden("This action is unauthorized.".into()));
        }
        require_two_factor(state, &user, &full_path(parts)).await?;
        let key = match credential {
            Credential::Key(key) => Some(key),
            Credential::Session(_) => None,
        };
        Ok(Self { user, key })
    }
}

/// A root administrator signed in with a browser session (CSRF checked on writes, the
/// panel's two-factor requirement applied). Any API key, even a root administrator's, is
/// refused with 403.
#[derive(Debug, Clone)]
pub(crate) struct AdminSession(pub User);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let admin = ApplicationUser::from_request_parts(parts, state).await?;
        if admin.key.is_some() {
            return Err(Error::Forbidden(
                "Application API keys and panel settings can only be managed from a signed-in administrator's browser session, not with an API key.".into(),
            ));
        }
        Ok(Self(admin.user))
    }
}

impl FromRequestParts<AppState> for RequestMeta {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self {
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
            user_agent: parts
                .headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

/// A resource of the application API, as Pterodactyl's per-key ACL names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `r_servers`.
    Servers,
    /// `r_nodes`.
    Nodes,
    /// `r_allocations`.
    Allocations,
    /// `r_users`.
    Users,
    /// `r_locations`.
    Locations,
    /// `r_nests`.
    Nests,
    /// `r_eggs`.
    Eggs,
    /// `r_database_hosts`.
    DatabaseHosts,
    /// `r_server_databases`.
    ServerDatabases,
    /// `r_mounts` (Pelican's bit).
    Mounts,
}

/// What an application request does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Bit 1.
    Read,
    /// Bit 2.
    Write,
}

impl ApplicationUser {
    /// Checks the key's ACL bit for `resource`. A root admin's client key or session has
    /// every bit, as in Pterodactyl; an application key has what its `r_*` column says.
    pub fn require(&self, resource: Resource, access: Access) -> Result<(), Error> {
        let Some(key) = self
            .key
            .as_ref()
            .filter(|k| KeyType::from_db_code(k.key_type) == Some(KeyType::Application))
        else {
            return Ok(());
        };
        let p = &key.permissions;
        let bits = match resource {
            Resource::Servers => p.servers,
            Resource::Nodes => p.nodes,
            Resource::Allocations => p.allocations,
            Resource::Users => p.users,
            Resource::Locations => p.locations,
            Resource::Nests => p.nests,
            Resource::Eggs => p.eggs,
            Resource::DatabaseHosts => p.database_hosts,
            Resource::ServerDatabases => p.server_databases,
            Resource::Mounts => p.mounts,
        };
        let needed = match access {
            Access::Read => 1,
            Access::Write => 2,
        };
        if bits & needed == 0 {
            return Err(Error::Forbidden("This action is unauthorized.".into()));
        }
        Ok(())
    }
}

/// A node (wings) authenticated on the remote API with `Bearer <token_id>.<token>`.
/// Handlers that take it only ever see their own node's servers.
#[derive(Debug, Clone)]
pub struct DaemonNode(pub aerie_db::models::Node);

impl FromRequestParts<AppState> for DaemonNode {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use subtle::ConstantTimeEq;
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(Error::Unauthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(Error::Unauthenticated)?
            .trim();
        let Some((token_id, secret)) = token.split_once('.').filter(|(_, s)| !s.contains('.'))
        else {
            return Err(Error::BadRequest(
                "The Authorization header provided was not in a valid format.".into(),
            ));
        };
        let node = state
            .db
            .nodes()
            .find_by_token_id(token_id)
            .await
            .map_err(crate::services::db_err)?;
        // Compare against something even for an unknown id, so timing says nothing.
        let expected = node
            .as_ref()
            .map(|n| n.daemon_token.clone())
            .unwrap_or_else(|| "x".repeat(64));
        let ok: bool = expected.as_bytes().ct_eq(secret.as_bytes()).into();
        match node {
            Some(node) if ok => Ok(Self(node)),
            _ => {
                tracing::info!(node.token_id = %token_id, "remote API call with bad node credentials");
                Err(Error::Forbidden(
                    "You are not authorized to access this resource.".into(),
                ))
            }
        }
    }
}
