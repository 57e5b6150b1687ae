//! Database hosts and server databases (customers' MySQL/MariaDB databases).
//!
//! ## Secrets at rest
//!
//! A database host's administrative password and every server database's password are
//! stored encrypted with AES-256-GCM ([`Cipher`]): a random 96-bit nonce per value, stored as
//! `v1:<base64(nonce ‖ ciphertext ‖ tag)>`. The key is [`panel_key`]: SHA-256 of
//! `"aerie-db-secrets"` followed by the panel's `app_key` setting. The `app_key` is created
//! on first use (32 random bytes, stored as `base64:<...>` in the `settings` table, written
//! insert-if-absent so concurrent first uses agree on one key). Losing or changing the
//! `app_key` makes the stored passwords unreadable: back it up with the database.
//!
//! ## Rules
//!
//! - A host is saved only after the panel could log in to it with the given account
//!   ([`create_host`], [`update_host`]); the error names the host, never the password.
//!   A host that still holds databases cannot be deleted.
//! - A server database is `s{server}_{name}` (`name`: letters, digits, `-`, `_`, 1 to 48
//!   characters), its account `u{server}_{10 random}` with a random 24-character password,
//!   allowed to connect from `remote` (`^[0-9%.]{1,15}$`, default `%`). On the host the
//!   panel runs `CREATE DATABASE`, `CREATE USER ... IDENTIFIED BY ...` (with
//!   `MAX_USER_CONNECTIONS` when set), `GRANT <Pterodactyl's privilege list> ON db.*` and
//!   `FLUSH PRIVILEGES`; when a step fails, what was done is undone and the row removed.
//! - The server's `database_limit` is enforced only when the caller asks for it (the client
//!   API; 0 then means no databases). The application API ignores it, as Pterodactyl's
//!   admin paths do. A host's `max_databases` is always enforced.
//!
//! ## Client ids
//!
//! The client API shows a database's id as an opaque 8-character `[a-zA-Z0-9]` string
//! (Pterodactyl uses hashids): [`encode_database_id`] applies a fixed invertible 47-bit
//! permutation to the id and writes it in base 62 behind a leading letter, so it never
//! reads as a number. This hides row counts from casual eyes; it is not a secret.
//! [`decode_database_id`] accepts that form and plain numeric ids.

use super::not_found;
use std::time::Duration;

use aerie_db::Db;
use aerie_db::DbError;
use aerie_db::repo::databases::{
    self as repo, Database, DatabaseHost, DatabaseHostChanges, DatabaseHostListQuery,
    HostConnection, HostCredentials, NewDatabase, NewDatabaseHost,
};
use aerie_http::Error;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::{Rng, RngCore};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::api::{Validator, atom_timestamp};
use crate::services::{db_err, random_alnum};

/// The settings key holding the panel's application key.
pub const APP_KEY_SETTING: &str = "app_key";

/// How long connecting to a database host may take.
pub const HOST_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

const KEY_CONTEXT: &[u8] = b"aerie-db-secrets";
const VERSION_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

// ---- secrets ----

/// Encrypts and decrypts stored database secrets (AES-256-GCM, random nonce per value).
#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher")
    }
}

impl Cipher {
    /// A cipher with this 256-bit key.
    pub fn new(key: &[u8; 32]) -> Self {
        let key: Key<Aes256Gcm> = (*key).into();
        Self {
            aead: Aes256Gcm::new(&key),
        }
    }

    /// Encrypts `plain` into `v1:<base64(nonce ‖ ciphertext)>`.
    ///
    /// # Errors
    /// [`Error::Internal`] if the cipher fails (it does not for inputs of sane size).
    pub fn encrypt(&self, plain: &str) -> Result<String, Error> {
        let mut nonce_bytes = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce_bytes);
        let nonce: Nonce<_> = nonce_bytes.into();
        let sealed = self
            .aead
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| Error::internal("encrypting a stored secret failed"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        Ok(format!("{VERSION_PREFIX}{}", B64.encode(out)))
    }

