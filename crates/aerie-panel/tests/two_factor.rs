//! Two-factor authentication: RFC 6238 codes, setup, the login checkpoint with codes and
//! recovery tokens, replay protection, disabling, and the panel's "2FA required" setting.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use aerie_panel::services::totp;
use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use auth_support::{Browser, assert_error};
use reqwest::Method;
use serde_json::{Value, json};

const REQUIRED: &str =
    "Two-factor authentication is required on this account in order to access this endpoint.";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn code(secret: &str, at: u64) -> String {
    totp::code_at(secret, at).unwrap()
}

/// Turns two-factor on for `username` through the API; returns the secret and the tokens.
async fn enable(p: &TestPanel, key: &str) -> (String, Vec<String>, u64) {
    let (s, setup) = p
        .call_json(Method::GET, "/api/client/account/two-factor", key, None)
        .await;
    assert_eq!(s, 200, "{setup}");
    let secret = setup["data"]["secret"].as_str().unwrap().to_owned();
    let at = now();
    let (s, body) = p
        .call_json(
            Method::POST,
            "/api/client/account/two-factor",
            key,
            Some(json!({ "code": code(&secret, at), "password": "password123" })),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let tokens = body["attributes"]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    (secret, tokens, at)
}

#[test]
fn rfc6238_sha1_test_vectors() {
    let key = b"12345678901234567890";
    for (t, expected) in [
        (59u64, 94_287_082u32),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ] {
        assert_eq!(totp::hotp(key, t / 30, 8), expected, "T={t}");
    }
}

#[tokio::test]
async fn setup_shows_a_secret_and_enabling_needs_the_password_and_a_valid_code() {
    let p = TestPanel::start().await;
    let u = p.user("tess", false).await;
    let key = p.key(&u, KeyType::Client).await;

    let (s, body) = p
        .call_json(Method::GET, "/api/client/account/two-factor", &key, None)
        .await;
    assert_eq!(s, 200, "{body}");
    let secret = body["data"]["secret"].as_str().unwrap();
    let url = body["data"]["image_url_data"].as_str().unwrap();
    assert_eq!(body["data"].as_object().unwrap().len(), 2, "{body}");
    assert!(
        url.starts_with("otpauth://totp/Aerie:tess%40example.com?"),
        "{url}"
    );
    assert!(url.contains(&format!("secret={secret}")), "{url}");
    assert!(url.ends_with("&issuer=Aerie"), "{url}");
    assert!(totp::decode_secret(secret).is_some_and(|k| k.len() >= 16));
    // The secret is not stored in the clear.
    let stored = p.db.users().totp_state(u.id).await.unwrap().unwrap();
    assert!(!stored.use_totp);
    assert!(!stored.secret.unwrap().contains(secret));

    let good = code(secret, now());
    let wrong_code = format!("{:06}", (good.parse::<u32>().unwrap() + 1) % 1_000_000);
    let post = |body: Value| {
        let key = key.clone();
        let p = &p;
        async move {
            p.call_json(
                Method::POST,
                "/api/client/account/two-factor",
                &key,
                Some(body),
            )
            .await
        }
    };
    let (s, body) = post(json!({ "code": good, "password": "wrong-password" })).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "The password provided was not valid."
    );
    let (s, body) = post(json!({ "code": wrong_code, "password": "password123" })).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "The provided two-factor authentication token was not valid."
    );
    let (s, body) = post(json!({ "password": "password123" })).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["meta"]["source_field"], "code");
    assert!(!p.db.users().find(u.id).await.unwrap().unwrap().use_totp);

    let (s, body) = post(json!({ "code": good, "password": "password123" })).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["object"], "recovery_tokens");
    let tokens = body["attributes"]["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 10);
    assert!(tokens.iter().all(|t| t.as_str().unwrap().len() == 10));
    assert!(p.db.users().find(u.id).await.unwrap().unwrap().use_totp);
    assert_eq!(
        p.db.recovery_tokens().count_for_user(u.id).await.unwrap(),
        10
    );

    // Already on: no new secret.
    let (s, body) = p
        .call_json(Method::GET, "/api/client/account/two-factor", &key, None)
        .await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "Two-factor authentication is already enabled on this account."
    );

    // Enabling is in the account's activity, as an API action.
    let (_, act) = p
        .call_json(Method::GET, "/api/client/account/activity", &key, None)
        .await;
    assert_eq!(
        act["data"][0]["attributes"]["event"],
        "user:two-factor.create"
    );
    assert_eq!(act["data"][0]["attributes"]["is_api"], true);
}

