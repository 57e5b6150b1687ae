//! A tiny browser for the session tests: keeps the panel's cookies, echoes the
//! `XSRF-TOKEN` cookie in `X-XSRF-TOKEN` the way axios does, and reads JSON answers.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Mutex;

use reqwest::Method;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

/// One browser: its own cookie jar against one panel.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    jar: Mutex<BTreeMap<String, String>>,
    /// Every `Set-Cookie` line received, newest last.
    pub set_cookies: Mutex<Vec<String>>,
}

/// A finished request.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when empty).
    pub json: Value,
}

impl Browser {
    /// A browser with an empty jar.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::new(),
            jar: Mutex::new(BTreeMap::new()),
            set_cookies: Mutex::new(Vec::new()),
        }
    }

    /// A cookie's current value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    /// Sets (or with `None` removes) a cookie by hand.
    pub fn set_cookie(&self, name: &str, value: Option<&str>) {
        let mut jar = self.jar.lock().unwrap();
        match value {
            Some(v) => jar.insert(name.to_owned(), v.to_owned()),
            None => jar.remove(name),
        };
    }

    fn store(&self, headers: &HeaderMap) {
        for line in headers.get_all(SET_COOKIE) {
            let line = line.to_str().unwrap().to_owned();
            let (pair, attrs) = line.split_once(';').unwrap_or((&line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let mut jar = self.jar.lock().unwrap();
            if attrs.contains("Max-Age=0") {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), value.trim().to_owned());
            }
            self.set_cookies.lock().unwrap().push(line);
        }
    }

    /// Sends a request with the jar's cookies. `csrf` copies the `XSRF-TOKEN` cookie into
    /// `X-XSRF-TOKEN`; `extra` adds headers.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        csrf: bool,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Accept", "application/json");
        let cookies: Vec<String> = self
            .jar
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !cookies.is_empty() {
            req = req.header("Cookie", cookies.join("; "));
        }
        if csrf && let Some(t) = self.cookie("XSRF-TOKEN") {
            req = req.header("X-XSRF-TOKEN", t);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        self.store(&headers);
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        Reply {
            status,
            headers,
            json,
        }
    }

    /// GET with cookies.
    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, false, &[]).await
    }

    /// A state-changing request with cookies and the CSRF header.
    pub async fn send(&self, method: Method, path: &str, body: Value) -> Reply {
        self.request(method, path, Some(body), true, &[]).await
    }

    /// `GET /sanctum/csrf-cookie`, as the SPA does before logging in.
    pub async fn csrf(&self) -> Reply {
        let r = self.get("/sanctum/csrf-cookie").await;
        assert_eq!(r.status, 204);
        r
    }

    /// Fetches the CSRF cookie and posts the login form.
    pub async fn login(&self, user: &str, password: &str) -> Reply {
        self.csrf().await;
        self.send(
            Method::POST,
            "/auth/login",
            json!({ "user": user, "password": password }),
        )
        .await
    }

    /// Logs in and asserts it completed.
    pub async fn login_ok(&self, user: &str, password: &str) {
        let r = self.login(user, password).await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["data"]["complete"], true, "{}", r.json);
    }
}

/// Asserts the Pterodactyl error envelope: status, code and (when given) detail.
pub fn assert_error(r: &Reply, status: u16, code: &str, detail: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.json);
    let e = &r.json["errors"][0];
    assert_eq!(e["code"], code, "{}", r.json);
    assert_eq!(e["status"], status.to_string(), "{}", r.json);
    if let Some(d) = detail {
        assert_eq!(e["detail"], d, "{}", r.json);
    }
}
