//! `cargo bench -p domain --bench vendor_console` (and with `LICENTIA_BENCH_PG=<server url>`
//! on PostgreSQL too): see BENCHMARKS.md, "The vendor's console".
//!
//! 1,000 organisations (a root and 10 schools each, 11,000 sites) with 1,000,000 users, two
//! administrators each, and two or three subscriptions each (ended, running, some renewed in
//! advance). Times, as an operator:
//! - the customer list's first page (`domain::customers::list`: access check, count, page)
//!   sorted by name, and sorted by next expiry, each against the bare statement that reads the
//!   same figures (written out here, run on the same connection);
//! - a search by name;
//!
//! and, over a day of 1,000,000 usage events (sign-ins, refused sign-ins, application sessions
//! of three products), the daily roll-up (`domain::usage::roll_up_day`: counts per site and
//! product, peaks of concurrent sessions per site and ancestor, in one transaction) against a
//! bare aggregate of the same day's events per site and kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use domain::customers::CustomerQuery;
use domain::entities::user;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, Statement, Value};
use uuid::Uuid;
use wire::CustomerSort;

const ORGANISATIONS: usize = 1_000;
const SCHOOLS: usize = 10;
/// Timed rounds of the list measures on each database (the median is kept).
const ROUNDS: usize = 31;
/// Timed rounds of the roll-up (seconds each).
const ROLLUP_ROUNDS: usize = 5;
const WARM_UP: usize = 6;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The day the measures look at, and the day of the usage events.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 15).unwrap()
}

fn event_day() -> NaiveDate {
    today() - chrono::Duration::days(2)
}

/// The organisations and their schools; answers every school's id, organisation by
/// organisation.
async fn seed_sites(db: &domain::Db) -> Vec<Vec<i32>> {
    let mut organisations = Vec::with_capacity(ORGANISATIONS);
    for chunk in (0..ORGANISATIONS).collect::<Vec<_>>().chunks(50) {
        let txn = db.write().await.unwrap();
        for &o in chunk {
            let root =
                domain::sites::insert_site(&*txn, None, &format!("Scholengroep {o:04}"), 2_000)
                    .await
                    .unwrap();
            let mut schools = Vec::with_capacity(SCHOOLS + 1);
            schools.push(root.id);
            for s in 0..SCHOOLS {
                let school = domain::sites::insert_site(
                    &*txn,
                    Some(&[root.id]),
                    &format!("School {o:04}-{s:02}"),
                    150,
                )
                .await
                .unwrap();
                schools.push(school.id);
            }
            organisations.push(schools);
        }
        txn.commit().await.unwrap();
    }
    organisations
}

/// `count` users spread evenly over the organisations' schools, 1,000 to a statement; then
/// the sites' counters, as the domain keeps them.
async fn seed_users(db: &domain::Db, organisations: &[Vec<i32>], count: usize) -> Vec<(i32, i32)> {
    let now = Utc::now();
    let mut batch = Vec::with_capacity(1000);
    let txn = db.write().await.unwrap();
    for i in 0..count {
        let schools = &organisations[i % ORGANISATIONS];
        let site = schools[1 + (i / ORGANISATIONS) % SCHOOLS];
        batch.push(user::ActiveModel {
            public_id: Set(Uuid::new_v4()),
            site_id: Set(site),
            username: Set(format!("user{i:07}")),
            first_name: Set("Anna".into()),
            last_name: Set(format!("Peeters {i}")),
            email_verified: Set(false),
            active: Set(true),
            must_change_password: Set(false),
            created_at: Set(now),
            is_operator: Set(false),
            service_account: Set(false),
            ..Default::default()
        });
        if batch.len() == 1000 || i + 1 == count {
            user::Entity::insert_many(std::mem::take(&mut batch))
                .exec(&*txn)
                .await
                .unwrap();
        }
    }
    txn.execute_unprepared(
        "UPDATE sites SET own_users = (SELECT COUNT(*) FROM users WHERE users.site_id = sites.id), \
         used_seats = (SELECT COUNT(*) FROM users WHERE users.site_id = sites.id) \
           + COALESCE((SELECT SUM(c.seat_limit) FROM sites c WHERE c.parent_id = sites.id), 0)",
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT id, site_id FROM users ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "site_id").unwrap(),
            )
        })
        .collect()
}

