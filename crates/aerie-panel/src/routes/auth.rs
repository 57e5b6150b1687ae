//! The browser login flow, shaped like Pterodactyl's (Laravel Sanctum SPA mode):
//!
//! - `GET /sanctum/csrf-cookie` → 204 and an `XSRF-TOKEN` cookie;
//! - `POST /auth/login` `{user, password}` → a session cookie, or a confirmation token
//!   when the account has two-factor;
//! - `POST /auth/login/checkpoint` `{confirmation_token, authentication_code | recovery_token}`;
//! - `POST /auth/logout` → 204;
//! - `POST /auth/password` `{email}` and `POST /auth/password/reset`
//!   `{token, email, password, password_confirmation}`.
//!
//! Every POST here needs the CSRF token in `X-XSRF-TOKEN` (419 otherwise). A GET of these
//! paths is the web UI's page, served by the fallback.

use aerie_http::Error;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::JsonBody;
use crate::services::account::{self, LoginOutcome, RequestMeta};
use crate::services::sessions;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sanctum/csrf-cookie", get(get_csrf_cookie))
        .route("/auth/login", post(login).fallback(super::fallback))
        .route(
            "/auth/login/checkpoint",
            post(login_checkpoint).fallback(super::fallback),
        )
        .route("/auth/logout", post(logout).fallback(super::fallback))
        .route(
            "/auth/password",
            post(forgot_password).fallback(super::fallback),
        )
        .route(
            "/auth/password/reset",
            post(reset_password).fallback(super::fallback),
        )
}

/// The CSRF check of a POST here: the live session's token when the request has a
/// session, else the double-submitted `XSRF-TOKEN` cookie.
async fn check_csrf(state: &AppState, headers: &HeaderMap) -> Result<(), Error> {
    if sessions::check_guest_csrf(headers).is_ok() {
        return Ok(());
    }
    if let Some(token) = sessions::read_cookie(headers, sessions::SESSION_COOKIE)
        && let Some((session, _)) = sessions::resolve(&state.db, &token).await?
    {
        return sessions::check_session_csrf(headers, &session);
    }
    Err(Error::CsrfMismatch)
}

