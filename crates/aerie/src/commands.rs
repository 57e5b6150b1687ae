//! The subcommands: load config, open what they need, call the libraries.

use std::collections::BTreeMap;
use std::sync::Arc;

use aerie_config::{Config, LogFormat, Overrides};
use aerie_db::Db;
use aerie_panel::services::{keys, nodes, users};
use anyhow::{Context, Result, bail};
use tokio::net::TcpListener;

use crate::{Cli, Command, EggsAction, KeyAction, UserAction, WingsAction};

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn load(cli: &Cli, mut o: Overrides) -> Result<Config> {
    o.config_file = cli.config.clone();
    o.data_dir = cli.data_dir.clone();
    o.log_format = cli.log_format.clone();
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let loaded = aerie_config::load(&env, &o, is_root())?;
    init_tracing(&loaded.config);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    Ok(loaded.config)
}

fn init_tracing(c: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&c.log.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (never in practice) is harmless, so its error is ignored.
    let _ = match c.log.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

async fn open_db(c: &Config) -> Result<Db> {
    std::fs::create_dir_all(&c.data_dir)
        .with_context(|| format!("cannot create data directory {}", c.data_dir.display()))?;
    let db = Db::connect(c.panel.database_url.expose()).await?;
    let applied = db.migrate().await?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "database migrated");
    }
    aerie_panel::services::eggs::seed_standard_nests(&db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot seed the standard nests: {e}"))?;
    Ok(db)
}

async fn bind(addr: std::net::SocketAddr, what: &str) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for the {what}"))
}

/// The URL to advertise: the configured one, or the address actually bound when the URL
/// was only derived from `--bind` (so `--bind 127.0.0.1:0` reports the real port).
fn public_url(c: &Config, listener: &TcpListener) -> Result<String> {
    if c.panel.url == format!("http://{}", c.panel.bind) {
        Ok(format!("http://{}", listener.local_addr()?))
    } else {
        Ok(c.panel.url.clone())
    }
}

/// A shutdown future per server, all fired by one Ctrl-C/SIGTERM.
/// Gives the panel an SMTP sender when `[mail]` / `AERIE_MAIL_HOST` is configured.
/// The panel's state from the configuration: rate limits and, when configured, the mailer.
fn with_mail(mut state: aerie_panel::AppState, c: &Config) -> Result<aerie_panel::AppState> {
    use aerie_panel::api::RateLimiter;
    use aerie_panel::services::mail::{Encryption, MailSettings, Mailer};
    state.application_limiter = RateLimiter::new(c.panel.rate_limit_application);
    state.client_limiter = RateLimiter::new(c.panel.rate_limit_client);
    if let Some(s3) = &c.backups.s3 {
        let storage =
            aerie_panel::services::s3::S3Storage::new(&aerie_panel::services::s3::S3Settings {
                endpoint: s3.endpoint.clone(),
                region: s3.region.clone(),
                bucket: s3.bucket.clone(),
                access_key_id: s3.access_key_id.clone(),
                secret_access_key: s3.secret_access_key.expose().to_owned(),
                path_style: s3.path_style,
                part_size: s3.part_size,
            })
            .map_err(|e| anyhow::anyhow!("invalid backup storage settings: {e}"))?;
        tracing::info!(s3.endpoint = %s3.endpoint, s3.bucket = %s3.bucket, "storing backups in S3");
        state = state.with_backup_storage(storage);
    }
    let Some(m) = &c.mail else {
        return Ok(state);
    };
    let mailer = Mailer::new(&MailSettings {
        host: m.host.clone(),
        port: m.port,
        encryption: match m.encryption {
            aerie_config::MailEncryption::None => Encryption::None,
            aerie_config::MailEncryption::StartTls => Encryption::StartTls,
            aerie_config::MailEncryption::Tls => Encryption::Tls,
        },
        username: m.username.clone(),
        password: m.password.as_ref().map(|p| p.expose().to_owned()),
        from_address: m.from_address.clone(),
        from_name: Some(m.from_name.clone()),
    })
    .map_err(|e| anyhow::anyhow!("invalid mail settings: {e}"))?;
    tracing::info!(mail.host = %m.host, mail.port = m.port, "sending mail through SMTP");
    Ok(state.with_mailer(mailer))
}

