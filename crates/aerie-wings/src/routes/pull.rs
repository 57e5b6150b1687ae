//! `files/pull`: downloading a URL into a server's files, in the background, with progress.
//!
//! Server-side request forgery is the risk here: a user must not make the node fetch from
//! itself, the panel's private network or cloud metadata endpoints. Every address a host name
//! resolves to is checked, the connection is pinned to the checked address (no second DNS
//! lookup to rebind), and redirects are followed by hand, each hop checked again. Private,
//! loopback, link-local and similar ranges are refused unless the node allows them
//! (`api.remote_download_allow_private`). Size is bounded by the server's disk limit.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aerie_http::Error;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::auth::NodeAuth;
use super::files::fs_err;
use super::servers::find;
use crate::WingsState;

/// Concurrent downloads per server, as Wings allows.
const MAX_PER_SERVER: usize = 3;
/// Redirect hops followed.
const MAX_REDIRECTS: usize = 5;

/// One running download.
struct Download {
    identifier: String,
    url: String,
    written: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

/// Running downloads, by server.
#[derive(Default)]
pub(crate) struct Downloads {
    by_server: Mutex<HashMap<String, Vec<Arc<Download>>>>,
}

impl Downloads {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Arc<Download>>>> {
        self.by_server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Deserialize)]
pub(crate) struct PullRequest {
    url: String,
    #[serde(default)]
    root: Option<String>,
    /// Deprecated name of `root`.
    #[serde(default)]
    directory: Option<String>,
    #[serde(default)]
    file_name: Option<String>,
    /// Panel-side alias.
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    use_header: bool,
    #[serde(default)]
    foreground: bool,
}

/// Whether `ip` is an ordinary public address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || o[0] >= 240
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x64 && s[1] == 0xff9b))
        }
    }
}

/// Resolves `url`'s host and returns one address allowed by the node's policy.
async fn vet(url: &url::Url, allow_private: bool) -> Result<SocketAddr, Error> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::BadRequest(
            "Only http and https URLs can be downloaded.".into(),
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| Error::BadRequest("The URL has no host.".into()))?;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| Error::BadRequest(format!("Cannot resolve {host}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(Error::BadRequest(format!("Cannot resolve {host}.")));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(Error::Forbidden(format!(
            "Refusing to download from {host}: it resolves to a private, loopback or reserved address."
        )));
    }
    Ok(addrs[0])
}

