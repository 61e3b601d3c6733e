//! The database handle: one pool, and for SQLite one in-process writer at a time.
//!
//! SQLite allows a single writer; a deferred transaction that reads before it writes can fail
//! with SQLITE_BUSY instead of waiting. Serialising write transactions in the process removes
//! that failure mode. PostgreSQL needs no such lock: seat checks are conditional UPDATEs that
//! the row lock serialises across processes.
use std::sync::Arc;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteSynchronous;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::Result;

#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
    /// Licence checks waiting to be read together.
    batches: Arc<crate::licences::Batches>,
    /// This database's number in the process (process-wide caches of per-database things,
    /// such as the signing key, are keyed by it).
    id: u64,
    /// SQLite: the address, for the one connection that changes the schema.
    sqlite_url: Option<Arc<str>>,
    /// One request's reads of sites, when the handle serves a page's rendering (see
    /// [`ReadMemo`]).
    read_memo: Option<Arc<ReadMemo>>,
}

/// What one server-side rendering of a page has read: each site resolved (with its ancestry),
/// the reader's home site, users by id and organisations' subscriptions, read once however many
/// of the page's server functions ask (see [`Db::kept`]). Only for requests that read (a
/// page's GET): a write in the same request would not be seen by a later read through it.
#[derive(Default)]
pub struct ReadMemo {
    pub(crate) sites: Mutex<std::collections::HashMap<uuid::Uuid, crate::sites::Resolved>>,
    pub(crate) homes: Mutex<std::collections::HashMap<i32, uuid::Uuid>>,
    /// Users read by id with their site (the signed-in user: the header and the announcements
    /// both ask).
    pub(crate) users: Mutex<std::collections::HashMap<i32, Option<crate::users::RowAndSite>>>,
    /// An organisation's subscriptions, by its root (its subscriptions panel and its licence
    /// counters both read them).
    pub(crate) subscriptions:
        Mutex<std::collections::HashMap<i32, Vec<crate::entities::subscription::Model>>>,
    /// The first organisations by name (an operator's tree shows them and the page opens on the
    /// first).
    pub(crate) roots: Mutex<std::collections::HashMap<(), Vec<crate::entities::site::Model>>>,
}

/// The numbers given to databases connected so far.
static CONNECTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A write transaction; dropping it without [`WriteTxn::commit`] rolls back.
/// Rows the SQLite driver's thread may read ahead of the reader (its default is 50: a long
/// read then waits on the other thread every few rows).
const ROW_CHANNEL: usize = 1024;

pub struct WriteTxn {
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    /// Committing clears the caches of every process (see [`crate::cache`]).
    announce: bool,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<()> {
        if self.announce && self.txn.get_database_backend() == DbBackend::Postgres {
            // Delivered to every listening process when (and only if) the transaction commits.
            self.txn
                .execute_unprepared(&format!("NOTIFY {}", crate::cache::CHANNEL))
                .await?;
        }
        self.txn.commit().await?;
        if self.announce {
            crate::cache::invalidate_all();
        }
        Ok(())
    }
}

/// The connection for one autocommit write (a single statement outside a transaction); on
/// SQLite it holds the process's writer lock, so that such writes queue with the transactions
/// instead of meeting them as `SQLITE_BUSY`.
pub struct Autocommit<'a> {
    conn: &'a DatabaseConnection,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for Autocommit<'_> {
    type Target = DatabaseConnection;
    fn deref(&self) -> &DatabaseConnection {
        self.conn
    }
}

