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

        let director = audit::list(&db, &demo.admin, JournalQuery::default(), true)
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
        let own = audit::list(&db, &klimop_admin, JournalQuery::default(), true)
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
        let page = audit::list(&db, &demo.admin, regenboog.clone(), true)
            .await
            .unwrap();
        assert_eq!(page.total, 2);
        let foreign = audit::list(&db, &klimop_admin, regenboog, true)
            .await
            .unwrap_err();
        assert!(matches!(foreign, Error::NotFound), "{foreign:?}");
        let by_actor = JournalQuery {
            actor: "KLIMOP".into(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(&db, &demo.admin, by_actor, true)
                .await
                .unwrap()
                .total,
            1
        );
        let by_action = JournalQuery {
            action: "site.create".into(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(&db, &demo.admin, by_action, true)
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
        assert_eq!(
            audit::list(&db, &demo.admin, dated, true)
                .await
                .unwrap()
                .total,
            4
        );
        let past = JournalQuery {
            to: "2020-01-01".into(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(&db, &demo.admin, past, true)
                .await
                .unwrap()
                .total,
            0
        );
        let reversed = JournalQuery {
            from: "2026-02-01".into(),
            to: "2026-01-01".into(),
            ..Default::default()
        };
        assert!(matches!(
            audit::list(&db, &demo.admin, reversed, true).await,
            Err(Error::Validation {
                code: Code::DateRangeReversed,
                ..
            })
        ));
        let bogus = JournalQuery {
            action: "drop.tables".into(),
            ..Default::default()
        };
        assert!(audit::list(&db, &demo.admin, bogus, true).await.is_err());
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
        let page = audit::list(&db, &demo.admin, JournalQuery::default(), true)
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
