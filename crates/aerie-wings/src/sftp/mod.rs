//! The SFTP server (`system.sftp` in `config.yml`): users log in as
//! `<panel user>.<server short id>` with their panel password or an SSH key, and see that
//! server's volume as `/`.
//!
//! - **SSH** is [`russh`] (ring backend, no C toolchain beyond what ring needs); the host key
//!   is an Ed25519 key generated on first start and kept 0600 ([`hostkey`]).
//! - **Login** is decided by an [`SftpAuthenticator`]: in production the panel
//!   (`POST /api/remote/sftp/auth`, see [`RemoteClient`](crate::remote::RemoteClient)). The
//!   server the panel answers with must be on this node and be the one the username names.
//!   Failed logins are also counted per client address by wings itself ([`LoginThrottle`]):
//!   a blocked address is told why and disconnected, without asking the panel.
//! - **Files** are served by [`russh_sftp`] with every request checked against the panel
//!   permissions ([`perms`]) and carried out through the server's [`aerie_fs::Jail`]
//!   ([`files`]). Changes are recorded as `server:sftp.*` activity.
//!
//! [`SftpServer::serve`] is the seam tests use (a listener on `127.0.0.1:0`, a shutdown
//! future); [`start_sftp`] is what `boot::start_node` calls.

pub mod auth;
mod files;
pub mod hostkey;
pub mod perms;
mod ssh;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

pub use auth::{
    LoginThrottle, SftpAuthError, SftpAuthKind, SftpAuthRequest, SftpAuthResponse,
    SftpAuthenticator, SftpUsername, ThrottleSettings,
};
pub use hostkey::HostKeyError;
/// The SSH library, re-exported so tests and tools use the very version wings speaks.
pub use russh;
/// The SFTP library, re-exported for the same reason.
pub use russh_sftp;

use crate::config::WingsFile;
use crate::server::Manager;

/// How to run the SFTP server.
#[derive(Debug, Clone)]
pub struct SftpOptions {
    /// Where the host key lives (generated there on first start).
    pub host_key_path: PathBuf,
    /// Refuse every modification (`system.sftp.read_only`).
    pub read_only: bool,
    /// Wings' own limit on failed logins per client address.
    pub throttle: ThrottleSettings,
    /// How long a rejected login takes at least (so timing tells nothing; also slows
    /// guessing on one connection).
    pub auth_rejection_time: Duration,
    /// Connections with no traffic for this long are closed.
    pub idle_timeout: Duration,
    /// A client that has not logged in by then is disconnected.
    pub login_grace: Duration,
}

impl SftpOptions {
    /// Defaults, with the host key at `host_key_path`.
    pub fn new(host_key_path: impl Into<PathBuf>) -> Self {
        Self {
            host_key_path: host_key_path.into(),
            read_only: false,
            throttle: ThrottleSettings::default(),
            auth_rejection_time: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(900),
            login_grace: Duration::from_secs(120),
        }
    }
}

/// What every connection shares.
pub(crate) struct Shared {
    pub manager: Arc<Manager>,
    pub authenticator: Arc<dyn SftpAuthenticator>,
    pub throttle: LoginThrottle,
    pub read_only: bool,
}

/// The SFTP server of a node.
#[derive(Clone)]
pub struct SftpServer {
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    login_grace: Duration,
    fingerprint: String,
}

impl std::fmt::Debug for SftpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftpServer")
            .field("read_only", &self.shared.read_only)
            .field("host_key", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl SftpServer {
    /// A server for `manager`'s servers, logins checked by `authenticator`. Loads (or
    /// creates) the host key: a blocking file operation, done once at start-up.
    pub fn new(
        manager: Arc<Manager>,
        authenticator: Arc<dyn SftpAuthenticator>,
        options: SftpOptions,
    ) -> Result<Self, HostKeyError> {
        let key = hostkey::load_or_generate(&options.host_key_path)?;
        let fingerprint = key.fingerprint(russh::keys::HashAlg::Sha256).to_string();
        let mut methods = russh::MethodSet::empty();
        methods.push(russh::MethodKind::Password);
        methods.push(russh::MethodKind::PublicKey);
        let config = russh::server::Config {
            server_id: russh::SshId::Standard(
                format!("SSH-2.0-Aerie_{}", aerie_proto::VERSION).into(),
            ),
            methods,
            auth_rejection_time: options.auth_rejection_time,
            // OpenSSH clients open with a "none" attempt to learn the methods: answer at once.
            auth_rejection_time_initial: Some(Duration::ZERO),
            keys: vec![key],
            max_auth_attempts: 6,
            inactivity_timeout: Some(options.idle_timeout),
            nodelay: true,
            // Larger flow-control window and queues: uploads stall less waiting for window
            // adjustments (OpenSSH's client keeps 64 requests in flight).
            window_size: 16 * 1024 * 1024,
            channel_buffer_size: 1024,
            event_buffer_size: 256,
            ..Default::default()
        };
        Ok(Self {
            shared: Arc::new(Shared {
                manager,
                authenticator,
                throttle: LoginThrottle::new(options.throttle),
                read_only: options.read_only,
            }),
            config: Arc::new(config),
            login_grace: options.login_grace,
            fingerprint,
        })
    }

    /// The host key's SHA-256 fingerprint (`SHA256:…`), as clients show it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Accepts connections on `listener` until `shutdown` resolves; open connections are
    /// then told wings is going away and closed.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => {
                    let _ = stop_tx.send(true);
                    return Ok(());
                }
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let me = self.clone();
                        let stop = stop_rx.clone();
                        tokio::spawn(async move { me.connection(stream, peer, stop).await });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: keep serving once it passes.
                        tracing::warn!(error.message = %e, "SFTP: accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
    }

    async fn connection(
        self,
        stream: TcpStream,
        peer: SocketAddr,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let info = ssh::ConnectionInfo {
            peer,
            client_version: Arc::new(OnceLock::new()),
            handle: Arc::new(OnceLock::new()),
            authenticated: Arc::new(AtomicBool::new(false)),
        };
        let (handle_cell, authenticated) = (info.handle.clone(), info.authenticated.clone());
        let stream = VersionSniffer::new(stream, info.client_version.clone());
        let handler = ssh::Connection::new(self.shared.clone(), info);
        let started = tokio::time::timeout(
            Duration::from_secs(30),
            russh::server::run_stream(self.config.clone(), stream, handler),
        )
        .await;
        let mut session = match started {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::debug!(client.address = %peer, error.message = %e, "SFTP: SSH handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(client.address = %peer, "SFTP: no SSH handshake within 30 s");
                return;
            }
        };
        let handle = session.handle();
        let _ = handle_cell.set(handle.clone());
        let grace = tokio::time::sleep(self.login_grace);
        tokio::pin!(grace);
        let mut grace_over = false;
        loop {
            tokio::select! {
                ended = &mut session => {
                    if let Err(e) = ended {
                        tracing::debug!(client.address = %peer, error.message = %e, "SFTP: connection ended with an error");
                    }
                    return;
                }
                () = &mut grace, if !grace_over => {
                    grace_over = true;
                    if !authenticated.load(std::sync::atomic::Ordering::SeqCst) {
                        let _ = handle.disconnect(russh::Disconnect::ByApplication, "login took too long".into(), "en".into()).await;
                    }
                }
                _ = stop.changed() => {
                    let _ = handle.disconnect(russh::Disconnect::ByApplication, "the SFTP server is shutting down".into(), "en".into()).await;
                    return;
                }
            }
        }
    }
}

