//! S3-compatible storage for backups (Pterodactyl's `s3` backup disk).
//!
//! Wings never sees the panel's S3 credentials: the panel starts a multipart upload, hands
//! wings presigned `UploadPart` URLs (`GET /api/remote/backups/{uuid}?size=`), and completes
//! (or aborts) the upload when wings reports the backup's end with the parts' `ETag`s.
//! Downloads and restores go through presigned `GET` URLs; deleting a backup deletes the
//! object. Requests are signed with AWS Signature V4 by `rusty-s3` (Sans-IO) and sent with
//! `reqwest`. Objects are named `{server_uuid}/{backup_uuid}.tar.gz`, as Pterodactyl names
//! them.

use std::sync::Arc;
use std::time::Duration;

use aerie_http::Error;
use rusty_s3::actions::CreateMultipartUpload;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

/// How long the presigned `UploadPart` URLs given to wings are valid (Pterodactyl's
/// `backups.presigned_url_lifespan`, 60 minutes).
pub const UPLOAD_PART_TTL: Duration = Duration::from_secs(60 * 60);
/// How long a presigned download or restore URL is valid.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// The most parts S3 accepts in one multipart upload.
pub const MAX_PARTS: u64 = 10_000;
/// How long the panel's own requests to S3 may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long signed URLs of the panel's own requests are valid.
const REQUEST_SIGN_TTL: Duration = Duration::from_secs(5 * 60);

/// The settings of an S3-compatible store.
#[derive(Clone)]
pub struct S3Settings {
    /// Endpoint URL (`https://s3.us-east-1.amazonaws.com`, `http://127.0.0.1:9000`).
    pub endpoint: String,
    /// Region.
    pub region: String,
    /// Bucket name.
    pub bucket: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Path-style URLs (`<endpoint>/<bucket>/<key>`) instead of virtual-host style.
    pub path_style: bool,
    /// The size of every part but the last, in bytes.
    pub part_size: u64,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .field("path_style", &self.path_style)
            .field("part_size", &self.part_size)
            .finish_non_exhaustive()
    }
}

/// The S3 store backups go to. Cheap to clone.
#[derive(Clone)]
pub struct S3Storage {
    bucket: Arc<Bucket>,
    credentials: Arc<Credentials>,
    part_size: u64,
    http: reqwest::Client,
}

impl std::fmt::Debug for S3Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Storage")
            .field("endpoint", &self.bucket.base_url().as_str())
            .field("part_size", &self.part_size)
            .finish_non_exhaustive()
    }
}

/// The object key of a backup: `{server_uuid}/{backup_uuid}.tar.gz`.
pub fn backup_key(server_uuid: &str, backup_uuid: &str) -> String {
    format!("{server_uuid}/{backup_uuid}.tar.gz")
}

/// How many parts an archive of `size` bytes needs: `ceil(size / part_size)`, at least 1.
pub fn part_count(size: u64, part_size: u64) -> u64 {
    size.div_ceil(part_size.max(1)).max(1)
}

fn s3_error(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::warn!(error.message = %e, "S3 {what} failed");
    Error::BadGateway(format!("The backup storage refused to {what}."))
}

