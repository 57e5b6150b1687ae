//! The panel's client for a node's wings HTTP API (Pterodactyl's `DaemonServerRepository`
//! and `DaemonPowerRepository`).
//!
//! A [`WingsClient`] is built from a node row: base URL `{scheme}://{fqdn}:{daemon_listen}`,
//! `Authorization: Bearer <daemon_token>` (the plain token, not `token_id.token`), JSON in
//! and out, 5 s to connect and 30 s per request. Failures are a [`WingsError`] that keeps
//! wings' status and `error` text; its conversion into [`Error`] follows Pterodactyl's
//! `DaemonConnectionException`: no answer → 503 "Could not establish a connection...",
//! a 4xx → the matching client error carrying wings' message and request id, a 5xx → 502.

use std::time::Duration;

use aerie_db::models::Node;
use aerie_http::Error;
use aerie_proto::error::WingsError as WingsErrorBody;
use aerie_proto::wings::{CreateServerRequest, DenyRequest, PowerAction};
use reqwest::{Method, StatusCode};
use serde::Serialize;

/// Time allowed to open the connection to wings.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a whole request to wings.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A failed call to wings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WingsError {
    /// No HTTP answer: connection refused, DNS, TLS, timeout.
    #[error("could not reach wings at {url}: {message}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// What went wrong, for the logs.
        message: String,
    },
    /// Wings answered with an error status.
    #[error("wings answered {status}: {error}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// Wings' `error` text (or the start of the body when it was not JSON).
        error: String,
        /// Wings' request id (`X-Request-Id` or the body's `request_id`).
        request_id: Option<String>,
    },
}

impl WingsError {
    /// The status wings answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            WingsError::Status { status, .. } => Some(*status),
            WingsError::Unreachable { .. } => None,
        }
    }

    /// Whether wings said the server does not exist there (a safe error when deleting).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

impl From<WingsError> for Error {
    fn from(e: WingsError) -> Self {
        match e {
            WingsError::Unreachable { url, message } => {
                tracing::warn!(wings.url = %url, error.message = %message, "wings unreachable");
                Error::Unavailable(
                    "Could not establish a connection to the machine running this server. Please try again."
                        .into(),
                )
            }
            WingsError::Status {
                status,
                error,
                request_id,
            } => {
                let rid = request_id.as_deref().unwrap_or("<nil>");
                if status >= 500 {
                    tracing::warn!(wings.status = status, wings.request_id = %rid, error.message = %error, "wings failed");
                    return Error::BadGateway(format!(
                        "There was an error while communicating with the machine running this server: {error} (code: {status}) (request_id: {rid})"
                    ));
                }
                let message =
                    format!("An error occurred on the remote host: {error}. (request id: {rid})");
                match status {
                    404 => Error::NotFound(message),
                    409 => Error::Conflict(message),
                    400 | 422 => Error::BadRequest(message),
                    _ => Error::BadGateway(message),
                }
            }
        }
    }
}

/// A client for one node's wings.
#[derive(Debug, Clone)]
pub struct WingsClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

/// The base URL of a node's wings API: `{scheme}://{fqdn}:{daemon_listen}` (IPv6 literals
/// in brackets).
pub fn node_base_url(node: &Node) -> String {
    let host = if node.fqdn.contains(':') && !node.fqdn.starts_with('[') {
        format!("[{}]", node.fqdn)
    } else {
        node.fqdn.clone()
    };
    format!("{}://{}:{}", node.scheme, host, node.daemon_listen)
}

impl WingsClient {
    /// A client for `node`'s wings.
    ///
    /// # Errors
    /// [`Error::Internal`] when the HTTP client cannot be built (no TLS backend).
    pub fn for_node(node: &Node) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("Aerie Panel/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::internal)?;
        Ok(Self {
            base: node_base_url(node),
            token: node.daemon_token.clone(),
            http,
        })
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(), WingsError> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| WingsError::Unreachable {
            url: url.clone(),
            message: error_chain(&e),
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let header_rid = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = resp.text().await.unwrap_or_default();
        Err(status_error(status, &text, header_rid))
    }

    /// `POST /api/servers` `{uuid, start_on_completion}`: wings fetches the server from the
    /// panel's remote API and installs it.
    pub async fn create_server(
        &self,
        uuid: &str,
        start_on_completion: bool,
    ) -> Result<(), WingsError> {
        let body = CreateServerRequest {
            uuid: uuid.to_owned(),
            start_on_completion,
        };
        self.send(Method::POST, "/api/servers", Some(&body)).await
    }

    /// `POST /api/servers/{uuid}/sync`: wings re-reads the server's configuration.
    pub async fn sync_server(&self, uuid: &str) -> Result<(), WingsError> {
        self.send::<()>(Method::POST, &format!("/api/servers/{uuid}/sync"), None)
            .await
    }

    /// Suspension and unsuspension are a sync: wings reads `suspended` from the panel.
    pub async fn suspend_server(&self, uuid: &str) -> Result<(), WingsError> {
        self.sync_server(uuid).await
    }

    /// `POST /api/servers/{uuid}/reinstall`.
    pub async fn reinstall_server(&self, uuid: &str) -> Result<(), WingsError> {
        self.send::<()>(
            Method::POST,
            &format!("/api/servers/{uuid}/reinstall"),
            None,
        )
        .await
    }

    /// `DELETE /api/servers/{uuid}`: stops, removes the container and the files.
    pub async fn delete_server(&self, uuid: &str) -> Result<(), WingsError> {
        self.send::<()>(Method::DELETE, &format!("/api/servers/{uuid}"), None)
            .await
    }

    /// `POST /api/servers/{uuid}/power` `{action}`.
    pub async fn power(&self, uuid: &str, action: PowerAction) -> Result<(), WingsError> {
        // Only `action`, as Pterodactyl sends it: wings applies its own default wait.
        let body = serde_json::json!({ "action": power_word(action) });
        self.send(
            Method::POST,
            &format!("/api/servers/{uuid}/power"),
            Some(&body),
        )
        .await
    }

    /// `POST /api/servers/{uuid}/ws/deny` `{jtis}`: refuses websocket tokens issued so far to
    /// these token ids (Pterodactyl's `revokeUserJTI`, used when a server changes owner).
    pub async fn deny_tokens(&self, uuid: &str, jtis: Vec<String>) -> Result<(), WingsError> {
        let body = DenyRequest { jtis };
        self.send(
            Method::POST,
            &format!("/api/servers/{uuid}/ws/deny"),
            Some(&body),
        )
        .await
    }
}

fn power_word(action: PowerAction) -> &'static str {
    match action {
        PowerAction::Start => "start",
        PowerAction::Stop => "stop",
        PowerAction::Restart => "restart",
        PowerAction::Kill => "kill",
    }
}

