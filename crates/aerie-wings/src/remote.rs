//! The wings → panel remote API (`/api/remote/*`): listing the node's servers at boot,
//! fetching one server's settings and install script, reporting install results, and
//! uploading activity. Speaks to an Aerie panel and a Pterodactyl panel alike.
//!
//! Every request carries `Authorization: Bearer <token_id>.<token>`; the header is marked
//! sensitive and neither it nor the token ever appears in an error or a log line.
//! Connection failures and 5xx answers are retried with exponential backoff for a bounded
//! time ([`RetryPolicy`]); 4xx answers are final, because asking again cannot change them.

use std::time::{Duration, Instant};

use aerie_proto::error::PanelErrors;
use aerie_proto::wings::{
    ActivityBatch, InstallScript, InstallStatus, RemoteServer, RemoteServerPage,
};
use aerie_proto::wings::{BackupStatus, BackupUploadParts, RestoreStatus};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::config::WingsFile;

/// The media type Pterodactyl's API versioning uses.
const PTERODACTYL_JSON: &str = "application/vnd.pterodactyl.v1+json";

/// What can go wrong calling the panel.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The wings config cannot make a client (no panel URL, a token that is not a header value).
    #[error("cannot call the panel: {message}")]
    Config {
        /// Why.
        message: String,
    },
    /// The panel could not be reached (connection refused, DNS, TLS, timeout), after retries.
    #[error("cannot reach the panel at {url}: {message}")]
    Unreachable {
        /// The URL called (it never holds credentials).
        url: String,
        /// Why.
        message: String,
    },
    /// The panel answered with an error status (5xx only after the retries ran out).
    #[error("the panel answered {status} to {method} {path}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        /// The HTTP status.
        status: u16,
        /// The request method.
        method: String,
        /// The request path.
        path: String,
        /// `errors[0].code` of the Pterodactyl error envelope, when the body had one.
        code: Option<String>,
        /// `errors[0].detail` of the Pterodactyl error envelope, when the body had one.
        detail: Option<String>,
    },
    /// The panel answered 2xx with a body that is not the expected document.
    #[error("unexpected answer from the panel to {method} {path}: {message}")]
    Decode {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
        /// Why.
        message: String,
    },
}

impl RemoteError {
    /// The HTTP status the panel answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            RemoteError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// How long and how often to retry a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait.
    pub initial_delay: Duration,
    /// Waits double up to this.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt
    /// (a wait that would end later is not begun).
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 250 ms, doubling to at most 5 s, for at most 30 s (Wings retries 5xx for 30 s too).
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            initial_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_elapsed: Duration::ZERO,
        }
    }
}

/// A client for the panel's remote API. Cheap to clone.
#[derive(Clone)]
pub struct RemoteClient {
    http: reqwest::Client,
    base: Url,
    per_page: u64,
    /// Retry behaviour; tests shorten it.
    pub retry: RetryPolicy,
}

impl std::fmt::Debug for RemoteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteClient")
            .field("base", &self.base.as_str())
            .field("per_page", &self.per_page)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// What one attempt came to.
enum Attempt {
    Done(reqwest::Response),
    /// Worth another try (connection failure or 5xx).
    Retry(RemoteError),
    Fail(RemoteError),
}

