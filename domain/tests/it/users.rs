//! The user list (paging, sorting, search, subsites) and user writes.
use domain::users::{self, UserQuery, UserSort};
use domain::{sites, Code, Error};

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_page_sort_and_search_the_user_list,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let tree_before = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree_before, "Scholengroep Horizon"), "9/20");
        // Room for 30 more users in the root: take De Klimop's seats back and add 11 more... simpler:
        // the root has 11 free seats; fill them.
        for i in 0..11 {
            let mut form = user_form(&format!("extra{i:02}"));
            form.last_name = format!("Zz{i:02}");
            users::create(&db, &demo.admin, demo.root, form)
                .await
                .unwrap();
        }
        let own = users::list(&db, &demo.admin, demo.root, UserQuery::default())
            .await
            .unwrap();
        assert_eq!(own.total, 15);
        assert_eq!(own.rows.len(), 15);
        assert_eq!(own.rows[0].last_name, "Claes");

        let all = UserQuery {
            include_subsites: true,
            ..Default::default()
        };
        let page = users::list(&db, &demo.admin, demo.root, all.clone())
            .await
            .unwrap();
        assert_eq!(page.total, 16);
        let desc = UserQuery {
            sort: UserSort::Username,
            descending: true,
            ..all.clone()
        };
        let page = users::list(&db, &demo.admin, demo.root, desc)
            .await
            .unwrap();
        assert_eq!(page.rows[0].username, "sofie.maes");

        let search = UserQuery {
            search: "WILL".into(),
            ..all.clone()
        };
        let found = users::list(&db, &demo.admin, demo.root, search)
            .await
            .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.rows[0].site_name, "De Regenboog");
        let wildcard = UserQuery {
            search: "%".into(),
            ..all.clone()
        };
        assert_eq!(
            users::list(&db, &demo.admin, demo.root, wildcard)
                .await
                .unwrap()
                .total,
            0
        );

        let past = UserQuery { page: 3, ..all };
        let empty = users::list(&db, &demo.admin, demo.root, past)
            .await
            .unwrap();
        assert!(empty.rows.is_empty());
        assert_eq!(empty.total, 16);
    }
);

db_test!(
    should_find_users_with_or_without_accents_through_the_search_index,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let mut emile = user_form("ed042");
        emile.first_name = "Émile".into();
        emile.last_name = "Dübois-Çelik".into();
        let created = users::create(&db, &demo.admin, demo.root, emile)
            .await
            .unwrap();
        let found = |search: &str| {
            let db = db.clone();
            let admin = demo.admin.clone();
            let root = demo.root;
            let search = search.to_string();
            async move {
                let query = UserQuery {
                    search,
                    include_subsites: true,
                    ..Default::default()
                };
                let page = users::list(&db, &admin, root, query).await.unwrap();
                page.rows
                    .iter()
                    .map(|r| r.username.clone())
                    .collect::<Vec<_>>()
            }
        };
        for search in [
            "Emile",
            "émile",
            "EMILE",
            "dubois-cel",
            "Dübois",
            "ile dub",
            "Çelik",
        ] {
            assert_eq!(found(search).await, ["ed042"], "search {search:?}");
        }
        // The index follows renames and deletions.
        assert!(found("Zorro").await.is_empty());
        {
            use domain::entities::user;
            use sea_orm::{ActiveModelTrait, EntityTrait, Set};
            let row = user::Entity::find_by_id(created.id)
                .one(db.conn())
                .await
                .unwrap()
                .unwrap();
            let mut row: user::ActiveModel = row.into();
            row.last_name = Set("Zorro".into());
            row.update(db.conn()).await.unwrap();
        }
        assert_eq!(found("zorro").await, ["ed042"]);
        assert!(found("Dübois").await.is_empty());
        // Wildcards are text; two letters still find (without the index on SQLite).
        assert!(found("_%_").await.is_empty());
        assert!(found("zo").await.contains(&"ed042".to_string()));
        users::delete(&db, &demo.admin, created.public_id)
            .await
            .unwrap();
        assert!(found("zorro").await.is_empty());
    }
);