/// `GET /sanctum/csrf-cookie`: 204 with the `XSRF-TOKEN` cookie (the session's token when
/// there is a session, so a reloaded page keeps working).
async fn get_csrf_cookie(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let secure = sessions::is_secure(&state.url, &headers);
    let token = match sessions::read_cookie(&headers, sessions::SESSION_COOKIE) {
        Some(t) => sessions::resolve(&state.db, &t)
            .await?
            .map(|(session, _)| session.csrf_token),
        None => None,
    };
    let token = token
        .or_else(|| {
            sessions::read_cookie(&headers, sessions::XSRF_COOKIE)
                .filter(|c| c.len() == 40 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        })
        .unwrap_or_else(sessions::new_xsrf_token);
    let mut resp = StatusCode::NO_CONTENT.into_response();
    sessions::set_cookies(resp.headers_mut(), [sessions::xsrf_cookie(&token, secure)]);
    Ok(resp)
}

/// Starts a session for `user` and builds the "login complete" answer with its cookies.
/// A session the browser already had is ended (a login always gets a fresh id).
async fn complete_login(
    state: &AppState,
    headers: &HeaderMap,
    meta: &RequestMeta,
    user: &aerie_db::models::User,
) -> Result<Response, Error> {
    if let Some(old) = sessions::read_cookie(headers, sessions::SESSION_COOKIE) {
        sessions::end(&state.db, &old).await?;
    }
    let started = sessions::start(&state.db, user.id, meta.ip, meta.user_agent.as_deref()).await?;
    let secure = sessions::is_secure(&state.url, headers);
    let mut resp = axum::Json(json!({
        "data": {
            "complete": true,
            "intended": "/",
            "user": account::account_attributes(user),
        }
    }))
    .into_response();
    sessions::set_cookies(
        resp.headers_mut(),
        [
            sessions::session_cookie(&started.token, secure),
            sessions::xsrf_cookie(&started.session.csrf_token, secure),
        ],
    );
    Ok(resp)
}

#[derive(Debug, Deserialize)]
struct LoginBody {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `POST /auth/login`.
async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, Error> {
    check_csrf(&state, &headers).await?;
    let outcome = account::login(
        &state,
        body.user.as_deref().unwrap_or_default(),
        body.password.as_deref().unwrap_or_default(),
        &meta,
    )
    .await?;
    match outcome {
        LoginOutcome::Complete(user) => complete_login(&state, &headers, &meta, &user).await,
        LoginOutcome::NeedsTwoFactor { confirmation_token } => Ok(axum::Json(json!({
            "data": {
                "complete": false,
                "confirmation_token": confirmation_token,
            }
        }))
        .into_response()),
    }
}

#[derive(Debug, Deserialize)]
struct CheckpointBody {
    #[serde(default)]
    confirmation_token: Option<String>,
    #[serde(default)]
    authentication_code: Option<Value>,
    #[serde(default)]
    recovery_token: Option<String>,
}

/// `POST /auth/login/checkpoint`.
async fn login_checkpoint(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CheckpointBody>,
) -> Result<Response, Error> {
    check_csrf(&state, &headers).await?;
    // Authenticator codes are digits; some clients send them as a JSON number.
    let code = match body.authentication_code {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => n.as_u64().map(|u| format!("{u:06}")),
        _ => None,
    };
    let mut v = crate::api::Validator::new();
    v.required("confirmation_token", body.confirmation_token.as_deref());
    if body
        .recovery_token
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        v.required("authentication_code", code.as_deref());
    }
    v.finish()?;
    let user = account::checkpoint(
        &state,
        body.confirmation_token.as_deref().unwrap_or_default(),
        code.as_deref(),
        body.recovery_token.as_deref(),
        &meta,
    )
    .await?;
    complete_login(&state, &headers, &meta, &user).await
}

/// `POST /auth/logout`: ends the session (its CSRF token is required) and clears the cookie.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    if let Some(token) = sessions::read_cookie(&headers, sessions::SESSION_COOKIE)
        && let Some((session, _)) = sessions::resolve(&state.db, &token).await?
    {
        sessions::check_session_csrf(&headers, &session)?;
        sessions::end(&state.db, &token).await?;
    }
    let secure = sessions::is_secure(&state.url, &headers);
    let mut resp = StatusCode::NO_CONTENT.into_response();
    sessions::set_cookies(
        resp.headers_mut(),
        [
            sessions::clear_session_cookie(secure),
            sessions::xsrf_cookie(&sessions::new_xsrf_token(), secure),
        ],
    );
    Ok(resp)
}

#[derive(Debug, Deserialize)]
struct ForgotBody {
    #[serde(default)]
    email: Option<String>,
}

/// `POST /auth/password`: the same 200 whether or not the address has an account.
async fn forgot_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ForgotBody>,
) -> Result<Response, Error> {
    check_csrf(&state, &headers).await?;
    account::request_password_reset(&state, body.email.as_deref().unwrap_or_default(), &meta)
        .await?;
    Ok(axum::Json(json!({ "status": account::RESET_LINK_SENT })).into_response())
}

#[derive(Debug, Deserialize)]
struct ResetBody {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    password_confirmation: Option<String>,
}

/// `POST /auth/password/reset`: sets the password; the user logs in afresh.
async fn reset_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ResetBody>,
) -> Result<Response, Error> {
    check_csrf(&state, &headers).await?;
    account::reset_password(
        &state,
        body.token.as_deref().unwrap_or_default(),
        body.email.as_deref().unwrap_or_default(),
        body.password.as_deref().unwrap_or_default(),
        body.password_confirmation.as_deref(),
        &meta,
    )
    .await?;
    Ok(axum::Json(json!({
        "success": true,
        "redirect_to": "/",
        "send_to_login": true,
    }))
    .into_response())
}