impl RemoteClient {
    /// A client for the panel at `config.remote`, authenticating as the node of `config`,
    /// with the timeout and page size of `config.remote_query`.
    pub fn new(config: &WingsFile) -> Result<Self, RemoteError> {
        let bad = |message: String| RemoteError::Config { message };
        let remote = config.remote.trim();
        if remote.is_empty() {
            return Err(bad(
                "`remote` (the panel URL) is not set in the wings config".into(),
            ));
        }
        let base = Url::parse(remote).map_err(|e| bad(format!("`remote` is not a URL ({e})")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(bad(format!(
                "`remote` must be an http(s) URL, not `{remote}`"
            )));
        }
        if config.token_id.is_empty() || config.token.is_empty() {
            return Err(bad(
                "`token_id` and `token` must both be set in the wings config".into(),
            ));
        }
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}.{}", config.token_id, config.token))
                .map_err(|_| {
                    bad(
                        "`token_id` or `token` holds characters not allowed in an HTTP header"
                            .into(),
                    )
                })?;
        auth.set_sensitive(true);
        let agent = HeaderValue::from_str(&format!(
            "Aerie Wings/v{} (id:{})",
            aerie_proto::VERSION,
            config.token_id
        ))
        .map_err(|_| bad("`token_id` holds characters not allowed in an HTTP header".into()))?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static(PTERODACTYL_JSON));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, agent);
        let timeout = match config.remote_query.timeout {
            0 => Duration::from_secs(30),
            s => Duration::from_secs(s),
        };
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(timeout)
            .build()
            .map_err(|e| bad(format!("cannot build the HTTP client ({e})")))?;
        Ok(Self {
            http,
            base,
            per_page: config.remote_query.boot_servers_per_page.max(1),
            retry: RetryPolicy::default(),
        })
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Every server on this node (`GET /api/remote/servers`), fetched page by page until
    /// `meta.current_page` reaches `meta.last_page`.
    pub async fn list_servers(&self) -> Result<Vec<RemoteServer>, RemoteError> {
        let mut servers = Vec::new();
        let mut page: u64 = 1;
        loop {
            let url = self.url(
                &["servers"],
                &[
                    ("page", page.to_string()),
                    ("per_page", self.per_page.to_string()),
                ],
            );
            let p: RemoteServerPage = self.json(Method::GET, url, None).await?;
            servers.extend(p.data);
            // Follow our own counter, bounded by what the panel says is last, so a panel
            // that repeats `current_page` cannot keep us here forever.
            if p.meta.current_page >= p.meta.last_page || page >= p.meta.last_page {
                break;
            }
            page += 1;
        }
        tracing::debug!(
            servers = servers.len(),
            pages = page,
            "listed servers from the panel"
        );
        Ok(servers)
    }

    /// One server's settings and process configuration (`GET /api/remote/servers/{uuid}`).
    pub async fn get_server(&self, uuid: &str) -> Result<RemoteServer, RemoteError> {
        let mut s: RemoteServer = self
            .json(Method::GET, self.url(&["servers", uuid], &[]), None)
            .await?;
        // The single-server document has no `uuid`; the list items do.
        if s.uuid.is_empty() {
            s.uuid = uuid.to_owned();
        }
        Ok(s)
    }

    /// The egg's install script for a server (`GET /api/remote/servers/{uuid}/install`).
    pub async fn install_script(&self, uuid: &str) -> Result<InstallScript, RemoteError> {
        self.json(
            Method::GET,
            self.url(&["servers", uuid, "install"], &[]),
            None,
        )
        .await
    }

    /// Reports how an install ended (`POST /api/remote/servers/{uuid}/install`).
    pub async fn set_install_status(
        &self,
        uuid: &str,
        status: InstallStatus,
    ) -> Result<(), RemoteError> {
        let body = to_body(&status)?;
        self.call(
            Method::POST,
            self.url(&["servers", uuid, "install"], &[]),
            Some(body),
        )
        .await
        .map(drop)
    }

    /// `POST /api/remote/servers/{uuid}/transfer/success` (or `failure`): the target node's
    /// verdict on an incoming transfer.
    pub async fn set_transfer_status(
        &self,
        uuid: &str,
        successful: bool,
    ) -> Result<(), RemoteError> {
        let which = if successful { "success" } else { "failure" };
        self.call(
            Method::POST,
            self.url(&["servers", uuid, "transfer", which], &[]),
            None,
        )
        .await
        .map(drop)
    }

    /// Tells the panel wings restarted, so servers stuck installing or restoring are reset
    /// (`POST /api/remote/servers/reset`).
    pub async fn reset_servers(&self) -> Result<(), RemoteError> {
        self.call(Method::POST, self.url(&["servers", "reset"], &[]), None)
            .await
            .map(drop)
    }

    /// Uploads activity entries (`POST /api/remote/activity`).
    pub async fn send_activity(&self, batch: &ActivityBatch) -> Result<(), RemoteError> {
        let body = to_body(batch)?;
        self.call(Method::POST, self.url(&["activity"], &[]), Some(body))
            .await
            .map(drop)
    }

    /// Presigned `UploadPart` URLs for an S3 backup of `size` bytes
    /// (`GET /api/remote/backups/{uuid}?size=`).
    pub async fn backup_upload_parts(
        &self,
        backup: &str,
        size: u64,
    ) -> Result<BackupUploadParts, RemoteError> {
        self.json(
            Method::GET,
            self.url(&["backups", backup], &[("size", size.to_string())]),
            None,
        )
        .await
    }

    /// Reports how a backup ended (`POST /api/remote/backups/{uuid}`).
    pub async fn set_backup_status(
        &self,
        backup: &str,
        status: &BackupStatus,
    ) -> Result<(), RemoteError> {
        let body = to_body(status)?;
        self.call(
            Method::POST,
            self.url(&["backups", backup], &[]),
            Some(body),
        )
        .await
        .map(drop)
    }

    /// Reports how a restore ended (`POST /api/remote/backups/{uuid}/restore`).
    pub async fn set_restore_status(
        &self,
        backup: &str,
        successful: bool,
    ) -> Result<(), RemoteError> {
        let body = to_body(&RestoreStatus { successful })?;
        self.call(
            Method::POST,
            self.url(&["backups", backup, "restore"], &[]),
            Some(body),
        )
        .await
        .map(drop)
    }

    /// `<remote>/api/remote/<segments…>?<query>`, each segment percent-encoded.
    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend(["api", "remote"])
                .extend(segments);
        }
        url.set_query(None);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<T, RemoteError> {
        let path = url.path().to_owned();
        let m = method.to_string();
        let resp = self.call(method, url, body).await?;
        let bytes = resp.bytes().await.map_err(|e| RemoteError::Decode {
            method: m.clone(),
            path: path.clone(),
            message: format!("reading the body failed: {}", describe(e)),
        })?;
        serde_json::from_slice(&bytes).map_err(|e| RemoteError::Decode {
            method: m,
            path,
            message: e.to_string(),
        })
    }

    /// Sends a request, retrying connection failures and 5xx answers within [`RetryPolicy`].
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, RemoteError> {
        let started = Instant::now();
        let mut delay = self.retry.initial_delay;
        let mut attempt: u32 = 1;
        loop {
            let error = match self.attempt(&method, &url, body.as_deref()).await {
                Attempt::Done(resp) => return Ok(resp),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e) => e,
            };
            if started.elapsed() + delay > self.retry.max_elapsed {
                tracing::warn!(http.method = %method, url.path = url.path(), attempts = attempt, error.message = %error, "panel call failed, giving up");
                return Err(error);
            }
            tracing::debug!(http.method = %method, url.path = url.path(), attempt, retry_in_ms = delay.as_millis() as u64, error.message = %error, "panel call failed, retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.retry.max_delay);
            attempt += 1;
        }
    }

    async fn attempt(&self, method: &Method, url: &Url, body: Option<&[u8]>) -> Attempt {
        let mut req = self.http.request(method.clone(), url.clone());
        if let Some(b) = body {
            req = req.body(b.to_vec());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let retry = e.is_connect();
                let err = unreachable(url, e);
                return if retry {
                    Attempt::Retry(err)
                } else {
                    Attempt::Fail(err)
                };
            }
        };
        let status = resp.status();
        if status.is_success() {
            return Attempt::Done(resp);
        }
        let err = status_error(method, url, status, resp).await;
        if status.is_server_error() {
            Attempt::Retry(err)
        } else {
            Attempt::Fail(err)
        }
    }
}

