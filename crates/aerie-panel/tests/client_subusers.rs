//! `/api/client/servers/{server}/users`: black-box ports of Pterodactyl's
//! `tests/Integration/Api/Client/Server/Subuser/*` against a fake wings.
#![allow(clippy::unwrap_used, missing_docs)]

mod server_extras_support;

use md5::Digest as _;
use reqwest::Method;
use serde_json::{Value, json};
use server_extras_support::{Fx, assert_error, assert_validation, events, keys, link, sorted};

const SUBUSER_KEYS: &[&str] = &[
    "uuid",
    "username",
    "email",
    "image",
    "2fa_enabled",
    "created_at",
    "permissions",
];

fn md5_hex(s: &str) -> String {
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

fn perms(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_subuser_is_created_by_email_with_websocket_connect_added() {
    let fx = Fx::start().await;
    for (i, requested) in [json!([]), json!(["user.create"])].into_iter().enumerate() {
        let email = format!("New.Person{i}@Example.com");
        let (status, v) = fx
            .call(
                Method::POST,
                &fx.link("/users"),
                &fx.owner_key,
                Some(json!({"email": email, "permissions": requested})),
            )
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["object"], "server_subuser");
        let a = &v["attributes"];
        assert_eq!(keys(a), sorted(SUBUSER_KEYS));
        let mut want: Vec<String> = perms(&requested);
        want.push("websocket.connect".into());
        assert_eq!(perms(&a["permissions"]), want);

        // The account was made for the unknown address: lower-cased, no password.
        let user = fx
            .panel
            .db
            .users()
            .find_by_email(&email.to_lowercase())
            .await
            .unwrap()
            .expect("account created");
        assert_eq!(a["uuid"], user.uuid);
        assert_eq!(a["email"], email.to_lowercase());
        assert_eq!(a["username"], user.username);
        assert!(
            user.username.starts_with(&format!("new.person{i}")),
            "{}",
            user.username
        );
        assert!(
            user.password.is_none(),
            "a made-up account must not have a password"
        );
        assert!(!user.root_admin);
        assert_eq!(
            a["image"],
            format!(
                "https://gravatar.com/avatar/{}",
                md5_hex(&email.to_lowercase())
            )
        );
        assert_eq!(a["2fa_enabled"], false);
        assert!(a["created_at"].as_str().unwrap().ends_with("+00:00"), "{a}");
    }

    let log = events(&fx.panel.db, fx.server.id).await;
    let creates: Vec<_> = log
        .iter()
        .filter(|(e, _, _)| e == "server:subuser.create")
        .collect();
    assert_eq!(creates.len(), 2, "{log:?}");
    assert_eq!(creates[0].1["email"], "new.person0@example.com");
    assert!(creates[0].2.is_some(), "made with an API key: is_api");
}

#[tokio::test]
async fn existing_accounts_are_reused_owners_and_duplicates_refused() {
    let fx = Fx::start().await;
    let (existing, _) = fx.user("existing").await;
    let body = json!({"email": existing.email, "permissions": ["user.create"]});
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &fx.owner_key,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["uuid"], existing.uuid);

    let (status, v) = fx
        .call(Method::POST, &fx.link("/users"), &fx.owner_key, Some(body))
        .await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "A user with that email address is already assigned as a subuser for this server."
    );

    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &fx.owner_key,
            Some(json!({"email": fx.owner.email.to_uppercase(), "permissions": []})),
        )
        .await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "You cannot add the server owner as a subuser for this server."
    );
    assert_eq!(
        fx.panel
            .db
            .subusers()
            .list_for_server(fx.server.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn subuser_bodies_are_validated() {
    let fx = Fx::start().await;
    // 191 characters; the local part stays within RFC 5321's 64.
    let long = format!(
        "{}@{}.{}.example",
        "l".repeat(60),
        "a".repeat(60),
        "b".repeat(61)
    );
    assert_eq!(long.len(), 191);
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &fx.owner_key,
            Some(json!({"email": long, "permissions": ["user.create"]})),
        )
        .await;
    assert_eq!(status, 200, "191 characters is the limit: {v}");
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &fx.owner_key,
            Some(json!({"email": format!("{long}.au"), "permissions": ["user.create"]})),
        )
        .await;
    assert_validation(status, &v, "email", "between");
    assert_eq!(
        v["errors"][0]["detail"],
        "The email must be between 1 and 191 characters."
    );

    for (body, field, rule) in [
        (json!({}), "email", "required"),
        (
            json!({"email": "not-an-address", "permissions": []}),
            "email",
            "email",
        ),
        (json!({"email": "x@example.com"}), "permissions", "required"),
        (
            json!({"email": "x@example.com", "permissions": "user.read"}),
            "permissions",
            "array",
        ),
        (
            json!({"email": "x@example.com", "permissions": [1]}),
            "permissions.0",
            "string",
        ),
    ] {
        let (status, v) = fx
            .call(
                Method::POST,
                &fx.link("/users"),
                &fx.owner_key,
                Some(body.clone()),
            )
            .await;
        assert_validation(status, &v, field, rule);
    }
}

