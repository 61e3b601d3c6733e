//! Moving a subsite with its subtree and users.
use domain::sites::{self, NewSiteForm, SiteForm};
use domain::users::{self, UserQuery};
use domain::{Code, Error};

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_move_a_subtree_checking_seats_in_the_new_parent,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let class = sites::create(
            &db,
            &demo.admin,
            demo.klimop,
            NewSiteForm {
                name: "Klas 1A".into(),
                seat_limit: "2".into(),
            },
        )
        .await
        .unwrap();
        users::create(&db, &demo.admin, class.id, user_form("pupil"))
            .await
            .unwrap();
        // De Regenboog has 2 seats, 1 used: De Klimop (3) does not fit.
        let refused = sites::move_site(&db, &demo.admin, demo.klimop, demo.regenboog)
            .await
            .unwrap_err();
        assert!(matches!(
            refused,
            Error::Refused(Code::NotEnoughSeatsInParent)
        ));
        assert_counters_exact(&db).await;
        let regenboog = sites::details(&db, &demo.admin, demo.regenboog)
            .await
            .unwrap();
        sites::update(
            &db,
            &demo.admin,
            demo.regenboog,
            SiteForm {
                name: regenboog.node.name.clone(),
                seat_limit: "5".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let options = sites::move_options(&db, &demo.admin, demo.klimop)
            .await
            .unwrap();
        let names: Vec<&str> = options.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["De Regenboog"],
            "not itself, its class or its parent"
        );
        sites::move_site(&db, &demo.admin, demo.klimop, demo.regenboog)
            .await
            .unwrap();
        assert_counters_exact(&db).await;
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "Scholengroep Horizon"), "9/20");
        assert_eq!(counts(&tree, "De Regenboog"), "4/5");
        // The closure follows: De Regenboog's list with subsites now holds the pupil.
        let query = UserQuery {
            include_subsites: true,
            ..Default::default()
        };
        let list = users::list(&db, &demo.admin, demo.regenboog, query)
            .await
            .unwrap();
        assert!(list.rows.iter().any(|r| r.username == "pupil"));
        // De Regenboog's administrator now sees De Klimop and its class.
        let regenboog_admin = admin_of(&db, demo.regenboog, "regenboog.admin").await;
        let visible = sites::tree(&db, &regenboog_admin).await.unwrap();
        assert_eq!(visible.len(), 3);
        // Not into its own subtree; not to where it is.
        let cycle = sites::move_site(&db, &demo.admin, demo.regenboog, class.id)
            .await
            .unwrap_err();
        assert!(matches!(cycle, Error::Refused(Code::MoveIntoOwnSubtree)));
        let same = sites::move_site(&db, &demo.admin, demo.klimop, demo.regenboog)
            .await
            .unwrap_err();
        assert!(matches!(same, Error::Refused(Code::MoveToSameParent)));
        // A subsite administrator cannot move their own site (the parent's seats).
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        let own = sites::move_site(&db, &klimop_admin, demo.klimop, demo.root)
            .await
            .unwrap_err();
        assert!(matches!(own, Error::Forbidden), "{own:?}");
        let journal = domain::audit::list(&db, &demo.admin, Default::default())
            .await
            .unwrap();
        assert!(journal
            .entries
            .iter()
            .any(|e| e.action == "site.move" && e.target == "De Klimop"));
    }
);

db_test!(
    should_not_move_across_organisations,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        sites::insert_root(&db, "Andere school", 5).await.unwrap();
        let mut form = user_form("operator");
        form.password = "Operator-2026".into();
        domain::operators::create(&db, form).await.unwrap();
        let operator = domain::Principal::load(&db, 99_999).await.unwrap();
        assert!(matches!(operator, domain::Principal::Anonymous));
        let operator_id = {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            domain::entities::user::Entity::find()
                .filter(domain::entities::user::Column::Username.eq("operator"))
                .one(db.conn())
                .await
                .unwrap()
                .unwrap()
                .id
        };
        let operator = domain::Principal::load(&db, operator_id).await.unwrap();
        let tree = sites::tree(&db, &operator).await.unwrap();
        let roots: Vec<_> = tree.iter().filter(|s| s.parent_id.is_none()).collect();
        assert_eq!(roots.len(), 3, "two organisations and the vendor's");
        let other_root = roots.iter().find(|s| s.name == "Andere school").unwrap();
        let refused = sites::move_site(&db, &operator, demo.klimop, other_root.id)
            .await
            .unwrap_err();
        assert!(matches!(
            refused,
            Error::Refused(Code::MoveAcrossOrganisations)
        ));
    }
);

db_test!(
    should_search_a_new_parent_from_the_top_the_mover_sees,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        // The organisation for its administrator; De Regenboog itself for De Regenboog's
        // administrator (nothing above it is theirs).
        let details = sites::details(&db, &demo.admin, demo.regenboog)
            .await
            .unwrap();
        assert_eq!(details.move_within, demo.root);
        let regenboog_admin = admin_of(&db, demo.regenboog, "regenboog.admin").await;
        let own = sites::details(&db, &regenboog_admin, demo.regenboog)
            .await
            .unwrap();
        assert_eq!(own.move_within, demo.regenboog);
    }
);
