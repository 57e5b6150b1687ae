//! Cross-cutting behaviour of the Application API that every client meets: rate-limit
//! headers and the 429, every `Accept` variant clients send, trailing slashes, and the
//! malformed-JSON answer.

#![allow(clippy::unwrap_used, missing_docs)]

use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;

#[tokio::test]
async fn application_keys_are_limited_to_240_requests_a_minute_each() {
    let panel = TestPanel::start().await;
    let admin = panel.user("admin", true).await;
    let key = panel.key(&admin, KeyType::Application).await;
    let other = panel.key(&admin, KeyType::Application).await;
    let url = format!("{}/api/application/locations", panel.url);
    let get = |token: &str| panel.client.get(&url).bearer_auth(token.to_owned()).send();

    let first = get(&key).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["x-ratelimit-limit"], "240");
    assert_eq!(first.headers()["x-ratelimit-remaining"], "239");
    for _ in 1..240 {
        assert_eq!(get(&key).await.unwrap().status(), 200);
    }
    let limited = get(&key).await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "429");
    // Another key has its own budget.
    assert_eq!(get(&other).await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_accept_variant_trailing_slashes_and_bad_json() {
    let panel = TestPanel::start().await;
    let admin = panel.user("admin", true).await;
    let key = panel.key(&admin, KeyType::Application).await;
    for accept in [
        Some("application/json"),
        Some("Application/vnd.pterodactyl.v1+json"),
        Some("application/vnd.pterodactyl.v1+json"),
        Some("*/*"),
        Some("text/html"),
        None,
    ] {
        for path in ["/api/application/users", "/api/application/users/"] {
            let mut req = panel
                .client
                .get(format!("{}{path}", panel.url))
                .bearer_auth(&key);
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 200, "{accept:?} {path}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["object"], "list", "{accept:?} {path}");
        }
    }
    // No key at all: JSON 401 whatever the Accept header says (never a login redirect).
    let resp = panel
        .client
        .get(format!("{}/api/application/users", panel.url))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "AuthenticationException");

    let resp = panel
        .client
        .post(format!("{}/api/application/locations", panel.url))
        .bearer_auth(&key)
        .header("Content-Type", "application/json")
        .body("{\"short\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("The JSON data passed in the request appears to be malformed"),
        "{body}"
    );
}
