//! The shape of Pterodactyl-style API tokens: `ptla_`/`ptlc_` + 11 random characters form the
//! 16-character identifier, followed by a 32-character secret; 48 characters in all.

use serde::{Deserialize, Serialize};

/// Length of the public identifier, prefix included.
pub const IDENTIFIER_LEN: usize = 16;
/// Length of the secret part.
pub const SECRET_LEN: usize = 32;
/// Length of a whole token.
pub const TOKEN_LEN: usize = IDENTIFIER_LEN + SECRET_LEN;

/// Which API a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// `ptla_`: the Application (admin) API.
    Application,
    /// `ptlc_`: the Client API, acting as one user.
    Client,
}

impl KeyType {
    /// The identifier prefix for this type.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyType::Application => "ptla_",
            KeyType::Client => "ptlc_",
        }
    }

    /// Pterodactyl's numeric `key_type` column (1 = account/client, 2 = application).
    pub fn db_code(self) -> i64 {
        match self {
            KeyType::Client => 1,
            KeyType::Application => 2,
        }
    }

    /// The inverse of [`KeyType::db_code`].
    pub fn from_db_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(KeyType::Client),
            2 => Some(KeyType::Application),
            _ => None,
        }
    }
}

impl std::str::FromStr for KeyType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "application" => Ok(KeyType::Application),
            "client" => Ok(KeyType::Client),
            other => Err(format!(
                "unknown key type `{other}` (expected application or client)"
            )),
        }
    }
}

/// A token split into its parts, without any check of the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenParts<'a> {
    /// The key type, from the prefix.
    pub key_type: KeyType,
    /// The 16-character identifier, prefix included.
    pub identifier: &'a str,
    /// The 32-character secret.
    pub secret: &'a str,
}

/// Splits a bearer token into identifier and secret when it has the right shape.
pub fn parse_token(token: &str) -> Option<TokenParts<'_>> {
    if token.len() != TOKEN_LEN || !token.is_ascii() {
        return None;
    }
    let key_type = if token.starts_with("ptla_") {
        KeyType::Application
    } else if token.starts_with("ptlc_") {
        KeyType::Client
    } else {
        return None;
    };
    let (identifier, secret) = token.split_at(IDENTIFIER_LEN);
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !alnum(&identifier[5..]) || !alnum(secret) {
        return None;
    }
    Some(TokenParts {
        key_type,
        identifier,
        secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_well_formed_tokens_and_rejects_others() {
        let t = format!("ptla_{}{}", "a".repeat(11), "B".repeat(32));
        let p = parse_token(&t).expect("valid");
        assert_eq!(p.key_type, KeyType::Application);
        assert_eq!(p.identifier.len(), 16);
        assert_eq!(p.secret, "B".repeat(32));
        assert!(parse_token(&t[..47]).is_none());
        assert!(parse_token(&t.replace("ptla_", "ptlx_")).is_none());
        assert!(parse_token(&format!("ptlc_{}{}", "a".repeat(11), "é".repeat(16))).is_none());
        assert!(parse_token(&format!("ptlc_{}-{}", "a".repeat(10), "B".repeat(32))).is_none());
    }
}