/// Two administrators per organisation (one with an e-mail address and a sign-in), and two
/// or three subscriptions: one ended, one running (ending within a year), and for a third of
/// them a renewal claimed in advance.
async fn seed_customers(db: &domain::Db, organisations: &[Vec<i32>], users: &[(i32, i32)]) {
    let today = today();
    let txn = db.write().await.unwrap();
    for (o, schools) in organisations.iter().enumerate() {
        let root = schools[0];
        // The organisation's first two users (users are dealt round the organisations).
        for (k, &(user_id, _)) in [users[o], users[o + ORGANISATIONS]].iter().enumerate() {
            domain::roles::grant_builtin_unchecked(
                &*txn,
                user_id,
                domain::roles::ADMINISTRATOR,
                root,
            )
            .await
            .unwrap();
            if k == 0 {
                user::Entity::update(user::ActiveModel {
                    id: Set(user_id),
                    email: Set(Some(format!("admin{o}@school.example"))),
                    last_sign_in_at: Set(Some(Utc::now() - chrono::Duration::hours(o as i64))),
                    ..Default::default()
                })
                .exec(&*txn)
                .await
                .unwrap();
            }
        }
        let days = |n: i64| today + chrono::Duration::days(n);
        let ends = 1 + (o as i64 * 7) % 360;
        let mut subscriptions = vec![
            (days(ends - 730), days(ends - 366), 900),
            (days(ends - 365), days(ends), 1_000),
        ];
        if o % 3 == 0 {
            subscriptions.push((days(ends + 1), days(ends + 366), 1_100));
        }
        for (n, (from, until, seats)) in subscriptions.into_iter().enumerate() {
            domain::entities::subscription::ActiveModel {
                serial: Set(format!("{:08}", 10_000_000 + o * 10 + n)),
                seats: Set(seats),
                assigned: Set(if until >= today && from <= today {
                    800
                } else {
                    0
                }),
                valid_from: Set(from),
                valid_until: Set(until),
                contact_email: Set(Some(format!("contact{o}@school.example"))),
                locale: Set("nl".into()),
                site_id: Set(Some(root)),
                claimed_at: Set(Some(Utc::now())),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&*txn)
            .await
            .unwrap();
        }
    }
    txn.commit().await.unwrap();
}

