//! The audit journal: written with each change, read per subtree, filtered.
use domain::audit::{self, JournalQuery};
use domain::sites::{self, NewSiteForm};
use domain::users;
use domain::{Code, Error};

use crate::db_test;
use crate::helpers::*;

fn lines(page: &audit::JournalPage) -> Vec<String> {
    page.entries
        .iter()
        .map(|e| format!("{} {} by {}", e.action, e.target, e.actor))
        .collect()
}

db_test!(
    should_show_each_administrator_their_subtree_and_their_own_changes,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        let klimop_admin = klimop_admin.from_address(Some("192.0.2.7".into()));
        users::create(&db, &klimop_admin, demo.klimop, user_form("pupil"))
            .await
            .unwrap();
        sites::create(
            &db,
            &demo.admin,
            demo.regenboog,
            NewSiteForm {
                name: "Klas R1".into(),
                seat_limit: "0".into(),
            },
        )
        .await
        .unwrap();

        let director = audit::list(&db, &demo.admin, JournalQuery::default())
            .await
            .unwrap();
        assert_eq!(
            lines(&director),
            [
                "site.create Klas R1 by directeur",
                "user.create Test User (pupil) by klimop.admin",
                "site.create De Klimop by directeur",
                "site.create De Regenboog by directeur",
            ]
        );
        let own = audit::list(&db, &klimop_admin, JournalQuery::default())
            .await
            .unwrap();
        assert_eq!(
            lines(&own),
            [
                "user.create Test User (pupil) by klimop.admin",
                "site.create De Klimop by directeur",
            ]
        );
        assert_eq!(own.entries[0].client_address.as_deref(), Some("192.0.2.7"));
        assert_eq!(own.entries[0].changes[0].field, "username");

        // Filters: subtree, actor, action, dates.
        let regenboog = JournalQuery {
            site: Some(demo.regenboog),
            ..Default::default()
        };
        let page = audit::list(&db, &demo.admin, regenboog.clone())
            .await
            .unwrap();
        assert_eq!(page.total, 2);
        let foreign = audit::list(&db, &klimop_admin, regenboog)
            .await
            .unwrap_err();
        assert!(matches!(foreign, Error::NotFound), "{foreign:?}");
        let by_actor = JournalQuery {
            actor: "KLIMOP".into(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(&db, &demo.admin, by_actor).await.unwrap().total,
            1
        );
        let by_action = JournalQuery {
            action: "site.create".into(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(&db, &demo.admin, by_action)
                .await
                .unwrap()
                .total,
            3
        );
        let today = wire::time::today();
        let dated = JournalQuery {
            from: today.to_string(),
            to: today.to_string(),
            ..Default::default()
        };
        assert_eq!(audit::list(&db, &demo.admin, dated).await.unwrap().total, 4);
        let past = JournalQuery {
            to: "2020-01-01".into(),
            ..Default::default()
        };
        assert_eq!(audit::list(&db, &demo.admin, past).await.unwrap().total, 0);
        let reversed = JournalQuery {
            from: "2026-02-01".into(),
            to: "2026-01-01".into(),
            ..Default::default()
        };
        assert!(matches!(
            audit::list(&db, &demo.admin, reversed).await,
            Err(Error::Validation {
                code: Code::DateRangeReversed,
                ..
            })
        ));
        let bogus = JournalQuery {
            action: "drop.tables".into(),
            ..Default::default()
        };
        assert!(audit::list(&db, &demo.admin, bogus).await.is_err());
    }
);

db_test!(
    should_write_the_journal_in_the_same_transaction_as_the_change,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        // A refused change leaves no entry.
        for i in 0..3 {
            let _ = users::create(
                &db,
                &demo.admin,
                demo.regenboog,
                user_form(&format!("u{i}")),
            )
            .await;
        }
        let page = audit::list(&db, &demo.admin, JournalQuery::default())
            .await
            .unwrap();
        let created = page
            .entries
            .iter()
            .filter(|e| e.action == "user.create")
            .count();
        assert_eq!(created, 1, "De Regenboog had one free seat");
    }
);

db_test!(
    should_export_the_journal_in_batches_without_losing_or_repeating_an_entry,
    |db: domain::Db| async move {
        use domain::entities::{audit_event, site};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let demo = demo(&db).await;
        let klimop = site::Entity::find()
            .filter(site::Column::PublicId.eq(demo.klimop))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        // More than two batches, all at the same instant: only the id tells them apart.
        let at = chrono::Utc::now();
        let n = 2 * audit::EXPORT_BATCH as usize + 17;
        let rows = (0..n).map(|i| audit_event::ActiveModel {
            at: sea_orm::Set(at),
            actor_id: sea_orm::Set(None),
            actor_name: sea_orm::Set("bulk".into()),
            action: sea_orm::Set("user.update".into()),
            target_kind: sea_orm::Set("user".into()),
            target_label: sea_orm::Set(format!("t{i:05}")),
            site_id: sea_orm::Set(klimop.id),
            site_name: sea_orm::Set(klimop.name.clone()),
            changes: sea_orm::Set("[]".into()),
            client_address: sea_orm::Set(None),
            ..Default::default()
        });
        for chunk in rows.collect::<Vec<_>>().chunks(500) {
            audit_event::Entity::insert_many(chunk.to_vec())
                .exec(db.conn())
                .await
                .unwrap();
        }
        // A Klimop administrator downloads De Klimop's journal.
        let reader = admin_of(&db, demo.klimop, "klimop.reader").await;
        let query = JournalQuery {
            site: Some(demo.klimop),
            ..Default::default()
        };
        let mut export = audit::export(&db, &reader, query.clone()).await.unwrap();
        let mut seen = Vec::new();
        let mut batches = 0;
        loop {
            let batch = export.next_batch().await.unwrap();
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() as u64 <= audit::EXPORT_BATCH);
            batches += 1;
            seen.extend(batch.into_iter().map(|e| e.target));
        }
        let bulk: Vec<&String> = seen.iter().filter(|t| t.starts_with('t')).collect();
        assert_eq!(bulk.len(), n, "every entry once");
        let mut unique = bulk.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), n, "none twice");
        assert!(batches >= 3);
        // Newest first: the last inserted of the same instant comes first.
        assert_eq!(bulk[0], &format!("t{:05}", n - 1));
        // Someone else's site: refused before any row is read.
        let regenboog = JournalQuery {
            site: Some(demo.regenboog),
            ..Default::default()
        };
        assert!(matches!(
            audit::export(&db, &reader, regenboog).await,
            Err(Error::NotFound | Error::Forbidden)
        ));
    }
);
