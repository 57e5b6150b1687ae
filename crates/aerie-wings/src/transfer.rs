//! Moving a server between nodes (§6.7). The source streams a tar.gz of the volume, read
//! through the jail, to the target's `/api/transfers` as multipart (`archive`, then
//! `checksum`, the hex SHA-256 of the gzip bytes). The target checks the panel-signed JWT,
//! stores the archive inside the new volume through the jail, verifies the checksum, and
//! only then unpacks it with the archive crate's protections; it reports success or failure
//! to the panel. The source changes nothing: its files stay until the panel deletes the
//! server there after a success, and a failure leaves it exactly as it was.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aerie_fs::Jail;
use aerie_proto::wings::events;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Claims of the transfer JWT (signed by the panel with the TARGET node's token).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransferClaims {
    /// The server UUID.
    pub sub: String,
    /// Expiry.
    pub exp: i64,
    /// Issued at.
    #[serde(default)]
    pub iat: i64,
}

/// `POST /api/servers/{uuid}/transfer` body.
#[derive(Debug, Clone, Deserialize)]
pub struct TransferRequest {
    /// The target's `/api/transfers` URL.
    pub url: String,
    /// `Bearer <jwt>` for the target.
    pub token: String,
    /// The server being moved.
    pub server: TransferServer,
}

/// The server part of a transfer request.
#[derive(Debug, Clone, Deserialize)]
pub struct TransferServer {
    /// UUID.
    pub uuid: String,
    /// Start on the target once it arrives.
    #[serde(default)]
    pub start_on_completion: bool,
}

/// Transfers in progress on this node, with their cancel flags.
#[derive(Default)]
pub struct Transfers {
    outgoing: Mutex<HashMap<String, Arc<AtomicBool>>>,
    incoming: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Transfers {
    /// Registers an outgoing transfer; `None` when one is already running.
    pub fn begin_outgoing(&self, uuid: &str) -> Option<Arc<AtomicBool>> {
        let mut m = lock(&self.outgoing);
        if m.contains_key(uuid) {
            return None;
        }
        let flag = Arc::new(AtomicBool::new(false));
        m.insert(uuid.to_owned(), flag.clone());
        Some(flag)
    }
    /// Registers an incoming transfer; `None` when one is already running.
    pub fn begin_incoming(&self, uuid: &str) -> Option<Arc<AtomicBool>> {
        let mut m = lock(&self.incoming);
        if m.contains_key(uuid) {
            return None;
        }
        let flag = Arc::new(AtomicBool::new(false));
        m.insert(uuid.to_owned(), flag.clone());
        Some(flag)
    }
    /// Ends a transfer (either direction).
    pub fn end(&self, uuid: &str) {
        lock(&self.outgoing).remove(uuid);
        lock(&self.incoming).remove(uuid);
    }
    /// Asks an outgoing transfer to stop; false when there is none.
    pub fn cancel_outgoing(&self, uuid: &str) -> bool {
        lock(&self.outgoing)
            .get(uuid)
            .map(|f| f.store(true, Ordering::SeqCst))
            .is_some()
    }
    /// Asks an incoming transfer to stop; false when there is none.
    pub fn cancel_incoming(&self, uuid: &str) -> bool {
        lock(&self.incoming)
            .get(uuid)
            .map(|f| f.store(true, Ordering::SeqCst))
            .is_some()
    }
    /// Whether `uuid` is being transferred either way.
    pub fn is_transferring(&self, uuid: &str) -> bool {
        lock(&self.outgoing).contains_key(uuid) || lock(&self.incoming).contains_key(uuid)
    }
}

/// A writer that sends what it gets down a channel (to become an HTTP body) and hashes it.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    hash: Sha256,
    cancel: Arc<AtomicBool>,
    sent: u64,
    progress: Box<dyn FnMut(u64) + Send>,
}

/// How often progress is reported.
const PROGRESS_EVERY: u64 = 32 * 1024 * 1024;

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.cancel.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("the transfer was cancelled"));
        }
        self.hash.update(buf);
        let before = self.sent / PROGRESS_EVERY;
        self.sent += buf.len() as u64;
        if self.sent / PROGRESS_EVERY != before {
            (self.progress)(self.sent);
        }
        self.tx.blocking_send(Ok(buf.to_vec())).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the target stopped receiving",
            )
        })?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn append_dir(
    jail: &Jail,
    tar: &mut tar::Builder<impl Write>,
    dir: &str,
    cancel: &AtomicBool,
) -> std::io::Result<()> {
    let entries = jail.list(dir).map_err(std::io::Error::other)?;
    for e in entries {
        if cancel.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("the transfer was cancelled"));
        }
        let path = if dir == "/" {
            format!("/{}", e.name)
        } else {
            format!("{dir}/{}", e.name)
        };
        let name = path.trim_start_matches('/');
        if e.symlink {
            continue;
        }
        let mode = u32::from_str_radix(&e.mode_bits, 8).unwrap_or(0o644);
        if e.directory {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(mode);
            h.set_size(0);
            h.set_mtime(u64::try_from(e.modified.timestamp()).unwrap_or(0));
            tar.append_data(&mut h, format!("{name}/"), std::io::empty())?;
            append_dir(jail, tar, &path, cancel)?;
        } else if e.file {
            // A file that vanished or became unreadable since the listing is skipped.
            let Ok(file) = jail.open_read(&path) else {
                continue;
            };
            let len = file.metadata()?.len();
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Regular);
            h.set_mode(mode);
            h.set_size(len);
            h.set_mtime(u64::try_from(e.modified.timestamp()).unwrap_or(0));
            // Read exactly the size recorded, so a file growing during the copy stays valid.
            tar.append_data(&mut h, name, std::io::Read::take(file, len))?;
        }
    }
    Ok(())
}

/// Writes a tar.gz of the whole volume into `tx`, returning the hex SHA-256 of the bytes sent.
/// `progress` is called with the bytes sent so far, every 32 MiB.
pub fn stream_volume(
    jail: &Jail,
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    cancel: Arc<AtomicBool>,
    progress: Box<dyn FnMut(u64) + Send>,
) -> std::io::Result<String> {
    let writer = ChannelWriter {
        tx,
        hash: Sha256::new(),
        cancel: cancel.clone(),
        sent: 0,
        progress,
    };
    let gz = flate2::write::GzEncoder::new(
        std::io::BufWriter::with_capacity(256 * 1024, writer),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    append_dir(jail, &mut tar, "/", &cancel)?;
    let gz = tar.into_inner()?;
    let buf = gz.finish()?;
    let mut writer = buf.into_inner().map_err(|e| e.into_error())?;
    (writer.progress)(writer.sent);
    Ok(hex::encode(writer.hash.finalize()))
}

/// Publishes a transfer status on the server's websocket.
pub(crate) fn status(server: &crate::server::Server, status: &str) {
    server.publish(events::TRANSFER_STATUS, vec![status.to_owned()]);
}

/// Publishes a transfer log line.
pub(crate) fn log(server: &crate::server::Server, line: &str) {
    let ts = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S UTC");
    server.publish(
        events::TRANSFER_LOGS,
        vec![format!(
            "\u{1b}[33m\u{1b}[1m{ts} [Transfer System]:\u{1b}[39m {line}\u{1b}[0m"
        )],
    );
}
