//! Server backups and restores (reference §3.1, §3.2, §6.6).
//!
//! A backup is a tar archive of the server volume, compressed with zstd and read only through
//! the volume's [`aerie_fs::Jail`] ([`archive`]), leaving out what the ignore rules say
//! ([`rules`]). Its SHA-256 is computed over the compressed bytes as they are written.
//!
//! - `wings` adapter: the archive is kept on the node ([`local`]) and can be downloaded with a
//!   signed URL.
//! - `s3` adapter: the archive is written to a temporary file (bounded memory), then uploaded
//!   in the parts the panel presigned ([`s3`]) and removed.
//!
//! Either way the panel is told how it went (`POST /api/remote/backups/{uuid}`) and the
//! server's websocket listeners get `backup completed` with the result.
//!
//! A restore reads the archive (verifying a local backup's recorded SHA-256 first, so a
//! damaged file is refused before anything changes), optionally empties the volume, and
//! unpacks it through the jail ([`extract`]); the panel is told
//! (`POST /api/remote/backups/{uuid}/restore`) and listeners get `backup restore completed`.
//!
//! Differences from Pterodactyl Wings, on purpose: archives are `tar.zst` (faster and smaller
//! than `tar.gz`) and checksums SHA-256 (Wings: SHA-1); restores still read Wings' `tar.gz`.
//! Symbolic links are neither stored nor restored.

pub mod archive;
pub mod extract;
pub mod local;
pub mod rules;
pub mod s3;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aerie_proto::wings::{
    BackupAdapter, BackupCompleted, BackupPart, BackupRequest, BackupStatus, ProcessState,
    RestoreRequest, events,
};

use crate::server::{NodeContext, Server};
use archive::Compression;
use rules::IgnoreRules;

/// The checksum algorithm reported to the panel.
pub const CHECKSUM_TYPE: &str = "sha256";

/// Why a backup or restore failed. The `Display` text is shown on the server console.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// No local backup with that UUID.
    #[error("the backup does not exist on this node")]
    NotFound,
    /// The archive does not match the checksum recorded when it was made.
    #[error(
        "the backup file is damaged: its checksum does not match the one recorded when it was made"
    )]
    ChecksumMismatch,
    /// The server must be stopped for this.
    #[error("the server must be stopped before a backup can be restored")]
    Running,
    /// Reading the volume or writing the archive failed.
    #[error("{0}")]
    Archive(String),
    /// Unpacking failed.
    #[error(transparent)]
    Extract(#[from] extract::ExtractError),
    /// The panel refused or could not be reached.
    #[error("the panel could not be asked: {0}")]
    Panel(String),
    /// The S3 upload or download failed.
    #[error("{0}")]
    Storage(String),
}

/// What a server is doing with its files right now: a restore excludes every other backup
/// operation on the same server; backups may run side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// This many backups are being made.
    Backups(u32),
    /// A restore is running.
    Restoring,
}

/// Held while a backup or restore of a server runs; released on drop. The state lives on
/// the [`Server`] itself (no process-wide registry).
pub struct OpGuard {
    server: std::sync::Arc<Server>,
}

impl std::fmt::Debug for OpGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpGuard")
            .field("server", &self.server.uuid())
            .finish()
    }
}

impl OpGuard {
    fn acquire(server: &std::sync::Arc<Server>, restore: bool) -> Option<OpGuard> {
        let mut busy = server.file_ops();
        match (*busy, restore) {
            (None, true) => *busy = Some(Busy::Restoring),
            (None, false) => *busy = Some(Busy::Backups(1)),
            (Some(Busy::Backups(n)), false) => *busy = Some(Busy::Backups(n + 1)),
            _ => return None,
        }
        drop(busy);
        Some(OpGuard {
            server: server.clone(),
        })
    }

    /// For a backup of `server`; `None` while it is being restored.
    pub fn for_backup(server: &std::sync::Arc<Server>) -> Option<OpGuard> {
        Self::acquire(server, false)
    }

    /// For a restore of `server`; `None` while a backup or restore of it runs.
    pub fn for_restore(server: &std::sync::Arc<Server>) -> Option<OpGuard> {
        Self::acquire(server, true)
    }
}

impl Drop for OpGuard {
    fn drop(&mut self) {
        let mut busy = self.server.file_ops();
        *busy = match *busy {
            Some(Busy::Backups(n)) if n > 1 => Some(Busy::Backups(n - 1)),
            _ => None,
        };
    }
}

/// `system.backups.compression_level` and `write_limit` (MiB/s) from the node configuration.
fn backup_settings(ctx: &NodeContext) -> (Compression, u64) {
    let cfg = &ctx.settings.config_json;
    let level = cfg
        .pointer("/system/backups/compression_level")
        .and_then(|v| v.as_str())
        .unwrap_or("best_speed");
    let limit = cfg
        .pointer("/system/backups/write_limit")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    (
        Compression::from_config(level),
        limit.saturating_mul(1024 * 1024),
    )
}

