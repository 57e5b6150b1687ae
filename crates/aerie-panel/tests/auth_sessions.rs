//! Browser logins: the CSRF cookie, sessions, CSRF on cookie-authenticated requests, login
//! throttling, generic failures, the bcrypt → argon2id upgrade and logout.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use aerie_panel::services::sessions::hash_token;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use auth_support::{Browser, assert_error};
use reqwest::Method;
use serde_json::json;

const CSRF_DETAIL: &str = "CSRF token mismatch.";
const FAILED: &str = "These credentials do not match our records.";

#[tokio::test]
async fn csrf_cookie_then_login_by_username_or_email_opens_a_session() {
    let p = TestPanel::start().await;
    let alice = p.user("alice", false).await;
    let b = Browser::new(&p.url);

    // No session yet.
    assert_error(
        &b.get("/api/client/account").await,
        401,
        "AuthenticationException",
        None,
    );

    let r = b.csrf().await;
    let xsrf = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("XSRF-TOKEN="))
        .expect("XSRF-TOKEN cookie");
    assert!(!xsrf.contains("HttpOnly"), "JS must read it: {xsrf}");
    assert!(xsrf.contains("Path=/"), "{xsrf}");

    let r = b
        .send(
            Method::POST,
            "/auth/login",
            json!({ "user": "alice", "password": "password123" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        r.json,
        json!({ "data": {
            "complete": true,
            "intended": "/",
            "user": {
                "id": alice.id, "admin": false, "username": "alice",
                "email": "alice@example.com", "first_name": "", "last_name": "",
                "language": "en",
            },
        }})
    );
    let session = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("aerie_session="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{attr} missing: {session}");
    }
    assert!(!session.contains("Secure"), "plain http panel: {session}");
    // The database holds the hash of the cookie, never the cookie.
    let token = b.cookie("aerie_session").unwrap();
    assert!(p.db.sessions().find(&token).await.unwrap().is_none());
    let stored =
        p.db.sessions()
            .find(&hash_token(&token))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.user_id, alice.id);
    assert_eq!(stored.ip.as_deref(), Some("127.0.0.1"));
    // After login the XSRF cookie is the session's CSRF token.
    assert_eq!(b.cookie("XSRF-TOKEN").unwrap(), stored.csrf_token);

    let r = b.get("/api/client/account").await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["object"], "user");
    assert_eq!(r.json["attributes"]["username"], "alice");

    // E-mail works as the login name too (any case), and each login is a new session.
    let b2 = Browser::new(&p.url);
    b2.login_ok("ALICE@example.com", "password123").await;
    assert_ne!(b2.cookie("aerie_session"), b.cookie("aerie_session"));
    assert_eq!(p.db.sessions().count_for_user(alice.id).await.unwrap(), 2);

    // Behind a TLS proxy the cookie is Secure.
    let b3 = Browser::new(&p.url);
    b3.csrf().await;
    let r = b3
        .request(
            Method::POST,
            "/auth/login",
            Some(json!({ "user": "alice", "password": "password123" })),
            true,
            &[("X-Forwarded-Proto", "https")],
        )
        .await;
    assert_eq!(r.status, 200);
    let secure = b3.set_cookies.lock().unwrap().clone();
    assert!(
        secure
            .iter()
            .any(|c| c.starts_with("aerie_session=") && c.contains("Secure")),
        "{secure:?}"
    );
}

#[tokio::test]
async fn login_needs_the_csrf_pair() {
    let p = TestPanel::start().await;
    p.user("bob", false).await;
    let b = Browser::new(&p.url);
    let body = json!({ "user": "bob", "password": "password123" });

    // No cookie, no header.
    let r = b
        .request(Method::POST, "/auth/login", Some(body.clone()), false, &[])
        .await;
    assert_eq!(
        r.json,
        json!({"errors":[{"code":"TokenMismatchException","status":"419","detail":CSRF_DETAIL}]})
    );
    assert_eq!(r.status, 419);
    assert!(b.cookie("aerie_session").is_none());

    // Cookie but no header (a cross-site form post).
    b.csrf().await;
    let r = b
        .request(Method::POST, "/auth/login", Some(body.clone()), false, &[])
        .await;
    assert_error(&r, 419, "TokenMismatchException", Some(CSRF_DETAIL));

    // Header that does not match the cookie.
    let r = b
        .request(
            Method::POST,
            "/auth/login",
            Some(body.clone()),
            false,
            &[("X-XSRF-TOKEN", "0123456789abcdefghijklmnopqrstuvwxyzABCD")],
        )
        .await;
    assert_error(&r, 419, "TokenMismatchException", Some(CSRF_DETAIL));
    assert!(b.cookie("aerie_session").is_none());

    // The pair works.
    let r = b.send(Method::POST, "/auth/login", body).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(b.cookie("aerie_session").is_some());
}

