//! The rules of a server's backups on the client API (Pterodactyl's `BackupController`,
//! `InitiateBackupService`, `DeleteBackupService` and `DownloadLinkService`), and the one
//! path that starts a backup, shared by the API and the scheduler.
//!
//! - Starting a backup: a throttle of [`THROTTLE_LIMIT`] per [`THROTTLE_WINDOW_SECS`] per
//!   server (the API only; scheduled backups skip it), then the server's `backup_limit`
//!   (0 = none allowed; at the limit the request is refused, never rotated), then the row
//!   (`disk = "wings"`, or `"s3"` when the panel has S3 storage) and wings'
//!   `POST /api/servers/{uuid}/backup` with that adapter. When wings refuses, the row is
//!   removed again. Completion arrives through the remote API (for S3 wings first asks the
//!   panel for presigned part URLs, see `services::remote`).
//! - A locked, finished backup cannot be deleted; deleting asks wings to remove the archive
//!   (a 404 there is fine), or deletes the S3 object, and soft-deletes the row.
//! - Only a successful backup can be restored; the server is `restoring_backup` until wings
//!   reports back. An S3 backup is restored from a presigned `GET` URL.
//! - Downloads are a URL to wings' `/download/backup` with a 15-minute single-use JWT
//!   signed with the node's token, or a 15-minute presigned S3 `GET` URL.

use super::not_found;
use aerie_db::Db;
use aerie_db::models::{Node, User};
use aerie_db::repo::backups::Backup;
use aerie_db::repo::servers::{STATUS_RESTORING_BACKUP, Server};
use aerie_http::Error;
use md5::Digest as _;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::s3::{self, S3Storage};
use super::wings::{WingsClient, node_base_url};
use super::{db_err, random_alnum};
use crate::api::atom_timestamp;

/// Backups a server may start per throttle window.
pub const THROTTLE_LIMIT: i64 = 2;
/// The throttle window, in seconds (Pterodactyl's `backups.throttles.period`).
pub const THROTTLE_WINDOW_SECS: i64 = 600;
/// How long a download link is valid, in seconds.
pub const DOWNLOAD_TTL_SECS: i64 = 15 * 60;
/// The adapter of archives kept on the node.
pub const ADAPTER_WINGS: &str = "wings";
/// The adapter of archives kept in S3-compatible storage.
pub const ADAPTER_S3: &str = "s3";

/// A backup to start.
#[derive(Debug, Clone, Default)]
pub struct NewBackup {
    /// Display name; `None` or blank gives `Backup at <date time>`.
    pub name: Option<String>,
    /// Newline-separated ignore patterns (empty lines dropped).
    pub ignored: String,
    /// Start locked.
    pub locked: bool,
}

fn s3_not_configured() -> Error {
    Error::BadRequest(
        "The backup requested is stored in S3, but this panel has no S3 storage configured.".into(),
    )
}

/// The storage an `s3` backup lives in.
///
/// # Errors
/// 400 when the panel has no S3 storage (any more).
pub fn s3_storage(storage: Option<&S3Storage>) -> Result<&S3Storage, Error> {
    storage.ok_or_else(s3_not_configured)
}

/// The node a server runs on, and a wings client for it.
///
/// # Errors
/// [`Error::Internal`] when the node row is missing (a broken foreign key).
pub async fn wings_for(db: &Db, server: &Server) -> Result<(Node, WingsClient), Error> {
    let node = db
        .nodes()
        .find(server.node_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal(format!("server {} has no node", server.id)))?;
    let client = WingsClient::for_node(&node)?;
    Ok((node, client))
}

/// Client API `backup` attributes (reference §2.2).
pub fn backup_attributes(b: &Backup) -> Map<String, Value> {
    let ignored: Vec<&str> = b
        .ignored_files
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    let mut m = Map::new();
    m.insert("uuid".into(), b.uuid.clone().into());
    m.insert("is_successful".into(), b.is_successful.into());
    m.insert("is_locked".into(), b.is_locked.into());
    m.insert("name".into(), b.name.clone().into());
    m.insert("ignored_files".into(), json!(ignored));
    m.insert("checksum".into(), json!(b.checksum));
    m.insert("bytes".into(), b.bytes.into());
    m.insert("created_at".into(), atom_timestamp(Some(&b.created_at)));
    m.insert(
        "completed_at".into(),
        atom_timestamp(b.completed_at.as_deref()),
    );
    m
}

/// A page of a server's backups (oldest first), the total, and how many are not failed
/// (`meta.backup_count`).
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &Db,
    server_id: i64,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Backup>, i64, i64), Error> {
    let (rows, total) = db
        .backups()
        .list_for_server(server_id, offset, limit)
        .await
        .map_err(db_err)?;
    let non_failed = db
        .backups()
        .count_non_failed(server_id)
        .await
        .map_err(db_err)?;
    Ok((rows, total, non_failed))
}

