//! Backups. The archive itself lives on the node (`wings` disk) or in S3; this is the
//! panel's record of it. Deleted backups are soft-deleted (`deleted_at`) so the history of
//! what existed stays readable.

use sea_query::{Expr, Order, Query};
use sqlx::any::AnyRow;

use super::{get_bool, get_i64, get_opt_str, get_str};
use crate::migrations::Backups as B;
use crate::{Db, DbError};

/// A backup record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Backup {
    /// Numeric id.
    pub id: i64,
    /// Owning server.
    pub server_id: i64,
    /// Public UUID (the archive's name on the node).
    pub uuid: String,
    /// S3 multipart upload id while uploading.
    pub upload_id: Option<String>,
    /// Finished and usable.
    pub is_successful: bool,
    /// Locked backups cannot be deleted.
    pub is_locked: bool,
    /// Display name.
    pub name: String,
    /// Ignore patterns, newline separated.
    pub ignored_files: String,
    /// `wings` or `s3`.
    pub disk: String,
    /// `sha1:<hex>`-style checksum as wings reports it.
    pub checksum: Option<String>,
    /// Archive size.
    pub bytes: i64,
    /// When it finished (success or failure); `None` while running.
    pub completed_at: Option<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

const COLS: [B; 14] = [
    B::Id,
    B::ServerId,
    B::Uuid,
    B::UploadId,
    B::IsSuccessful,
    B::IsLocked,
    B::Name,
    B::IgnoredFiles,
    B::Disk,
    B::Checksum,
    B::Bytes,
    B::CompletedAt,
    B::CreatedAt,
    B::UpdatedAt,
];

