//! Custom properties: definitions per organisation (types, labels, choices, keys), values per
//! user checked against their type, all or nothing, and who may do what.
use domain::properties::{self, DefinitionForm, Kind};
use domain::{Code, Db, Error};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn form(key: &str, kind: &str, choices: &str, required: bool) -> DefinitionForm {
    DefinitionForm {
        key: key.into(),
        label_nl: format!("{key} (nl)"),
        label_fr: format!("{key} (fr)"),
        label_en: format!("{key} (en)"),
        kind: kind.into(),
        choices: choices.into(),
        required,
    }
}

async fn user_id(db: &Db, username: &str) -> uuid::Uuid {
    domain::entities::user::Entity::find()
        .filter(domain::entities::user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id
}

db_test!(
    should_define_properties_and_keep_typed_values,
    |db: Db| async move {
        let demo = demo(&db).await;
        let admin = &demo.admin;
        properties::define(&db, admin, demo.root, form("budget", "number", "", false))
            .await
            .unwrap();
        properties::define(&db, admin, demo.klimop, form("hired_on", "date", "", false))
            .await
            .unwrap();
        let department = properties::define(
            &db,
            admin,
            demo.root,
            form("department", "choice", "Care\nKitchen\n\n", true),
        )
        .await
        .unwrap();
        assert_eq!(department.kind, Kind::Choice);
        assert_eq!(
            department.choices,
            vec!["Care".to_string(), "Kitchen".to_string()]
        );
        assert_eq!(department.label("fr"), "department (fr)");
        // Definitions are the organisation's, whichever of its sites they were defined from.
        let keys: Vec<String> = properties::definitions(&db, admin, demo.regenboog)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.key)
            .collect();
        assert_eq!(keys, ["budget", "department", "hired_on"]);

        for (bad, field, code) in [
            (
                form("budget", "text", "", false),
                "key",
                Code::PropertyKeyTaken,
            ),
            (
                form("Bad Key", "text", "", false),
                "key",
                Code::PropertyKeyInvalid,
            ),
            (
                form("colour", "colour", "", false),
                "kind",
                Code::PropertyKindInvalid,
            ),
            (
                form("team", "choice", "  \n", false),
                "choices",
                Code::PropertyChoicesRequired,
            ),
            (
                DefinitionForm {
                    label_fr: " ".into(),
                    ..form("team", "text", "", false)
                },
                "label_fr",
                Code::PropertyLabelRequired,
            ),
        ] {
            assert_eq!(
                properties::define(&db, admin, demo.root, bad)
                    .await
                    .unwrap_err(),
                Error::invalid(field, code)
            );
        }

        let lotte = user_id(&db, "lotte.janssens").await;
        let set = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        properties::set_values(
            &db,
            admin,
            lotte,
            &set(&[
                ("budget", "1 250,50"),
                ("department", "care"),
                ("hired_on", "1/9/2024"),
            ]),
        )
        .await
        .unwrap();
        let values = properties::values_of(&db, admin, lotte).await.unwrap();
        let shown: Vec<(String, Option<String>)> = values
            .iter()
            .map(|v| (v.definition.key.clone(), v.value.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("budget".to_string(), Some("1250.5".to_string())),
                ("department".to_string(), Some("Care".to_string())),
                ("hired_on".to_string(), Some("2024-09-01".to_string())),
            ]
        );

        // One bad value: refused naming the property, and nothing changes.
        assert_eq!(
            properties::set_values(
                &db,
                admin,
                lotte,
                &set(&[("budget", "10"), ("hired_on", "soon")])
            )
            .await
            .unwrap_err(),
            Error::RefusedAt(Code::PropertyDateInvalid, vec!["hired_on".into()])
        );
        assert_eq!(
            properties::set_values(&db, admin, lotte, &set(&[("department", "")]))
                .await
                .unwrap_err(),
            Error::RefusedAt(Code::PropertyValueRequired, vec!["department".into()])
        );
        assert_eq!(
            properties::set_values(&db, admin, lotte, &set(&[("shoe_size", "42")]))
                .await
                .unwrap_err(),
            Error::RefusedAt(Code::PropertyUnknown, vec!["shoe_size".into()])
        );
        let again = properties::values_of(&db, admin, lotte).await.unwrap();
        assert_eq!(again, values);

        // Clearing an optional one; removing a definition removes its values.
        properties::set_values(&db, admin, lotte, &set(&[("budget", "")]))
            .await
            .unwrap();
        let budget = properties::definitions(&db, admin, demo.root)
            .await
            .unwrap()[0]
            .clone();
        properties::remove(&db, admin, budget.public_id)
            .await
            .unwrap();
        let left: Vec<String> = properties::values_of(&db, admin, lotte)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.definition.key)
            .collect();
        assert_eq!(left, ["department", "hired_on"]);
    }
);

