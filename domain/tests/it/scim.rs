//! SCIM users read and listed as identity providers ask: the lookups before a create
//! (`userName eq`, `externalId eq`), any other filter, paging, and the site's bound.
use domain::identifiers::{self, Scheme};
use domain::scim::{users, write};
use domain::{Code, Db, Error};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

async fn user(db: &Db, username: &str) -> Uuid {
    use domain::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id
}

db_test!(
    should_list_and_find_users_as_identity_providers_ask,
    |db: Db| async move {
        let demo = demo(&db).await;
        let emma = user(&db, "emma.willems").await;
        identifiers::set(&db, &demo.admin, emma, Scheme::Scim, "entra-7f3a")
            .await
            .unwrap();
        let list = |filter: Option<&'static str>, start: u64, count: u64| {
            let (db, admin) = (db.clone(), demo.admin.clone());
            async move {
                users::list(&db, &admin, demo.root, filter, start, count)
                    .await
                    .unwrap()
            }
        };
        let names = |page: &domain::scim::ScimPage| -> Vec<String> {
            page.resources.iter().map(|u| u.user_name.clone()).collect()
        };
        let everyone = list(None, 1, 100).await;
        assert!(everyone.total >= 5, "{everyone:?}");
        assert_eq!(everyone.resources.len() as u64, everyone.total);

        // The lookups before a create: by userName (any case) and by externalId (exact).
        let by_name = list(Some(r#"userName eq "Emma.Willems""#), 1, 100).await;
        assert_eq!(names(&by_name), ["emma.willems"]);
        assert_eq!(
            by_name.resources[0].external_id.as_deref(),
            Some("entra-7f3a")
        );
        let by_id = list(Some(r#"externalId eq "entra-7f3a""#), 1, 100).await;
        assert_eq!(names(&by_id), ["emma.willems"]);
        assert_eq!(
            list(Some(r#"externalId eq "ENTRA-7F3A""#), 1, 100)
                .await
                .total,
            0
        );
        // Any other filter, on the resource as SCIM shows it.
        let regenboog = list(
            Some(r#"emails.value ew "@horizon.example" and userName sw "emma""#),
            1,
            100,
        )
        .await;
        assert_eq!(names(&regenboog), ["emma.willems"]);
        assert_eq!(list(Some("externalId pr"), 1, 100).await.total, 1);
        // Pages count from 1; the total is of all matching.
        let second = list(None, 2, 2).await;
        assert_eq!(second.total, everyone.total);
        assert_eq!(second.start_index, 2);
        assert_eq!(second.resources, everyone.resources[1..3].to_vec());
        // A filter that is none.
        assert_eq!(
            users::list(&db, &demo.admin, demo.root, Some("userName eq"), 1, 10)
                .await
                .err(),
            Some(Error::invalid("filter", Code::ScimFilterInvalid))
        );

        // De Klimop's administrator: their site only; the root and Emma (De Regenboog) do not
        // exist for them.
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        let theirs = users::list(&db, &klimop, demo.klimop, None, 1, 100)
            .await
            .unwrap();
        assert!(theirs.resources.iter().all(|u| u.id != emma));
        assert_eq!(
            users::list(&db, &klimop, demo.root, None, 1, 100)
                .await
                .err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            users::get(&db, &klimop, emma).await.err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            users::get(&db, &demo.admin, emma).await.unwrap().user_name,
            "emma.willems"
        );
    }
);

fn barbara(user_name: &str, external_id: &str) -> serde_json::Value {
    serde_json::json!({
        "schemas": [users::USER_SCHEMA, users::ENTERPRISE_SCHEMA],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "babs@home.example", "type": "home"},
            {"value": format!("{user_name}@klimop.example"), "type": "work", "primary": true}
        ],
        "active": true,
        users::ENTERPRISE_SCHEMA: {"employeeNumber": "701"}
    })
}

db_test!(
    should_create_users_as_identity_providers_send_them,
    |db: Db| async move {
        let demo = demo(&db).await;
        // De Klimop's administrator (one of its three seats).
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        let create = |json: serde_json::Value| {
            let (db, admin) = (db.clone(), demo.admin.clone());
            async move {
                write::create(
                    &db,
                    &admin,
                    demo.klimop,
                    users::ScimUserInput::from_json(&json),
                )
                .await
            }
        };
        let made = create(barbara("bjensen", "entra-1")).await.unwrap();
        assert_eq!(
            (
                made.user_name.as_str(),
                made.email.as_deref(),
                made.external_id.as_deref(),
                made.employee_number.as_deref(),
                made.active
            ),
            (
                "bjensen",
                Some("bjensen@klimop.example"),
                Some("entra-1"),
                Some("701"),
                true
            )
        );
        let found = users::list(
            &db,
            &demo.admin,
            demo.klimop,
            Some(r#"externalId eq "entra-1""#),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(found.resources, vec![made.clone()]);
        assert_eq!(users::get(&db, &demo.admin, made.id).await.unwrap(), made);

        // A taken external id or username leaves nothing behind (no user, no seat).
        let before = users::list(&db, &demo.admin, demo.root, None, 1, 200)
            .await
            .unwrap()
            .total;
        assert_eq!(
            create(barbara("other", "entra-1")).await.err(),
            Some(Error::Conflict(Code::ExternalIdTaken))
        );
        assert_eq!(
            create(barbara("BJensen", "entra-2")).await.err(),
            Some(Error::invalid("username", Code::UsernameTaken))
        );
        assert_eq!(
            users::list(&db, &demo.admin, demo.root, None, 1, 200)
                .await
                .unwrap()
                .total,
            before
        );
        assert_counters_exact(&db).await;

        // De Klimop has three seats: one more, then the site is full.
        create(barbara("second", "entra-3")).await.unwrap();
        assert_eq!(
            create(barbara("third", "entra-4")).await.err(),
            Some(Error::Refused(Code::NoFreeSeat))
        );
        assert_counters_exact(&db).await;

        // De Klimop's administrator cannot create in De Regenboog: it does not exist for them.
        assert_eq!(
            write::create(
                &db,
                &klimop,
                demo.regenboog,
                users::ScimUserInput::from_json(&barbara("x", "entra-6"))
            )
            .await
            .err(),
            Some(Error::NotFound)
        );
    }
);

db_test!(
    should_replace_and_patch_users_under_the_rules_of_any_change,
    |db: Db| async move {
        let demo = demo(&db).await;
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        let made = write::create(
            &db,
            &demo.admin,
            demo.klimop,
            users::ScimUserInput::from_json(&barbara("bjensen", "entra-1")),
        )
        .await
        .unwrap();
        // PUT without the enterprise extension and the externalId clears them.
        let mut replaced = barbara("bjensen", "entra-1");
        replaced["name"]["familyName"] = "Janssens".into();
        replaced
            .as_object_mut()
            .unwrap()
            .remove("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
        replaced.as_object_mut().unwrap().remove("externalId");
        let put = write::replace(
            &db,
            &klimop,
            made.id,
            users::ScimUserInput::from_json(&replaced),
            Some(&made.version()),
        )
        .await
        .unwrap();
        assert_eq!(
            (
                put.family_name.as_str(),
                put.employee_number.as_deref(),
                put.external_id.as_deref()
            ),
            ("Janssens", None, None)
        );
        // The old version no longer writes.
        let suspend = serde_json::json!({"Operations": [{"op": "replace", "path": "active", "value": false}]});
        assert_eq!(
            write::patch(&db, &klimop, made.id, &suspend, Some(&made.version()))
                .await
                .err(),
            Some(Error::Refused(Code::ScimVersionMismatch))
        );
        let patched = write::patch(&db, &klimop, made.id, &suspend, Some(&put.version()))
            .await
            .unwrap();
        assert!(!patched.active);
        // The journal has each change.
        let entries = domain::audit::list(&db, &demo.admin, domain::audit::JournalQuery::default())
            .await
            .unwrap();
        let fields: Vec<String> = entries
            .entries
            .iter()
            .filter(|e| e.target.contains("bjensen"))
            .flat_map(|e| e.changes.iter().map(|c| c.field.clone()))
            .collect();
        for field in ["last_name", "personnel_number", "external_id", "active"] {
            assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
        }
        // A username taken by someone else: refused, nothing written.
        let taken = write::patch(
            &db,
            &klimop,
            made.id,
            &serde_json::json!({"Operations": [{"op": "replace", "path": "userName", "value": "klimop.admin"}]}),
            None,
        )
        .await
        .err();
        assert_eq!(taken, Some(Error::invalid("username", Code::UsernameTaken)));
        // Deactivating oneself is refused, as on the page.
        let me = users::list(
            &db,
            &klimop,
            demo.klimop,
            Some(r#"userName eq "klimop.admin""#),
            1,
            1,
        )
        .await
        .unwrap()
        .resources[0]
            .id;
        assert_eq!(
            write::patch(&db, &klimop, me, &suspend, None).await.err(),
            Some(Error::Refused(Code::CannotDeactivateSelf))
        );
        // A delete through a token that deletes: the user is gone and their seat free.
        write::delete(&db, &klimop, made.id, write::OnDelete::Delete, None)
            .await
            .unwrap();
        assert_eq!(
            users::get(&db, &klimop, made.id).await.err(),
            Some(Error::NotFound)
        );
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_keep_the_department_where_the_organisation_has_the_property,
    |db: Db| async move {
        let demo = demo(&db).await;
        let mut sent = barbara("dept", "entra-d");
        sent[users::ENTERPRISE_SCHEMA]["department"] = "Wiskunde".into();
        // Without the property the department is not kept, and not described.
        let made = write::create(
            &db,
            &demo.admin,
            demo.klimop,
            users::ScimUserInput::from_json(&sent),
        )
        .await
        .unwrap();
        assert_eq!(made.department, None);
        assert!(!domain::scim::schemas::keeps_department(&db, demo.klimop)
            .await
            .unwrap());
        domain::properties::define(
            &db,
            &demo.admin,
            demo.root,
            domain::properties::DefinitionForm {
                key: "department".into(),
                label_nl: "Vakgroep".into(),
                label_fr: "Département".into(),
                label_en: "Department".into(),
                kind: "text".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(domain::scim::schemas::keeps_department(&db, demo.klimop)
            .await
            .unwrap());
        let mut second = barbara("dept2", "entra-d2");
        second[users::ENTERPRISE_SCHEMA]["department"] = "Wiskunde".into();
        let made = write::create(
            &db,
            &demo.admin,
            demo.klimop,
            users::ScimUserInput::from_json(&second),
        )
        .await
        .unwrap();
        assert_eq!(made.department.as_deref(), Some("Wiskunde"));
        let patched = write::patch(
            &db,
            &demo.admin,
            made.id,
            &serde_json::json!({"Operations": [{"op": "replace",
                "path": format!("{}:department", users::ENTERPRISE_SCHEMA), "value": "Talen"}]}),
            None,
        )
        .await
        .unwrap();
        assert_eq!(patched.department.as_deref(), Some("Talen"));
        let read = users::get(&db, &demo.admin, made.id).await.unwrap();
        assert_eq!(read.department.as_deref(), Some("Talen"));
        let values = domain::properties::values_of(&db, &demo.admin, made.id)
            .await
            .unwrap();
        assert!(values
            .iter()
            .any(|v| v.definition.key == "department" && v.value.as_deref() == Some("Talen")));
    }
);