/// A day of `count` usage events as users make them: a user signs in (after a refused
/// attempt once in twenty times), then opens two to four application sessions of three
/// products, each 5 minutes to 2 hours, over the school day; users drawn from all of them.
/// Written in time order (as they are logged), 1,000 to a statement.
async fn seed_events(db: &domain::Db, users: &[(i32, i32)], count: usize) {
    let start = wire::time::from_local(event_day().and_hms_opt(7, 0, 0).unwrap());
    let mut dice: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut roll = move |n: u64| {
        dice = dice
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (dice >> 33) % n
    };
    // Made user by user, logged as they happen: in time order.
    let mut made = Vec::with_capacity(count + 8);
    while made.len() < count {
        let (user_id, site_id) = users[roll(users.len() as u64) as usize];
        let mut at = start + chrono::Duration::seconds(roll(9 * 3600) as i64);
        if roll(20) == 0 {
            made.push((
                at,
                domain::usage::SIGN_IN_FAILED,
                user_id,
                site_id,
                None,
                None,
            ));
        }
        made.push((at, domain::usage::SIGN_IN, user_id, site_id, None, None));
        for _ in 0..2 + roll(3) {
            at += chrono::Duration::seconds(roll(1800) as i64);
            let ended = at + chrono::Duration::seconds(300 + roll(6900) as i64);
            made.push((
                at,
                domain::usage::APP_SESSION,
                user_id,
                site_id,
                Some(1 + roll(3) as i32),
                Some(ended),
            ));
        }
    }
    made.truncate(count);
    made.sort_by_key(|e| e.0);
    let txn = db.write_uncached().await.unwrap();
    for (n, chunk) in made.chunks(1000).enumerate() {
        let mut sql = String::new();
        let mut values: Vec<Value> = Vec::with_capacity(7_000);
        for (i, (at, kind, user_id, site_id, product, ended)) in chunk.iter().enumerate() {
            if !sql.is_empty() {
                sql.push_str(", ");
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?)");
            let session = (n * 1000 + i) as i32;
            values.extend([
                (*at).into(),
                (*kind).into(),
                (*user_id).into(),
                (*site_id).into(),
                (*product).into(),
                product.map(|_| session).into(),
                (*ended).into(),
            ]);
        }
        let text = format!(
            "INSERT INTO usage_events (at, kind, user_id, site_id, product_id, session_id, \
             ended_at) VALUES {sql}"
        );
        txn.execute_raw(statement(db.backend(), &text, values))
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
}

/// `?` placeholders as the backend writes them.
fn statement(backend: sea_orm::DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let text = match backend {
        sea_orm::DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// The figures of a page of customers as one would write them by hand: the organisations'
/// roots with their counters, the subscriptions and the administrators summed per
/// organisation, ordered and cut to a page.
fn bare_page(backend: sea_orm::DbBackend, order: &str) -> String {
    // The administrators by their grants, looked up one by one (an array on PostgreSQL).
    let grants = "SELECT g.user_id FROM role_grants g JOIN roles r ON r.id = g.role_id \
        WHERE r.builtin_key IS NULL OR r.builtin_key NOT IN ('user', 'application')";
    let named = match backend {
        sea_orm::DbBackend::Postgres => format!("u.id = ANY(ARRAY({grants}))"),
        _ => format!("u.id IN ({grants})"),
    };
    format!(
        "SELECT s.id, s.public_id, s.name, s.seat_limit, s.used_seats, s.created_at, \
           sub.assigned, sub.valid_seats, sub.upcoming, sub.current_count, sub.ended, \
           sub.next_expiry, adm.administrators, adm.with_email, adm.last_sign_in \
         FROM sites s \
         LEFT JOIN ( \
           SELECT site_id, \
             SUM(CASE WHEN valid_from <= ?1 AND valid_until >= ?1 THEN assigned ELSE 0 END) AS assigned, \
             SUM(CASE WHEN valid_from <= ?1 AND valid_until >= ?1 THEN seats ELSE 0 END) AS valid_seats, \
             SUM(CASE WHEN activation_batch_id IS NULL AND valid_from > ?1 THEN 1 ELSE 0 END) AS upcoming, \
             SUM(CASE WHEN activation_batch_id IS NULL AND valid_from <= ?1 AND valid_until >= ?1 \
               THEN 1 ELSE 0 END) AS current_count, \
             SUM(CASE WHEN activation_batch_id IS NULL AND valid_until < ?1 THEN 1 ELSE 0 END) AS ended, \
             MIN(CASE WHEN activation_batch_id IS NULL AND valid_until >= ?1 THEN valid_until END) \
               AS next_expiry \
           FROM subscriptions WHERE site_id IS NOT NULL GROUP BY site_id \
         ) sub ON sub.site_id = s.id \
         LEFT JOIN ( \
           SELECT u.organisation_id, COUNT(*) AS administrators, COUNT(u.email) AS with_email, \
             MAX(u.last_sign_in_at) AS last_sign_in \
           FROM users u WHERE {named} AND NOT u.service_account \
           GROUP BY u.organisation_id \
         ) adm ON adm.organisation_id = s.id \
         WHERE s.parent_id IS NULL AND NOT s.is_vendor \
         ORDER BY {order} LIMIT 25"
    )
}

/// The bare page, with the day as its one parameter (`?1` on SQLite, `$1` on PostgreSQL).
fn bare(backend: sea_orm::DbBackend, order: &str) -> Statement {
    let sql = bare_page(backend, order);
    let sql = match backend {
        sea_orm::DbBackend::Postgres => sql.replace("?1", "$1"),
        _ => sql,
    };
    Statement::from_sql_and_values(backend, sql, vec![today().into()])
}

/// The same day's events summed per site and kind, with the distinct users: what any report
/// on them reads.
fn bare_aggregate(backend: sea_orm::DbBackend) -> Statement {
    let (start, end) = day_bounds();
    statement(
        backend,
        "SELECT site_id, kind, COUNT(*) AS n, COUNT(DISTINCT user_id) AS users \
         FROM usage_events WHERE at >= ? AND at < ? GROUP BY site_id, kind",
        vec![start.into(), end.into()],
    )
}

fn day_bounds() -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let day = event_day();
    (
        wire::time::from_local(day.and_hms_opt(0, 0, 0).unwrap()),
        wire::time::from_local(
            (day + chrono::Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        ),
    )
}

struct Subject {
    name: &'static str,
    db: domain::Db,
    operator: domain::Principal,
}

async fn prepare(name: &'static str, db: domain::Db, users: usize, events: usize) -> Subject {
    let t = Instant::now();
    let organisations = seed_sites(&db).await;
    let seeded = seed_users(&db, &organisations, users).await;
    seed_customers(&db, &organisations, &seeded).await;
    seed_events(&db, &seeded, events).await;
    let settle: &[&str] = match db.backend() {
        sea_orm::DbBackend::Postgres => &["VACUUM ANALYZE", "CHECKPOINT"],
        _ => &["ANALYZE"],
    };
    for statement in settle {
        db.conn().execute_unprepared(statement).await.unwrap();
    }
    println!(
        "  {name}: seeded {} organisations, {users} users, {events} usage events in {:.0?}",
        organisations.len(),
        t.elapsed()
    );
    let form = domain::users::NewUserForm {
        username: "bench.operator".into(),
        first_name: "Olga".into(),
        last_name: "Operator".into(),
        password: "Operator-2026".into(),
        ..Default::default()
    };
    domain::operators::create(&db, form).await.unwrap();
    let operator_id = user::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "bench.operator")
        .unwrap()
        .id;
    let operator = domain::Principal::load(&db, operator_id).await.unwrap();
    Subject { name, db, operator }
}

#[derive(Clone, Copy)]
enum Measure {
    ByName,
    BareByName,
    ByExpiry,
    BareByExpiry,
    Searched,
}

impl Subject {
    async fn list(&self, sort: CustomerSort, search: &str) -> wire::CustomerPage {
        let query = CustomerQuery {
            search: search.into(),
            sort,
            ..CustomerQuery::default()
        };
        domain::customers::list(&self.db, &self.operator, query, today())
            .await
            .unwrap()
    }

    async fn once(&self, measure: Measure) {
        let conn = self.db.conn();
        match measure {
            Measure::ByName => {
                self.list(CustomerSort::Name, "").await;
            }
            Measure::BareByName => {
                let rows = conn
                    .query_all_raw(bare(self.db.backend(), "s.name, s.id"))
                    .await
                    .unwrap();
                assert_eq!(rows.len(), 25);
            }
            Measure::ByExpiry => {
                self.list(CustomerSort::NextExpiry, "").await;
            }
            Measure::BareByExpiry => {
                let order = "CASE WHEN sub.next_expiry IS NULL THEN 1 ELSE 0 END, \
                             sub.next_expiry, s.name, s.id";
                let rows = conn
                    .query_all_raw(bare(self.db.backend(), order))
                    .await
                    .unwrap();
                assert_eq!(rows.len(), 25);
            }
            Measure::Searched => {
                let page = self.list(CustomerSort::Name, "groep 004").await;
                assert_eq!(page.total, 10);
            }
        }
    }

    /// Checks that the domain and the bare statement give the same page.
    async fn check(&self) {
        let page = self.list(CustomerSort::NextExpiry, "").await;
        assert_eq!(page.total, ORGANISATIONS as u64);
        let order = "CASE WHEN sub.next_expiry IS NULL THEN 1 ELSE 0 END, \
                     sub.next_expiry, s.name, s.id";
        let rows = self
            .db
            .conn()
            .query_all_raw(bare(self.db.backend(), order))
            .await
            .unwrap();
        let names: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("", "name").unwrap())
            .collect();
        let listed: Vec<String> = page.rows.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, listed);
        assert!(page.rows.iter().all(|r| r.administrators == 2));
        assert!(page.rows.iter().all(|r| r.seats_used > 0));
    }
}