fn shutdown_pair() -> (
    impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move {
        aerie_http_shutdown().await;
        let _ = tx.send(true);
    });
    let make = move || {
        let mut rx = rx.clone();
        Box::pin(async move {
            let _ = rx.wait_for(|v| *v).await;
        }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
    };
    (make, handle)
}

async fn aerie_http_shutdown() {
    // Same behaviour as aerie_http::shutdown_signal, without the binary depending on it.
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutdown signal received, draining requests");
}

struct DockerProbe(aerie_wings::WingsState);

impl aerie_panel::HealthProbe for DockerProbe {
    fn name(&self) -> &'static str {
        "docker"
    }
    fn check(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = aerie_proto::health::Check> + Send + '_>>
    {
        Box::pin(aerie_wings::docker_check(&self.0))
    }
}

fn read_password(
    password: Option<String>,
    file: Option<std::path::PathBuf>,
) -> Result<Option<String>> {
    match (password, file) {
        (Some(p), _) => Ok(Some(p)),
        (None, Some(f)) => Ok(Some(
            std::fs::read_to_string(&f)
                .with_context(|| format!("cannot read password file {}", f.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_owned(),
        )),
        (None, None) => Ok(None),
    }
}

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Panel {
            bind: b,
            database_url,
        } => {
            let c = load(
                &cli,
                Overrides {
                    bind: b.clone(),
                    database_url: database_url.clone(),
                    ..Default::default()
                },
            )?;
            let listener = bind(c.panel.bind, "panel").await?;
            let url = public_url(&c, &listener)?;
            let db = open_db(&c).await?;
            let state = with_mail(aerie_panel::AppState::new(db, url.clone()), &c)?;
            tracing::info!(panel.url = %url, listen = %listener.local_addr()?, "panel listening");
            println!("Aerie panel listening at {url}");
            let (shutdown, _h) = shutdown_pair();
            // Runs the servers' schedules until the same shutdown signal.
            let scheduler = tokio::spawn(aerie_panel::services::scheduler::run(
                state.clone(),
                shutdown(),
            ));
            aerie_panel::serve(state, listener, shutdown()).await?;
            let _ = scheduler.await;
        }
        Command::Wings {
            action:
                Some(WingsAction::Configure {
                    panel,
                    token,
                    token_file,
                    node,
                }),
            ..
        } => {
            let c = load(&cli, Overrides::default())?;
            let token = read_secret(token.clone(), token_file.clone(), "API key")?;
            configure_wings(&c, panel, &token, *node).await?;
        }
        Command::Wings {
            bind: b,
            action: None,
        } => {
            let c = load(&cli, Overrides::default())?;
            let file = aerie_wings::config::WingsFile::load(&c.wings.config_file)?;
            let addr = match b {
                Some(b) => b.parse().with_context(|| format!("invalid --bind `{b}`"))?,
                None => format!("{}:{}", file.api.host, file.api.port)
                    .parse()
                    .with_context(|| {
                        format!(
                            "invalid api.host/api.port in {}",
                            c.wings.config_file.display()
                        )
                    })?,
            };
            let listener = bind(addr, "wings API").await?;
            let engine = aerie_wings::docker::Engine::connect(c.wings.docker_socket.as_deref())?;
            if let Err(e) = engine.version().await {
                tracing::warn!(error.message = %e, "Docker engine not reachable yet; servers cannot run until it is");
            }
            let state = aerie_wings::boot::start_node(&file, engine).await;
            tracing::info!(listen = %addr, "wings listening");
            let (shutdown, _h) = shutdown_pair();
            aerie_wings::serve(state, listener, shutdown()).await?;
        }
        Command::Up {
            bind: b,
            wings_bind,
            database_url,
        } => {
            let c = load(
                &cli,
                Overrides {
                    bind: b.clone(),
                    wings_bind: wings_bind.clone(),
                    database_url: database_url.clone(),
                    ..Default::default()
                },
            )?;
            let panel_listener = bind(c.panel.bind, "panel").await?;
            let wings_listener = bind(c.wings.bind, "local node").await?;
            let wings_port = wings_listener.local_addr()?.port();
            let url = public_url(&c, &panel_listener)?;
            let db = open_db(&c).await?;
            first_run_admin(&db, &c).await?;
            aerie_panel::services::eggs::seed_aerie_games(&db)
                .await
                .map_err(|e| anyhow::anyhow!("cannot import the bundled game eggs: {e}"))?;
            std::fs::create_dir_all(&c.wings.volumes_dir)
                .with_context(|| format!("cannot create {}", c.wings.volumes_dir.display()))?;
            let node = nodes::ensure_local_node(
                &db,
                wings_port,
                &c.wings.volumes_dir.display().to_string(),
            )
            .await?;
            let engine = aerie_wings::docker::Engine::connect(c.wings.docker_socket.as_deref())?;
            match engine.version().await {
                Ok(v) => tracing::info!(docker.version = %v, "Docker engine reachable"),
                Err(e) => {
                    tracing::warn!(error.message = %e, "Docker engine not reachable; servers cannot run until it is")
                }
            }
            let mut file = aerie_wings::config::WingsFile::for_local_node(
                &node.uuid,
                &node.daemon_token_id,
                &node.daemon_token,
                "127.0.0.1",
                wings_port,
                &url,
                &c.data_dir,
            );
            file.system.data = c.wings.volumes_dir.display().to_string();
            let wings = aerie_wings::boot::start_node(&file, engine).await;
            let panel = with_mail(aerie_panel::AppState::new(db, url.clone()), &c)?
                .with_probe(Arc::new(DockerProbe(wings.clone())));
            let (shutdown, _h) = shutdown_pair();
            tracing::info!(panel.url = %url, node.id = node.id, node.port = wings_port, "aerie up: panel and local node running");
            println!(
                "Aerie is up: panel {url} (node {} on 127.0.0.1:{wings_port})",
                node.id
            );
            // Runs the servers' schedules until the same shutdown signal.
            let scheduler = tokio::spawn(aerie_panel::services::scheduler::run(
                panel.clone(),
                shutdown(),
            ));
            let (p, w) = tokio::join!(
                aerie_panel::serve(panel, panel_listener, shutdown()),
                aerie_wings::serve(wings, wings_listener, shutdown()),
            );
            let _ = scheduler.await;
            p?;
            w?;
        }
        Command::Migrate { database_url } => {
            let c = load(
                &cli,
                Overrides {
                    database_url: database_url.clone(),
                    ..Default::default()
                },
            )?;
            let db = Db::connect(c.panel.database_url.expose()).await?;
            let applied = db.migrate().await?;
            aerie_panel::services::eggs::seed_standard_nests(&db)
                .await
                .map_err(|e| anyhow::anyhow!("cannot seed the standard nests: {e}"))?;
            let all = db.applied_migrations().await?;
            println!(
                "{} database: applied {} migration(s) now, {} in total (latest {})",
                db.backend().name(),
                applied.len(),
                all.len(),
                all.last().copied().unwrap_or(0)
            );
        }
        Command::User {
            action:
                UserAction::Create {
                    email,
                    username,
                    password,
                    password_file,
                    admin,
                },
        } => {
            let c = load(&cli, Overrides::default())?;
            let db = open_db(&c).await?;
            let password = read_password(password.clone(), password_file.clone())?;
            let user = users::create_user(
                &db,
                users::CreateUser {
                    email: email.clone(),
                    username: username.clone(),
                    password,
                    root_admin: *admin,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created user {} ({}) id {}{}",
                user.username,
                user.email,
                user.id,
                if user.root_admin {
                    ", administrator"
                } else {
                    ""
                }
            );
        }
        Command::Key {
            action:
                KeyAction::Create {
                    user,
                    key_type,
                    memo,
                },
        } => {
            let c = load(&cli, Overrides::default())?;
            let db = open_db(&c).await?;
            let owner = users::find_user(&db, user)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let created = keys::create_key(&db, &owner, *key_type, memo.clone(), Vec::new())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created {} key {} for {}",
                if *key_type == aerie_proto::keys::KeyType::Application {
                    "application"
                } else {
                    "client"
                },
                created.key.identifier,
                owner.username
            );
            println!("{}", created.token);
        }
        Command::Eggs {
            action: EggsAction::Import { paths, nest },
        } => {
            let c = load(&cli, Overrides::default())?;
            let db = open_db(&c).await?;
            import_eggs(&db, paths, *nest).await?;
        }
    }
    Ok(())
}

