//! Seat arithmetic: the manual's 9/20 example, each refusal, and the 500-for-100 race.
use std::sync::Arc;

use domain::sites::{self, NewSiteForm, SiteForm};
use domain::{users, Code, Error};

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_show_the_manuals_example,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "Scholengroep Horizon"), "9/20");
        assert_eq!(counts(&tree, "De Regenboog"), "1/2");
        assert_eq!(counts(&tree, "De Klimop"), "0/3");
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_refuse_a_user_when_the_site_is_full,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        users::create(&db, &demo.admin, demo.regenboog, user_form("second"))
            .await
            .unwrap();
        let refused = users::create(&db, &demo.admin, demo.regenboog, user_form("third")).await;
        assert!(
            matches!(refused, Err(Error::Refused(Code::NoFreeSeat))),
            "{refused:?}"
        );
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "De Regenboog"), "2/2");
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_reserve_and_refuse_subsite_seats_in_the_parent,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let form = |seats: &str| NewSiteForm {
            name: "Klas 1A".into(),
            seat_limit: seats.into(),
        };
        let refused = sites::create(&db, &demo.admin, demo.root, form("12")).await;
        assert!(
            matches!(refused, Err(Error::Refused(Code::NotEnoughSeatsInParent))),
            "{refused:?}"
        );
        sites::create(&db, &demo.admin, demo.root, form("11"))
            .await
            .unwrap();
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "Scholengroep Horizon"), "20/20");
        assert_eq!(counts(&tree, "Klas 1A"), "0/11");
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_refuse_a_limit_below_what_is_used,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let form = |seats: &str| SiteForm {
            name: "De Regenboog".into(),
            seat_limit: seats.into(),
            ..Default::default()
        };
        let refused = sites::update(&db, &demo.admin, demo.regenboog, form("0")).await;
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some(Code::SeatLimitBelowUsed)
        );
        // Raising takes seats from the root, lowering gives them back.
        let raised = sites::update(&db, &demo.admin, demo.regenboog, form("5"))
            .await
            .unwrap();
        assert_eq!((raised.node.used_seats, raised.node.seat_limit), (1, 5));
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "Scholengroep Horizon"), "12/20");
        let too_many = sites::update(&db, &demo.admin, demo.regenboog, form("14")).await;
        assert_eq!(
            too_many.err().map(|e| e.code()),
            Some(Code::NotEnoughSeatsInParent)
        );
        sites::update(&db, &demo.admin, demo.regenboog, form("1"))
            .await
            .unwrap();
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "Scholengroep Horizon"), "8/20");
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_give_exactly_100_seats_to_500_concurrent_creations,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let class = sites::create(
            &db,
            &demo.admin,
            demo.root,
            NewSiteForm {
                name: "Race".into(),
                seat_limit: "11".into(),
            },
        )
        .await
        .unwrap();
        // Make the root big enough, then give the class 100 seats.
        let root_id = sites::resolve(&db, demo.root).await.unwrap().site.id;
        {
            use domain::entities::site;
            use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
            site::Entity::update_many()
                .col_expr(site::Column::SeatLimit, Expr::value(1000))
                .filter(site::Column::Id.eq(root_id))
                .exec(db.conn())
                .await
                .unwrap();
        }
        let form = SiteForm {
            name: "Race".into(),
            seat_limit: "100".into(),
            ..Default::default()
        };
        sites::update(&db, &demo.admin, class.id, form)
            .await
            .unwrap();

        let admin = Arc::new(demo.admin);
        let tasks: Vec<_> = (0..500)
            .map(|i| {
                let (db, admin) = (db.clone(), admin.clone());
                tokio::spawn(async move {
                    users::create(&db, &admin, class.id, user_form(&format!("racer{i}"))).await
                })
            })
            .collect();
        let mut created = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => created += 1,
                Err(Error::Refused(Code::NoFreeSeat)) => refused += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((created, refused), (100, 400));
        let page = users::list(&db, &admin, class.id, Default::default())
            .await
            .unwrap();
        assert_eq!(page.total, 100);
        let tree = sites::tree(&db, &admin).await.unwrap();
        assert_eq!(counts(&tree, "Race"), "100/100");
        assert_counters_exact(&db).await;
    }
);
