//! Request bodies and field validation with Pterodactyl's (Laravel's) behaviour.
//!
//! [`JsonBody`] reads a JSON body whatever the `Content-Type` (clients send
//! `application/json`, `application/vnd.pterodactyl.v1+json` or nothing):
//!
//! - an empty body, or `null`, is `{}` (Laravel's input is then an empty array), so a DTO
//!   whose fields are all optional accepts it;
//! - a body that is not JSON is a 400, "The JSON data passed in the request appears to be
//!   malformed: ..." (Pterodactyl's `IsValidJson` middleware);
//! - JSON of the wrong shape is a 422 naming the field in dot notation (`limits.memory`),
//!   with the Laravel rule (`required`, `integer`, `string`, ...) and message;
//! - more than [`MAX_BODY_BYTES`] is a 413.
//!
//! [`Validator`] checks the rules serde cannot (lengths, formats, allowed values) and keeps
//! the first failure, with Laravel's English messages.

use aerie_http::{Error, ErrorInfo};
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use regex::Regex;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_path_to_error::Segment;

/// The largest request body accepted: 8 MiB.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A JSON request body deserialized into `T`, with Pterodactyl's error responses.
///
/// The rejection is a finished response: 400 (malformed), 422 (wrong shape) or 413 (too
/// large), each rendered in the `errors` envelope by `aerie_http`'s middleware.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let bytes = read_limited(req.into_body()).await?;
        parse_json(&bytes)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

async fn read_limited(body: Body) -> Result<axum::body::Bytes, Response> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large()),
        Err(e) => {
            tracing::debug!(error.message = %e, "failed to read the request body");
            Err(Error::BadRequest("Failed to read the request body.".into()).into_response())
        }
    }
}

fn too_large() -> Response {
    let mut resp = StatusCode::PAYLOAD_TOO_LARGE.into_response();
    resp.extensions_mut().insert(ErrorInfo {
        // Laravel's ValidatePostSize exception.
        code: "PostTooLargeException",
        detail: format!(
            "The request body is larger than the limit of {} MiB.",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
        meta: None,
    });
    resp
}

/// Parses a request body the way [`JsonBody`] does; for handlers that read the body
/// themselves and for tests.
///
/// # Errors
/// [`Error::BadRequest`] when `bytes` is not JSON (or the top level has the wrong type),
/// [`Error::Validation`] when a field is missing or has the wrong type.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let trimmed = bytes.trim_ascii();
    // Syntax first, over the whole body: a body that is both malformed and of the wrong
    // shape is reported as malformed, as Pterodactyl's middleware runs before validation.
    if !trimmed.is_empty()
        && let Err(e) = serde_json::from_slice::<IgnoredAny>(trimmed)
    {
        return Err(Error::BadRequest(format!(
            "The JSON data passed in the request appears to be malformed: {e}"
        )));
    }
    let source: &[u8] = if trimmed.is_empty() || trimmed == b"null" {
        b"{}"
    } else {
        trimmed
    };
    let mut de = serde_json::Deserializer::from_slice(source);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // serde lets a struct be read from an array, which would report fields as `0`, `1`;
        // no Pterodactyl endpoint takes a top-level array, so say the shape is wrong.
        if source.starts_with(b"[") {
            return Error::BadRequest(format!("{WRONG_SHAPE}{}", message(e.inner())));
        }
        shape_error(e)
    })
}

const WRONG_SHAPE: &str = "The JSON data passed in the request does not have the expected shape: ";

/// serde_json's message without its " at line L column C" suffix.
fn message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match full.strip_suffix(&suffix) {
        Some(m) => m.to_owned(),
        None => full,
    }
}

/// Maps a deserialization failure at a path to Laravel's rule and message.
fn shape_error(err: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = dotted_path(err.path());
    let msg = message(err.inner());
    let msg = msg.as_str();

    if let Some(name) = backticked(msg, "missing field `") {
        let field = join(&path, name);
        return required(&field);
    }
    if let Some(name) = backticked(msg, "unknown field `") {
        // The path already ends at the unknown key.
        let field = if path == name || path.ends_with(&format!(".{name}")) {
            path.clone()
        } else {
            join(&path, name)
        };
        let message = format!("The {} field is prohibited.", display(&field));
        return Error::validation(&field, "prohibited", message);
    }
    if path.is_empty() {
        return Error::BadRequest(format!("{WRONG_SHAPE}{msg}"));
    }
    if msg.starts_with("invalid type: null") {
        return required(&path);
    }
    if msg.starts_with("unknown variant") {
        let message = format!("The selected {} is invalid.", display(&path));
        return Error::validation(&path, "in", message);
    }
    let expected = msg.split_once(", expected ").map_or("", |(_, e)| e);
    let (rule, message) = type_rule(expected, &display(&path));
    Error::validation(&path, rule, message)
}

