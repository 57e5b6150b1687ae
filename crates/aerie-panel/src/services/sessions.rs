//! Browser sessions and their CSRF protection, the way Laravel Sanctum's SPA mode works for
//! Pterodactyl's frontend:
//!
//! - `aerie_session` cookie: 40 random characters; the database keeps only its SHA-256.
//!   `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` when the panel is reached over HTTPS.
//!   Sessions live [`LIFETIME_MINUTES`] and slide forward while used.
//! - `XSRF-TOKEN` cookie: readable by JavaScript; axios copies it into the `X-XSRF-TOKEN`
//!   header. For a session it is the session's own CSRF token, checked against the stored
//!   value. Before login (the login form itself, password resets) there is no session, so
//!   the header must equal the cookie (double-submit): a cross-site form can send the
//!   cookie but cannot read it to forge the header.
//! - Two-factor logins are held between the password and the code in [`PendingLogins`]
//!   (in memory, five minutes, single use).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aerie_db::Db;
use aerie_db::models::User;
use aerie_db::repo::sessions::{NewSession, Session};
use aerie_http::Error;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{db_err, random_alnum};
use crate::api::{Clock, SystemClock};

/// The session cookie.
pub const SESSION_COOKIE: &str = "aerie_session";
/// The cookie JavaScript reads the CSRF token from.
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";
/// The header the CSRF token comes back in (axios' default).
pub const XSRF_HEADER: &str = "x-xsrf-token";
/// Laravel's other CSRF header, accepted too.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lives without requests (Pterodactyl's `SESSION_LIFETIME` default).
pub const LIFETIME_MINUTES: i64 = 720;
/// How long a two-factor confirmation token is valid.
pub const CONFIRMATION_TTL: Duration = Duration::from_secs(300);

const TOKEN_LEN: usize = 40;
/// Requests closer together than this do not rewrite `last_seen_at`.
const TOUCH_EVERY_SECS: i64 = 60;

/// Hex SHA-256 of a cookie token: the stored session id.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn expiry_from(now: chrono::DateTime<chrono::Utc>) -> String {
    aerie_db::format_ts(now + chrono::Duration::minutes(LIFETIME_MINUTES))
}

/// A new session: the cookie token (to set on the response) and the stored row.
#[derive(Debug, Clone)]
pub struct StartedSession {
    /// The cookie value.
    pub token: String,
    /// The stored session (its `csrf_token` goes into the `XSRF-TOKEN` cookie).
    pub session: Session,
}

/// Starts a session for `user_id`.
pub async fn start(
    db: &Db,
    user_id: i64,
    ip: Option<IpAddr>,
    user_agent: Option<&str>,
) -> Result<StartedSession, Error> {
    let token = random_alnum(TOKEN_LEN);
    let session = db
        .sessions()
        .create(&NewSession {
            id: hash_token(&token),
            user_id,
            csrf_token: random_alnum(TOKEN_LEN),
            ip: ip.map(|ip| ip.to_string()),
            user_agent: user_agent.map(str::to_owned),
            expires_at: expiry_from(chrono::Utc::now()),
        })
        .await
        .map_err(db_err)?;
    Ok(StartedSession { token, session })
}

/// The live session of a cookie token and its user; `None` for unknown or expired tokens.
/// Moves the session's expiry forward (at most once a minute).
pub async fn resolve(db: &Db, token: &str) -> Result<Option<(Session, User)>, Error> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let now = chrono::Utc::now();
    let id = hash_token(token);
    let Some(session) = db
        .sessions()
        .find_active(&id, &aerie_db::format_ts(now))
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let Some(user) = db.users().find(session.user_id).await.map_err(db_err)? else {
        return Ok(None);
    };
    let stale = crate::api::parse_timestamp(&session.last_seen_at)
        .is_none_or(|seen| (now - seen).num_seconds() >= TOUCH_EVERY_SECS);
    if stale {
        db.sessions()
            .touch(&id, &aerie_db::format_ts(now), &expiry_from(now))
            .await
            .map_err(db_err)?;
    }
    Ok(Some((session, user)))
}

/// Ends a session by its cookie token; whether it existed.
pub async fn end(db: &Db, token: &str) -> Result<bool, Error> {
    db.sessions()
        .delete(&hash_token(token))
        .await
        .map_err(db_err)
}

/// Ends every session of `user_id` except the one with id `keep`; returns how many ended.
pub async fn end_all_for_user(db: &Db, user_id: i64, keep: Option<&str>) -> Result<u64, Error> {
    db.sessions()
        .delete_for_user(user_id, keep)
        .await
        .map_err(db_err)
}

// ---- cookies ----

/// The value of cookie `name` in the request, if present.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
}

/// Whether cookies should be `Secure`: the panel URL is https, or a proxy says the request
/// arrived over https.
pub fn is_secure(panel_url: &str, headers: &HeaderMap) -> bool {
    panel_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .next()
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
            })
}

fn cookie(name: &str, value: &str, max_age: i64, http_only: bool, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    // Names and values are alphanumeric, so this is always a valid header value.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` for a session token.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    cookie(SESSION_COOKIE, token, LIFETIME_MINUTES * 60, true, secure)
}

/// `Set-Cookie` that deletes the session cookie.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    cookie(SESSION_COOKIE, "", 0, true, secure)
}