/// The server state machine reaches the panel through this client.
impl crate::server::PanelLink for RemoteClient {
    fn get_server<'a>(
        &'a self,
        uuid: &'a str,
    ) -> crate::runtime::BoxFut<'a, Result<RemoteServer, String>> {
        Box::pin(async move {
            RemoteClient::get_server(self, uuid)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn install_script<'a>(
        &'a self,
        uuid: &'a str,
    ) -> crate::runtime::BoxFut<'a, Result<InstallScript, String>> {
        Box::pin(async move {
            RemoteClient::install_script(self, uuid)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn set_install_status<'a>(
        &'a self,
        uuid: &'a str,
        status: InstallStatus,
    ) -> crate::runtime::BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            RemoteClient::set_install_status(self, uuid, status)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn send_activity<'a>(
        &'a self,
        batch: &'a ActivityBatch,
    ) -> crate::runtime::BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            RemoteClient::send_activity(self, batch)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn set_transfer_status<'a>(
        &'a self,
        uuid: &'a str,
        successful: bool,
    ) -> crate::runtime::BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            RemoteClient::set_transfer_status(self, uuid, successful)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn backup_upload_parts<'a>(
        &'a self,
        backup: &'a str,
        size: u64,
    ) -> crate::runtime::BoxFut<'a, Result<BackupUploadParts, String>> {
        Box::pin(async move {
            RemoteClient::backup_upload_parts(self, backup, size)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn set_backup_status<'a>(
        &'a self,
        backup: &'a str,
        status: &'a BackupStatus,
    ) -> crate::runtime::BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            RemoteClient::set_backup_status(self, backup, status)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn set_restore_status<'a>(
        &'a self,
        backup: &'a str,
        successful: bool,
    ) -> crate::runtime::BoxFut<'a, Result<(), String>> {
        Box::pin(async move {
            RemoteClient::set_restore_status(self, backup, successful)
                .await
                .map_err(|e| e.to_string())
        })
    }
}