#[tokio::test]
async fn login_with_two_factor_goes_through_the_checkpoint_and_codes_cannot_be_replayed() {
    let p = TestPanel::start().await;
    let u = p.user("uma", false).await;
    let key = p.key(&u, KeyType::Client).await;
    let (secret, _tokens, at) = enable(&p, &key).await;

    let b = Browser::new(&p.url);
    let r = b.login("uma", "password123").await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["complete"], false);
    assert_eq!(r.json["data"].as_object().unwrap().len(), 2, "{}", r.json);
    let confirmation = r.json["data"]["confirmation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(confirmation.len() >= 32);
    assert!(
        b.cookie("aerie_session").is_none(),
        "no session before the code"
    );
    assert_eq!(b.get("/api/client/account").await.status, 401);

    // The code that enabled two-factor was used up.
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "authentication_code": code(&secret, at) }),
        )
        .await;
    assert_error(
        &r,
        422,
        "ValidationException",
        Some("The two-factor authentication token was invalid."),
    );
    // A wrong confirmation token.
    let next = code(&secret, at + 30);
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": "nope", "authentication_code": next }),
        )
        .await;
    assert_error(
        &r,
        422,
        "ValidationException",
        Some(
            "The authentication token provided has expired, please refresh the page and try again.",
        ),
    );
    // The checkpoint is CSRF-protected like the login.
    let r = b
        .request(
            Method::POST,
            "/auth/login/checkpoint",
            Some(json!({ "confirmation_token": confirmation, "authentication_code": next })),
            false,
            &[],
        )
        .await;
    assert_eq!(r.status, 419);

    // The next step's code (within the ±1 window) completes the login.
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "authentication_code": next }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["complete"], true);
    assert_eq!(r.json["data"]["user"]["username"], "uma");
    assert_eq!(b.get("/api/client/account").await.status, 200);

    // The confirmation token was single use.
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "authentication_code": code(&secret, at + 30) }),
        )
        .await;
    assert_eq!(r.status, 422);

    // Replaying the same code (or an older one) on a new login fails.
    let b2 = Browser::new(&p.url);
    let r = b2.login("uma", "password123").await;
    let confirmation2 = r.json["data"]["confirmation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for replay in [next.clone(), code(&secret, at - 30)] {
        let r = b2
            .send(
                Method::POST,
                "/auth/login/checkpoint",
                json!({ "confirmation_token": confirmation2, "authentication_code": replay }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.json);
    }
    assert!(b2.cookie("aerie_session").is_none());
}

#[tokio::test]
async fn recovery_tokens_work_once() {
    let p = TestPanel::start().await;
    let u = p.user("vic", false).await;
    let key = p.key(&u, KeyType::Client).await;
    let (_secret, tokens, _) = enable(&p, &key).await;

    let b = Browser::new(&p.url);
    let r = b.login("vic", "password123").await;
    let confirmation = r.json["data"]["confirmation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "recovery_token": "notatoken1" }),
        )
        .await;
    assert_error(
        &r,
        422,
        "ValidationException",
        Some("The recovery token provided is not valid."),
    );
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "recovery_token": tokens[3] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["data"]["complete"], true);
    assert_eq!(
        p.db.recovery_tokens().count_for_user(u.id).await.unwrap(),
        9
    );

    let b2 = Browser::new(&p.url);
    let r = b2.login("vic", "password123").await;
    let confirmation = r.json["data"]["confirmation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = b2
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "recovery_token": tokens[3] }),
        )
        .await;
    assert_eq!(r.status, 422, "a used token is gone: {}", r.json);
    let r = b2
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "recovery_token": tokens[4] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

