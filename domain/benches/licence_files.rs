//! Licence-file issuance against a bare Ed25519 signature of the same bytes, in the same run:
//!
//! - bare: `SigningKey::sign` over a file's signing input (its header and claims), the least
//!   any issuer does;
//! - issue, warm: `licence_files::issue` by an application for USERS distinct users in turn,
//!   with the process's cache holding their facts (access decided, claims built and
//!   serialised, signed) — an application renewing its users' files;
//! - issue, cold: the same with the cache off, so that every file reads the user, their site
//!   ancestry, their licences and the signing key (the first file of each user).
//!
//! Each figure is the median of ROUNDS rounds (default 15) of a pass over the users (bare: the
//! same number of signatures). `cargo bench -p domain --bench licence_files` (USERS=… for the
//! number of users, default 1,000; DATABASE_URL for an empty PostgreSQL database instead of a
//! fresh SQLite file).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::entities::{licence, subscription};
use domain::licence_files::{self, Request};
use ed25519_dalek::{Signer, SigningKey};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

fn var(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let n = var("USERS", 1_000);
    let rounds = var("ROUNDS", 15);
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}", dir.join("licence-files.db").display())
    });
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    if db.backend() == sea_orm::DbBackend::Postgres {
        // As a server process does: caching only while it hears the others' changes.
        tokio::spawn(domain::cache::listen(db.clone()));
        while domain::cache::listening() != Some(true) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let limit = i32::try_from(n + 10).unwrap();
    let root = domain::sites::insert_root(&db, "Bench", limit)
        .await
        .unwrap();
    domain::products::insert_product(&db, "reader", "Reader")
        .await
        .unwrap();
    let today = wire::time::today();
    let subscription = subscription::ActiveModel {
        serial: Set("90000001".into()),
        seats: Set(limit),
        valid_from: Set(today - chrono::Duration::days(30)),
        valid_until: Set(today + chrono::Duration::days(300)),
        locale: Set("nl".into()),
        site_id: Set(Some(root.id)),
        created_at: Set(Utc::now()),
        assigned: Set(i32::try_from(n).unwrap()),
        bundle_id: Set(None),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let admin = domain::users::NewUserForm {
        username: "bench.admin".into(),
        first_name: "Bench".into(),
        last_name: "Admin".into(),
        ..Default::default()
    }
    .validate()
    .await
    .unwrap();
    let txn = db.write().await.unwrap();
    let admin = domain::users::insert_unchecked(&*txn, root.id, admin)
        .await
        .unwrap();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let form = domain::users::NewUserForm {
            username: format!("pupil.{i:06}"),
            first_name: "Pupil".into(),
            last_name: format!("{i}"),
            ..Default::default()
        }
        .validate()
        .await
        .unwrap();
        let made = domain::users::insert_unchecked(&*txn, root.id, form)
            .await
            .unwrap();
        users.push(made.public_id);
        licence::ActiveModel {
            subscription_id: Set(subscription.id),
            user_id: Set(made.id),
            assigned_at: Set(Utc::now()),
            group_id: Set(None),
            ..Default::default()
        }
        .insert(&*txn)
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        admin.id,
        domain::roles::ADMINISTRATOR,
        root.id,
    )
    .await
    .unwrap();
    let admin = domain::Principal::load(&db, admin.id).await.unwrap();
    let app =
        domain::api_tokens::create_service_account(&db, &admin, root.public_id, "Bench app", true)
            .await
            .unwrap();
    let app = domain::Principal::load(&db, app.id).await.unwrap();
    let request = Request {
        product: Some("reader".into()),
        ..Default::default()
    };

    // The bytes a file signs, and a key of the same kind.
    let sample = licence_files::issue(&db, &app, users[0], &request, Utc::now())
        .await
        .unwrap();
    let input = sample.file[..sample.file.rfind('.').unwrap()].to_string();
    let key = SigningKey::from_bytes(&rand::random());

    let pass = |cold: bool| {
        let db = db.clone();
        let app = app.clone();
        let users = users.clone();
        let request = request.clone();
        async move {
            domain::cache::set_ttl(if cold {
                Duration::ZERO
            } else {
                Duration::from_secs(3600)
            });
            if !cold {
                // Warm: every user's facts read once before timing.
                for u in &users {
                    licence_files::issue(&db, &app, *u, &request, Utc::now())
                        .await
                        .unwrap();
                }
            }
            let started = Instant::now();
            for u in &users {
                let issued = licence_files::issue(&db, &app, *u, &request, Utc::now())
                    .await
                    .unwrap();
                std::hint::black_box(issued);
            }
            started.elapsed().as_secs_f64()
        }
    };
    let (mut bare, mut warm, mut cold) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        for _ in 0..n {
            std::hint::black_box(key.sign(std::hint::black_box(input.as_bytes())));
        }
        bare.push(started.elapsed().as_secs_f64());
        warm.push(pass(false).await);
        cold.push(pass(true).await);
    }
    let per_second = |secs: f64| n as f64 / secs;
    let (bare, warm, cold) = (median(bare), median(warm), median(cold));
    println!("database: {:?}, users: {n}, rounds: {rounds}", db.backend());
    println!("bare Ed25519 signatures/s: {:.0}", per_second(bare));
    println!(
        "issued files/s, cache warm: {:.0} (ratio {:.2} of bare)",
        per_second(warm),
        bare / warm
    );
    println!(
        "issued files/s, cache off:  {:.0} (ratio {:.2} of bare)",
        per_second(cold),
        bare / cold
    );
}
