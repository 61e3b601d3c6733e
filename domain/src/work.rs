//! Bounded pools for CPU-heavy work on request paths (password hashing, reading and writing
//! spreadsheets): at most `workers` jobs run at once on tokio's blocking threads, at most
//! `queue` more wait for a turn, and a request that finds the queue full is refused at once
//! with [`Error::Busy`] (503 with `Retry-After`) instead of asking for another thread and
//! another slice of memory. Background work (imports) waits for a turn without taking a place
//! in the queue.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Seconds a refused request is told to wait.
pub const RETRY_AFTER_SECONDS: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSize {
    pub workers: usize,
    pub queue: usize,
}

impl PoolSize {
    /// `{prefix}_WORKERS` and `{prefix}_QUEUE` from the environment, else the defaults.
    pub fn from_env(prefix: &str, workers: usize, queue_per_worker: usize) -> PoolSize {
        let var = |name: String| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
        };
        let workers = var(format!("{prefix}_WORKERS")).unwrap_or(workers).max(1);
        PoolSize {
            workers,
            queue: var(format!("{prefix}_QUEUE")).unwrap_or(workers * queue_per_worker),
        }
    }
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

pub struct Pool {
    size: PoolSize,
    /// One permit per running job.
    running: Semaphore,
    /// Requests admitted (running or waiting); at most workers + queue.
    admitted: AtomicUsize,
}

/// What a pool is doing now (for metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    pub workers: usize,
    pub queue: usize,
    pub running: usize,
    /// Requests waiting for a worker (background work not counted).
    pub waiting: usize,
}

/// A place among a pool's admitted requests, given back when dropped.
pub struct Admission(&'static Pool);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Pool {
    pub fn new(size: PoolSize) -> Pool {
        Pool {
            size,
            running: Semaphore::new(size.workers),
            admitted: AtomicUsize::new(0),
        }
    }

    pub fn size(&self) -> PoolSize {
        self.size
    }

    pub fn state(&self) -> PoolState {
        let running = self.size.workers - self.running.available_permits();
        PoolState {
            workers: self.size.workers,
            queue: self.size.queue,
            running,
            waiting: self.admitted.load(Ordering::SeqCst).saturating_sub(running),
        }
    }

    /// Takes a place in the queue, or refuses with [`Error::Busy`] when it is full.
    pub fn admit(&'static self) -> Result<Admission> {
        let limit = self.size.workers + self.size.queue;
        self.admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
            .map(|_| Admission(self))
            .map_err(|_| Error::Busy {
                retry_after: RETRY_AFTER_SECONDS,
            })
    }

    /// Runs `work` on a blocking thread once a worker is free (the caller decided admission).
    pub async fn run<T: Send + 'static>(
        &'static self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _running = self
            .running
            .acquire()
            .await
            .map_err(|e| Error::Internal(format!("work pool: {e}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Error::Internal(format!("work task: {e}")))
    }

    /// Admits and runs `work` for a request.
    pub async fn request<T: Send + 'static>(
        &'static self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _admission = self.admit()?;
        self.run(work).await
    }
}

/// The pool for reading and writing spreadsheets (`LICENTIA_SHEET_WORKERS`, default one: a
/// large workbook holds hundreds of MB while it is read; `LICENTIA_SHEET_QUEUE`, default 8).
pub fn sheets() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::new(PoolSize::from_env("LICENTIA_SHEET", 1, 8)))
}

/// Downloads sent while they are made (`LICENTIA_DOWNLOAD_WORKERS`, default four at once;
/// `LICENTIA_DOWNLOAD_QUEUE`, default none: a fifth is told to come back). Admission only:
/// a download is written on a task of its own, a batch at a time (see `users::export`).
pub fn downloads() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::new(PoolSize::from_env("LICENTIA_DOWNLOAD", 4, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn should_refuse_at_once_when_the_queue_is_full_and_admit_again_after() {
        static POOL: OnceLock<Pool> = OnceLock::new();
        let pool = POOL.get_or_init(|| {
            Pool::new(PoolSize {
                workers: 1,
                queue: 2,
            })
        });
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = std::sync::Arc::new(std::sync::Mutex::new(gate));
        let mut running = Vec::new();
        for _ in 0..3 {
            let gate = gate.clone();
            let admission = pool.admit().unwrap();
            running.push(tokio::spawn(async move {
                let _admission = admission;
                pool.run(move || gate.lock().map(|g| g.recv().is_ok()).unwrap_or(false))
                    .await
            }));
        }
        // One runs, two wait: the fourth request is refused, with a time to come back.
        assert_eq!(
            pool.request(|| ()).await.unwrap_err(),
            Error::Busy {
                retry_after: RETRY_AFTER_SECONDS
            }
        );
        assert_eq!(pool.state().workers + pool.state().queue, 3);
        // Background work is never refused: it waits for its turn.
        let background = tokio::spawn(async move { pool.run(|| 7).await });
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for task in running {
            assert!(task.await.unwrap().unwrap());
        }
        assert_eq!(background.await.unwrap().unwrap(), 7);
        assert_eq!(pool.request(|| 1).await.unwrap(), 1);
        assert_eq!(pool.state().waiting, 0);
    }
}
