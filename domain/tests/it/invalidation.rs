//! Caches across processes: on PostgreSQL every process listens for `NOTIFY licentia_cache`,
//! which every committed write sends; a notification from elsewhere clears this process's
//! caches at once (the three-process test in `scripts/cluster` checks it end to end).
use std::time::{Duration, Instant};

use domain::{cache, Db};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::db_test;

db_test!(
    should_forget_cached_facts_when_another_process_writes,
    |db: Db| async move {
        if db.backend() != DbBackend::Postgres {
            // One process per SQLite file: nothing to hear (`listen` returns at once).
            cache::listen(db.clone()).await;
            return;
        }
        tokio::spawn(cache::listen(db.clone()));
        let started = Instant::now();
        while cache::listening() != Some(true) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never listened"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for _ in 0..3 {
            // Counted where it is heard: other tests' commits clear the cache too.
            let before = cache::heard();
            // As another process's commit would: a notification on the channel, nothing local.
            db.conn()
                .execute_unprepared(&format!("NOTIFY {}", cache::CHANNEL))
                .await
                .unwrap();
            let sent = Instant::now();
            while cache::heard() == before {
                // Heard in about a millisecond; the bound leaves room for a loaded test machine
                // (the three-process test holds revocations to 100 ms).
                assert!(
                    sent.elapsed() < Duration::from_secs(1),
                    "not heard within a second"
                );
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
);