/// Every `.json`/`.yaml`/`.yml` file under `path` (sorted), or `path` itself when it is a
/// file.
fn egg_files(path: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            ) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `aerie eggs import`: one line per egg on stdout, one `error:` line per bad file on
/// stderr, then a summary; fails (after importing the rest) when any file failed.
async fn import_eggs(db: &Db, paths: &[std::path::PathBuf], nest: Option<i64>) -> Result<()> {
    use aerie_panel::services::eggs::{self as eggs, ImportOutcome};
    if let Some(id) = nest {
        eggs::get_nest(db, id)
            .await
            .map_err(|_| anyhow::anyhow!("nest {id} does not exist"))?;
    }
    let (mut created, mut updated, mut failed) = (0usize, 0usize, 0usize);
    for root in paths {
        let files = match egg_files(root) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {}: {e}", root.display());
                failed += 1;
                continue;
            }
        };
        for file in files {
            let result = match std::fs::read(&file) {
                Ok(bytes) => eggs::import_file(db, nest, &bytes)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok((egg, outcome, target)) => {
                    let verb = match outcome {
                        ImportOutcome::Created => {
                            created += 1;
                            "imported"
                        }
                        ImportOutcome::Updated => {
                            updated += 1;
                            "updated"
                        }
                    };
                    println!(
                        "{verb} egg {} \"{}\" into nest {} \"{}\" from {}",
                        egg.id,
                        egg.name,
                        target.id,
                        target.name,
                        file.display()
                    );
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {}: {e}", file.display());
                }
            }
        }
    }
    println!("{created} egg(s) imported, {updated} updated, {failed} failed");
    if failed > 0 {
        bail!("{failed} egg file(s) could not be imported");
    }
    Ok(())
}

