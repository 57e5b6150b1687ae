//! The embedded web UI. Hashed files under `assets/` are cached for a year; `index.html` is
//! never cached, so a deploy takes effect on the next page load. Every path that is not an
//! API route and not a file falls back to `index.html`, for client-side routing.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
pub(crate) struct Asset {
    pub path: &'static str,
    pub body: &'static [u8],
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

const NOT_BUILT: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Aerie</title></head>\
<body><h1>Aerie</h1><p>The web UI was not built into this binary. Run <code>scripts/up</code> \
(or <code>npm --prefix web run build</code> before <code>cargo build</code>).</p></body></html>";

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// Whether a UI is embedded.
pub fn ui_embedded() -> bool {
    find("index.html").is_some()
}

/// Serves an embedded file, or `index.html` for anything else.
pub(crate) async fn serve_asset(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let (asset, fallback) = match find(path) {
        Some(a) if !path.is_empty() => (Some(a), false),
        _ => (find("index.html"), true),
    };
    let Some(asset) = asset else {
        return (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            NOT_BUILT,
        )
            .into_response();
    };
    // A missing hashed asset is a real 404 (an old tab asking for a file a deploy removed);
    // answering it with index.html would hand the browser HTML as JavaScript.
    if fallback && path.starts_with("assets/") {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain")],
            "not found",
        )
            .into_response();
    }
    let cache = if asset.path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else if asset.path == "index.html" {
        "no-cache"
    } else {
        "public, max-age=3600"
    };
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut resp = match (asset.gzip, accepts_gzip) {
        (Some(gz), true) => {
            let mut r = Response::new(Body::from(gz));
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        _ => Response::new(Body::from(asset.body)),
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(mime(asset.path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