fn file_name_from(url: &url::Url, resp: &reqwest::Response, use_header: bool) -> Option<String> {
    if use_header
        && let Some(cd) = resp
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
        && let Some(name) = cd
            .split(';')
            .find_map(|p| p.trim().strip_prefix("filename="))
    {
        let n = name
            .trim_matches('"')
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_owned();
        if !n.is_empty() && n != "." && n != ".." {
            return Some(n);
        }
    }
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

pub(crate) async fn list_pulls(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
) -> Result<Response, Error> {
    find(&state, &uuid)?;
    let list: Vec<_> = state
        .downloads()
        .lock()
        .get(&uuid)
        .map(|v| {
            v.iter()
                .map(|d| {
                    let total = d.total.load(Ordering::Relaxed);
                    let written = d.written.load(Ordering::Relaxed);
                    json!({
                        "identifier": d.identifier,
                        "url": d.url,
                        "progress": if total > 0 { written as f64 / total as f64 } else { 0.0 },
                        "bytes": written,
                        "total": total,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(json!({ "downloads": list })).into_response())
}

pub(crate) async fn delete_pull(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path((uuid, id)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    find(&state, &uuid)?;
    let map = state.downloads().lock();
    let d = map
        .get(&uuid)
        .and_then(|v| v.iter().find(|d| d.identifier == id))
        .ok_or_else(|| Error::NotFound("No such download.".into()))?;
    d.cancelled.store(true, Ordering::SeqCst);
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn post_pull(
    _: NodeAuth,
    State(state): State<WingsState>,
    Path(uuid): Path<String>,
    body: Result<Json<PullRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Error> {
    let Json(req) = body.map_err(|e| Error::validation("url", "required", e.body_text()))?;
    if state.disable_remote_download() {
        return Err(Error::Forbidden(
            "Remote downloads are disabled on this node.".into(),
        ));
    }
    let server = find(&state, &uuid)?;
    let url = url::Url::parse(&req.url)
        .map_err(|e| Error::validation("url", "url", format!("The url is not valid: {e}")))?;
    // Check before accepting, so an obviously refused URL is a clear error, not a failed job.
    vet(&url, state.allow_private_downloads()).await?;
    {
        let map = state.downloads().lock();
        if map.get(&uuid).map(Vec::len).unwrap_or(0) >= MAX_PER_SERVER {
            return Err(Error::TooManyRequests { retry_after: 10 });
        }
    }
    let jail = server.jail().map_err(fs_err)?;
    let dl = Arc::new(Download {
        identifier: uuid::Uuid::new_v4().to_string(),
        url: req.url.clone(),
        written: AtomicU64::new(0),
        total: AtomicU64::new(0),
        cancelled: AtomicBool::new(false),
    });
    state
        .downloads()
        .lock()
        .entry(uuid.clone())
        .or_default()
        .push(dl.clone());
    let root = req.root.or(req.directory).unwrap_or_else(|| "/".into());
    let name = req.file_name.or(req.filename).filter(|n| !n.is_empty());
    let allow_private = state.allow_private_downloads();
    let job = {
        let dl = dl.clone();
        async move { fetch(url, jail, root, name, req.use_header, allow_private, dl).await }
    };
    let finish = {
        let state = state.clone();
        let uuid = uuid.clone();
        let id = dl.identifier.clone();
        move || {
            let mut map = state.downloads().lock();
            if let Some(v) = map.get_mut(&uuid) {
                v.retain(|d| d.identifier != id);
            }
        }
    };
    if req.foreground {
        let result = job.await;
        finish();
        let stat = result?;
        return Ok(Json(stat).into_response());
    }
    let id = dl.identifier.clone();
    let server2 = server.clone();
    tokio::spawn(async move {
        if let Err(e) = job.await {
            server2.daemon_message(&format!("Download failed: {e}"));
        }
        finish();
    });
    Ok((StatusCode::ACCEPTED, Json(json!({ "identifier": id }))).into_response())
}

async fn fetch(
    mut url: url::Url,
    jail: Arc<aerie_fs::Jail>,
    root: String,
    name: Option<String>,
    use_header: bool,
    allow_private: bool,
    dl: Arc<Download>,
) -> Result<aerie_fs::Stat, Error> {
    let mut hops = 0;
    let resp = loop {
        let addr = vet(&url, allow_private).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host, addr)
            .connect_timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(Error::internal)?;
        let resp =
            client.get(url.clone()).send().await.map_err(|e| {
                Error::BadGateway(format!("The download failed: {}", e.without_url()))
            })?;
        if resp.status().is_redirection() {
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Error::BadGateway("Too many redirects.".into()));
            }
            let loc = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| Error::BadGateway("A redirect without a location.".into()))?;
            url = url
                .join(loc)
                .map_err(|e| Error::BadGateway(format!("A bad redirect: {e}")))?;
            continue;
        }
        if !resp.status().is_success() {
            return Err(Error::BadGateway(format!(
                "The remote server answered {}.",
                resp.status()
            )));
        }
        break resp;
    };
    let file = name
        .or_else(|| file_name_from(&url, &resp, use_header))
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or_default().to_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| format!("download-{}", &dl.identifier[..8]));
    let path = format!("{}/{}", root.trim_end_matches('/'), file);
    let total = resp.content_length();
    dl.total.store(total.unwrap_or(0), Ordering::Relaxed);
    let j = jail.clone();
    let p = path.clone();
    let mut writer = tokio::task::spawn_blocking(move || match total {
        Some(len) => j.create_write_sized(&p, len),
        None => j.create_write(&p, true),
    })
    .await
    .map_err(Error::internal)?
    .map_err(fs_err)?;
    let mut body = resp.bytes_stream();
    while let Some(chunk) = body.next().await {
        if dl.cancelled.load(Ordering::SeqCst) {
            drop(writer);
            let j = jail.clone();
            let p = path.clone();
            let _ = tokio::task::spawn_blocking(move || j.remove(&p)).await;
            return Err(Error::Conflict("The download was cancelled.".into()));
        }
        let chunk = chunk.map_err(|e| {
            Error::BadGateway(format!("The download was interrupted: {}", e.without_url()))
        })?;
        dl.written.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        writer = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            writer.write_all(&chunk).map(|()| writer)
        })
        .await
        .map_err(Error::internal)?
        .map_err(|e| fs_err(aerie_fs::Error::from_io(e)))?;
    }
    tokio::task::spawn_blocking(move || writer.finish())
        .await
        .map_err(Error::internal)?
        .map_err(fs_err)?;
    let j = jail.clone();
    tokio::task::spawn_blocking(move || j.stat(&path))
        .await
        .map_err(Error::internal)?
        .map_err(fs_err)
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn private_and_reserved_ranges_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["1.1.1.1", "8.8.8.8", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
