//! Black-box tests of the panel over HTTP on an ephemeral port.

#![allow(clippy::unwrap_used)]

use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use serde_json::Value;

#[tokio::test]
async fn health_reports_the_database() {
    let p = TestPanel::start().await;
    let r = p.get("/api/health").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["service"], "panel");
    assert_eq!(body["checks"]["database"]["ok"], true);
    assert_eq!(body["checks"]["database"]["detail"], "sqlite");
    p.stop().await;
}

#[tokio::test]
async fn health_is_503_when_the_database_is_gone() {
    let p = TestPanel::start().await;
    p.db.close().await;
    let r = p.get("/api/health").await;
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["database"]["ok"], false);
    assert!(
        body["checks"]["database"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
}

#[tokio::test]
async fn unknown_api_routes_get_the_pterodactyl_error_envelope() {
    let p = TestPanel::start().await;
    let r = p.get("/api/application/nope").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "NotFoundHttpException");
    assert_eq!(body["errors"][0]["status"], "404");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("could not be found")
    );

    let r = p
        .client
        .post(format!("{}/api/health", p.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "405");
}

#[tokio::test]
async fn client_keys_authenticate_and_everything_else_is_refused() {
    let p = TestPanel::start().await;
    let alice = p.user("alice", false).await;
    let token = p.key(&alice, KeyType::Client).await;
    assert_eq!(token.len(), 48);

    let r = p.get_auth("/api/client/account", &token).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["object"], "user");
    assert_eq!(body["attributes"]["username"], "alice");
    assert_eq!(body["attributes"]["admin"], false);

    // Last use is recorded.
    let ident = &token[..16];
    let key =
        p.db.api_keys()
            .find_by_identifier(ident)
            .await
            .unwrap()
            .unwrap();
    assert!(key.last_used_at.is_some());

    // Wrong secret, unknown identifier, malformed token, no header: all 401 with the envelope.
    let mut wrong = token.clone();
    wrong.replace_range(47..48, if token.ends_with('a') { "b" } else { "a" });
    for bad in [
        wrong.as_str(),
        "ptlc_aaaaaaaaaaaBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
        "nonsense",
    ] {
        let r = p.get_auth("/api/client/account", bad).await;
        assert_eq!(r.status(), 401, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "AuthenticationException");
    }
    assert_eq!(p.get("/api/client/account").await.status(), 401);

    // An application key is not a client key.
    let admin = p.user("root", true).await;
    let app = p.key(&admin, KeyType::Application).await;
    assert!(app.starts_with("ptla_"));
    assert_eq!(p.get_auth("/api/client/account", &app).await.status(), 403);
}

#[tokio::test]
async fn allowed_ips_are_enforced() {
    let p = TestPanel::start().await;
    let alice = p.user("alice", false).await;
    let created = aerie_panel::services::keys::create_key(
        &p.db,
        &alice,
        KeyType::Client,
        None,
        vec!["10.1.2.3".into()],
    )
    .await
    .unwrap();
    let r = p.get_auth("/api/client/account", &created.token).await;
    assert_eq!(r.status(), 403);
    let open = aerie_panel::services::keys::create_key(
        &p.db,
        &alice,
        KeyType::Client,
        None,
        vec!["127.0.0.0/8".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        p.get_auth("/api/client/account", &open.token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn client_keys_are_limited_to_25_per_user() {
    let p = TestPanel::start().await;
    let alice = p.user("alice", false).await;
    for _ in 0..25 {
        p.key(&alice, KeyType::Client).await;
    }
    let err =
        aerie_panel::services::keys::create_key(&p.db, &alice, KeyType::Client, None, Vec::new())
            .await
            .unwrap_err();
    assert!(err.to_string().contains("limit of 25"), "{err}");
    // Application keys need an administrator.
    let err = aerie_panel::services::keys::create_key(
        &p.db,
        &alice,
        KeyType::Application,
        None,
        Vec::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, aerie_http::Error::Forbidden(_)), "{err:?}");
}

#[tokio::test]
async fn the_web_ui_is_served_with_spa_fallback_and_cache_headers() {
    let p = TestPanel::start().await;
    for path in ["/", "/auth/login", "/server/abcd1234/files"] {
        let r = p.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
    }
    assert!(
        aerie_panel::ui_embedded(),
        "the web UI is not embedded: build web/ first (scripts/test does: npm --prefix web run build)"
    );
    {
        let html = p.get("/").await.text().await.unwrap();
        let asset = html
            .split('"')
            .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
            .expect("index.html references a hashed script")
            .to_owned();
        let r = p
            .client
            .get(format!("{}{asset}", p.url))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        // reqwest here has no gzip decoding, so the header tells what was sent.
        assert_eq!(r.headers()["content-encoding"], "gzip");
        // A hashed asset that does not exist is a 404, not index.html.
        assert_eq!(p.get("/assets/missing-123.js").await.status(), 404);
    }
}