/// `Set-Cookie` for the JavaScript-readable CSRF token.
pub fn xsrf_cookie(token: &str, secure: bool) -> HeaderValue {
    cookie(XSRF_COOKIE, token, LIFETIME_MINUTES * 60, false, secure)
}

/// Appends `Set-Cookie` headers to a response's headers.
pub fn set_cookies(headers: &mut HeaderMap, cookies: impl IntoIterator<Item = HeaderValue>) {
    for c in cookies {
        headers.append(SET_COOKIE, c);
    }
}

/// A fresh token for the `XSRF-TOKEN` cookie of a visitor without a session.
pub fn new_xsrf_token() -> String {
    random_alnum(TOKEN_LEN)
}

// ---- CSRF ----

/// Whether `method` changes state and so needs a CSRF token (everything but GET, HEAD and
/// OPTIONS).
pub fn needs_csrf(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn header_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(XSRF_HEADER)
        .or_else(|| headers.get(CSRF_HEADER))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A session request's CSRF check: the header must carry the session's token.
pub fn check_session_csrf(headers: &HeaderMap, session: &Session) -> Result<(), Error> {
    match header_token(headers) {
        Some(t) if same(t, &session.csrf_token) => Ok(()),
        _ => Err(Error::CsrfMismatch),
    }
}

/// A visitor's CSRF check (no session yet): the header must equal the `XSRF-TOKEN` cookie.
pub fn check_guest_csrf(headers: &HeaderMap) -> Result<(), Error> {
    let cookie = read_cookie(headers, XSRF_COOKIE).filter(|c| c.len() >= 16);
    match (header_token(headers), cookie) {
        (Some(h), Some(c)) if same(h, &c) => Ok(()),
        _ => Err(Error::CsrfMismatch),
    }
}

// ---- two-factor confirmation tokens ----

#[derive(Debug, Clone, Copy)]
struct Pending {
    user_id: i64,
    expires: Instant,
}

/// Logins that passed the password and wait for a two-factor code, keyed by the hash of
/// their confirmation token. Cheap to clone; clones share the map. Time comes from a
/// [`Clock`], so tests can expire tokens without sleeping.
#[derive(Clone, Debug)]
pub struct PendingLogins {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    map: Arc<Mutex<HashMap<String, Pending>>>,
}

impl Default for PendingLogins {
    fn default() -> Self {
        Self::new()
    }
}

impl PendingLogins {
    /// An empty store with the five-minute lifetime and the system clock.
    pub fn new() -> Self {
        Self {
            ttl: CONFIRMATION_TTL,
            clock: Arc::new(SystemClock),
            map: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Uses `clock` for time.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a login of `user_id` awaiting its code; returns the confirmation token.
    pub fn issue(&self, user_id: i64) -> String {
        let token = random_alnum(64);
        let now = self.clock.now();
        let mut map = self.lock();
        map.retain(|_, p| p.expires > now);
        map.insert(
            hash_token(&token),
            Pending {
                user_id,
                expires: now + self.ttl,
            },
        );
        token
    }

    /// The user a live confirmation token belongs to, without using it up.
    pub fn peek(&self, token: &str) -> Option<i64> {
        let now = self.clock.now();
        let map = self.lock();
        map.get(&hash_token(token))
            .filter(|p| p.expires > now)
            .map(|p| p.user_id)
    }

    /// Uses up a confirmation token; whether it was still live.
    pub fn consume(&self, token: &str) -> bool {
        let now = self.clock.now();
        self.lock()
            .remove(&hash_token(token))
            .is_some_and(|p| p.expires > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ManualClock;

    #[test]
    fn confirmation_tokens_expire_and_are_single_use() {
        let clock = Arc::new(ManualClock::new());
        let p = PendingLogins::new().with_clock(clock.clone());
        let t = p.issue(7);
        assert_eq!(p.peek(&t), Some(7));
        assert_eq!(p.peek("other"), None);
        assert!(p.consume(&t));
        assert!(!p.consume(&t));
        assert_eq!(p.peek(&t), None);

        let t = p.issue(8);
        clock.advance(Duration::from_secs(299));
        assert_eq!(p.peek(&t), Some(8));
        clock.advance(Duration::from_secs(1));
        assert_eq!(p.peek(&t), None);
        assert!(!p.consume(&t));
    }

    #[test]
    fn cookies_and_csrf() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; XSRF-TOKEN=abcdefghijklmnop1234; aerie_session=tok"),
        );
        assert_eq!(read_cookie(&h, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(read_cookie(&h, "missing"), None);
        assert!(matches!(check_guest_csrf(&h), Err(Error::CsrfMismatch)));
        h.insert(
            XSRF_HEADER,
            HeaderValue::from_static("wrongwrongwrongwrong"),
        );
        assert!(check_guest_csrf(&h).is_err());
        h.insert(
            XSRF_HEADER,
            HeaderValue::from_static("abcdefghijklmnop1234"),
        );
        assert!(check_guest_csrf(&h).is_ok());

        let c = session_cookie("tok", true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax"));
        let x = xsrf_cookie("x", false);
        assert!(!x.to_str().unwrap().contains("HttpOnly"));
        assert!(!is_secure("http://p", &HeaderMap::new()));
        let mut fwd = HeaderMap::new();
        fwd.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(is_secure("http://p", &fwd));
        assert!(is_secure("https://p", &HeaderMap::new()));
    }
}
