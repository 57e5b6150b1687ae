//! Single-use signed URLs: the download and upload JWTs the panel hands to browsers may each
//! be used once (by `unique_id`) while they are valid, as in Wings.

use std::collections::HashMap;
use std::sync::Mutex;

/// Remembers used token ids until they expire.
#[derive(Debug, Default)]
pub struct UsedTokens {
    used: Mutex<HashMap<String, i64>>,
}

impl UsedTokens {
    /// Marks `unique_id` (valid until `exp`) as used at time `now`. False when it was used
    /// already, or when it has no id (a token without one cannot be single-use).
    pub fn claim(&self, unique_id: &str, exp: i64, now: i64) -> bool {
        if unique_id.is_empty() {
            return false;
        }
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        used.retain(|_, e| *e > now);
        if used.contains_key(unique_id) {
            return false;
        }
        used.insert(unique_id.to_owned(), exp);
        true
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_id_works_once_until_it_expires() {
        let t = super::UsedTokens::default();
        assert!(t.claim("a", 100, 10));
        assert!(!t.claim("a", 100, 20));
        assert!(t.claim("b", 100, 20));
        assert!(!t.claim("", 100, 20));
        // After expiry the id is forgotten (the JWT itself is refused by then anyway).
        assert!(t.claim("a", 200, 150));
    }
}
