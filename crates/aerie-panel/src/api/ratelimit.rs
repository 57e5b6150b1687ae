//! Per-key request budgets, as Laravel's `throttle` middleware gives the Pterodactyl API
//! (`api.application` 240/min, `api.client` 720/min by default).
//!
//! A [`RateLimiter`] is a plain value held in the app state (never a global, so tests get
//! their own) with a fixed window per key: the first request of a key opens a window, which
//! allows `limit` requests until it is `window` old. [`rate_limit`] is the middleware:
//!
//! ```
//! use aerie_panel::api::{RateLimiter, rate_limit};
//! use axum::{Router, routing::get};
//!
//! let limiter = RateLimiter::new(240);
//! let api: Router = Router::new()
//!     .route("/api/application/users", get(|| async { "{}" }))
//!     .layer(axum::middleware::from_fn_with_state(limiter.clone(), rate_limit));
//! ```
//!
//! Every response of a limited route carries `X-RateLimit-Limit` and
//! `X-RateLimit-Remaining`; over budget the answer is `429 TooManyRequests` with
//! `Retry-After`. The key is the API key identifier (first 16 characters of the bearer
//! token) or, without one, the client IP. Memory stays bounded: windows that ended are swept
//! once per window, and past `max_keys` the oldest windows are dropped.
//!
//! Time comes from a [`Clock`], so tests move it forward with [`ManualClock`] instead of
//! sleeping.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aerie_http::Error;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Header with the budget of the window.
pub const LIMIT_HEADER: &str = "x-ratelimit-limit";

/// Header with the requests left in the window.
pub const REMAINING_HEADER: &str = "x-ratelimit-remaining";

/// The default cap on tracked keys.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// A source of monotonic time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to; for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<Instant>);

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A clock standing at the current instant.
    pub fn new() -> Self {
        Self(Mutex::new(Instant::now()))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Within budget; `remaining` more requests fit in the window.
    Allowed {
        /// The budget of a window.
        limit: u32,
        /// Requests left after this one.
        remaining: u32,
    },
    /// Over budget; retry after this many seconds (at least 1).
    Limited {
        /// The budget of a window.
        limit: u32,
        /// Seconds until the window ends.
        retry_after: u64,
    },
    /// The limiter is disabled (a limit of 0).
    Unlimited,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

#[derive(Debug, Default)]
struct Windows {
    by_key: HashMap<String, Window>,
    last_sweep: Option<Instant>,
}

/// A fixed-window limiter of `limit` requests per `window` per key. Cheap to clone; clones
/// share their counters.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    max_keys: usize,
    clock: Arc<dyn Clock>,
    windows: Arc<Mutex<Windows>>,
}

impl RateLimiter {
    /// `limit_per_minute` requests per key per minute; 0 disables limiting.
    pub fn new(limit_per_minute: u32) -> Self {
        Self::per(limit_per_minute, Duration::from_secs(60))
    }

