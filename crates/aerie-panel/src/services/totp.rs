//! Two-factor authentication with TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits,
//! one step of clock drift either way) and single-use recovery tokens.
//!
//! - The secret is 160 random bits, shown base32-encoded once during setup and stored
//!   encrypted with a key derived from the panel's `app_key` (as Pterodactyl encrypts it).
//! - A code is accepted at most once: the start of its time step is recorded on the user
//!   (`totp_authenticated_at`, Pterodactyl's column) with a conditional update, and a code
//!   from that step or an earlier one is refused afterwards.
//! - Enabling hands out ten recovery tokens, stored as SHA-256 hashes; each logs in once in
//!   place of a code (the tokens carry ~59 random bits and are only useful together with the
//!   password, so a fast hash suffices).

use aerie_db::Db;
use aerie_db::models::User;
use aerie_http::Error;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::databases::{Cipher, panel_key_db};
use super::{db_err, password, random_alnum};

/// Seconds per time step.
pub const STEP_SECONDS: u64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of clock drift accepted on either side of the current one.
pub const WINDOW: u64 = 1;
/// Recovery tokens handed out when two-factor is enabled.
pub const RECOVERY_TOKENS: usize = 10;
/// Length of a recovery token.
pub const RECOVERY_TOKEN_LEN: usize = 10;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Aerie";

const KEY_CONTEXT: &[u8] = b"aerie-totp-secrets";

/// HOTP (RFC 4226): the `digits`-digit code of `key` at `counter`.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha1> as Mac>::new_from_slice(key) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    bin % 10u32.pow(digits)
}

/// The time step of a Unix time.
pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECONDS
}

/// The 6-digit code of a base32 secret at a Unix time, zero-padded (for tests and tools).
pub fn code_at(secret_b32: &str, unix_secs: u64) -> Option<String> {
    let key = decode_secret(secret_b32)?;
    Some(format!(
        "{:0width$}",
        hotp(&key, step_of(unix_secs), DIGITS),
        width = DIGITS as usize
    ))
}