fn from_row(r: &AnyRow) -> Result<Backup, DbError> {
    Ok(Backup {
        id: get_i64(r, "id")?,
        server_id: get_i64(r, "server_id")?,
        uuid: get_str(r, "uuid")?,
        upload_id: get_opt_str(r, "upload_id")?,
        is_successful: get_bool(r, "is_successful")?,
        is_locked: get_bool(r, "is_locked")?,
        name: get_str(r, "name")?,
        ignored_files: get_str(r, "ignored_files")?,
        disk: get_str(r, "disk")?,
        checksum: get_opt_str(r, "checksum")?,
        bytes: get_i64(r, "bytes")?,
        completed_at: get_opt_str(r, "completed_at")?,
        created_at: get_str(r, "created_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

/// The backups repository.
pub struct BackupRepo<'a>(&'a Db);

impl Db {
    /// Backups.
    pub fn backups(&self) -> BackupRepo<'_> {
        BackupRepo(self)
    }
}

impl BackupRepo<'_> {
    /// Records a new, running backup.
    pub async fn create(
        &self,
        server_id: i64,
        name: &str,
        ignored_files: &str,
        disk: &str,
        is_locked: bool,
    ) -> Result<Backup, DbError> {
        let now = crate::now();
        let mut stmt = Query::insert()
            .into_table(B::Table)
            .columns([
                B::ServerId,
                B::Uuid,
                B::IsLocked,
                B::Name,
                B::IgnoredFiles,
                B::Disk,
                B::CreatedAt,
                B::UpdatedAt,
            ])
            .values_panic([
                server_id.into(),
                uuid::Uuid::new_v4().to_string().into(),
                is_locked.into(),
                name.into(),
                ignored_files.into(),
                disk.into(),
                now.clone().into(),
                now.into(),
            ])
            .to_owned();
        let id = self.0.insert_id(&mut stmt).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DbError::Other("inserted backup vanished".into()))
    }

    /// By id (not deleted).
    pub async fn find(&self, id: i64) -> Result<Option<Backup>, DbError> {
        self.find_where(Expr::col(B::Id).eq(id)).await
    }

    /// By UUID (not deleted).
    pub async fn find_by_uuid(&self, uuid: &str) -> Result<Option<Backup>, DbError> {
        self.find_where(Expr::col(B::Uuid).eq(uuid)).await
    }

    async fn find_where(&self, cond: sea_query::SimpleExpr) -> Result<Option<Backup>, DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(B::Table)
            .and_where(cond)
            .and_where(Expr::col(B::DeletedAt).is_null())
            .to_owned();
        self.0
            .fetch_optional(&q)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// A server's backups (not deleted), oldest first, paged, and the total count.
    pub async fn list_for_server(
        &self,
        server_id: i64,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<Backup>, i64), DbError> {
        let q = Query::select()
            .columns(COLS)
            .from(B::Table)
            .and_where(Expr::col(B::ServerId).eq(server_id))
            .and_where(Expr::col(B::DeletedAt).is_null())
            .order_by(B::CreatedAt, Order::Asc)
            .order_by(B::Id, Order::Asc)
            .offset(offset)
            .limit(limit)
            .to_owned();
        let rows = self.0.fetch_all(&q).await?;
        let total = self.count_for_server(server_id, false).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// How many backups a server has (not deleted); with `successful_only`, only finished,
    /// successful ones.
    pub async fn count_for_server(
        &self,
        server_id: i64,
        successful_only: bool,
    ) -> Result<i64, DbError> {
        let mut q = Query::select()
            .expr(Expr::col(B::Id).count())
            .from(B::Table)
            .and_where(Expr::col(B::ServerId).eq(server_id))
            .and_where(Expr::col(B::DeletedAt).is_null())
            .to_owned();
        if successful_only {
            q.and_where(Expr::col(B::IsSuccessful).eq(1));
        }
        self.0.count(&q).await
    }

    /// How many backups of a server are not failed (not deleted, and successful or still
    /// running): Pterodactyl's `getNonFailedBackups`, which the backup limit counts.
    pub async fn count_non_failed(&self, server_id: i64) -> Result<i64, DbError> {
        let q = Query::select()
            .expr(Expr::col(B::Id).count())
            .from(B::Table)
            .and_where(Expr::col(B::ServerId).eq(server_id))
            .and_where(Expr::col(B::DeletedAt).is_null())
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(B::IsSuccessful).eq(1))
                    .add(Expr::col(B::CompletedAt).is_null()),
            )
            .to_owned();
        self.0.count(&q).await
    }

    /// How many backups a server started since `since` (RFC 3339), deleted ones included:
    /// the throttle counts attempts, not survivors.
    pub async fn count_created_since(&self, server_id: i64, since: &str) -> Result<i64, DbError> {
        let q = Query::select()
            .expr(Expr::col(B::Id).count())
            .from(B::Table)
            .and_where(Expr::col(B::ServerId).eq(server_id))
            .and_where(Expr::col(B::CreatedAt).gte(since))
            .to_owned();
        self.0.count(&q).await
    }

    /// Records how a backup ended. Only a running backup changes; returns whether it did.
    pub async fn complete(
        &self,
        uuid: &str,
        successful: bool,
        checksum: Option<&str>,
        bytes: i64,
    ) -> Result<bool, DbError> {
        let now = crate::now();
        let q = Query::update()
            .table(B::Table)
            .value(B::IsSuccessful, successful)
            .value(B::Checksum, checksum.map(str::to_owned))
            .value(B::Bytes, bytes)
            .value(B::UploadId, None::<String>)
            .value(B::CompletedAt, now.clone())
            .value(B::UpdatedAt, now)
            .and_where(Expr::col(B::Uuid).eq(uuid))
            .and_where(Expr::col(B::CompletedAt).is_null())
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }

    /// Marks every unfinished backup of these servers failed (wings restarted mid-backup).
    pub async fn fail_running(&self, server_ids: &[i64]) -> Result<u64, DbError> {
        if server_ids.is_empty() {
            return Ok(0);
        }
        let now = crate::now();
        let q = Query::update()
            .table(B::Table)
            .value(B::IsSuccessful, false)
            .value(B::CompletedAt, now.clone())
            .value(B::UpdatedAt, now)
            .and_where(Expr::col(B::ServerId).is_in(server_ids.iter().copied()))
            .and_where(Expr::col(B::CompletedAt).is_null())
            .to_owned();
        self.0.execute(&q).await
    }

    /// Stores the S3 multipart upload id.
    pub async fn set_upload_id(&self, id: i64, upload_id: &str) -> Result<(), DbError> {
        let q = Query::update()
            .table(B::Table)
            .value(B::UploadId, upload_id)
            .value(B::UpdatedAt, crate::now())
            .and_where(Expr::col(B::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Locks or unlocks.
    pub async fn set_locked(&self, id: i64, locked: bool) -> Result<(), DbError> {
        let q = Query::update()
            .table(B::Table)
            .value(B::IsLocked, locked)
            .value(B::UpdatedAt, crate::now())
            .and_where(Expr::col(B::Id).eq(id))
            .to_owned();
        self.0.execute(&q).await?;
        Ok(())
    }

    /// Soft-deletes.
    pub async fn delete(&self, id: i64) -> Result<bool, DbError> {
        let now = crate::now();
        let q = Query::update()
            .table(B::Table)
            .value(B::DeletedAt, now.clone())
            .value(B::UpdatedAt, now)
            .and_where(Expr::col(B::Id).eq(id))
            .and_where(Expr::col(B::DeletedAt).is_null())
            .to_owned();
        Ok(self.0.execute(&q).await? > 0)
    }
}
