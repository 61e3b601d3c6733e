//! `cargo bench -p licentia --bench large_org` (and with `LICENTIA_BENCH_PG=<server url>` on
//! PostgreSQL too): see BENCHMARKS.md, "Large organisations".
//!
//! The same shape twice, with 10,000 and with 1,000,000 users: 100 organisations of 10 schools
//! of 49 classes (50,100 sites), the users spread evenly over the classes. Each run times, for
//! an administrator of one organisation (the domain's list call: access check, page, bounded
//! count, licences):
//! - the user list of the organisation with all its subsites, sorted by name, first page;
//! - the same list searched for a three-letter part of a name ("ert", about one user in ten);
//! - one school with its classes, sorted by name;
//!
//! and, for an operator, the first load of the tree (`domain::sites::outline` with a class
//! selected) and its statements. The figures that matter are the ratios of the large run to
//! the small one (goals in BENCHMARKS.md): a list that reads every row of the organisation grows
//! a hundredfold. Both databases of a kind are seeded first and then timed in turns, each
//! measure's rounds alternating between them, so that a busy moment of the machine falls on both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::entities::user;
use domain::users::{UserQuery, UserSort};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

const ORGANISATIONS: usize = 100;
const SCHOOLS: usize = 10;
const CLASSES: usize = 49;
/// Timed rounds of each measure on each database (the median is kept).
const ROUNDS: usize = 41;
/// Untimed calls first: PostgreSQL plans a prepared statement for its values five times before
/// it may keep a generic plan.
const WARM_UP: usize = 6;