impl S3Storage {
    /// A store from `settings`.
    ///
    /// # Errors
    /// A message when the endpoint is not an http(s) URL or the bucket name cannot be used
    /// with the URL style.
    pub fn new(settings: &S3Settings) -> Result<Self, String> {
        let endpoint = url::Url::parse(&settings.endpoint)
            .map_err(|e| format!("invalid S3 endpoint `{}`: {e}", settings.endpoint))?;
        let style = if settings.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            settings.bucket.clone(),
            settings.region.clone(),
        )
        .map_err(|e| format!("invalid S3 bucket `{}`: {e}", settings.bucket))?;
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            bucket: Arc::new(bucket),
            credentials: Arc::new(Credentials::new(
                settings.access_key_id.clone(),
                settings.secret_access_key.clone(),
            )),
            part_size: settings.part_size.max(1),
            http,
        })
    }

    /// The size of every part but the last, in bytes.
    pub fn part_size(&self) -> u64 {
        self.part_size
    }

    /// Starts a multipart upload of `key`; returns its upload id.
    ///
    /// # Errors
    /// [`Error::BadGateway`] when S3 refuses or answers something unreadable.
    pub async fn create_multipart_upload(&self, key: &str) -> Result<String, Error> {
        let action = self
            .bucket
            .create_multipart_upload(Some(&self.credentials), key);
        let url = action.sign(REQUEST_SIGN_TTL);
        let body = self
            .send(self.http.post(url.as_str()), "start an upload")
            .await?;
        let parsed = CreateMultipartUpload::parse_response(&body)
            .map_err(|e| s3_error("start an upload", e))?;
        Ok(parsed.upload_id().to_owned())
    }

    /// A presigned `UploadPart` URL for part `part_number` (1-based) of an upload.
    pub fn presign_upload_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u16,
        ttl: Duration,
    ) -> String {
        self.bucket
            .upload_part(Some(&self.credentials), key, part_number, upload_id)
            .sign(ttl)
            .into()
    }

    /// Completes an upload from its parts' `ETag`s in part order (part 1 first).
    ///
    /// # Errors
    /// [`Error::BadGateway`] when S3 refuses (S3 may answer 200 with an error body; that
    /// counts as a refusal); [`Error::BadRequest`] for no parts or more than S3 allows.
    pub async fn complete_multipart_upload(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), Error> {
        if etags.is_empty() || etags.len() as u64 > MAX_PARTS {
            return Err(Error::BadRequest(format!(
                "A backup upload needs 1 to {MAX_PARTS} parts, not {}.",
                etags.len()
            )));
        }
        let action = self.bucket.complete_multipart_upload(
            Some(&self.credentials),
            key,
            upload_id,
            etags.iter().map(String::as_str),
        );
        let url = action.sign(REQUEST_SIGN_TTL);
        let body = action.body();
        let answer = self
            .send(
                self.http.post(url.as_str()).body(body),
                "complete the upload",
            )
            .await?;
        rusty_s3::actions::CompleteMultipartUploadResponse::parse(&answer)
            .map_err(|e| s3_error("complete the upload", e))?;
        Ok(())
    }

    /// Aborts an upload; the parts sent so far are dropped. An upload S3 no longer knows
    /// counts as aborted.
    ///
    /// # Errors
    /// [`Error::BadGateway`] when S3 refuses.
    pub async fn abort_multipart_upload(&self, key: &str, upload_id: &str) -> Result<(), Error> {
        let url = self
            .bucket
            .abort_multipart_upload(Some(&self.credentials), key, upload_id)
            .sign(REQUEST_SIGN_TTL);
        self.send_allow_missing(self.http.delete(url.as_str()), "abort the upload")
            .await
    }

    /// A presigned `GET` URL of `key`.
    pub fn presign_get(&self, key: &str, ttl: Duration) -> String {
        self.bucket
            .get_object(Some(&self.credentials), key)
            .sign(ttl)
            .into()
    }

    /// Deletes `key` (an object that is already gone is fine).
    ///
    /// # Errors
    /// [`Error::BadGateway`] when S3 refuses.
    pub async fn delete_object(&self, key: &str) -> Result<(), Error> {
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), key)
            .sign(REQUEST_SIGN_TTL);
        self.send_allow_missing(self.http.delete(url.as_str()), "delete the backup")
            .await
    }

    async fn send(&self, req: reqwest::RequestBuilder, what: &str) -> Result<String, Error> {
        let resp = req.send().await.map_err(|e| s3_error(what, e))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| s3_error(what, e))?;
        if !status.is_success() {
            return Err(s3_error(what, format!("HTTP {status}: {body}")));
        }
        Ok(body)
    }

    async fn send_allow_missing(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(), Error> {
        let resp = req.send().await.map_err(|e| s3_error(what, e))?;
        let status = resp.status();
        if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        let body = resp.text().await.unwrap_or_default();
        Err(s3_error(what, format!("HTTP {status}: {body}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_size() {
        assert_eq!(part_count(0, 5), 1);
        assert_eq!(part_count(5, 5), 1);
        assert_eq!(part_count(6, 5), 2);
        assert_eq!(part_count(10, 5), 2);
        assert_eq!(part_count(11, 5), 3);
    }

    #[test]
    fn keys_and_urls() {
        assert_eq!(backup_key("s", "b"), "s/b.tar.gz");
        let s = S3Storage::new(&S3Settings {
            endpoint: "http://127.0.0.1:9000".into(),
            region: "us-east-1".into(),
            bucket: "bk".into(),
            access_key_id: "id".into(),
            secret_access_key: "secret".into(),
            path_style: true,
            part_size: 5,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let url = s.presign_upload_part("s/b.tar.gz", "up1", 2, UPLOAD_PART_TTL);
        assert!(
            url.starts_with("http://127.0.0.1:9000/bk/s/b.tar.gz?"),
            "{url}"
        );
        assert!(
            url.contains("partNumber=2") && url.contains("uploadId=up1"),
            "{url}"
        );
        assert!(url.contains("X-Amz-Signature=") && !url.contains("secret"));
        assert!(!format!("{s:?}").contains("secret"));
    }
}
