//! Test harness. [`TestPanel::start`] runs the real panel router on `127.0.0.1:0` with its
//! own temporary SQLite database and returns a client bound to it; [`TestWings::start`] does
//! the same for wings against the real Docker engine. Nothing sleeps: a server is ready as
//! soon as its listener is bound, because the listener is bound before `serve` is called.
//!
//! Tests that need PostgreSQL or MariaDB take the server from `AERIE_TEST_POSTGRES_URL` /
//! `AERIE_TEST_MYSQL_URL` (set by `scripts/test`) and **fail** when it is missing: a test
//! never skips silently.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::net::SocketAddr;

use aerie_db::Db;
use tokio::sync::oneshot;

/// A running panel with its own database.
pub struct TestPanel {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The panel's database, for arranging state and checking effects.
    pub db: Db,
    /// A plain HTTP client.
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
    _scratch: Option<ScratchDb>,
}

impl TestPanel {
    /// Starts a panel on a fresh temporary SQLite database.
    ///
    /// With `AERIE_TEST_PANEL_DB=postgres` or `mysql`, the panel gets a fresh database on
    /// that server instead (`scripts/test` reruns the panel's API suites that way, so every
    /// repository query is exercised on all three backends).
    pub async fn start() -> Self {
        match std::env::var("AERIE_TEST_PANEL_DB").as_deref() {
            Ok("postgres") => return Self::start_scratch(Server::Postgres).await,
            Ok("mysql") => return Self::start_scratch(Server::MySql).await,
            Ok("" | "sqlite") | Err(_) => {}
            Ok(other) => {
                panic!("AERIE_TEST_PANEL_DB must be sqlite, postgres or mysql, not {other}")
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("panel.db").display());
        let db = Db::connect(&url).await.expect("open sqlite");
        db.migrate().await.expect("migrate");
        let mut p = Self::start_with_db(db).await;
        p._dir = Some(dir);
        p
    }

    async fn start_scratch(server: Server) -> Self {
        let scratch = ScratchDb::create(server).await;
        let db = Db::connect(&scratch.url)
            .await
            .expect("open scratch database");
        db.migrate().await.expect("migrate");
        let mut p = Self::start_with_db(db).await;
        p._scratch = Some(scratch);
        p
    }

    /// Starts a panel on an already migrated database.
    pub async fn start_with_db(db: Db) -> Self {
        Self::start_with_state(aerie_panel::AppState::new(db, "http://127.0.0.1")).await
    }

    /// Starts a panel with a prepared state.
    pub async fn start_with_state(state: aerie_panel::AppState) -> Self {
        let db = state.db.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(aerie_panel::serve(state, listener, async move {
            let _ = rx.await;
        }));
        Self {
            url: format!("http://{addr}"),
            db,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
            _dir: None,
            _scratch: None,
        }
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
    }

    /// GET `path` with a bearer token.
    pub async fn get_auth(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Creates a user with password `password123`.
    pub async fn user(&self, username: &str, admin: bool) -> aerie_db::models::User {
        aerie_panel::services::users::create_user(
            &self.db,
            aerie_panel::services::users::CreateUser {
                email: format!("{username}@example.com"),
                username: username.into(),
                password: Some("password123".into()),
                root_admin: admin,
                ..Default::default()
            },
        )
        .await
        .expect("create user")
    }

    /// Creates an API key and returns its token.
    pub async fn key(
        &self,
        user: &aerie_db::models::User,
        key_type: aerie_proto::keys::KeyType,
    ) -> String {
        aerie_panel::services::keys::create_key(&self.db, user, key_type, None, Vec::new())
            .await
            .expect("create key")
            .token
    }

    /// Creates an application key with exactly these per-resource bits.
    pub async fn app_key_with(
        &self,
        user: &aerie_db::models::User,
        permissions: aerie_db::models::ApiKeyPermissions,
    ) -> String {
        aerie_panel::services::keys::create_key_with_permissions(
            &self.db,
            user,
            aerie_proto::keys::KeyType::Application,
            None,
            Vec::new(),
            Some(permissions),
        )
        .await
        .expect("create key")
        .token
    }

    /// Sends `method path` with a bearer token, Pterodactyl's Accept header and, when given,
    /// a JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token)
            .header("Accept", "application/vnd.pterodactyl.v1+json");
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    /// Like [`TestPanel::call`], returning the status and the body parsed as JSON
    /// (`Value::Null` for an empty body).
    pub async fn call_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let resp = self.call(method, path, token, body).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
        };
        (status, json)
    }

    /// Stops the server gracefully and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("server task").expect("server result");
        }
    }
}

/// A running wings against the real Docker engine.
pub struct TestWings {
    /// Base URL.
    pub url: String,
    /// The node token.
    pub token: String,
    /// A plain HTTP client.
    pub client: reqwest::Client,
    /// The state, for direct engine access.
    pub state: aerie_wings::WingsState,
    _shutdown: oneshot::Sender<()>,
}

impl TestWings {
    /// Starts wings with a random token; panics when Docker is unreachable.
    pub async fn start() -> Self {
        let engine = aerie_wings::docker::Engine::connect(None).expect("docker client");
        let token = uuid::Uuid::new_v4().simple().to_string();
        let state = aerie_wings::WingsState::new(engine, token.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel();
        tokio::spawn(aerie_wings::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Self {
            url: format!("http://{addr}"),
            token,
            client: reqwest::Client::new(),
            state,
            _shutdown: tx,
        }
    }
}

/// Which external database server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// `AERIE_TEST_POSTGRES_URL`.
    Postgres,
    /// `AERIE_TEST_MYSQL_URL`.
    MySql,
}

/// A database created for one test on an external server; [`ScratchDb::drop_now`] removes it.
pub struct ScratchDb {
    /// URL of the new database.
    pub url: String,
    admin: Db,
    name: String,
}

impl ScratchDb {
    /// Creates a uniquely named empty database on `server`. Panics with a clear message when
    /// the server's URL is not set: run the tests through `scripts/test`.
    pub async fn create(server: Server) -> Self {
        let var = match server {
            Server::Postgres => "AERIE_TEST_POSTGRES_URL",
            Server::MySql => "AERIE_TEST_MYSQL_URL",
        };
        let admin_url = std::env::var(var).unwrap_or_else(|_| {
            panic!("{var} is not set: this test needs a real database server; run it through scripts/test, which starts one")
        });
        let admin = Db::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{var} ({admin_url}) unreachable: {e}"));
        let name = format!(
            "aerie_t_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        admin
            .raw_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        let (base, _) = admin_url.rsplit_once('/').expect("admin URL has a path");
        Self {
            url: format!("{base}/{name}"),
            admin,
            name,
        }
    }

    /// Drops the database.
    pub async fn drop_now(self) {
        let sql = match self.admin.backend() {
            aerie_db::Backend::Postgres => {
                format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)
            }
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        self.admin.raw_execute(&sql).await.expect("drop database");
        self.admin.close().await;
    }
}

pub mod games;
pub mod node;
