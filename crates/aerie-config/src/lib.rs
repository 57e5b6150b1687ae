//! Aerie's configuration. Sources are layered: built-in defaults, then the TOML file, then
//! `AERIE_*` environment variables (with `*_FILE` variants for secrets), then command-line
//! flags. Every default path derives from one data directory, so several installations can
//! live side by side. Loading is a pure function of its inputs: no globals, no hidden reads
//! of the process environment, so it is tested directly.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod secret;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use secret::Secret;

/// Errors that stop Aerie from starting. Each renders as one line fit for a terminal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file was named but could not be read.
    #[error("cannot read config file {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The config file is not valid TOML for our schema.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, one line.
        message: String,
    },
    /// A value is present but unusable.
    #[error("invalid {key}: {message}")]
    Invalid {
        /// The setting, named as the user wrote it (`AERIE_DATABASE_URL`, `panel.bind`, ...).
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for terminals.
    #[default]
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// The fully resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory every default path derives from.
    pub data_dir: PathBuf,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// Panel settings.
    pub panel: PanelConfig,
    /// Wings (node daemon) settings.
    pub wings: WingsConfig,
    /// Logging settings.
    pub log: LogConfig,
    /// Outgoing mail; `None` when no SMTP host is configured (no mail is sent).
    pub mail: Option<MailConfig>,
    /// Where backups are kept.
    pub backups: BackupConfig,
}

/// Where new backups are kept (`[backups]`, `AERIE_BACKUP_*`).
#[derive(Debug, Clone, Default)]
pub struct BackupConfig {
    /// `None` keeps archives on the nodes (`disk = "wings"`, the default); `Some` stores
    /// them in S3-compatible storage through presigned URLs (`disk = "s3"`).
    pub s3: Option<S3Config>,
}

/// S3-compatible storage for backups.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// The endpoint URL (`https://s3.us-east-1.amazonaws.com`, `http://minio:9000`, ...);
    /// default `https://s3.<region>.amazonaws.com`.
    pub endpoint: String,
    /// The region (default `us-east-1`).
    pub region: String,
    /// The bucket.
    pub bucket: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// Path-style URLs (`<endpoint>/<bucket>/<key>`) rather than virtual-host ones; the
    /// default is path style for a custom endpoint and virtual-host style for AWS.
    pub path_style: bool,
    /// The size of every uploaded part but the last, in bytes (Pterodactyl's
    /// `backups.max_part_size`, default 5 GiB).
    pub part_size: u64,
}

/// The default S3 part size: 5 GiB, the largest part S3 accepts.
pub const DEFAULT_S3_PART_SIZE_MB: u64 = 5 * 1024;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailEncryption {
    /// Plain text.
    None,
    /// STARTTLS upgrade (the default; port 587).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
}

/// Outgoing mail settings (`[mail]`, `AERIE_MAIL_*`).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// SMTP host.
    pub host: String,
    /// SMTP port (default by encryption: 25, 587 or 465).
    pub port: u16,
    /// Connection protection.
    pub encryption: MailEncryption,
    /// SMTP login, if any.
    pub username: Option<String>,
    /// SMTP password, if any.
    pub password: Option<Secret>,
    /// Sender address.
    pub from_address: String,
    /// Sender name (default `Aerie`).
    pub from_name: String,
}

/// Panel settings.
#[derive(Debug, Clone)]
pub struct PanelConfig {
    /// Where the panel's HTTP server listens.
    pub bind: SocketAddr,
    /// The public URL users reach the panel at (used in links, e-mails and wings' config).
    pub url: String,
    /// Database URL: `sqlite://…`, `postgres://…` or `mysql://…` (`mariadb://` is accepted).
    pub database_url: Secret,
    /// The file holding the panel's signing key (created on first start when missing).
    pub app_key_file: PathBuf,
    /// Application API requests a minute per key (Pterodactyl: 240); 0 turns the limit off.
    pub rate_limit_application: u32,
    /// Client API requests a minute per key (Pterodactyl: 720); 0 turns the limit off.
    pub rate_limit_client: u32,
}