struct Figures {
    sorted: Duration,
    searched: Duration,
    school: Duration,
    outline: Duration,
    outline_statements: usize,
    searched_rows: u64,
    searched_count: Duration,
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The organisations, schools and classes: one transaction per organisation.
async fn seed_sites(db: &domain::Db) -> Vec<(i32, Uuid, Vec<(i32, Uuid)>, Vec<i32>)> {
    let mut organisations = Vec::with_capacity(ORGANISATIONS);
    for o in 0..ORGANISATIONS {
        let txn = db.write().await.unwrap();
        let root =
            domain::sites::insert_site(&*txn, None, &format!("Scholengroep {o:03}"), 2_000_000)
                .await
                .unwrap();
        let mut schools = Vec::with_capacity(SCHOOLS);
        let mut classes = Vec::with_capacity(SCHOOLS * CLASSES);
        for s in 0..SCHOOLS {
            let school = domain::sites::insert_site(
                &*txn,
                Some(&[root.id]),
                &format!("School {o:03}-{s:02}"),
                100_000,
            )
            .await
            .unwrap();
            schools.push((school.id, school.public_id));
            for c in 0..CLASSES {
                let class = domain::sites::insert_site(
                    &*txn,
                    Some(&[school.id, root.id]),
                    &format!("Klas {o:03}-{s:02}-{c:02}"),
                    1_000,
                )
                .await
                .unwrap();
                classes.push(class.id);
            }
        }
        txn.commit().await.unwrap();
        organisations.push((root.id, root.public_id, schools, classes));
    }
    organisations
}

/// `count` users spread evenly over the organisations and their classes (the classes in
/// organisation order), inserted 1,000 to a statement.
async fn seed_users(db: &domain::Db, classes: &[i32], count: usize) {
    let names = [
        "Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
        "Wouters", "De Smet",
    ];
    let firsts = [
        "Anna", "Lucas", "Emma", "Noah", "Marie", "Louis", "Lena", "Arthur", "Nina", "Jan",
    ];
    let now = Utc::now();
    let per_org = classes.len() / ORGANISATIONS;
    let mut batch = Vec::with_capacity(1000);
    let txn = db.write().await.unwrap();
    for i in 0..count {
        batch.push(user::ActiveModel {
            public_id: Set(Uuid::new_v4()),
            // Round the organisations first, then their classes: each organisation gets a
            // hundredth of the users, spread over all its classes.
            site_id: Set(classes[(i % ORGANISATIONS) * per_org + (i / ORGANISATIONS) % per_org]),
            username: Set(format!("user{i:07}")),
            first_name: Set(firsts[(i / 7) % 10].to_string()),
            last_name: Set(format!("{} {}", names[(i / 13) % 10], i)),
            email: Set(None),
            email_verified: Set(false),
            password_hash: Set(None),
            active: Set(true),
            expires_on: Set(None),
            must_change_password: Set(false),
            locale: Set(None),
            created_at: Set(now),
            last_sign_in_at: Set(None),
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
    // Statistics for the planners, as a live database keeps them; on PostgreSQL the table
    // vacuumed too, so that autovacuum does not run during the measures (it did, on 2 cores).
    // On PostgreSQL the bulk load's checkpoint is done before the measures, not during them.
    let settle: &[&str] = match db.backend() {
        sea_orm::DbBackend::Postgres => &["VACUUM ANALYZE", "CHECKPOINT"],
        _ => &["ANALYZE"],
    };
    for statement in settle {
        db.conn().execute_unprepared(statement).await.unwrap();
    }
}

/// Statements seen, with their times.
type Watched = Vec<(Duration, String)>;

/// One seeded database and what its measures ask of it.
struct Subject {
    db: domain::Db,
    admin: domain::Principal,
    operator: domain::Principal,
    organisation: Uuid,
    school: Uuid,
    class: Uuid,
    searched_rows: u64,
    outline_statements: usize,
}

/// What is timed, once a round on each database.
#[derive(Clone, Copy)]
enum Measure {
    Sorted,
    Searched,
    SearchedCount,
    School,
    Outline,
}

impl Subject {
    /// What the administrator page waits for: the page (its count only when the sites'
    /// counters give it); a filtered list's count is asked after it.
    async fn list(
        &self,
        site: Uuid,
        search: &str,
        include_subsites: bool,
    ) -> domain::users::ListedPage {
        let query = UserQuery {
            search: search.into(),
            include_subsites,
            sort: UserSort::Name,
            ..UserQuery::default()
        };
        domain::users::page(&self.db, &self.admin, site, query)
            .await
            .unwrap()
    }

    async fn count(&self, search: &str) -> u64 {
        let query = UserQuery {
            search: search.into(),
            include_subsites: true,
            ..UserQuery::default()
        };
        domain::users::count_users(&self.db, &self.admin, self.organisation, query)
            .await
            .unwrap()
            .total
    }

    async fn once(&self, measure: Measure) {
        match measure {
            Measure::Sorted => {
                self.list(self.organisation, "", true).await;
            }
            Measure::Searched => {
                self.list(self.organisation, "ert", true).await;
            }
            Measure::SearchedCount => {
                self.count("ert").await;
            }
            Measure::School => {
                self.list(self.school, "", true).await;
            }
            Measure::Outline => {
                domain::sites::outline(&self.db, &self.operator, Some(self.class))
                    .await
                    .unwrap();
            }
        }
    }
}

/// Seeds `db` with `users` users and prepares the measures (checking what they return, and
/// printing the statements of the pages).
async fn prepare(mut db: domain::Db, users: usize) -> Subject {
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    // The statements of one call, with their times, when asked for (to tell where a page's
    // time goes).
    let watched: Arc<std::sync::Mutex<Option<Watched>>> = Arc::default();
    let watch = watched.clone();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut watch) = watch.lock() {
            if let Some(seen) = watch.as_mut() {
                seen.push((info.elapsed, info.statement.sql.chars().take(90).collect()));
            }
        }
    });
    let t = Instant::now();
    let organisations = seed_sites(&db).await;
    let all_classes: Vec<i32> = organisations
        .iter()
        .flat_map(|(_, _, _, classes)| classes.iter().copied())
        .collect();
    seed_users(&db, &all_classes, users).await;
    println!(
        "  seeded {} sites and {users} users in {:.0?}",
        all_classes.len() + ORGANISATIONS * (SCHOOLS + 1),
        t.elapsed()
    );

    // An administrator of organisation 42, and an operator.
    let (org, org_public, schools, _) = &organisations[42];
    let admin_user = insert_user(&db, *org, "org.admin").await;
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        admin_user,
        domain::roles::ADMINISTRATOR,
        *org,
    )
    .await
    .unwrap();
    let admin = domain::Principal::load(&db, admin_user).await.unwrap();
    let operator_user = insert_user(&db, *org, "bench.operator").await;
    user::Entity::update(user::ActiveModel {
        id: Set(operator_user),
        is_operator: Set(true),
        ..Default::default()
    })
    .exec(db.conn())
    .await
    .unwrap();
    let operator = domain::Principal::load(&db, operator_user).await.unwrap();
    let class = domain::entities::site::Entity::find_by_id(all_classes[42 * SCHOOLS * CLASSES + 7])
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id;
    let mut subject = Subject {
        db: db.clone(),
        admin,
        operator,
        organisation: *org_public,
        school: schools[3].1,
        class,
        searched_rows: 0,
        outline_statements: 0,
    };

