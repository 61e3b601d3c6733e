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
        if db.backend() == sea_orm::DbBackend::Postgres {
            // As autovacuum and a restore evaluate it: with an empty search path the fold still
            // finds `unaccent` (the stored search text and its index use it).
            use sea_orm::{ConnectionTrait, Statement};
            let txn = db.write().await.unwrap();
            txn.execute_unprepared("SET LOCAL search_path = ''")
                .await
                .unwrap();
            let folded: String = txn
                .query_one_raw(Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT public.licentia_fold('Émile Dübois')",
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index(0)
                .unwrap();
            assert_eq!(folded, "emile dubois");
        }
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
        let root = sites::resolve(&db, demo.root).await.unwrap().site.id;
        let site = users::Listed {
            site_id: root,
            organisation_id: root,
        };
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

/// Every id of the list `query` shows, page by page: by number, or following the pages' cursors
/// forwards from the first page, or backwards from the last.
async fn walk(
    db: &domain::Db,
    demo: &Demo,
    site: uuid::Uuid,
    query: &UserQuery,
    how: &str,
) -> Vec<uuid::Uuid> {
    use domain::users::Position;
    let ids = |page: &users::UserPage| page.rows.iter().map(|r| r.public_id).collect::<Vec<_>>();
    let list =
        |query: UserQuery| async move { users::list(db, &demo.admin, site, query).await.unwrap() };
    let mut seen = Vec::new();
    match how {
        "numbered" => {
            for page in 0.. {
                let found = list(UserQuery {
                    page,
                    ..query.clone()
                })
                .await;
                if found.rows.is_empty() {
                    break;
                }
                assert!(found.rows.len() as u64 <= users::PAGE_SIZE);
                seen.extend(ids(&found));
            }
        }
        "forwards" => {
            let mut found = list(query.clone()).await;
            assert!(found.previous.is_none());
            loop {
                seen.extend(ids(&found));
                let Some(next) = found.next.clone() else {
                    break;
                };
                found = list(UserQuery {
                    page: found.page + 1,
                    position: Some(Position::After(next)),
                    ..query.clone()
                })
                .await;
                assert!(
                    found.previous.is_some(),
                    "a page after another has one before"
                );
            }
        }
        _ => {
            let first = list(query.clone()).await;
            let last_page = first.total.saturating_sub(1) / users::PAGE_SIZE;
            let mut found = list(UserQuery {
                page: last_page,
                ..query.clone()
            })
            .await;
            assert!(found.next.is_none());
            loop {
                let mut page = ids(&found);
                page.append(&mut seen);
                seen = page;
                let Some(previous) = found.previous.clone() else {
                    break;
                };
                found = list(UserQuery {
                    page: found.page.saturating_sub(1),
                    position: Some(Position::Before(previous)),
                    ..query.clone()
                })
                .await;
                assert_eq!(found.rows.len() as u64, users::PAGE_SIZE);
                assert!(found.next.is_some(), "a page before another has one after");
            }
        }
    }
    seen
}

db_test!(
    should_give_the_same_rows_by_cursor_as_by_page_number,
    |db: domain::Db| async move {
        use domain::users::{insert_unchecked, NewUserForm};
        let demo = demo(&db).await;
        let klimop = sites::resolve(&db, demo.klimop).await.unwrap().site.id;
        let regenboog = sites::resolve(&db, demo.regenboog).await.unwrap().site.id;
        // 70 users over two schools, many with the same name: their public ids order them.
        use sea_orm::ConnectionTrait;
        db.conn()
            .execute_unprepared("UPDATE sites SET seat_limit = 1000")
            .await
            .unwrap();
        let txn = db.write().await.unwrap();
        for i in 0..70 {
            let form = NewUserForm {
                username: format!("k{:03}", (i * 37) % 70),
                first_name: ["Ann", "Bo"][i % 2].into(),
                last_name: ["Aerts", "Baert", "Claes"][i % 3].into(),
                ..Default::default()
            }
            .validate()
            .await
            .unwrap();
            let site = if i % 4 == 0 { klimop } else { regenboog };
            insert_unchecked(&*txn, site, form).await.unwrap();
        }
        txn.commit().await.unwrap();
        for (site, subsites) in [
            (demo.root, true),
            (demo.regenboog, false),
            (demo.root, false),
        ] {
            for sort in [UserSort::Name, UserSort::Username, UserSort::Created] {
                for descending in [false, true] {
                    let query = UserQuery {
                        include_subsites: subsites,
                        sort,
                        descending,
                        ..Default::default()
                    };
                    let numbered = walk(&db, &demo, site, &query, "numbered").await;
                    let mut unique = numbered.clone();
                    unique.sort();
                    unique.dedup();
                    assert_eq!(
                        unique.len(),
                        numbered.len(),
                        "{sort:?} {descending}: no row twice"
                    );
                    for how in ["forwards", "backwards"] {
                        assert_eq!(
                            walk(&db, &demo, site, &query, how).await,
                            numbered,
                            "{how} {sort:?} descending {descending} subsites {subsites}"
                        );
                    }
                }
            }
        }
        // The whole organisation (with subsites) holds the 70 and the demo's 5.
        let all = UserQuery {
            include_subsites: true,
            ..Default::default()
        };
        assert_eq!(
            walk(&db, &demo, demo.root, &all, "forwards").await.len(),
            75
        );
        // Unfiltered, the page's count comes from the sites' counters; searched over more than a
        // page, it is asked separately, and agrees with the rows.
        let first = users::page(&db, &demo.admin, demo.root, all.clone())
            .await
            .unwrap();
        assert_eq!(
            first.count,
            Some(users::Count {
                total: 75,
                exact: true
            })
        );
        let searched = UserQuery {
            search: "Ann".into(),
            ..all.clone()
        };
        let page = users::page(&db, &demo.admin, demo.root, searched.clone())
            .await
            .unwrap();
        assert_eq!(page.count, None);
        let counted = users::count_users(&db, &demo.admin, demo.root, searched.clone())
            .await
            .unwrap();
        let rows = walk(&db, &demo, demo.root, &searched, "forwards")
            .await
            .len() as u64;
        assert!(rows >= 35);
        assert_eq!((counted.total, counted.exact), (rows, true));
        // A cursor of another order is not a place in this one: the list pages by number.
        let by_name = users::list(&db, &demo.admin, demo.root, all.clone())
            .await
            .unwrap();
        let cursor = by_name.next.unwrap();
        let filter = users::ListFilter {
            include_subsites: true,
            sort: "username".into(),
            after: cursor.encode(),
            ..Default::default()
        };
        assert_eq!(UserQuery::from(filter).position, None);
        let damaged = users::ListFilter {
            after: "x".repeat(5000),
            ..Default::default()
        };
        assert_eq!(UserQuery::from(damaged).position, None);
    }
);

db_test!(
    should_find_the_same_searched_pages_by_number_and_by_cursor,
    |db: domain::Db| async move {
        use domain::users::{insert_unchecked, NewUserForm};
        use sea_orm::ConnectionTrait;
        let demo = demo(&db).await;
        let regenboog = sites::resolve(&db, demo.regenboog).await.unwrap().site.id;
        db.conn()
            .execute_unprepared("UPDATE sites SET seat_limit = 100000")
            .await
            .unwrap();
        // 2,600 users: one in five has "ert" in their name, with or without an accent (a
        // frequent part, hundreds of pages); three, last in the order, have "qzx" (a rare one).
        let txn = db.write().await.unwrap();
        for i in 0..2_600 {
            let last = match i {
                _ if i % 10 == 0 => format!("Mertens {i:04}"),
                _ if i % 10 == 5 => format!("Mèrtens {i:04}"),
                2_597.. => format!("Zqzx {i:04}"),
                _ => format!("Janssens {i:04}"),
            };
            let form = NewUserForm {
                username: format!("w{i:04}"),
                first_name: ["Émile", "Anna"][i % 2].into(),
                last_name: last,
                ..Default::default()
            }
            .validate()
            .await
            .unwrap();
            insert_unchecked(&*txn, regenboog, form).await.unwrap();
        }
        txn.commit().await.unwrap();
        for (search, expected) in [("ert", 520), ("MÉRT", 520), ("qzx", 3), ("emile m", 260)] {
            for sort in [UserSort::Name, UserSort::Username, UserSort::Created] {
                for descending in [false, true] {
                    let query = UserQuery {
                        search: search.into(),
                        include_subsites: true,
                        sort,
                        descending,
                        ..Default::default()
                    };
                    let numbered = walk(&db, &demo, demo.root, &query, "numbered").await;
                    assert_eq!(numbered.len(), expected, "{search} {sort:?} {descending}");
                    for how in ["forwards", "backwards"] {
                        assert_eq!(
                            walk(&db, &demo, demo.root, &query, how).await,
                            numbered,
                            "{search}: {how} {sort:?} descending {descending}"
                        );
                    }
                }
            }
        }
    }
);

db_test!(
    should_find_a_searched_page_by_walking_the_order_as_the_search_index_finds_it,
    |db: domain::Db| async move {
        use domain::users::{list_query, walked_query, Listed, PropertyParts, UserRow, WALKED};
        use sea_orm::ConnectionTrait;
        let demo = demo(&db).await;
        let regenboog = sites::resolve(&db, demo.regenboog).await.unwrap();
        let root = sites::resolve(&db, demo.root).await.unwrap();
        let backend = db.backend();
        // More users than a walk reads, all before the matches in the order by name: the
        // "Aa" first, then 30 "Zqzx" (a rare part) and a few accented names.
        let template = user_form("walk.template");
        users::create(&db, &demo.admin, demo.regenboog, template)
            .await
            .unwrap();
        let extra = WALKED + 500;
        let (series, uuid) = match backend {
            sea_orm::DbBackend::Postgres => (
                format!("generate_series(1, {extra}) g(n)"),
                "gen_random_uuid()",
            ),
            _ => (
                format!(
                    "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s \
                     WHERE n < {extra}) SELECT n FROM s) g"
                ),
                "randomblob(16)",
            ),
        };
        let copy = |last: &str, first: &str, series: &str| {
            format!(
                "INSERT INTO users (public_id, site_id, username, first_name, last_name, \
                 email_verified, active, must_change_password, created_at, is_operator, \
                 service_account, newsletter) \
                 SELECT {uuid}, site_id, 'walk.' || {last} || '.' || g.n, {first}, \
                 {last} || ' ' || g.n, email_verified, active, must_change_password, \
                 created_at, is_operator, service_account, newsletter \
                 FROM users, {series} WHERE username = 'walk.template'"
            )
        };
        for (last, first, rows) in [
            ("'Aa'", "'Anna'", series.clone()),
            (
                "'Zqzx'",
                "'Émile'",
                series.replace(&extra.to_string(), "30"),
            ),
            // With and without accents in turn: a walk folding otherwise than the index
            // would leave half of them out of its pages.
            (
                "'Zörë'",
                "CASE WHEN g.n % 2 = 0 THEN 'ÉLODIE' ELSE 'Elodie' END",
                series.replace(&extra.to_string(), "40"),
            ),
        ] {
            db.conn()
                .execute_unprepared(&copy(last, first, &rows))
                .await
                .unwrap();
        }
        db.refresh_statistics().await;
        if backend == sea_orm::DbBackend::Sqlite {
            // The searched part is folded in Rust as the column is in SQL.
            let sample = "ÀÉÎÕÜÇŠŽŘĹĞŢÑŸ àéîõüçšžřĺğţñÿ ABC ø ł";
            // The chain of fold columns, each read from the one before.
            let mut from = "(SELECT ? AS x)".to_string();
            for (name, expression) in migrations::sqlite_fold_columns("x") {
                from = format!("(SELECT x, {expression} AS {name} FROM {from})");
            }
            let sql = format!("SELECT search_text FROM {from}");
            let row = db
                .conn()
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    backend,
                    sql,
                    [sample.into()],
                ))
                .await
                .unwrap()
                .unwrap();
            let folded: String = row.try_get_by_index(0).unwrap();
            assert_eq!(folded, migrations::folded_for_sqlite(sample));
            assert_eq!(folded, "aeioucszrlgtny aeioucszrlgtny abc ø ł");
        }
        let ids = |rows: Vec<UserRow>| rows.into_iter().map(|r| r.public_id).collect::<Vec<_>>();
        for (site, subsites) in [(&root, true), (&regenboog, false), (&regenboog, true)] {
            let listed = Listed::of(&site.scope).unwrap();
            let parts = PropertyParts::default();
            for search in [
                "qzx",
                "zqzx 1",
                "emile",
                "ÉMILE zq",
                "zore",
                "ZÖRË 3",
                "elodie",
                "aa 1",
                "zz",
            ] {
                for (sort, descending) in [
                    (UserSort::Name, false),
                    (UserSort::Name, true),
                    (UserSort::Username, false),
                    (UserSort::Created, true),
                ] {
                    let query = UserQuery {
                        search: search.into(),
                        include_subsites: subsites,
                        sort,
                        descending,
                        ..Default::default()
                    };
                    let indexed = list_query(listed, &query, &parts, backend)
                        .into_model::<UserRow>()
                        .all(db.conn())
                        .await
                        .unwrap();
                    // Every order walks on PostgreSQL; on SQLite the order by name alone.
                    let walkable =
                        backend == sea_orm::DbBackend::Postgres || sort == UserSort::Name;
                    let Some(walk) = walked_query(listed, &query, &parts, backend) else {
                        assert!(!walkable, "{search:?} {sort:?}");
                        continue;
                    };
                    assert!(walkable, "{search:?} {sort:?}");
                    let walked = walk.into_model::<UserRow>().all(db.conn()).await.unwrap();
                    let why = format!("{search:?} {sort:?} descending {descending} {subsites}");
                    // A full page walked is the search index's page; fewer rows (the walk
                    // stopped) are a part of it, and the list then asks the index.
                    if walked.len() as u64 > users::PAGE_SIZE {
                        assert_eq!(ids(walked), ids(indexed.clone()), "{why}");
                    } else {
                        let indexed = ids(indexed.clone());
                        assert!(ids(walked).iter().all(|id| indexed.contains(id)), "{why}");
                    }
                    // The page the administrator gets is the index's either way.
                    let page = users::page(&db, &demo.admin, site.site.public_id, query)
                        .await
                        .unwrap();
                    let mut indexed = ids(indexed);
                    indexed.truncate(users::PAGE_SIZE as usize);
                    assert_eq!(ids(page.rows), indexed, "{why}");
                }
            }
        }
        // The rare part sits past the walked entries: the list still finds all 30, in order.
        let query = UserQuery {
            search: "QZX".into(),
            include_subsites: true,
            ..Default::default()
        };
        let found = users::list(&db, &demo.admin, demo.root, query)
            .await
            .unwrap();
        assert_eq!(found.total, 30);
        assert_eq!(found.rows.len(), 25);
        assert_eq!(found.rows[0].last_name, "Zqzx 1");
        assert_eq!(found.rows[1].last_name, "Zqzx 10");
        // Accents and case folded alike by the walk and the index (SQLite's fold is its own).
        let accented = UserQuery {
            search: "zore 1".into(),
            include_subsites: true,
            ..Default::default()
        };
        let found = users::list(&db, &demo.admin, demo.root, accented)
            .await
            .unwrap();
        assert_eq!(found.total, 11, "Zörë 1, 10-19");
    }
);

