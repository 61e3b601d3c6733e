//! argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane: the crate's defaults),
//! on a bounded pool ([`crate::work`]): one hash per core at once (each holds 19 MiB) and a
//! bounded queue; a request that finds the queue full is refused at once with [`Error::Busy`]
//! (503 with `Retry-After`) instead of asking for another thread and another 19 MiB. Background work (imports) waits for its turn
//! without taking a place in the queue, one hash per worker at a time, so sign-ins interleave
//! with it instead of queueing behind a whole batch.
use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};
use crate::work::{cores, Pool};
pub use crate::work::{Admission, PoolSize, PoolState};

static POOL: OnceLock<Pool> = OnceLock::new();

/// The pool's size from the environment: `LICENTIA_HASH_WORKERS` (default: the cores) and
/// `LICENTIA_HASH_QUEUE` (default: 32 per worker, about half a second of work).
pub fn size_from_env() -> PoolSize {
    PoolSize::from_env("LICENTIA_HASH", cores(), 32)
}

/// Sizes the pool (before its first use; later calls change nothing). Returns the size in use.
pub fn configure(size: PoolSize) -> PoolSize {
    POOL.get_or_init(|| Pool::new(size)).size()
}

fn pool() -> &'static Pool {
    POOL.get_or_init(|| Pool::new(size_from_env()))
}

/// What the pool is doing now (for metrics).
pub fn state() -> PoolState {
    pool().state()
}

/// Takes a place in the queue, or refuses with [`Error::Busy`] when it is full. A sign-in takes
/// its place before it counts the attempt, so that a busy server never counts against a user.
pub fn admit() -> Result<Admission> {
    pool().admit()
}

fn hash_now(plain: &str) -> Result<String> {
    Argon2::default()
        .hash_password(plain.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hash: {e}")))
}

/// Hashes a password for a request: refused with [`Error::Busy`] when the queue is full.
pub async fn hash(plain: String) -> Result<String> {
    pool().request(move || hash_now(&plain)).await?
}

/// Hashes a password for background work (an import): waits for a worker, never refused.
pub async fn hash_in_background(plain: String) -> Result<String> {
    pool().run(move || hash_now(&plain)).await?
}

/// How many background hashes may be in flight at once (one per worker).
pub fn background_parallelism() -> usize {
    pool().size().workers
}

/// Verifies a password; a missing hash verifies against a dummy so that unknown usernames
/// take as long as wrong passwords. Refused with [`Error::Busy`] when the queue is full.
pub async fn verify(stored: Option<String>, plain: String) -> Result<bool> {
    verify_admitted(admit()?, stored, plain).await
}

/// [`verify`] with a place taken already.
pub async fn verify_admitted(
    admission: Admission,
    stored: Option<String>,
    plain: String,
) -> Result<bool> {
    let _admission = admission;
    pool()
        .run(move || {
            let (stored, real) = match stored {
                Some(stored) => (stored, true),
                None => (DUMMY_HASH.to_string(), false),
            };
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| Error::Internal(format!("stored hash: {e}")))?;
            let ok = Argon2::default()
                .verify_password(plain.as_bytes(), &parsed)
                .is_ok();
            Ok(ok && real)
        })
        .await?
}

/// The hash of a random password nobody knows, with the same parameters as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Q1xV0H6cCvkhrNp0v8yqz1mFTj2lDyyBZsHnq5SmrE";
