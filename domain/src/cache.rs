//! A short-lived in-process cache for the hot read paths of the HTTP API (a token's principal,
//! a user's licence). Any write transaction committed in this process invalidates everything
//! (a generation counter), so this process never serves what it changed itself. On PostgreSQL
//! the commit also sends `NOTIFY` on [`CHANNEL`], and every server process [`listen`]s: a
//! change made through one process clears the others' caches as soon as it is committed.
//! While a process is not listening (before it starts, while its connection is re-made) it
//! caches nothing. Access decisions are not cached: callers still decide on every request,
//! from the cached facts.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL notification channel for "something cached may have changed".
pub const CHANNEL: &str = "licentia_cache";

/// Another process may write (PostgreSQL): then entries count only while listening.
static SHARED: AtomicBool = AtomicBool::new(false);
static LISTENING: AtomicBool = AtomicBool::new(false);
/// Notifications heard from the database so far.
static HEARD: AtomicU64 = AtomicU64::new(0);

/// How many notifications this process has heard (for tests and metrics).
pub fn heard() -> u64 {
    HEARD.load(Ordering::SeqCst)
}

fn usable() -> bool {
    !SHARED.load(Ordering::SeqCst) || LISTENING.load(Ordering::SeqCst)
}

/// Listens for other processes' changes on PostgreSQL, for as long as the process runs
/// (returns at once on SQLite). A lost connection is made again; in between, nothing is cached.
pub async fn listen(db: crate::Db) {
    use sea_orm::sqlx::postgres::PgListener;
    if db.backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let pool = db.conn().get_postgres_connection_pool().clone();
    SHARED.store(true, Ordering::SeqCst);
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        match listener.await {
            Ok(mut listener) => {
                // Whatever changed while nobody listened is forgotten now.
                invalidate_all();
                LISTENING.store(true, Ordering::SeqCst);
                tracing::info!("listening for cache invalidations");
                loop {
                    match listener.try_recv().await {
                        Ok(Some(_)) => {
                            HEARD.fetch_add(1, Ordering::SeqCst);
                            invalidate_all();
                        }
                        Ok(None) => {
                            // The connection was lost; notifications may have been missed.
                            LISTENING.store(false, Ordering::SeqCst);
                            invalidate_all();
                        }
                        Err(err) => {
                            tracing::warn!(%err, "cache invalidation listener failed");
                            break;
                        }
                    }
                    if !LISTENING.load(Ordering::SeqCst) {
                        // try_recv re-connects on the next call; listen again from scratch.
                        break;
                    }
                }
            }
            Err(err) => tracing::warn!(%err, "cannot listen for cache invalidations"),
        }
        LISTENING.store(false, Ordering::SeqCst);
        invalidate_all();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Whether this process is listening for other processes' changes (for readiness).
pub fn listening() -> Option<bool> {
    SHARED
        .load(Ordering::SeqCst)
        .then(|| LISTENING.load(Ordering::SeqCst))
}

/// Not read from the environment yet.
const UNSET: u64 = u64::MAX;
static TTL_MS: AtomicU64 = AtomicU64::new(UNSET);

/// How long an entry lives: `LICENTIA_CACHE_MS` (default 2000; 0 turns the cache off).
pub fn ttl() -> Duration {
    let mut ms = TTL_MS.load(Ordering::Relaxed);
    if ms == UNSET {
        ms = std::env::var("LICENTIA_CACHE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        TTL_MS.store(ms, Ordering::Relaxed);
    }
    Duration::from_millis(ms)
}

/// Changes how long entries live (the benchmarks measure with and without the cache).
pub fn set_ttl(ttl: Duration) {
    TTL_MS.store(
        u64::try_from(ttl.as_millis()).unwrap_or(UNSET - 1),
        Ordering::Relaxed,
    );
    invalidate_all();
}

/// Everything cached so far is stale (called after every committed write).
pub fn invalidate_all() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The generation to tag an entry with: read it before reading the database.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Entries beyond this are dropped all at once (the working set of a few seconds is small).
const MAX_ENTRIES: usize = 50_000;

/// Each entry with when it was stored and the generation it was read at.
type Entries<K, V> = RwLock<HashMap<K, (Instant, u64, V)>>;

pub struct TtlCache<K, V> {
    entries: OnceLock<Entries<K, V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub const fn new() -> Self {
        TtlCache {
            entries: OnceLock::new(),
        }
    }

    fn map(&self) -> &Entries<K, V> {
        self.entries.get_or_init(|| RwLock::new(HashMap::new()))
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let ttl = ttl();
        if ttl.is_zero() || !usable() {
            return None;
        }
        let map = self.map().read().ok()?;
        let (at, generation, value) = map.get(key)?;
        (*generation == self::generation() && at.elapsed() < ttl).then(|| value.clone())
    }

    /// Stores `value`, computed from reads that began at `generation`.
    pub fn put(&self, key: K, generation: u64, value: V) {
        if ttl().is_zero() || !usable() || generation != self::generation() {
            return;
        }
        if let Ok(mut map) = self.map().write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, (Instant::now(), generation, value));
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_forget_everything_after_a_write() {
        let cache: TtlCache<u32, &str> = TtlCache::new();
        let at = generation();
        cache.put(1, at, "one");
        assert_eq!(cache.get(&1), Some("one"));
        invalidate_all();
        assert_eq!(cache.get(&1), None);
        // A value read before the write is not stored after it.
        cache.put(2, at, "stale");
        assert_eq!(cache.get(&2), None);
    }
}
