//! Application (`ptla_`) API keys managed from the admin pages: list, create with per-resource
//! bits, delete. Pterodactyl does this in its admin web pages, not its API; Aerie serves it
//! under `/api/application/api-keys` to a signed-in administrator's browser session only
//! (the route layer enforces that), so a leaked key cannot mint more keys.
//!
//! Pterodactyl sets no limit on application keys (its 25-key limit is for client keys), and
//! neither does this service.

use aerie_db::Db;
use aerie_db::models::{ApiKey, ApiKeyPermissions, User};
use aerie_http::Error;
use aerie_proto::keys::KeyType;
use serde_json::{Map, Value};

use super::account::{MAX_ALLOWED_IPS, is_ip_or_cidr};
use super::db_err;
use super::keys::{self, CreatedKey};
use crate::api::{Validator, atom_timestamp};

/// The resources of an application key, as `r_*` column suffixes, in display order.
pub const RESOURCES: [&str; 10] = [
    "servers",
    "nodes",
    "allocations",
    "users",
    "locations",
    "nests",
    "eggs",
    "database_hosts",
    "server_databases",
    "mounts",
];

/// What a new application key asks for. `permissions[i]` is the bit mask of `RESOURCES[i]`
/// (absent = 0).
#[derive(Debug, Default, Clone)]
pub struct NewApplicationKey {
    /// Description (required, at most 500 characters).
    pub memo: Option<String>,
    /// IPs and CIDR ranges the key may be used from (empty = anywhere).
    pub allowed_ips: Vec<String>,
    /// Bit masks per resource, in [`RESOURCES`] order.
    pub permissions: [Option<i64>; 10],
}

fn bits(p: &ApiKeyPermissions) -> [i64; 10] {
    [
        p.servers,
        p.nodes,
        p.allocations,
        p.users,
        p.locations,
        p.nests,
        p.eggs,
        p.database_hosts,
        p.server_databases,
        p.mounts,
    ]
}

/// The attributes of an application key as the admin API shows it (never its hash).
pub fn application_key_attributes(key: &ApiKey) -> Value {
    let mut m = Map::new();
    m.insert("identifier".into(), key.identifier.clone().into());
    m.insert("memo".into(), key.memo.clone().into());
    m.insert("allowed_ips".into(), key.allowed_ips.clone().into());
    for (name, b) in RESOURCES.iter().zip(bits(&key.permissions)) {
        m.insert(format!("r_{name}"), b.into());
    }
    m.insert(
        "last_used_at".into(),
        atom_timestamp(key.last_used_at.as_deref()),
    );
    m.insert("created_at".into(), atom_timestamp(Some(&key.created_at)));
    Value::Object(m)
}

/// The administrator's own application keys, oldest first.
///
/// # Errors
/// Database errors.
pub async fn list_application_keys(db: &Db, admin: &User) -> Result<Vec<ApiKey>, Error> {
    db.api_keys()
        .list_for_user(admin.id, KeyType::Application.db_code())
        .await
        .map_err(db_err)
}

/// Creates an application key for `admin` with exactly the bits asked for.
///
/// # Errors
/// 422 for a missing or too long memo, a bit mask other than 0, 1 or 3, or an allowed IP
/// that is not an IP address or CIDR range; 403 when `admin` is not a root administrator.
pub async fn create_application_key(
    db: &Db,
    admin: &User,
    input: NewApplicationKey,
) -> Result<CreatedKey, Error> {
    let memo = input
        .memo
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    let allowed_ips: Vec<String> = input
        .allowed_ips
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let mut v = Validator::new();
    v.required("memo", memo.as_deref())
        .max("memo", memo.as_deref(), 500);
    for (name, b) in RESOURCES.iter().zip(input.permissions) {
        let field = format!("r_{name}");
        v.rule(
            &field,
            "in",
            b.is_none_or(|b| matches!(b, 0 | 1 | 3)),
            format!("The {field} must be 0 (none), 1 (read) or 3 (read and write)."),
        );
    }
    v.rule(
        "allowed_ips",
        "max",
        allowed_ips.len() <= MAX_ALLOWED_IPS,
        format!("The allowed ips must not have more than {MAX_ALLOWED_IPS} items."),
    );
    for (i, ip) in allowed_ips.iter().enumerate() {
        v.rule(
            &format!("allowed_ips.{i}"),
            "ip",
            is_ip_or_cidr(ip),
            format!("The allowed_ips.{i} must be a valid IP address or CIDR range."),
        );
    }
    v.finish()?;
    let [
        servers,
        nodes,
        allocations,
        users,
        locations,
        nests,
        eggs,
        database_hosts,
        server_databases,
        mounts,
    ] = input.permissions.map(|b| b.unwrap_or(0));
    let permissions = ApiKeyPermissions {
        servers,
        nodes,
        allocations,
        users,
        locations,
        nests,
        eggs,
        database_hosts,
        server_databases,
        mounts,
    };
    keys::create_key_with_permissions(
        db,
        admin,
        KeyType::Application,
        memo,
        allowed_ips,
        Some(permissions),
    )
    .await
}

/// Deletes one of `admin`'s application keys.
///
/// # Errors
/// 404 for an identifier that is not one of the administrator's own application keys
/// (another administrator's key, a client key, or none at all).
pub async fn delete_application_key(db: &Db, admin: &User, identifier: &str) -> Result<(), Error> {
    let not_found =
        || Error::NotFound("The requested resource could not be found on the server.".into());
    let key = db
        .api_keys()
        .find_by_identifier(identifier.trim())
        .await
        .map_err(db_err)?
        .filter(|k| k.user_id == admin.id && k.key_type == KeyType::Application.db_code())
        .ok_or_else(not_found)?;
    if !db
        .api_keys()
        .delete(admin.id, &key.identifier)
        .await
        .map_err(db_err)?
    {
        return Err(not_found());
    }
    Ok(())
}