/// Starts the node's SFTP server on `system.sftp.bind_address:bind_port` when the port is
/// not 0 and there is a panel to check logins, with the host key at
/// `<system.root_directory>/.sftp/id_ed25519`. Returns the bound address; a port in use or a
/// bad host key is logged and wings carries on without SFTP.
pub async fn start_sftp(file: &WingsFile, manager: Arc<Manager>) -> Option<SocketAddr> {
    let cfg = &file.system.sftp;
    if cfg.bind_port == 0 {
        tracing::info!("SFTP is disabled (system.sftp.bind_port is 0)");
        return None;
    }
    let authenticator: Arc<dyn SftpAuthenticator> = match crate::remote::RemoteClient::new(file) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tracing::warn!(error.message = %e, "SFTP not started: logins are checked by the panel, and there is none");
            return None;
        }
    };
    let root = if file.system.root_directory.is_empty() {
        "/var/lib/pterodactyl"
    } else {
        &file.system.root_directory
    };
    let mut options = SftpOptions::new(PathBuf::from(root).join(".sftp").join("id_ed25519"));
    options.read_only = cfg.read_only;
    let server =
        match tokio::task::spawn_blocking(move || SftpServer::new(manager, authenticator, options))
            .await
        {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::error!(error.message = %e, "SFTP not started");
                return None;
            }
            Err(e) => {
                tracing::error!(error.message = %e, "SFTP not started");
                return None;
            }
        };
    let bind = format!(
        "{}:{}",
        if cfg.bind_address.is_empty() {
            "0.0.0.0"
        } else {
            &cfg.bind_address
        },
        cfg.bind_port
    );
    let listener = match TcpListener::bind(&bind).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(address = %bind, error.message = %e, "SFTP not started: cannot listen");
            return None;
        }
    };
    let addr = listener.local_addr().ok()?;
    tracing::info!(address = %addr, host_key = server.fingerprint(), read_only = cfg.read_only, "SFTP server listening");
    tokio::spawn(async move {
        if let Err(e) = server.serve(listener, std::future::pending()).await {
            tracing::error!(error.message = %e, "SFTP server stopped");
        }
    });
    Some(addr)
}

/// A stream that keeps the first line the client sends (its SSH identification,
/// `SSH-2.0-…`), so logins can report the client version to the panel.
struct VersionSniffer {
    inner: TcpStream,
    seen: Vec<u8>,
    done: bool,
    out: Arc<OnceLock<String>>,
}

/// RFC 4253 limits the identification line to 255 bytes.
const MAX_ID_LINE: usize = 255;

impl VersionSniffer {
    fn new(inner: TcpStream, out: Arc<OnceLock<String>>) -> Self {
        Self {
            inner,
            seen: Vec::new(),
            done: false,
            out,
        }
    }
}

impl AsyncRead for VersionSniffer {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let me = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut me.inner).poll_read(cx, buf);
        if !me.done && matches!(polled, Poll::Ready(Ok(()))) {
            for &b in &buf.filled()[before..] {
                if b == b'\n' || me.seen.len() >= MAX_ID_LINE {
                    me.done = true;
                    let line = String::from_utf8_lossy(&me.seen)
                        .trim_end_matches('\r')
                        .to_owned();
                    let _ = me.out.set(line);
                    me.seen = Vec::new();
                    break;
                }
                me.seen.push(b);
            }
        }
        polled
    }
}

impl AsyncWrite for VersionSniffer {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