fn required(field: &str) -> Error {
    let message = format!("The {} field is required.", display(field));
    Error::validation(field, "required", message)
}

/// The Laravel rule whose failure a serde "expected ..." phrase corresponds to.
fn type_rule(expected: &str, attr: &str) -> (&'static str, String) {
    const INTEGERS: [&str; 13] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "integer",
    ];
    let words: Vec<&str> = expected
        .split(|c: char| !c.is_ascii_alphanumeric())
        .collect();
    let has = |w: &str| words.contains(&w);
    if INTEGERS.iter().any(|w| has(w)) {
        ("integer", format!("The {attr} must be an integer."))
    } else if has("f32") || has("f64") || has("number") {
        ("numeric", format!("The {attr} must be a number."))
    } else if has("string") || has("char") || has("character") {
        ("string", format!("The {attr} must be a string."))
    } else if has("boolean") || has("bool") {
        (
            "boolean",
            format!("The {attr} field must be true or false."),
        )
    } else if has("sequence") || has("array") || has("tuple") || has("map") || has("struct") {
        ("array", format!("The {attr} must be an array."))
    } else {
        ("invalid", format!("The {attr} is invalid."))
    }
}

/// `"name`rest"` after `prefix` → `name`.
fn backticked<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    msg.strip_prefix(prefix)?.split('`').next()
}

fn dotted_path(path: &serde_path_to_error::Path) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|seg| match seg {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            _ => "?".to_owned(),
        })
        .collect();
    parts.join(".")
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Laravel's displayable attribute name: underscores become spaces (`per_page` → `per page`).
fn display(field: &str) -> String {
    field.replace('_', " ")
}

/// Collects the first failed rule over a request's fields, with Laravel's messages.
///
/// Rules other than the `required` ones skip absent values (Laravel's `nullable`), so an
/// optional field is written `v.max("short", body.short.as_deref(), 60)`. String lengths
/// count characters, as PHP's `mb_strlen` does.
///
/// ```
/// # use aerie_panel::api::Validator;
/// let err = Validator::new()
///     .required("short", Some("us.east"))
///     .max("short", "us.east", 60)
///     .email("email", "not-an-address")
///     .finish()
///     .unwrap_err();
/// assert_eq!(err.to_string(), "The email must be a valid email address.");
/// ```
#[derive(Debug, Default)]
pub struct Validator {
    first: Option<Error>,
}

impl Validator {
    /// A validator with no failure yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a failure of `rule` on `field` unless `ok` (or an earlier rule failed).
    pub fn rule(
        &mut self,
        field: &str,
        rule: &str,
        ok: bool,
        message: impl Into<String>,
    ) -> &mut Self {
        if self.first.is_none() && !ok {
            self.first = Some(Error::validation(field, rule, message));
        }
        self
    }