    /// `limit` requests per key per `window` (`throttle:10,5` is `per(10, 5 minutes)`);
    /// a `limit` of 0 disables limiting.
    pub fn per(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window: window.max(Duration::from_secs(1)),
            max_keys: DEFAULT_MAX_KEYS,
            clock: Arc::new(SystemClock),
            windows: Arc::new(Mutex::new(Windows::default())),
        }
    }

    /// Uses `clock` for time (tests pass a [`ManualClock`]).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self.windows = Arc::new(Mutex::new(Windows::default()));
        self
    }

    /// Tracks at most `max_keys` keys (at least 1); past it the oldest windows are dropped.
    #[must_use]
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// The budget of one window (0: disabled).
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// How many keys currently have a window in memory.
    pub fn tracked_keys(&self) -> usize {
        self.lock().by_key.len()
    }

    fn lock(&self) -> MutexGuard<'_, Windows> {
        // A panic while counting leaves only counters behind; keep serving with them.
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `key` is out of attempts right now, without counting an attempt: the seconds
    /// until it may try again. Login throttles check this first and [`RateLimiter::hit`]
    /// only on a failure, so only failures count (Laravel's `ThrottlesLogins`).
    pub fn is_limited(&self, key: &str) -> Option<u64> {
        if self.limit == 0 {
            return None;
        }
        let now = self.clock.now();
        let windows = self.lock();
        let window = windows.by_key.get(key)?;
        let age = now.saturating_duration_since(window.start);
        if age >= self.window || window.count < self.limit {
            return None;
        }
        let left = self.window.saturating_sub(age);
        Some((left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1))
    }

    /// Forgets `key`'s attempts (after a successful login).
    pub fn clear(&self, key: &str) {
        self.lock().by_key.remove(key);
    }

    /// Counts one request of `key` and says whether it may proceed. A refused request does
    /// not use up budget.
    pub fn hit(&self, key: &str) -> Decision {
        if self.limit == 0 {
            return Decision::Unlimited;
        }
        let now = self.clock.now();
        let mut windows = self.lock();
        self.sweep(&mut windows, now);

        if !windows.by_key.contains_key(key) && windows.by_key.len() >= self.max_keys {
            self.evict_oldest(&mut windows);
        }
        let window = windows.by_key.entry(key.to_owned()).or_insert(Window {
            start: now,
            count: 0,
        });
        let age = now.saturating_duration_since(window.start);
        if age >= self.window {
            *window = Window {
                start: now,
                count: 0,
            };
        }
        if window.count >= self.limit {
            let left = self.window.saturating_sub(age);
            let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Decision::Limited {
                limit: self.limit,
                retry_after: retry_after.max(1),
            };
        }
        window.count += 1;
        Decision::Allowed {
            limit: self.limit,
            remaining: self.limit - window.count,
        }
    }

    /// Drops ended windows, at most once per window length.
    fn sweep(&self, windows: &mut Windows, now: Instant) {
        let due = windows
            .last_sweep
            .is_none_or(|at| now.saturating_duration_since(at) >= self.window);
        if due {
            let window = self.window;
            windows
                .by_key
                .retain(|_, w| now.saturating_duration_since(w.start) < window);
            windows.last_sweep = Some(now);
        }
    }

    /// Drops the older half of the windows (amortised: one O(n) pass per n/2 new keys).
    fn evict_oldest(&self, windows: &mut Windows) {
        let mut starts: Vec<Instant> = windows.by_key.values().map(|w| w.start).collect();
        let keep = self.max_keys / 2;
        if keep == 0 || starts.len() <= keep {
            windows.by_key.clear();
            return;
        }
        let cut_index = starts.len() - keep;
        let (_, cut, _) = starts.select_nth_unstable(cut_index);
        let cut = *cut;
        windows.by_key.retain(|_, w| w.start > cut);
    }
}

/// The key a request is counted under: `key:<identifier>` for a bearer token (its first
/// 16 characters, the API key identifier), else `ip:<address>` from `ConnectInfo`, else
/// `ip:unknown`.
pub fn request_key(req: &Request) -> String {
    if let Some(id) = bearer_identifier(req.headers()) {
        return format!("key:{id}");
    }
    match req.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(addr)) => format!("ip:{}", addr.ip()),
        None => "ip:unknown".to_owned(),
    }
}

fn bearer_identifier(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then(|| token.chars().take(16).collect())
}

/// Middleware: counts the request against `limiter` and answers 429 when over budget.
/// Use with `axum::middleware::from_fn_with_state(limiter, rate_limit)`.
pub async fn rate_limit(State(limiter): State<RateLimiter>, req: Request, next: Next) -> Response {
    match limiter.hit(&request_key(&req)) {
        Decision::Unlimited => next.run(req).await,
        Decision::Allowed { limit, remaining } => {
            let mut resp = next.run(req).await;
            set_headers(&mut resp, limit, remaining);
            resp
        }
        Decision::Limited { limit, retry_after } => {
            let mut resp = Error::TooManyRequests { retry_after }.into_response();
            set_headers(&mut resp, limit, 0);
            resp
        }
    }
}