    /// Decrypts a value written by [`Cipher::encrypt`].
    ///
    /// # Errors
    /// [`Error::Internal`] when the value is not in that format or does not authenticate
    /// under this key (a changed `app_key`, or tampering).
    pub fn decrypt(&self, stored: &str) -> Result<String, Error> {
        let bad = || {
            Error::internal(
                "a stored secret could not be decrypted (was the panel's app_key changed?)",
            )
        };
        let raw = stored
            .strip_prefix(VERSION_PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .ok_or_else(bad)?;
        if raw.len() < NONCE_LEN {
            return Err(bad());
        }
        let (nonce_bytes, sealed) = raw.split_at(NONCE_LEN);
        let nonce =
            Nonce::<aes_gcm::aead::consts::U12>::try_from(nonce_bytes).map_err(|_| bad())?;
        let plain = self.aead.decrypt(&nonce, sealed).map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }
}

/// The key for database secrets: SHA-256 of `"aerie-db-secrets"` and the panel's `app_key`
/// setting, which is created on first use.
///
/// # Errors
/// The settings table could not be read or written.
pub async fn panel_key(state: &AppState) -> Result<[u8; 32], Error> {
    panel_key_db(&state.db).await
}

/// [`panel_key`] from the database handle alone.
///
/// # Errors
/// The settings table could not be read or written.
pub async fn panel_key_db(db: &Db) -> Result<[u8; 32], Error> {
    let app_key = match db.settings().get(APP_KEY_SETTING).await.map_err(db_err)? {
        Some(k) if !k.is_empty() => k,
        _ => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            let fresh = format!("base64:{}", B64.encode(bytes));
            db.databases()
                .setting_or_insert(APP_KEY_SETTING, &fresh)
                .await
                .map_err(db_err)?
        }
    };
    let mut h = Sha256::new();
    h.update(KEY_CONTEXT);
    h.update(app_key.as_bytes());
    Ok(h.finalize().into())
}

/// A [`Cipher`] with the panel's key.
///
/// # Errors
/// As [`panel_key_db`].
pub async fn cipher(db: &Db) -> Result<Cipher, Error> {
    Ok(Cipher::new(&panel_key_db(db).await?))
}

/// The plain password of a server database.
///
/// # Errors
/// As [`Cipher::decrypt`].
pub fn database_password(cipher: &Cipher, database: &Database) -> Result<String, Error> {
    cipher.decrypt(&database.password)
}

// ---- client ids ----

const ID_BITS: u32 = 47;
const ID_MASK: u64 = (1 << ID_BITS) - 1;
const ID_XOR: u64 = 0x5A3C_96E1_D24B;
const ID_MUL1: u64 = 0x2C1B_3C6D_A5F1;
const ID_MUL2: u64 = 0x1F83_D9AB_FB41;
const ID_SHIFT: u32 = 24;
const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn mod_inverse(m: u64) -> u64 {
    // Newton's iteration doubles the correct low bits each round; m is odd.
    let mut inv = m;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(inv)));
    }
    inv & ID_MASK
}

fn permute(mut x: u64) -> u64 {
    x ^= ID_XOR;
    x = x.wrapping_mul(ID_MUL1) & ID_MASK;
    x ^= x >> ID_SHIFT;
    x = x.wrapping_mul(ID_MUL2) & ID_MASK;
    x ^= x >> ID_SHIFT;
    x
}

fn unpermute(mut x: u64) -> u64 {
    x ^= x >> ID_SHIFT;
    x = x.wrapping_mul(mod_inverse(ID_MUL2)) & ID_MASK;
    x ^= x >> ID_SHIFT;
    x = x.wrapping_mul(mod_inverse(ID_MUL1)) & ID_MASK;
    x ^ ID_XOR
}

/// A database id as the client API shows it: 8 characters of `[a-zA-Z0-9]`, starting with
/// a letter. Ids beyond 2^47 (never reached in practice) are written in decimal.
pub fn encode_database_id(id: i64) -> String {
    let Ok(n) = u64::try_from(id) else {
        return id.to_string();
    };
    if n > ID_MASK {
        return id.to_string();
    }
    let mut v = permute(n);
    let mut out = String::with_capacity(8);
    out.push(char::from(LETTERS[(v % 52) as usize]));
    v /= 52;
    for _ in 0..7 {
        out.push(char::from(ALNUM[(v % 62) as usize]));
        v /= 62;
    }
    out
}

/// The numeric id behind a client database id: the 8-character form of
/// [`encode_database_id`], or plain digits. `None` for anything else.
pub fn decode_database_id(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let bytes = s.as_bytes();
    if bytes.len() != 8 {
        return None;
    }
    let first = LETTERS.iter().position(|&c| c == bytes[0])? as u64;
    let mut rest: u64 = 0;
    for &b in bytes[1..].iter().rev() {
        let d = ALNUM.iter().position(|&c| c == b)? as u64;
        rest = rest * 62 + d;
    }
    let v = rest.checked_mul(52)?.checked_add(first)?;
    if v > ID_MASK {
        return None;
    }
    i64::try_from(unpermute(v)).ok().filter(|&id| id > 0)
}

