//! `cargo bench -p licentia --bench memory`: see BENCHMARKS.md. Needs a release build
//! (`scripts/release.sh`; `LICENTIA_BIN` to use another binary).
//!
//! The resident memory of a release server (its own process, read from /proc) on SQLite with
//! the demo and 100,000 more users: idle after one administrator page load; at the peak of a
//! 100,000-row import (uploaded through the `start_import` server function, applied by the
//! worker) and 60 s after it ended; at the peak of an .xlsx export of 100,000 users and 60 s
//! after it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use uuid::Uuid;

#[path = "support/seed.rs"]
mod seed;

const USERS: usize = 100_000;
const IMPORTED: usize = 100_000;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Fields of a process's /proc status (sizes in kB), in MB; 0 for a field not found.
fn status<const N: usize>(pid: u32, names: [&str; N]) -> [u64; N] {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    names.map(|name| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    })
}

/// (VmRSS, VmHWM) of a process, in MB.
fn memory(pid: u32) -> (u64, u64) {
    let [rss, peak] = status(pid, ["VmRSS", "VmHWM"]);
    (rss, peak)
}

/// Resets the peak (VmHWM) of a process: writing 5 to clear_refs.
fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// (RssAnon, RssFile, RssShmem) of a process, in MB: memory of its own, pages of files it maps
/// (its binary's code among them), shared memory (SQLite's WAL index).
fn parts(pid: u32) -> (u64, u64, u64) {
    let [anon, file, shmem] = status(pid, ["RssAnon", "RssFile", "RssShmem"]);
    (anon, file, shmem)
}

/// What the server's allocator says (`/metrics`): (allocated, resident) in MB.
async fn allocator(client: &reqwest::Client, base: &str) -> (u64, u64) {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let gauge = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map_or(0, |bytes| (bytes / 1_048_576.0) as u64)
    };
    (
        gauge("licentia_memory_allocated_bytes"),
        gauge("licentia_memory_resident_bytes"),
    )
}

async fn seed(url: &str) {
    let db = domain::Db::connect_and_migrate(url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    let root = seed::root_with_room(&db, 300_000).await;
    seed::users(&db, root.id, "user", USERS).await;
    db.close().await.unwrap();
}

fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "licentia-bench-boundary";
    let mut body = Vec::new();
    for (name, value) in [("mode", "add"), ("locale", "nl")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"groot.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Samples the process's memory until `done` answers true; answers the highest VmRSS seen.
async fn watch<F, Fut>(pid: u32, mut done: F) -> u64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut peak = 0;
    while !done().await {
        peak = peak.max(memory(pid).0);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    peak.max(memory(pid).1)
}

/// The lowest VmRSS over the next `seconds`, and the last.
async fn settle(pid: u32, seconds: u64) -> (u64, u64) {
    let mut lowest = u64::MAX;
    let mut last = 0;
    for _ in 0..seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        last = memory(pid).0;
        lowest = lowest.min(last);
    }
    (lowest, last)
}

#[tokio::main]
async fn main() {
    let bin = std::env::var("LICENTIA_BIN").unwrap_or_else(|_| "target/release/licentia".into());
    assert!(
        std::path::Path::new(&bin).exists(),
        "no release binary at {bin}: scripts/release.sh"
    );
    let dir = std::env::temp_dir().join(format!("licentia-memory-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("memory.db").display());
    println!("seeding {USERS} users…");
    seed(&url).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server(
        Command::new(&bin)
            .args(["serve", "--no-demo"])
            .env("LICENTIA_DATABASE_URL", &url)
            .env("LICENTIA_OUTBOX_DIR", "off")
            .env("LICENTIA_JOB_POLL_MS", "200")
            .env("LEPTOS_OUTPUT_NAME", "licentia")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let started = Instant::now();
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(started.elapsed() < Duration::from_secs(60), "never ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login = seed::sign_in(&client, &base).await.unwrap();
    assert_eq!(login.status(), 200);
    let page = client.get(format!("{base}/admin")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let _ = page.bytes().await.unwrap();
    let (idle_low, idle) = settle(pid, 5).await;
    println!("idle after one administrator page load, {USERS} users: {idle} MB (lowest {idle_low} MB; goal under 100)");
    let (allocated, resident) = allocator(&client, &base).await;
    let (anon, file, shmem) = parts(pid);
    println!(
        "  allocator: {allocated} MB allocated, {resident} MB resident; \
         process: {anon} MB anonymous, {file} MB file pages, {shmem} MB shared"
    );

    // A 100,000-row import, uploaded and applied by the worker.
    let mut file = String::from("Actie;Gebruikersnaam;Voornaam;Achternaam;E-mail");
    for i in 0..IMPORTED {
        file.push_str(&format!(
            "\n+;import.{i:06};Imre;Import {i};import.{i:06}@school.example"
        ));
    }
    reset_peak(pid);
    let (content_type, body) = multipart(file.as_bytes());
    let started = Instant::now();
    let run = client
        .post(format!("{base}/api/start_import"))
        .header("content-type", content_type)
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        run.status(),
        200,
        "{}",
        run.text().await.unwrap_or_default()
    );
    let run: Uuid = serde_json::from_str(&run.text().await.unwrap()).unwrap();
    let peak = watch(pid, || {
        let client = client.clone();
        let base = base.clone();
        async move {
            let status = client
                .post(format!("{base}/api/import_status"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(format!("run={run}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            status.contains("\"done\"") || status.contains("\"failed\"")
        }
    })
    .await;
    println!(
        "import of {IMPORTED} rows: {:.1} s, peak {peak} MB (VmHWM)",
        started.elapsed().as_secs_f64()
    );
    let (low, last) = settle(pid, 60).await;
    println!("  60 s after the import: {last} MB (lowest {low} MB; goal under 100)");
    let (allocated, resident) = allocator(&client, &base).await;
    let (anon, file, shmem) = parts(pid);
    println!(
        "  allocator: {allocated} MB allocated, {resident} MB resident; \
         process: {anon} MB anonymous, {file} MB file pages, {shmem} MB shared"
    );

    // An .xlsx export of every user (200,000 now).
    reset_peak(pid);
    let started = Instant::now();
    let export = client
        .get(format!("{base}/admin/users/export.xlsx?all=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    // The answer starts before the file is made: the time to it against the whole download.
    let answered = started.elapsed().as_secs_f64();
    let bytes = export.bytes().await.unwrap().len();
    let (_, peak) = memory(pid);
    println!(
        "export of every user (.xlsx, {:.1} MB): {:.1} s, answered after {answered:.2} s, \
         peak {peak} MB (VmHWM)",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let (low, last) = settle(pid, 60).await;
    println!("  60 s after the export: {last} MB (lowest {low} MB; goal under 100)");
    let (allocated, resident) = allocator(&client, &base).await;
    let (anon, file, shmem) = parts(pid);
    println!(
        "  allocator: {allocated} MB allocated, {resident} MB resident; \
         process: {anon} MB anonymous, {file} MB file pages, {shmem} MB shared"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
