//! API keys: Pterodactyl-shaped tokens whose secret half is stored only as a SHA-256 hash.
//! The secret has 190 bits of entropy, so a fast hash is enough: nobody brute-forces it,
//! and verification stays cheap on every request. Comparison is constant-time.

use aerie_db::Db;
use aerie_db::models::{ApiKey, ApiKeyPermissions, NewApiKey, User};
use aerie_http::Error;
use aerie_proto::keys::{self, KeyType};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{db_err, random_alnum};

/// Pterodactyl's per-user limit on client keys.
pub const MAX_CLIENT_KEYS: usize = 25;

/// A freshly created key and its whole token, shown once.
#[derive(Debug)]
pub struct CreatedKey {
    /// The stored key.
    pub key: ApiKey,
    /// `identifier + secret`, 48 characters.
    pub token: String,
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Creates a key for `user`. Application keys need an administrator and get every
/// permission bit unless `permissions` says otherwise.
pub async fn create_key(
    db: &Db,
    user: &User,
    key_type: KeyType,
    memo: Option<String>,
    allowed_ips: Vec<String>,
) -> Result<CreatedKey, Error> {
    create_key_with_permissions(db, user, key_type, memo, allowed_ips, None).await
}

/// Like [`create_key`], with explicit per-resource bits for an application key
/// (`None` = read and write on everything). Ignored for client keys.
pub async fn create_key_with_permissions(
    db: &Db,
    user: &User,
    key_type: KeyType,
    memo: Option<String>,
    allowed_ips: Vec<String>,
    permissions: Option<ApiKeyPermissions>,
) -> Result<CreatedKey, Error> {
    if key_type == KeyType::Application && !user.root_admin {
        return Err(Error::Forbidden(
            "Only administrators can own application API keys.".into(),
        ));
    }
    if key_type == KeyType::Client {
        let existing = db
            .api_keys()
            .list_for_user(user.id, KeyType::Client.db_code())
            .await
            .map_err(db_err)?;
        if existing.len() >= MAX_CLIENT_KEYS {
            return Err(Error::BadRequest(format!(
                "You have reached the account limit of {MAX_CLIENT_KEYS} API keys."
            )));
        }
    }
    let identifier = format!(
        "{}{}",
        key_type.prefix(),
        random_alnum(keys::IDENTIFIER_LEN - 5)
    );
    let secret = random_alnum(keys::SECRET_LEN);
    let key = db
        .api_keys()
        .create(&NewApiKey {
            user_id: user.id,
            key_type: key_type.db_code(),
            identifier: identifier.clone(),
            token_hash: hash_secret(&secret),
            memo,
            allowed_ips,
            permissions: if key_type == KeyType::Application {
                permissions.unwrap_or_else(ApiKeyPermissions::all)
            } else {
                ApiKeyPermissions::default()
            },
        })
        .await
        .map_err(db_err)?;
    Ok(CreatedKey {
        key,
        token: format!("{identifier}{secret}"),
    })
}

/// Resolves a bearer token to its key and user. Every failure is the same
/// `Unauthenticated`, so a caller learns nothing about which part was wrong.
pub async fn authenticate(db: &Db, token: &str) -> Result<(ApiKey, User), Error> {
    let parts = keys::parse_token(token).ok_or(Error::Unauthenticated)?;
    let key = db
        .api_keys()
        .find_by_identifier(parts.identifier)
        .await
        .map_err(db_err)?;
    // Hash even when the key is unknown, so timing does not reveal which identifiers exist.
    let presented = hash_secret(parts.secret);
    let Some(key) = key else {
        return Err(Error::Unauthenticated);
    };
    if !bool::from(presented.as_bytes().ct_eq(key.token_hash.as_bytes())) {
        return Err(Error::Unauthenticated);
    }
    let user = db
        .users()
        .find(key.user_id)
        .await
        .map_err(db_err)?
        .ok_or(Error::Unauthenticated)?;
    // `last_used_at` is for people ("used 5 minutes ago"), so a minute's precision is
    // plenty: writing it on every request would make each API call a database write.
    let recent = key
        .last_used_at
        .as_deref()
        .and_then(crate::api::parse_timestamp)
        .is_some_and(|t| chrono::Utc::now() - t < chrono::Duration::seconds(60));
    if !recent {
        db.api_keys().touch(key.id).await.map_err(db_err)?;
    }
    Ok((key, user))
}

/// Whether `ip` is allowed by a key's list (exact addresses or CIDR ranges; empty = any).
pub fn ip_allowed(allowed: &[String], ip: std::net::IpAddr) -> bool {
    if allowed.is_empty() {
        return true;
    }
    allowed.iter().any(|entry| match entry.split_once('/') {
        None => entry.parse::<std::net::IpAddr>().is_ok_and(|a| a == ip),
        Some((net, bits)) => match (net.parse::<std::net::IpAddr>(), bits.parse::<u32>()) {
            (Ok(std::net::IpAddr::V4(n)), Ok(b)) if b <= 32 => match ip {
                std::net::IpAddr::V4(v) => {
                    let mask = if b == 0 { 0 } else { u32::MAX << (32 - b) };
                    (u32::from(n) & mask) == (u32::from(v) & mask)
                }
                std::net::IpAddr::V6(_) => false,
            },
            (Ok(std::net::IpAddr::V6(n)), Ok(b)) if b <= 128 => match ip {
                std::net::IpAddr::V6(v) => {
                    let mask = if b == 0 { 0 } else { u128::MAX << (128 - b) };
                    (u128::from(n) & mask) == (u128::from(v) & mask)
                }
                std::net::IpAddr::V4(_) => false,
            },
            _ => false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::ip_allowed;

    #[test]
    fn allowed_ips_match_addresses_and_ranges() {
        let ip = |s: &str| s.parse().unwrap();
        assert!(ip_allowed(&[], ip("10.0.0.1")));
        let list = vec![
            "127.0.0.1".to_string(),
            "192.168.0.0/16".to_string(),
            "fd00::/8".to_string(),
        ];
        assert!(ip_allowed(&list, ip("127.0.0.1")));
        assert!(ip_allowed(&list, ip("192.168.44.2")));
        assert!(ip_allowed(&list, ip("fd12::1")));
        assert!(!ip_allowed(&list, ip("127.0.0.2")));
        assert!(!ip_allowed(&list, ip("192.169.0.1")));
        assert!(!ip_allowed(&["garbage/99".to_string()], ip("1.1.1.1")));
    }
}