// ---- transformers ----

/// Application API `database_host` attributes: `id, name, host, port, username,
/// max_databases, node, created_at, updated_at` (never the password).
pub fn host_attributes(h: &DatabaseHost) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), h.id.into());
    m.insert("name".into(), h.name.clone().into());
    m.insert("host".into(), h.host.clone().into());
    m.insert("port".into(), h.port.into());
    m.insert("username".into(), h.username.clone().into());
    m.insert("max_databases".into(), h.max_databases.into());
    m.insert("node".into(), h.node_id.into());
    m.insert("created_at".into(), atom_timestamp(Some(&h.created_at)));
    m.insert("updated_at".into(), atom_timestamp(Some(&h.updated_at)));
    m
}

/// Application API `server_database` attributes (reference §1.5): `id, server, host,
/// database, username, remote, max_connections, created_at, updated_at`.
pub fn database_attributes_application(d: &Database) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), d.id.into());
    m.insert("server".into(), d.server_id.into());
    m.insert("host".into(), d.database_host_id.into());
    m.insert("database".into(), d.database.clone().into());
    m.insert("username".into(), d.username.clone().into());
    m.insert("remote".into(), d.remote.clone().into());
    m.insert("max_connections".into(), d.max_connections.into());
    m.insert("created_at".into(), atom_timestamp(Some(&d.created_at)));
    m.insert("updated_at".into(), atom_timestamp(Some(&d.updated_at)));
    m
}

/// The `database_password` include: `{"object":"database_password","attributes":{"password"}}`.
pub fn password_item(password: &str) -> Value {
    json!({"object": "database_password", "attributes": {"password": password}})
}

/// Client API `server_database` attributes (reference §2.2): `id` (the opaque form of
/// [`encode_database_id`]), `host {address, port}`, `name`, `username`,
/// `connections_from`, `max_connections`; with `password` given, also
/// `relationships.password` (a `database_password` item), as Pterodactyl's
/// `include=password` does. A caller whose user may not see passwords but asked for them
/// attaches a null resource itself.
pub fn database_attributes_client(
    d: &Database,
    host: &DatabaseHost,
    password: Option<&str>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), encode_database_id(d.id).into());
    m.insert(
        "host".into(),
        json!({"address": host.host, "port": host.port}),
    );
    m.insert("name".into(), d.database.clone().into());
    m.insert("username".into(), d.username.clone().into());
    m.insert("connections_from".into(), d.remote.clone().into());
    m.insert("max_connections".into(), d.max_connections.into());
    if let Some(p) = password {
        m.insert(
            "relationships".into(),
            json!({"password": password_item(p)}),
        );
    }
    m
}

// ---- database hosts ----

/// A new database host, as an administrator submits it.
#[derive(Debug, Clone, Default)]
pub struct NewHost {
    /// Display name (unique, up to 191 characters).
    pub name: Option<String>,
    /// Address (up to 191 characters).
    pub host: Option<String>,
    /// Port; 3306 when absent.
    pub port: Option<i64>,
    /// Administrative account (up to 32 characters).
    pub username: Option<String>,
    /// Its password (may be empty).
    pub password: Option<String>,
    /// Database limit; `None` for none.
    pub max_databases: Option<i64>,
    /// Linked node.
    pub node_id: Option<i64>,
}

/// Changes to a database host; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct HostUpdate {
    /// New name.
    pub name: Option<String>,
    /// New address.
    pub host: Option<String>,
    /// New port.
    pub port: Option<i64>,
    /// New account.
    pub username: Option<String>,
    /// New password; `None` (or an empty string) keeps the stored one.
    pub password: Option<String>,
    /// New limit (`Some(None)` removes it).
    pub max_databases: Option<Option<i64>>,
    /// New node (`Some(None)` unlinks).
    pub node_id: Option<Option<i64>>,
}

/// Replaces every occurrence of each secret in `msg`.
fn redact(msg: &str, secrets: &[&str]) -> String {
    let mut out = msg.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(s, "[redacted]");
    }
    out
}

fn port_u16(port: i64) -> Result<u16, Error> {
    u16::try_from(port).ok().filter(|p| *p > 0).ok_or_else(|| {
        Error::validation("port", "between", "The port must be between 1 and 65535.")
    })
}