/// Wings settings.
#[derive(Debug, Clone)]
pub struct WingsConfig {
    /// Where wings' HTTP API listens.
    pub bind: SocketAddr,
    /// Wings' Pterodactyl-shaped `config.yml`.
    pub config_file: PathBuf,
    /// Where server volumes live.
    pub volumes_dir: PathBuf,
    /// The Docker engine socket; `None` uses `DOCKER_HOST` or the default socket.
    pub docker_socket: Option<String>,
}

/// Logging settings.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// An `EnvFilter` directive such as `info,aerie_panel=debug`.
    pub filter: String,
    /// Pretty or JSON lines.
    pub format: LogFormat,
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config`.
    pub config_file: Option<PathBuf>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--bind` (the panel's address).
    pub bind: Option<String>,
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--wings-bind`.
    pub wings_bind: Option<String>,
    /// `--log-format`.
    pub log_format: Option<String>,
}

/// A successful load: the config and any warnings to log once logging is up.
#[derive(Debug)]
pub struct Loaded {
    /// The resolved configuration.
    pub config: Config,
    /// Non-fatal problems (unknown `AERIE_*` variables, for instance).
    pub warnings: Vec<String>,
}

/// Every `AERIE_*` variable Aerie reads. Anything else with the prefix earns a warning.
pub const KNOWN_ENV: &[&str] = &[
    "AERIE_CONFIG",
    "AERIE_DATA_DIR",
    "AERIE_BIND",
    "AERIE_PANEL_URL",
    "AERIE_DATABASE_URL",
    "AERIE_DATABASE_URL_FILE",
    "AERIE_APP_KEY_FILE",
    "AERIE_RATE_LIMIT_APPLICATION",
    "AERIE_RATE_LIMIT_CLIENT",
    "AERIE_WINGS_BIND",
    "AERIE_WINGS_CONFIG",
    "AERIE_VOLUMES_DIR",
    "AERIE_DOCKER_SOCKET",
    "AERIE_LOG",
    "AERIE_LOG_FORMAT",
    "AERIE_MAIL_HOST",
    "AERIE_MAIL_PORT",
    "AERIE_MAIL_ENCRYPTION",
    "AERIE_MAIL_USERNAME",
    "AERIE_MAIL_PASSWORD",
    "AERIE_MAIL_PASSWORD_FILE",
    "AERIE_MAIL_FROM_ADDRESS",
    "AERIE_MAIL_FROM_NAME",
    "AERIE_BACKUP_DISK",
    "AERIE_BACKUP_S3_ENDPOINT",
    "AERIE_BACKUP_S3_REGION",
    "AERIE_BACKUP_S3_BUCKET",
    "AERIE_BACKUP_S3_ACCESS_KEY_ID",
    "AERIE_BACKUP_S3_SECRET_ACCESS_KEY",
    "AERIE_BACKUP_S3_SECRET_ACCESS_KEY_FILE",
    "AERIE_BACKUP_S3_PATH_STYLE",
    "AERIE_BACKUP_S3_PART_SIZE_MB",
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    #[serde(default)]
    panel: FilePanel,
    #[serde(default)]
    wings: FileWings,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    mail: FileMail,
    #[serde(default)]
    backups: FileBackups,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBackups {
    disk: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_bucket: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<String>,
    s3_secret_access_key_file: Option<PathBuf>,
    s3_path_style: Option<bool>,
    s3_part_size_mb: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMail {
    host: Option<String>,
    port: Option<u16>,
    encryption: Option<String>,
    username: Option<String>,
    password: Option<String>,
    password_file: Option<PathBuf>,
    from_address: Option<String>,
    from_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePanel {
    bind: Option<String>,
    url: Option<String>,
    database_url: Option<String>,
    database_url_file: Option<PathBuf>,
    app_key_file: Option<PathBuf>,
    rate_limit_application: Option<u32>,
    rate_limit_client: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWings {
    bind: Option<String>,
    config_file: Option<PathBuf>,
    volumes_dir: Option<PathBuf>,
    docker_socket: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    filter: Option<String>,
    format: Option<String>,
}

/// The default data directory: `/var/lib/aerie` for root, the XDG data directory otherwise.
pub fn default_data_dir(env: &BTreeMap<String, String>, is_root: bool) -> PathBuf {
    if is_root {
        return PathBuf::from("/var/lib/aerie");
    }
    if let Some(x) = env.get("XDG_DATA_HOME").filter(|s| !s.is_empty()) {
        return Path::new(x).join("aerie");
    }
    match env.get("HOME").filter(|s| !s.is_empty()) {
        Some(h) => Path::new(h).join(".local/share/aerie"),
        None => PathBuf::from("./aerie-data"),
    }
}

/// Loads the configuration from `env` (the process environment, passed in) and `cli`.
pub fn load(
    env: &BTreeMap<String, String>,
    cli: &Overrides,
    is_root: bool,
) -> Result<Loaded, ConfigError> {
    let mut warnings = Vec::new();
    for key in env.keys().filter(|k| k.starts_with("AERIE_")) {
        if !KNOWN_ENV.contains(&key.as_str()) && !key.starts_with("AERIE_TEST_") {
            warnings.push(format!("ignoring unknown environment variable {key}"));
        }
    }
    let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();

    // The data directory decides where the default config file is, so resolve it first from
    // the sources that cannot come from that file.
    let early_data_dir = cli
        .data_dir
        .clone()
        .or_else(|| get("AERIE_DATA_DIR").map(PathBuf::from));
    let explicit_file = cli
        .config_file
        .clone()
        .or_else(|| get("AERIE_CONFIG").map(PathBuf::from));
    let (file, config_file) = match explicit_file {
        Some(path) => (read_file(&path)?, Some(path)),
        None => {
            let dir = early_data_dir
                .clone()
                .unwrap_or_else(|| default_data_dir(env, is_root));
            let path = dir.join("aerie.toml");
            if path.exists() {
                (read_file(&path)?, Some(path))
            } else {
                (FileConfig::default(), None)
            }
        }
    };

    let data_dir = early_data_dir
        .or(file.data_dir.clone())
        .unwrap_or_else(|| default_data_dir(env, is_root));
    let data_dir = absolute(&data_dir);

    // Panel.
    let bind_src = pick(&[
        ("--bind", cli.bind.clone()),
        ("AERIE_BIND", get("AERIE_BIND")),
        ("panel.bind", file.panel.bind.clone()),
    ]);
    let bind = parse_addr(bind_src, "127.0.0.1:8080")?;
    let url = pick(&[
        ("AERIE_PANEL_URL", get("AERIE_PANEL_URL")),
        ("panel.url", file.panel.url.clone()),
    ]);
    let url = match url {
        Some((key, v)) => {
            let parsed = url::Url::parse(&v)
                .map_err(|e| invalid(key, format!("`{v}` is not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid(key, format!("`{v}` must be an http or https URL")));
            }
            v.trim_end_matches('/').to_owned()
        }
        None => format!("http://{bind}"),
    };

    let db_file_env =
        get("AERIE_DATABASE_URL_FILE").map(|p| ("AERIE_DATABASE_URL_FILE", PathBuf::from(p)));
    let db_file_toml = file
        .panel
        .database_url_file
        .clone()
        .map(|p| ("panel.database_url_file", p));
    let database_url = if let Some(v) = cli.database_url.clone() {
        ("--database-url", v)
    } else if let Some(v) = get("AERIE_DATABASE_URL") {
        ("AERIE_DATABASE_URL", v)
    } else if let Some((key, path)) = db_file_env {
        (key, read_secret_file(key, &path)?)
    } else if let Some(v) = file.panel.database_url.clone() {
        ("panel.database_url", v)
    } else if let Some((key, path)) = db_file_toml {
        (key, read_secret_file(key, &path)?)
    } else {
        (
            "database_url",
            format!("sqlite://{}", data_dir.join("panel.db").display()),
        )
    };
    let database_url = Secret::new(normalize_database_url(database_url.0, &database_url.1)?);

    let app_key_file = get("AERIE_APP_KEY_FILE")
        .map(PathBuf::from)
        .or(file.panel.app_key_file.clone())
        .unwrap_or_else(|| data_dir.join("app.key"));

    let limit =
        |key: &'static str, file_value: Option<u32>, default: u32| -> Result<u32, ConfigError> {
            match get(key) {
                Some(v) => v.trim().parse::<u32>().map_err(|_| {
                    invalid(
                        key,
                        format!("`{v}` is not a number of requests a minute (0 = no limit)"),
                    )
                }),
                None => Ok(file_value.unwrap_or(default)),
            }
        };
    let rate_limit_application = limit(
        "AERIE_RATE_LIMIT_APPLICATION",
        file.panel.rate_limit_application,
        240,
    )?;
    let rate_limit_client = limit("AERIE_RATE_LIMIT_CLIENT", file.panel.rate_limit_client, 720)?;

    // Wings.
    let wbind = pick(&[
        ("--wings-bind", cli.wings_bind.clone()),
        ("AERIE_WINGS_BIND", get("AERIE_WINGS_BIND")),
        ("wings.bind", file.wings.bind.clone()),
    ]);
    let wings = WingsConfig {
        bind: parse_addr(wbind, "127.0.0.1:8443")?,
        config_file: get("AERIE_WINGS_CONFIG")
            .map(PathBuf::from)
            .or(file.wings.config_file.clone())
            .unwrap_or_else(|| data_dir.join("wings/config.yml")),
        volumes_dir: get("AERIE_VOLUMES_DIR")
            .map(PathBuf::from)
            .or(file.wings.volumes_dir.clone())
            .unwrap_or_else(|| data_dir.join("volumes")),
        docker_socket: get("AERIE_DOCKER_SOCKET").or(file.wings.docker_socket.clone()),
    };

    // Logging.
    let format_src = pick(&[
        ("--log-format", cli.log_format.clone()),
        ("AERIE_LOG_FORMAT", get("AERIE_LOG_FORMAT")),
        ("log.format", file.log.format.clone()),
    ]);
    let format = match format_src {
        None => LogFormat::Pretty,
        Some((_, v)) if v == "pretty" || v == "text" => LogFormat::Pretty,
        Some((_, v)) if v == "json" => LogFormat::Json,
        Some((key, v)) => {
            return Err(invalid(
                key,
                format!("`{v}` is not a log format (pretty or json)"),
            ));
        }
    };
    let filter = get("AERIE_LOG")
        .or(file.log.filter.clone())
        .unwrap_or_else(|| "info".to_owned());

    let mail = load_mail(&get, &file.mail)?;
    let backups = load_backups(&get, &file.backups)?;

    Ok(Loaded {
        config: Config {
            data_dir,
            config_file,
            panel: PanelConfig {
                bind,
                url,
                database_url,
                app_key_file,
                rate_limit_application,
                rate_limit_client,
            },
            wings,
            log: LogConfig { filter, format },
            mail,
            backups,
        },
        warnings,
    })
}

fn load_mail(
    get: &dyn Fn(&str) -> Option<String>,
    file: &FileMail,
) -> Result<Option<MailConfig>, ConfigError> {
    let Some(host) = get("AERIE_MAIL_HOST").or(file.host.clone()) else {
        return Ok(None);
    };
    let encryption = match pick(&[
        ("AERIE_MAIL_ENCRYPTION", get("AERIE_MAIL_ENCRYPTION")),
        ("mail.encryption", file.encryption.clone()),
    ]) {
        None => MailEncryption::StartTls,
        Some((key, v)) => match v.to_ascii_lowercase().as_str() {
            "none" | "" => MailEncryption::None,
            "starttls" => MailEncryption::StartTls,
            "tls" | "ssl" => MailEncryption::Tls,
            _ => {
                return Err(invalid(
                    key,
                    format!("`{v}` is not an encryption (none, starttls or tls)"),
                ));
            }
        },
    };
    let port = match get("AERIE_MAIL_PORT") {
        Some(v) => v
            .parse::<u16>()
            .map_err(|_| invalid("AERIE_MAIL_PORT", format!("`{v}` is not a port")))?,
        None => file.port.unwrap_or(match encryption {
            MailEncryption::None => 25,
            MailEncryption::StartTls => 587,
            MailEncryption::Tls => 465,
        }),
    };
    let password = if let Some(v) = get("AERIE_MAIL_PASSWORD") {
        Some(v)
    } else if let Some(p) = get("AERIE_MAIL_PASSWORD_FILE") {
        Some(read_secret_file("AERIE_MAIL_PASSWORD_FILE", Path::new(&p))?)
    } else if let Some(v) = file.password.clone() {
        Some(v)
    } else if let Some(p) = &file.password_file {
        Some(read_secret_file("mail.password_file", p)?)
    } else {
        None
    };
    let from_address = get("AERIE_MAIL_FROM_ADDRESS")
        .or(file.from_address.clone())
        .ok_or_else(|| {
            invalid(
                "mail.from_address",
                "a sender address is required when a mail host is set (AERIE_MAIL_FROM_ADDRESS)"
                    .into(),
            )
        })?;
    if !from_address.contains('@') {
        return Err(invalid(
            "mail.from_address",
            format!("`{from_address}` is not an e-mail address"),
        ));
    }
    Ok(Some(MailConfig {
        host,
        port,
        encryption,
        username: get("AERIE_MAIL_USERNAME").or(file.username.clone()),
        password: password.map(Secret::new),
        from_address,
        from_name: get("AERIE_MAIL_FROM_NAME")
            .or(file.from_name.clone())
            .unwrap_or_else(|| "Aerie".to_owned()),
    }))
}

fn load_backups(
    get: &dyn Fn(&str) -> Option<String>,
    file: &FileBackups,
) -> Result<BackupConfig, ConfigError> {
    let disk = pick(&[
        ("AERIE_BACKUP_DISK", get("AERIE_BACKUP_DISK")),
        ("backups.disk", file.disk.clone()),
    ]);
    match disk {
        None => return Ok(BackupConfig::default()),
        Some((_, v)) if v.eq_ignore_ascii_case("wings") => return Ok(BackupConfig::default()),
        Some((_, v)) if v.eq_ignore_ascii_case("s3") => {}
        Some((key, v)) => {
            return Err(invalid(
                key,
                format!("`{v}` is not a backup disk (wings or s3)"),
            ));
        }
    }
    let required = |env: &'static str, toml: &'static str, value: &Option<String>| {
        get(env)
            .or(value.clone().filter(|v| !v.is_empty()))
            .ok_or_else(|| {
                invalid(
                    toml,
                    format!("required when backups.disk is s3 (or set {env})"),
                )
            })
    };
    let region = get("AERIE_BACKUP_S3_REGION")
        .or(file.s3_region.clone().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let custom = pick(&[
        ("AERIE_BACKUP_S3_ENDPOINT", get("AERIE_BACKUP_S3_ENDPOINT")),
        ("backups.s3_endpoint", file.s3_endpoint.clone()),
    ]);
    let endpoint = match &custom {
        Some((key, v)) => {
            let parsed = url::Url::parse(v)
                .map_err(|e| invalid(key, format!("`{v}` is not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(invalid(key, format!("`{v}` must be an http or https URL")));
            }
            v.trim_end_matches('/').to_owned()
        }
        None => format!("https://s3.{region}.amazonaws.com"),
    };
    let bucket = required(
        "AERIE_BACKUP_S3_BUCKET",
        "backups.s3_bucket",
        &file.s3_bucket,
    )?;
    let access_key_id = required(
        "AERIE_BACKUP_S3_ACCESS_KEY_ID",
        "backups.s3_access_key_id",
        &file.s3_access_key_id,
    )?;
    let secret = if let Some(v) = get("AERIE_BACKUP_S3_SECRET_ACCESS_KEY") {
        v
    } else if let Some(p) = get("AERIE_BACKUP_S3_SECRET_ACCESS_KEY_FILE") {
        read_secret_file("AERIE_BACKUP_S3_SECRET_ACCESS_KEY_FILE", Path::new(&p))?
    } else if let Some(v) = file.s3_secret_access_key.clone().filter(|v| !v.is_empty()) {
        v
    } else if let Some(p) = &file.s3_secret_access_key_file {
        read_secret_file("backups.s3_secret_access_key_file", p)?
    } else {
        return Err(invalid(
            "backups.s3_secret_access_key",
            "required when backups.disk is s3 (or set AERIE_BACKUP_S3_SECRET_ACCESS_KEY)".into(),
        ));
    };
    let path_style = match get("AERIE_BACKUP_S3_PATH_STYLE") {
        Some(v) => parse_bool(&v).ok_or_else(|| {
            invalid(
                "AERIE_BACKUP_S3_PATH_STYLE",
                format!("`{v}` is not true or false"),
            )
        })?,
        None => file.s3_path_style.unwrap_or(custom.is_some()),
    };
    let part_size_mb = match get("AERIE_BACKUP_S3_PART_SIZE_MB") {
        Some(v) => v.trim().parse::<u64>().map_err(|_| {
            invalid(
                "AERIE_BACKUP_S3_PART_SIZE_MB",
                format!("`{v}` is not a number of MiB"),
            )
        })?,
        None => file.s3_part_size_mb.unwrap_or(DEFAULT_S3_PART_SIZE_MB),
    };
    // S3 takes parts of 5 MiB to 5 GiB (only the last part may be smaller).
    if !(5..=DEFAULT_S3_PART_SIZE_MB).contains(&part_size_mb) {
        return Err(invalid(
            "backups.s3_part_size_mb",
            format!("{part_size_mb} is outside S3's part sizes (5 to 5120 MiB)"),
        ));
    }
    Ok(BackupConfig {
        s3: Some(S3Config {
            endpoint,
            region,
            bucket,
            access_key_id,
            secret_access_key: Secret::new(secret),
            path_style,
            part_size: part_size_mb * 1024 * 1024,
        }),
    })
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn invalid(key: &str, message: String) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message,
    }
}

fn pick(sources: &[(&'static str, Option<String>)]) -> Option<(&'static str, String)> {
    sources
        .iter()
        .find_map(|(k, v)| v.clone().filter(|s| !s.is_empty()).map(|v| (*k, v)))
}

fn parse_addr(
    src: Option<(&'static str, String)>,
    default: &str,
) -> Result<SocketAddr, ConfigError> {
    let (key, v) = src.unwrap_or(("bind", default.to_owned()));
    v.parse::<SocketAddr>()
        .map_err(|_| invalid(key, format!("`{v}` is not an address like 127.0.0.1:8080")))
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.message().replace('\n', " "),
    })
}

fn read_secret_file(key: &str, path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|e| invalid(key, format!("cannot read {}: {e}", path.display())))
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_owned())
    }
}

/// Checks a database URL and brings it to the form the driver expects
/// (`mariadb://` → `mysql://`, `postgresql://` → `postgres://`).
pub fn normalize_database_url(key: &str, raw: &str) -> Result<String, ConfigError> {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return Err(invalid(
            key,
            "expected a URL like sqlite:///path/panel.db, postgres://… or mysql://…".into(),
        ));
    };
    let scheme = match scheme {
        "sqlite" => {
            if rest.is_empty() {
                return Err(invalid(key, "sqlite:// needs a file path".into()));
            }
            return Ok(raw.to_owned());
        }
        "postgres" | "postgresql" => "postgres",
        "mysql" | "mariadb" => "mysql",
        other => {
            return Err(invalid(
                key,
                format!("unsupported database `{other}` (use sqlite, postgres or mysql)"),
            ));
        }
    };
    let url = format!("{scheme}://{rest}");
    let parsed =
        url::Url::parse(&url).map_err(|e| invalid(key, format!("not a valid URL ({e})")))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(key, "the URL has no host".into()));
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
