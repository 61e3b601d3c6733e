//! The structure tree on demand: the tops of the reach, the way to the selected site with the
//! children of each site on it, more children on request, the search with paths; nothing above
//! a subsite administrator's reach, nothing of a foreign organisation.
use domain::sites::{self, Outline, CHILDREN_SHOWN, ROOTS_SHOWN};
use domain::Error;
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

fn names(nodes: &[domain::sites::OutlineNode]) -> Vec<String> {
    nodes.iter().map(|n| n.node.name.clone()).collect()
}

fn open_at(outline: &Outline, id: Uuid) -> Vec<String> {
    outline
        .open
        .iter()
        .find(|(site, _)| *site == id)
        .map(|(_, c)| names(&c.nodes))
        .unwrap_or_default()
}

async fn site(db: &domain::Db, admin: &domain::Principal, parent: Uuid, name: &str) -> Uuid {
    sites::create(
        db,
        admin,
        parent,
        sites::NewSiteForm {
            name: name.into(),
            seat_limit: "0".into(),
        },
    )
    .await
    .unwrap()
    .id
}

db_test!(
    should_show_the_top_and_the_way_down_to_the_selected_site,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let class = site(&db, &demo.admin, demo.klimop, "Klas 1").await;
        // Nothing selected: the top only, closed, with its children counted.
        let top = sites::outline(&db, &demo.admin, None).await.unwrap();
        assert_eq!(names(&top.roots.nodes), ["Scholengroep Horizon"]);
        assert_eq!(top.roots.nodes[0].children, 2);
        assert!(top.open.is_empty());
        // A class selected: the root and De Klimop open, the class among De Klimop's children.
        let way = sites::outline(&db, &demo.admin, Some(class)).await.unwrap();
        let ids: Vec<Uuid> = way.open.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [demo.root, demo.klimop, class]);
        assert_eq!(open_at(&way, demo.root), ["De Klimop", "De Regenboog"]);
        assert_eq!(open_at(&way, demo.klimop), ["Klas 1"]);
        assert!(open_at(&way, class).is_empty());
        let klimop = &way.open[0].1.nodes[0];
        assert_eq!(
            (klimop.children, klimop.node.parent_id),
            (1, Some(demo.root))
        );
    }
);

db_test!(
    should_never_show_above_or_beside_a_subsite_administrator,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let class = site(&db, &demo.admin, demo.klimop, "Klas 1").await;
        let teacher = admin_of(&db, demo.klimop, "klimop.admin").await;
        let outline = sites::outline(&db, &teacher, Some(class)).await.unwrap();
        assert_eq!(names(&outline.roots.nodes), ["De Klimop"]);
        assert_eq!(
            outline.roots.nodes[0].node.parent_id, None,
            "the parent stays hidden"
        );
        let ids: Vec<Uuid> = outline.open.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [demo.klimop, class]);
        // A site outside the reach is refused as one that does not exist, and so are its children.
        for foreign in [demo.root, demo.regenboog, Uuid::new_v4()] {
            let refused = sites::outline(&db, &teacher, Some(foreign))
                .await
                .unwrap_err();
            assert!(
                matches!(refused, Error::Forbidden | Error::NotFound),
                "{foreign}: {refused:?}"
            );
            let refused = sites::children(&db, &teacher, foreign, 0)
                .await
                .unwrap_err();
            assert!(
                matches!(refused, Error::Forbidden | Error::NotFound),
                "{foreign}: {refused:?}"
            );
        }
        // The search finds only inside the reach, with paths that start at its top.
        let found = sites::search(&db, &teacher, "de", None).await.unwrap();
        let seen: Vec<(String, Vec<String>)> = found
            .into_iter()
            .map(|f| (f.node.node.name, f.path))
            .collect();
        assert_eq!(seen, [("De Klimop".to_string(), Vec::<String>::new())]);
        let found = sites::search(&db, &teacher, "KLAS", None).await.unwrap();
        assert_eq!(found[0].path, ["De Klimop"]);
        let all = sites::search(&db, &demo.admin, "klas", None).await.unwrap();
        assert_eq!(all[0].path, ["Scholengroep Horizon", "De Klimop"]);
        // Within a site: its subtree only (itself included); a site out of reach is unknown.
        let within = sites::search(&db, &demo.admin, "e", Some(demo.klimop))
            .await
            .unwrap();
        assert!(!within.is_empty());
        assert!(within
            .iter()
            .all(|f| f.node.node.name == "De Klimop" || f.path.contains(&"De Klimop".to_string())));
        assert!(
            within.len()
                < sites::search(&db, &demo.admin, "e", None)
                    .await
                    .unwrap()
                    .len()
        );
        let refused = sites::search(&db, &teacher, "e", Some(demo.root))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, Error::Forbidden | Error::NotFound),
            "{refused:?}"
        );
    }
);

db_test!(
    should_page_children_and_keep_the_selected_one_past_the_first_page,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let count = CHILDREN_SHOWN as usize + 5;
        let mut last = None;
        for i in 0..count {
            last = Some(site(&db, &demo.admin, demo.regenboog, &format!("Klas {i:03}")).await);
        }
        let first = sites::children(&db, &demo.admin, demo.regenboog, 0)
            .await
            .unwrap();
        assert_eq!(first.nodes.len(), CHILDREN_SHOWN as usize);
        assert!(first.more);
        let rest = sites::children(&db, &demo.admin, demo.regenboog, CHILDREN_SHOWN)
            .await
            .unwrap();
        assert_eq!(
            names(&rest.nodes),
            ["Klas 200", "Klas 201", "Klas 202", "Klas 203", "Klas 204"]
        );
        assert!(!rest.more);
        // The last class selected: shown among its parent's children, "more" still offered.
        let last = last.unwrap();
        let outline = sites::outline(&db, &demo.admin, Some(last)).await.unwrap();
        let (_, regenboog) = outline
            .open
            .iter()
            .find(|(id, _)| *id == demo.regenboog)
            .unwrap();
        assert_eq!(regenboog.nodes.len(), CHILDREN_SHOWN as usize + 1);
        assert_eq!(regenboog.nodes.last().unwrap().node.id, last);
        assert!(regenboog.more);
    }
);

db_test!(
    should_show_the_first_tops_and_the_selected_ones_past_them,
    |db: domain::Db| async move {
        demo(&db).await;
        let operator = operator_named(&db, "olga").await;
        let mut last = None;
        for i in 0..ROOTS_SHOWN + 5 {
            last = Some(
                sites::insert_root(&db, &format!("Organisatie {i:03}"), 0)
                    .await
                    .unwrap(),
            );
        }
        let outline = sites::outline(&db, &operator, None).await.unwrap();
        assert_eq!(outline.roots.nodes.len(), ROOTS_SHOWN as usize);
        assert!(outline.roots.more, "the search finds the others");
        // The last organisation's class selected: its organisation shows, open, after the first.
        let last = last.unwrap();
        let class = site(&db, &operator, last.public_id, "Klas Z").await;
        let outline = sites::outline(&db, &operator, Some(class)).await.unwrap();
        assert_eq!(outline.roots.nodes.len(), ROOTS_SHOWN as usize + 1);
        assert_eq!(
            outline.roots.nodes.last().map(|n| n.node.name.clone()),
            Some(last.name.clone())
        );
        assert_eq!(open_at(&outline, last.public_id), ["Klas Z"]);
    }
);