    let page = subject.list(*org_public, "", true).await;
    assert_eq!(page.rows.len(), 25);
    assert!(page
        .count
        .is_some_and(|c| c.exact && c.total as usize >= users / ORGANISATIONS));
    subject.searched_rows = subject.count("ert").await;
    for (what, search) in [("sorted", ""), ("searched", "ert")] {
        *watched.lock().unwrap() = Some(Vec::new());
        subject.list(*org_public, search, true).await;
        let mut seen = watched.lock().unwrap().take().unwrap_or_default();
        seen.sort_by_key(|(time, _)| std::cmp::Reverse(*time));
        let times: Vec<String> = seen.iter().map(|(t, _)| format!("{:.2}", ms(*t))).collect();
        println!(
            "  {what} page: {} statements ({} ms), the slowest: {}",
            seen.len(),
            times.join(" + "),
            seen.first().map(|(_, sql)| sql.as_str()).unwrap_or("")
        );
    }
    let before = statements.load(Ordering::Relaxed);
    let outline = domain::sites::outline(&db, &subject.operator, Some(class))
        .await
        .unwrap();
    subject.outline_statements = statements.load(Ordering::Relaxed) - before;
    // The first organisations by name, and the class's (the 43rd, past them).
    assert_eq!(
        outline.roots.nodes.len(),
        ORGANISATIONS.min(domain::sites::ROOTS_SHOWN as usize) + 1
    );
    subject
}

/// Each measure's median on both databases, timed in turns (small, large, small, …) so that
/// both meet the same moments of a busy machine; each first called [`WARM_UP`] times.
async fn compare(small: &Subject, large: &Subject) -> (Figures, Figures) {
    let mut medians = Vec::new();
    for measure in [
        Measure::Sorted,
        Measure::Searched,
        Measure::SearchedCount,
        Measure::School,
        Measure::Outline,
    ] {
        for _ in 0..WARM_UP {
            small.once(measure).await;
            large.once(measure).await;
        }
        let (mut s, mut l) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
        for round in 0..ROUNDS {
            // Each database goes first in half the rounds.
            let order = if round % 2 == 0 {
                [small, large]
            } else {
                [large, small]
            };
            for subject in order {
                let t = Instant::now();
                subject.once(measure).await;
                let time = t.elapsed();
                if std::ptr::eq(subject, small) {
                    s.push(time)
                } else {
                    l.push(time)
                }
            }
        }
        medians.push((median(s), median(l)));
    }
    let figures = |pick: fn(&(Duration, Duration)) -> Duration, subject: &Subject| Figures {
        sorted: pick(&medians[0]),
        searched: pick(&medians[1]),
        searched_count: pick(&medians[2]),
        school: pick(&medians[3]),
        outline: pick(&medians[4]),
        outline_statements: subject.outline_statements,
        searched_rows: subject.searched_rows,
    };
    (figures(|m| m.0, small), figures(|m| m.1, large))
}

