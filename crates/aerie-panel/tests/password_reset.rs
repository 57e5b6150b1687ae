//! Password resets by e-mail, against the real SMTP server `scripts/setup-smtp` starts
//! (aiosmtpd writing a Maildir). The tests fail, never skip, when it is not configured.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aerie_db::Db;
use aerie_panel::AppState;
use aerie_panel::services::mail::{Encryption, MailSettings, Mailer};
use aerie_testkit::TestPanel;
use auth_support::{Browser, assert_error};
use reqwest::Method;
use serde_json::json;

const SENT: &str = "We have e-mailed your password reset link!";
const INVALID: &str = "This password reset token is invalid.";

struct Smtp {
    host: String,
    port: u16,
    maildir: PathBuf,
}

fn smtp() -> Smtp {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: this test needs the SMTP server from scripts/setup-smtp; run it through scripts/test, or eval \"$(scripts/setup-smtp)\"")
        })
    };
    Smtp {
        host: var("AERIE_TEST_SMTP_HOST"),
        port: var("AERIE_TEST_SMTP_PORT")
            .parse()
            .expect("AERIE_TEST_SMTP_PORT is a port"),
        maildir: PathBuf::from(var("AERIE_TEST_SMTP_MAILDIR")),
    }
}

/// A panel that mails through the test SMTP server, and its temp dir.
async fn panel() -> (TestPanel, Smtp, tempfile::TempDir) {
    let smtp = smtp();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}",
        dir.path().join("panel.db").display()
    ))
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let mailer = Mailer::new(&MailSettings {
        host: smtp.host.clone(),
        port: smtp.port,
        encryption: Encryption::None,
        from_address: "panel@aerie.test".into(),
        from_name: Some("Aerie".into()),
        ..Default::default()
    })
    .unwrap();
    let state = AppState::new(db, "https://panel.aerie.test").with_mailer(mailer);
    (TestPanel::start_with_state(state).await, smtp, dir)
}

/// A username nobody else (in this run or an earlier one) has used with the shared Maildir.
fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The decoded text of every message in the Maildir addressed to `to`.
fn messages_to(maildir: &Path, to: &str) -> Vec<String> {
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(raw) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            // Undo quoted-printable soft breaks and `=3D` in case the body was encoded.
            let text = raw
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            let addressed = text
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(to));
            if addressed {
                found.push(text);
            }
        }
    }
    found
}

