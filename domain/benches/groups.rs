//! Recomputing a dynamic group over 100,000 users against the bare SQL that selects the same
//! members, measured in the same run on the same connection:
//!
//! - bare: one hand-written SELECT of the ids (placement in the organisation's subtree, active,
//!   department = Care, hired after 2020-01-01), rows fetched;
//! - recompute, steady: `groups::recompute_unchecked` when nothing changed (rule checked,
//!   members selected, compared with the stored members, nothing to write);
//! - recompute, churn: the same after 1% of the users changed department (leaves and joins
//!   written in batches of 500, each journaled);
//! - first run: every member joins (inserted and journaled), once.
//!
//! `cargo bench -p domain --bench groups` (USERS=… to change the size; DATABASE_URL to use a
//! PostgreSQL database instead of a fresh SQLite file — it must be empty).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::Instant;

use chrono::Utc;
use domain::entities::{property_definition, property_value, user};
use domain::groups::{self, GroupForm, RunOptions};
use domain::properties::filter::{Condition, Op};
use domain::properties::DefinitionForm;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, Statement, TryGetable};
use uuid::Uuid;

fn users() -> usize {
    std::env::var("USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

const DEPARTMENTS: [&str; 4] = ["Care", "Kitchen", "Teaching", "Office"];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let n = users();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        let dir = std::env::temp_dir().join(format!("licentia-bench-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}", dir.join("groups.db").display())
    });
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let root = domain::sites::insert_root(&db, "Bench", i32::try_from(n + 10).unwrap())
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

    // Ten schools of ten classes; the users spread over the classes.
    let mut classes = Vec::new();
    for s in 0..10 {
        let school = domain::sites::create(
            &db,
            &admin,
            root.public_id,
            domain::sites::NewSiteForm {
                name: format!("School {s}"),
                seat_limit: "0".into(),
            },
        )
        .await
        .unwrap();
        for c in 0..10 {
            let class = domain::sites::create(
                &db,
                &admin,
                school.id,
                domain::sites::NewSiteForm {
                    name: format!("Class {s}.{c}"),
                    seat_limit: "0".into(),
                },
            )
            .await
            .unwrap();
            classes.push(domain::sites::resolve(&db, class.id).await.unwrap().site.id);
        }
    }
    for (key, kind, choices) in [
        ("department", "choice", DEPARTMENTS.join("\n")),
        ("hired_on", "date", String::new()),
    ] {
        domain::properties::define(
            &db,
            &admin,
            root.public_id,
            DefinitionForm {
                key: key.into(),
                label_nl: key.into(),
                label_fr: key.into(),
                label_en: key.into(),
                kind: kind.into(),
                choices,
                required: false,
            },
        )
        .await
        .unwrap();
    }
    let definition = |key: &'static str| {
        let db = db.clone();
        async move {
            property_definition::Entity::find()
                .filter(property_definition::Column::Key.eq(key))
                .one(db.conn())
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let (department, hired_on) = (definition("department").await, definition("hired_on").await);

    let seeding = Instant::now();
    let now = Utc::now();
    let ids: Vec<usize> = (0..n).collect();
    for chunk in ids.chunks(500) {
        let models: Vec<user::ActiveModel> = chunk
            .iter()
            .map(|i| user::ActiveModel {
                public_id: Set(Uuid::new_v4()),
                site_id: Set(classes[i % classes.len()]),
                username: Set(format!("user.{i:06}")),
                first_name: Set(format!("First{}", i % 997)),
                last_name: Set(format!("Last {}", i % 1499)),
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
                pending: Set(None),
                personnel_number: Set(Some(format!("P{i:06}"))),
                ..Default::default()
            })
            .collect();
        let txn = db.write().await.unwrap();
        user::Entity::insert_many(models).exec(&*txn).await.unwrap();
        txn.commit().await.unwrap();
    }
    let user_ids: Vec<i32> = user::Entity::find()
        .filter(user::Column::Username.starts_with("user."))
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    for chunk in user_ids.chunks(250) {
        let mut values = Vec::with_capacity(chunk.len() * 2);
        for id in chunk {
            let i = usize::try_from(*id).unwrap();
            values.push(property_value::ActiveModel {
                user_id: Set(*id),
                definition_id: Set(department),
                value: Set(DEPARTMENTS[i % 4].to_string()),
                ..Default::default()
            });
            values.push(property_value::ActiveModel {
                user_id: Set(*id),
                definition_id: Set(hired_on),
                value: Set(format!("{}-{:02}-01", 2010 + i % 15, 1 + i % 12)),
                ..Default::default()
            });
        }
        let txn = db.write().await.unwrap();
        property_value::Entity::insert_many(values)
            .exec(&*txn)
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    println!(
        "seeded {n} users with two property values each in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let group = groups::save(
        &db,
        &admin,
        GroupForm {
            site: root.public_id,
            name: "Care, hired after 2020".into(),
            conditions: vec![
                Condition {
                    key: "department".into(),
                    op: Op::Equals,
                    value: "Care".into(),
                },
                Condition {
                    key: "hired_on".into(),
                    op: Op::GreaterThan,
                    value: "2020-01-01".into(),
                },
            ],
            active: true,
            schedule: "manual".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let group_id = domain::entities::dynamic_group::Entity::find()
        .filter(domain::entities::dynamic_group::Column::PublicId.eq(group))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let run = || {
        let db = db.clone();
        async move {
            let start = Instant::now();
            let report =
                groups::recompute_unchecked(&db, group_id, RunOptions::default(), || async {
                    Ok(())
                })
                .await
                .unwrap();
            (start.elapsed().as_secs_f64() * 1000.0, report)
        }
    };
    let (first_ms, first) = run().await;
    println!(
        "first run: {} members joined (journaled) in {first_ms:.0} ms",
        first.joined
    );

    let backend = db.conn().get_database_backend();
    let bare_sql = format!(
        "SELECT u.id FROM users u \
         WHERE u.site_id IN (SELECT descendant_id FROM site_closure WHERE ancestor_id = {root}) \
         AND u.active = {yes} AND u.pending IS NULL AND u.service_account = {no} \
         AND u.id IN (SELECT user_id FROM property_values WHERE definition_id = {department} AND value = 'Care') \
         AND u.id IN (SELECT user_id FROM property_values WHERE definition_id = {hired_on} AND value > '2020-01-01') \
         ORDER BY u.id",
        root = root.id,
        yes = if backend == sea_orm::DatabaseBackend::Postgres { "TRUE" } else { "1" },
        no = if backend == sea_orm::DatabaseBackend::Postgres { "FALSE" } else { "0" },
    );
    let bare = || {
        let db = db.clone();
        let sql = bare_sql.clone();
        async move {
            let start = Instant::now();
            let rows = db
                .conn()
                .query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap();
            let ids: Vec<i32> = rows
                .iter()
                .map(|r| i32::try_get_by(r, 0usize).unwrap())
                .collect();
            (start.elapsed().as_secs_f64() * 1000.0, ids.len())
        }
    };
    let (_, bare_count) = bare().await;
    assert_eq!(
        bare_count, first.members,
        "the bare SQL and the group select the same users"
    );

    let (mut bare_ms, mut steady_ms) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        bare_ms.push(bare().await.0);
        let (ms, report) = run().await;
        assert_eq!((report.joined, report.left), (0, 0));
        steady_ms.push(ms);
    }
    let (bare_m, steady_m) = (median(bare_ms), median(steady_ms));
    println!("members: {bare_count} of {n} users");
    println!("bare SQL selecting the members: {bare_m:.1} ms (median of 15)");
    println!("recompute, nothing changed:      {steady_m:.1} ms (median of 15)");
    println!(
        "ratio recompute / bare:          {:.2} (goal: within 2)",
        steady_m / bare_m
    );

    // Churn: 1% of the users change department (Care <-> Kitchen).
    let changed: Vec<i32> = user_ids.iter().copied().step_by(101).collect();
    let txn = db.write().await.unwrap();
    for chunk in changed.chunks(500) {
        property_value::Entity::update_many()
            .col_expr(
                property_value::Column::Value,
                Expr::cust("CASE WHEN value = 'Care' THEN 'Kitchen' WHEN value = 'Kitchen' THEN 'Care' ELSE value END"),
            )
            .filter(property_value::Column::DefinitionId.eq(department))
            .filter(property_value::Column::UserId.is_in(chunk.to_vec()))
            .exec(&*txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    let (bare_after, _) = bare().await;
    let (churn_ms, churn) = run().await;
    println!(
        "recompute after 1% churn:        {churn_ms:.1} ms ({} joined, {} left, journaled; bare SQL {bare_after:.1} ms)",
        churn.joined, churn.left
    );
}