async fn insert_user(db: &domain::Db, site: i32, username: &str) -> i32 {
    let form = domain::users::NewUserForm {
        username: username.into(),
        first_name: "Bench".into(),
        last_name: "Mark".into(),
        ..Default::default()
    }
    .validate()
    .await
    .unwrap();
    let txn = db.write().await.unwrap();
    let created = domain::users::insert_unchecked(&*txn, site, form)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.id
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, small: &Figures, large: &Figures) {
    println!("{name}:");
    let line = |what: &str, s: Duration, l: Duration, goal: &str| {
        println!(
            "  {what:<48} {:>9.2} ms at 10,000 users, {:>9.2} ms at 1,000,000: ratio {:.2} ({goal})",
            ms(s),
            ms(l),
            l.as_secs_f64() / s.as_secs_f64()
        );
    };
    line(
        "organisation, all subsites, sorted, page 1",
        small.sorted,
        large.sorted,
        "goal at most 2",
    );
    line(
        &format!(
            "organisation, searched \"ert\" ({} / {} found)",
            small.searched_rows, large.searched_rows
        ),
        small.searched,
        large.searched,
        "goal at most 4",
    );
    line(
        "  its count, asked after the page",
        small.searched_count,
        large.searched_count,
        "",
    );
    line(
        "a school with its classes, sorted, page 1",
        small.school,
        large.school,
        "",
    );
    line(
        "operator's tree, a class selected",
        small.outline,
        large.outline,
        "",
    );
    println!(
        "  statements of the operator's tree: {} and {}",
        small.outline_statements, large.outline_statements
    );
}

/// A fresh SQLite file in its own directory.
async fn sqlite() -> (domain::Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    (domain::Db::connect_and_migrate(&url).await.unwrap(), dir)
}

/// A fresh PostgreSQL database on `server`.
async fn postgres(server: &str) -> (domain::Db, String) {
    let url = databases::create_postgres(server, "bench").await;
    (domain::Db::connect_and_migrate(&url).await.unwrap(), url)
}

#[allow(dead_code)] // the benchmark uses part of the helpers
#[path = "../tests/it/support/databases.rs"]
mod databases;

#[tokio::main]
async fn main() {
    let large: usize = std::env::var("LICENTIA_BENCH_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    // LICENTIA_BENCH_SQLITE=0 leaves SQLite out (to look at the PostgreSQL run alone).
    if std::env::var("LICENTIA_BENCH_SQLITE").as_deref() != Ok("0") {
        let ((small_db, small_dir), (large_db, large_dir)) = (sqlite().await, sqlite().await);
        println!("SQLite, 10,000 users…");
        let small = prepare(small_db.clone(), 10_000).await;
        println!("SQLite, {large} users…");
        let big = prepare(large_db.clone(), large).await;
        let (small_figures, large_figures) = compare(&small, &big).await;
        report("SQLite", &small_figures, &large_figures);
        for (db, dir) in [(small_db, small_dir), (large_db, large_dir)] {
            db.close().await.ok();
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    if let Ok(server) = std::env::var("LICENTIA_BENCH_PG") {
        let server = server.trim_end_matches('/');
        let ((small_db, small_url), (large_db, large_url)) =
            (postgres(server).await, postgres(server).await);
        println!("PostgreSQL, 10,000 users…");
        let small = prepare(small_db.clone(), 10_000).await;
        println!("PostgreSQL, {large} users…");
        let big = prepare(large_db.clone(), large).await;
        let (small_figures, large_figures) = compare(&small, &big).await;
        report("PostgreSQL", &small_figures, &large_figures);
        for (db, url) in [(small_db, small_url), (large_db, large_url)] {
            db.close().await.ok();
            // LICENTIA_BENCH_KEEP=1 keeps the databases to look at their plans by hand.
            if std::env::var("LICENTIA_BENCH_KEEP").as_deref() == Ok("1") {
                println!("  kept: {url}");
            } else {
                databases::drop_postgres(&url).await;
            }
        }
    }
}
