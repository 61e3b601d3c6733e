//! SIGTERM under load: the server drains (`/readyz` 503, connections closed after their
//! answer), stops accepting, finishes what it accepted, lets the import worker finish its
//! batch and give the job back, and exits cleanly; no request it accepted fails. Started
//! again, it finishes the import: every row once.
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::support::big_import;
use crate::support::process;
use big_import::{imported, progress, start_big_import};
use process::{free_port, start_licentia, wait_until};

const ROWS: usize = 1_500;

/// A fresh connection closed or reset before any answer: it waited in the kernel's queue of the
/// listener that closed, and the server never read the request (a request the server took is
/// always answered: the exit status, checked below, tells a crash).
fn never_read(err: &reqwest::Error) -> bool {
    let text = format!("{err:?}");
    // "connection was not ready": the client's new connection closed before it could send the
    // request (the listener shut while it connected); nothing reached the server (seen once on a
    // loaded machine).
    err.is_request()
        && (text.contains("IncompleteMessage")
            || text.contains("ConnectionReset")
            || text.contains("connection was not ready"))
}

#[derive(Default)]
struct Tally {
    ok: AtomicUsize,
    draining: AtomicUsize,
    refused: AtomicUsize,
    failed: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_drain_and_stop_on_sigterm_without_failing_accepted_requests() {
    let dir = std::env::temp_dir().join(format!("licentia-stop-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("stop.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    let run = start_big_import(&db, ROWS).await;
    let port = free_port();
    let env = [
        ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
        ("LICENTIA_IMPORT_BATCH", "50".to_string()),
        ("LICENTIA_IMPORT_PAUSE_MS", "40".to_string()),
        ("LICENTIA_DRAIN_MS", "500".to_string()),
    ];
    let mut licentia = start_licentia(&url, &env);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_until(
        "the server to be ready",
        Duration::from_secs(30),
        || async {
            client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
        },
    )
    .await;
    wait_until("a fifth of the rows", Duration::from_secs(60), || async {
        progress(&db, run).await.processed >= 300
    })
    .await;

    // Four clients ask for readiness as fast as they can.
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (tally, stop, base) = (tally.clone(), stop.clone(), base.clone());
        clients.push(tokio::spawn(async move {
            // A new connection for every request: an error then tells whether the server took
            // the request or never read it.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            while !stop.load(Ordering::SeqCst) {
                match client.get(format!("{base}/readyz")).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.text().await;
                        match (status, body) {
                            (200, Ok(_)) => tally.ok.fetch_add(1, Ordering::SeqCst),
                            (503, Ok(body)) if body.contains("draining") => {
                                tally.draining.fetch_add(1, Ordering::SeqCst)
                            }
                            _ => tally.failed.fetch_add(1, Ordering::SeqCst),
                        };
                    }
                    // Refused before it was accepted: the listener is closed, or the connection
                    // waited in the kernel's queue when it closed (reset before a byte was read).
                    Err(err) if err.is_connect() || never_read(&err) => {
                        tally.refused.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(err) => {
                        eprintln!("failed: {err:?}");
                        tally.failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = licentia.0.id().to_string();
    let signalled = Instant::now();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = loop {
        if let Some(status) = licentia.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(15),
            "still running 15 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let stopped_after = signalled.elapsed();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    assert!(status.success(), "exit status {status:?}");
    let (ok, draining, refused, failed) = (
        tally.ok.load(Ordering::SeqCst),
        tally.draining.load(Ordering::SeqCst),
        tally.refused.load(Ordering::SeqCst),
        tally.failed.load(Ordering::SeqCst),
    );
    eprintln!(
        "stopped {stopped_after:?} after SIGTERM; answered {ok}, draining {draining}, refused {refused}, failed {failed}"
    );
    assert_eq!(failed, 0, "no accepted request may fail");
    assert!(ok > 0 && draining > 0, "served, then drained");

    // The import stopped between batches and gave its job back: whole batches only.
    let paused = progress(&db, run).await;
    assert_eq!(paused.status, "running");
    assert!((paused.processed as usize) < ROWS, "{paused:?}");
    assert_eq!(imported(&db).await, paused.added as u64);
    let job = domain::health::queues(&db).await.unwrap();
    assert!(
        job.iter()
            .any(|q| q.kind == domain::import::JOB_KIND && q.count == 1),
        "{job:?}"
    );

    // Started again: taken up at once (no lease to wait for) and finished.
    let _licentia = start_licentia(&url, &env);
    wait_until("the import to finish", Duration::from_secs(120), || async {
        progress(&db, run).await.status == "done"
    })
    .await;
    let done = progress(&db, run).await;
    assert_eq!((done.processed, done.added), (ROWS as i32, ROWS as i32));
    assert_eq!(imported(&db).await, ROWS as u64);
    let _ = std::fs::remove_dir_all(&dir);
}