db_test!(
    should_keep_properties_within_their_organisation,
    |db: Db| async move {
        let demo = demo(&db).await;
        properties::define(
            &db,
            &demo.admin,
            demo.root,
            form("department", "text", "", false),
        )
        .await
        .unwrap();
        // A subsite administrator sets values in their subtree, but defines nothing.
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        assert_eq!(
            properties::define(
                &db,
                &klimop_admin,
                demo.klimop,
                form("team", "text", "", false)
            )
            .await
            .unwrap_err(),
            Error::NotFound
        );
        let created = domain::users::create(&db, &demo.admin, demo.klimop, user_form("pupil.one"))
            .await
            .unwrap();
        properties::set_values(
            &db,
            &klimop_admin,
            created.public_id,
            &[("department".to_string(), "Care".to_string())],
        )
        .await
        .unwrap();
        let emma = user_id(&db, "emma.willems").await;
        assert_eq!(
            properties::set_values(
                &db,
                &klimop_admin,
                emma,
                &[("department".into(), "X".into())]
            )
            .await
            .unwrap_err(),
            Error::NotFound
        );
        // Another organisation does not see these definitions.
        let other = domain::sites::insert_root(&db, "Andere school", 5)
            .await
            .unwrap();
        let other_admin_org = domain::sites::resolve(&db, other.public_id).await.unwrap();
        let other_admin = admin_of(&db, other_admin_org.site.public_id, "other.admin").await;
        assert!(properties::definitions(&db, &other_admin, other.public_id)
            .await
            .unwrap()
            .is_empty());
    }
);

db_test!(
    should_import_values_from_lines_of_personnel_number_property_value,
    |db: Db| async move {
        use sea_orm::sea_query::Expr;
        let demo = demo(&db).await;
        let admin = &demo.admin;
        properties::define(&db, admin, demo.root, form("budget", "number", "", false))
            .await
            .unwrap();
        properties::define(
            &db,
            admin,
            demo.root,
            form("department", "choice", "Care\nKitchen", true),
        )
        .await
        .unwrap();
        for (username, number) in [
            ("lotte.janssens", "P001"),
            ("pieter.claes", "P002"),
            ("emma.willems", "P003"),
        ] {
            domain::entities::user::Entity::update_many()
                .col_expr(
                    domain::entities::user::Column::PersonnelNumber,
                    Expr::value(number),
                )
                .filter(domain::entities::user::Column::Username.eq(username))
                .exec(db.conn())
                .await
                .unwrap();
        }
        let file = "personeelsnummer;eigenschap;waarde\n\
                P001;budget;1250,50\n\
                P001;Department (en);kitchen\n\
                P002;budget;veel\n\
                P009;budget;10\n\
                P002;shoe_size;42\n\
                P002;department;\n\
                P003;budget;5\n";
        // Preview: nothing written; Emma (P003) is in De Regenboog, outside De Klimop's subtree
        // when importing there, but inside the root's.
        let preview = properties::preview_values(&db, admin, demo.root, file.as_bytes())
            .await
            .unwrap();
        let planned: Vec<(usize, &str, &str, Option<&str>)> = preview
            .changes
            .iter()
            .map(|c| {
                (
                    c.line,
                    c.username.as_str(),
                    c.key.as_str(),
                    c.after.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            planned,
            vec![
                (2, "lotte.janssens", "budget", Some("1250.5")),
                (3, "lotte.janssens", "department", Some("Kitchen")),
                (8, "emma.willems", "budget", Some("5")),
            ]
        );
        let problems: Vec<(usize, Code)> =
            preview.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            problems,
            vec![
                (4, Code::PropertyNumberInvalid),
                (5, Code::PersonnelNumberUnknown),
                (6, Code::PropertyUnknown),
                (7, Code::PropertyValueRequired),
            ]
        );
        let lotte = user_id(&db, "lotte.janssens").await;
        assert!(properties::values_of(&db, admin, lotte)
            .await
            .unwrap()
            .iter()
            .all(|v| v.value.is_none()));

        // Importing into De Klimop finds nobody: personnel numbers are looked up in its subtree.
        let there = properties::preview_values(&db, admin, demo.klimop, file.as_bytes())
            .await
            .unwrap();
        assert!(there.changes.is_empty());

        let done = properties::import_values(&db, admin, demo.root, file.as_bytes())
            .await
            .unwrap();
        assert_eq!(done.changes.len(), 3);
        let values: Vec<Option<String>> = properties::values_of(&db, admin, lotte)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.value)
            .collect();
        assert_eq!(values, vec![Some("1250.5".into()), Some("Kitchen".into())]);
        // Again: nothing left to change.
        let again = properties::import_values(&db, admin, demo.root, file.as_bytes())
            .await
            .unwrap();
        assert!(again.changes.is_empty());
        assert_eq!(again.unchanged, 3);
        // A subsite administrator may not import at the root.
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        assert_eq!(
            properties::import_values(&db, &klimop_admin, demo.root, file.as_bytes())
                .await
                .unwrap_err(),
            Error::NotFound
        );
    }
);