    /// `required`: present and not blank ("The short field is required.").
    pub fn required<'a>(&mut self, field: &str, value: impl Into<Option<&'a str>>) -> &mut Self {
        let ok = value.into().is_some_and(|v| !v.trim().is_empty());
        self.rule(
            field,
            "required",
            ok,
            format!("The {} field is required.", display(field)),
        )
    }

    /// `required` for a non-string value: present (not `None`).
    pub fn required_value<T>(&mut self, field: &str, value: Option<&T>) -> &mut Self {
        self.rule(
            field,
            "required",
            value.is_some(),
            format!("The {} field is required.", display(field)),
        )
    }

    /// `max:N` on a string: at most `max` characters.
    pub fn max<'a>(
        &mut self,
        field: &str,
        value: impl Into<Option<&'a str>>,
        max: usize,
    ) -> &mut Self {
        let ok = value.into().is_none_or(|v| v.chars().count() <= max);
        let message = format!(
            "The {} must not be greater than {max} characters.",
            display(field)
        );
        self.rule(field, "max", ok, message)
    }

    /// `min:N` on a string: at least `min` characters.
    pub fn min<'a>(
        &mut self,
        field: &str,
        value: impl Into<Option<&'a str>>,
        min: usize,
    ) -> &mut Self {
        let ok = value.into().is_none_or(|v| v.chars().count() >= min);
        let message = format!("The {} must be at least {min} characters.", display(field));
        self.rule(field, "min", ok, message)
    }

    /// `between:A,B` on a string: from `min` to `max` characters.
    pub fn between<'a>(
        &mut self,
        field: &str,
        value: impl Into<Option<&'a str>>,
        min: usize,
        max: usize,
    ) -> &mut Self {
        let ok = value
            .into()
            .is_none_or(|v| (min..=max).contains(&v.chars().count()));
        let message = format!(
            "The {} must be between {min} and {max} characters.",
            display(field)
        );
        self.rule(field, "between", ok, message)
    }

    /// `min:N` on a number.
    pub fn min_value(&mut self, field: &str, value: impl Into<Option<i64>>, min: i64) -> &mut Self {
        let ok = value.into().is_none_or(|v| v >= min);
        let message = format!("The {} must be at least {min}.", display(field));
        self.rule(field, "min", ok, message)
    }

    /// `max:N` on a number.
    pub fn max_value(&mut self, field: &str, value: impl Into<Option<i64>>, max: i64) -> &mut Self {
        let ok = value.into().is_none_or(|v| v <= max);
        let message = format!("The {} must not be greater than {max}.", display(field));
        self.rule(field, "max", ok, message)
    }

    /// `between:A,B` on a number.
    pub fn between_values(
        &mut self,
        field: &str,
        value: impl Into<Option<i64>>,
        min: i64,
        max: i64,
    ) -> &mut Self {
        let ok = value.into().is_none_or(|v| (min..=max).contains(&v));
        let message = format!("The {} must be between {min} and {max}.", display(field));
        self.rule(field, "between", ok, message)
    }

    /// `regex:/.../`: the whole rule is `re.is_match` ("The name format is invalid.").
    pub fn regex<'a>(
        &mut self,
        field: &str,
        value: impl Into<Option<&'a str>>,
        re: &Regex,
    ) -> &mut Self {
        let ok = value.into().is_none_or(|v| re.is_match(v));
        let message = format!("The {} format is invalid.", display(field));
        self.rule(field, "regex", ok, message)
    }

    /// `email`: a plausible RFC 5322 address (dot-atom local part, hostname or IP-literal
    /// domain), close to Laravel's default `RFCValidation`.
    pub fn email<'a>(&mut self, field: &str, value: impl Into<Option<&'a str>>) -> &mut Self {
        let ok = value.into().is_none_or(is_email);
        let message = format!("The {} must be a valid email address.", display(field));
        self.rule(field, "email", ok, message)
    }

    /// `in:a,b`: one of `allowed` ("The selected language is invalid.").
    pub fn in_list<'a>(
        &mut self,
        field: &str,
        value: impl Into<Option<&'a str>>,
        allowed: &[&str],
    ) -> &mut Self {
        let ok = value.into().is_none_or(|v| allowed.contains(&v));
        let message = format!("The selected {} is invalid.", display(field));
        self.rule(field, "in", ok, message)
    }

    /// Whether every rule so far passed.
    pub fn is_ok(&self) -> bool {
        self.first.is_none()
    }

    /// The first failure, if any; the validator is empty again afterwards.
    ///
    /// # Errors
    /// The first failed rule as [`Error::Validation`] (a 422).
    pub fn finish(&mut self) -> Result<(), Error> {
        match self.first.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(atext));
    if !local_ok || domain.is_empty() || domain.len() > 255 {
        return false;
    }
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        let literal = literal.strip_prefix("IPv6:").unwrap_or(literal);
        return literal.parse::<std::net::IpAddr>().is_ok();
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::post;
    use serde::Deserialize;
    use tower::ServiceExt;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Limits {
        memory: u64,
        swap: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct CreateServer {
        name: String,
        user: u64,
        start_on_completion: Option<bool>,
        limits: Limits,
        allocation_ids: Option<Vec<u32>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Optional {
        name: Option<String>,
    }

    fn validation(e: Error) -> (String, String, String) {
        match e {
            Error::Validation {
                field,
                rule,
                message,
            } => (field, rule, message),
            other => panic!("expected Validation, got {other:?}"),
        }
    }

    fn v(field: &str, rule: &str, message: &str) -> (String, String, String) {
        (field.into(), rule.into(), message.into())
    }

    #[test]
    fn empty_and_null_bodies_are_empty_objects() {
        assert_eq!(
            parse_json::<Optional>(b"").unwrap(),
            Optional { name: None }
        );
        assert_eq!(
            parse_json::<Optional>(b"  \n").unwrap(),
            Optional { name: None }
        );
        assert_eq!(
            parse_json::<Optional>(b"null").unwrap(),
            Optional { name: None }
        );
        let e = parse_json::<CreateServer>(b"").unwrap_err();
        assert_eq!(
            validation(e),
            v("name", "required", "The name field is required.")
        );
    }

    #[test]
    fn malformed_json_is_400() {
        for body in [&b"{"[..], b"{\"name\": }", b"nope", b"{\"name\": 5,}"] {
            match parse_json::<CreateServer>(body).unwrap_err() {
                Error::BadRequest(m) => assert!(
                    m.starts_with("The JSON data passed in the request appears to be malformed: "),
                    "{m}"
                ),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn wrong_shapes_are_422_with_the_field() {
        let e = parse_json::<CreateServer>(br#"{"user": 1, "limits": {"memory": 1, "swap": 0}}"#);
        assert_eq!(
            validation(e.unwrap_err()),
            v("name", "required", "The name field is required.")
        );
        let e = parse_json::<CreateServer>(br#"{"name": "a", "user": 1, "limits": {"swap": 0}}"#);
        assert_eq!(
            validation(e.unwrap_err()),
            v(
                "limits.memory",
                "required",
                "The limits.memory field is required."
            )
        );
        let e = parse_json::<CreateServer>(br#"{"name": "a", "user": "x", "limits": {}}"#);
        assert_eq!(
            validation(e.unwrap_err()),
            v("user", "integer", "The user must be an integer.")
        );
        let e = parse_json::<CreateServer>(br#"{"name": null, "user": 1}"#);
        assert_eq!(
            validation(e.unwrap_err()),
            v("name", "required", "The name field is required.")
        );
        let e = parse_json::<CreateServer>(br#"{"name": 7}"#);
        assert_eq!(
            validation(e.unwrap_err()),
            v("name", "string", "The name must be a string.")
        );
        let e = parse_json::<CreateServer>(
            br#"{"name": "a", "user": 1, "start_on_completion": "yes"}"#,
        );
        assert_eq!(
            validation(e.unwrap_err()),
            v(
                "start_on_completion",
                "boolean",
                "The start on completion field must be true or false."
            )
        );
        let e = parse_json::<CreateServer>(
            br#"{"name": "a", "user": 1, "limits": {"memory": 1, "swap": 0}, "allocation_ids": [1, "b"]}"#,
        );
        assert_eq!(
            validation(e.unwrap_err()),
            v(
                "allocation_ids.1",
                "integer",
                "The allocation ids.1 must be an integer."
            )
        );
        let e = parse_json::<CreateServer>(br#"{"name": "a", "user": 1, "limits": 5}"#);
        assert_eq!(
            validation(e.unwrap_err()),
            v("limits", "array", "The limits must be an array.")
        );
        let e = parse_json::<CreateServer>(br#"{"name": "a", "user": -1}"#);
        assert_eq!(validation(e.unwrap_err()).1, "integer");
        // A top-level array is not a request object.
        assert!(matches!(
            parse_json::<CreateServer>(b"[1]"),
            Err(Error::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<CreateServer>(b"5"),
            Err(Error::BadRequest(_))
        ));
        assert_eq!(parse_json::<Vec<u8>>(b"[1, 2]").unwrap(), [1, 2]);
    }

    #[test]
    fn unknown_fields_and_variants() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            signal: Option<Signal>,
        }
        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Signal {
            Start,
            Stop,
        }
        assert_eq!(
            validation(parse_json::<Strict>(br#"{"x": 1}"#).unwrap_err()),
            v("x", "prohibited", "The x field is prohibited.")
        );
        assert_eq!(
            validation(parse_json::<Strict>(br#"{"signal": "boom"}"#).unwrap_err()),
            v("signal", "in", "The selected signal is invalid.")
        );
        assert!(parse_json::<Strict>(br#"{"signal": "stop"}"#).is_ok());
    }

    async fn send(body: Body, content_type: Option<&str>) -> (StatusCode, serde_json::Value) {
        async fn handler(JsonBody(b): JsonBody<Optional>) -> String {
            b.name.unwrap_or_default()
        }
        let app = aerie_http::with_observability(
            Router::new().route("/", post(handler)),
            "test",
            aerie_http::Envelope::Panel,
        );
        let mut req = Request::builder().method("POST").uri("/");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = app.oneshot(req.body(body).unwrap()).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, json)
    }

    #[tokio::test]
    async fn extractor_accepts_any_content_type_and_renders_errors() {
        for ct in [
            None,
            Some("application/json"),
            Some("application/vnd.pterodactyl.v1+json"),
            Some("text/plain"),
        ] {
            let (status, body) = send(Body::from(r#"{"name":"x"}"#), ct).await;
            assert_eq!((status, body), (StatusCode::OK, "x".into()), "{ct:?}");
        }
        let (status, _) = send(Body::empty(), None).await;
        assert_eq!(status, StatusCode::OK);

        let (status, body) = send(Body::from("{"), Some("application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0]["code"], "BadRequestHttpException");
        assert!(
            body["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .starts_with("The JSON data passed in the request appears to be malformed: ")
        );

        let (status, body) = send(Body::from(r#"{"name": 5}"#), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body["errors"][0]["meta"],
            serde_json::json!({"source_field": "name", "rule": "string"})
        );
    }

    #[tokio::test]
    async fn oversized_bodies_are_413() {
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        let (status, body) = send(Body::from(big), None).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["errors"][0]["code"], "PostTooLargeException");
        assert_eq!(body["errors"][0]["status"], "413");

        // A streamed body without Content-Length is cut off too.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..9).map(|_| Ok(vec![b' '; 1024 * 1024])).collect();
        let stream = futures_util::stream::iter(chunks);
        let (status, _) = send(Body::from_stream(stream), None).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn validator_messages() {
        let e = Validator::new().required("short", "").finish().unwrap_err();
        assert_eq!(
            validation(e),
            v("short", "required", "The short field is required.")
        );

        let long = "x".repeat(61);
        let e = Validator::new()
            .required("short", long.as_str())
            .max("short", long.as_str(), 60)
            .finish()
            .unwrap_err();
        assert_eq!(
            validation(e),
            v(
                "short",
                "max",
                "The short must not be greater than 60 characters."
            )
        );
        let e = Validator::new()
            .email("email", "nope")
            .finish()
            .unwrap_err();
        assert_eq!(
            validation(e),
            v("email", "email", "The email must be a valid email address.")
        );
        let e = Validator::new()
            .min("password", "short", 8)
            .finish()
            .unwrap_err();
        assert_eq!(
            validation(e).2,
            "The password must be at least 8 characters."
        );
        let e = Validator::new()
            .between("name", "", 1, 191)
            .finish()
            .unwrap_err();
        assert_eq!(
            validation(e).2,
            "The name must be between 1 and 191 characters."
        );
        let re = Regex::new(r"^[a-z0-9_]+$").unwrap();
        let e = Validator::new()
            .regex("env_variable", "NO SPACES", &re)
            .finish()
            .unwrap_err();
        assert_eq!(
            validation(e),
            v(
                "env_variable",
                "regex",
                "The env variable format is invalid."
            )
        );
        let e = Validator::new()
            .in_list("language", "xx", &["en", "de"])
            .finish()
            .unwrap_err();
        assert_eq!(
            validation(e),
            v("language", "in", "The selected language is invalid.")
        );
        let e = Validator::new()
            .between_values("port", 70000, 1024, 65535)
            .finish()
            .unwrap_err();
        assert_eq!(validation(e).2, "The port must be between 1024 and 65535.");
        let e = Validator::new()
            .min_value("memory", -1, 0)
            .finish()
            .unwrap_err();
        assert_eq!(validation(e).2, "The memory must be at least 0.");
        let e = Validator::new()
            .max_value("cpu", 5000, 1000)
            .finish()
            .unwrap_err();
        assert_eq!(validation(e).2, "The cpu must not be greater than 1000.");
    }

    #[test]
    fn validator_keeps_the_first_failure_and_skips_absent_values() {
        let mut val = Validator::new();
        val.required("a", None)
            .required("b", None)
            .max("c", None, 1)
            .email("d", None);
        assert!(!val.is_ok());
        assert_eq!(validation(val.finish().unwrap_err()).0, "a");
        assert!(val.finish().is_ok());

        let none: Option<&str> = None;
        Validator::new()
            .max("short", none, 1)
            .email("email", none)
            .in_list("x", none, &[])
            .min_value("n", None, 5)
            .required_value("ids", Some(&vec![1]))
            .finish()
            .unwrap();
        assert!(
            Validator::new()
                .required_value::<u8>("n", None)
                .finish()
                .is_err()
        );
        // Lengths count characters, not bytes.
        Validator::new().max("name", "ééé", 3).finish().unwrap();
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.c",
            "first.last+tag@example.co.uk",
            "admin@localhost",
            "x@[127.0.0.1]",
            "üser@exämple.de",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a b@example.com",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@example..com",
            "a@exa mple.com",
            "a@[not-an-ip]",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