/// One backup of `server_id` by UUID.
///
/// # Errors
/// 404 when it does not exist, is deleted or belongs to another server.
pub async fn find(db: &Db, server_id: i64, uuid: &str) -> Result<Backup, Error> {
    db.backups()
        .find_by_uuid(uuid)
        .await
        .map_err(db_err)?
        .filter(|b| b.server_id == server_id)
        .ok_or_else(not_found)
}

/// Validates a backup request's fields (`name` up to 191 characters).
///
/// # Errors
/// 422 naming the field.
pub fn validate(input: &NewBackup) -> Result<(), Error> {
    crate::api::Validator::new()
        .max("name", input.name.as_deref(), 191)
        .finish()
}

/// Starts a backup of `server`: throttle (when `throttle`), limit, row, wings. With
/// `storage` the backup goes to S3 (`disk = "s3"`), otherwise it stays on the node.
///
/// # Errors
/// 429 over the throttle; 400 when the server allows no backups or is at its limit; the
/// wings error when wings refuses (the row is then removed).
pub async fn start_backup(
    db: &Db,
    storage: Option<&S3Storage>,
    server: &Server,
    input: &NewBackup,
    throttle: bool,
) -> Result<Backup, Error> {
    validate(input)?;
    let repo = db.backups();
    if throttle {
        let since = aerie_db::format_ts(
            chrono::Utc::now() - chrono::Duration::seconds(THROTTLE_WINDOW_SECS),
        );
        let recent = repo
            .count_created_since(server.id, &since)
            .await
            .map_err(db_err)?;
        if recent >= THROTTLE_LIMIT {
            tracing::info!(server.id = server.id, "backup throttled");
            return Err(Error::TooManyRequests {
                retry_after: u64::try_from(THROTTLE_WINDOW_SECS).unwrap_or(600),
            });
        }
    }
    if server.backup_limit <= 0 {
        return Err(Error::BadRequest(
            "Backups cannot be created for this server.".into(),
        ));
    }
    if repo.count_non_failed(server.id).await.map_err(db_err)? >= server.backup_limit {
        return Err(Error::BadRequest(format!(
            "Cannot create a new backup, this server has reached its limit of {} backups.",
            server.backup_limit
        )));
    }
    let name = match input.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => format!(
            "Backup at {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
        ),
    };
    let ignored = input
        .ignored
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let (_, wings) = wings_for(db, server).await?;
    let adapter = if storage.is_some() {
        ADAPTER_S3
    } else {
        ADAPTER_WINGS
    };
    let backup = repo
        .create(server.id, &name, &ignored, adapter, input.locked)
        .await
        .map_err(db_err)?;
    let body = json!({"adapter": adapter, "uuid": backup.uuid, "ignore": ignored});
    if let Err(e) = wings
        .request(
            Method::POST,
            &format!("/api/servers/{}/backup", server.uuid),
            Some(&body),
        )
        .await
    {
        if let Err(d) = repo.delete(backup.id).await {
            tracing::error!(backup.uuid = %backup.uuid, error.message = %d, "could not remove the row of a backup wings refused");
        }
        return Err(e.into());
    }
    Ok(backup)
}

/// `GET /api/remote/backups/{uuid}?size=`: starts the S3 multipart upload of `backup` (its
/// upload id is kept on the row) and presigns one `UploadPart` URL per
/// `ceil(size / part_size)` parts.
///
/// # Errors
/// 400 for a size of 0, a backup that is not stored in S3 (or no S3 storage), or more
/// parts than S3 allows; 409 for a backup that already ended; the S3 error.
pub async fn upload_parts(
    db: &Db,
    storage: Option<&S3Storage>,
    server: &Server,
    backup: &Backup,
    size: u64,
) -> Result<aerie_proto::wings::BackupUploadParts, Error> {
    if size == 0 {
        return Err(Error::BadRequest(
            "A non-empty \"size\" query parameter must be provided.".into(),
        ));
    }
    if backup.disk != ADAPTER_S3 {
        return Err(Error::BadRequest(
            "The configured backup adapter is not an S3 compatible adapter.".into(),
        ));
    }
    if backup.completed_at.is_some() {
        return Err(Error::Conflict(
            "This backup is already in a completed state.".into(),
        ));
    }
    let storage = s3_storage(storage)?;
    let part_size = storage.part_size();
    let count = s3::part_count(size, part_size);
    let count = u16::try_from(count)
        .ok()
        .filter(|c| u64::from(*c) <= s3::MAX_PARTS)
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "A backup of {size} bytes needs more than {} parts of {part_size} bytes.",
                s3::MAX_PARTS
            ))
        })?;
    let key = s3::backup_key(&server.uuid, &backup.uuid);
    if let Some(old) = backup.upload_id.as_deref().filter(|u| !u.is_empty())
        && let Err(e) = storage.abort_multipart_upload(&key, old).await
    {
        tracing::warn!(backup.uuid = %backup.uuid, error.message = %e, "could not abort the earlier S3 upload of a backup");
    }
    let upload_id = storage.create_multipart_upload(&key).await?;
    db.backups()
        .set_upload_id(backup.id, &upload_id)
        .await
        .map_err(db_err)?;
    let parts = (1..=count)
        .map(|n| storage.presign_upload_part(&key, &upload_id, n, s3::UPLOAD_PART_TTL))
        .collect();
    Ok(aerie_proto::wings::BackupUploadParts { parts, part_size })
}