/// Waits (bounded) for the first message to `to`.
async fn wait_for_mail(maildir: &Path, to: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(m) = messages_to(maildir, to).into_iter().next() {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no e-mail to {to} in {}",
            maildir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The reset link's token and e-mail parameter, checked to point at the panel's URL.
fn link_of(message: &str) -> (String, String) {
    let prefix = "https://panel.aerie.test/auth/password/reset/";
    let start = message
        .find(prefix)
        .unwrap_or_else(|| panic!("no link in:\n{message}"))
        + prefix.len();
    let rest = &message[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let link = &rest[..end];
    let (token, query) = link.split_once("?email=").expect("email parameter");
    let email = form_urlencoded::parse(format!("email={query}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    (token.to_owned(), email)
}

async fn request_reset(b: &Browser, email: &str) -> auth_support::Reply {
    b.csrf().await;
    b.send(Method::POST, "/auth/password", json!({ "email": email }))
        .await
}

async fn reset(b: &Browser, token: &str, email: &str, password: &str) -> auth_support::Reply {
    b.csrf().await;
    b.send(
        Method::POST,
        "/auth/password/reset",
        json!({
            "token": token, "email": email,
            "password": password, "password_confirmation": password,
        }),
    )
    .await
}

#[tokio::test]
async fn a_mailed_link_resets_the_password_once_and_ends_the_sessions() {
    let (p, smtp, _dir) = panel().await;
    let name = unique("reset");
    let user = p.user(&name, false).await;
    let email = user.email.clone();

    // A session that must not survive the reset.
    let old = Browser::new(&p.url);
    old.login_ok(&name, "password123").await;

    let b = Browser::new(&p.url);
    let r = request_reset(&b, &email.to_uppercase()).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json, json!({ "status": SENT }));

    let message = wait_for_mail(&smtp.maildir, &email).await;
    assert!(
        message.contains("From: Aerie <panel@aerie.test>"),
        "{message}"
    );
    assert!(message.contains("Subject: Reset Password"), "{message}");
    let (token, link_email) = link_of(&message);
    assert_eq!(link_email, email);
    assert!(token.len() >= 40, "{token}");
    // Only a hash is stored.
    let stored = p.db.password_resets().find(&email).await.unwrap().unwrap();
    assert_ne!(stored.token_hash, token);

    // A wrong token, a wrong address, and a mismatched confirmation change nothing.
    assert_error(
        &reset(&b, "x".repeat(64).as_str(), &email, "brand-new-pass").await,
        400,
        "BadRequestHttpException",
        Some(INVALID),
    );
    assert_error(
        &reset(&b, &token, "someone-else@example.com", "brand-new-pass").await,
        400,
        "BadRequestHttpException",
        Some(INVALID),
    );
    b.csrf().await;
    let r = b
        .send(
            Method::POST,
            "/auth/password/reset",
            json!({"token": token, "email": email, "password": "brand-new-pass", "password_confirmation": "other-pass"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    // Without the CSRF header the form is refused.
    let r = b
        .request(
            Method::POST,
            "/auth/password/reset",
            Some(json!({"token": token, "email": email, "password": "brand-new-pass", "password_confirmation": "brand-new-pass"})),
            false,
            &[],
        )
        .await;
    assert_eq!(r.status, 419);
    assert_eq!(old.get("/api/client/account").await.status, 200);

    let r = reset(&b, &token, &link_email, "brand-new-pass").await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["success"], true);

    assert_eq!(
        old.get("/api/client/account").await.status,
        401,
        "sessions end"
    );
    assert_eq!(p.db.sessions().count_for_user(user.id).await.unwrap(), 0);
    assert!(p.db.password_resets().find(&email).await.unwrap().is_none());
    assert_eq!(
        Browser::new(&p.url)
            .login(&name, "password123")
            .await
            .status,
        422
    );
    Browser::new(&p.url).login_ok(&name, "brand-new-pass").await;
    let hash =
        p.db.users()
            .find(user.id)
            .await
            .unwrap()
            .unwrap()
            .password
            .unwrap();
    assert!(hash.starts_with("$argon2id$"));

    // The token worked once.
    assert_error(
        &reset(&b, &token, &email, "third-password").await,
        400,
        "BadRequestHttpException",
        Some(INVALID),
    );
    Browser::new(&p.url).login_ok(&name, "brand-new-pass").await;
}

#[tokio::test]
async fn unknown_addresses_get_the_same_answer_and_no_mail() {
    let (p, smtp, _dir) = panel().await;
    let name = unique("known");
    let user = p.user(&name, false).await;
    let ghost = format!("{}@example.com", unique("ghost"));

    let b = Browser::new(&p.url);
    let unknown = request_reset(&b, &ghost).await;
    let b2 = Browser::new(&p.url);
    let known = request_reset(&b2, &user.email).await;
    assert_eq!(unknown.status, 200);
    assert_eq!((unknown.status, &unknown.json), (known.status, &known.json));

    wait_for_mail(&smtp.maildir, &user.email).await;
    assert!(messages_to(&smtp.maildir, &ghost).is_empty());
    assert!(p.db.password_resets().find(&ghost).await.unwrap().is_none());
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let (p, smtp, _dir) = panel().await;
    let name = unique("late");
    let user = p.user(&name, false).await;
    let b = Browser::new(&p.url);
    assert_eq!(request_reset(&b, &user.email).await.status, 200);
    let (token, email) = link_of(&wait_for_mail(&smtp.maildir, &user.email).await);

    // Issued 61 minutes ago.
    let then = chrono::Utc::now() - chrono::Duration::minutes(61);
    p.db.password_resets()
        .set_created_at(&email, &aerie_db::format_ts(then))
        .await
        .unwrap();
    assert_error(
        &reset(&b, &token, &email, "too-late-pass").await,
        400,
        "BadRequestHttpException",
        Some(INVALID),
    );
    Browser::new(&p.url).login_ok(&name, "password123").await;

    // 59 minutes is still fine.
    assert_eq!(
        request_reset(&Browser::new(&p.url), &user.email)
            .await
            .status,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let (token2, _) = loop {
        let links: Vec<(String, String)> = messages_to(&smtp.maildir, &user.email)
            .iter()
            .map(|m| link_of(m))
            .filter(|(t, _)| *t != token)
            .collect();
        if let Some(l) = links.into_iter().next() {
            break l;
        }
        assert!(Instant::now() < deadline, "second e-mail never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let recent = chrono::Utc::now() - chrono::Duration::minutes(59);
    p.db.password_resets()
        .set_created_at(&email, &aerie_db::format_ts(recent))
        .await
        .unwrap();
    // The first token was replaced by the second.
    assert_eq!(reset(&b, &token, &email, "on-time-pass").await.status, 400);
    let r = reset(&b, &token2, &email, "on-time-pass").await;
    assert_eq!(r.status, 200, "{}", r.json);
    Browser::new(&p.url).login_ok(&name, "on-time-pass").await;
}

#[tokio::test]
async fn reset_requests_are_throttled_to_two_a_minute() {
    let (p, _smtp, _dir) = panel().await;
    let b = Browser::new(&p.url);
    // Invalid input is a validation error (and counts).
    let r = request_reset(&b, "not-an-address").await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["errors"][0]["meta"]["source_field"], "email");
    let r = request_reset(&b, &format!("{}@example.com", unique("t"))).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = request_reset(&b, &format!("{}@example.com", unique("t"))).await;
    assert_error(&r, 429, "TooManyRequestsHttpException", None);
    assert!(r.headers.contains_key("retry-after"));
}
