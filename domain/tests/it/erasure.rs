//! Erasure that is complete: a person who used Licentia in many ways is deleted (invited by
//! mail, licensed, with a personnel number and an address, a signed-in session, a linked
//! sign-in, an application's settings, webhook deliveries about them, an old journal entry
//! that names them by label only), then every text column of every table is searched for
//! their username, names, e-mail address, personnel number and address: nothing may be found
//! (the journal keeps its entries, with a pseudonym).
//! And the inventory of columns that name a user is checked against the database's own schema,
//! so that a new table with a user column that erasure does not handle fails here.
use chrono::Utc;
use domain::entities::{audit_event, user};
use domain::privacy::inventory::{names_a_user, USER_COLUMNS};
use domain::{licences, users, Db};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, Set, Statement};

use crate::db_test;
use crate::helpers::*;

/// Every (table, column, type) of the database, from its own catalogue.
async fn columns(db: &Db) -> Vec<(String, String, String)> {
    let conn = db.conn();
    let mut found = Vec::new();
    match db.backend() {
        DbBackend::Postgres => {
            let rows = conn
                .query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
                     FROM information_schema.columns WHERE table_schema = 'public' \
                     AND table_name NOT LIKE 'seaql%'",
                ))
                .await
                .unwrap();
            for row in rows {
                found.push((
                    row.try_get("", "t").unwrap(),
                    row.try_get("", "c").unwrap(),
                    row.try_get::<String>("", "d").unwrap().to_lowercase(),
                ));
            }
        }
        _ => {
            let tables = conn
                .query_all_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'seaql%'",
                ))
                .await
                .unwrap();
            for table in tables {
                let table: String = table.try_get("", "name").unwrap();
                let rows = conn
                    .query_all_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        format!("SELECT name, type FROM pragma_table_info('{table}')"),
                    ))
                    .await
                    .unwrap();
                for row in rows {
                    found.push((
                        table.clone(),
                        row.try_get("", "name").unwrap(),
                        row.try_get::<String>("", "type").unwrap().to_lowercase(),
                    ));
                }
            }
        }
    }
    found
}

fn is_text(data_type: &str) -> bool {
    ["text", "char", "json", "clob"]
        .iter()
        .any(|t| data_type.contains(t))
}

/// Where `needle` is found in any text column: "table.column (n rows)".
async fn found_anywhere(db: &Db, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column, data_type) in columns(db).await {
        if !is_text(&data_type) {
            continue;
        }
        let sql = match db.backend() {
            DbBackend::Postgres => format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" WHERE lower(\"{column}\"::text) LIKE $1"
            ),
            _ => format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE lower(\"{column}\") LIKE ?"),
        };
        let rows = db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(
                db.backend(),
                sql,
                vec![format!("%{}%", needle.to_lowercase()).into()],
            ))
            .await
            .unwrap();
        let n: i64 = rows[0].try_get("", "n").unwrap();
        if n > 0 {
            found.push(format!("{table}.{column} ({n} rows)"));
        }
    }
    found
}

db_test!(
    should_know_every_column_that_names_a_user,
    |db: Db| async move {
        let schema = columns(&db).await;
        let mut missing = Vec::new();
        for (table, column, _) in &schema {
            if names_a_user(table, column)
                && !USER_COLUMNS
                    .iter()
                    .any(|c| c.table == table && c.column == column)
            {
                missing.push(format!("{table}.{column}"));
            }
        }
        assert!(
            missing.is_empty(),
            "columns that name a user, unknown to privacy::inventory: {missing:?}"
        );
        for c in USER_COLUMNS {
            assert!(
                schema
                    .iter()
                    .any(|(t, col, _)| t == c.table && col == c.column),
                "{}.{} is in the inventory but not in the database",
                c.table,
                c.column
            );
        }
    }
);

