//! `cargo bench -p licentia --bench admin_page`: see BENCHMARKS.md.
//!
//! 1. The `list_users` server function over HTTP (session, access check, query, JSON) for a
//!    site with 100,000 users below it — page 4 of 25, sorted by name, searched, all subsites —
//!    against the same SQL statement run bare on the same database, in the same run: the page
//!    (and one row more); the count of a filtered list is asked separately by the browser.
//! 2. SQL statements per administrator-page load (GET /admin, server-side rendered) with the
//!    demo tree (3 sites) and with a tree of 5,000 sites.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use chrono::Utc;
use domain::entities::{site, user};
use domain::users::{list_query, UserQuery, UserSort};
use http::{header, Request};
use http_body_util::BodyExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait, Set};
use tower::ServiceExt;
use uuid::Uuid;

#[allow(dead_code)] // the benchmark uses only part of the helpers
#[path = "../tests/it/support/http.rs"]
mod http_support;
#[path = "support/seed.rs"]
mod seed;

const USERS: usize = 100_000;
const SITES: usize = 5_000;
/// Organisations added for the operator's page.
const ORGANISATIONS: usize = 1_000;
const ROUNDS: usize = 30;

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let mut db = domain::Db::connect_and_migrate(&url).await.unwrap();
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    domain::demo::seed(&db).await.unwrap();
    let root = seed::root(&db).await;

    let app = http_support::router(&db);
    let cookie = sign_in(&app).await;

    // One server-side rendered page: its statements and its bytes of HTML (which carry the
    // page's server-function answers for hydration: a first load needs no other call).
    let load = |path: String, cookie: String| {
        let app = app.clone();
        let statements = statements.clone();
        async move {
            let before = statements.load(Ordering::Relaxed);
            let response = app
                .oneshot(
                    Request::get(path)
                        .header(header::COOKIE, cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert!(body.len() > 1000);
            (statements.load(Ordering::Relaxed) - before, body.len())
        }
    };
    let page_load = |site: Uuid| load(format!("/admin?site={site}&all=1"), cookie.clone());
    let (small, small_bytes) = page_load(root.public_id).await;

    println!("seeding {SITES} sites and {USERS} users…");
    seed_big(&db, &root).await;
    let (large, large_bytes) = page_load(root.public_id).await;
    let (large_again, _) = page_load(root.public_id).await;
    println!("statements per administrator-page load: {small} with 3 sites, {large} with {} sites ({large_again} again)", SITES + 3);
    println!("bytes of HTML per administrator-page load: {small_bytes} with 3 sites, {large_bytes} with {} sites (50 schools open below the root)", SITES + 3);

    // The list: server function over HTTP against the bare statement.
    let query = UserQuery {
        search: "an".into(),
        include_subsites: true,
        sort: UserSort::Name,
        descending: false,
        page: 3,
        ..UserQuery::default()
    };
    // The root is its own organisation.
    let listed = domain::users::Listed {
        site_id: root.id,
        organisation_id: root.id,
    };
    let stmt = list_query(listed, &query, &Default::default(), db.backend()).build(db.backend());
    let body = format!(
        "site={}&filter[search]=an&filter[include_subsites]=true&filter[sort]=name&filter[descending]=false&filter[page]=3",
        root.public_id
    );
    let call = || {
        let app = app.clone();
        let cookie = cookie.clone();
        let body = body.clone();
        async move {
            let (status, bytes) = http_support::call(&app, &cookie, "list_users", body).await;
            assert_eq!(status, 200);
            bytes.len()
        }
    };
    // The server function answers the page without the count of a filtered list (the browser
    // asks `count_users` after it): the bare statement is the page's alone.
    let bare = || {
        let db = db.clone();
        let stmt = stmt.clone();
        async move { db.conn().query_all_raw(stmt).await.unwrap().len() }
    };
    // A page and one row more (whether another follows).
    assert_eq!(bare().await, 26);
    assert!(call().await > 100);
    let mut bare_times = Vec::new();
    let mut fn_times = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        bare().await;
        bare_times.push(t.elapsed());
        let t = Instant::now();
        call().await;
        fn_times.push(t.elapsed());
    }
    let (b, f) = (median(&mut bare_times), median(&mut fn_times));
    println!(
        "list_users, {USERS} users, page 4 of 25, sorted, searched: bare query {:.2} ms, server function {:.2} ms, ratio {:.2}",
        ms(b),
        ms(f),
        f.as_secs_f64() / b.as_secs_f64()
    );
    // The same against the domain's call for the page (access check, site, page, licence
    // states): what the server function adds is the session, the principal, HTTP and JSON.
    let directeur = user::Entity::find()
        .filter(user::Column::Username.eq("directeur"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let principal = domain::Principal::load(&db, directeur.id).await.unwrap();
    let domain_call = || {
        let (db, principal, query) = (db.clone(), principal.clone(), query.clone());
        async move {
            domain::users::page(&db, &principal, root.public_id, query)
                .await
                .unwrap()
                .rows
                .len()
        }
    };
    assert_eq!(domain_call().await, 25);
    let mut domain_times = Vec::new();
    let mut fn_times = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        domain_call().await;
        domain_times.push(t.elapsed());
        let t = Instant::now();
        call().await;
        fn_times.push(t.elapsed());
    }
    let (d, f) = (median(&mut domain_times), median(&mut fn_times));
    println!(
        "list_users against domain::users::page (same request): domain {:.2} ms, server function {:.2} ms, ratio {:.2}",
        ms(d),
        ms(f),
        f.as_secs_f64() / d.as_secs_f64()
    );

    // The same list for a subsite administrator (School 07) and for an operator.
    let school = site::Entity::find()
        .filter(site::Column::Name.eq("School 07"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let form = |username: &str| domain::users::NewUserForm {
        username: username.into(),
        first_name: "Bench".into(),
        last_name: "Mark".into(),
        email: String::new(),
        password: "Bench-2026!".into(),
        ..Default::default()
    };
    let new_user = form("school.admin").validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let school_admin = domain::users::insert_unchecked(&*txn, school.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        school_admin.id,
        domain::roles::ADMINISTRATOR,
        school.id,
    )
    .await
    .unwrap();
    domain::operators::create(&db, form("bench.operator"))
        .await
        .unwrap();
    let admin_cookie = http_support::sign_in_as(&app, "school.admin", "Bench-2026!").await;
    // Operators always need a second factor: this one is within the grace period, and goes on
    // without one ("later" on the set-up page), as a session of the page would.
    let waiting = http_support::sign_in_as(&app, "bench.operator", "Bench-2026!").await;
    let (status, renewed, _) =
        http_support::post_form(&app, &waiting, "finish_enrolment", "next=/".into()).await;
    assert_eq!(status, 200, "the operator goes on without a second factor");
    let operator_cookie = renewed.unwrap_or(waiting);
    // The operator's first page: the top of every organisation's tree (here the demo's
    // organisation, with the 5,000 sites, and the vendor's).
    let (operator_page, operator_bytes) = load("/admin".into(), operator_cookie.clone()).await;
    println!(
        "operator's administrator page, {} sites: {operator_page} statements, {operator_bytes} bytes of HTML",
        SITES + 3
    );
    // An operator of many organisations: 1,000 more, of 50 sites each (50,000 sites more).
    // The first page shows the top of at most 100 of them, whatever their number.
    println!("seeding {ORGANISATIONS} organisations of 50 sites…");
    let seeding = Instant::now();
    for n in 0..ORGANISATIONS {
        let top = insert_site(&db, &[], &format!("Organisation {n:04}"), 0).await;
        for class in 0..49 {
            insert_site(&db, &[top], &format!("Klas {n:04}-{class:02}"), 0).await;
        }
    }
    println!("  seeded in {:.0} s", seeding.elapsed().as_secs_f64());
    let (many_page, many_bytes) = load("/admin".into(), operator_cookie.clone()).await;
    let (again_page, again_bytes) = load("/admin".into(), operator_cookie.clone()).await;
    println!(
        "operator's administrator page, {} organisations and {} sites: {many_page} statements, \
         {many_bytes} bytes of HTML (again: {again_page}, {again_bytes})",
        ORGANISATIONS + 2,
        SITES + 3 + ORGANISATIONS * 50
    );
    let school_body = format!(
        "site={}&filter[search]=an&filter[include_subsites]=true&filter[sort]=name&filter[descending]=false&filter[page]=0",
        school.public_id
    );
    let list_as = |cookie: String| {
        let app = app.clone();
        let body = school_body.clone();
        let statements = statements.clone();
        async move {
            let before = statements.load(Ordering::Relaxed);
            let (status, bytes) = http_support::call(&app, &cookie, "list_users", body).await;
            assert_eq!(status, 200);
            (bytes, statements.load(Ordering::Relaxed) - before)
        }
    };
    let (as_admin, admin_statements) = list_as(admin_cookie.clone()).await;
    let (as_operator, operator_statements) = list_as(operator_cookie.clone()).await;
    assert_eq!(as_admin, as_operator, "both see the same page of the list");
    let mut admin_times = Vec::new();
    let mut operator_times = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        list_as(admin_cookie.clone()).await;
        admin_times.push(t.elapsed());
        let t = Instant::now();
        list_as(operator_cookie.clone()).await;
        operator_times.push(t.elapsed());
    }
    let (a, o) = (median(&mut admin_times), median(&mut operator_times));
    println!(
        "list_users of School 07 with its classes: operator {:.2} ms ({operator_statements} statements), subsite administrator {:.2} ms ({admin_statements} statements), ratio {:.2}",
        ms(o),
        ms(a),
        a.as_secs_f64() / o.as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn sign_in(app: &axum::Router) -> String {
    http_support::sign_in_as(app, "directeur", "Horizon-2026").await
}

/// 5,000 sites under the root (50 schools of 99 classes) and 100,000 users spread over them,
/// inserted in bulk; the counters are set to match.
async fn seed_big(db: &domain::Db, root: &site::Model) {
    let conn = db.conn();
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(1_000_000))
        .filter(site::Column::Id.eq(root.id))
        .exec(conn)
        .await
        .unwrap();
    let mut class_ids = Vec::new();
    for school in 0..50 {
        let s = insert_site(db, &[root.id], &format!("School {school:02}"), 2100).await;
        for class in 0..99 {
            let c = insert_site(
                db,
                &[s, root.id],
                &format!("Klas {school:02}-{class:02}"),
                21,
            )
            .await;
            class_ids.push(c);
        }
    }
    let txn = db.write().await.unwrap();
    let now = Utc::now();
    let names = [
        "Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
        "Wouters", "De Smet",
    ];
    let firsts = [
        "Anna", "Lucas", "Emma", "Noah", "Marie", "Louis", "Lena", "Arthur", "Nina", "Jan",
    ];
    let mut batch = Vec::with_capacity(1000);
    for i in 0..USERS {
        batch.push(user::ActiveModel {
            public_id: Set(Uuid::new_v4()),
            site_id: Set(class_ids[i % class_ids.len()]),
            username: Set(format!("user{i:06}")),
            first_name: Set(firsts[i % 10].to_string()),
            last_name: Set(format!("{} {}", names[(i / 10) % 10], i)),
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
        if batch.len() == 1000 {
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
    assert!(domain::sites::seat_counter_mismatches(db)
        .await
        .unwrap()
        .is_empty());
}

async fn insert_site(db: &domain::Db, ancestry: &[i32], name: &str, seats: i32) -> i32 {
    let txn = db.write().await.unwrap();
    let created = domain::sites::insert_site(&*txn, Some(ancestry), name, seats)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.id
}