async fn timed(subject: &Subject, measures: [Measure; 2], rounds: usize) -> (Duration, Duration) {
    for _ in 0..WARM_UP.min(rounds) {
        subject.once(measures[0]).await;
        subject.once(measures[1]).await;
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let t = Instant::now();
            subject.once(measures[which]).await;
            let time = t.elapsed();
            if which == 0 {
                a.push(time);
            } else {
                b.push(time);
            }
        }
    }
    (median(a), median(b))
}

async fn rollup(subject: &Subject) -> (Duration, Duration, usize) {
    let backend = subject.db.backend();
    let now = Utc.from_utc_datetime(&today().and_hms_opt(9, 0, 0).unwrap());
    domain::usage::roll_up_day(&subject.db, event_day(), now)
        .await
        .unwrap();
    let rows = subject
        .db
        .conn()
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM usage_days",
        ))
        .await
        .unwrap();
    let written: i64 = rows[0].try_get("", "n").unwrap();
    let (mut rolled, mut aggregated) = (Vec::new(), Vec::new());
    for round in 0..ROLLUP_ROUNDS {
        for which in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let t = Instant::now();
            if which == 0 {
                domain::usage::roll_up_day(&subject.db, event_day(), now)
                    .await
                    .unwrap();
                rolled.push(t.elapsed());
            } else {
                let rows = subject
                    .db
                    .conn()
                    .query_all_raw(bare_aggregate(backend))
                    .await
                    .unwrap();
                assert!(!rows.is_empty());
                aggregated.push(t.elapsed());
            }
        }
    }
    (median(rolled), median(aggregated), written as usize)
}

