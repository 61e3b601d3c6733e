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