#[tokio::test]
async fn failed_logins_say_the_same_thing_and_are_logged() {
    let p = TestPanel::start().await;
    let carol = p.user("carol", false).await;
    let b = Browser::new(&p.url);

    let wrong_password = b.login("carol", "not-the-password").await;
    let unknown_user = b.login("nobody-here", "not-the-password").await;
    let unknown_email = b.login("nobody@example.com", "password123").await;
    for r in [&wrong_password, &unknown_user, &unknown_email] {
        assert_error(r, 422, "ValidationException", Some(FAILED));
    }
    assert_eq!(wrong_password.json, unknown_user.json);
    assert_eq!(unknown_user.json, unknown_email.json);
    assert!(b.cookie("aerie_session").is_none());
    assert_error(
        &b.get("/api/client/account").await,
        401,
        "AuthenticationException",
        None,
    );

    // The failure shows in carol's own activity.
    let key = p.key(&carol, KeyType::Client).await;
    let (s, body) = p
        .call_json(Method::GET, "/api/client/account/activity", &key, None)
        .await;
    assert_eq!(s, 200, "{body}");
    let events: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["auth:fail"]);
    assert_eq!(
        body["data"][0]["attributes"]["properties"]["identifier"],
        "carol"
    );
    assert_eq!(body["data"][0]["attributes"]["ip"], "127.0.0.1");
}

#[tokio::test]
async fn ten_failures_a_minute_lock_the_login_before_the_password_is_checked() {
    let p = TestPanel::start().await;
    p.user("dave", false).await;
    p.user("erin", false).await;
    let b = Browser::new(&p.url);
    for i in 0..10 {
        let r = b.login("dave", "wrong-password").await;
        assert_eq!(r.status, 422, "attempt {i}: {}", r.json);
    }
    // Even the right password is refused now: the throttle comes first.
    let r = b.login("dave", "password123").await;
    assert_error(&r, 429, "TooManyRequestsHttpException", None);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(b.cookie("aerie_session").is_none());
    // The login name is part of the key (in any case); other accounts are unaffected.
    assert_eq!(b.login("DAVE", "password123").await.status, 429);
    Browser::new(&p.url).login_ok("erin", "password123").await;
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let p = TestPanel::start().await;
    p.user("fay", false).await;
    let b = Browser::new(&p.url);
    for _ in 0..9 {
        assert_eq!(b.login("fay", "wrong-password").await.status, 422);
    }
    b.login_ok("fay", "password123").await;
    for i in 0..9 {
        assert_eq!(b.login("fay", "wrong-password").await.status, 422, "{i}");
    }
    b.login_ok("fay", "password123").await;
}

#[tokio::test]
async fn bcrypt_hashes_from_pterodactyl_are_upgraded_to_argon2id_on_login() {
    let p = TestPanel::start().await;
    let gus = p.user("gus", false).await;
    // What PHP's password_hash() writes: `$2y$`, cost 10.
    let b = bcrypt::hash_with_result("old-php-password", 10).unwrap();
    let php = format!("$2y${}", &b.to_string()[4..]);
    assert!(p.db.users().set_password_hash(gus.id, &php).await.unwrap());

    Browser::new(&p.url)
        .login_ok("gus", "old-php-password")
        .await;
    let stored =
        p.db.users()
            .find(gus.id)
            .await
            .unwrap()
            .unwrap()
            .password
            .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(aerie_panel::services::password::verify(
        "old-php-password",
        &stored
    ));
    // And it still logs in.
    Browser::new(&p.url)
        .login_ok("gus", "old-php-password")
        .await;

    // A wrong password leaves a bcrypt hash alone.
    let b2 = bcrypt::hash_with_result("another-one", 10).unwrap();
    let php2 = format!("$2y${}", &b2.to_string()[4..]);
    p.db.users().set_password_hash(gus.id, &php2).await.unwrap();
    assert_eq!(
        Browser::new(&p.url).login("gus", "nope-nope").await.status,
        422
    );
    let stored =
        p.db.users()
            .find(gus.id)
            .await
            .unwrap()
            .unwrap()
            .password
            .unwrap();
    assert_eq!(stored, php2);
}

