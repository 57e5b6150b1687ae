//! Authentication extractors. A handler that names [`ClientUser`] or [`ApplicationUser`]
//! cannot run without the matching, verified credentials: authorization by type.

use std::net::SocketAddr;

use aerie_db::models::{ApiKey, User};
use aerie_http::Error;
use aerie_proto::keys::KeyType;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::AppState;
use crate::services::keys;

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

/// A user authenticated with a client (`ptlc_`) key.
#[derive(Debug, Clone)]
pub struct ClientUser {
    /// The user.
    pub user: User,
    /// The key used.
    pub key: ApiKey,
}

impl FromRequestParts<AppState> for ClientUser {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (key, user) = bearer_key(parts, state).await?;
        if KeyType::from_db_code(key.key_type) != Some(KeyType::Client) {
            return Err(Error::BadRequest(
                "You are attempting to use an application API key on an endpoint that requires a client API key.".into(),
            ));
        }
        Ok(Self { user, key })
    }
}

/// An administrator authenticated with an application (`ptla_`) key, or with a root
/// admin's client key (Pterodactyl allows both on the application API).
#[derive(Debug, Clone)]
pub struct ApplicationUser {
    /// The administrator.
    pub user: User,
    /// The key used.
    pub key: ApiKey,
}

impl FromRequestParts<AppState> for ApplicationUser {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (key, user) = bearer_key(parts, state).await?;
        if !user.root_admin {
            return Err(Error::Forbidden("This action is unauthorized.".into()));
        }
        Ok(Self { user, key })
    }
}