#[tokio::test]
async fn a_subuser_cannot_grant_what_they_do_not_hold() {
    let fx = Fx::start().await;
    let (_, key) = fx
        .subuser(
            "helper",
            &fx.server,
            &["user.create", "user.read", "control.console"],
        )
        .await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &key,
            Some(json!({"email": "a@example.com", "permissions": ["user.create", "user.update"]})),
        )
        .await;
    assert_error(status, &v, 403);
    assert_eq!(
        v["errors"][0]["detail"],
        "Cannot assign permissions to a subuser that your account does not actively possess."
    );
    assert!(
        fx.panel
            .db
            .users()
            .find_by_email("a@example.com")
            .await
            .unwrap()
            .is_none(),
        "nothing created"
    );

    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &key,
            Some(json!({"email": "a@example.com", "permissions": ["user.create", "control.console"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // Without user.create at all: 403 naming it.
    let (_, reader) = fx.subuser("reader", &fx.server, &["user.read"]).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/users"),
            &reader,
            Some(json!({"email": "b@example.com", "permissions": []})),
        )
        .await;
    assert_error(status, &v, 403);
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("user.create"),
        "{v}"
    );
}

#[tokio::test]
async fn subusers_are_listed_and_shown() {
    let fx = Fx::start().await;
    let (a, _) = fx.subuser("alice", &fx.server, &["control.start"]).await;
    let (b, _) = fx.subuser("bob", &fx.server, &["file.read"]).await;
    let other = fx.other_server(fx.owner.id).await;
    fx.subuser("carol", &other, &["file.read"]).await;

    let (status, v) = fx
        .call(Method::GET, &fx.link("/users"), &fx.owner_key, None)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "list");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{v}");
    assert_eq!(data[0]["attributes"]["uuid"], a.uuid);
    assert_eq!(data[1]["attributes"]["uuid"], b.uuid);
    assert_eq!(keys(&data[0]["attributes"]), sorted(SUBUSER_KEYS));

    let (status, v) = fx
        .call(
            Method::GET,
            &fx.link(&format!("/users/{}", b.uuid)),
            &fx.owner_key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["permissions"], json!(["file.read"]));

    // Trailing slash, and the full server UUID.
    let (status, _) = fx
        .call(
            Method::GET,
            &format!("/api/client/servers/{}/users/", fx.server.uuid),
            &fx.owner_key,
            None,
        )
        .await;
    assert_eq!(status, 200);

    // Unauthenticated.
    let resp = fx.panel.get(&fx.link("/users")).await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn updating_saves_permissions_and_drops_the_websocket() {
    let fx = Fx::start().await;
    let (sub, _) = fx
        .subuser(
            "sub",
            &fx.server,
            &["control.restart", "websocket.connect", "foo.bar"],
        )
        .await;
    let path = fx.link(&format!("/users/{}", sub.uuid));
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &fx.owner_key,
            Some(json!({"permissions": ["control.start", "control.stop", "control.stop", "foo.bar", "power.fake"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let mut stored = fx
        .panel
        .db
        .subusers()
        .find_for(sub.id, fx.server.id)
        .await
        .unwrap()
        .unwrap()
        .permissions;
    stored.sort();
    assert_eq!(
        stored,
        sorted(&["control.start", "control.stop", "websocket.connect"])
    );
    assert_eq!(
        perms(&v["attributes"]["permissions"]),
        vec!["control.start", "control.stop", "websocket.connect"]
    );

    let denies = fx.stub.calls_to("POST", "/ws/deny");
    assert_eq!(denies.len(), 1, "{denies:?}");
    assert_eq!(
        denies[0].path,
        format!("/api/servers/{}/ws/deny", fx.server.uuid)
    );
    assert_eq!(
        denies[0].body,
        json!({"jtis": [md5_hex(&format!("{}{}", sub.id, fx.server.uuid))]})
    );
    assert_eq!(
        denies[0].auth.as_deref(),
        Some(format!("Bearer {}", server_extras_support::NODE_TOKEN).as_str())
    );

    // The same set again (another order): nothing changes, wings is left alone.
    let (status, _) = fx
        .call(
            Method::POST,
            &path,
            &fx.owner_key,
            Some(json!({"permissions": ["control.stop", "control.start"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fx.stub.calls_to("POST", "/ws/deny").len(), 1);

    // A wings that fails does not block the change.
    fx.stub.fail("/ws/deny", 500);
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &fx.owner_key,
            Some(json!({"permissions": ["file.read"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["attributes"]["permissions"],
        json!(["file.read", "websocket.connect"])
    );

    // The permissions field is required.
    let (status, v) = fx
        .call(Method::POST, &path, &fx.owner_key, Some(json!({})))
        .await;
    assert_validation(status, &v, "permissions", "required");

    let log = events(&fx.panel.db, fx.server.id).await;
    let updates: Vec<_> = log
        .iter()
        .filter(|(e, _, _)| e == "server:subuser.update")
        .collect();
    assert_eq!(updates.len(), 2, "{log:?}");
    assert_eq!(updates[0].1["email"], sub.email);
}

#[tokio::test]
async fn update_rules_self_others_and_permissions() {
    let fx = Fx::start().await;
    let (me, my_key) = fx
        .subuser("myself", &fx.server, &["user.read", "user.update"])
        .await;
    let (target, _) = fx.subuser("target", &fx.server, &["foo.bar"]).await;

    // Cannot grant what one lacks: 403, nothing stored, wings untouched.
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link(&format!("/users/{}", target.uuid)),
            &my_key,
            Some(json!({"permissions": ["user.read", "control.console"]})),
        )
        .await;
    assert_error(status, &v, 403);
    let stored = fx
        .panel
        .db
        .subusers()
        .find_for(target.id, fx.server.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.permissions, vec!["foo.bar".to_owned()]);
    assert!(fx.stub.calls_to("POST", "/ws/deny").is_empty());

    // Nobody edits or removes themselves.
    let me_path = fx.link(&format!("/users/{}", me.uuid));
    let (status, v) = fx
        .call(
            Method::POST,
            &me_path,
            &my_key,
            Some(json!({"permissions": []})),
        )
        .await;
    assert_error(status, &v, 403);
    let (status, v) = fx.call(Method::DELETE, &me_path, &my_key, None).await;
    assert_error(status, &v, 403);

    // Granting what one holds works.
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link(&format!("/users/{}", target.uuid)),
            &my_key,
            Some(json!({"permissions": ["user.read"]})),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // A subuser of another server is not found here.
    let other = fx.other_server(fx.owner.id).await;
    let (stranger, _) = fx.subuser("stranger", &other, &["foo.bar"]).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link(&format!("/users/{}", stranger.uuid)),
            &fx.owner_key,
            Some(json!({"permissions": []})),
        )
        .await;
    assert_error(status, &v, 404);
}

#[tokio::test]
async fn deleting_removes_the_subuser_and_drops_the_websocket() {
    let fx = Fx::start().await;
    // A UUID that starts with another user's id must not match that user (Pterodactyl #2359).
    let (sub, _) = fx.subuser("sub", &fx.server, &["websocket.connect"]).await;
    // The decoy's id must not happen to be the UUID's own first character (then the
    // "decoy" path would simply be the subuser's): take another decoy until it differs.
    let mut decoy = fx.user("decoy0").await.0;
    for i in 1..20 {
        if !sub.uuid.starts_with(&decoy.id.to_string()) {
            break;
        }
        decoy = fx.user(&format!("decoy{i}")).await.0;
    }
    let path = fx.link(&format!("/users/{}", sub.uuid));
    let (status, v) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/users/{}{}", decoy.id, &sub.uuid[1..])),
            &fx.owner_key,
            None,
        )
        .await;
    assert_error(status, &v, 404);

    let (status, v) = fx.call(Method::DELETE, &path, &fx.owner_key, None).await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(v, Value::Null);
    assert!(
        fx.panel
            .db
            .subusers()
            .find_for(sub.id, fx.server.id)
            .await
            .unwrap()
            .is_none()
    );
    let denies = fx.stub.calls_to("POST", "/ws/deny");
    assert_eq!(denies.len(), 1);
    assert_eq!(
        denies[0].body["jtis"][0],
        md5_hex(&format!("{}{}", sub.id, fx.server.uuid))
    );
    let (status, v) = fx.call(Method::DELETE, &path, &fx.owner_key, None).await;
    assert_error(status, &v, 404);
    assert!(
        events(&fx.panel.db, fx.server.id)
            .await
            .iter()
            .any(|(e, p, _)| e == "server:subuser.delete" && p["email"] == sub.email)
    );
}

#[tokio::test]
async fn subusers_of_other_servers_are_not_reachable() {
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let fx = Fx::start().await;
        let (internal, _) = fx.user("internal").await;
        let (other_owner, _) = fx.user("otherowner").await;
        let server1 = fx.server.clone();
        let server2 = fx.other_server(other_owner.id).await;
        let server3 = fx.other_server(other_owner.id).await;
        // The API user is a subuser of server 2 without permissions.
        fx.panel
            .db
            .subusers()
            .create(fx.owner.id, server2.id, &["websocket.connect".to_owned()])
            .await
            .unwrap();
        for s in [&server1, &server2, &server3] {
            fx.panel
                .db
                .subusers()
                .create(internal.id, s.id, &["websocket.connect".to_owned()])
                .await
                .unwrap();
        }
        let rest = format!("/users/{}", internal.uuid);
        let (status, _) = fx
            .call(method.clone(), &link(&server1, &rest), &fx.owner_key, None)
            .await;
        let want = match method {
            Method::POST => 422,
            Method::DELETE => 204,
            _ => 200,
        };
        assert_eq!(status, want, "{method} on own server");
        let (status, v) = fx
            .call(method.clone(), &link(&server2, &rest), &fx.owner_key, None)
            .await;
        assert_error(status, &v, 403);
        let (status, v) = fx
            .call(method.clone(), &link(&server3, &rest), &fx.owner_key, None)
            .await;
        assert_error(status, &v, 404);
    }
}