#[tokio::test]
async fn cookie_requests_that_change_state_need_the_session_csrf_token() {
    let p = TestPanel::start().await;
    let hal = p.user("hal", false).await;
    let b = Browser::new(&p.url);
    b.login_ok("hal", "password123").await;
    let body = json!({ "description": "from the browser", "allowed_ips": [] });

    // Reads need no token.
    assert_eq!(b.get("/api/client/account/api-keys").await.status, 200);

    let r = b
        .request(
            Method::POST,
            "/api/client/account/api-keys",
            Some(body.clone()),
            false,
            &[],
        )
        .await;
    assert_eq!(
        r.json,
        json!({"errors":[{"code":"TokenMismatchException","status":"419","detail":CSRF_DETAIL}]})
    );
    let r = b
        .request(
            Method::POST,
            "/api/client/account/api-keys",
            Some(body.clone()),
            false,
            &[("X-XSRF-TOKEN", "not-the-session-token")],
        )
        .await;
    assert_error(&r, 419, "TokenMismatchException", Some(CSRF_DETAIL));
    // A token from a fresh guest cookie is not this session's token either.
    let guest = Browser::new(&p.url);
    guest.csrf().await;
    let other = guest.cookie("XSRF-TOKEN").unwrap();
    let r = b
        .request(
            Method::POST,
            "/api/client/account/api-keys",
            Some(body.clone()),
            false,
            &[("X-XSRF-TOKEN", &other)],
        )
        .await;
    assert_eq!(r.status, 419);
    assert!(
        p.db.api_keys()
            .list_for_user(hal.id, 1)
            .await
            .unwrap()
            .is_empty()
    );

    let r = b
        .send(Method::POST, "/api/client/account/api-keys", body.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.json);

    // A bearer key needs no CSRF token.
    let key = p.key(&hal, KeyType::Client).await;
    let (s, j) = p
        .call_json(
            Method::POST,
            "/api/client/account/api-keys",
            &key,
            Some(body),
        )
        .await;
    assert_eq!(s, 200, "{j}");
}

#[tokio::test]
async fn logout_needs_the_token_and_ends_the_session() {
    let p = TestPanel::start().await;
    let ivy = p.user("ivy", false).await;
    let b = Browser::new(&p.url);
    b.login_ok("ivy", "password123").await;
    let token = b.cookie("aerie_session").unwrap();

    let r = b
        .request(Method::POST, "/auth/logout", None, false, &[])
        .await;
    assert_error(&r, 419, "TokenMismatchException", None);
    assert_eq!(b.get("/api/client/account").await.status, 200);

    let r = b.send(Method::POST, "/auth/logout", json!({})).await;
    assert_eq!(r.status, 204);
    assert!(b.cookie("aerie_session").is_none(), "cookie cleared");
    assert!(
        p.db.sessions()
            .find(&hash_token(&token))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(p.db.sessions().count_for_user(ivy.id).await.unwrap(), 0);
    // The old cookie is dead even if a client kept it.
    b.set_cookie("aerie_session", Some(&token));
    assert_error(
        &b.get("/api/client/account").await,
        401,
        "AuthenticationException",
        None,
    );
}

#[tokio::test]
async fn expired_and_forged_sessions_are_rejected() {
    let p = TestPanel::start().await;
    p.user("jay", false).await;
    let b = Browser::new(&p.url);
    b.login_ok("jay", "password123").await;
    let token = b.cookie("aerie_session").unwrap();
    p.db.sessions()
        .touch(
            &hash_token(&token),
            "2020-01-01T00:00:00.000000Z",
            "2020-01-01T12:00:00.000000Z",
        )
        .await
        .unwrap();
    assert_eq!(b.get("/api/client/account").await.status, 401);

    let forged = Browser::new(&p.url);
    forged.set_cookie("aerie_session", Some("x".repeat(40).as_str()));
    assert_eq!(forged.get("/api/client/account").await.status, 401);
}

#[tokio::test]
async fn sessions_on_the_application_api_and_keys_on_the_wrong_api() {
    let p = TestPanel::start().await;
    p.user("root", true).await;
    let kim = p.user("kim", false).await;

    let admin = Browser::new(&p.url);
    admin.login_ok("root", "password123").await;
    let r = admin.get("/api/application/users").await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["object"], "list");

    let user = Browser::new(&p.url);
    user.login_ok("kim", "password123").await;
    assert_error(
        &user.get("/api/application/users").await,
        403,
        "AccessDeniedHttpException",
        None,
    );

    // An application key on the client API.
    let root =
        p.db.users()
            .find_by_username("root")
            .await
            .unwrap()
            .unwrap();
    let app = p.key(&root, KeyType::Application).await;
    let (s, body) = p
        .call_json(Method::GET, "/api/client/account", &app, None)
        .await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "You are attempting to use an application API key on an endpoint that requires a client API key."
    );
    let _ = kim;
}

#[tokio::test]
async fn login_pages_are_still_the_web_ui() {
    let p = TestPanel::start().await;
    for path in [
        "/auth/login",
        "/auth/login/checkpoint",
        "/auth/password",
        "/auth/password/reset",
        "/auth/password/reset/sometoken?email=a%40b.c",
    ] {
        let r = p.get(path).await;
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
    }
}
