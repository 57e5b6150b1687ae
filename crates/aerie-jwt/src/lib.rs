//! HS256 JSON Web Tokens, as Pterodactyl uses them: the panel signs with a node's daemon
//! token, the browser carries the token, wings verifies it. Only HS256 is accepted, so a
//! token cannot choose a weaker algorithm (`none`) or a different key type. Verification
//! checks the signature (constant time) and `exp`, exactly as Wings does; the caller checks
//! the rest (server, permissions, deny lists).
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a token was refused. The `Display` texts are the ones Wings sends in `jwt error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three base64url parts, or bad JSON.
    #[error("jwt: token is malformed")]
    Malformed,
    /// The header names another algorithm.
    #[error("jwt: unsupported algorithm")]
    Algorithm,
    /// The signature does not match.
    #[error("jwt: HMAC verification failed")]
    Signature,
    /// `exp` has passed.
    #[error("jwt: exp claim is invalid")]
    Expired,
}

#[derive(serde::Deserialize)]
struct Header {
    alg: String,
}

#[derive(serde::Deserialize)]
struct Exp {
    exp: Option<i64>,
}

/// Signs `claims` with `key` (HS256). `jti`, when given, is also put in the header, as the
/// panel does.
pub fn sign<T: Serialize>(claims: &T, key: &[u8], jti: Option<&str>) -> Result<String, JwtError> {
    let mut header = serde_json::json!({"typ": "JWT", "alg": "HS256"});
    if let Some(j) = jti {
        header["jti"] = serde_json::Value::String(j.to_owned());
    }
    let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).map_err(|_| JwtError::Malformed)?);
    let c = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).map_err(|_| JwtError::Malformed)?);
    let signing_input = format!("{h}.{c}");
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| JwtError::Malformed)?;
    mac.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(format!("{signing_input}.{sig}"))
}

/// Verifies a token's signature and expiry at time `now` (seconds), and decodes its claims.
pub fn verify<T: DeserializeOwned>(token: &str, key: &[u8], now: i64) -> Result<T, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if header.alg != "HS256" {
        return Err(JwtError::Algorithm);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| JwtError::Malformed)?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(c.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&sig).map_err(|_| JwtError::Signature)?;
    let body = URL_SAFE_NO_PAD.decode(c).map_err(|_| JwtError::Malformed)?;
    let exp: Exp = serde_json::from_slice(&body).map_err(|_| JwtError::Malformed)?;
    if exp.exp.is_none_or(|e| e <= now) {
        return Err(JwtError::Expired);
    }
    serde_json::from_slice(&body).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct C {
        exp: i64,
        server_uuid: String,
    }

    #[test]
    fn round_trip_and_every_refusal() {
        let c = C {
            exp: 2_000,
            server_uuid: "abc".into(),
        };
        let t = sign(&c, b"node-token", Some("j1")).unwrap();
        assert_eq!(verify::<C>(&t, b"node-token", 1_000).unwrap(), c);
        assert_eq!(
            verify::<C>(&t, b"other-token", 1_000).unwrap_err(),
            JwtError::Signature
        );
        assert_eq!(
            verify::<C>(&t, b"node-token", 2_000).unwrap_err(),
            JwtError::Expired
        );
        assert_eq!(
            verify::<C>("a.b", b"k", 0).unwrap_err(),
            JwtError::Malformed
        );
        assert_eq!(verify::<C>("", b"k", 0).unwrap_err(), JwtError::Malformed);
        // Tampered claims.
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"exp":9999,"server_uuid":"other"}"#);
        parts[1] = &forged;
        assert_eq!(
            verify::<C>(&parts.join("."), b"node-token", 0).unwrap_err(),
            JwtError::Signature
        );
        // alg=none is refused before any signature logic.
        let none_h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let none = format!("{none_h}.{}.", t.split('.').nth(1).unwrap());
        assert_eq!(
            verify::<C>(&none, b"node-token", 0).unwrap_err(),
            JwtError::Algorithm
        );
        assert_eq!(JwtError::Expired.to_string(), "jwt: exp claim is invalid");
    }
}
