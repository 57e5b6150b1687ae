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
    /// Checks the key's ACL bit for `resource`. A root admin's client key has every bit,
    /// as in Pterodactyl; an application key has what its `r_*` column says.
    pub fn require(&self, resource: Resource, access: Access) -> Result<(), Error> {
        if KeyType::from_db_code(self.key.key_type) != Some(KeyType::Application) {
            return Ok(());
        }
        let p = &self.key.permissions;
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
