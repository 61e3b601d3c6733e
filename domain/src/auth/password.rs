//! argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane: the crate's defaults).
//! Hashing runs on the blocking pool so it never stalls the async workers.
use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

pub async fn hash(plain: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(plain.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hash: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hash task: {e}")))?
}

/// Verifies a password; a missing hash verifies against a dummy so that unknown usernames
/// take as long as wrong passwords.
pub async fn verify(stored: Option<String>, plain: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let (stored, real) = match stored {
            Some(stored) => (stored, true),
            None => (DUMMY_HASH.to_string(), false),
        };
        let parsed =
            PasswordHash::new(&stored).map_err(|e| Error::Internal(format!("stored hash: {e}")))?;
        let ok = Argon2::default()
            .verify_password(plain.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await
    .map_err(|e| Error::Internal(format!("verify task: {e}")))?
}

/// The hash of a random password nobody knows, with the same parameters as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Q1xV0H6cCvkhrNp0v8yqz1mFTj2lDyyBZsHnq5SmrE";
