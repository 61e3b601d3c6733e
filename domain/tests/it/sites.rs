//! The tree, site information edits, deletion rules and bad input.
use chrono::NaiveDate;
use domain::sites::{self, NewSiteForm, SiteForm};
use domain::{users, Code, Error};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_refuse_bad_site_input_and_write_nothing,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let form = |name: &str, seats: &str, code: &str, date: &str| SiteForm {
            name: name.into(),
            seat_limit: seats.into(),
            registration_code: code.into(),
            expires_on: date.into(),
            ..Default::default()
        };
        let long = "x".repeat(201);
        for (input, code) in [
            (form("", "3", "", ""), Code::NameRequired),
            (form(&long, "3", "", ""), Code::NameTooLong),
            (form("De Klimop", "-1", "", ""), Code::SeatLimitNegative),
            (
                form("De Klimop", "three", "", ""),
                Code::SeatLimitNotANumber,
            ),
            (form("De Klimop", "3", "", "31/12/2026"), Code::DateInvalid),
            (
                form("De Klimop", "3", "a b", ""),
                Code::RegistrationCodeInvalid,
            ),
        ] {
            let result = sites::update(&db, &demo.admin, demo.klimop, input).await;
            assert_eq!(result.err().map(|e| e.code()), Some(code));
        }
        let unchanged = sites::details(&db, &demo.admin, demo.klimop).await.unwrap();
        assert_eq!(unchanged.node.name, "De Klimop");
        assert_eq!(unchanged.node.seat_limit, 3);
        assert_eq!(unchanged.expires_on, None);

        for (name, seats, code) in [
            ("", "1", Code::NameRequired),
            ("Klas", "x", Code::SeatLimitNotANumber),
        ] {
            let result = sites::create(
                &db,
                &demo.admin,
                demo.root,
                NewSiteForm {
                    name: name.into(),
                    seat_limit: seats.into(),
                },
            )
            .await;
            assert_eq!(result.err().map(|e| e.code()), Some(code));
        }
        let missing = sites::details(&db, &demo.admin, Uuid::new_v4()).await;
        assert!(matches!(missing, Err(Error::NotFound)));
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_save_site_information_and_inherit_the_expiry_date,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let saved = sites::update(
            &db,
            &demo.admin,
            demo.root,
            SiteForm {
                name: "Scholengroep Horizon".into(),
                seat_limit: "20".into(),
                registration_code: "horizon-2026".into(),
                expires_on: "2027-06-30".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(saved.registration_code.as_deref(), Some("HORIZON-2026"));
        let child = sites::details(&db, &demo.admin, demo.klimop).await.unwrap();
        assert_eq!(child.expires_on, None);
        assert_eq!(
            child.effective_expires_on,
            NaiveDate::from_ymd_opt(2027, 6, 30)
        );
        // The same code on another site is refused.
        let taken = sites::update(
            &db,
            &demo.admin,
            demo.klimop,
            SiteForm {
                name: "De Klimop".into(),
                seat_limit: "3".into(),
                registration_code: "HORIZON-2026".into(),
                expires_on: String::new(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            taken.err().map(|e| e.code()),
            Some(Code::RegistrationCodeTaken)
        );
        // The root's limit comes from its subscriptions, not from this form.
        let root = sites::update(
            &db,
            &demo.admin,
            demo.root,
            SiteForm {
                name: "Scholengroep Horizon".into(),
                seat_limit: "25".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(root.err().map(|e| e.code()), Some(Code::SeatLimitOfRoot));
    }
);

db_test!(
    should_delete_only_empty_subsites,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let with_users = sites::delete(&db, &demo.admin, demo.regenboog).await;
        assert!(matches!(
            with_users,
            Err(Error::Refused(Code::SiteHasUsers))
        ));
        let class = sites::create(
            &db,
            &demo.admin,
            demo.klimop,
            NewSiteForm {
                name: "Klas".into(),
                seat_limit: "1".into(),
            },
        )
        .await
        .unwrap();
        let with_subsites = sites::delete(&db, &demo.admin, demo.klimop).await;
        assert!(matches!(
            with_subsites,
            Err(Error::Refused(Code::SiteHasSubsites))
        ));
        let root = sites::delete(&db, &demo.admin, demo.root).await;
        assert!(matches!(
            root,
            Err(Error::Refused(Code::RootSiteNotDeletable))
        ));

        sites::delete(&db, &demo.admin, class.id).await.unwrap();
        sites::delete(&db, &demo.admin, demo.klimop).await.unwrap();
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "Scholengroep Horizon"), "6/20");
        assert!(tree.iter().all(|n| n.name != "De Klimop"));
        let again = sites::delete(&db, &demo.admin, demo.klimop).await;
        assert!(matches!(again, Err(Error::NotFound)));
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_hide_what_lies_outside_a_subsite_admins_subtree,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let sub = admin_of(&db, demo.klimop, "klimop.admin").await;
        let tree = sites::tree(&db, &sub).await.unwrap();
        assert_eq!(
            tree.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
            ["De Klimop"]
        );
        for result in [
            sites::details(&db, &sub, demo.regenboog).await.map(|_| ()),
            sites::details(&db, &sub, demo.root).await.map(|_| ()),
            users::list(&db, &sub, demo.regenboog, Default::default())
                .await
                .map(|_| ()),
            users::create(&db, &sub, demo.regenboog, user_form("intruder"))
                .await
                .map(|_| ()),
            sites::delete(&db, &sub, demo.regenboog).await,
        ] {
            assert!(matches!(result, Err(Error::NotFound)), "{result:?}");
        }
        // Its own seats are its parent's business.
        let raise = sites::update(
            &db,
            &sub,
            demo.klimop,
            SiteForm {
                name: "De Klimop".into(),
                seat_limit: "4".into(),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(raise, Err(Error::Forbidden)), "{raise:?}");
        assert!(matches!(
            sites::delete(&db, &sub, demo.klimop).await,
            Err(Error::Forbidden)
        ));
        // Users of the sibling are not found either.
        let root_admin_page = users::list(&db, &demo.admin, demo.regenboog, Default::default())
            .await
            .unwrap();
        let foreign = root_admin_page.rows[0].public_id;
        assert!(matches!(
            users::set_active(&db, &sub, foreign, false).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            users::delete(&db, &sub, foreign).await,
            Err(Error::NotFound)
        ));
        // Anonymous is told to sign in.
        assert!(matches!(
            sites::tree(&db, &domain::Principal::Anonymous).await,
            Err(Error::Unauthenticated)
        ));
    }
);
