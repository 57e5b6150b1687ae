//! Wings' remote API client against a stand-in panel: a small axum server on `127.0.0.1:0`
//! that checks the credentials exactly and records what wings sends. No sleeps but the
//! client's own backoff.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aerie_proto::wings::{ActivityBatch, ActivityEntry, InstallStatus};
use aerie_wings::config::WingsFile;
use aerie_wings::remote::{RemoteClient, RemoteError, RetryPolicy};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

const TOKEN_ID: &str = "abcdefghijklmnop";
const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SERVERS: usize = 5;
const PER_PAGE: u64 = 2;

/// What the stand-in panel saw.
#[derive(Default)]
struct Seen {
    /// Calls per route key (`list`, `get:<uuid>`, …).
    calls: BTreeMap<String, u32>,
    /// `(page, per_page)` of every list call.
    pages: Vec<(u64, u64)>,
    install: Vec<(String, InstallStatus)>,
    activity: Vec<ActivityBatch>,
    resets: u32,
    refused: u32,
}

type Shared = Arc<Mutex<Seen>>;

fn count(seen: &Shared, key: &str) -> u32 {
    let mut s = seen.lock().unwrap();
    let n = s.calls.entry(key.to_owned()).or_default();
    *n += 1;
    *n
}

fn envelope(status: StatusCode, code: &str, detail: &str) -> Response {
    (status, Json(json!({"errors": [{"code": code, "status": status.as_u16().to_string(), "detail": detail}]}))).into_response()
}

/// The panel's `DaemonAuthenticate`, exactly: anything but the right bearer is refused.
async fn auth(
    State(seen): State<Shared>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    if h("authorization") != format!("Bearer {TOKEN_ID}.{TOKEN}") {
        seen.lock().unwrap().refused += 1;
        return envelope(
            StatusCode::FORBIDDEN,
            "HttpForbiddenException",
            "You are not authorized to access this resource.",
        );
    }
    assert_eq!(h("accept"), "application/vnd.pterodactyl.v1+json");
    assert_eq!(h("content-type"), "application/json");
    assert_eq!(
        h("user-agent"),
        format!("Aerie Wings/v{} (id:{TOKEN_ID})", aerie_proto::VERSION)
    );
    next.run(req).await
}

fn server_doc(uuid: &str, with_uuid: bool) -> Value {
    let mut doc = json!({
        "settings": {"uuid": uuid, "meta": {"name": format!("srv {uuid}"), "description": null},
                     "invocation": "java -jar {{SERVER_JARFILE}}",
                     "build": {"memory_limit": 1024, "disk_space": 5120},
                     "container": {"image": "ghcr.io/pterodactyl/yolks:java_17"}},
        "process_configuration": {"startup": {"done": "Done ("}, "stop": {"type": "command", "value": "stop"}, "configs": []}
    });
    if with_uuid {
        doc["uuid"] = json!(uuid);
    }
    doc
}

