//! argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane: the crate's defaults),
//! on a bounded pool ([`crate::work`]): one hash per core at once (each holds 19 MiB) and a
//! bounded queue; a request that finds the queue full is refused at once with [`Error::Busy`]
//! (503 with `Retry-After`) instead of asking for another thread and another 19 MiB. Background work (imports) waits for its turn
//! without taking a place in the queue, one hash per worker at a time, so sign-ins interleave
//! with it instead of queueing behind a whole batch.
use std::sync::OnceLock;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::password_hash::try_generate_salt;
use argon2::{Algorithm, Argon2, Block, Params, Version};

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
    let salt = try_generate_salt().map_err(|e| internal("salt", e))?;
    let argon2 = Argon2::default();
    let params = argon2.params().clone();
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let out = buffer
        .get_mut(..params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN))
        .ok_or_else(|| Error::Internal("hash: output length".into()))?;
    compute(&argon2, plain.as_bytes(), &salt, out)?;
    // As the crate's `hash_password` writes it.
    let hash = PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(&params).map_err(|e| internal("hash parameters", e))?,
        salt: Some(Salt::new(&salt).map_err(|e| internal("salt", e))?),
        hash: Some(Output::new(out).map_err(|e| internal("hash output", e))?),
    };
    Ok(hash.to_string())
}

/// Whether `plain` gives `stored`'s output with `stored`'s algorithm, version, parameters and
/// salt (as the crate's `verify_password` decides; the outputs compared in constant time).
fn verify_now(plain: &[u8], stored: &PasswordHash) -> Result<bool> {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return Ok(false);
    };
    let algorithm =
        Algorithm::try_from(stored.algorithm.as_str()).map_err(|e| internal("algorithm", e))?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| internal("version", e))?
        .unwrap_or_default();
    let params = Params::try_from(stored).map_err(|e| internal("hash parameters", e))?;
    let argon2 = Argon2::new(algorithm, version, params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let out = buffer
        .get_mut(..expected.len())
        .ok_or_else(|| Error::Internal("stored hash: output length".into()))?;
    compute(&argon2, plain, salt.as_ref(), out)?;
    Ok(Output::new(out).map_err(|e| internal("hash output", e))? == *expected)
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("{what}: {e}"))
}

/// argon2 over its own memory ([`Blocks`]).
fn compute(argon2: &Argon2, plain: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
    let blocks = Blocks::new(argon2.params().block_count());
    argon2
        .hash_password_into_with_memory(plain, salt, out, blocks)
        .map_err(|e| internal("hash", e))
}

/// argon2's memory (19 MiB, read at random): mapped for one hash, advised onto huge pages, and
/// given back to the system when the hash is done. With 4 KiB pages a verify takes about twice
/// as long (17.5 against 32.5 ms, BENCHMARKS.md); the allocator itself runs without huge pages,
/// which kept freed memory resident after heavy work. A failed mapping falls back to the heap.
enum Blocks {
    Mapped {
        at: std::ptr::NonNull<Block>,
        len: usize,
    },
    Heap(Vec<Block>),
}

impl Blocks {
    fn new(len: usize) -> Blocks {
        let bytes = len * std::mem::size_of::<Block>();
        // SAFETY: a new private anonymous mapping, owned by the value returned and unmapped
        // once in `drop`; `madvise` only advises on it.
        let at = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if at == libc::MAP_FAILED {
            return Blocks::Heap(vec![Block::default(); len]);
        }
        // SAFETY: as above; a refusal (THP off) leaves ordinary pages, which work too.
        unsafe { libc::madvise(at, bytes, libc::MADV_HUGEPAGE) };
        match std::ptr::NonNull::new(at.cast::<Block>()) {
            Some(at) => Blocks::Mapped { at, len },
            None => Blocks::Heap(vec![Block::default(); len]),
        }
    }
}

impl AsMut<[Block]> for Blocks {
    fn as_mut(&mut self) -> &mut [Block] {
        match self {
            // SAFETY: the mapping holds `len` blocks, page-aligned (more than a block's 64),
            // zero-filled (a valid block: plain integers) and borrowed mutably through `self`.
            Blocks::Mapped { at, len } => unsafe {
                std::slice::from_raw_parts_mut(at.as_ptr(), *len)
            },
            Blocks::Heap(blocks) => blocks,
        }
    }
}

impl Drop for Blocks {
    fn drop(&mut self) {
        if let Blocks::Mapped { at, len } = self {
            // SAFETY: the mapping made in `new`, unmapped once, no borrow of it outlives `self`.
            unsafe { libc::munmap(at.as_ptr().cast(), *len * std::mem::size_of::<Block>()) };
        }
    }
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
            let (stored, real) = match &stored {
                Some(stored) => (stored.as_str(), true),
                None => (DUMMY_HASH, false),
            };
            Ok(verify_on_this_thread(stored, &plain)? && real)
        })
        .await?
}

/// A verify on the calling thread (the pool's workers run it; the benchmarks' baseline).
pub fn verify_on_this_thread(stored: &str, plain: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| internal("stored hash", e))?;
    verify_now(plain.as_bytes(), &parsed)
}

/// The hash of a random password nobody knows, with the same parameters as real ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Q1xV0H6cCvkhrNp0v8yqz1mFTj2lDyyBZsHnq5SmrE";

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

    #[test]
    fn should_hash_and_verify_as_the_crate_does() {
        // Ours, verified by the crate.
        let ours = hash_now("correct horse").unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"wrong", &parsed)
            .is_err());
        assert!(verify_now(b"correct horse", &parsed).unwrap());
        assert!(!verify_now(b"correct horsE", &parsed).unwrap());
        // The crate's, verified by ours; other parameters are read from the stored string.
        let theirs = Argon2::default().hash_password(b"correct horse").unwrap();
        assert!(verify_now(b"correct horse", &theirs).unwrap());
        assert!(!verify_now(b"", &theirs).unwrap());
        let other = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(4096, 3, 1, Some(16)).unwrap(),
        )
        .hash_password(b"x")
        .unwrap();
        assert!(verify_now(b"x", &other).unwrap());
        assert!(!verify_now(b"y", &other).unwrap());
        // Two hashes of one password differ (their salts).
        assert_ne!(ours, hash_now("correct horse").unwrap());
        // The stand-in for unknown users matches nothing anyone types.
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert!(!verify_now(b"", &dummy).unwrap());
        assert!(!verify_now(b"correct horse", &dummy).unwrap());
    }

    #[test]
    fn should_give_argon2_zeroed_memory_of_the_size_asked() {
        let mut blocks = Blocks::new(Params::default().block_count());
        let memory = blocks.as_mut();
        assert_eq!(memory.len(), 19 * 1024);
        assert!(memory
            .iter()
            .all(|block| block.as_ref().iter().all(|word| *word == 0)));
        // Writable to its last block.
        memory[memory.len() - 1] = Block::default();
    }
}
