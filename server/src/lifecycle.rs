//! The process's life: serving, then draining after SIGTERM (or Ctrl-C). While draining,
//! `/readyz` answers 503 and every response closes its connection, so that a proxy stops
//! reusing this process's connections; then the listener closes, requests in flight finish,
//! the workers finish their step (an import its batch) and give their job back, and the pool
//! closes. Workers watch a [`Stop`]; readiness asks whether they all still run.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What workers watch: set once, when the process begins to stop.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// A stop that never comes (workers run on their own in tests).
    pub fn never() -> Stop {
        let (sender, receiver) = watch::channel(false);
        // Kept alive for the process: dropping the sender would read as "stopped".
        std::mem::forget(sender);
        Stop(receiver)
    }

    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits for `period`, or less when the stop comes first; true when it came.
    pub async fn sleep(&mut self, period: Duration) -> bool {
        if self.requested() {
            return true;
        }
        let came = tokio::select! {
            _ = tokio::time::sleep(period) => false,
            _ = self.0.wait_for(|stop| *stop) => true,
        };
        came || self.requested()
    }
}

pub struct Lifecycle {
    draining: AtomicBool,
    stop: watch::Sender<bool>,
    workers: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
}

impl Lifecycle {
    pub fn new() -> Arc<Lifecycle> {
        Arc::new(Lifecycle {
            draining: AtomicBool::new(false),
            stop: watch::channel(false).0,
            workers: Mutex::new(Vec::new()),
        })
    }

    pub fn stop(&self) -> Stop {
        Stop(self.stop.subscribe())
    }

    /// Runs a worker, watched by readiness and waited for at shutdown.
    pub fn spawn(
        &self,
        name: &'static str,
        work: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let handle = tokio::spawn(work);
        if let Ok(mut workers) = self.workers.lock() {
            workers.push((name, handle));
        }
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Workers that ended although nobody asked them to.
    pub fn stopped_workers(&self) -> Vec<&'static str> {
        if self.draining() {
            return Vec::new();
        }
        self.workers
            .lock()
            .map(|w| {
                w.iter()
                    .filter(|(_, h)| h.is_finished())
                    .map(|(n, _)| *n)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// From now on: not ready, connections closed after their response.
    pub fn begin_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Asks the workers to stop and waits for them, at most `patience`.
    pub async fn stop_workers(&self, patience: Duration) {
        self.stop.send_replace(true);
        let workers = self
            .workers
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        for (name, handle) in workers {
            let abort = handle.abort_handle();
            match tokio::time::timeout(patience, handle).await {
                Ok(_) => tracing::info!(worker = name, "worker stopped"),
                Err(_) => {
                    tracing::warn!(worker = name, "worker did not stop in time; aborted");
                    abort.abort();
                }
            }
        }
    }
}

/// Resolves at SIGTERM or Ctrl-C.
pub async fn signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot watch SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
