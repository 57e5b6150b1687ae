//! The one error type of every HTTP handler, and the middleware that renders it.
//!
//! Handlers return [`Error`]; its `IntoResponse` sets the status and stores an [`ErrorInfo`]
//! in the response extensions. The envelope middleware ([`envelope_layer`]) then writes the
//! body in the flavour the service speaks (panel: Laravel `errors` array; wings:
//! `{"error","request_id"}`). The same middleware gives router-made 404/405 responses, which
//! have no body, a proper envelope too: third-party clients crash on a bare 404.

use aerie_proto::error::{PanelError, PanelErrorMeta, PanelErrors, WingsError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Shorthand for handler results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as the user should learn it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The thing does not exist, or the caller may not know it exists.
    #[error("{0}")]
    NotFound(String),
    /// No or bad credentials.
    #[error("Unauthenticated.")]
    Unauthenticated,
    /// Credentials are fine but do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the current state (a name taken, a server busy).
    #[error("{0}")]
    Conflict(String),
    /// A field failed validation.
    #[error("{message}")]
    Validation {
        /// The request field.
        field: String,
        /// The snake_cased rule that failed (`required`, `max`).
        rule: String,
        /// A sentence for the user.
        message: String,
    },
    /// The request is malformed or asks for something impossible.
    #[error("{0}")]
    BadRequest(String),
    /// Too many requests; retry after this many seconds.
    #[error("Too many requests, slow down.")]
    TooManyRequests {
        /// Seconds until a retry can succeed.
        retry_after: u64,
    },
    /// An upstream process refused or failed (a stopped server, a failing wings).
    #[error("{0}")]
    BadGateway(String),
    /// A dependency (database, Docker, wings) did not answer.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure. The message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// A cookie-authenticated request without the right CSRF token (Laravel's
    /// `TokenMismatchException`, status 419).
    #[error("CSRF token mismatch.")]
    CsrfMismatch,
    /// The panel requires two-factor authentication and the account has none
    /// (Pterodactyl's `TwoFactorAuthRequiredException`, status 400).
    #[error(
        "Two-factor authentication is required on this account in order to access this endpoint."
    )]
    TwoFactorRequired,
}

impl Error {
    /// A validation error on `field`.
    pub fn validation(field: &str, rule: &str, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.to_owned(),
            rule: rule.to_owned(),
            message: message.into(),
        }
    }

    /// Wraps any unexpected failure.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Internal(e.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Error::CsrfMismatch => CSRF_STATUS,
            Error::TwoFactorRequired => StatusCode::BAD_REQUEST,
        }
    }
}

/// The user-facing facts of an error, carried from handler to envelope middleware.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Pterodactyl's exception class name.
    pub code: &'static str,
    /// The message for the user.
    pub detail: String,
    /// Validation source, when there is one.
    pub meta: Option<(String, String)>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let info = match &self {
            Error::Internal(msg) => {
                // Logged once, here at the boundary; the user gets a generic sentence.
                tracing::error!(error.message = %msg, "request failed");
                ErrorInfo {
                    code: "HttpException",
                    detail: GENERIC_500.to_owned(),
                    meta: None,
                }
            }
            Error::Unavailable(msg) => {
                tracing::warn!(error.message = %msg, "dependency unavailable");
                ErrorInfo {
                    code: "ServiceUnavailableHttpException",
                    detail: msg.clone(),
                    meta: None,
                }
            }
            Error::Validation {
                field,
                rule,
                message,
            } => ErrorInfo {
                code: "ValidationException",
                detail: message.clone(),
                meta: Some((field.clone(), rule.clone())),
            },
            Error::CsrfMismatch => ErrorInfo {
                code: "TokenMismatchException",
                detail: self.to_string(),
                meta: None,
            },
            Error::TwoFactorRequired => ErrorInfo {
                code: "TwoFactorAuthRequiredException",
                detail: self.to_string(),
                meta: None,
            },
            other => ErrorInfo {
                code: code_for(status),
                detail: other.to_string(),
                meta: None,
            },
        };
        let mut resp = status.into_response();
        if let Error::TooManyRequests { retry_after } = self {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        resp.extensions_mut().insert(info);
        resp
    }
}

/// Laravel's "page expired" status for a CSRF token mismatch.
const CSRF_STATUS: StatusCode = match StatusCode::from_u16(419) {
    Ok(s) => s,
    Err(_) => StatusCode::FORBIDDEN,
};

const GENERIC_500: &str =
    "An unexpected error was encountered while processing this request, please try again.";

fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "NotFoundHttpException",
        StatusCode::UNAUTHORIZED => "AuthenticationException",
        StatusCode::FORBIDDEN => "AccessDeniedHttpException",
        StatusCode::CONFLICT => "ConflictHttpException",
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowedHttpException",
        StatusCode::TOO_MANY_REQUESTS => "TooManyRequestsHttpException",
        StatusCode::UNPROCESSABLE_ENTITY => "ValidationException",
        StatusCode::BAD_REQUEST => "BadRequestHttpException",
        StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLargeHttpException",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UnsupportedMediaTypeHttpException",
        _ => "HttpException",
    }
}

fn default_detail(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => {
            "The requested resource could not be found on the server.".to_owned()
        }
        StatusCode::METHOD_NOT_ALLOWED => "The method is not supported for this route.".to_owned(),
        StatusCode::UNAUTHORIZED => "Unauthenticated.".to_owned(),
        s if s.is_server_error() => GENERIC_500.to_owned(),
        s => s.canonical_reason().unwrap_or("Request failed.").to_owned(),
    }
}

/// Which error body a service writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// Pterodactyl panel (Laravel) shape.
    Panel,
    /// Pterodactyl Wings shape.
    Wings,
}

/// Middleware: writes the error body for every 4xx/5xx response that has none yet.
pub async fn envelope_layer(envelope: Envelope, req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let info = resp.extensions().get::<ErrorInfo>().cloned();
    // A handler that wrote its own error body (a proxied wings error, say) is left alone.
    if info.is_none() && resp.headers().contains_key(header::CONTENT_TYPE) {
        return resp;
    }
    let info = info.unwrap_or_else(|| ErrorInfo {
        code: code_for(status),
        detail: default_detail(status),
        meta: None,
    });
    let body = match envelope {
        Envelope::Panel => serde_json::to_vec(&PanelErrors {
            errors: vec![PanelError {
                code: info.code.to_owned(),
                status: status.as_u16().to_string(),
                detail: info.detail,
                meta: info
                    .meta
                    .map(|(source_field, rule)| PanelErrorMeta { source_field, rule }),
            }],
        }),
        Envelope::Wings => serde_json::to_vec(&WingsError {
            error: info.detail,
            request_id,
        }),
    }
    .unwrap_or_default();
    let (mut parts, _) = resp.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