/// Where local backups live.
pub fn backup_dir(ctx: &NodeContext) -> &Path {
    &ctx.settings.backup_dir
}

/// Makes the backup `req` of `server`, reports it to the panel and publishes
/// `backup completed`. Runs to the end; failures are reported, not returned.
pub async fn run_backup(
    server: Arc<Server>,
    ctx: Arc<NodeContext>,
    req: BackupRequest,
    guard: OpGuard,
) {
    let started = std::time::Instant::now();
    let result = match req.adapter {
        BackupAdapter::Wings => backup_local(&server, &ctx, &req).await,
        BackupAdapter::S3 => backup_s3(&server, &ctx, &req).await,
    };
    drop(guard);
    let status = match result {
        Ok((done, parts)) => {
            let s = &done.summary;
            tracing::info!(
                server.uuid = %server.uuid(), backup.uuid = %req.uuid, adapter = ?req.adapter, bytes = done.size,
                files = s.files, ignored = s.ignored, skipped = s.skipped, vanished = s.vanished,
                elapsed_ms = started.elapsed().as_millis() as u64, "backup completed"
            );
            BackupStatus {
                successful: true,
                checksum: done.checksum,
                checksum_type: CHECKSUM_TYPE.into(),
                size: done.size,
                parts,
            }
        }
        Err(e) => {
            tracing::warn!(server.uuid = %server.uuid(), backup.uuid = %req.uuid, adapter = ?req.adapter, error.message = %e, "backup failed");
            BackupStatus {
                successful: false,
                checksum: String::new(),
                checksum_type: CHECKSUM_TYPE.into(),
                size: 0,
                parts: Vec::new(),
            }
        }
    };
    if let Some(panel) = &ctx.panel
        && let Err(e) = panel.set_backup_status(&req.uuid, &status).await
    {
        tracing::warn!(server.uuid = %server.uuid(), backup.uuid = %req.uuid, error.message = %e, "could not report the backup to the panel");
    }
    let event = BackupCompleted {
        uuid: req.uuid.clone(),
        is_successful: status.successful,
        checksum: status.checksum,
        checksum_type: status.checksum_type,
        file_size: status.size,
    };
    server.publish(
        events::BACKUP_COMPLETED,
        vec![serde_json::to_string(&event).unwrap_or_default()],
    );
}

/// Builds the archive of `server` at `dest` on a blocking thread.
async fn build(
    server: &Server,
    ctx: &NodeContext,
    ignore: &str,
    dest: PathBuf,
    with_checksum_file: bool,
) -> Result<local::Archived, BackupError> {
    let jail = server
        .jail()
        .map_err(|e| BackupError::Archive(format!("cannot open the server's files: {e}")))?;
    let (level, write_limit) = backup_settings(ctx);
    let ignore = ignore.to_owned();
    tokio::task::spawn_blocking(move || {
        let rules = IgnoreRules::for_backup(&ignore, &jail);
        if !rules.invalid.is_empty() {
            tracing::warn!(patterns = ?rules.invalid, "backup: invalid ignore patterns skipped");
        }
        local::write(&jail, &rules, level, write_limit, &dest, with_checksum_file)
    })
    .await
    .map_err(|e| BackupError::Archive(format!("the backup task failed: {e}")))?
    .map_err(|e| BackupError::Archive(format!("writing the backup archive failed: {e}")))
}

async fn backup_local(
    server: &Server,
    ctx: &NodeContext,
    req: &BackupRequest,
) -> Result<(local::Archived, Vec<BackupPart>), BackupError> {
    let dest = local::archive_path(backup_dir(ctx), &req.uuid);
    Ok((
        build(server, ctx, &req.ignore, dest, true).await?,
        Vec::new(),
    ))
}

async fn backup_s3(
    server: &Server,
    ctx: &NodeContext,
    req: &BackupRequest,
) -> Result<(local::Archived, Vec<BackupPart>), BackupError> {
    let panel = ctx
        .panel
        .clone()
        .ok_or_else(|| BackupError::Panel("no panel is configured".into()))?;
    let dest = backup_dir(ctx).join(format!(".{}.s3.tar.zst", req.uuid));
    let done = build(server, ctx, &req.ignore, dest.clone(), false).await?;
    let uploaded = async {
        let parts = panel
            .backup_upload_parts(&req.uuid, done.size)
            .await
            .map_err(BackupError::Panel)?;
        let client = s3::http_client().map_err(BackupError::Storage)?;
        s3::upload(&client, &dest, done.size, &parts)
            .await
            .map_err(BackupError::Storage)
    }
    .await;
    if let Err(e) = tokio::fs::remove_file(&dest).await {
        tracing::warn!(path = %dest.display(), error.message = %e, "could not remove the uploaded backup's temporary file");
    }
    Ok((done, uploaded?))
}