db_test!(
    should_leave_nothing_of_an_erased_person,
    |db: Db| async move {
        let d = demo(&db).await;
        let today = wire::time::today();
        // A receiver of the organisation's events: deliveries carry names.
        domain::webhooks::register(
            &db,
            &d.admin,
            domain::webhooks::NewEndpoint {
                site: Some(d.root),
                url: "https://hooks.erasure.example/in".into(),
                events: vec![
                    "user.created".into(),
                    "user.deleted".into(),
                    "licence.assigned".into(),
                ],
                description: String::new(),
            },
        )
        .await
        .unwrap();
        // Zebulon, invited by mail, at De Klimop.
        let form = users::NewUserForm {
            username: "zq.erasure".into(),
            first_name: "Zebulon".into(),
            last_name: "Quarterfield".into(),
            email: "zebulon.quarterfield@erasure.example".into(),
            invite: true,
            locale: "fr".into(),
            ..Default::default()
        };
        let row = users::create(&db, &d.admin, d.klimop, form).await.unwrap();
        let person = user::Entity::find_by_id(row.id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        // A personnel number and an address, as an HR import would give them.
        let mut edited: user::ActiveModel = person.clone().into();
        edited.personnel_number = Set(Some("PN-ZQ-4711".into()));
        edited.address = Set(Some("Zebrastraat 9, Gent".into()));
        let person = edited.update(db.conn()).await.unwrap();
        // A licence (journaled), from a subscription of the organisation.
        let root = domain::sites::resolve(&db, d.root).await.unwrap().site.id;
        let valid = (
            today - chrono::Duration::days(30),
            today + chrono::Duration::days(300),
        );
        subscription(&db, root, "47110001", 5, valid).await;
        licences::assign(&db, &d.admin, person.public_id, today)
            .await
            .unwrap();
        // What they left themselves: a signed-in session, a linked sign-in, an application's
        // settings.
        domain::entities::session::ActiveModel {
            id: Set("zq-session".into()),
            user_id: Set(Some(person.id)),
            data: Set(r#"{"user":"zq.erasure"}"#.into()),
            expires_at: Set(Utc::now() + chrono::Duration::hours(8)),
            signed_in_at: Set(Some(Utc::now())),
            user_agent: Set(Some("Zebulon's laptop".into())),
            client_address: Set(Some("192.0.2.47".into())),
            method: Set(Some("password".into())),
        }
        .insert(db.conn())
        .await
        .unwrap();
        domain::products::insert_product(&db, "reader", "Reader")
            .await
            .unwrap();
        let me = domain::Principal::load(&db, person.id).await.unwrap();
        let settings = serde_json::json!({ "signature": "Zebulon Quarterfield" });
        domain::applications::put_settings(&db, &me, person.public_id, "reader", &settings)
            .await
            .unwrap();
        domain::entities::sso_link::ActiveModel {
            user_id: Set(person.id),
            provider: Set("google".into()),
            issuer: Set("https://accounts.google.com".into()),
            subject: Set("zq-subject".into()),
            email: Set(Some("zebulon.quarterfield@erasure.example".into())),
            created_at: Set(Utc::now()),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(db.conn())
        .await
        .unwrap();
        // Their name in text the organisation keeps: an announcement's author, a journal entry
        // written before entries named their user by number.
        audit_event::ActiveModel {
            at: Set(Utc::now()),
            actor_id: Set(None),
            actor_name: Set("system".into()),
            action: Set("user.update".into()),
            target_kind: Set("user".into()),
            target_label: Set(users::user_label(&person)),
            site_id: Set(person.site_id),
            site_name: Set("De Klimop".into()),
            changes: Set(
                r#"[{"field":"email","before":"","after":"zebulon.quarterfield@erasure.example"}]"#
                    .into(),
            ),
            client_address: Set(None),
            subject_user_id: Set(None),
            ..Default::default()
        }
        .insert(db.conn())
        .await
        .unwrap();
        let needles = [
            "zq.erasure",
            "Zebulon",
            "Quarterfield",
            "zebulon.quarterfield@erasure.example",
            "PN-ZQ-4711",
            "Zebrastraat",
        ];
        // Before: they are there (the scan can find them), in deliveries too.
        assert!(!found_anywhere(&db, "zq.erasure").await.is_empty());
        assert!(found_anywhere(&db, "Quarterfield")
            .await
            .iter()
            .any(|f| f.starts_with("webhook_deliveries.")));
        let entries_before = audit_event::Entity::find()
            .all(db.conn())
            .await
            .unwrap()
            .len();

        users::delete(&db, &d.admin, person.public_id)
            .await
            .unwrap();

        for needle in needles {
            assert_eq!(
                found_anywhere(&db, needle).await,
                Vec::<String>::new(),
                "{needle} is still stored after the erasure"
            );
        }
        // The journal kept its entries (and one more: the erasure), with the pseudonym.
        let entries = audit_event::Entity::find().all(db.conn()).await.unwrap();
        assert_eq!(entries.len(), entries_before + 1);
        let pseudonymised: Vec<_> = entries
            .iter()
            .filter(|e| domain::privacy::is_pseudonym(&e.target_label))
            .collect();
        assert!(
            pseudonymised.len() >= 3,
            "created, licence, the old entry, deleted"
        );
        let first = &pseudonymised[0].target_label;
        assert!(
            pseudonymised.iter().all(|e| &e.target_label == first),
            "one pseudonym for all their entries"
        );
    }
);