impl Db {
    /// Connects (creating a SQLite file and its folder when missing) without migrating.
    pub async fn connect(url: &str) -> Result<Db> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or_default();
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| crate::Error::Internal(format!("create {dir:?}: {e}")))?;
                }
            }
        }
        let mut url = url.to_string();
        if url.starts_with("sqlite://") && !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let sqlite_url = url
            .starts_with("sqlite://")
            .then(|| Arc::from(url.as_str()));
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            // A connection in use is not pinged before each statement (a round trip per
            // statement on PostgreSQL); one that sat idle for a while is, since the server may
            // have dropped it (a restart, an idle timeout on the way).
            .test_before_acquire_if_idle_for(Duration::from_secs(10))
            // No reaper task: sqlx 0.9's pool counts a released connection as idle only after
            // it has handed the connection on, so another thread taking it at that moment makes
            // the idle count wrap below zero for an instant; a reaper sweep that reads the count
            // then loops without end inside one poll and holds its runtime thread (the livelock
            // described in risingwavelabs/risingwave#24991). Connections are closed when the
            // pool closes; one that the server dropped is found by the ping above.
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>)
            // SQLite: in the write-ahead log (set once below: it is stored in the file), fsync
            // at checkpoints rather than at every commit (the usual pairing: the file cannot be
            // corrupted; a power cut may lose the last transactions, a crash of the process
            // loses nothing). Every pooled connection gets it, and waits up to 5 s for a lock
            // held by another process.
            .map_sqlx_sqlite_opts(|opts| {
                opts.synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .row_buffer_size(ROW_CHANNEL)
            });
        let conn = Database::connect(options).await?;
        let sqlite = conn.get_database_backend() == DbBackend::Sqlite;
        if sqlite {
            conn.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        }
        Ok(Db {
            conn,
            write_lock: sqlite.then(|| Arc::new(Mutex::new(()))),
            batches: Arc::default(),
            id: CONNECTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            sqlite_url,
            read_memo: None,
        })
    }

    /// Connects and brings the schema up to date.
    pub async fn connect_and_migrate(url: &str) -> Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> Result<()> {
        let conn = self.schema_connection().await?;
        Migrator::up(&conn, None).await?;
        Ok(())
    }

    /// The connection to change the schema through. On SQLite a connection of its own, alone
    /// in its pool: SQLite checks a statement against the schema the connection last read, so
    /// a `CREATE INDEX` on a pooled connection that has not run anything since another one
    /// dropped that index fails with "already exists" (migrations rolled back and applied
    /// again met it). The pool's other connections notice the change at their next statement.
    pub async fn schema_connection(&self) -> Result<DatabaseConnection> {
        let Some(url) = &self.sqlite_url else {
            return Ok(self.conn.clone());
        };
        let mut options = ConnectOptions::new(url.to_string());
        options
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .row_buffer_size(ROW_CHANNEL)
            });
        Ok(Database::connect(options).await?)
    }

    /// Calls `callback` for every SQL statement (the benchmarks count statements with it).
    pub fn set_metric_callback<F>(&mut self, callback: F)
    where
        F: Fn(&sea_orm::metric::Info<'_>) + Send + Sync + 'static,
    {
        self.conn.set_metric_callback(callback);
        // Its own queue of licence checks, so that they are read (and counted) through it.
        self.batches = Arc::default();
    }

    pub(crate) fn batches(&self) -> Arc<crate::licences::Batches> {
        self.batches.clone()
    }

    /// This database's number in the process.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The same database, its reads of sites kept in `memo` (one request's: see [`ReadMemo`]).
    pub fn with_read_memo(&self, memo: Arc<ReadMemo>) -> Db {
        Db {
            read_memo: Some(memo),
            ..self.clone()
        }
    }

    pub(crate) fn read_memo(&self) -> Option<&ReadMemo> {
        self.read_memo.as_deref()
    }

    /// Through one of the request's memos (`slot` picks it; outside a page's rendering there is
    /// none): the value kept under `key`, else `load`'s answer, kept. Held across the load: the
    /// request's other calls wait for this one's answer rather than each reading its own.
    pub(crate) async fn kept<K, V, Fut>(
        &self,
        slot: fn(&ReadMemo) -> &Mutex<std::collections::HashMap<K, V>>,
        key: K,
        load: impl FnOnce() -> Fut,
    ) -> Result<V>
    where
        K: Eq + std::hash::Hash,
        V: Clone,
        Fut: std::future::Future<Output = Result<V>>,
    {
        let Some(memo) = self.read_memo() else {
            return load().await;
        };
        let mut kept = slot(memo).lock().await;
        if let Some(found) = kept.get(&key) {
            return Ok(found.clone());
        }
        let loaded = load().await?;
        kept.insert(key, loaded.clone());
        Ok(loaded)
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The connection for a single write statement outside a transaction (see [`Autocommit`]).
    /// The statement's effect is not announced to caches: use it only for rows no cache holds
    /// (sessions, sign-in times, throttling), or call [`crate::cache::changed`] after it.
    pub async fn autocommit(&self) -> Autocommit<'_> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        Autocommit {
            conn: &self.conn,
            _guard: guard,
        }
    }

    /// Brings the planner's statistics up to date after bulk work (an import of thousands of
    /// rows), rather than waiting for autovacuum: until then PostgreSQL plans the hot paths for
    /// the tables' old sizes (on a table just filled, a licence check read every licence) and
    /// keeps those plans on its pooled connections. `ANALYZE` of the tables the hot paths read on
    /// PostgreSQL, `PRAGMA optimize` on SQLite. Best effort: a failure is logged.
    pub async fn refresh_statistics(&self) {
        let sql = match self.backend() {
            DbBackend::Postgres => {
                "ANALYZE users, licences, site_closure, sites, role_grants, subscriptions"
            }
            _ => "PRAGMA optimize",
        };
        let conn = self.autocommit().await;
        if let Err(err) = conn.execute_unprepared(sql).await {
            tracing::warn!(%err, "could not refresh the planner's statistics");
        }
    }

    /// Begins a write transaction (for SQLite, after taking the in-process writer lock).
    /// Committing it clears the caches of every server process.
    pub async fn write(&self) -> Result<WriteTxn> {
        self.begin_write(true).await
    }

    /// A write transaction over rows no cache holds (sign-in throttling, the job queue's
    /// bookkeeping, used challenges, application sessions): committing it leaves the caches.
    pub async fn write_uncached(&self) -> Result<WriteTxn> {
        self.begin_write(false).await
    }

    async fn begin_write(&self, announce: bool) -> Result<WriteTxn> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        Ok(WriteTxn {
            txn,
            _guard: guard,
            announce,
        })
    }

    /// Connections in the pool: (open, idle). The idle count is read without a lock and can be
    /// off for an instant (even wrap below zero, see [`Db::connect`]): it is capped at the open.
    pub fn pool_state(&self) -> (u32, usize) {
        let (open, idle) = match self.backend() {
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        };
        (open, idle.min(open as usize))
    }

    /// Closes the pool (at shutdown, after the last request).
    pub async fn close(&self) -> Result<()> {
        self.conn.close_by_ref().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn should_run_no_pool_reaper() {
        let dir = std::env::temp_dir().join(format!("licentia-db-{}", uuid::Uuid::new_v4()));
        let db = Db::connect(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        let options = db.conn().get_sqlite_connection_pool().options();
        // Neither an idle timeout nor a lifetime: sqlx starts its reaper for either.
        assert_eq!(options.get_idle_timeout(), None);
        assert_eq!(options.get_max_lifetime(), None);
        db.close().await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