/// Logs in to a host to prove the credentials work; a 400 naming the host otherwise.
async fn test_connection(name: &str, creds: &HostCredentials<'_>) -> Result<(), Error> {
    match HostConnection::connect(creds, HOST_CONNECT_TIMEOUT).await {
        Ok(c) => {
            c.close().await;
            Ok(())
        }
        Err(e) => {
            let detail = match e {
                DbError::Connect { message, .. } => message,
                other => other.to_string(),
            };
            Err(Error::BadRequest(format!(
                "Could not connect to the database host \"{name}\" at {}:{} as \"{}\": {}",
                creds.host,
                creds.port,
                creds.username,
                redact(&detail, &[creds.password])
            )))
        }
    }
}

async fn check_node(db: &Db, node_id: Option<i64>) -> Result<(), Error> {
    if let Some(id) = node_id
        && db.nodes().find(id).await.map_err(db_err)?.is_none()
    {
        return Err(Error::validation(
            "node_id",
            "exists",
            "The selected node id is invalid.",
        ));
    }
    Ok(())
}

fn name_taken() -> Error {
    Error::validation("name", "unique", "The name has already been taken.")
}

fn host_db_err(e: DbError) -> Error {
    match e {
        DbError::Unique { .. } => name_taken(),
        other => db_err(other),
    }
}

/// Creates a database host after logging in to it with the given account. Nothing is
/// stored when the login fails.
///
/// # Errors
/// 422 for invalid fields, a taken name or an unknown node; 400 when the host cannot be
/// reached or refuses the login.
pub async fn create_host(db: &Db, input: NewHost) -> Result<DatabaseHost, Error> {
    let mut v = Validator::new();
    v.required("name", input.name.as_deref())
        .max("name", input.name.as_deref(), 191)
        .required("host", input.host.as_deref())
        .max("host", input.host.as_deref(), 191)
        .between_values("port", input.port, 1, 65535)
        .required("username", input.username.as_deref())
        .max("username", input.username.as_deref(), 32)
        .max("password", input.password.as_deref(), 191)
        .min_value("max_databases", input.max_databases, 0);
    v.finish()?;
    let name = input.name.unwrap_or_default().trim().to_owned();
    let host = input.host.unwrap_or_default().trim().to_owned();
    let username = input.username.unwrap_or_default();
    let password = input.password.unwrap_or_default();
    let port = input.port.unwrap_or(3306);

    if db
        .databases()
        .find_host_by_name(&name)
        .await
        .map_err(db_err)?
        .is_some()
    {
        return Err(name_taken());
    }
    check_node(db, input.node_id).await?;
    test_connection(
        &name,
        &HostCredentials {
            host: &host,
            port: port_u16(port)?,
            username: &username,
            password: &password,
        },
    )
    .await?;

    let encrypted = cipher(db).await?.encrypt(&password)?;
    db.databases()
        .create_host(&NewDatabaseHost {
            name,
            host,
            port,
            username,
            password: encrypted,
            max_databases: input.max_databases,
            node_id: input.node_id,
        })
        .await
        .map_err(host_db_err)
}

