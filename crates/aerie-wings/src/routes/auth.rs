//! The node token check every panel-facing route takes.

use aerie_http::Error;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::WingsState;

/// Proof that the request carried the node token.
pub(crate) struct NodeAuth;

impl FromRequestParts<WingsState> for NodeAuth {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &WingsState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Error::Unauthenticated)?;
        if state.token_matches(token.trim()) {
            Ok(NodeAuth)
        } else {
            Err(Error::Forbidden(
                "You are not authorized to access this endpoint.".into(),
            ))
        }
    }
}
