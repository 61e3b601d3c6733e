//! The school-year rollover on both databases, on the district the OneRoster fixture makes
//! (two schools, 1A–6A and 1B–6B of 25 pupils): the proposal by name, the moves all at once,
//! the leavers expiring, the seats growing or short, users beyond authority left alone, the
//! job, and the undo within a day (and not after).
use chrono::{Duration, NaiveDate, Utc};
use domain::entities::{job, user};
use domain::import::oneroster::RosterOptions;
use domain::rollover::{self, RolloverJob};
use domain::{Code, Db, Error};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use wire::{NextClass, RolloverState};

use crate::db_test;
use crate::helpers::*;
use crate::oneroster::{import, own_users, room};

fn options(leave_on: NaiveDate, archive: bool) -> rollover::RolloverOptions {
    rollover::RolloverOptions {
        leave_on,
        archive,
        renew: false,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 6, 20).unwrap()
}

async fn placed(db: &Db, username: &str) -> (String, Option<NaiveDate>) {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let site = domain::entities::site::Entity::find_by_id(found.site_id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    (site.name, found.expires_on)
}

/// The demo with room, the OneRoster fixture's district imported, the proposal and its mapping.
async fn district(db: &Db) -> (Demo, rollover::Proposal, Vec<(uuid::Uuid, NextClass)>) {
    let demo = demo(db).await;
    room(db, 400).await;
    import(
        db,
        &demo.admin,
        demo.root,
        "first",
        RosterOptions::default(),
    )
    .await;
    let proposal = rollover::propose(db, &demo.admin, demo.root, today())
        .await
        .unwrap();
    let mapping = proposal.classes.iter().map(|c| (c.id, c.next)).collect();
    (demo, proposal, mapping)
}

async fn run_queued(db: &Db) {
    let queued = job::Entity::find()
        .filter(job::Column::Kind.eq(rollover::JOB_KIND))
        .all(db.conn())
        .await
        .unwrap();
    for found in queued {
        let payload: RolloverJob = serde_json::from_str(&found.payload).unwrap();
        rollover::run_job(db, payload, today()).await.unwrap();
    }
}

db_test!(
    should_move_every_class_up_and_undo_it,
    |db: Db| async move {
        let (demo, proposal, mapping) = district(&db).await;
        assert_eq!(
            proposal.leave_on,
            NaiveDate::from_ymd_opt(2027, 8, 31).unwrap()
        );
        let next = |name: &str| {
            proposal
                .classes
                .iter()
                .find(|c| c.name == name)
                .unwrap()
                .next
        };
        let id = |name: &str| proposal.classes.iter().find(|c| c.name == name).unwrap().id;
        assert_eq!(next("1A"), NextClass::Class(id("2A")));
        assert_eq!(next("5B"), NextClass::Class(id("6B")));
        assert_eq!(next("6A"), NextClass::Leave);
        assert_eq!(next("De Klimop"), NextClass::Stay);

        // The preview: 250 move up, 50 leave; the schools grow for their leavers.
        let plan = rollover::plan(
            &db,
            &demo.admin,
            demo.root,
            &mapping,
            options(proposal.leave_on, false),
            today(),
        )
        .await
        .unwrap();
        assert_eq!((plan.moves.len() - plan.leavers, plan.leavers), (250, 50));
        assert!(plan.shortages.is_empty(), "{:?}", plan.shortages);
        let after = |name: &str| plan.classes.iter().find(|c| c.0 == name).unwrap().2;
        assert_eq!((after("1A"), after("2A"), after("6A")), (0, 25, 25));

        let started = rollover::start(
            &db,
            &demo.admin,
            demo.root,
            mapping.clone(),
            options(proposal.leave_on, false),
            today(),
        )
        .await
        .unwrap();
        run_queued(&db).await;
        let status = rollover::status(&db, &demo.admin, started).await.unwrap();
        assert_eq!(
            (status.state, status.moved, status.leavers),
            (RolloverState::Done, 250, 50)
        );
        assert!(status.undo_until.is_some());
        // lk.emma.000 was in 1A, lk.emma.120 in 5A; lk.emma.140 was in 6A and leaves.
        assert_eq!(placed(&db, "lk.emma.000").await, ("2A".into(), None));
        assert_eq!(placed(&db, "lk.emma.120").await.0, "6A");
        assert_eq!(
            placed(&db, "lk.emma.140").await,
            (
                "Basisschool De Linde".into(),
                Some(NaiveDate::from_ymd_opt(2027, 8, 31).unwrap())
            )
        );
        assert_eq!(own_users(&db, "1A").await.0, 0);
        assert_eq!(own_users(&db, "Basisschool De Linde").await.0, 35);
        assert_counters_exact(&db).await;

        // Undone within the day: everyone back, with the end date they had.
        let back = rollover::undo(&db, &demo.admin, started, Utc::now())
            .await
            .unwrap();
        assert_eq!(back, 300);
        assert_eq!(placed(&db, "lk.emma.000").await, ("1A".into(), None));
        assert_eq!(placed(&db, "lk.emma.140").await, ("6A".into(), None));
        assert_eq!(placed(&db, "lk.emma.120").await, ("5A".into(), None));
        assert_eq!(own_users(&db, "1A").await.0, 25);
        assert_counters_exact(&db).await;
        // Not twice.
        assert_eq!(
            rollover::undo(&db, &demo.admin, started, Utc::now())
                .await
                .err(),
            Some(Error::Refused(Code::RolloverNotUndoable))
        );
    }
);

db_test!(
    should_not_undo_after_a_day_nor_move_back_who_changed,
    |db: Db| async move {
        let (demo, proposal, mapping) = district(&db).await;
        let started = rollover::start(
            &db,
            &demo.admin,
            demo.root,
            mapping,
            options(proposal.leave_on, false),
            today(),
        )
        .await
        .unwrap();
        run_queued(&db).await;
        // Too late.
        assert_eq!(
            rollover::undo(&db, &demo.admin, started, Utc::now() + Duration::hours(25))
                .await
                .err(),
            Some(Error::Refused(Code::RolloverNotUndoable))
        );
        // A pupil moved by hand since stays where they were put.
        let moved = user::Entity::find()
            .filter(user::Column::Username.eq("lk.emma.000"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let report = domain::users::bulk(
            &db,
            &demo.admin,
            demo.root,
            domain::users::Selection::Users(vec![moved.public_id]),
            domain::users::BulkAction::Move(demo.regenboog),
        )
        .await
        .unwrap();
        assert_eq!(report.changed, 1, "{report:?}");
        let back = rollover::undo(&db, &demo.admin, started, Utc::now())
            .await
            .unwrap();
        assert_eq!(back, 299);
        assert_eq!(placed(&db, "lk.emma.000").await.0, "De Regenboog");
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_refuse_a_shortage_and_foreign_classes,
    |db: Db| async move {
        let (demo, proposal, _) = district(&db).await;
        // Every class into 2A: 2A would hold 300, the organisation has not the seats.
        let two_a = proposal.classes.iter().find(|c| c.name == "2A").unwrap().id;
        let mapping: Vec<_> = proposal
            .classes
            .iter()
            .filter(|c| c.name.len() == 2 && c.id != two_a)
            .map(|c| (c.id, NextClass::Class(two_a)))
            .collect();
        room(&db, 0).await;
        let plan = rollover::plan(
            &db,
            &demo.admin,
            demo.root,
            &mapping,
            options(proposal.leave_on, false),
            today(),
        )
        .await
        .unwrap();
        assert_eq!(plan.shortages.len(), 1);
        assert_eq!(
            rollover::start(
                &db,
                &demo.admin,
                demo.root,
                mapping,
                options(proposal.leave_on, false),
                today()
            )
            .await
            .err(),
            Some(Error::Refused(Code::NoFreeSeat))
        );
        // De Klimop's administrator: the district's classes are none of theirs.
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        assert_eq!(
            rollover::plan(
                &db,
                &klimop,
                demo.klimop,
                &[(two_a, NextClass::Leave)],
                options(proposal.leave_on, false),
                today()
            )
            .await
            .err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            rollover::propose(&db, &klimop, demo.root, today())
                .await
                .err(),
            Some(Error::NotFound)
        );
        // A day in the past.
        assert_eq!(
            rollover::plan(
                &db,
                &demo.admin,
                demo.root,
                &[],
                options(today() - Duration::days(1), false),
                today()
            )
            .await
            .err(),
            Some(Error::invalid("leave_on", Code::ExpiryInPast))
        );
    }
);

db_test!(
    should_archive_the_classes_left_empty_and_give_them_back,
    |db: Db| async move {
        let (demo, proposal, mapping) = district(&db).await;
        let plan = rollover::plan(
            &db,
            &demo.admin,
            demo.root,
            &mapping,
            options(proposal.leave_on, true),
            today(),
        )
        .await
        .unwrap();
        // 1A and 1B: no one comes in.
        let names: Vec<String> = proposal
            .classes
            .iter()
            .filter(|c| c.pupils == 0 || ["1A", "1B"].contains(&c.name.as_str()))
            .map(|c| format!("{}:{}", c.name, c.pupils))
            .collect();
        assert_eq!(plan.archived.len(), 2, "{names:?}");
        let started = rollover::start(
            &db,
            &demo.admin,
            demo.root,
            mapping,
            options(proposal.leave_on, true),
            today(),
        )
        .await
        .unwrap();
        run_queued(&db).await;
        let one_a = crate::oneroster::site_named(&db, "1A").await;
        assert_eq!((one_a.seat_limit, one_a.archived_on.is_some()), (0, true));
        let tree = domain::sites::tree(&db, &demo.admin).await.unwrap();
        assert!(tree.iter().any(|n| n.name == "1A" && n.archived));
        assert_counters_exact(&db).await;
        rollover::undo(&db, &demo.admin, started, Utc::now())
            .await
            .unwrap();
        let one_a = crate::oneroster::site_named(&db, "1A").await;
        assert_eq!((one_a.seat_limit, one_a.archived_on), (25, None));
        assert_eq!(own_users(&db, "1A").await.0, 25);
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_renew_the_licences_of_those_moving_up_and_take_them_back,
    |db: Db| async move {
        use domain::entities::{licence, subscription};
        let (demo, proposal, mapping) = district(&db).await;
        // This school year's subscription and next year's, 20 seats each.
        let root = crate::oneroster::site_named(&db, domain::demo::ORGANISATION).await;
        for (serial, from, until) in [
            ("7100001", (2026, 9, 1), (2027, 8, 31)),
            ("7100002", (2027, 9, 1), (2028, 8, 31)),
        ] {
            let day = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
            subscription(&db, root.id, serial, 20, (day(from), day(until))).await;
        }
        // Three pupils of 1A hold a licence of this school year.
        let mut pupils = Vec::new();
        for username in ["lk.emma.000", "lk.noah.001", "lk.lotte.002"] {
            let found = user::Entity::find()
                .filter(user::Column::Username.eq(username))
                .one(db.conn())
                .await
                .unwrap()
                .unwrap();
            domain::licences::assign(&db, &demo.admin, found.public_id, today())
                .await
                .unwrap();
            pupils.push(found.id);
        }
        let next_assigned = |db: Db| async move {
            subscription::Entity::find()
                .all(db.conn())
                .await
                .unwrap()
                .into_iter()
                .filter(|s| s.valid_from > today())
                .map(|s| s.assigned)
                .sum::<i32>()
        };
        let renewing = rollover::RolloverOptions {
            leave_on: proposal.leave_on,
            archive: false,
            renew: true,
        };
        let plan = rollover::plan(&db, &demo.admin, demo.root, &mapping, renewing, today())
            .await
            .unwrap();
        assert_eq!((plan.renewals.len(), plan.renewable), (3, 20));
        let started = rollover::start(&db, &demo.admin, demo.root, mapping, renewing, today())
            .await
            .unwrap();
        run_queued(&db).await;
        let status = rollover::status(&db, &demo.admin, started).await.unwrap();
        assert_eq!(status.renewed, 3);
        assert_eq!(next_assigned(db.clone()).await, 3);
        for id in &pupils {
            let held = licence::Entity::find()
                .filter(licence::Column::UserId.eq(*id))
                .all(db.conn())
                .await
                .unwrap();
            assert_eq!(held.len(), 2, "this year's and next year's");
        }
        rollover::undo(&db, &demo.admin, started, Utc::now())
            .await
            .unwrap();
        assert_eq!(next_assigned(db.clone()).await, 0);
        let held = licence::Entity::find()
            .filter(licence::Column::UserId.is_in(pupils.clone()))
            .all(db.conn())
            .await
            .unwrap();
        assert_eq!(held.len(), 3, "this year's stay");
    }
);

db_test!(
    should_leave_alone_a_pupil_more_powerful_than_the_administrator,
    |db: Db| async move {
        let (demo, _, _) = district(&db).await;
        let school = crate::oneroster::site_named(&db, "Basisschool De Linde").await;
        let root = crate::oneroster::site_named(&db, domain::demo::ORGANISATION).await;
        // Room in the school for its leavers (taken from the organisation's).
        {
            use sea_orm::{ActiveModelTrait, Set};
            let mut row: domain::entities::site::ActiveModel = school.clone().into();
            row.seat_limit = Set(school.seat_limit + 50);
            row.update(db.conn()).await.unwrap();
            let mut row: domain::entities::site::ActiveModel = root.clone().into();
            row.used_seats = Set(root.used_seats + 50);
            row.update(db.conn()).await.unwrap();
        }
        let root = crate::oneroster::site_named(&db, domain::demo::ORGANISATION).await;
        // The school's administrator (placed in the organisation, which has room).
        let form = domain::users::NewUserForm {
            username: "linde.admin".into(),
            first_name: "Lien".into(),
            last_name: "Linde".into(),
            ..Default::default()
        }
        .validate()
        .await
        .unwrap();
        let txn = db.write().await.unwrap();
        let admin = domain::users::insert_unchecked(&*txn, root.id, form)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        domain::roles::grant_builtin_unchecked(
            db.conn(),
            admin.id,
            domain::roles::ADMINISTRATOR,
            school.id,
        )
        .await
        .unwrap();
        let admin = domain::Principal::load(&db, admin.id).await.unwrap();
        // A pupil of 1A who administers the whole organisation.
        let boss = user::Entity::find()
            .filter(user::Column::Username.eq("lk.emma.000"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        domain::roles::grant_builtin_unchecked(
            db.conn(),
            boss.id,
            domain::roles::ADMINISTRATOR,
            root.id,
        )
        .await
        .unwrap();
        let proposal = rollover::propose(&db, &admin, school.public_id, today())
            .await
            .unwrap();
        let mapping: Vec<_> = proposal.classes.iter().map(|c| (c.id, c.next)).collect();
        let plan = rollover::plan(
            &db,
            &admin,
            school.public_id,
            &mapping,
            options(proposal.leave_on, false),
            today(),
        )
        .await
        .unwrap();
        assert_eq!(
            plan.skipped,
            vec![(
                "Emma Peeters (lk.emma.000)".to_string(),
                Code::UserOutOfReach
            )]
        );
        rollover::start(
            &db,
            &admin,
            school.public_id,
            mapping,
            options(proposal.leave_on, false),
            today(),
        )
        .await
        .unwrap();
        run_queued(&db).await;
        assert_eq!(placed(&db, "lk.emma.000").await.0, "1A");
        assert_eq!(placed(&db, "lk.noah.001").await.0, "2A");
        let _ = demo;
        assert_counters_exact(&db).await;
    }
);