/// A host by id.
///
/// # Errors
/// 404 when there is none.
pub async fn find_host(db: &Db, id: i64) -> Result<DatabaseHost, Error> {
    db.databases()
        .find_host(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// A page of hosts and the total matching.
///
/// # Errors
/// Database failures.
pub async fn search_hosts(
    db: &Db,
    query: &DatabaseHostListQuery,
) -> Result<(Vec<DatabaseHost>, i64), Error> {
    db.databases().search_hosts(query).await.map_err(db_err)
}

/// Updates a host. When the address, port, account or password change, the new
/// combination is tried first and nothing is saved if the login fails.
///
/// # Errors
/// 404, 422 as for [`create_host`], 400 when the login fails.
pub async fn update_host(db: &Db, id: i64, input: HostUpdate) -> Result<DatabaseHost, Error> {
    let current = find_host(db, id).await?;
    let mut v = Validator::new();
    if input.name.is_some() {
        v.required("name", input.name.as_deref());
    }
    if input.host.is_some() {
        v.required("host", input.host.as_deref());
    }
    if input.username.is_some() {
        v.required("username", input.username.as_deref());
    }
    v.max("name", input.name.as_deref(), 191)
        .max("host", input.host.as_deref(), 191)
        .between_values("port", input.port, 1, 65535)
        .max("username", input.username.as_deref(), 32)
        .max("password", input.password.as_deref(), 191)
        .min_value("max_databases", input.max_databases.flatten(), 0);
    v.finish()?;

    let name = input.name.map(|n| n.trim().to_owned());
    if let Some(n) = &name
        && n != &current.name
        && db
            .databases()
            .find_host_by_name(n)
            .await
            .map_err(db_err)?
            .is_some()
    {
        return Err(name_taken());
    }
    if let Some(node) = input.node_id {
        check_node(db, node).await?;
    }

    let host = input.host.map(|h| h.trim().to_owned());
    let password = input.password.filter(|p| !p.is_empty());
    let cipher = cipher(db).await?;
    let connection_changed = host.as_ref().is_some_and(|h| h != &current.host)
        || input.port.is_some_and(|p| p != current.port)
        || input
            .username
            .as_ref()
            .is_some_and(|u| u != &current.username)
        || password.is_some();
    if connection_changed {
        let stored_password;
        let try_password = match &password {
            Some(p) => p.as_str(),
            None => {
                stored_password = cipher.decrypt(&current.password)?;
                stored_password.as_str()
            }
        };
        test_connection(
            name.as_deref().unwrap_or(&current.name),
            &HostCredentials {
                host: host.as_deref().unwrap_or(&current.host),
                port: port_u16(input.port.unwrap_or(current.port))?,
                username: input.username.as_deref().unwrap_or(&current.username),
                password: try_password,
            },
        )
        .await?;
    }

    let changes = DatabaseHostChanges {
        name,
        host,
        port: input.port,
        username: input.username,
        password: password.map(|p| cipher.encrypt(&p)).transpose()?,
        max_databases: input.max_databases,
        node_id: input.node_id,
    };
    db.databases()
        .update_host(id, &changes)
        .await
        .map_err(host_db_err)?
        .ok_or_else(not_found)
}

/// Deletes a host; refused (400) while it holds databases.
///
/// # Errors
/// 404, or 400 when databases remain.
pub async fn delete_host(db: &Db, id: i64) -> Result<(), Error> {
    find_host(db, id).await?;
    let in_use = || {
        Error::BadRequest(
            "Cannot delete a database host server that has active databases linked to it.".into(),
        )
    };
    if db.databases().count_for_host(id).await.map_err(db_err)? > 0 {
        return Err(in_use());
    }
    match db.databases().delete_host(id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found()),
        Err(DbError::ForeignKey) => Err(in_use()),
        Err(e) => Err(db_err(e)),
    }
}

// ---- server databases ----

/// A new server database.
#[derive(Debug, Clone, Default)]
pub struct CreateDatabase {
    /// The name the user chose; stored as `s{server}_{name}`.
    pub name: String,
    /// Where the account may connect from; `%` when `None`.
    pub remote: Option<String>,
    /// The host; when `None`, one is picked: a host linked to the server's node, else any
    /// host, among those below their `max_databases`.
    pub host_id: Option<i64>,
    /// `MAX_USER_CONNECTIONS`; `None` for the host's default.
    pub max_connections: Option<i64>,
}

/// Creates a server database: see [`create_database_with`].
///
/// # Errors
/// As [`create_database_with`].
pub async fn create_database(
    db: &Db,
    server_id: i64,
    name: &str,
    remote: Option<&str>,
    host_id: Option<i64>,
    enforce_limit: bool,
) -> Result<Database, Error> {
    create_database_with(
        db,
        server_id,
        &CreateDatabase {
            name: name.to_owned(),
            remote: remote.map(str::to_owned),
            host_id,
            max_connections: None,
        },
        enforce_limit,
    )
    .await
}

fn validate_database(input: &CreateDatabase) -> Result<(), Error> {
    let alpha_dash = input
        .name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let mut v = Validator::new();
    v.required("database", input.name.as_str())
        .rule(
            "database",
            "alpha_dash",
            alpha_dash,
            "The database must only contain letters, numbers, dashes and underscores.",
        )
        .between("database", input.name.as_str(), 1, 48);
    if let Some(r) = input.remote.as_deref() {
        v.rule(
            "remote",
            "regex",
            repo::is_valid_remote(r),
            "The remote format is invalid.",
        );
    }
    v.between_values("max_connections", input.max_connections, 0, 100_000);
    v.finish()
}

async fn pick_host(db: &Db, node_id: i64, wanted: Option<i64>) -> Result<DatabaseHost, Error> {
    let repo = db.databases();
    if let Some(id) = wanted {
        let host =
            repo.find_host(id).await.map_err(db_err)?.ok_or_else(|| {
                Error::validation("host", "exists", "The selected host is invalid.")
            })?;
        if let Some(max) = host.max_databases
            && repo.count_for_host(host.id).await.map_err(db_err)? >= max
        {
            return Err(Error::BadRequest(format!(
                "The database host \"{}\" has reached its limit of {max} databases.",
                host.name
            )));
        }
        return Ok(host);
    }
    let mut with_room = Vec::new();
    for h in repo.list_hosts().await.map_err(db_err)? {
        let full = match h.max_databases {
            Some(max) => repo.count_for_host(h.id).await.map_err(db_err)? >= max,
            None => false,
        };
        if !full {
            with_room.push(h);
        }
    }
    let on_node: Vec<&DatabaseHost> = with_room
        .iter()
        .filter(|h| h.node_id == Some(node_id))
        .collect();
    let pool: Vec<&DatabaseHost> = if on_node.is_empty() {
        with_room.iter().collect()
    } else {
        on_node
    };
    if pool.is_empty() {
        return Err(Error::BadRequest(
            "No database host was found that meets the requirements for this server.".into(),
        ));
    }
    let i = rand::rng().random_range(0..pool.len());
    Ok(pool[i].clone())
}

/// A random password of 24 characters with at least one lower-case letter, upper-case
/// letter, digit and symbol (hosts with `validate_password` want all four). The symbols
/// are URL-safe, so the password also works inside a connection URL.
pub fn generate_password() -> String {
    const SYMBOLS: &[u8] = b"-_.~";
    let alphabet: Vec<u8> = ALNUM.iter().chain(SYMBOLS).copied().collect();
    let mut rng = rand::rng();
    loop {
        let p: String = (0..24)
            .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
            .collect();
        let has = |f: fn(&u8) -> bool| p.as_bytes().iter().any(f);
        if has(u8::is_ascii_lowercase)
            && has(u8::is_ascii_uppercase)
            && has(u8::is_ascii_digit)
            && has(|b| SYMBOLS.contains(b))
        {
            return p;
        }
    }
}

fn host_creds<'a>(h: &'a DatabaseHost, password: &'a str) -> Result<HostCredentials<'a>, Error> {
    Ok(HostCredentials {
        host: &h.host,
        port: u16::try_from(h.port)
            .map_err(|_| Error::internal("stored host port out of range"))?,
        username: &h.username,
        password,
    })
}

/// An error talking to a database host, as a 502 naming the host.
fn host_failure(h: &DatabaseHost, action: &str, e: &DbError, secrets: &[&str]) -> Error {
    let detail = match e {
        DbError::Connect { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let detail = redact(&detail, secrets);
    tracing::warn!(database_host.id = h.id, error.message = %detail, "database host operation failed: {action}");
    Error::BadGateway(format!(
        "The database host \"{}\" ({}:{}) failed to {action}: {detail}",
        h.name, h.host, h.port
    ))
}

async fn connect_host(
    h: &DatabaseHost,
    admin_password: &str,
    action: &str,
) -> Result<HostConnection, Error> {
    HostConnection::connect(&host_creds(h, admin_password)?, HOST_CONNECT_TIMEOUT)
        .await
        .map_err(|e| host_failure(h, action, &e, &[admin_password]))
}

/// Creates a server database on a host and records it.
///
/// The order: checks (server exists, fields, the server's `database_limit` when
/// `enforce_limit`, the host and its `max_databases`, the name free on the host), the row
/// is inserted (the unique index on host and name settles races), then on the host
/// `CREATE DATABASE`, `CREATE USER`, `GRANT`, `FLUSH PRIVILEGES`. When a host step fails,
/// the account and database created so far are dropped and the row deleted.
///
/// # Errors
/// 404 (no server), 422 (fields, unknown host, name taken), 400 (limit reached, no host
/// with room), 502 (the host failed; the message names it and the host's error).
pub async fn create_database_with(
    db: &Db,
    server_id: i64,
    input: &CreateDatabase,
    enforce_limit: bool,
) -> Result<Database, Error> {
    let repo = db.databases();
    let server = repo
        .server_info(server_id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    validate_database(input)?;
    let remote = input.remote.clone().unwrap_or_else(|| "%".to_owned());
    let full_name = format!("s{}_{}", server.id, input.name);
    if !repo::is_valid_database_name(&full_name) {
        return Err(Error::validation(
            "database",
            "max",
            "The database name is too long for this server.",
        ));
    }
    if enforce_limit
        && repo.count_for_server(server.id).await.map_err(db_err)? >= server.database_limit
    {
        return Err(Error::BadRequest(
            "Operation aborted: creating a new database would put this server over the defined limit."
                .into(),
        ));
    }
    let host = pick_host(db, server.node_id, input.host_id).await?;
    let taken = || Error::validation("database", "unique", "The database has already been taken.");
    if repo
        .exists_on_host(host.id, &full_name)
        .await
        .map_err(db_err)?
    {
        return Err(taken());
    }

    let cipher = cipher(db).await?;
    let admin_password = cipher.decrypt(&host.password)?;
    let username = format!("u{}_{}", server.id, random_alnum(10));
    let password = generate_password();
    let row = repo
        .create(&NewDatabase {
            server_id: server.id,
            database_host_id: host.id,
            database: full_name.clone(),
            username: username.clone(),
            remote: remote.clone(),
            password: cipher.encrypt(&password)?,
            max_connections: input.max_connections,
        })
        .await
        .map_err(|e| match e {
            DbError::Unique { .. } => taken(),
            other => db_err(other),
        })?;

    let provisioned = provision(&host, &admin_password, &row, &password).await;
    if let Err(e) = provisioned {
        if let Err(del) = repo.delete(row.id).await {
            tracing::error!(database.id = row.id, error.message = %del, "could not remove the row of a database whose creation failed");
        }
        return Err(e);
    }
    Ok(row)
}

/// Runs the host side of a creation, undoing its own steps when one fails.
async fn provision(
    host: &DatabaseHost,
    admin_password: &str,
    row: &Database,
    password: &str,
) -> Result<(), Error> {
    let secrets = [admin_password, password];
    let mut conn = connect_host(host, admin_password, "accept the panel's login").await?;
    let mut created_db = false;
    let mut created_user = false;
    let result: Result<(), (&str, DbError)> = async {
        conn.create_database(&row.database)
            .await
            .map_err(|e| ("create the database", e))?;
        created_db = true;
        conn.create_user(&row.username, &row.remote, password, row.max_connections)
            .await
            .map_err(|e| ("create the database user", e))?;
        created_user = true;
        conn.grant(&row.database, &row.username, &row.remote)
            .await
            .map_err(|e| ("grant the user access to the database", e))?;
        conn.flush().await.map_err(|e| ("flush privileges", e))?;
        Ok(())
    }
    .await;
    let outcome = match result {
        Ok(()) => Ok(()),
        Err((action, e)) => {
            if created_user && let Err(u) = conn.drop_user(&row.username, &row.remote).await {
                tracing::error!(database_host.id = host.id, error.message = %redact(&u.to_string(), &secrets), "could not drop a user while undoing a failed database creation");
            }
            if created_db && let Err(d) = conn.drop_database(&row.database).await {
                tracing::error!(database_host.id = host.id, error.message = %redact(&d.to_string(), &secrets), "could not drop a database while undoing a failed database creation");
            }
            let _ = conn.flush().await;
            Err(host_failure(host, action, &e, &secrets))
        }
    };
    conn.close().await;
    outcome
}

/// A server's databases (404 when the server does not exist).
///
/// # Errors
/// 404, or database failures.
pub async fn list_for_server(db: &Db, server_id: i64) -> Result<Vec<Database>, Error> {
    let repo = db.databases();
    repo.server_info(server_id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    repo.list_for_server(server_id).await.map_err(db_err)
}

/// One database of a server by route id: numeric, or the client form of
/// [`encode_database_id`].
///
/// # Errors
/// 404 when it does not exist or belongs to another server.
pub async fn find_for_server(db: &Db, server_id: i64, ident: &str) -> Result<Database, Error> {
    let id = decode_database_id(ident).ok_or_else(not_found)?;
    db.databases()
        .find_for_server(server_id, id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Gives the database's account a new random password, on the host and in the panel.
///
/// # Errors
/// 502 when the host fails (the stored password is then unchanged).
pub async fn rotate_password(db: &Db, database: &Database) -> Result<Database, Error> {
    let host = find_host(db, database.database_host_id).await?;
    let cipher = cipher(db).await?;
    let admin_password = cipher.decrypt(&host.password)?;
    let new_password = generate_password();
    let encrypted = cipher.encrypt(&new_password)?;
    let secrets = [admin_password.as_str(), new_password.as_str()];

    let mut conn = connect_host(&host, &admin_password, "accept the panel's login").await?;
    let changed = async {
        conn.set_password(&database.username, &database.remote, &new_password)
            .await
            .map_err(|e| ("change the password", e))?;
        conn.flush().await.map_err(|e| ("flush privileges", e))
    }
    .await;
    if let Err((action, e)) = changed {
        conn.close().await;
        return Err(host_failure(&host, action, &e, &secrets));
    }
    match db.databases().set_password(database.id, &encrypted).await {
        Ok(Some(updated)) => {
            conn.close().await;
            Ok(updated)
        }
        other => {
            // Put the old password back so panel and host agree again.
            if let Ok(old) = cipher.decrypt(&database.password) {
                let _ = conn
                    .set_password(&database.username, &database.remote, &old)
                    .await;
                let _ = conn.flush().await;
            }
            conn.close().await;
            match other {
                Err(e) => Err(db_err(e)),
                _ => Err(not_found()),
            }
        }
    }
}

/// Drops the database and its account on the host (`IF EXISTS`, so a half-gone database
/// can still be cleaned up), then deletes the row.
///
/// # Errors
/// 502 when the host fails (the row is then kept).
pub async fn delete_database(db: &Db, database: &Database) -> Result<(), Error> {
    let host = find_host(db, database.database_host_id).await?;
    let admin_password = cipher(db).await?.decrypt(&host.password)?;
    let mut conn = connect_host(&host, &admin_password, "accept the panel's login").await?;
    let dropped = async {
        conn.drop_database(&database.database)
            .await
            .map_err(|e| ("drop the database", e))?;
        conn.drop_user(&database.username, &database.remote)
            .await
            .map_err(|e| ("drop the database user", e))?;
        conn.flush().await.map_err(|e| ("flush privileges", e))
    }
    .await;
    conn.close().await;
    if let Err((action, e)) = dropped {
        return Err(host_failure(&host, action, &e, &[admin_password.as_str()]));
    }
    db.databases().delete(database.id).await.map_err(db_err)?;
    Ok(())
}

/// The databases on a host, by id.
///
/// # Errors
/// Database failures.
pub async fn list_for_host(db: &Db, host_id: i64) -> Result<Vec<Database>, Error> {
    db.databases().list_for_host(host_id).await.map_err(db_err)
}

/// The host a database lives on.
///
/// # Errors
/// 404 when it is gone.
pub async fn host_of(db: &Db, database: &Database) -> Result<DatabaseHost, Error> {
    find_host(db, database.database_host_id).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cipher_round_trips_with_fresh_nonces() {
        let c = Cipher::new(&[7u8; 32]);
        let a = c.encrypt("s3cret!").unwrap();
        let b = c.encrypt("s3cret!").unwrap();
        assert!(a.starts_with("v1:"));
        assert_ne!(a, b);
        assert!(!a.contains("s3cret"));
        assert_eq!(c.decrypt(&a).unwrap(), "s3cret!");
        assert_eq!(c.decrypt(&c.encrypt("").unwrap()).unwrap(), "");
        // Another key, tampering and junk fail.
        assert!(Cipher::new(&[8u8; 32]).decrypt(&a).is_err());
        let mut t = a.clone();
        t.pop();
        t.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert!(c.decrypt(&t).is_err());
        assert!(c.decrypt("plain").is_err());
        assert!(c.decrypt("v1:AAAA").is_err());
    }

    #[test]
    fn client_ids_round_trip_and_are_opaque() {
        for id in [1i64, 2, 3, 42, 1000, 65_535, 1 << 40, (1 << 47) - 1] {
            let s = encode_database_id(id);
            assert_eq!(s.len(), 8, "{id} -> {s}");
            assert!(s.as_bytes()[0].is_ascii_alphabetic());
            assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert_eq!(decode_database_id(&s), Some(id), "{s}");
        }
        assert_ne!(encode_database_id(1), encode_database_id(2));
        assert_eq!(decode_database_id("17"), Some(17));
        assert_eq!(decode_database_id(""), None);
        assert_eq!(decode_database_id("abc"), None);
        assert_eq!(decode_database_id("abcdefg!"), None);
        assert_eq!(decode_database_id("1bcdefgh"), None);
        assert_eq!(encode_database_id(1 << 47), (1i64 << 47).to_string());
    }

    #[test]
    fn generated_passwords_have_every_class_and_are_safe() {
        for _ in 0..50 {
            let p = generate_password();
            assert_eq!(p.len(), 24);
            assert!(
                p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
            );
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("Access denied near 'hunter2'", &["hunter2"]),
            "Access denied near '[redacted]'"
        );
    }
}
