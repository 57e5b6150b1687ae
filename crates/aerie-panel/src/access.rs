//! The one checked path from a client request to a server: every `/api/client/servers/{server}`
//! handler takes a [`ServerAccess`] (or [`ServerAccessAnyState`]) and cannot reach the
//! server without it.
//!
//! - Who may see a server: its owner, a subuser of it, or a root administrator. Anyone
//!   else gets **404**, exactly as for a server that does not exist, so ids cannot be probed.
//! - What they may do: owners and administrators everything (`*`); a subuser what their
//!   permission list holds. A missing permission is **403** naming the permission.
//! - When: a suspended, installing, install-failed, restoring or transferring server is
//!   **409** for everything except viewing it and its resource usage
//!   ([`ServerAccessAnyState`]), as Pterodactyl's `validateCurrentState` does.
//!
//! `{server}` is the 8-character short id or the full UUID.

use std::collections::HashMap;

use aerie_db::models::User;
use aerie_db::repo::servers::{STATUS_RESTORING_BACKUP, Server};
use aerie_http::Error;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::AppState;
use crate::auth::ClientUser;
use crate::services::db_err;

/// A user's checked access to one server.
#[derive(Debug, Clone)]
pub struct ServerAccess {
    /// The user.
    pub user: User,
    /// The server.
    pub server: Server,
    /// Whether the user owns the server.
    pub is_owner: bool,
    /// `["*"]` for the owner and administrators, else the subuser's permission keys.
    pub permissions: Vec<String>,
}

/// [`ServerAccess`] without the 409 state check, for viewing a server and its resources.
#[derive(Debug, Clone)]
pub struct ServerAccessAnyState(pub ServerAccess);

fn not_found() -> Error {
    Error::NotFound("The requested resource could not be found on the server.".into())
}

impl ServerAccess {
    /// Resolves `identifier` (short id or UUID) for `user`: 404 unless the user owns it, is a
    /// subuser of it, or is a root administrator.
    pub async fn resolve(state: &AppState, user: User, identifier: &str) -> Result<Self, Error> {
        let server = match identifier.len() {
            8 => state.db.servers().find_by_uuid_short(identifier).await,
            36 => state.db.servers().find_by_uuid(identifier).await,
            _ => return Err(not_found()),
        }
        .map_err(db_err)?
        .ok_or_else(not_found)?;
        let is_owner = server.owner_id == user.id;
        let permissions = if is_owner || user.root_admin {
            vec!["*".to_owned()]
        } else {
            state
                .db
                .subusers()
                .find_for(user.id, server.id)
                .await
                .map_err(db_err)?
                .ok_or_else(not_found)?
                .permissions
        };
        Ok(Self {
            user,
            server,
            is_owner,
            permissions,
        })
    }

    /// Whether the user holds `permission` (owners and administrators hold all).
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == "*" || p == permission)
    }

    /// 403 naming `permission` unless the user holds it.
    pub fn require(&self, permission: &str) -> Result<(), Error> {
        if self.can(permission) {
            return Ok(());
        }
        Err(Error::Forbidden(format!(
            "You do not have permission to perform this action on this server (requires `{permission}`)."
        )))
    }

    /// 409 when the server is in a state that blocks actions.
    pub async fn ensure_actionable(&self, state: &AppState) -> Result<(), Error> {
        let conflict = |what: &str| {
            Err(Error::Conflict(format!(
                "This server is currently {what} and cannot be used. Please try again later."
            )))
        };
        if self.server.is_suspended() {
            return conflict("suspended");
        }
        if !self.server.is_installed() {
            return conflict("installing or failed to install");
        }
        if self.server.status.as_deref() == Some(STATUS_RESTORING_BACKUP) {
            return conflict("restoring a backup");
        }
        if state
            .db
            .servers()
            .active_transfer(self.server.id)
            .await
            .map_err(db_err)?
            .is_some()
        {
            return conflict("being transferred");
        }
        Ok(())
    }
}

async fn from_parts(parts: &mut Parts, state: &AppState) -> Result<ServerAccess, Error> {
    let ClientUser { user, .. } = ClientUser::from_request_parts(parts, state).await?;
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| not_found())?;
    let identifier = params.get("server").ok_or_else(not_found)?;
    ServerAccess::resolve(state, user, identifier).await
}

impl FromRequestParts<AppState> for ServerAccess {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let access = from_parts(parts, state).await?;
        access.ensure_actionable(state).await?;
        Ok(access)
    }
}

impl FromRequestParts<AppState> for ServerAccessAnyState {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(from_parts(parts, state).await?))
    }
}
