//! Dynamic groups: rules with every operator, the empty rule, a rule over a removed property,
//! licences and roles given and taken away, the schedule, and a run cut short that the job
//! completes after its lease (idempotent: a second run changes nothing).
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use domain::audit::JournalQuery;
use domain::entities::{
    dynamic_group, job, licence, product, role, role_grant, subscription, user,
};
use domain::groups::{self, GroupForm, NextRun, RunOptions};
use domain::properties::filter::{Condition, Op};
use domain::properties::{self, DefinitionForm};
use domain::roles::RoleForm;
use domain::{jobs, sites, users, Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

const TODAY: &str = "2026-11-23";

fn today() -> NaiveDate {
    TODAY.parse().unwrap()
}

fn when(key: &str, op: Op, value: &str) -> Condition {
    Condition {
        key: key.into(),
        op,
        value: value.into(),
    }
}

async fn define(db: &Db, admin: &Principal, root: Uuid, key: &str, kind: &str, choices: &str) {
    properties::define(
        db,
        admin,
        root,
        DefinitionForm {
            key: key.into(),
            label_nl: key.into(),
            label_fr: key.into(),
            label_en: key.into(),
            kind: kind.into(),
            choices: choices.into(),
            required: false,
        },
    )
    .await
    .unwrap();
}

/// Room for many users (set-up, not journaled).
async fn room(db: &Db) {
    domain::entities::site::Entity::update_many()
        .col_expr(domain::entities::site::Column::SeatLimit, Expr::value(1000))
        .exec(db.conn())
        .await
        .unwrap();
}

/// A user in `site` with these property values.
async fn person(
    db: &Db,
    admin: &Principal,
    site: Uuid,
    username: &str,
    values: &[(&str, &str)],
) -> Uuid {
    let resolved = sites::resolve(db, site).await.unwrap();
    let new_user = user_form(username).validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = users::insert_unchecked(&*txn, resolved.site.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let values: Vec<(String, String)> = values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    properties::set_values(db, admin, created.public_id, &values)
        .await
        .unwrap();
    created.public_id
}

/// The people of these tests (named `g.…`) a rule selects in `site`, sorted.
async fn selected(db: &Db, admin: &Principal, site: Uuid, rule: &[Condition]) -> Vec<String> {
    let preview = groups::preview(db, admin, site, rule, None).await.unwrap();
    let mut names: Vec<String> = preview
        .sample
        .into_iter()
        .map(|m| m.username)
        .filter(|u| u.starts_with("g."))
        .collect();
    names.sort();
    names
}

struct World {
    demo: Demo,
}

async fn world(db: &Db) -> World {
    let demo = demo(db).await;
    room(db).await;
    let admin = &demo.admin;
    define(
        db,
        admin,
        demo.root,
        "department",
        "choice",
        "Care\nKitchen",
    )
    .await;
    define(db, admin, demo.root, "budget", "number", "").await;
    define(db, admin, demo.root, "hired_on", "date", "").await;
    define(db, admin, demo.root, "note", "text", "").await;
    person(
        db,
        admin,
        demo.klimop,
        "g.anna",
        &[
            ("department", "care"),
            ("budget", "1500,5"),
            ("hired_on", "01-03-2024"),
            ("note", "Night shift"),
        ],
    )
    .await;
    person(
        db,
        admin,
        demo.klimop,
        "g.bert",
        &[
            ("department", "Kitchen"),
            ("budget", "200"),
            ("hired_on", "2020-01-01"),
        ],
    )
    .await;
    person(db, admin, demo.klimop, "g.chris", &[]).await;
    person(
        db,
        admin,
        demo.regenboog,
        "g.dora",
        &[("department", "Care"), ("budget", "1000")],
    )
    .await;
    World { demo }
}

fn form(site: Uuid, name: &str, rule: Vec<Condition>) -> GroupForm {
    GroupForm {
        site,
        name: name.into(),
        conditions: rule,
        active: true,
        schedule: "nightly".into(),
        ..Default::default()
    }
}

async fn group_row(db: &Db, id: Uuid) -> dynamic_group::Model {
    dynamic_group::Entity::find()
        .filter(dynamic_group::Column::PublicId.eq(id))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

async fn usernames_of_members(db: &Db, group: Uuid) -> Vec<String> {
    let row = group_row(db, group).await;
    let ids: Vec<i32> = domain::entities::group_member::Entity::find()
        .filter(domain::entities::group_member::Column::GroupId.eq(row.id))
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut names: Vec<String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    names.sort();
    names
}

async fn run(db: &Db, admin: &Principal, group: Uuid) -> groups::RunReport {
    groups::recompute(
        db,
        admin,
        group,
        RunOptions {
            today: Some(today()),
            ..RunOptions::default()
        },
    )
    .await
    .unwrap()
}

db_test!(
    should_select_users_with_every_operator,
    |db: Db| async move {
        let w = world(&db).await;
        let (admin, root, klimop) = (&w.demo.admin, w.demo.root, w.demo.klimop);
        let cases: Vec<(Uuid, Vec<Condition>, Vec<&str>)> = vec![
            (
                root,
                vec![when("department", Op::Equals, "CARE")],
                vec!["g.anna", "g.dora"],
            ),
            (
                root,
                vec![when("department", Op::NotEquals, "Care")],
                vec!["g.bert", "g.chris"],
            ),
            (
                root,
                vec![when("note", Op::Contains, "NIGHT")],
                vec!["g.anna"],
            ),
            (
                root,
                vec![when("note", Op::Equals, "night shift")],
                vec!["g.anna"],
            ),
            (
                root,
                vec![when("budget", Op::LessThan, "1000,25")],
                vec!["g.bert", "g.dora"],
            ),
            (
                root,
                vec![when("budget", Op::GreaterThan, "1000")],
                vec!["g.anna"],
            ),
            (
                root,
                vec![when("budget", Op::Equals, "1000.0")],
                vec!["g.dora"],
            ),
            (
                root,
                vec![when("hired_on", Op::GreaterThan, "2023-01-01")],
                vec!["g.anna"],
            ),
            (
                root,
                vec![when("hired_on", Op::LessThan, "31/12/2022")],
                vec!["g.bert"],
            ),
            (root, vec![when("note", Op::IsSet, "")], vec!["g.anna"]),
            (
                root,
                vec![when("hired_on", Op::IsEmpty, "")],
                vec!["g.chris", "g.dora"],
            ),
            // Placement and properties together: Care in De Klimop.
            (
                klimop,
                vec![when("department", Op::Equals, "Care")],
                vec!["g.anna"],
            ),
            (
                root,
                vec![
                    when("department", Op::Equals, "Care"),
                    when("budget", Op::GreaterThan, "1200"),
                ],
                vec!["g.anna"],
            ),
            // No condition: everyone placed in the site or below it.
            (klimop, vec![], vec!["g.anna", "g.bert", "g.chris"]),
        ];
        for (site, rule, want) in cases {
            assert_eq!(selected(&db, admin, site, &rule).await, want, "{rule:?}");
        }
        // A deactivated user is nobody's member.
        let anna = user::Entity::find()
            .filter(user::Column::Username.eq("g.anna"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        users::set_active(&db, admin, anna.public_id, false)
            .await
            .unwrap();
        assert_eq!(
            selected(&db, admin, klimop, &[]).await,
            vec!["g.bert", "g.chris"]
        );

        for (rule, code) in [
            (
                when("budget", Op::Contains, "1"),
                Code::PropertyOperatorInvalid,
            ),
            (
                when("department", Op::GreaterThan, "Care"),
                Code::PropertyOperatorInvalid,
            ),
            (
                when("budget", Op::Equals, "lots"),
                Code::PropertyNumberInvalid,
            ),
            (
                when("department", Op::Equals, "Garden"),
                Code::PropertyChoiceInvalid,
            ),
            (
                when("hired_on", Op::LessThan, ""),
                Code::PropertyValueRequired,
            ),
            (when("shoe_size", Op::IsSet, ""), Code::PropertyUnknown),
        ] {
            let key = rule.key.clone();
            let refused =
                groups::preview(&db, admin, root, std::slice::from_ref(&rule), None).await;
            assert_eq!(
                refused,
                Err(Error::RefusedAt(code, vec![key.clone()])),
                "{rule:?}"
            );
            let saved = groups::save(&db, admin, form(root, "Bad", vec![rule])).await;
            assert_eq!(saved, Err(Error::RefusedAt(code, vec![key])));
        }
        assert_eq!(
            dynamic_group::Entity::find()
                .count(db.conn())
                .await
                .unwrap(),
            0
        );
    }
);

async fn product_and_subscription(db: &Db, root: Uuid, seats: i32) -> String {
    let reader = product::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        key: Set("reader".into()),
        name: Set("Reader".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let root = sites::resolve(db, root).await.unwrap().site.id;
    let year = ("2026-09-01".parse().unwrap(), "2027-08-31".parse().unwrap());
    subscription(db, root, "40000001", seats, year).await;
    reader.key
}

async fn licences_by_group(db: &Db) -> Vec<(String, Option<i32>)> {
    let mut held: Vec<(String, Option<i32>)> = Vec::new();
    for l in licence::Entity::find().all(db.conn()).await.unwrap() {
        let u = user::Entity::find_by_id(l.user_id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        held.push((u.username, l.group_id));
    }
    held.sort();
    held
}

async fn assigned(db: &Db) -> i32 {
    subscription::Entity::find()
        .filter(subscription::Column::Serial.eq("40000001"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .assigned
}

db_test!(
    should_give_licences_and_roles_to_members_and_take_them_back,
    |db: Db| async move {
        let w = world(&db).await;
        let (admin, root, klimop) = (&w.demo.admin, w.demo.root, w.demo.klimop);
        let product = product_and_subscription(&db, root, 2).await;
        let evi = person(&db, admin, klimop, "g.evi", &[("department", "Care")]).await;
        // Evi holds a licence already (assigned by hand): the group gives her none.
        domain::licences::assign(&db, admin, evi, today())
            .await
            .unwrap();
        let viewers = domain::roles::create(
            &db,
            admin,
            root,
            RoleForm {
                name: "Care viewers".into(),
                permissions: vec!["users.view".into()],
            },
        )
        .await
        .unwrap();
        let care = groups::save(
            &db,
            admin,
            GroupForm {
                grant_product: product.clone(),
                grant_role: Some(viewers.id),
                grant_site: Some(klimop),
                ..form(root, "Care", vec![when("department", Op::Equals, "Care")])
            },
        )
        .await
        .unwrap();
        assert_eq!(usernames_of_members(&db, care).await, Vec::<String>::new());

        let first = run(&db, admin, care).await;
        assert_eq!((first.joined, first.left), (3, 0));
        assert_eq!(
            usernames_of_members(&db, care).await,
            ["g.anna", "g.dora", "g.evi"]
        );
        // Two seats: Evi's own and one more; the third member waits for a free seat.
        assert_eq!(first.ungranted, 1);
        assert_eq!(assigned(&db).await, 2);
        let by_group = licences_by_group(&db).await;
        let group_id = group_row(&db, care).await.id;
        assert_eq!(
            by_group
                .iter()
                .filter(|(_, g)| *g == Some(group_id))
                .count(),
            1
        );
        assert!(by_group.contains(&("g.evi".into(), None)));
        let role_id = role::Entity::find()
            .filter(role::Column::PublicId.eq(viewers.id))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .id;
        let role_grants = || async {
            role_grant::Entity::find()
                .filter(role_grant::Column::RoleId.eq(role_id))
                .filter(role_grant::Column::GroupId.eq(group_id))
                .count(db.conn())
                .await
                .unwrap()
        };
        assert_eq!(role_grants().await, 3);

        // Anna moves to the kitchen: she leaves, her licence and role go, and the member who
        // waited gets the freed seat in the same run.
        let anna = user::Entity::find()
            .filter(user::Column::Username.eq("g.anna"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let anna_had = licences_by_group(&db)
            .await
            .iter()
            .any(|(u, g)| u == "g.anna" && g.is_some());
        properties::set_values(
            &db,
            admin,
            anna.public_id,
            &[("department".into(), "Kitchen".into())],
        )
        .await
        .unwrap();
        let second = run(&db, admin, care).await;
        assert_eq!((second.joined, second.left, second.ungranted), (0, 1, 0));
        assert_eq!(usernames_of_members(&db, care).await, ["g.dora", "g.evi"]);
        assert_eq!(second.granted, usize::from(anna_had));
        assert_eq!(assigned(&db).await, 2);
        let held = licences_by_group(&db).await;
        assert!(held.iter().all(|(u, _)| u != "g.anna"), "{held:?}");
        assert!(held.contains(&("g.dora".into(), Some(group_id))));
        assert_eq!(role_grants().await, 2);

        // Again: nothing to do.
        let third = run(&db, admin, care).await;
        assert_eq!(
            (third.joined, third.left, third.granted, third.ungranted),
            (0, 0, 0, 0)
        );
        assert_eq!(third.members, 2);

        // The journal tells who joined and left, by the group's name.
        let journal = domain::audit::list(&db, admin, JournalQuery::default())
            .await
            .unwrap();
        let by_group: Vec<(String, String)> = journal
            .entries
            .iter()
            .filter(|e| e.actor == "Care")
            .map(|e| (e.action.clone(), e.target.clone()))
            .collect();
        assert!(
            by_group
                .iter()
                .any(|(a, t)| a == "group.leave" && t.contains("g.anna")),
            "{by_group:?}"
        );
        assert!(by_group
            .iter()
            .any(|(a, t)| a == "group.join" && t.contains("g.dora")));
        assert!(by_group.iter().any(|(a, _)| a == "licence.assign"));

        // A changed grant takes back what the old one gave; the members stay.
        groups::save(
            &db,
            admin,
            GroupForm {
                id: Some(care),
                grant_product: product.clone(),
                ..form(root, "Care", vec![when("department", Op::Equals, "Care")])
            },
        )
        .await
        .unwrap();
        assert_eq!(role_grants().await, 0);
        assert_eq!(usernames_of_members(&db, care).await, ["g.dora", "g.evi"]);
        assert!(licences_by_group(&db)
            .await
            .contains(&("g.dora".into(), Some(group_id))));

        // Removing the group takes away what it gave; Evi keeps her own licence.
        groups::remove(&db, admin, care).await.unwrap();
        let held = licences_by_group(&db).await;
        assert_eq!(held, vec![("g.evi".to_string(), None)]);
        assert_eq!(assigned(&db).await, 1);
        assert_eq!(role_grants().await, 0);
    }
);

db_test!(
    should_keep_members_when_the_rule_names_a_removed_property,
    |db: Db| async move {
        let w = world(&db).await;
        let (admin, root) = (&w.demo.admin, w.demo.root);
        let care = groups::save(
            &db,
            admin,
            form(root, "Care", vec![when("department", Op::Equals, "Care")]),
        )
        .await
        .unwrap();
        run(&db, admin, care).await;
        assert_eq!(usernames_of_members(&db, care).await, ["g.anna", "g.dora"]);
        let department = properties::definitions(&db, admin, root)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.key == "department")
            .unwrap();
        properties::remove(&db, admin, department.public_id)
            .await
            .unwrap();
        let report = run(&db, admin, care).await;
        assert_eq!(
            report.problem.as_deref(),
            Some("property_unknown:department")
        );
        assert_eq!((report.joined, report.left), (0, 0));
        assert_eq!(usernames_of_members(&db, care).await, ["g.anna", "g.dora"]);
        let shown = groups::get(&db, admin, care).await.unwrap();
        assert_eq!(
            shown.last_problem.as_deref(),
            Some("property_unknown:department")
        );
        assert_eq!(shown.members, 2);
        // An inactive group is left as it is, and cannot be run by hand.
        let mut paused = form(root, "Care", shown.conditions.clone());
        paused.id = Some(care);
        paused.active = false;
        // The rule can no longer be saved as it is: the property is gone.
        assert_eq!(
            groups::save(&db, admin, paused.clone()).await,
            Err(Error::RefusedAt(
                Code::PropertyUnknown,
                vec!["department".into()]
            ))
        );
        paused.conditions = vec![];
        groups::save(&db, admin, paused).await.unwrap();
        assert_eq!(
            groups::run_now(&db, admin, care).await,
            Err(Error::Refused(Code::GroupInactive))
        );
        assert_eq!(run(&db, admin, care).await.joined, 0);
        assert_eq!(usernames_of_members(&db, care).await, ["g.anna", "g.dora"]);
    }
);

db_test!(
    should_complete_a_run_cut_short_after_its_lease,
    |db: Db| async move {
        let w = world(&db).await;
        let (admin, root, klimop) = (&w.demo.admin, w.demo.root, w.demo.klimop);
        for n in 0..27 {
            person(
                &db,
                admin,
                klimop,
                &format!("g.many{n:02}"),
                &[("note", "batch")],
            )
            .await;
        }
        let group = groups::save(
            &db,
            admin,
            form(root, "Batch", vec![when("note", Op::Equals, "batch")]),
        )
        .await
        .unwrap();
        groups::run_now(&db, admin, group).await.unwrap();
        // Asked twice: still one run queued.
        groups::run_now(&db, admin, group).await.unwrap();
        let queued = job::Entity::find()
            .filter(job::Column::Kind.eq(groups::JOB_KIND))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(queued, 1);
        assert!(groups::get(&db, admin, group).await.unwrap().running);

        // A worker takes the job and dies after the first batch of ten.
        let lease = Duration::from_millis(300);
        let taken = jobs::claim(&db, groups::JOB_KIND, lease)
            .await
            .unwrap()
            .unwrap();
        let payload: groups::GroupJob = serde_json::from_str(&taken.payload).unwrap();
        let cut = groups::recompute_unchecked(
            &db,
            payload.group,
            RunOptions {
                batch: 10,
                stop_after: Some(1),
                today: None,
            },
            || async { Ok(()) },
        )
        .await
        .unwrap();
        assert!(!cut.finished);
        assert_eq!(usernames_of_members(&db, group).await.len(), 10);
        // Nobody else may take it while the lease holds; after it, another worker does.
        assert!(jobs::claim(&db, groups::JOB_KIND, lease)
            .await
            .unwrap()
            .is_none());
        tokio::time::sleep(Duration::from_millis(400)).await;
        let again = jobs::claim(&db, groups::JOB_KIND, lease)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id, again.attempts), (taken.id, 2));
        let mut renewals = 0;
        let report = groups::run_job(&db, payload, || {
            renewals += 1;
            async { Ok(()) }
        })
        .await
        .unwrap();
        jobs::complete(&db, again.id, None).await.unwrap();
        assert!(report.finished);
        assert_eq!((report.joined, report.members), (17, 27));
        assert!(renewals >= 1);
        assert_eq!(usernames_of_members(&db, group).await.len(), 27);
        assert!(!groups::get(&db, admin, group).await.unwrap().running);
        // Idempotent: nothing left to do, and every join is journaled once.
        let report = run(&db, admin, group).await;
        assert_eq!((report.joined, report.left, report.members), (0, 0, 27));
        let joins = domain::entities::audit_event::Entity::find()
            .filter(domain::entities::audit_event::Column::Action.eq("group.join"))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(joins, 27);
    }
);

db_test!(should_queue_groups_on_their_schedule, |db: Db| async move {
    let w = world(&db).await;
    let (admin, root) = (&w.demo.admin, w.demo.root);
    let nightly = groups::save(&db, admin, form(root, "Nightly", vec![]))
        .await
        .unwrap();
    let manual = groups::save(
        &db,
        admin,
        GroupForm {
            schedule: "manual".into(),
            ..form(root, "Manual", vec![])
        },
    )
    .await
    .unwrap();
    assert_eq!(
        groups::save(
            &db,
            admin,
            GroupForm {
                schedule: "weekly".into(),
                ..form(root, "Weekly", vec![])
            }
        )
        .await,
        Err(Error::invalid("schedule", Code::GroupScheduleInvalid))
    );
    assert_eq!(
        groups::save(&db, admin, form(root, "Nightly", vec![])).await,
        Err(Error::invalid("name", Code::GroupNameTaken))
    );
    let next = groups::get(&db, admin, nightly)
        .await
        .unwrap()
        .next_run_at
        .unwrap();
    assert_eq!(next.format("%H:%M").to_string(), "02:00");
    assert!(groups::get(&db, admin, manual)
        .await
        .unwrap()
        .next_run_at
        .is_none());
    // Before its time nothing is queued; at it, once (the next time moves a day on).
    assert_eq!(
        groups::enqueue_due(&db, next - chrono::Duration::minutes(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(groups::enqueue_due(&db, next).await.unwrap(), 1);
    assert_eq!(groups::enqueue_due(&db, next).await.unwrap(), 0);
    let moved = groups::get(&db, admin, nightly)
        .await
        .unwrap()
        .next_run_at
        .unwrap();
    assert_eq!(moved, next + chrono::Duration::days(1));
    assert_eq!(
        groups::Schedule::Hourly.next_after(Utc.with_ymd_and_hms(2026, 11, 23, 10, 15, 0).unwrap()),
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 11, 0, 0).unwrap())
    );
});

db_test!(
    should_refuse_groups_outside_ones_rights,
    |db: Db| async move {
        let w = world(&db).await;
        let (admin, root, klimop, regenboog) =
            (&w.demo.admin, w.demo.root, w.demo.klimop, w.demo.regenboog);
        let klimop_admin = admin_of(&db, klimop, "klimop.admin").await;
        // A subsite administrator manages groups of their site, but not above it.
        let own = groups::save(
            &db,
            &klimop_admin,
            form(
                klimop,
                "Klimop care",
                vec![when("department", Op::Equals, "Care")],
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            groups::save(&db, &klimop_admin, form(root, "Everyone", vec![])).await,
            Err(Error::NotFound)
        );
        assert_eq!(
            groups::preview(&db, &klimop_admin, regenboog, &[], None).await,
            Err(Error::NotFound)
        );
        // Nor grants a role on a site outside their subtree.
        let administrator = role::Entity::find()
            .filter(role::Column::BuiltinKey.eq(domain::roles::ADMINISTRATOR))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            groups::save(
                &db,
                &klimop_admin,
                GroupForm {
                    id: Some(own),
                    grant_role: Some(administrator.public_id),
                    grant_site: Some(root),
                    ..form(klimop, "Klimop care", vec![])
                }
            )
            .await,
            Err(Error::NotFound)
        );
        let listed: Vec<String> = groups::list(&db, admin, root)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.name)
            .collect();
        assert_eq!(listed, ["Klimop care"]);
        assert_eq!(
            groups::list(&db, &klimop_admin, regenboog).await,
            Err(Error::NotFound)
        );
    }
);
