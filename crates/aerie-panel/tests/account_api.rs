//! `/api/client/account/*`: the account document, e-mail and password changes, API keys,
//! SSH keys and the account's activity log.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth_support;

use aerie_proto::keys::KeyType;
use aerie_testkit::TestPanel;
use auth_support::Browser;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn ssh_blob(kind: &str, fields: &[&[u8]]) -> Vec<u8> {
    let mut blob = Vec::new();
    for f in std::iter::once(kind.as_bytes()).chain(fields.iter().copied()) {
        blob.extend_from_slice(&u32::try_from(f.len()).unwrap().to_be_bytes());
        blob.extend_from_slice(f);
    }
    blob
}

fn ssh_line(blob: &[u8], kind: &str) -> String {
    format!("{kind} {} someone@laptop", STANDARD.encode(blob))
}

fn rsa_modulus(bits: usize) -> Vec<u8> {
    let mut n = vec![0u8];
    n.push(0x80);
    n.extend(std::iter::repeat_n(0x5au8, bits / 8 - 1));
    n
}

fn sorted_keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn the_account_document() {
    let p = TestPanel::start().await;
    let u = p.user("amy", true).await;
    let key = p.key(&u, KeyType::Client).await;
    for path in ["/api/client/account", "/api/client/account/"] {
        let (s, body) = p.call_json(Method::GET, path, &key, None).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(
            body,
            json!({"object":"user","attributes":{
                "id": u.id, "admin": true, "username": "amy", "email": "amy@example.com",
                "first_name": "", "last_name": "", "language": "en",
            }})
        );
    }
    let (s, _) = p
        .call_json(Method::GET, "/api/client/account", "ptlc_nope", None)
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn changing_the_email_needs_the_password() {
    let p = TestPanel::start().await;
    let u = p.user("ben", false).await;
    p.user("taken", false).await;
    let key = p.key(&u, KeyType::Client).await;
    let put = |body: Value| {
        let key = key.clone();
        let p = &p;
        async move {
            p.call_json(Method::PUT, "/api/client/account/email", &key, Some(body))
                .await
        }
    };

    let (s, body) = put(json!({"email": "new@example.com", "password": "nope-nope"})).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "The password provided was invalid for this account."
    );
    let (s, body) = put(json!({"email": "not-an-email", "password": "password123"})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["meta"]["source_field"], "email");
    let (s, body) = put(json!({"email": "taken@example.com", "password": "password123"})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["meta"]["rule"], "unique");
    let (s, body) = put(json!({"password": "password123"})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["meta"]["source_field"], "email");
    assert_eq!(
        p.db.users().find(u.id).await.unwrap().unwrap().email,
        "ben@example.com"
    );

    let (s, body) = put(json!({"email": "Ben.New@Example.com", "password": "password123"})).await;
    assert_eq!(s, 204, "{body}");
    assert_eq!(body, Value::Null);
    let (_, acct) = p
        .call_json(Method::GET, "/api/client/account", &key, None)
        .await;
    assert_eq!(acct["attributes"]["email"], "ben.new@example.com");
    Browser::new(&p.url)
        .login_ok("ben.new@example.com", "password123")
        .await;

    let (_, act) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?filter[event]=email",
            &key,
            None,
        )
        .await;
    assert_eq!(act["data"].as_array().unwrap().len(), 1, "{act}");
    let e = &act["data"][0]["attributes"];
    assert_eq!(e["event"], "user:account.email-changed");
    assert_eq!(
        e["properties"],
        json!({"old":"ben@example.com","new":"ben.new@example.com"})
    );
    assert_eq!(e["has_additional_metadata"], false);
}

