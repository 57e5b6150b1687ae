//! Password hashing: argon2id for new hashes; bcrypt hashes from a Pterodactyl import are
//! recognised (verification arrives with the import work) and never mistaken for argon2.

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
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
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
    }
}
