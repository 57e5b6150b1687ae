//! Password hashing: argon2id for new hashes. bcrypt hashes (`$2y$`/`$2b$`/`$2a$`, what a
//! Pterodactyl database holds) verify too, so migrated users keep their passwords;
//! [`needs_rehash`] tells the login path to upgrade them to argon2id.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use aerie_http::Error;

/// Minimum password length, as Pterodactyl requires.
pub const MIN_LEN: usize = 8;

/// Hashes a password with argon2id and a fresh salt.
pub fn hash(password: &str) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(Error::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::internal)
}

/// Checks a password against a stored hash; false for anything that does not verify.
pub fn verify(password: &str, stored: &str) -> bool {
    if is_bcrypt(stored) {
        // PHP writes `$2y$`; it is the same algorithm as `$2b$`.
        let normalized = format!("$2b${}", &stored[4..]);
        return bcrypt::verify(password, &normalized).unwrap_or(false);
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn is_bcrypt(stored: &str) -> bool {
    ["$2y$", "$2b$", "$2a$"]
        .iter()
        .any(|p| stored.starts_with(p))
        && stored.len() == 60
}

/// Whether a stored hash should be replaced by a fresh argon2id hash after a successful login.
pub fn needs_rehash(stored: &str) -> bool {
    !stored.starts_with("$argon2id$")
}

/// Validates a new password.
pub fn validate(password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_LEN {
        return Err(Error::validation(
            "password",
            "min",
            format!("The password must be at least {MIN_LEN} characters."),
        ));
    }
    if password.len() > 1024 {
        return Err(Error::validation(
            "password",
            "max",
            "The password may not be greater than 1024 characters.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = super::hash("correct horse").unwrap();
        let b = super::hash("correct horse").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(super::verify("correct horse", &a));
        assert!(!super::verify("wrong horse", &a));
        assert!(!super::verify("x", "not a hash"));
        assert!(!super::needs_rehash(&a));
    }

    #[test]
    fn pterodactyl_bcrypt_hashes_verify_and_ask_for_an_upgrade() {
        // A `$2y$` hash as PHP's password_hash() writes it (cost 10), made from the
        // `$2b$` form, which is the same algorithm under another name.
        let b = bcrypt::hash_with_result("hunter2hunter2", 10).unwrap();
        let php = format!("$2y${}", &b.to_string()[4..]);
        assert!(super::verify("hunter2hunter2", &php));
        assert!(!super::verify("hunter3hunter3", &php));
        assert!(super::needs_rehash(&php));
        assert!(!super::verify("hunter2hunter2", "$2y$10$short"));
    }
}