async fn list_servers(
    State(seen): State<Shared>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Json<Value> {
    count(&seen, "list");
    let page: u64 = q["page"].parse().unwrap();
    let per_page: u64 = q["per_page"].parse().unwrap();
    seen.lock().unwrap().pages.push((page, per_page));
    let last_page = (SERVERS as u64).div_ceil(per_page);
    let first = ((page - 1) * per_page) as usize;
    let data: Vec<Value> = (first..(first + per_page as usize).min(SERVERS))
        .map(|i| server_doc(&format!("uuid-{i}"), true))
        .collect();
    Json(json!({
        "data": data,
        "links": {"first": "x", "last": "x", "prev": null, "next": null},
        "meta": {"current_page": page, "from": first + 1, "last_page": last_page, "links": [], "path": "x",
                 "per_page": per_page, "to": first + data.len(), "total": SERVERS}
    }))
}

async fn get_server(State(seen): State<Shared>, Path(uuid): Path<String>) -> Response {
    let n = count(&seen, &format!("get:{uuid}"));
    match uuid.as_str() {
        "flaky" if n <= 2 => (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
        "down" => envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            "HttpException",
            "Down for maintenance.",
        ),
        "missing" => envelope(
            StatusCode::NOT_FOUND,
            "NotFoundHttpException",
            "The requested server does not exist.",
        ),
        "garbled" => (StatusCode::OK, "{\"settings\": 3}").into_response(),
        _ => Json(server_doc(&uuid, false)).into_response(),
    }
}

async fn get_install(State(seen): State<Shared>, Path(uuid): Path<String>) -> Json<Value> {
    count(&seen, &format!("install:{uuid}"));
    Json(
        json!({"container_image": "ghcr.io/pterodactyl/installers:alpine", "entrypoint": "ash", "script": "echo hi\n"}),
    )
}

async fn post_install(
    State(seen): State<Shared>,
    Path(uuid): Path<String>,
    Json(body): Json<InstallStatus>,
) -> StatusCode {
    seen.lock().unwrap().install.push((uuid, body));
    StatusCode::NO_CONTENT
}

async fn reset(State(seen): State<Shared>) -> StatusCode {
    seen.lock().unwrap().resets += 1;
    StatusCode::NO_CONTENT
}

async fn activity(State(seen): State<Shared>, Json(body): Json<ActivityBatch>) -> StatusCode {
    seen.lock().unwrap().activity.push(body);
    StatusCode::OK
}

/// Starts the stand-in panel; the panel URL has a path prefix to prove the client keeps it.
async fn panel() -> (String, Shared, tokio::sync::oneshot::Sender<()>) {
    let seen: Shared = Arc::default();
    let api = Router::new()
        .route("/api/remote/servers", get(list_servers))
        .route("/api/remote/servers/reset", post(reset))
        .route("/api/remote/servers/{uuid}", get(get_server))
        .route(
            "/api/remote/servers/{uuid}/install",
            get(get_install).post(post_install),
        )
        .route("/api/remote/activity", post(activity))
        .layer(axum::middleware::from_fn_with_state(seen.clone(), auth))
        .with_state(seen.clone());
    let app = Router::new().nest("/panel", api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    (format!("http://{addr}/panel/"), seen, tx)
}

fn config(remote: &str, token: &str) -> WingsFile {
    let mut c = WingsFile {
        remote: remote.to_owned(),
        token_id: TOKEN_ID.to_owned(),
        token: token.to_owned(),
        ..WingsFile::default()
    };
    c.remote_query.boot_servers_per_page = PER_PAGE;
    c.remote_query.timeout = 5;
    c
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_elapsed: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn lists_every_page_of_servers() {
    let (url, seen, _stop) = panel().await;
    let client = RemoteClient::new(&config(&url, TOKEN))
        .unwrap()
        .with_retry(fast());
    let servers = client.list_servers().await.unwrap();
    let uuids: Vec<&str> = servers.iter().map(|s| s.uuid.as_str()).collect();
    assert_eq!(uuids, ["uuid-0", "uuid-1", "uuid-2", "uuid-3", "uuid-4"]);
    assert_eq!(servers[3].settings.build.memory_limit, 1024);
    assert_eq!(
        seen.lock().unwrap().pages,
        vec![(1, PER_PAGE), (2, PER_PAGE), (3, PER_PAGE)]
    );
}

#[tokio::test]
async fn fetches_a_server_and_its_install_script_and_reports_back() {
    let (url, seen, _stop) = panel().await;
    let client = RemoteClient::new(&config(&url, TOKEN))
        .unwrap()
        .with_retry(fast());

    let s = client.get_server("abc").await.unwrap();
    assert_eq!(
        s.uuid, "abc",
        "filled from the request: the single document has no uuid"
    );
    assert_eq!(
        s.settings.container.image,
        "ghcr.io/pterodactyl/yolks:java_17"
    );
    assert_eq!(s.process_configuration.stop.value, "stop");

    let script = client.install_script("abc").await.unwrap();
    assert_eq!(script.entrypoint, "ash");
    assert_eq!(script.script, "echo hi\n");

    client
        .set_install_status(
            "abc",
            InstallStatus {
                successful: true,
                reinstall: false,
            },
        )
        .await
        .unwrap();
    client
        .set_install_status(
            "abc",
            InstallStatus {
                successful: false,
                reinstall: true,
            },
        )
        .await
        .unwrap();
    client.reset_servers().await.unwrap();
    let batch = ActivityBatch {
        data: vec![ActivityEntry {
            user: Some("user-uuid".into()),
            server: "abc".into(),
            event: "server:sftp.write".into(),
            metadata: Some(json!({"files": ["/server.properties"]})),
            ip: "10.0.0.9".into(),
            timestamp: "2024-01-15T10:26:32Z".into(),
        }],
    };
    client.send_activity(&batch).await.unwrap();

    // The server state machine reaches the panel through the same client.
    let link: Arc<dyn aerie_wings::server::PanelLink> = Arc::new(client.clone());
    assert_eq!(link.get_server("def").await.unwrap().uuid, "def");
    assert_eq!(link.install_script("def").await.unwrap().entrypoint, "ash");

    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.install,
        vec![
            (
                "abc".to_owned(),
                InstallStatus {
                    successful: true,
                    reinstall: false
                }
            ),
            (
                "abc".to_owned(),
                InstallStatus {
                    successful: false,
                    reinstall: true
                }
            )
        ]
    );
    assert_eq!(seen.resets, 1);
    assert_eq!(seen.activity, vec![batch]);
    assert_eq!(seen.refused, 0);
}

#[tokio::test]
async fn retries_5xx_until_it_succeeds() {
    let (url, seen, _stop) = panel().await;
    let client = RemoteClient::new(&config(&url, TOKEN))
        .unwrap()
        .with_retry(fast());
    let s = client.get_server("flaky").await.unwrap();
    assert_eq!(s.settings.uuid, "flaky");
    assert_eq!(
        seen.lock().unwrap().calls["get:flaky"],
        3,
        "503, 503, then 200"
    );
}

#[tokio::test]
async fn a_4xx_is_final_and_its_detail_surfaces() {
    let (url, seen, _stop) = panel().await;
    let client = RemoteClient::new(&config(&url, TOKEN))
        .unwrap()
        .with_retry(fast());
    let err = client.get_server("missing").await.unwrap_err();
    assert_eq!(
        seen.lock().unwrap().calls["get:missing"],
        1,
        "no retry on 404"
    );
    match &err {
        RemoteError::Status {
            status,
            code,
            detail,
            path,
            ..
        } => {
            assert_eq!(*status, 404);
            assert_eq!(code.as_deref(), Some("NotFoundHttpException"));
            assert_eq!(
                detail.as_deref(),
                Some("The requested server does not exist.")
            );
            assert_eq!(path, "/panel/api/remote/servers/missing");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    let msg = err.to_string();
    assert_eq!(
        msg,
        "the panel answered 404 to GET /panel/api/remote/servers/missing: The requested server does not exist."
    );

    // A wrong token: refused once, and the message names neither token.
    let wrong = "f".repeat(64);
    let client = RemoteClient::new(&config(&url, &wrong))
        .unwrap()
        .with_retry(fast());
    let err = client.reset_servers().await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(seen.lock().unwrap().refused, 1);
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains(&wrong) && !shown.contains(TOKEN), "{shown}");

    // A 2xx that is not the expected document.
    let client = RemoteClient::new(&config(&url, TOKEN))
        .unwrap()
        .with_retry(fast());
    let err = client.get_server("garbled").await.unwrap_err();
    assert!(matches!(err, RemoteError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn retries_stop_within_the_time_budget() {
    let (url, seen, _stop) = panel().await;
    let budget = Duration::from_millis(300);
    let policy = RetryPolicy {
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(80),
        max_elapsed: budget,
    };
    let client = RemoteClient::new(&config(&url, TOKEN))
        .unwrap()
        .with_retry(policy);
    let started = Instant::now();
    let err = client.get_server("down").await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.status(), Some(500));
    assert!(
        err.to_string().ends_with(": Down for maintenance."),
        "{err}"
    );
    let calls = seen.lock().unwrap().calls["get:down"];
    // Waits 20, 40, 80, 80 … ms: several tries, and no wait that would end past the budget.
    assert!(calls >= 3, "{calls} calls");
    assert!(took < budget + Duration::from_secs(2), "took {took:?}");

    // Nothing listening: connection errors are retried too, then reported without the token.
    let closed = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let client = RemoteClient::new(&config(&format!("http://{closed}"), TOKEN))
        .unwrap()
        .with_retry(policy);
    let started = Instant::now();
    let err = client.list_servers().await.unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(20),
        "at least one backoff wait happened"
    );
    assert!(matches!(err, RemoteError::Unreachable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "cannot reach the panel at http://{closed}/api/remote/servers"
        )),
        "{msg}"
    );
    assert!(!msg.contains(TOKEN) && !msg.contains("page="), "{msg}");
}

#[test]
fn a_config_without_panel_or_token_is_refused_up_front() {
    let mut c = config("", TOKEN);
    assert!(
        RemoteClient::new(&c)
            .unwrap_err()
            .to_string()
            .contains("`remote`")
    );
    c.remote = "ftp://panel.example".into();
    assert!(
        RemoteClient::new(&c)
            .unwrap_err()
            .to_string()
            .contains("http(s) URL")
    );
    c.remote = "https://panel.example".into();
    c.token = String::new();
    assert!(
        RemoteClient::new(&c)
            .unwrap_err()
            .to_string()
            .contains("`token`")
    );
}