/// The step whose code `code` is, among the current step and [`WINDOW`] steps either side;
/// `None` when it matches none. Comparison is constant-time per step.
pub fn matching_step(secret_b32: &str, code: &str, unix_secs: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = decode_secret(secret_b32)?;
    let now = step_of(unix_secs);
    let mut found = None;
    for step in now.saturating_sub(WINDOW)..=now + WINDOW {
        let expected = format!(
            "{:0width$}",
            hotp(&key, step, DIGITS),
            width = DIGITS as usize
        );
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Decodes a base32 secret (case and padding ignored, spaces allowed).
pub fn decode_secret(secret_b32: &str) -> Option<Vec<u8>> {
    let cleaned: String = secret_b32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD.decode(cleaned.as_bytes()).ok()
}

/// A fresh 160-bit secret, base32 without padding (32 characters).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// The `otpauth://` URL authenticator apps read from a QR code.
pub fn otpauth_url(email: &str, secret: &str) -> String {
    let enc = |s: &str| -> String {
        form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "otpauth://totp/{issuer}:{email}?secret={secret}&issuer={issuer}",
        issuer = enc(ISSUER),
        email = enc(email),
        secret = enc(secret),
    )
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn step_timestamp(step: u64) -> String {
    let secs = i64::try_from(step.saturating_mul(STEP_SECONDS)).unwrap_or(i64::MAX);
    let t = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    aerie_db::format_ts(t)
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

async fn cipher(db: &Db) -> Result<Cipher, Error> {
    let mut h = Sha256::new();
    h.update(KEY_CONTEXT);
    h.update(panel_key_db(db).await?);
    Ok(Cipher::new(&h.finalize().into()))
}

/// The plain base32 secret of a user, if one was stored. A value that is not in the
/// encrypted format is taken as plain (a secret imported from elsewhere).
async fn stored_secret(db: &Db, user_id: i64) -> Result<Option<String>, Error> {
    let state = db
        .users()
        .totp_state(user_id)
        .await
        .map_err(db_err)?
        .ok_or(Error::Unauthenticated)?;
    match state.secret {
        None => Ok(None),
        Some(s) if s.starts_with("v1:") => Ok(Some(cipher(db).await?.decrypt(&s)?)),
        Some(s) => Ok(Some(s)),
    }
}

/// What `GET /account/two-factor` answers: the `otpauth://` URL and the secret.
#[derive(Debug, Clone)]
pub struct Setup {
    /// `otpauth://totp/Aerie:<email>?secret=...&issuer=Aerie`.
    pub image_url_data: String,
    /// The base32 secret, for typing into an app by hand.
    pub secret: String,
}

/// Starts (or restarts) setup: stores a new secret and returns it. 400 when two-factor is
/// already on.
pub async fn begin_setup(db: &Db, user: &User) -> Result<Setup, Error> {
    if user.use_totp {
        return Err(Error::BadRequest(
            "Two-factor authentication is already enabled on this account.".into(),
        ));
    }
    let secret = generate_secret();
    let sealed = cipher(db).await?.encrypt(&secret)?;
    db.users()
        .set_totp_secret(user.id, Some(&sealed))
        .await
        .map_err(db_err)?;
    Ok(Setup {
        image_url_data: otpauth_url(&user.email, &secret),
        secret,
    })
}

fn check_password(user: &User, given: &str) -> Result<(), Error> {
    let ok = user
        .password
        .as_deref()
        .is_some_and(|stored| password::verify(given, stored));
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(
            "The password provided was not valid.".into(),
        ))
    }
}

fn invalid_code() -> Error {
    Error::BadRequest("The provided two-factor authentication token was not valid.".into())
}

/// Enables two-factor after checking the password and a code from the secret stored by
/// [`begin_setup`]; returns the new recovery tokens (shown once).
pub async fn enable(
    db: &Db,
    user: &User,
    code: &str,
    password: &str,
) -> Result<Vec<String>, Error> {
    check_password(user, password)?;
    if user.use_totp {
        return Err(Error::BadRequest(
            "Two-factor authentication is already enabled on this account.".into(),
        ));
    }
    let secret = stored_secret(db, user.id).await?.ok_or_else(invalid_code)?;
    let step = matching_step(&secret, code, unix_now()).ok_or_else(invalid_code)?;

    let tokens: Vec<String> = (0..RECOVERY_TOKENS)
        .map(|_| random_alnum(RECOVERY_TOKEN_LEN))
        .collect();
    let hashes: Vec<String> = tokens.iter().map(|t| hash_token(t)).collect();
    db.recovery_tokens()
        .replace(user.id, &hashes)
        .await
        .map_err(db_err)?;
    // Recording the step makes the setup code unusable for a login right after.
    db.users()
        .set_totp_enabled(user.id, true, &step_timestamp(step))
        .await
        .map_err(db_err)?;
    Ok(tokens)
}

/// Disables two-factor after checking the password; recovery tokens are dropped.
pub async fn disable(db: &Db, user: &User, password: &str) -> Result<(), Error> {
    check_password(user, password)?;
    db.users()
        .set_totp_enabled(user.id, false, &aerie_db::now())
        .await
        .map_err(db_err)?;
    db.recovery_tokens()
        .delete_for_user(user.id)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Whether `code` is a valid, unused code of `user_id` right now. A valid code is used up.
pub async fn verify_code(db: &Db, user_id: i64, code: &str) -> Result<bool, Error> {
    verify_code_at(db, user_id, code, unix_now()).await
}

/// [`verify_code`] at a given Unix time.
pub async fn verify_code_at(
    db: &Db,
    user_id: i64,
    code: &str,
    unix_secs: u64,
) -> Result<bool, Error> {
    let Some(secret) = stored_secret(db, user_id).await? else {
        return Ok(false);
    };
    let Some(step) = matching_step(&secret, code, unix_secs) else {
        return Ok(false);
    };
    db.users()
        .claim_totp_step(user_id, &step_timestamp(step))
        .await
        .map_err(db_err)
}

/// Uses up one recovery token of `user_id`; whether it was valid.
pub async fn use_recovery_token(db: &Db, user_id: i64, token: &str) -> Result<bool, Error> {
    if token.trim().is_empty() {
        return Ok(false);
    }
    db.recovery_tokens()
        .consume(user_id, &hash_token(token))
        .await
        .map_err(db_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8 digits, the ASCII key "12345678901234567890").
    #[test]
    fn rfc6238_test_vectors() {
        let key = b"12345678901234567890";
        for (t, expected) in [
            (59u64, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(hotp(key, step_of(t), 8), expected, "T={t}");
        }
        // The same secret as an authenticator app would get it.
        let b32 = data_encoding::BASE32_NOPAD.encode(key);
        assert_eq!(code_at(&b32, 59).unwrap(), "287082");
        assert_eq!(code_at(&b32, 1_111_111_109).unwrap(), "081804");
    }

    #[test]
    fn window_is_one_step_either_side() {
        let secret = generate_secret();
        assert_eq!(secret.len(), 32);
        let now = 1_700_000_000;
        let step = step_of(now);
        let code = |t: u64| code_at(&secret, t).unwrap();
        assert_eq!(matching_step(&secret, &code(now), now), Some(step));
        assert_eq!(matching_step(&secret, &code(now - 30), now), Some(step - 1));
        assert_eq!(matching_step(&secret, &code(now + 30), now), Some(step + 1));
        assert_eq!(matching_step(&secret, &code(now - 60), now), None);
        assert_eq!(matching_step(&secret, &code(now + 60), now), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        assert_eq!(matching_step("not base32!", "123456", now), None);
    }

    #[test]
    fn otpauth_url_shape() {
        assert_eq!(
            otpauth_url("a+b@example.com", "ABC"),
            "otpauth://totp/Aerie:a%2Bb%40example.com?secret=ABC&issuer=Aerie"
        );
    }
}
