//! The paths every request takes: a licence check answers the same in one statement as it did
//! in many (bundles, every state, unknown product, unknown or foreign user), a check without
//! the cache costs at most two statements (the token's principal, the user's licence facts),
//! one when the caller's token is read with the licence, and one for many checks read together
//! (the same answers, alone, together and from many tasks at once), and no hot statement reads a
//! large table whole (plans on SQLite and PostgreSQL).
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use domain::entities::{bundle, bundle_product, licence, subscription, user};
use domain::licences::{self, Status};
use domain::{api_tokens, cache, sites, Code, Db, Error};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

fn today() -> NaiveDate {
    wire::time::today()
}

async fn subscription(
    db: &Db,
    root: i32,
    serial: &str,
    bundle: Option<i32>,
    days: (i64, i64),
) -> i32 {
    subscription::ActiveModel {
        serial: Set(serial.into()),
        seats: Set(10),
        valid_from: Set(today() + Duration::days(days.0)),
        valid_until: Set(today() + Duration::days(days.1)),
        locale: Set("nl".into()),
        site_id: Set(Some(root)),
        created_at: Set(Utc::now()),
        assigned: Set(0),
        bundle_id: Set(bundle),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap()
    .id
}

/// The demo with the product "reader", and the internal id of its root.
async fn with_reader(db: &Db) -> (Demo, i32) {
    let demo = demo(db).await;
    let root = sites::resolve(db, demo.root).await.unwrap().site.id;
    domain::products::insert_product(db, "reader", "Reader")
        .await
        .unwrap();
    (demo, root)
}

async fn holder(db: &Db, site: Uuid, username: &str, subscriptions: &[i32]) -> Uuid {
    let admin = demo_admin(db).await;
    let created = domain::users::create(db, &admin, site, user_form(username))
        .await
        .unwrap();
    let id = user::Entity::find()
        .filter(user::Column::PublicId.eq(created.public_id))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    for subscription_id in subscriptions {
        licence::ActiveModel {
            subscription_id: Set(*subscription_id),
            user_id: Set(id),
            assigned_at: Set(Utc::now() - Duration::days(30)),
            ..Default::default()
        }
        .insert(db.conn())
        .await
        .unwrap();
    }
    created.public_id
}

/// A service account at `site` made by the demo administrator, and its token's secret and id.
async fn service_token(
    db: &Db,
    admin: &domain::Principal,
    site: Uuid,
    name: &str,
) -> (String, Uuid) {
    let party = api_tokens::create_service_account(db, admin, site, name, true)
        .await
        .unwrap();
    let issued = api_tokens::issue(
        db,
        admin,
        party.public_id,
        api_tokens::NewToken {
            name: "app".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        today(),
    )
    .await
    .unwrap();
    // The first use writes the token's last use (once a minute): not part of a check.
    api_tokens::authenticate(db, &issued.secret, today())
        .await
        .unwrap();
    (issued.secret, issued.token.public_id)
}

/// The hot path whose name starts with `name`.
fn hot_path(db: &Db, name: &str) -> domain::plans::HotPath {
    domain::plans::hot_paths(db.backend())
        .into_iter()
        .find(|p| p.name.starts_with(name))
        .unwrap()
}

/// A handle on the same database that counts the statements run through it.
fn counting(db: &Db) -> (Db, Arc<AtomicUsize>) {
    let mut counted = db.clone();
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    counted.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    (counted, statements)
}

async fn demo_admin(db: &Db) -> domain::Principal {
    let id = user::Entity::find()
        .filter(user::Column::Username.eq(domain::demo::ADMIN_USERNAME))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    domain::Principal::load(db, id).await.unwrap()
}

db_test!(
    should_answer_licence_checks_from_one_statement,
    |db: Db| async move {
        let demo = demo(&db).await;
        let root = sites::resolve(&db, demo.root).await.unwrap().site.id;
        for key in ["reader", "writer", "quiz"] {
            domain::products::insert_product(&db, key, key)
                .await
                .unwrap();
        }
        let pack = bundle::ActiveModel {
            public_id: Set(Uuid::new_v4()),
            name: Set("Pack".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db.conn())
        .await
        .unwrap();
        for key in ["reader", "writer"] {
            let product = domain::products::find_by_key(db.conn(), key).await.unwrap();
            bundle_product::ActiveModel {
                bundle_id: Set(pack.id),
                product_id: Set(product.id),
                ..Default::default()
            }
            .insert(db.conn())
            .await
            .unwrap();
        }
        let current = subscription(&db, root, "70000001", Some(pack.id), (-10, 100)).await;
        let ended = subscription(&db, root, "70000002", None, (-100, -20)).await;
        let later = subscription(&db, root, "70000003", None, (5, 200)).await;
        let with_pack = holder(&db, demo.root, "met.pakket", &[current, ended]).await;
        let expired = holder(&db, demo.root, "verlopen", &[ended]).await;
        let upcoming = holder(&db, demo.root, "straks", &[later]).await;
        let without = holder(&db, demo.root, "zonder", &[]).await;
        let admin = demo.admin.clone();
        let check = |user: Uuid, product: Option<&'static str>| {
            let (db, admin) = (db.clone(), admin.clone());
            async move { licences::check(&db, &admin, user, product, today()).await }
        };

        let reader = check(with_pack, Some("reader")).await.unwrap();
        assert!(reader.valid);
        assert_eq!(reader.products, ["reader", "writer"]);
        assert_eq!(reader.until, Some(today() + Duration::days(100)));
        assert_eq!(
            reader.status,
            Status::ActiveSince(today() - Duration::days(10))
        );
        let quiz = check(with_pack, Some("quiz")).await.unwrap();
        assert!(!quiz.valid, "the bundle does not cover quiz");
        assert!(check(with_pack, None).await.unwrap().valid);

        let gone = check(expired, Some("reader")).await.unwrap();
        assert!(!gone.valid);
        assert_eq!(
            gone.status,
            Status::ExpiredSince(today() - Duration::days(19))
        );
        assert!(gone.products.is_empty());
        let soon = check(upcoming, None).await.unwrap();
        assert!(!soon.valid);
        assert_eq!(soon.status, Status::ActiveFrom(today() + Duration::days(5)));
        let none = check(without, None).await.unwrap();
        assert_eq!((none.valid, none.status), (false, Status::None));

        // Unknown things: the product is named only to those who may see the answer.
        assert_eq!(
            check(with_pack, Some("nope")).await.unwrap_err().code(),
            Code::ProductUnknown
        );
        assert_eq!(
            check(Uuid::new_v4(), None).await.unwrap_err(),
            Error::NotFound
        );
        let outsider = admin_of(&db, demo.regenboog, "buur").await;
        for product in [None, Some("nope"), Some("reader")] {
            let refused = licences::check(&db, &outsider, with_pack, product, today())
                .await
                .unwrap_err();
            let unknown = licences::check(&db, &outsider, Uuid::new_v4(), product, today())
                .await
                .unwrap_err();
            assert_eq!(refused, unknown, "a foreign user looks like an unknown one");
        }
    }
);

db_test!(
    should_check_a_licence_in_two_statements_without_the_cache,
    |db: Db| async move {
        let (demo, root) = with_reader(&db).await;
        let all = subscription(&db, root, "70000011", None, (-1, 30)).await;
        let pupil = holder(&db, demo.klimop, "leerling", &[all]).await;
        let (secret, _) = service_token(&db, &demo.admin, demo.root, "App").await;

        let (counted, statements) = counting(&db);
        cache::invalidate_all();
        let caller = api_tokens::authenticate(&counted, &secret, today())
            .await
            .unwrap();
        let answer = licences::check(&counted, &caller, pupil, Some("reader"), today())
            .await
            .unwrap();
        assert!(answer.valid);
        assert_eq!(
            statements.load(Ordering::SeqCst),
            2,
            "token → principal, user → licence"
        );
    }
);

db_test!(
    should_check_with_the_callers_token_in_one_statement,
    |db: Db| async move {
        let (demo, root) = with_reader(&db).await;
        let all = subscription(&db, root, "70000021", None, (-1, 30)).await;
        let pupil = holder(&db, demo.klimop, "leerling", &[all]).await;
        let other = holder(&db, demo.klimop, "zonder.licentie", &[]).await;
        let (secret, _) = service_token(&db, &demo.admin, demo.root, "App").await;
        let (outside, _) = service_token(&db, &demo.admin, demo.regenboog, "Buur").await;
        let (revoked, revoked_id) = service_token(&db, &demo.admin, demo.root, "Oud").await;
        api_tokens::revoke(&db, &demo.admin, revoked_id)
            .await
            .unwrap();
        let caller = api_tokens::authenticate(&db, &secret, today())
            .await
            .unwrap();

        let (counted, statements) = counting(&db);
        // The same answers as the check after authentication, in one statement each.
        for (user, product) in [
            (pupil, Some("reader")),
            (pupil, None),
            (other, Some("reader")),
            (other, None),
        ] {
            cache::invalidate_all();
            let before = statements.load(Ordering::SeqCst);
            let one = licences::check_with_token(&counted, &secret, user, product, today())
                .await
                .unwrap();
            assert_eq!(
                statements.load(Ordering::SeqCst) - before,
                1,
                "token and licence"
            );
            cache::invalidate_all();
            let two = licences::check(&db, &caller, user, product, today())
                .await
                .unwrap();
            assert_eq!(one, two);
        }
        assert!(
            licences::check_with_token(&db, &secret, pupil, Some("reader"), today())
                .await
                .unwrap()
                .valid
        );
        let with = |secret: String, user: Uuid, product: Option<&'static str>| {
            let db = db.clone();
            async move {
                cache::invalidate_all();
                licences::check_with_token(&db, &secret, user, product, today())
                    .await
                    .unwrap_err()
            }
        };
        // Unknown things, told only to a caller whose token holds.
        assert_eq!(
            with(secret.clone(), Uuid::new_v4(), None).await,
            Error::NotFound
        );
        assert_eq!(
            with(secret.clone(), pupil, Some("nope")).await.code(),
            Code::ProductUnknown
        );
        for user in [pupil, Uuid::new_v4()] {
            for token in [
                revoked.clone(),
                format!("{}0000", api_tokens::PREFIX),
                "nope".into(),
            ] {
                assert_eq!(
                    with(token, user, Some("nope")).await,
                    Error::Unauthenticated
                );
            }
        }
        // A token of another school: a foreign user looks like an unknown one.
        for product in [None, Some("nope"), Some("reader")] {
            assert_eq!(
                with(outside.clone(), pupil, product).await,
                with(outside.clone(), Uuid::new_v4(), product).await,
                "a foreign user looks like an unknown one"
            );
        }
    }
);

db_test!(
    should_read_checks_that_come_together_in_one_statement,
    |db: Db| async move {
        let (demo, root) = with_reader(&db).await;
        let all = subscription(&db, root, "70000031", None, (-1, 30)).await;
        let gone = subscription(&db, root, "70000032", None, (-60, -10)).await;
        let mut users = vec![Uuid::new_v4()];
        for (i, held) in [vec![all], vec![], vec![gone], vec![all, gone]]
            .into_iter()
            .enumerate()
        {
            users.push(holder(&db, demo.root, &format!("samen.{i}"), &held).await);
        }
        let (secret, _) = service_token(&db, &demo.admin, demo.root, "App").await;
        let checks: Vec<(Uuid, Option<&str>)> = users
            .iter()
            .flat_map(|&user| [(user, Some("reader")), (user, None), (user, Some("nope"))])
            .collect();
        // Each alone, without the cache.
        let mut alone = Vec::new();
        for &(user, product) in &checks {
            cache::invalidate_all();
            alone.push(licences::check_with_token(&db, &secret, user, product, today()).await);
        }
        assert!(alone.iter().any(|a| a.as_ref().is_ok_and(|a| a.valid)));
        assert!(alone.iter().any(|a| a.as_ref().is_ok_and(|a| !a.valid)));
        assert!(alone.iter().any(|a| a.as_ref() == Err(&Error::NotFound)));

        // All together: the same answers, in one statement.
        let (counted, statements) = counting(&db);
        cache::invalidate_all();
        let together = licences::check_many_with_token(&counted, &secret, &checks, today())
            .await
            .unwrap();
        assert_eq!(statements.load(Ordering::SeqCst), 1, "one statement");
        assert_eq!(together, alone);

        // At the same moment from many tasks (read in batches as they come): the same answers.
        cache::invalidate_all();
        let tasks: Vec<_> = checks
            .iter()
            .map(|&(user, product)| {
                let (db, secret) = (db.clone(), secret.clone());
                let product = product.map(str::to_string);
                tokio::spawn(async move {
                    licences::check_with_token(&db, &secret, user, product.as_deref(), today())
                        .await
                })
            })
            .collect();
        let mut concurrent = Vec::new();
        for task in tasks {
            concurrent.push(task.await.unwrap());
        }
        assert_eq!(concurrent, alone);
    }
);

db_test!(
    should_read_no_large_table_whole_on_hot_paths,
    |db: Db| async move {
        demo(&db).await;
        let mut problems = Vec::new();
        for path in domain::plans::hot_paths(db.backend()) {
            let scans = domain::plans::full_scans(&db, &path.statement)
                .await
                .unwrap();
            if !scans.is_empty() {
                problems.push(format!("{}: {scans:?}", path.name));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
        // The check sees a missing index: without the personnel number's, that path reads all users.
        db.conn()
            .execute_unprepared("DROP INDEX idx_users_personnel_number")
            .await
            .unwrap();
        let personnel = hot_path(&db, "users by personnel number");
        let scans = domain::plans::full_scans(&db, &personnel.statement)
            .await
            .unwrap();
        assert!(!scans.is_empty(), "a whole-table read went unnoticed");
    }
);

db_test!(
    should_plan_checks_by_index_once_a_bulk_import_refreshed_the_statistics,
    |db: Db| async move {
        let (demo, root) = with_reader(&db).await;
        let sub = subscription(&db, root, "S-BULK", None, (-1, 100)).await;
        holder(&db, demo.root, "bulk.first", &[sub]).await;
        if db.backend() != sea_orm::DbBackend::Postgres {
            // SQLite keeps no plan per connection; the refresh (PRAGMA optimize) runs.
            db.refresh_statistics().await;
            return;
        }
        // 3,000 more licensed users written at once, as an import does, before autovacuum has
        // looked: the planner still takes the tables for small ones.
        db.conn()
            .execute_unprepared(
                "INSERT INTO users (public_id, site_id, username, first_name, last_name, \
                 email_verified, active, must_change_password, created_at, is_operator, \
                 service_account, newsletter) \
                 SELECT gen_random_uuid(), site_id, username || '.' || g, first_name, last_name, \
                 email_verified, active, must_change_password, created_at, is_operator, \
                 service_account, newsletter \
                 FROM users, generate_series(1, 3000) g WHERE username = 'bulk.first'",
            )
            .await
            .unwrap();
        db.conn()
            .execute_unprepared(&format!(
                "INSERT INTO licences (subscription_id, user_id, assigned_at) \
                 SELECT {sub}, id, now() FROM users WHERE username LIKE 'bulk.first.%'"
            ))
            .await
            .unwrap();
        db.refresh_statistics().await;
        let together = hot_path(&db, "licence checks read together");
        let plan = domain::plans::generic_plan(&db, &together.statement)
            .await
            .unwrap();
        assert!(plan.iter().any(|l| l.contains("on licences")), "{plan:#?}");
        assert!(
            !plan.iter().any(|l| l.contains("Seq Scan on licences")),
            "a batch of checks reads every licence: {plan:#?}"
        );
    }
);
