//! Bulk actions on the user list: by explicit ids or everything matching the filter, checked
//! per user, self protected, seats held for moves, journaled; large selections queued.
use chrono::NaiveDate;
use domain::entities::{audit_event, job, user};
use domain::users::{self, BulkAction, Selection};
use domain::{Code, Db, Error};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn matching(search: &str) -> Selection {
    Selection::Matching {
        search: search.into(),
        include_subsites: true,
        property: None,
    }
}

async fn by_name(db: &Db, username: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
}

db_test!(
    should_deactivate_and_date_everything_matching_but_the_acting_administrator,
    |db: Db| async move {
        let demo = demo(&db).await;
        let report = users::bulk(
            &db,
            &demo.admin,
            demo.root,
            matching(""),
            BulkAction::Deactivate,
        )
        .await
        .unwrap();
        // Five users in the demo: four deactivated, the director skipped.
        assert_eq!(report.changed, 4);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].1, Code::CannotDeactivateSelf);
        assert!(!by_name(&db, "emma.willems").await.unwrap().active);
        assert!(by_name(&db, "directeur").await.unwrap().active);
        let journaled = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("user.deactivate"))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(journaled, 4);

        // The end of the school year for the whole subtree, in one step.
        let end = NaiveDate::from_ymd_opt(2027, 6, 30);
        users::bulk(
            &db,
            &demo.admin,
            demo.root,
            matching(""),
            BulkAction::SetExpiry(end),
        )
        .await
        .unwrap();
        let dated = user::Entity::find()
            .filter(user::Column::ExpiresOn.eq(end))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(dated, 5);
    }
);

db_test!(
    should_move_as_many_as_the_destination_has_seats_for,
    |db: Db| async move {
        let demo = demo(&db).await;
        // De Klimop has three free seats; four are moved there.
        let names = [
            "lotte.janssens",
            "pieter.claes",
            "sofie.maes",
            "emma.willems",
        ];
        let mut ids = Vec::new();
        for name in names {
            ids.push(by_name(&db, name).await.unwrap().public_id);
        }
        let report = users::bulk(
            &db,
            &demo.admin,
            demo.root,
            Selection::Users(ids),
            BulkAction::Move(demo.klimop),
        )
        .await
        .unwrap();
        assert_eq!(report.changed, 3);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].1, Code::NoFreeSeat);
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_refuse_users_outside_the_subtree_and_write_nothing,
    |db: Db| async move {
        let demo = demo(&db).await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        let emma = by_name(&db, "emma.willems").await.unwrap();
        let refused = users::bulk(
            &db,
            &klimop_admin,
            demo.klimop,
            Selection::Users(vec![emma.public_id]),
            BulkAction::Delete,
        )
        .await;
        assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");
        let elsewhere = users::bulk(
            &db,
            &klimop_admin,
            demo.regenboog,
            matching(""),
            BulkAction::Delete,
        )
        .await;
        assert!(matches!(elsewhere, Err(Error::NotFound)), "{elsewhere:?}");
        // Nor can they move their users out of their subtree.
        let own = users::bulk(
            &db,
            &klimop_admin,
            demo.klimop,
            matching(""),
            BulkAction::Move(demo.regenboog),
        )
        .await;
        assert!(matches!(own, Err(Error::NotFound)), "{own:?}");
        assert!(by_name(&db, "emma.willems").await.is_some());
        assert!(by_name(&db, "klimop.admin").await.is_some());

        // Deleting everything in their own site spares themselves.
        let report = users::bulk(
            &db,
            &klimop_admin,
            demo.klimop,
            matching(""),
            BulkAction::Delete,
        )
        .await
        .unwrap();
        assert_eq!((report.changed, report.skipped.len()), (0, 1));
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_queue_a_large_selection_as_a_job,
    |db: Db| async move {
        let demo = demo(&db).await;
        let root = domain::sites::insert_root(&db, "Groot", 2_000)
            .await
            .unwrap();
        let admin = admin_of(&db, root.public_id, "groot.admin").await;
        let txn = db.write().await.unwrap();
        for i in 0..=users::INLINE_LIMIT {
            let new_user = user_form(&format!("bulk.{i:04}")).validate().await.unwrap();
            users::insert_unchecked(&*txn, root.id, new_user)
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
        let _ = demo;
        let report = users::bulk(
            &db,
            &admin,
            root.public_id,
            matching("bulk."),
            BulkAction::Deactivate,
        )
        .await
        .unwrap();
        assert!(report.queued);
        assert_eq!(report.changed, users::INLINE_LIMIT as u64 + 1);
        let still_active = || async {
            user::Entity::find()
                .filter(user::Column::Username.starts_with("bulk."))
                .filter(user::Column::Active.eq(true))
                .count(db.conn())
                .await
                .unwrap()
        };
        assert_eq!(still_active().await, users::INLINE_LIMIT as u64 + 1);
        let queued = job::Entity::find()
            .filter(job::Column::Kind.eq("users.bulk"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let payload: users::BulkJob = serde_json::from_str(&queued.payload).unwrap();
        users::run_job(&db, payload).await.unwrap();
        assert_eq!(still_active().await, 0);
    }
);

#[test]
fn should_read_a_bulk_action_as_the_form_names_it() {
    let target = uuid::Uuid::new_v4();
    let parse = |action: &str, date: &str, target| BulkAction::parse(action, date, target);
    assert_eq!(parse("activate", "", None).unwrap(), BulkAction::Activate);
    assert_eq!(
        parse("deactivate", "", None).unwrap(),
        BulkAction::Deactivate
    );
    assert_eq!(parse("delete", "", None).unwrap(), BulkAction::Delete);
    assert_eq!(
        parse("expiry", " 2027-07-31 ", None).unwrap(),
        BulkAction::SetExpiry(NaiveDate::from_ymd_opt(2027, 7, 31))
    );
    // An empty date clears the user's own expiry.
    assert_eq!(
        parse("expiry", "", None).unwrap(),
        BulkAction::SetExpiry(None)
    );
    assert_eq!(
        parse("move", "", Some(target)).unwrap(),
        BulkAction::Move(target)
    );
    let code = |result: domain::Result<BulkAction>| result.unwrap_err().code();
    assert_eq!(code(parse("expiry", "31-07-2027", None)), Code::DateInvalid);
    assert_eq!(code(parse("move", "", None)), Code::NotFound);
    assert_eq!(code(parse("promote", "", None)), Code::InvalidRequest);
}

#[test]
fn should_filter_a_matching_selection_by_property_only_with_a_value() {
    let filter = |property: &str, value: &str| users::ListFilter {
        search: "jan".into(),
        include_subsites: true,
        property: property.into(),
        property_value: value.into(),
        ..Default::default()
    };
    let Selection::Matching {
        property,
        search,
        include_subsites,
    } = Selection::matching(filter("klas", "4B"))
    else {
        panic!("not a matching selection");
    };
    assert_eq!(property, Some(("klas".into(), "4B".into())));
    assert_eq!((search.as_str(), include_subsites), ("jan", true));
    for (key, value) in [("klas", " "), ("", "4B")] {
        let Selection::Matching { property, .. } = Selection::matching(filter(key, value)) else {
            panic!("not a matching selection");
        };
        assert_eq!(property, None, "{key:?} {value:?}");
    }
}