/// Ends the S3 multipart upload of `backup` as wings reported: completes it from the
/// parts' `ETag`s ordered by part number (which must be 1, 2, ... n) when the backup
/// succeeded, aborts it otherwise.
///
/// # Errors
/// 400 without an upload id (wings never asked for part URLs) or with parts that do not
/// number 1..n, or without S3 storage; the S3 error.
pub async fn finish_s3_upload(
    storage: Option<&S3Storage>,
    server: &Server,
    backup: &Backup,
    status: &aerie_proto::wings::BackupStatus,
) -> Result<(), Error> {
    let Some(upload_id) = backup.upload_id.as_deref().filter(|u| !u.is_empty()) else {
        if status.successful {
            return Err(Error::BadRequest(
                "Cannot complete backup request: no upload_id present on model.".into(),
            ));
        }
        return Ok(());
    };
    let storage = s3_storage(storage)?;
    let key = s3::backup_key(&server.uuid, &backup.uuid);
    if !status.successful {
        return storage.abort_multipart_upload(&key, upload_id).await;
    }
    let mut parts: Vec<_> = status.parts.iter().collect();
    parts.sort_by_key(|p| p.part_number);
    if parts
        .iter()
        .enumerate()
        .any(|(i, p)| usize::try_from(p.part_number).ok() != Some(i + 1))
    {
        return Err(Error::BadRequest(
            "The uploaded parts must be numbered 1, 2, 3 ... without gaps.".into(),
        ));
    }
    let etags: Vec<String> = parts.iter().map(|p| p.etag.clone()).collect();
    storage
        .complete_multipart_upload(&key, upload_id, &etags)
        .await
}