/// `--token` or the first line of `--token-file`.
fn read_secret(
    value: Option<String>,
    file: Option<std::path::PathBuf>,
    what: &str,
) -> Result<String> {
    match read_password(value, file)? {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => bail!("the {what} is empty"),
    }
}

/// `aerie wings configure`: fetches the node's configuration with an application key and
/// writes it as the wings config file, keeping a previous file as `<file>.bak`.
async fn configure_wings(c: &Config, panel: &str, token: &str, node: u64) -> Result<()> {
    use aerie_wings::remote::{RemoteError, fetch_node_configuration};
    let file = match fetch_node_configuration(
        panel,
        token,
        node,
        std::time::Duration::from_secs(30),
    )
    .await
    {
        Ok(f) => f,
        Err(RemoteError::Status { status, detail, .. }) => {
            let detail = detail.map(|d| format!(": {d}")).unwrap_or_default();
            match status {
                401 => bail!("the panel at {panel} did not accept the API key (401{detail})"),
                403 => bail!(
                    "the API key may not read node {node}'s configuration (403{detail}); use an administrator's application key"
                ),
                404 => bail!("node {node} was not found on the panel at {panel} (404{detail})"),
                s => bail!("the panel at {panel} answered {s}{detail}"),
            }
        }
        Err(e) => return Err(e.into()),
    };
    let path = &c.wings.config_file;
    if path.exists() {
        let bak = std::path::PathBuf::from(format!("{}.bak", path.display()));
        std::fs::copy(path, &bak)
            .with_context(|| format!("cannot keep the old config as {}", bak.display()))?;
        println!("kept the previous config as {}", bak.display());
    }
    file.save(path)?;
    tracing::info!(node.id = node, node.uuid = %file.uuid, path = %path.display(), "wings configured");
    println!("wrote node {node}'s configuration to {}", path.display());
    Ok(())
}

/// On the first start of `aerie up`, creates the administrator and prints the login once.
/// The password is also left in `<data dir>/initial-admin.txt` (mode 0600) so the start
/// script can show it again; delete that file after changing the password.
async fn first_run_admin(db: &Db, c: &Config) -> Result<()> {
    if db.users().count().await? > 0 {
        return Ok(());
    }
    let password = aerie_panel::services::random_alnum(20);
    let user = users::create_user(
        db,
        users::CreateUser {
            email: "admin@aerie.local".into(),
            username: "admin".into(),
            password: Some(password.clone()),
            root_admin: true,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let file = c.data_dir.join("initial-admin.txt");
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&file)
            .with_context(|| format!("cannot write {}", file.display()))?;
        writeln!(f, "username: {}\npassword: {password}", user.username)?;
    }
    if user.username.is_empty() {
        bail!("admin creation failed");
    }
    println!(
        "created administrator `{}` with password {password} (also in {})",
        user.username,
        file.display()
    );
    Ok(())
}