fn status_error(status: StatusCode, body: &str, header_rid: Option<String>) -> WingsError {
    let parsed = serde_json::from_str::<WingsErrorBody>(body).ok();
    let error = match &parsed {
        Some(b) => b.error.clone(),
        None if body.trim().is_empty() => status
            .canonical_reason()
            .unwrap_or("unknown error")
            .to_owned(),
        None => body.trim().chars().take(200).collect(),
    };
    WingsError::Status {
        status: status.as_u16(),
        error,
        request_id: header_rid.or_else(|| parsed.and_then(|b| b.request_id)),
    }
}

/// reqwest's error with its sources (the top level alone says only "error sending request").
fn error_chain(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// Generic calls, for the client API's proxies (files, backups, resources). Each returns the
/// raw response on success so callers can stream or decode it; a wings error status becomes
/// a [`WingsError`] with wings' own message.
impl WingsClient {
    /// Sends `method path` with an optional JSON body; returns the successful response.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, WingsError> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        self.finish(url, req).await
    }

    /// Sends `method path` with a raw body (file contents) and `content_type`.
    pub async fn request_raw(
        &self,
        method: Method,
        path: &str,
        body: reqwest::Body,
        content_type: &str,
    ) -> Result<reqwest::Response, WingsError> {
        let url = format!("{}{path}", self.base);
        let req = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.finish(url, req).await
    }

    /// Sends and decodes a JSON answer.
    pub async fn request_json<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, WingsError> {
        let resp = self.request(method, path, body).await?;
        let url = resp.url().to_string();
        resp.json::<T>().await.map_err(|e| WingsError::Unreachable {
            url,
            message: format!("unexpected answer: {}", error_chain(&e)),
        })
    }

    async fn finish(
        &self,
        url: String,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, WingsError> {
        let resp = req.send().await.map_err(|e| WingsError::Unreachable {
            url: url.clone(),
            message: error_chain(&e),
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let header_rid = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = resp.text().await.unwrap_or_default();
        Err(status_error(status, &text, header_rid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(fqdn: &str) -> Node {
        Node {
            id: 1,
            uuid: "n".into(),
            public: true,
            name: "n".into(),
            description: None,
            location_id: 1,
            fqdn: fqdn.into(),
            scheme: "https".into(),
            behind_proxy: false,
            maintenance_mode: false,
            memory: 0,
            memory_overallocate: 0,
            disk: 0,
            disk_overallocate: 0,
            upload_size: 100,
            daemon_token_id: "id".into(),
            daemon_token: "tok".into(),
            daemon_listen: 8080,
            daemon_sftp: 2022,
            daemon_base: "/var".into(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            node_base_url(&node("wings.example.com")),
            "https://wings.example.com:8080"
        );
        assert_eq!(node_base_url(&node("::1")), "https://[::1]:8080");
    }

    #[test]
    fn error_mapping_follows_daemon_connection_exception() {
        let e = status_error(
            StatusCode::NOT_FOUND,
            r#"{"error":"The requested resource does not exist on this instance.","request_id":"r1"}"#,
            None,
        );
        assert!(e.is_not_found());
        let api: Error = e.into();
        assert!(
            matches!(api, Error::NotFound(ref m) if m.contains("does not exist on this instance") && m.contains("r1"))
        );

        let api: Error =
            status_error(StatusCode::INTERNAL_SERVER_ERROR, "boom", Some("r2".into())).into();
        assert!(matches!(api, Error::BadGateway(ref m) if m.contains("boom") && m.contains("r2")));

        let api: Error = WingsError::Unreachable {
            url: "http://x".into(),
            message: "refused".into(),
        }
        .into();
        assert!(
            matches!(api, Error::Unavailable(ref m) if m.starts_with("Could not establish a connection"))
        );
    }
}