#[tokio::test]
async fn wrong_codes_at_the_checkpoint_are_throttled() {
    let p = TestPanel::start().await;
    let u = p.user("wes", false).await;
    let key = p.key(&u, KeyType::Client).await;
    let (secret, _, at) = enable(&p, &key).await;
    let b = Browser::new(&p.url);
    let r = b.login("wes", "password123").await;
    let confirmation = r.json["data"]["confirmation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let good = code(&secret, at + 30);
    let bad = format!(
        "{:06}",
        (good.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    for i in 0..10 {
        let r = b
            .send(
                Method::POST,
                "/auth/login/checkpoint",
                json!({ "confirmation_token": confirmation, "authentication_code": bad }),
            )
            .await;
        assert_eq!(r.status, 422, "try {i}: {}", r.json);
    }
    let r = b
        .send(
            Method::POST,
            "/auth/login/checkpoint",
            json!({ "confirmation_token": confirmation, "authentication_code": good }),
        )
        .await;
    assert_error(&r, 429, "TooManyRequestsHttpException", None);
    assert!(b.cookie("aerie_session").is_none());
}

#[tokio::test]
async fn disabling_needs_the_password() {
    let p = TestPanel::start().await;
    let u = p.user("xia", false).await;
    let key = p.key(&u, KeyType::Client).await;
    enable(&p, &key).await;

    let (s, body) = p
        .call_json(
            Method::POST,
            "/api/client/account/two-factor/disable",
            &key,
            Some(json!({ "password": "wrong-password" })),
        )
        .await;
    assert_eq!(s, 400, "{body}");
    assert!(p.db.users().find(u.id).await.unwrap().unwrap().use_totp);

    let (s, body) = p
        .call_json(
            Method::POST,
            "/api/client/account/two-factor/disable",
            &key,
            Some(json!({ "password": "password123" })),
        )
        .await;
    assert_eq!(s, 204, "{body}");
    assert!(!p.db.users().find(u.id).await.unwrap().unwrap().use_totp);
    assert_eq!(
        p.db.recovery_tokens().count_for_user(u.id).await.unwrap(),
        0
    );
    Browser::new(&p.url).login_ok("xia", "password123").await;

    let (_, act) = p
        .call_json(Method::GET, "/api/client/account/activity", &key, None)
        .await;
    let events: Vec<&str> = act["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["event"].as_str().unwrap())
        .collect();
    assert!(
        events.starts_with(&["auth:success", "user:two-factor.delete"]),
        "{events:?}"
    );
    assert!(events.contains(&"user:two-factor.create"));
}

#[tokio::test]
async fn the_2fa_required_setting_blocks_the_apis_until_two_factor_is_on() {
    let p = TestPanel::start().await;
    let admin = p.user("yara", true).await;
    let user = p.user("zed", false).await;
    let admin_key = p.key(&admin, KeyType::Client).await;
    let admin_app = p.key(&admin, KeyType::Application).await;
    let user_key = p.key(&user, KeyType::Client).await;

    let status = |key: String, path: &'static str| {
        let p = &p;
        async move { p.call_json(Method::GET, path, &key, None).await }
    };
    let blocked = |(s, body): (u16, Value)| {
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body,
            json!({"errors":[{"code":"TwoFactorAuthRequiredException","status":"400","detail":REQUIRED}]})
        );
    };

    // 0 (unset): nothing is required.
    assert_eq!(
        status(user_key.clone(), "/api/client/account/api-keys")
            .await
            .0,
        200
    );

    // 1: administrators only, on both APIs.
    p.db.settings().set("2fa_required", "1").await.unwrap();
    blocked(status(admin_key.clone(), "/api/client/account/api-keys").await);
    blocked(status(admin_app.clone(), "/api/application/users").await);
    assert_eq!(
        status(user_key.clone(), "/api/client/account/api-keys")
            .await
            .0,
        200
    );
    // The account document and two-factor setup stay reachable.
    assert_eq!(
        status(admin_key.clone(), "/api/client/account").await.0,
        200
    );
    // Sessions are held to it as well.
    let b = Browser::new(&p.url);
    b.login_ok("yara", "password123").await;
    assert_eq!(b.get("/api/client/account/ssh-keys").await.status, 400);

    // 2: everyone.
    p.db.settings().set("2fa_required", "2").await.unwrap();
    blocked(status(user_key.clone(), "/api/client/account/api-keys").await);
    blocked(status(user_key.clone(), "/api/client/account/activity").await);

    // Turning it on through the exempt routes lifts the block.
    enable(&p, &user_key).await;
    assert_eq!(
        status(user_key.clone(), "/api/client/account/api-keys")
            .await
            .0,
        200
    );
    enable(&p, &admin_key).await;
    assert_eq!(
        status(admin_app.clone(), "/api/application/users").await.0,
        200
    );

    p.db.settings().set("2fa_required", "0").await.unwrap();
    let (s, _) = p
        .call_json(
            Method::POST,
            "/api/client/account/two-factor/disable",
            &user_key,
            Some(json!({ "password": "password123" })),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        status(user_key, "/api/client/account/api-keys").await.0,
        200
    );
}