#[tokio::test]
async fn changing_the_password_logs_out_the_other_sessions() {
    let p = TestPanel::start().await;
    let u = p.user("cam", false).await;
    let here = Browser::new(&p.url);
    let elsewhere = Browser::new(&p.url);
    here.login_ok("cam", "password123").await;
    elsewhere.login_ok("cam", "password123").await;

    let send = |body: Value| here.send(Method::PUT, "/api/client/account/password", body);
    let r = send(json!({"current_password":"wrong-one","password":"n3w-password","password_confirmation":"n3w-password"})).await;
    assert_eq!(r.status, 400, "{}", r.json);
    let r = send(json!({"current_password":"password123","password":"n3w-password","password_confirmation":"different"})).await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["errors"][0]["meta"]["rule"], "confirmed");
    assert_eq!(r.json["errors"][0]["meta"]["source_field"], "password");
    let r = send(json!({"current_password":"password123","password":"short","password_confirmation":"short"})).await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["errors"][0]["meta"]["rule"], "min");
    assert_eq!(elsewhere.get("/api/client/account").await.status, 200);

    let r = send(json!({"current_password":"password123","password":"n3w-password","password_confirmation":"n3w-password"})).await;
    assert_eq!(r.status, 204, "{}", r.json);
    assert_eq!(
        here.get("/api/client/account").await.status,
        200,
        "this session stays"
    );
    assert_eq!(
        elsewhere.get("/api/client/account").await.status,
        401,
        "the other one ends"
    );
    assert_eq!(p.db.sessions().count_for_user(u.id).await.unwrap(), 1);
    assert_eq!(
        Browser::new(&p.url)
            .login("cam", "password123")
            .await
            .status,
        422
    );
    Browser::new(&p.url).login_ok("cam", "n3w-password").await;

    // Changed with an API key, every session ends.
    let key = p.key(&u, KeyType::Client).await;
    let (s, body) = p
        .call_json(
            Method::PUT,
            "/api/client/account/password",
            &key,
            Some(json!({"current_password":"n3w-password","password":"third-password","password_confirmation":"third-password"})),
        )
        .await;
    assert_eq!(s, 204, "{body}");
    assert_eq!(here.get("/api/client/account").await.status, 401);
    assert_eq!(p.db.sessions().count_for_user(u.id).await.unwrap(), 0);
}

#[tokio::test]
async fn api_keys_are_listed_created_and_deleted() {
    let p = TestPanel::start().await;
    let u = p.user("dot", false).await;
    let other = p.user("eve", true).await;
    let key = p.key(&u, KeyType::Client).await;

    let (s, body) = p
        .call_json(Method::GET, "/api/client/account/api-keys", &key, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["object"], "list");
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    let first = &body["data"][0];
    assert_eq!(first["object"], "api_key");
    assert_eq!(
        sorted_keys(&first["attributes"]),
        [
            "allowed_ips",
            "created_at",
            "description",
            "identifier",
            "last_used_at"
        ]
    );

    let (s, body) = p
        .call_json(
            Method::POST,
            "/api/client/account/api-keys",
            &key,
            Some(json!({"description":"ci deploy","allowed_ips":["127.0.0.1","10.0.0.0/8"]})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["object"], "api_key");
    let a = &body["attributes"];
    let identifier = a["identifier"].as_str().unwrap().to_owned();
    assert!(
        identifier.starts_with("ptlc_") && identifier.len() == 16,
        "{identifier}"
    );
    assert_eq!(a["description"], "ci deploy");
    assert_eq!(a["allowed_ips"], json!(["127.0.0.1", "10.0.0.0/8"]));
    assert_eq!(a["last_used_at"], Value::Null);
    let secret = body["meta"]["secret_token"].as_str().unwrap();
    assert_eq!(secret.len(), 32);
    let token = format!("{identifier}{secret}");
    let (s, acct) = p
        .call_json(Method::GET, "/api/client/account", &token, None)
        .await;
    assert_eq!(s, 200, "{acct}");

    for (ips, field) in [
        (json!(["not-an-ip"]), "allowed_ips.0"),
        (json!(["127.0.0.1", "10.0.0.0/33"]), "allowed_ips.1"),
        (
            json!((0..51).map(|i| format!("10.0.0.{i}")).collect::<Vec<_>>()),
            "allowed_ips",
        ),
    ] {
        let (s, body) = p
            .call_json(
                Method::POST,
                "/api/client/account/api-keys",
                &key,
                Some(json!({"description":"x","allowed_ips":ips})),
            )
            .await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["errors"][0]["meta"]["source_field"], field, "{body}");
    }
    let (s, body) = p
        .call_json(
            Method::POST,
            "/api/client/account/api-keys",
            &key,
            Some(json!({"description":"d".repeat(501)})),
        )
        .await;
    assert_eq!(s, 422, "{body}");

    // 25 keys at most.
    for i in 2..25 {
        let (s, body) = p
            .call_json(
                Method::POST,
                "/api/client/account/api-keys",
                &key,
                Some(json!({"description": format!("k{i}")})),
            )
            .await;
        assert_eq!(s, 200, "key {i}: {body}");
    }
    let (s, body) = p
        .call_json(
            Method::POST,
            "/api/client/account/api-keys",
            &key,
            Some(json!({"description":"one too many"})),
        )
        .await;
    assert_eq!(s, 400, "{body}");
    let (_, list) = p
        .call_json(Method::GET, "/api/client/account/api-keys", &key, None)
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 25);

    // Delete: the key stops working; unknown and foreign identifiers are 404.
    let path = format!("/api/client/account/api-keys/{identifier}");
    let (s, body) = p.call_json(Method::DELETE, &path, &key, None).await;
    assert_eq!(s, 204, "{body}");
    let (s, _) = p
        .call_json(Method::GET, "/api/client/account", &token, None)
        .await;
    assert_eq!(s, 401);
    let (s, body) = p.call_json(Method::DELETE, &path, &key, None).await;
    assert_eq!(s, 404, "{body}");
    assert_eq!(body["errors"][0]["code"], "NotFoundHttpException");
    let foreign = p.key(&other, KeyType::Client).await;
    let (s, _) = p
        .call_json(
            Method::DELETE,
            &format!("/api/client/account/api-keys/{}", &foreign[..16]),
            &key,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = p
        .call_json(Method::GET, "/api/client/account", &foreign, None)
        .await;
    assert_eq!(s, 200, "someone else's key is untouched");
    // An application key is not a client key, even the caller's own.
    let own_app = p.key(&other, KeyType::Application).await;
    let other_client = foreign.clone();
    let (s, _) = p
        .call_json(
            Method::DELETE,
            &format!("/api/client/account/api-keys/{}", &own_app[..16]),
            &other_client,
            None,
        )
        .await;
    assert_eq!(s, 404);

    let (_, act) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?filter[event]=api-key&per_page=100",
            &key,
            None,
        )
        .await;
    let events: Vec<&str> = act["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["event"].as_str().unwrap())
        .collect();
    assert_eq!(events[0], "user:api-key.delete");
    assert_eq!(
        act["data"][0]["attributes"]["properties"]["identifier"],
        identifier
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| **e == "user:api-key.create")
            .count(),
        24
    );
}