/// Restores backup `backup` into `server`, reports to the panel and publishes
/// `backup restore completed`. Runs to the end; failures are reported, not returned.
pub async fn run_restore(
    server: Arc<Server>,
    ctx: Arc<NodeContext>,
    backup: String,
    req: RestoreRequest,
    guard: OpGuard,
) {
    server.daemon_message("Restoring the server from a backup; this may take a few minutes...");
    let result = restore(&server, &ctx, &backup, &req).await;
    drop(guard);
    let successful = match &result {
        Ok(s) => {
            tracing::info!(server.uuid = %server.uuid(), backup.uuid = %backup, files = s.files, bytes = s.bytes, skipped = s.skipped, "restore completed");
            if s.skipped > 0 {
                server.daemon_message(&format!(
                    "{} entries of the backup were skipped (links, devices or protected files).",
                    s.skipped
                ));
            }
            server.daemon_message("Completed server restoration from backup.");
            true
        }
        Err(e) => {
            tracing::warn!(server.uuid = %server.uuid(), backup.uuid = %backup, error.message = %e, "restore failed");
            server.daemon_message(&format!("The restore failed: {e}"));
            false
        }
    };
    if let Some(panel) = &ctx.panel
        && let Err(e) = panel.set_restore_status(&backup, successful).await
    {
        tracing::warn!(server.uuid = %server.uuid(), backup.uuid = %backup, error.message = %e, "could not report the restore to the panel");
    }
    server.publish(events::BACKUP_RESTORE_COMPLETED, vec![String::new()]);
}

async fn restore(
    server: &Server,
    ctx: &NodeContext,
    backup: &str,
    req: &RestoreRequest,
) -> Result<extract::ExtractSummary, BackupError> {
    if server.state() != ProcessState::Offline || server.is_installing() {
        return Err(BackupError::Running);
    }
    let jail = server
        .jail()
        .map_err(|e| BackupError::Archive(format!("cannot open the server's files: {e}")))?;
    let source: Box<dyn std::io::Read + Send> = match req.adapter {
        BackupAdapter::Wings => {
            let path = local::find(backup_dir(ctx), backup).ok_or(BackupError::NotFound)?;
            let p = path.clone();
            let verified = tokio::task::spawn_blocking(move || -> std::io::Result<Option<bool>> {
                let Some(expected) = local::recorded_checksum(&p)? else {
                    return Ok(None);
                };
                Ok(Some(local::checksum_of(&p)? == expected))
            })
            .await
            .map_err(|e| BackupError::Archive(format!("the restore task failed: {e}")))?
            .map_err(|e| BackupError::Archive(format!("cannot read the backup: {e}")))?;
            match verified {
                Some(true) => {}
                Some(false) => return Err(BackupError::ChecksumMismatch),
                None => {
                    tracing::warn!(backup.uuid = %backup, "restoring a backup without a recorded checksum (made by Pterodactyl Wings?)")
                }
            }
            Box::new(
                std::fs::File::open(&path)
                    .map_err(|e| BackupError::Archive(format!("cannot read the backup: {e}")))?,
            )
        }
        BackupAdapter::S3 => {
            if req.download_url.is_empty() {
                return Err(BackupError::Storage(
                    "no download URL was given for the S3 backup".into(),
                ));
            }
            let client = s3::http_client().map_err(BackupError::Storage)?;
            Box::new(
                s3::download(&client, &req.download_url)
                    .await
                    .map_err(BackupError::Storage)?,
            )
        }
    };
    let truncate = req.truncate_directory;
    tokio::task::spawn_blocking(move || {
        if truncate {
            empty_volume(&jail)?;
        }
        let summary = extract::extract(&jail, source);
        // Re-count whatever happened, so the disk limit reflects the volume as it now is.
        let _ = jail.rescan();
        Ok(summary?)
    })
    .await
    .map_err(|e| BackupError::Archive(format!("the restore task failed: {e}")))?
}

/// Deletes everything in the volume (through the jail, following no link). Files the egg's
/// denylist protects cannot be deleted and stay.
fn empty_volume(jail: &aerie_fs::Jail) -> Result<(), BackupError> {
    let entries = jail
        .list("/")
        .map_err(|e| BackupError::Archive(format!("cannot list the server's files: {e}")))?;
    for st in entries {
        match jail.remove(&format!("/{}", st.name)) {
            Ok(()) | Err(aerie_fs::Error::NotFound) => {}
            Err(aerie_fs::Error::Denied) => {
                tracing::debug!(name = %st.name, "restore: protected entry kept")
            }
            Err(e) => {
                return Err(BackupError::Archive(format!(
                    "cannot empty the server's files: {e}"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