/// Fetches node `node`'s wings configuration from the panel's application API
/// (`GET /api/application/nodes/{node}/configuration`) with an administrator's API key, as
/// `wings configure` does. One attempt, no retries: a person is waiting for the answer.
/// `remote` is filled from `panel_url` when the panel leaves it empty.
pub async fn fetch_node_configuration(
    panel_url: &str,
    api_key: &str,
    node: u64,
    timeout: Duration,
) -> Result<WingsFile, RemoteError> {
    let bad = |message: String| RemoteError::Config { message };
    let mut url = Url::parse(panel_url.trim())
        .map_err(|e| bad(format!("`{panel_url}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(bad(format!(
            "the panel URL must be http(s), not `{panel_url}`"
        )));
    }
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", api_key.trim()))
        .map_err(|_| bad("the API key holds characters not allowed in an HTTP header".into()))?;
    auth.set_sensitive(true);
    let node_id = node.to_string();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend([
            "api",
            "application",
            "nodes",
            node_id.as_str(),
            "configuration",
        ]);
    }
    url.set_query(None);
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| bad(format!("cannot build the HTTP client ({e})")))?;
    let resp = http
        .get(url.clone())
        .header(AUTHORIZATION, auth)
        .header(ACCEPT, PTERODACTYL_JSON)
        .header(USER_AGENT, format!("Aerie Wings/v{}", aerie_proto::VERSION))
        .send()
        .await
        .map_err(|e| unreachable(&url, e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(status_error(&Method::GET, &url, status, resp).await);
    }
    let decode = |message: String| RemoteError::Decode {
        method: "GET".into(),
        path: url.path().to_owned(),
        message,
    };
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| decode(format!("reading the body failed: {}", describe(e))))?;
    let mut file: WingsFile = serde_json::from_slice(&bytes).map_err(|e| decode(e.to_string()))?;
    if file.token.is_empty() || file.token_id.is_empty() {
        return Err(decode("the configuration has no `token_id`/`token`".into()));
    }
    if file.remote.is_empty() {
        file.remote = panel_url.trim().trim_end_matches('/').to_owned();
    }
    Ok(file)
}