#[tokio::test]
async fn ssh_keys_are_checked_fingerprinted_and_removed() {
    let p = TestPanel::start().await;
    let u = p.user("fox", false).await;
    let key = p.key(&u, KeyType::Client).await;
    let post = |body: Value| {
        let key = key.clone();
        let p = &p;
        async move {
            p.call_json(
                Method::POST,
                "/api/client/account/ssh-keys",
                &key,
                Some(body),
            )
            .await
        }
    };

    let ed = ssh_blob("ssh-ed25519", &[&[42u8; 32]]);
    let ed_line = ssh_line(&ed, "ssh-ed25519");
    let fingerprint = format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&ed)));

    let rsa_small = ssh_line(
        &ssh_blob("ssh-rsa", &[&[1, 0, 1], &rsa_modulus(1024)]),
        "ssh-rsa",
    );
    let dsa = ssh_line(&ssh_blob("ssh-dss", &[b"p", b"q", b"g", b"y"]), "ssh-dss");
    for (public_key, message) in [
        (
            rsa_small.as_str(),
            "RSA keys must be at least 2048 bytes in length.",
        ),
        (dsa.as_str(), "DSA keys are not supported."),
        ("ssh-ed25519 ###", "The public key provided is not valid."),
        ("hello", "The public key provided is not valid."),
    ] {
        let (s, body) = post(json!({"name":"bad","public_key":public_key})).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["errors"][0]["detail"], message);
        assert_eq!(body["errors"][0]["meta"]["source_field"], "public_key");
    }
    let (s, body) = post(json!({"public_key": ed_line})).await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["meta"]["source_field"], "name");

    let (s, body) = post(json!({"name":"laptop","public_key": ed_line})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["object"], "ssh_key");
    assert_eq!(
        sorted_keys(&body["attributes"]),
        ["created_at", "fingerprint", "name", "public_key"]
    );
    assert_eq!(body["attributes"]["fingerprint"], fingerprint);
    assert_eq!(body["attributes"]["name"], "laptop");
    assert_eq!(
        body["attributes"]["public_key"],
        format!("ssh-ed25519 {}", STANDARD.encode(&ed))
    );
    let rsa_ok = ssh_line(
        &ssh_blob("ssh-rsa", &[&[1, 0, 1], &rsa_modulus(2048)]),
        "ssh-rsa",
    );
    let (s, body) = post(json!({"name":"rsa","public_key": rsa_ok})).await;
    assert_eq!(s, 200, "{body}");

    let (s, body) = post(json!({"name":"again","public_key": ed_line})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(
        body["errors"][0]["detail"],
        "The public key provided already exists on your account."
    );

    let (_, list) = p
        .call_json(Method::GET, "/api/client/account/ssh-keys", &key, None)
        .await;
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    let remove = |fp: &str| {
        let key = key.clone();
        let p = &p;
        let fp = fp.to_owned();
        async move {
            p.call_json(
                Method::POST,
                "/api/client/account/ssh-keys/remove",
                &key,
                Some(json!({ "fingerprint": fp })),
            )
            .await
        }
    };
    assert_eq!(remove("SHA256:unknown").await.0, 204);
    assert_eq!(remove(&fingerprint).await.0, 204);
    let (_, list) = p
        .call_json(Method::GET, "/api/client/account/ssh-keys", &key, None)
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["attributes"]["name"], "rsa");

    let (_, act) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?filter[event]=ssh-key",
            &key,
            None,
        )
        .await;
    let events: Vec<&str> = act["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "user:ssh-key.delete",
            "user:ssh-key.create",
            "user:ssh-key.create"
        ],
        "removing an unknown key logs nothing"
    );
    assert_eq!(
        act["data"][0]["attributes"]["properties"]["fingerprint"],
        fingerprint
    );
}