db_test!(
    should_count_at_most_the_limit_and_say_there_are_more,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let all = UserQuery {
            include_subsites: true,
            ..Default::default()
        };
        let site = sites::resolve(&db, demo.root).await.unwrap().site.id;
        let parts = users::PropertyParts::default();
        // The demo's root holds 5 users with its subsites.
        assert_eq!(users::count(&db, site, &all, &parts, 100).await.unwrap(), 5);
        assert_eq!(users::count(&db, site, &all, &parts, 5).await.unwrap(), 5);
        assert_eq!(
            users::count(&db, site, &all, &parts, 3).await.unwrap(),
            4,
            "limit + 1: more"
        );
        // A page answers the exact count when it is under the limit.
        let page = users::list(&db, &demo.admin, demo.root, UserQuery { page: 0, ..all })
            .await
            .unwrap();
        assert_eq!((page.total, page.total_exact), (5, true));
    }
);

db_test!(should_page_by_25, |db: domain::Db| async move {
    let demo = demo(&db).await;
    let class = sites::create(
        &db,
        &demo.admin,
        demo.root,
        sites::NewSiteForm {
            name: "Groot".into(),
            seat_limit: "11".into(),
        },
    )
    .await
    .unwrap();
    for i in 0..11 {
        users::create(&db, &demo.admin, class.id, user_form(&format!("p{i:02}")))
            .await
            .unwrap();
    }
    let q = |page| UserQuery {
        sort: UserSort::Username,
        page,
        ..Default::default()
    };
    let first = users::list(&db, &demo.admin, class.id, q(0)).await.unwrap();
    assert_eq!(
        (first.rows.len(), first.total, first.page_size),
        (11, 11, 25)
    );
    assert_eq!(first.rows[10].username, "p10");
});

db_test!(
    should_refuse_bad_user_input_and_write_nothing,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let mut cases = Vec::new();
        let mut empty = user_form("");
        empty.username = "".into();
        cases.push((empty, Code::UsernameRequired));
        cases.push((user_form("directeur"), Code::UsernameTaken));
        cases.push((user_form("DIRECTEUR"), Code::UsernameTaken));
        cases.push((user_form("has space"), Code::UsernameInvalid));
        let mut no_first = user_form("nofirst");
        no_first.first_name = " ".into();
        cases.push((no_first, Code::FirstNameRequired));
        let mut long = user_form("longname");
        long.last_name = "x".repeat(101);
        cases.push((long, Code::FieldTooLong));
        let mut mail = user_form("badmail");
        mail.email = "not-an-address".into();
        cases.push((mail, Code::EmailInvalid));
        let mut short = user_form("shortpw");
        short.password = "short".into();
        cases.push((short, Code::PasswordTooShort));
        for (form, code) in cases {
            let result = users::create(&db, &demo.admin, demo.klimop, form).await;
            assert_eq!(result.err().map(|e| e.code()), Some(code));
        }
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "De Klimop"), "0/3");
        let missing =
            users::create(&db, &demo.admin, uuid::Uuid::new_v4(), user_form("ghost")).await;
        assert!(matches!(missing, Err(Error::NotFound)));
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_deactivate_and_delete_users,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let emma = users::list(&db, &demo.admin, demo.regenboog, Default::default())
            .await
            .unwrap()
            .rows[0]
            .public_id;
        users::set_active(&db, &demo.admin, emma, false)
            .await
            .unwrap();
        let row = users::list(&db, &demo.admin, demo.regenboog, Default::default())
            .await
            .unwrap()
            .rows[0]
            .clone();
        assert!(!row.active);
        users::set_active(&db, &demo.admin, emma, true)
            .await
            .unwrap();
        users::delete(&db, &demo.admin, emma).await.unwrap();
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(counts(&tree, "De Regenboog"), "0/2");
        // The username is free again.
        users::create(&db, &demo.admin, demo.regenboog, user_form("emma.willems"))
            .await
            .unwrap();
        assert!(matches!(
            users::delete(&db, &demo.admin, emma).await,
            Err(Error::NotFound)
        ));
        // Nobody deactivates or deletes themselves.
        let me = users::list(
            &db,
            &demo.admin,
            demo.root,
            users::UserQuery {
                search: "directeur".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .rows[0]
            .public_id;
        assert!(matches!(
            users::set_active(&db, &demo.admin, me, false).await,
            Err(Error::Refused(Code::CannotDeactivateSelf))
        ));
        assert!(matches!(
            users::delete(&db, &demo.admin, me).await,
            Err(Error::Refused(Code::CannotDeleteSelf))
        ));
        assert_counters_exact(&db).await;
    }
);