db_test!(
    should_keep_users_with_the_longest_names_in_the_lists_indexes,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        // The order indexes carry the folded text of every searched field (migration 44): a
        // user at every length limit, in four-byte letters that do not compress, still fits
        // (PostgreSQL refuses index entries over 2,704 bytes).
        let letters = |n: usize, from: u32| -> String {
            (0..n)
                .filter_map(|i| char::from_u32(0x1D400 + (from + i as u32 * 7) % 52))
                .collect()
        };
        let mut form = user_form("placeholder");
        form.username = letters(domain::validate::MAX_NAME, 3).to_lowercase();
        form.first_name = letters(domain::validate::MAX_NAME, 11);
        form.last_name = letters(domain::validate::MAX_NAME, 29);
        let local: String = (0..64)
            .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
            .collect();
        let host: String = (0..186)
            .map(|i| char::from(b'a' + (i * 11 % 26) as u8))
            .collect();
        form.email = format!("{local}@{host}.be");
        assert_eq!(form.email.len(), 254);
        users::create(&db, &demo.admin, demo.root, form.clone())
            .await
            .unwrap();
        let query = UserQuery {
            search: form.last_name.chars().take(5).collect(),
            include_subsites: true,
            ..Default::default()
        };
        let found = users::list(&db, &demo.admin, demo.root, query)
            .await
            .unwrap();
        assert_eq!(found.rows.len(), 1);
        assert_eq!(found.rows[0].last_name, form.last_name);
    }
);