#[tokio::test]
async fn the_activity_log_filters_sorts_pages_and_includes_the_actor() {
    let p = TestPanel::start().await;
    let u = p.user("gil", false).await;
    let someone = p.user("hank", false).await;
    let key = p.key(&u, KeyType::Client).await;
    let b = Browser::new(&p.url);
    b.login_ok("gil", "password123").await;
    for d in ["one", "two", "three"] {
        let r = b
            .send(
                Method::POST,
                "/api/client/account/api-keys",
                json!({"description": d}),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    // Somebody else's activity never shows.
    Browser::new(&p.url).login_ok("hank", "password123").await;
    let _ = someone;

    let (s, body) = p
        .call_json(Method::GET, "/api/client/account/activity", &key, None)
        .await;
    assert_eq!(s, 200, "{body}");
    let data = body["data"].as_array().unwrap();
    let events: Vec<&str> = data
        .iter()
        .map(|e| e["attributes"]["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "user:api-key.create",
            "user:api-key.create",
            "user:api-key.create",
            "auth:success"
        ]
    );
    let first = &data[0];
    assert_eq!(first["object"], "activity_log");
    assert_eq!(
        sorted_keys(&first["attributes"]),
        [
            "batch",
            "description",
            "event",
            "has_additional_metadata",
            "id",
            "ip",
            "is_api",
            "properties",
            "timestamp"
        ]
    );
    assert_eq!(
        first["attributes"]["is_api"], false,
        "made through the session"
    );
    assert_eq!(first["attributes"]["ip"], "127.0.0.1");
    assert_eq!(first["attributes"]["id"].as_str().unwrap().len(), 40);
    let ts = first["attributes"]["timestamp"].as_str().unwrap();
    assert!(ts.ends_with("+00:00") && ts.len() == 25, "{ts}");
    assert_eq!(body["meta"]["pagination"]["total"], 4);
    assert_eq!(body["meta"]["pagination"]["per_page"], 25);
    assert_eq!(body["meta"]["pagination"]["links"], json!({}));

    let (_, asc) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?sort=timestamp",
            &key,
            None,
        )
        .await;
    assert_eq!(asc["data"][0]["attributes"]["event"], "auth:success");

    let (_, filtered) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?filter[event]=AUTH:",
            &key,
            None,
        )
        .await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);

    let (_, page) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?per_page=3&page=2",
            &key,
            None,
        )
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["meta"]["pagination"]["total_pages"], 2);
    assert_eq!(page["meta"]["pagination"]["current_page"], 2);
    let (_, big) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?per_page=300",
            &key,
            None,
        )
        .await;
    assert_eq!(big["meta"]["pagination"]["per_page"], 100);

    let (_, with_actor) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?include=actor",
            &key,
            None,
        )
        .await;
    let actor = &with_actor["data"][0]["attributes"]["relationships"]["actor"];
    assert_eq!(actor["object"], "user");
    assert_eq!(actor["attributes"]["username"], "gil");
    assert_eq!(actor["attributes"]["2fa_enabled"], false);
    assert!(
        actor["attributes"]["image"]
            .as_str()
            .unwrap()
            .contains("gravatar.com/avatar/")
    );

    let (s, body) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?filter[ip]=1",
            &key,
            None,
        )
        .await;
    assert_eq!(s, 400, "{body}");
    let (s, _) = p
        .call_json(
            Method::GET,
            "/api/client/account/activity?include=server",
            &key,
            None,
        )
        .await;
    assert_eq!(s, 400);
}
