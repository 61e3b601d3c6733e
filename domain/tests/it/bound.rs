//! What section 3 of the delegation issue closed, on the domain: the journal hides the names of
//! sites outside the reader's structure, and expiry dates imposed from above bind below.
use chrono::NaiveDate;
use domain::audit::{self, JournalQuery, OUTSIDE_VIEW};
use domain::entities::user;
use domain::sites::{self, SiteForm};
use domain::users::{self, BulkAction, Selection};
use domain::{Code, Db, Error};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_not_name_a_foreign_site_in_the_journal,
    |db: Db| async move {
        let demo = demo(&db).await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        // The director moves Emma from De Regenboog to De Klimop.
        let emma = user::Entity::find()
            .filter(user::Column::Username.eq("emma.willems"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        users::bulk(
            &db,
            &demo.admin,
            demo.root,
            Selection::Users(vec![emma.public_id]),
            BulkAction::Move(demo.klimop),
        )
        .await
        .unwrap();
        let site_change = |page: &audit::JournalPage| {
            page.entries
                .iter()
                .flat_map(|e| e.changes.iter())
                .find(|c| c.field == "site")
                .map(|c| (c.before.clone(), c.after.clone()))
        };
        let theirs = audit::list(&db, &klimop_admin, JournalQuery::default())
            .await
            .unwrap();
        assert_eq!(
            site_change(&theirs),
            Some((OUTSIDE_VIEW.to_string(), "De Klimop".to_string()))
        );
        let mut csv = audit::export(&db, &klimop_admin, JournalQuery::default())
            .await
            .unwrap();
        let entries = csv.next_batch().await.unwrap();
        assert!(!format!("{entries:?}").contains("Regenboog"));
        let director = audit::list(&db, &demo.admin, JournalQuery::default())
            .await
            .unwrap();
        assert_eq!(
            site_change(&director),
            Some(("De Regenboog".to_string(), "De Klimop".to_string()))
        );
    }
);

fn form(name: &str, seats: i32, expires_on: &str) -> SiteForm {
    SiteForm {
        name: name.into(),
        seat_limit: seats.to_string(),
        expires_on: expires_on.into(),
        registration_flow: "immediate".into(),
        ..Default::default()
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

db_test!(
    should_bind_expiry_dates_imposed_from_above,
    |db: Db| async move {
        let demo = demo(&db).await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        let beyond = |bound: &str| {
            Err(Error::RefusedAt(
                Code::ExpiryBeyondInherited,
                vec![bound.into()],
            ))
        };
        // The director sets De Klimop's date; its administrator can tighten it, not lift it.
        sites::update(
            &db,
            &demo.admin,
            demo.klimop,
            form("De Klimop", 3, "2027-06-30"),
        )
        .await
        .unwrap();
        let lifted = sites::update(
            &db,
            &klimop_admin,
            demo.klimop,
            form("De Klimop", 3, "2027-08-31"),
        )
        .await
        .map(|_| ());
        assert_eq!(lifted, beyond("2027-06-30"));
        let cleared = sites::update(&db, &klimop_admin, demo.klimop, form("De Klimop", 3, ""))
            .await
            .map(|_| ());
        assert_eq!(cleared, beyond("2027-06-30"));
        sites::update(
            &db,
            &klimop_admin,
            demo.klimop,
            form("De Klimop", 3, "2027-05-31"),
        )
        .await
        .unwrap();
        // The director may lift it again (nothing above binds them).
        sites::update(
            &db,
            &demo.admin,
            demo.klimop,
            form("De Klimop", 3, "2027-08-31"),
        )
        .await
        .unwrap();
        // A user's own date goes no later than their site's.
        let pupil = users::create(&db, &klimop_admin, demo.klimop, user_form("pupil"))
            .await
            .unwrap();
        let pupil = user::Entity::find_by_id(pupil.id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let set = |date: Option<NaiveDate>| {
            let db = db.clone();
            let admin = klimop_admin.clone();
            async move {
                users::bulk(
                    &db,
                    &admin,
                    demo.klimop,
                    Selection::Users(vec![pupil.public_id]),
                    BulkAction::SetExpiry(date),
                )
                .await
                .map(|_| ())
            }
        };
        assert_eq!(set(Some(day("2028-01-01"))).await, beyond("2027-08-31"));
        set(Some(day("2027-01-31"))).await.unwrap();
        set(None).await.unwrap();
        // A later date below binds nothing: the earliest on the way up applies.
        let resolved = sites::details(&db, &demo.admin, demo.klimop).await.unwrap();
        assert_eq!(resolved.effective_expires_on, Some(day("2027-08-31")));
        sites::update(
            &db,
            &demo.admin,
            demo.root,
            form("Scholengroep Horizon", 20, "2027-03-31"),
        )
        .await
        .unwrap();
        let resolved = sites::details(&db, &demo.admin, demo.klimop).await.unwrap();
        assert_eq!(resolved.effective_expires_on, Some(day("2027-03-31")));
    }
);
