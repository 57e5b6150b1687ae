//! S3 backups through URLs the panel presigns: the archive is uploaded as a multipart upload
//! the panel created (one `PUT` per part, streamed from the archive file), and a restore
//! streams the object from a presigned `GET` URL. Wings never holds S3 credentials.

use std::io;
use std::path::Path;
use std::time::Duration;

use aerie_proto::wings::{BackupPart, BackupUploadParts};
use axum::body::Bytes;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Attempts per part before the upload is given up.
const PART_ATTEMPTS: u32 = 3;
/// Bytes read from the archive per chunk of a part's body.
const CHUNK: usize = 256 * 1024;

/// A client for presigned URLs: no credentials, no default headers.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Checks that the panel's part plan covers `size` bytes and returns how many parts to send.
pub fn plan(parts: &BackupUploadParts, size: u64) -> Result<usize, String> {
    if parts.part_size == 0 {
        return Err("the panel sent a part size of 0".into());
    }
    let needed = usize::try_from(size.div_ceil(parts.part_size).max(1))
        .map_err(|_| "too many parts".to_owned())?;
    if parts.parts.len() < needed {
        return Err(format!(
            "the panel sent {} part URLs for {size} bytes in parts of {} bytes ({needed} needed)",
            parts.parts.len(),
            parts.part_size
        ));
    }
    Ok(needed)
}

/// Uploads the file at `path` (`size` bytes) in the parts `plan` describes and returns the
/// ETags in part order.
pub async fn upload(
    client: &reqwest::Client,
    path: &Path,
    size: u64,
    parts: &BackupUploadParts,
) -> Result<Vec<BackupPart>, String> {
    let count = plan(parts, size)?;
    let mut done = Vec::with_capacity(count);
    for (i, url) in parts.parts.iter().take(count).enumerate() {
        let offset = i as u64 * parts.part_size;
        let len = parts.part_size.min(size - offset);
        let number = u32::try_from(i + 1).map_err(|_| "too many parts".to_owned())?;
        let mut attempt = 1;
        let etag = loop {
            match put_part(client, url, path, offset, len).await {
                Ok(etag) => break etag,
                Err(e) if attempt < PART_ATTEMPTS => {
                    tracing::debug!(part = number, attempt, error.message = %e, "backup part upload failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) => return Err(format!("uploading part {number} of {count} failed: {e}")),
            }
        };
        done.push(BackupPart {
            etag,
            part_number: number,
        });
    }
    Ok(done)
}

async fn put_part(
    client: &reqwest::Client,
    url: &str,
    path: &Path,
    offset: u64,
    len: u64,
) -> Result<String, String> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot open the archive: {e}"))?;
    file.seek(io::SeekFrom::Start(offset))
        .await
        .map_err(|e| format!("cannot read the archive: {e}"))?;
    let body = futures_util::stream::unfold(
        (file.take(len), vec![0u8; CHUNK]),
        |(mut r, mut buf)| async move {
            match r.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    let chunk = buf[..n].to_vec();
                    Some((Ok::<_, io::Error>(chunk), (r, buf)))
                }
                Err(e) => Some((Err(e), (r, buf))),
            }
        },
    );
    let resp = client
        .put(url)
        .header(reqwest::header::CONTENT_LENGTH, len)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .map_err(describe)?;
    let status = resp.status();
    if !status.is_success() {
        let text = resp.text().await.unwrap_or_default();
        return Err(format!(
            "storage answered {status}: {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    let etag = resp
        .headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| "storage sent no ETag for the part".to_owned())?;
    Ok(etag)
}

/// Starts downloading `url` and returns a blocking reader of its body (for the extractor on a
/// blocking thread). The status is checked before this returns, so a missing object fails
/// before anything on the volume is touched.
pub async fn download(client: &reqwest::Client, url: &str) -> Result<ChannelReader, String> {
    let resp = client.get(url).send().await.map_err(describe)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("storage answered {status} to the backup download"));
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(8);
    let mut stream = resp.bytes_stream();
    tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            let item =
                item.map_err(|e| io::Error::new(io::ErrorKind::ConnectionAborted, describe(e)));
            let failed = item.is_err();
            // A closed channel means the extractor stopped: stop downloading too.
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    Ok(ChannelReader {
        rx,
        current: Bytes::new(),
    })
}

/// A `Read` over a body streamed by an async task. Must be read on a blocking thread.
pub struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = self.current.len().min(buf.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// reqwest's message with its causes, without the URL (presigned URLs carry signatures).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let s_msg = s.to_string();
        if !msg.contains(&s_msg) {
            msg.push_str(": ");
            msg.push_str(&s_msg);
        }
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_must_cover_the_archive() {
        let p = |n: usize, size: u64| BackupUploadParts {
            parts: vec!["u".into(); n],
            part_size: size,
        };
        assert_eq!(plan(&p(3, 10), 25), Ok(3));
        assert_eq!(plan(&p(5, 10), 20), Ok(2));
        assert_eq!(plan(&p(1, 10), 1), Ok(1));
        assert!(plan(&p(2, 10), 25).is_err());
        assert!(plan(&p(2, 0), 25).is_err());
    }
}
