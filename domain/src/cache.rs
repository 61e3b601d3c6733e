//! A short-lived in-process cache for the hot read paths of the HTTP API (a token's principal,
//! a user's licence). Any write transaction committed in this process invalidates everything
//! (a generation counter), so this process never serves what it changed itself; another server
//! process sharing the database sees a change at most [`ttl`] later. Access decisions are not
//! cached: callers still decide on every request, from the cached facts.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// How long an entry lives: `LICENTIA_CACHE_MS` (default 2000; 0 turns the cache off).
pub fn ttl() -> Duration {
    static TTL: OnceLock<Duration> = OnceLock::new();
    *TTL.get_or_init(|| {
        let ms = std::env::var("LICENTIA_CACHE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        Duration::from_millis(ms)
    })
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
        if ttl.is_zero() {
            return None;
        }
        let map = self.map().read().ok()?;
        let (at, generation, value) = map.get(key)?;
        (*generation == self::generation() && at.elapsed() < ttl).then(|| value.clone())
    }

    /// Stores `value`, computed from reads that began at `generation`.
    pub fn put(&self, key: K, generation: u64, value: V) {
        if ttl().is_zero() || generation != self::generation() {
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
