//! Shared wings state.

use std::sync::Arc;

use crate::docker::Engine;

/// Everything a wings handler may reach. Cheap to clone.
#[derive(Clone)]
pub struct WingsState {
    /// The Docker engine.
    pub engine: Engine,
    /// The node token the panel presents as `Authorization: Bearer …`.
    token: Arc<str>,
}

impl WingsState {
    /// New state for a node whose daemon token is `token`.
    pub fn new(engine: Engine, token: impl Into<String>) -> Self {
        Self { engine, token: Arc::from(token.into()) }
    }

    /// Compares a presented token with the node token in constant time.
    pub fn token_matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        let a = presented.as_bytes();
        let b = self.token.as_bytes();
        // Length is not secret (tokens have a fixed length); content is.
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }
}