fn to_body<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, RemoteError> {
    serde_json::to_vec(v).map_err(|e| RemoteError::Config {
        message: format!("cannot encode the request: {e}"),
    })
}

/// Builds the error for a non-2xx answer, taking `errors[0]` from a Pterodactyl envelope.
async fn status_error(
    method: &Method,
    url: &Url,
    status: StatusCode,
    resp: reqwest::Response,
) -> RemoteError {
    let envelope = resp
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice::<PanelErrors>(&b).ok());
    let first = envelope.and_then(|e| e.errors.into_iter().next());
    RemoteError::Status {
        status: status.as_u16(),
        method: method.to_string(),
        path: url.path().to_owned(),
        code: first.as_ref().map(|e| e.code.clone()),
        detail: first.map(|e| e.detail),
    }
}

/// The error for a request that got no answer.
fn unreachable(url: &Url, e: reqwest::Error) -> RemoteError {
    RemoteError::Unreachable {
        url: public_url(url),
        message: describe(e),
    }
}

/// The URL without user info, query or fragment, for messages.
fn public_url(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// reqwest's message without its URL (the caller reports that separately), plus the
/// underlying causes, which reqwest's own `Display` leaves out.
fn describe(e: reqwest::Error) -> String {
    describe_ref(&e.without_url())
}

fn describe_ref(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
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

impl RemoteClient {
    /// Asks the panel whether an SFTP login is valid (`POST /api/remote/sftp/auth`). One
    /// attempt, no retries: an SSH client is waiting, and its login has a deadline.
    pub async fn sftp_auth(
        &self,
        req: &aerie_proto::wings::SftpAuthRequest,
    ) -> Result<aerie_proto::wings::SftpAuthResponse, RemoteError> {
        let url = self.url(&["sftp", "auth"], &[]);
        let path = url.path().to_owned();
        let resp = match self
            .attempt(&Method::POST, &url, Some(&to_body(req)?))
            .await
        {
            Attempt::Done(resp) => resp,
            Attempt::Retry(e) | Attempt::Fail(e) => return Err(e),
        };
        let decode = |message: String| RemoteError::Decode {
            method: "POST".into(),
            path: path.clone(),
            message,
        };
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| decode(format!("reading the body failed: {}", describe(e))))?;
        serde_json::from_slice(&bytes).map_err(|e| decode(e.to_string()))
    }
}

/// SFTP logins are checked by the panel: 403 (and 400/401/404/422, which a panel answers for
/// a malformed username or an unknown server, and 409 for a suspended or installing server)
/// deny, 429 is the panel's throttle, anything
/// else means the panel could not answer.
impl crate::sftp::SftpAuthenticator for RemoteClient {
    fn authenticate(
        &self,
        req: aerie_proto::wings::SftpAuthRequest,
    ) -> crate::runtime::BoxFut<
        '_,
        Result<aerie_proto::wings::SftpAuthResponse, crate::sftp::SftpAuthError>,
    > {
        use crate::sftp::SftpAuthError;
        Box::pin(async move {
            match self.sftp_auth(&req).await {
                Ok(r) => Ok(r),
                Err(e) => Err(match e.status() {
                    Some(400 | 401 | 403 | 404 | 409 | 422) => SftpAuthError::Denied,
                    Some(429) => SftpAuthError::Throttled,
                    _ => SftpAuthError::Unavailable {
                        message: e.to_string(),
                    },
                }),
            }
        })
    }
}
