//! Shared wings state.

use std::sync::Arc;

use crate::docker::Engine;
use crate::server::Manager;

/// Everything a wings handler may reach. Cheap to clone.
#[derive(Clone)]
pub struct WingsState {
    /// The Docker engine.
    pub engine: Engine,
    /// The servers on this node.
    pub manager: Arc<Manager>,
    /// The node token the panel presents as `Authorization: Bearer …`; also the JWT key.
    token: Arc<str>,
    /// Download/upload token ids already used.
    used: Arc<crate::tokens::UsedTokens>,
    /// Largest single uploaded file, in bytes (`api.upload_limit` MB).
    upload_limit: u64,
    /// Transfers in progress.
    transfers: Arc<crate::transfer::Transfers>,
    /// Remote downloads in progress (`files/pull`).
    downloads: Arc<crate::routes::Downloads>,
    /// `api.disable_remote_download`.
    no_remote_download: bool,
    /// `api.remote_download_allow_private`: allow pulls from private and loopback addresses.
    allow_private: bool,
}

impl WingsState {
    /// State for a node with default settings and no panel (health, system info, tests).
    pub fn new(engine: Engine, token: impl Into<String>) -> Self {
        let ctx = crate::server::NodeContext {
            runtime: Arc::new(crate::runtime::docker::DockerRuntime::new(engine.clone())),
            panel: None,
            settings: crate::server::NodeSettings::default(),
        };
        Self::with_manager(engine, Manager::new(Arc::new(ctx)), token)
    }

    /// State for a node whose servers `manager` holds and whose daemon token is `token`.
    pub fn with_manager(engine: Engine, manager: Arc<Manager>, token: impl Into<String>) -> Self {
        Self {
            engine,
            manager,
            token: Arc::from(token.into()),
            used: Arc::new(crate::tokens::UsedTokens::default()),
            upload_limit: 100 * 1024 * 1024,
            downloads: Arc::default(),
            transfers: Arc::default(),
            no_remote_download: false,
            allow_private: false,
        }
    }

    /// Sets the remote-download policy.
    pub fn with_remote_downloads(mut self, enabled: bool, allow_private: bool) -> Self {
        self.no_remote_download = !enabled;
        self.allow_private = allow_private;
        self
    }

    /// Transfers in progress.
    pub fn transfers(&self) -> &crate::transfer::Transfers {
        &self.transfers
    }

    pub(crate) fn downloads(&self) -> &crate::routes::Downloads {
        &self.downloads
    }

    pub(crate) fn disable_remote_download(&self) -> bool {
        self.no_remote_download
    }

    pub(crate) fn allow_private_downloads(&self) -> bool {
        self.allow_private
    }

    /// Sets the per-file upload limit in bytes (0 = unlimited).
    pub fn with_upload_limit(mut self, bytes: u64) -> Self {
        self.upload_limit = bytes;
        self
    }

    /// The per-file upload limit in bytes.
    pub fn upload_limit_bytes(&self) -> u64 {
        self.upload_limit
    }

    /// Single-use token ids.
    pub fn used_tokens(&self) -> &crate::tokens::UsedTokens {
        &self.used
    }

    /// Compares a presented token with the node token in constant time.
    pub fn token_matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        let a = presented.as_bytes();
        let b = self.token.as_bytes();
        // Length is not secret (tokens have a fixed length); content is.
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }

    /// The key websocket and transfer JWTs are signed with.
    pub fn jwt_key(&self) -> &[u8] {
        self.token.as_bytes()
    }
}