db_test!(
    should_filter_sort_and_export_users_by_property,
    |db: Db| async move {
        use domain::users::{UserQuery, UserSort};
        let demo = demo(&db).await;
        let admin = &demo.admin;
        properties::define(&db, admin, demo.root, form("budget", "number", "", false))
            .await
            .unwrap();
        properties::define(&db, admin, demo.root, form("team", "text", "", false))
            .await
            .unwrap();
        for (username, budget, team) in [
            ("lotte.janssens", "900", "Blue birds"),
            ("pieter.claes", "1200,5", "Red"),
            ("sofie.maes", "80", "blue"),
        ] {
            let id = user_id(&db, username).await;
            properties::set_values(
                &db,
                admin,
                id,
                &[
                    ("budget".into(), budget.into()),
                    ("team".into(), team.into()),
                ],
            )
            .await
            .unwrap();
        }
        let names = |page: domain::users::UserPage| {
            page.rows
                .into_iter()
                .map(|r| (r.username, r.property_value.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        // Sorted by a number: numerically, with the value shown.
        let by_budget = UserQuery {
            sort: UserSort::Property,
            sort_key: "budget".into(),
            descending: true,
            property: Some(("budget".into(), String::new())),
            ..Default::default()
        };
        let listed = names(
            domain::users::list(
                &db,
                admin,
                demo.root,
                UserQuery {
                    property: None,
                    ..by_budget
                },
            )
            .await
            .unwrap(),
        );
        assert_eq!(
            listed[..3],
            [
                ("pieter.claes".to_string(), "1200.5".to_string()),
                ("lotte.janssens".to_string(), "900".to_string()),
                ("sofie.maes".to_string(), "80".to_string()),
            ]
        );
        // A text property filters on "contains", in any case.
        let blue = UserQuery {
            property: Some(("team".into(), "BLUE".into())),
            sort_key: "team".into(),
            ..Default::default()
        };
        let listed = names(
            domain::users::list(&db, admin, demo.root, blue.clone())
                .await
                .unwrap(),
        );
        assert_eq!(
            listed,
            [
                ("lotte.janssens".to_string(), "Blue birds".to_string()),
                ("sofie.maes".to_string(), "blue".to_string()),
            ]
        );
        // A number filters on equality, the value as typed.
        let exact = UserQuery {
            property: Some(("budget".into(), "1200,50".into())),
            ..Default::default()
        };
        let listed = names(
            domain::users::list(&db, admin, demo.root, exact)
                .await
                .unwrap(),
        );
        assert_eq!(listed, [("pieter.claes".to_string(), String::new())]);
        assert_eq!(
            domain::users::list(
                &db,
                admin,
                demo.root,
                UserQuery {
                    property: Some(("budget".into(), "lots".into())),
                    ..Default::default()
                }
            )
            .await
            .map(|_| ()),
            Err(Error::RefusedAt(
                Code::PropertyNumberInvalid,
                vec!["budget".into()]
            ))
        );
        // The export has a column per property, labelled in the language asked for.
        let (_, csv) = domain::users::export(
            &db,
            admin,
            demo.root,
            blue,
            domain::sheet::Format::Csv,
            "fr",
        )
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
        let csv = String::from_utf8(csv).unwrap();
        let header = csv.lines().next().unwrap();
        assert!(header.ends_with("budget (fr);team (fr)"), "{header}");
        assert!(csv.contains("sofie.maes"));
        assert!(!csv.contains("pieter.claes"));
        assert!(csv.contains("900;Blue birds"), "{csv}");
        // "All matching" in a bulk action means the filtered users only.
        let report = domain::users::bulk(
            &db,
            admin,
            demo.root,
            domain::users::Selection::Matching {
                search: String::new(),
                include_subsites: true,
                property: Some(("team".into(), "blue".into())),
            },
            domain::users::BulkAction::Deactivate,
        )
        .await
        .unwrap();
        assert_eq!(report.changed, 2);
    }
);