fn set_headers(resp: &mut Response, limit: u32, remaining: u32) {
    let headers = resp.headers_mut();
    headers.insert(LIMIT_HEADER, HeaderValue::from(limit));
    headers.insert(REMAINING_HEADER, HeaderValue::from(remaining));
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    fn limiter(limit: u32) -> (RateLimiter, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        (RateLimiter::new(limit).with_clock(clock.clone()), clock)
    }

    #[test]
    fn counts_down_then_limits_then_resets() {
        let (l, clock) = limiter(3);
        assert_eq!(
            l.hit("a"),
            Decision::Allowed {
                limit: 3,
                remaining: 2
            }
        );
        assert_eq!(
            l.hit("a"),
            Decision::Allowed {
                limit: 3,
                remaining: 1
            }
        );
        clock.advance(Duration::from_secs(10));
        assert_eq!(
            l.hit("a"),
            Decision::Allowed {
                limit: 3,
                remaining: 0
            }
        );
        assert_eq!(
            l.hit("a"),
            Decision::Limited {
                limit: 3,
                retry_after: 50
            }
        );
        // Other keys have their own budget.
        assert_eq!(
            l.hit("b"),
            Decision::Allowed {
                limit: 3,
                remaining: 2
            }
        );
        clock.advance(Duration::from_millis(49_500));
        assert_eq!(
            l.hit("a"),
            Decision::Limited {
                limit: 3,
                retry_after: 1
            }
        );
        clock.advance(Duration::from_millis(500));
        assert_eq!(
            l.hit("a"),
            Decision::Allowed {
                limit: 3,
                remaining: 2
            }
        );
    }

    #[test]
    fn zero_disables() {
        let (l, _) = limiter(0);
        for _ in 0..1000 {
            assert_eq!(l.hit("a"), Decision::Unlimited);
        }
        assert_eq!(l.tracked_keys(), 0);
    }

    #[test]
    fn custom_windows() {
        let clock = Arc::new(ManualClock::new());
        let l = RateLimiter::per(2, Duration::from_secs(600)).with_clock(clock.clone());
        l.hit("s");
        l.hit("s");
        assert_eq!(
            l.hit("s"),
            Decision::Limited {
                limit: 2,
                retry_after: 600
            }
        );
        clock.advance(Duration::from_secs(600));
        assert!(matches!(l.hit("s"), Decision::Allowed { .. }));
    }

    #[test]
    fn memory_stays_bounded() {
        let (l, clock) = limiter(5);
        let l = l.with_max_keys(100);
        for i in 0..1000 {
            l.hit(&format!("k{i}"));
            assert!(l.tracked_keys() <= 100);
        }
        // Ended windows are swept once a window has passed.
        clock.advance(Duration::from_secs(61));
        l.hit("fresh");
        assert_eq!(l.tracked_keys(), 1);
    }

    #[test]
    fn keys() {
        let req = |auth: Option<&str>, addr: Option<&str>| {
            let mut b = Request::builder().uri("/");
            if let Some(a) = auth {
                b = b.header("authorization", a);
            }
            let mut req = b.body(Body::empty()).unwrap();
            if let Some(a) = addr {
                req.extensions_mut()
                    .insert(ConnectInfo(a.parse::<SocketAddr>().unwrap()));
            }
            req
        };
        let token = format!("ptla_abcdefghijk{}", "s".repeat(32));
        assert_eq!(
            request_key(&req(Some(&format!("Bearer {token}")), Some("10.0.0.1:5"))),
            "key:ptla_abcdefghijk"
        );
        assert_eq!(request_key(&req(Some("bearer short"), None)), "key:short");
        assert_eq!(
            request_key(&req(Some("Basic abc"), Some("10.0.0.1:5"))),
            "ip:10.0.0.1"
        );
        assert_eq!(request_key(&req(Some("Bearer  "), None)), "ip:unknown");
        assert_eq!(request_key(&req(None, Some("[::1]:80"))), "ip:::1");
        assert_eq!(request_key(&req(None, None)), "ip:unknown");
    }

    fn app(limiter: RateLimiter) -> Router {
        let routes = Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(limiter, rate_limit));
        aerie_http::with_observability(routes, "test", aerie_http::Envelope::Panel)
    }

    async fn call(app: &Router, key: &str) -> Response {
        let req = Request::builder()
            .uri("/")
            .header("authorization", format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        app.clone().oneshot(req).await.unwrap()
    }

    #[tokio::test]
    async fn middleware_sets_headers_and_answers_429() {
        let (l, clock) = limiter(2);
        let app = app(l);
        let r = call(&app, "ptlc_aaaaaaaaaaa").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[LIMIT_HEADER], "2");
        assert_eq!(r.headers()[REMAINING_HEADER], "1");
        let r = call(&app, "ptlc_aaaaaaaaaaa").await;
        assert_eq!(r.headers()[REMAINING_HEADER], "0");

        let r = call(&app, "ptlc_aaaaaaaaaaa").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[LIMIT_HEADER], "2");
        assert_eq!(r.headers()[REMAINING_HEADER], "0");
        assert_eq!(r.headers()["retry-after"], "60");
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["errors"][0]["status"], "429");
        assert_eq!(body["errors"][0]["code"], "TooManyRequestsHttpException");

        // Another key is unaffected; the window ends and the budget is back.
        assert_eq!(
            call(&app, "ptlc_bbbbbbbbbbb").await.status(),
            StatusCode::OK
        );
        clock.advance(Duration::from_secs(60));
        let r = call(&app, "ptlc_aaaaaaaaaaa").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[REMAINING_HEADER], "1");
    }

    #[tokio::test]
    async fn disabled_middleware_adds_nothing() {
        let (l, _) = limiter(0);
        let r = call(&app(l), "x").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(!r.headers().contains_key(LIMIT_HEADER));
    }
}
