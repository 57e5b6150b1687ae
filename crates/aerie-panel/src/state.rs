//! Everything a request handler may reach, passed explicitly (no globals).

use std::sync::Arc;

use aerie_db::Db;
use aerie_proto::health::Check;

use crate::api::RateLimiter;

/// A dependency the health report checks besides the database (the local node's Docker
/// engine under `aerie up`, for instance).
pub trait HealthProbe: Send + Sync {
    /// The name the check is reported under.
    fn name(&self) -> &'static str;
    /// Runs the check.
    fn check(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Check> + Send + '_>>;
}

/// Shared panel state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The public URL of the panel.
    pub url: String,
    /// Extra health checks.
    pub probes: Vec<Arc<dyn HealthProbe>>,
    /// Rate limits of the application API (Pterodactyl: 240 requests a minute per key).
    pub application_limiter: RateLimiter,
    /// Rate limits of the client API (Pterodactyl: 720 requests a minute per key).
    pub client_limiter: RateLimiter,
    /// Failed SFTP logins per username and address (5 a minute, as Laravel's default).
    pub sftp_login_limiter: RateLimiter,
    /// Failed panel logins per login name and address, and failed two-factor codes per
    /// user (10 a minute, Pterodactyl's login throttle).
    pub login_limiter: RateLimiter,
    /// Password-reset requests per address (2 a minute, as Pterodactyl).
    pub password_reset_limiter: RateLimiter,
    /// Logins waiting for their two-factor code.
    pub pending_logins: crate::services::sessions::PendingLogins,
    /// The SMTP sender; `None` sends no mail.
    pub mailer: Option<crate::services::mail::Mailer>,
    /// The client server API's resource cache and `files/pull` throttle.
    pub client_servers: crate::services::client_servers::ClientServerState,
    /// Where new backups go: `None` keeps them on the nodes (`wings` disk), `Some` stores
    /// them in S3 (`s3` disk).
    pub backup_storage: Option<crate::services::s3::S3Storage>,
    /// Serializes server transfer starts on this panel (see `services::transfers`).
    pub transfer_starts: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// State with no extra probes.
    pub fn new(db: Db, url: impl Into<String>) -> Self {
        Self {
            db,
            url: url.into(),
            probes: Vec::new(),
            application_limiter: RateLimiter::new(240),
            client_limiter: RateLimiter::new(720),
            sftp_login_limiter: RateLimiter::new(5),
            login_limiter: RateLimiter::new(10),
            password_reset_limiter: RateLimiter::new(2),
            pending_logins: crate::services::sessions::PendingLogins::new(),
            mailer: None,
            client_servers: crate::services::client_servers::ClientServerState::new(),
            backup_storage: None,
            transfer_starts: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Sends mail (password resets) through `mailer`.
    pub fn with_mailer(mut self, mailer: crate::services::mail::Mailer) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Stores new backups in S3 through `storage`.
    pub fn with_backup_storage(mut self, storage: crate::services::s3::S3Storage) -> Self {
        self.backup_storage = Some(storage);
        self
    }

    /// Adds a health probe.
    pub fn with_probe(mut self, probe: Arc<dyn HealthProbe>) -> Self {
        self.probes.push(probe);
        self
    }
}