/// Flips a backup's lock; returns the backup as it is now.
///
/// # Errors
/// Database failures; 404 when it vanished meanwhile.
pub async fn toggle_lock(db: &Db, backup: &Backup) -> Result<Backup, Error> {
    db.backups()
        .set_locked(backup.id, !backup.is_locked)
        .await
        .map_err(db_err)?;
    db.backups()
        .find(backup.id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Claims of a backup download token (§3.3).
#[derive(Debug, serde::Serialize)]
struct DownloadClaims<'a> {
    iss: &'a str,
    aud: [String; 1],
    jti: &'a str,
    iat: i64,
    nbf: i64,
    exp: i64,
    unique_id: String,
    backup_uuid: &'a str,
    server_uuid: &'a str,
    user_uuid: &'a str,
    user_id: i64,
}

/// The token id Pterodactyl gives a user's tokens for a server: `md5(user_id . server_uuid)`.
pub fn user_jti(user_id: i64, server_uuid: &str) -> String {
    hex::encode(md5::Md5::digest(
        format!("{user_id}{server_uuid}").as_bytes(),
    ))
}

/// A signed URL to download `backup`: from the node, `<node>/download/backup?token=<JWT>`,
/// valid for 15 minutes and once; from S3, a presigned `GET` valid for 15 minutes.
///
/// # Errors
/// 400 for a backup on a disk this panel cannot serve; [`Error::Internal`] when signing
/// fails.
pub async fn download_url(
    db: &Db,
    storage: Option<&S3Storage>,
    panel_url: &str,
    server: &Server,
    backup: &Backup,
    user: &User,
) -> Result<String, Error> {
    if backup.disk == ADAPTER_S3 {
        let storage = s3_storage(storage)?;
        return Ok(storage.presign_get(
            &s3::backup_key(&server.uuid, &backup.uuid),
            s3::DOWNLOAD_TTL,
        ));
    }
    if backup.disk != ADAPTER_WINGS {
        return Err(Error::BadRequest(
            "The backup requested references an unknown disk driver type and cannot be downloaded."
                .into(),
        ));
    }
    let (node, _) = wings_for(db, server).await?;
    let base = node_base_url(&node);
    let now = chrono::Utc::now().timestamp();
    let jti = user_jti(user.id, &server.uuid);
    let claims = DownloadClaims {
        iss: panel_url,
        aud: [base.clone()],
        jti: &jti,
        iat: now,
        nbf: now - 300,
        exp: now + DOWNLOAD_TTL_SECS,
        unique_id: random_alnum(16),
        backup_uuid: &backup.uuid,
        server_uuid: &server.uuid,
        user_uuid: &user.uuid,
        user_id: user.id,
    };
    let token = aerie_jwt::sign(&claims, node.daemon_token.as_bytes(), Some(&jti))
        .map_err(Error::internal)?;
    Ok(format!("{base}/download/backup?token={token}"))
}

/// Restores `backup` onto `server`: only a finished, successful backup of an idle server.
/// The server is `restoring_backup` until wings calls back; when wings refuses, it is put
/// back. Wings fetches an S3 backup through a presigned `GET` URL.
///
/// # Errors
/// 400 for a backup that did not succeed or a server in another state, or an S3 backup
/// without S3 storage; the wings error.
pub async fn restore(
    db: &Db,
    storage: Option<&S3Storage>,
    server: &Server,
    backup: &Backup,
    truncate: bool,
) -> Result<(), Error> {
    if server.status.is_some() {
        return Err(Error::BadRequest(
            "This server is not currently in a state that allows for a backup to be restored."
                .into(),
        ));
    }
    if !backup.is_successful || backup.completed_at.is_none() {
        return Err(Error::BadRequest(
            "This backup cannot be restored at this time: not completed or failed.".into(),
        ));
    }
    let download_url = if backup.disk == ADAPTER_S3 {
        s3_storage(storage)?.presign_get(
            &s3::backup_key(&server.uuid, &backup.uuid),
            s3::DOWNLOAD_TTL,
        )
    } else {
        String::new()
    };
    let (_, wings) = wings_for(db, server).await?;
    if !db
        .servers()
        .set_status_if(server.id, None, Some(STATUS_RESTORING_BACKUP))
        .await
        .map_err(db_err)?
    {
        return Err(Error::BadRequest(
            "This server is not currently in a state that allows for a backup to be restored."
                .into(),
        ));
    }
    let body = json!({
        "adapter": backup.disk,
        "truncate_directory": truncate,
        "download_url": download_url,
    });
    if let Err(e) = wings
        .request(
            Method::POST,
            &format!(
                "/api/servers/{}/backup/{}/restore",
                server.uuid, backup.uuid
            ),
            Some(&body),
        )
        .await
    {
        if let Err(r) = db
            .servers()
            .set_status_if(server.id, Some(STATUS_RESTORING_BACKUP), None)
            .await
        {
            tracing::error!(server.id = server.id, error.message = %r, "could not clear restoring_backup after wings refused a restore");
        }
        return Err(e.into());
    }
    Ok(())
}

/// Deletes `backup`: refused when it is locked and finished; wings removes the archive (a
/// 404 there is fine: it is gone already), or for an S3 backup the object is deleted (and
/// an unfinished upload aborted); then the row is soft-deleted.
///
/// # Errors
/// 400 for a locked backup, or an S3 backup without S3 storage; the wings or S3 error.
pub async fn delete(
    db: &Db,
    storage: Option<&S3Storage>,
    server: &Server,
    backup: &Backup,
) -> Result<(), Error> {
    if backup.is_locked && backup.is_successful && backup.completed_at.is_some() {
        return Err(Error::BadRequest(
            "Cannot delete a backup that is marked as locked.".into(),
        ));
    }
    if backup.disk == ADAPTER_WINGS {
        let (_, wings) = wings_for(db, server).await?;
        if let Err(e) = wings
            .request(
                Method::DELETE,
                &format!("/api/servers/{}/backup/{}", server.uuid, backup.uuid),
                None,
            )
            .await
            && !e.is_not_found()
        {
            return Err(e.into());
        }
    } else if backup.disk == ADAPTER_S3 {
        let storage = s3_storage(storage)?;
        let key = s3::backup_key(&server.uuid, &backup.uuid);
        if backup.completed_at.is_none()
            && let Some(upload_id) = backup.upload_id.as_deref()
            && let Err(e) = storage.abort_multipart_upload(&key, upload_id).await
        {
            tracing::warn!(backup.uuid = %backup.uuid, error.message = %e, "could not abort the S3 upload of a deleted backup");
        }
        storage.delete_object(&key).await?;
    }
    db.backups().delete(backup.id).await.map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jti_is_md5_of_user_id_and_server_uuid() {
        assert_eq!(user_jti(1, "abc"), hex::encode(md5::Md5::digest(b"1abc")));
    }
}