async fn run(subject: Subject) {
    subject.check().await;
    println!("{}:", subject.name);
    let line = |what: &str, measured: Duration, bare: Duration, goal: &str| {
        println!(
            "  {what:<44} {:>9.2} ms, bare {:>9.2} ms: ratio {:.2} ({goal})",
            ms(measured),
            ms(bare),
            measured.as_secs_f64() / bare.as_secs_f64()
        );
    };
    let (list, bare) = timed(&subject, [Measure::ByName, Measure::BareByName], ROUNDS).await;
    line(
        "customers, by name, page 1",
        list,
        bare,
        "goal ≤ 1.5, < 100 ms",
    );
    let (list, bare) = timed(&subject, [Measure::ByExpiry, Measure::BareByExpiry], ROUNDS).await;
    line(
        "customers, by next expiry, page 1",
        list,
        bare,
        "goal ≤ 1.5, < 100 ms",
    );
    let (searched, _) = timed(&subject, [Measure::Searched, Measure::Searched], ROUNDS).await;
    println!(
        "  {:<44} {:>9.2} ms",
        "customers searched \"groep 004\"",
        ms(searched)
    );
    let (rolled, aggregated, rows) = rollup(&subject).await;
    line(
        &format!("roll-up of a day ({rows} rows written)"),
        rolled,
        aggregated,
        "goal ≤ 1.5",
    );
}

#[allow(dead_code)] // the benchmark uses part of the helpers
#[path = "../../server/tests/it/support/databases.rs"]
mod databases;

#[tokio::main]
async fn main() {
    // The roll-up's phases with `RUST_LOG=domain::usage=info`.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let users: usize = std::env::var("LICENTIA_BENCH_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let events: usize = std::env::var("LICENTIA_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    if std::env::var("LICENTIA_BENCH_SQLITE").as_deref() != Ok("0") {
        let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let db = domain::Db::connect_and_migrate(&url).await.unwrap();
        run(prepare("SQLite", db.clone(), users, events).await).await;
        db.close().await.ok();
        if std::env::var("LICENTIA_BENCH_KEEP").as_deref() == Ok("1") {
            println!("  kept: {url}");
        } else {
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    if let Ok(server) = std::env::var("LICENTIA_BENCH_PG") {
        let url = databases::create_postgres(server.trim_end_matches('/'), "bench").await;
        let db = domain::Db::connect_and_migrate(&url).await.unwrap();
        run(prepare("PostgreSQL", db.clone(), users, events).await).await;
        db.close().await.ok();
        if std::env::var("LICENTIA_BENCH_KEEP").as_deref() == Ok("1") {
            println!("  kept: {url}");
        } else {
            databases::drop_postgres(&url).await;
        }
    }
}