db_test!(
    should_keep_each_users_organisation_in_the_database,
    |db: domain::Db| async move {
        use sea_orm::{ConnectionTrait, Statement};
        let demo = demo(&db).await;
        let root = sites::resolve(&db, demo.root).await.unwrap().site.id;
        let klimop = sites::resolve(&db, demo.klimop).await.unwrap().site.id;
        let backend = db.backend();
        let organisations = |sql: &'static str| {
            let db = db.clone();
            async move {
                db.conn()
                    .query_all_raw(Statement::from_string(backend, sql))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|row| row.try_get_by_index::<Option<i32>>(0).unwrap())
                    .collect::<Vec<_>>()
            }
        };
        // Every demo user has the root of their site's tree (the vendor's too).
        let wrong = "SELECT u.organisation_id FROM users u WHERE u.organisation_id IS NULL \
             OR u.organisation_id <> (SELECT c.ancestor_id FROM site_closure c \
             JOIN sites s ON s.id = c.ancestor_id WHERE c.descendant_id = u.site_id \
             AND s.parent_id IS NULL)";
        assert!(organisations(wrong).await.is_empty());
        let created = users::create(&db, &demo.admin, demo.klimop, user_form("neworg"))
            .await
            .unwrap();
        let of_new = format!(
            "SELECT organisation_id FROM users WHERE id = {}",
            created.id
        );
        let of_new: &'static str = Box::leak(of_new.into_boxed_str());
        assert_eq!(organisations(of_new).await, [Some(root)]);
        // Moved to another organisation's site (as an operator's move does), it follows.
        let other = sites::insert_root(&db, "Andere groep", 10).await.unwrap();
        db.conn()
            .execute_unprepared(&format!(
                "UPDATE users SET site_id = {} WHERE id = {}",
                other.id, created.id
            ))
            .await
            .unwrap();
        assert_eq!(organisations(of_new).await, [Some(other.id)]);
        // The search index follows: the user is found in the other organisation only.
        let found_in = |organisation: i32| {
            let db = db.clone();
            async move {
                let query = UserQuery {
                    search: "neworg".into(),
                    include_subsites: true,
                    ..Default::default()
                };
                let listed = users::Listed {
                    site_id: organisation,
                    organisation_id: organisation,
                };
                users::count(&db, listed, &query, &Default::default(), 10)
                    .await
                    .unwrap()
            }
        };
        assert_eq!((found_in(other.id).await, found_in(root).await), (1, 0));
        db.conn()
            .execute_unprepared(&format!(
                "UPDATE users SET site_id = {klimop} WHERE id = {}",
                created.id
            ))
            .await
            .unwrap();
        assert_eq!(organisations(of_new).await, [Some(root)]);
        assert_eq!((found_in(other.id).await, found_in(root).await), (0, 1));
        assert!(organisations(wrong).await.is_empty());
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
