//! CORS, as Pterodactyl Wings answers it: browsers on the panel's origin (or one of
//! `allowed_origins`) may call wings directly, which signed uploads and downloads need.
//! Preflight `OPTIONS` requests end here with 204. Authorization is unchanged: every route
//! still checks its bearer token or signed JWT.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WingsState;

const METHODS: &str = "GET, POST, PATCH, PUT, DELETE, OPTIONS";
const HEADERS: &str = "Accept, Accept-Encoding, Authorization, Cache-Control, Content-Type, \
                       Content-Length, Origin, X-Real-IP, X-CSRF-Token";

/// The origin to allow for this request: the request's own origin when it is the panel's
/// or listed in `allowed_origins`, else the panel's (so other origins are refused by the
/// browser, as with Pterodactyl Wings).
fn allowed_origin(state: &WingsState, headers: &HeaderMap) -> Option<String> {
    let s = &state.manager.context().settings;
    let panel = s.panel_url.trim_end_matches('/');
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(|o| o.trim_end_matches('/'));
    match origin {
        Some(o)
            if (!panel.is_empty() && o == panel)
                || s.allowed_origins
                    .iter()
                    .any(|a| a == "*" || a.trim_end_matches('/') == o) =>
        {
            Some(o.to_owned())
        }
        _ if !panel.is_empty() => Some(panel.to_owned()),
        _ => None,
    }
}

/// The middleware.
pub(crate) async fn cors(State(state): State<WingsState>, req: Request, next: Next) -> Response {
    let origin = allowed_origin(&state, req.headers());
    let mut resp = if req.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    if let Some(v) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(HEADERS),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("7200"),
    );
    resp
}
