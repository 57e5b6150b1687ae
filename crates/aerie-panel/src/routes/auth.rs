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
use crate::api::schemas::{
    BadRequest, CsrfMismatch, LoginAnswer, LoginCompleted, PasswordResetDone,
    PasswordResetRequested, TooManyRequests, ValidationFailed,
};
use crate::services::account::{self, LoginOutcome, RequestMeta};
use crate::services::sessions;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_csrf_cookie,
    login,
    login_checkpoint,
    logout,
    forgot_password,
    reset_password
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document, with full paths (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

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

/// Get the CSRF cookie.
///
/// `GET /sanctum/csrf-cookie`: 204 with the `XSRF-TOKEN` cookie (the session's token when
/// there is a session, so a reloaded page keeps working). Call it before the login form.
#[utoipa::path(
    get,
    path = "/sanctum/csrf-cookie",
    tag = "auth",
    operation_id = "auth_get_csrf_cookie",
    responses(
        (status = 204, description = "The `XSRF-TOKEN` cookie is set: send its value back in `X-XSRF-TOKEN`.",
            headers(("Set-Cookie" = String, description = "`XSRF-TOKEN=<40 characters>`, readable by JavaScript."))),
    ),
)]
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

/// The body of `POST /auth/login`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct LoginBody {
    /// Username or e-mail address.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    user: Option<String>,
    /// Password.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    password: Option<String>,
}

/// Log in.
///
/// `POST /auth/login`: with the right password, a session (the `aerie_session` and
/// `XSRF-TOKEN` cookies), or, when the account has two-factor, a confirmation token for
/// `/auth/login/checkpoint`. A wrong login is a 422 on `user`; 10 failures a minute per
/// login name and address are throttled (429).
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    operation_id = "auth_login",
    params(
        ("X-XSRF-TOKEN" = String, Header, description = "The CSRF token: the `XSRF-TOKEN` cookie's value (the session's token when there is a session)."),
    ),
    request_body(content = LoginBody),
    responses(
        (status = 200, description = "Logged in (cookies set), or `complete: false` with a confirmation token.", body = LoginAnswer,
            headers(("Set-Cookie" = String, description = "On a complete login: `aerie_session` (HttpOnly) and a new `XSRF-TOKEN`."))),
        (status = 400, response = BadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// The body of `POST /auth/login/checkpoint`: the confirmation token and either a code or
/// a recovery token.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = LoginCheckpointBody)]
struct CheckpointBody {
    /// The token `POST /auth/login` answered with.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    confirmation_token: Option<String>,
    /// The authenticator app's 6-digit code (a JSON number is accepted too); required
    /// without `recovery_token`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    authentication_code: Option<Value>,
    /// One of the recovery tokens, used up by a success.
    #[serde(default)]
    recovery_token: Option<String>,
}

/// Finish a two-factor login.
///
/// `POST /auth/login/checkpoint`: a wrong code or recovery token, or an expired
/// confirmation token, is a 422 naming the field; failures are throttled with the login's.
#[utoipa::path(
    post,
    path = "/auth/login/checkpoint",
    tag = "auth",
    operation_id = "auth_login_checkpoint",
    params(
        ("X-XSRF-TOKEN" = String, Header, description = "The CSRF token: the `XSRF-TOKEN` cookie's value (the session's token when there is a session)."),
    ),
    request_body(content = CheckpointBody),
    responses(
        (status = 200, description = "Logged in: the session cookies are set.", body = LoginCompleted,
            headers(("Set-Cookie" = String, description = "`aerie_session` (HttpOnly) and a new `XSRF-TOKEN`."))),
        (status = 400, response = BadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Log out.
///
/// `POST /auth/logout`: ends the session (its CSRF token is required) and clears the cookie.
/// Without a live session it only clears the cookies.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    operation_id = "auth_logout",
    params(
        ("X-XSRF-TOKEN" = Option<String>, Header, description = "The session's CSRF token (required when there is a session)."),
    ),
    responses(
        (status = 204, description = "Logged out: the session cookie is cleared and a new `XSRF-TOKEN` set.",
            headers(("Set-Cookie" = String, description = "`aerie_session` expired, a new `XSRF-TOKEN`."))),
        (status = 419, response = CsrfMismatch),
    ),
)]
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

/// The body of `POST /auth/password`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ForgotPasswordBody)]
struct ForgotBody {
    /// The account's e-mail address.
    #[serde(default)]
    #[schema(required = true, value_type = String, format = "email")]
    email: Option<String>,
}

/// Ask for a password reset link.
///
/// `POST /auth/password`: the same 200 whether or not the address has an account; an
/// account gets an e-mail with a link valid for a limited time. Two requests a minute per
/// address (429).
#[utoipa::path(
    post,
    path = "/auth/password",
    tag = "auth",
    operation_id = "auth_forgot_password",
    params(
        ("X-XSRF-TOKEN" = String, Header, description = "The CSRF token: the `XSRF-TOKEN` cookie's value (the session's token when there is a session)."),
    ),
    request_body(content = ForgotBody),
    responses(
        (status = 200, description = "Accepted (whether or not the address has an account).", body = PasswordResetRequested),
        (status = 400, response = BadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// The body of `POST /auth/password/reset`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ResetPasswordBody)]
struct ResetBody {
    /// The token from the e-mailed link.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    token: Option<String>,
    /// The account's e-mail address.
    #[serde(default)]
    #[schema(required = true, value_type = String, format = "email")]
    email: Option<String>,
    /// The new password (at least 8 characters).
    #[serde(default)]
    #[schema(required = true, value_type = String, min_length = 8)]
    password: Option<String>,
    /// The new password again.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    password_confirmation: Option<String>,
}

/// Reset the password.
///
/// `POST /auth/password/reset`: sets the password; the user logs in afresh. Every session
/// of the account ends. An unknown, used or expired token is a 400.
#[utoipa::path(
    post,
    path = "/auth/password/reset",
    tag = "auth",
    operation_id = "auth_reset_password",
    params(
        ("X-XSRF-TOKEN" = String, Header, description = "The CSRF token: the `XSRF-TOKEN` cookie's value (the session's token when there is a session)."),
    ),
    request_body(content = ResetBody),
    responses(
        (status = 200, description = "The password is set.", body = PasswordResetDone),
        (status = 400, response = BadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
    ),
)]
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
