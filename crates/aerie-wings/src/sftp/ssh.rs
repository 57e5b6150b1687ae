//! One SSH connection: login (password or public key, checked by the
//! [`SftpAuthenticator`](super::SftpAuthenticator) and the [`LoginThrottle`](super::LoginThrottle)),
//! then session channels whose only use is the `sftp` subsystem. Shells, commands, port
//! forwarding and every other channel type are refused.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aerie_proto::wings::{SftpAuthKind, SftpAuthRequest};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, Disconnect};

use super::Shared;
use super::auth::{SftpAuthError, SftpUsername};
use super::files::{Login, SessionSlot, SftpHandler};
use super::perms::Grants;

/// What the accept loop shares with a connection's handler.
pub(crate) struct ConnectionInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// The client's identification line, once read off the wire.
    pub client_version: Arc<OnceLock<String>>,
    /// The session handle, set once the SSH session runs (to disconnect a blocked client).
    pub handle: Arc<OnceLock<russh::server::Handle>>,
    /// Set when the client has logged in.
    pub authenticated: Arc<AtomicBool>,
}

/// The russh handler of one connection.
pub(crate) struct Connection {
    shared: Arc<Shared>,
    info: ConnectionInfo,
    session_id: String,
    login: Option<Arc<Login>>,
    /// Only the first refused public key of a connection counts as a failed login: clients
    /// offer every key they hold, one after the other.
    key_failure_counted: bool,
    channels: HashMap<ChannelId, Channel<Msg>>,
    /// SFTP sessions of this connection still running.
    sessions: Arc<AtomicUsize>,
}

/// At most this many session channels (pending or running SFTP) at once per connection.
const MAX_CHANNELS: usize = 8;

impl Connection {
    pub(crate) fn new(shared: Arc<Shared>, info: ConnectionInfo) -> Self {
        let session_id = format!("{:032x}", rand::random::<u128>());
        Self {
            shared,
            info,
            session_id,
            login: None,
            key_failure_counted: false,
            channels: HashMap::new(),
            sessions: Arc::default(),
        }
    }

    fn blocked_message(&self, left: Duration) -> String {
        format!(
            "Too many failed login attempts from {}. Try again in {} seconds.",
            self.info.peer.ip(),
            left.as_secs().max(1)
        )
    }

    /// Refuses a blocked client: the rejection, and a disconnect that carries the reason
    /// (most clients print it).
    fn refuse_blocked(&self, left: Duration) -> Auth {
        let msg = self.blocked_message(left);
        if let Some(handle) = self.info.handle.get().cloned() {
            tokio::spawn(async move {
                let _ = handle
                    .disconnect(Disconnect::NoMoreAuthMethodsAvailable, msg, "en".into())
                    .await;
            });
        }
        Auth::reject()
    }

    fn failed(&mut self, counts: bool) -> Auth {
        if counts && let Some(left) = self.shared.throttle.record_failure(self.info.peer.ip()) {
            tracing::warn!(client.address = %self.info.peer.ip(), block_s = left.as_secs(), "SFTP: too many failed logins; refusing this address for a while");
            return self.refuse_blocked(left);
        }
        Auth::reject()
    }

    async fn login(&mut self, username: &str, kind: SftpAuthKind, secret: String) -> Auth {
        let ip = self.info.peer.ip();
        if let Some(left) = self.shared.throttle.blocked_for(ip) {
            return self.refuse_blocked(left);
        }
        let counts = kind == SftpAuthKind::Password || !self.key_failure_counted;
        if kind == SftpAuthKind::PublicKey {
            self.key_failure_counted = true;
        }
        let Some(name) = SftpUsername::parse(username) else {
            tracing::debug!(client.address = %ip, "SFTP: username not in the form <user>.<server id>");
            return self.failed(counts);
        };
        let req = SftpAuthRequest {
            kind,
            username: username.to_owned(),
            password: secret,
            ip: ip.to_string(),
            session_id: self.session_id.clone(),
            client_version: self.info.client_version.get().cloned().unwrap_or_default(),
        };
        let resp = match self.shared.authenticator.authenticate(req).await {
            Ok(r) => r,
            Err(SftpAuthError::Denied) => {
                tracing::debug!(client.address = %ip, "SFTP: login denied");
                return self.failed(counts);
            }
            Err(SftpAuthError::Throttled) => {
                tracing::info!(client.address = %ip, "SFTP: the panel is throttling logins from this client");
                return Auth::reject();
            }
            Err(e) => {
                tracing::warn!(client.address = %ip, error.message = %e, "SFTP: cannot check a login");
                return Auth::reject();
            }
        };
        let server = self.shared.manager.get(&resp.server);
        let Some(server) = server.filter(|_| name.names_server(&resp.server)) else {
            tracing::warn!(client.address = %ip, server.uuid = %resp.server, "SFTP: the panel accepted a login for a server that is not on this node or not the one named");
            return self.failed(counts);
        };
        if server.is_suspended() {
            tracing::debug!(client.address = %ip, server.uuid = %resp.server, "SFTP: login to a suspended server refused");
            return Auth::reject();
        }
        tracing::info!(client.address = %ip, server.uuid = %resp.server, user.uuid = %resp.user, "SFTP: logged in");
        self.login = Some(Arc::new(Login {
            user: resp.user,
            server: resp.server,
            grants: Grants::new(&resp.permissions),
            ip: ip.to_string(),
        }));
        self.info.authenticated.store(true, Ordering::SeqCst);
        Auth::Accept
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        Ok(self
            .shared
            .throttle
            .blocked_for(self.info.peer.ip())
            .map(|left| format!("{}\r\n", self.blocked_message(left))))
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(self
            .login(user, SftpAuthKind::Password, password.to_owned())
            .await)
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        _offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        // Spare the signature check when the answer is no anyway.
        if self
            .shared
            .throttle
            .blocked_for(self.info.peer.ip())
            .is_some()
            || SftpUsername::parse(user).is_none()
        {
            return Ok(Auth::reject());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        // The panel compares keys as `authorized_keys` lines: `<algorithm> <base64>`.
        let mut public = key.public_key.clone();
        public.set_comment("");
        let Ok(line) = public.to_openssh() else {
            return Ok(Auth::reject());
        };
        Ok(self
            .login(user, SftpAuthKind::PublicKey, line.trim().to_owned())
            .await)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.login.is_none()
            || self.channels.len() + self.sessions.load(Ordering::SeqCst) >= MAX_CHANNELS
        {
            // Dropping the reply refuses the channel.
            return Ok(());
        }
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (Some(login), "sftp") = (self.login.clone(), name) else {
            return session.channel_failure(channel);
        };
        let Some(ch) = self.channels.remove(&channel) else {
            return session.channel_failure(channel);
        };
        session.channel_success(channel)?;
        let handler = SftpHandler::new(
            self.shared.clone(),
            login,
            SessionSlot::take(&self.sessions),
        );
        russh_sftp::server::run(ch.into_stream(), handler).await;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.close(channel)
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.remove(&channel);
        Ok(())
    }
}
