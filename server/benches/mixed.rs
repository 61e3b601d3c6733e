//! `cargo bench -p licentia --bench mixed`: see BENCHMARKS.md.
//!
//! Mixed load for 60 s on SQLite, on the real router over TCP with the import worker running
//! in the same process (as `licentia serve` does): password sign-ins, licence checks by an
//! application's token for random users, user-list reads by an administrator, and an import
//! of 20,000 rows applied meanwhile. Every request must succeed (no SQLITE_BUSY, no 5xx, no
//! 503); the p50 and p99 of each kind are reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

#[path = "support/seed.rs"]
mod seed;

const SECONDS: u64 = 60;
const PUPILS: usize = 2_000;
const IMPORTED: usize = 20_000;

#[derive(Default)]
struct Kind {
    times: Mutex<Vec<Duration>>,
    errors: Mutex<Vec<String>>,
}

impl Kind {
    fn record(&self, started: Instant, outcome: Result<u16, String>) {
        match outcome {
            Ok(status) if (200..300).contains(&status) => {
                self.times.lock().unwrap().push(started.elapsed())
            }
            Ok(status) => self.errors.lock().unwrap().push(format!("status {status}")),
            Err(err) => self.errors.lock().unwrap().push(err),
        }
    }

    fn report(&self, name: &str) -> bool {
        let mut times = self.times.lock().unwrap().clone();
        times.sort();
        let at = |q: f64| {
            times
                .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        let errors = self.errors.lock().unwrap();
        println!(
            "{name:<28} {:>7} done, {:>3} errors, p50 {:>8.2} ms, p99 {:>8.2} ms",
            times.len(),
            errors.len(),
            at(0.50),
            at(0.99)
        );
        if !errors.is_empty() {
            println!("  first errors: {:?}", &errors[..errors.len().min(5)]);
        }
        errors.is_empty()
    }
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-mixed-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("mixed.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    domain::products::insert_product(&db, "reader", "Reader")
        .await
        .unwrap();
    let root = seed::root_with_room(&db, 100_000).await;
    let created = seed::licensed_pupils(&db, root.id, "61000001", PUPILS).await;
    let pupils: Vec<Uuid> = created.iter().map(|u| u.public_id).collect();
    let admin_id = domain::auth::sign_in(
        &db,
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD,
        None,
    )
    .await
    .unwrap()
    .user_id;
    let admin = domain::Principal::load(&db, admin_id).await.unwrap();
    let party =
        domain::api_tokens::create_service_account(&db, &admin, root.public_id, "Mixed app", true)
            .await
            .unwrap();
    let token = domain::api_tokens::issue(
        &db,
        &admin,
        party.public_id,
        domain::api_tokens::NewToken {
            name: "mixed".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        wire::time::today(),
    )
    .await
    .unwrap()
    .secret;

    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let config = licentia::config::Config::from_env();
    let router = licentia::routes::app(&config, db.clone(), leptos);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    tokio::spawn(licentia::workers::jobs::JobWorker::new(db.clone(), &config).run());

    let stop = Arc::new(AtomicBool::new(false));
    let (sign_ins, checks, lists, import) = (
        Arc::new(Kind::default()),
        Arc::new(Kind::default()),
        Arc::new(Kind::default()),
        Arc::new(Kind::default()),
    );
    let mut tasks = Vec::new();
    // Two people signing in over and over.
    for _ in 0..2 {
        let (kind, stop, base) = (sign_ins.clone(), stop.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let outcome = seed::sign_in(&client, &base).await;
                kind.record(
                    started,
                    outcome
                        .map(|r| r.status().as_u16())
                        .map_err(|e| e.to_string()),
                );
            }
        }));
    }
    // Eight application connections checking random users' licences.
    for worker in 0..8u64 {
        let (kind, stop, base, token) = (checks.clone(), stop.clone(), base.clone(), token.clone());
        let pupils = pupils.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = worker as usize * 7919;
            while !stop.load(Ordering::Relaxed) {
                n = (n * 31 + 17) % pupils.len();
                let started = Instant::now();
                let outcome = client
                    .get(format!(
                        "{base}/api/v1/users/{}/licence?product=reader",
                        pupils[n]
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await;
                kind.record(
                    started,
                    outcome
                        .map(|r| r.status().as_u16())
                        .map_err(|e| e.to_string()),
                );
            }
        }));
    }
    // Two administrators reading the user list.
    for _ in 0..2 {
        let (kind, stop, base) = (lists.clone(), stop.clone(), base.clone());
        let site = root.public_id;
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
            seed::sign_in(&client, &base).await
                .unwrap();
            let mut page = 0;
            while !stop.load(Ordering::Relaxed) {
                page = (page + 1) % 40;
                let started = Instant::now();
                let outcome = client
                    .post(format!("{base}/api/list_users"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(format!(
                        "site={site}&filter[search]=&filter[include_subsites]=true&filter[sort]=name&filter[descending]=false&filter[page]={page}"
                    ))
                    .send()
                    .await;
                kind.record(started, outcome.map(|r| r.status().as_u16()).map_err(|e| e.to_string()));
            }
        }));
    }
    // The import: started after 5 s, applied by the worker while the rest goes on.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut file = String::from("Actie;Gebruikersnaam;Voornaam;Achternaam");
    for i in 0..IMPORTED {
        file.push_str(&format!("\n+;import.{i:06};Imre;Import {i}"));
    }
    let started = Instant::now();
    let run = domain::import::start(
        &db,
        &admin,
        root.public_id,
        domain::import::Upload {
            file_name: "mixed.csv".into(),
            content: file.into_bytes(),
            options: domain::import::Options {
                mode: domain::import::Mode::AddOnly,
                allow_deletes: false,
                sync: false,
            },
            locale: "nl".into(),
            teacher_role: None,
        },
        domain::import::Limits::default(),
    )
    .await
    .unwrap();
    loop {
        let status = domain::import::status(&db, &admin, run).await.unwrap();
        if matches!(status.status, wire::RunState::Done | wire::RunState::Failed) {
            let ok = status.status == wire::RunState::Done && status.errors == 0;
            import.record(started, if ok { Ok(200) } else { Ok(500) });
            println!(
                "import of {IMPORTED} rows: {} in {:.1} s ({} added, {} errors)",
                status.status.as_str(),
                started.elapsed().as_secs_f64(),
                status.added,
                status.errors
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed().as_secs() + 5;
    tokio::time::sleep(Duration::from_secs(SECONDS.saturating_sub(elapsed))).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    println!("mixed load for {SECONDS} s on SQLite:");
    let clean = [
        sign_ins.report("password sign-ins"),
        checks.report("licence checks"),
        lists.report("user list reads"),
        import.report("import (whole run)"),
    ];
    println!(
        "errors: {}",
        if clean.iter().all(|c| *c) {
            "none"
        } else {
            "SOME (see above)"
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}
