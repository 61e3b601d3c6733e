//! Named licences: every state, the claim at sign-in in its four cases, assignment by an
//! administrator, the counters, and the claim race (200 claims for 50 free licences).
use std::sync::Arc;

use chrono::NaiveDate;
use domain::entities::{licence, subscription, user};
use domain::licences::{self, Claim, Status};
use domain::{sites, users, Code, Db, Error, Principal};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

const TODAY: &str = "2026-11-23";

/// A subscription of the demo organisation.
async fn subscription(
    db: &Db,
    root: Uuid,
    serial: &str,
    seats: i32,
    from: &str,
    until: &str,
) -> i32 {
    let root = sites::resolve(db, root).await.unwrap().site.id;
    subscription::ActiveModel {
        serial: Set(serial.into()),
        seats: Set(seats),
        valid_from: Set(day(from)),
        valid_until: Set(day(until)),
        locale: Set("nl".into()),
        site_id: Set(Some(root)),
        created_at: Set(chrono::Utc::now()),
        assigned: Set(0),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap()
    .id
}

/// Room for many users in the demo organisation's root (set-up, not journaled).
async fn room(db: &Db) {
    use sea_orm::sea_query::Expr;
    domain::entities::site::Entity::update_many()
        .col_expr(domain::entities::site::Column::SeatLimit, Expr::value(1000))
        .filter(domain::entities::site::Column::ParentId.is_null())
        .exec(db.conn())
        .await
        .unwrap();
}

/// A user of the organisation's root, and them as principal.
async fn member(db: &Db, root: Uuid, username: &str) -> (Uuid, Principal) {
    let resolved = sites::resolve(db, root).await.unwrap();
    let new_user = user_form(username).validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = users::insert_unchecked(&*txn, resolved.site.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    (
        created.public_id,
        Principal::load(db, created.id).await.unwrap(),
    )
}

async fn assigned(db: &Db, id: i32) -> i32 {
    subscription::Entity::find_by_id(id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .assigned
}

db_test!(should_go_through_every_licence_state, |db: Db| async move {
    let demo = demo(&db).await;
    room(&db).await;
    let year = subscription(&db, demo.root, "1000001", 2, "2026-09-01", "2027-08-31").await;
    let (id, _) = member(&db, demo.root, "an.leerling").await;
    let status = |on: &'static str| {
        let (db, admin) = (db.clone(), demo.admin.clone());
        async move { licences::status_of(&db, &admin, id, day(on)).await.unwrap() }
    };
    assert_eq!(status(TODAY).await, Status::None);

    let given = licences::assign(&db, &demo.admin, id, day(TODAY))
        .await
        .unwrap();
    assert!(given.is_valid(), "{given:?}");
    assert_eq!(assigned(&db, year).await, 1);
    // The same licence seen on other days: not yet, and no longer.
    assert_eq!(
        status("2026-08-01").await,
        Status::ActiveFrom(day("2026-09-01"))
    );
    assert_eq!(
        status("2027-09-05").await,
        Status::ExpiredSince(day("2027-09-01"))
    );
    // Assigning again changes nothing.
    licences::assign(&db, &demo.admin, id, day(TODAY))
        .await
        .unwrap();
    assert_eq!(assigned(&db, year).await, 1);

    licences::unassign(&db, &demo.admin, id, day(TODAY))
        .await
        .unwrap();
    assert_eq!(status(TODAY).await, Status::None);
    assert_eq!(assigned(&db, year).await, 0);
    let again = licences::unassign(&db, &demo.admin, id, day(TODAY)).await;
    assert!(matches!(again, Err(Error::NotFound)), "{again:?}");

    // Only an expired subscription: nothing to give.
    let refused = licences::assign(&db, &demo.admin, id, day("2027-10-01")).await;
    assert!(
        matches!(refused, Err(Error::Refused(Code::NoFreeLicence))),
        "{refused:?}"
    );
});

db_test!(
    should_claim_in_each_of_the_four_cases,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db).await;
        let last = subscription(&db, demo.root, "1000001", 5, "2025-09-01", "2026-08-31").await;
        let year = subscription(&db, demo.root, "1000002", 1, "2026-09-01", "2027-08-31").await;
        let next = subscription(&db, demo.root, "1000003", 5, "2027-09-01", "2028-08-31").await;
        let today = day(TODAY);

        // A free seat: claimed.
        let (_, first) = member(&db, demo.root, "eerste").await;
        let claimed = licences::claim(&db, &first, today).await.unwrap();
        let Claim::Claimed(held) = claimed else {
            panic!("not claimed: {claimed:?}");
        };
        assert!(held.is_valid(), "{held:?}");
        // Claiming again changes nothing (valid since the day it was assigned, whatever the
        // day the test runs on).
        assert_eq!(
            licences::claim(&db, &first, today).await.unwrap(),
            Claim::AlreadyValid(held)
        );
        // None free: ask the administrator.
        let (_, second) = member(&db, demo.root, "tweede").await;
        assert_eq!(
            licences::claim(&db, &second, today).await.unwrap(),
            Claim::NoneFree
        );
        // Own licence not yet active (a renewal held for them), none free now.
        let (third_id, third) = member(&db, demo.root, "derde").await;
        let third_row = user::Entity::find()
            .filter(user::Column::PublicId.eq(third_id))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        for subscription_id in [last, next] {
            licence::ActiveModel {
                subscription_id: Set(subscription_id),
                user_id: Set(third_row.id),
                assigned_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(db.conn())
            .await
            .unwrap();
        }
        assert_eq!(
            licences::claim(&db, &third, today).await.unwrap(),
            Claim::NotYetActive(day("2027-09-01"))
        );
        // Own licence expired: a seat freed by the administrator is claimed.
        let first_id = users::list(&db, &demo.admin, demo.root, Default::default())
            .await
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.username == "eerste")
            .unwrap()
            .public_id;
        licences::unassign(&db, &demo.admin, first_id, today)
            .await
            .unwrap();
        assert!(
            matches!(licences::claim(&db, &third, today).await.unwrap(), Claim::Claimed(s) if s.is_valid())
        );
        assert_eq!(assigned(&db, year).await, 1);

        // Nobody takes their own licence away.
        let own = licences::unassign(&db, &third, third_id, today).await;
        assert!(own.is_err());
        let admin_id = demo.admin.user_id().unwrap();
        let admin_public = user::Entity::find_by_id(admin_id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .public_id;
        // A seat for the administrator (the year's one is taken), so that the refusal below
        // is the rule's and not "no licence".
        subscription(&db, demo.root, "1000004", 1, "2026-09-01", "2027-08-31").await;
        licences::assign(&db, &demo.admin, admin_public, today)
            .await
            .unwrap();
        let own = licences::unassign(&db, &demo.admin, admin_public, today).await;
        assert!(
            matches!(own, Err(Error::Refused(Code::CannotUnassignOwnLicence))),
            "{own:?}"
        );
    }
);

db_test!(
    should_count_valid_upcoming_and_users_without,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db).await;
        subscription(&db, demo.root, "1000001", 10, "2026-09-01", "2027-08-31").await;
        subscription(&db, demo.root, "1000002", 12, "2027-09-01", "2028-08-31").await;
        subscription(&db, demo.root, "1000003", 7, "2025-09-01", "2026-08-31").await;
        let (id, _) = member(&db, demo.root, "met.licentie").await;
        licences::assign(&db, &demo.admin, id, day(TODAY))
            .await
            .unwrap();
        let counted = licences::counters(&db, &demo.admin, demo.root, day(TODAY))
            .await
            .unwrap();
        // The demo has 5 users (4 in the root, 1 in De Regenboog), plus this one.
        assert_eq!(
            (
                counted.valid_unused,
                counted.valid_total,
                counted.upcoming,
                counted.without_licence
            ),
            (9, 10, 12, 5)
        );
    }
);

db_test!(
    should_give_exactly_50_licences_to_200_concurrent_claims,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db).await;
        let year = subscription(&db, demo.root, "1000001", 50, "2026-09-01", "2027-08-31").await;
        let mut claimants = Vec::new();
        for i in 0..200 {
            claimants.push(member(&db, demo.root, &format!("claimant{i}")).await.1);
        }
        let tasks: Vec<_> = claimants
            .into_iter()
            .map(|principal| {
                let db = db.clone();
                let principal = Arc::new(principal);
                tokio::spawn(async move { licences::claim(&db, &principal, day(TODAY)).await })
            })
            .collect();
        let (mut claimed, mut none) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(Claim::Claimed(_)) => claimed += 1,
                Ok(Claim::NoneFree) => none += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((claimed, none), (50, 150));
        assert_eq!(assigned(&db, year).await, 50);
        assert_eq!(licence::Entity::find().count(db.conn()).await.unwrap(), 50);
    }
);

/// A subscription of one seat, valid from yesterday for 400 days; its id.
async fn one_seat_from_yesterday(db: &Db, root: Uuid) -> i32 {
    let today = wire::time::today();
    let from = (today - chrono::Duration::days(1)).to_string();
    let until = (today + chrono::Duration::days(400)).to_string();
    subscription(db, root, "1000009", 1, &from, &until).await
}

/// The first sign-in claims the subscription's seat; the next finds the licence valid and
/// takes nothing more.
async fn claims_once<F, Fut>(db: &Db, subscription: i32, sign_in: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<Claim>>,
{
    let first = sign_in().await;
    assert!(
        matches!(first, Some(Claim::Claimed(s)) if s.is_valid()),
        "{first:?}"
    );
    assert_eq!(assigned(db, subscription).await, 1);
    let again = sign_in().await;
    assert!(matches!(again, Some(Claim::AlreadyValid(_))), "{again:?}");
    assert_eq!(assigned(db, subscription).await, 1);
}

db_test!(
    should_claim_a_free_licence_when_signing_in_from_a_browser,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db).await;
        let year = one_seat_from_yesterday(&db, demo.root).await;
        let resolved = sites::resolve(&db, demo.root).await.unwrap();
        let mut form = user_form("eerste");
        form.password = "Sign-in-2026!".into();
        let new_user = form.validate().await.unwrap();
        let txn = db.write().await.unwrap();
        users::insert_unchecked(&*txn, resolved.site.id, new_user)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let sign_in = || async {
            domain::auth::sign_in_from(
                &db,
                "eerste",
                "Sign-in-2026!",
                &domain::auth::Client::default(),
            )
            .await
            .unwrap()
            .claim
        };
        claims_once(&db, year, sign_in).await;
    }
);

db_test!(
    should_claim_a_free_licence_when_signing_in_with_a_linked_account,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db).await;
        let year = one_seat_from_yesterday(&db, demo.root).await;
        let (_, me) = member(&db, demo.root, "eerste").await;
        let identity = domain::sso::Identity {
            provider: "google".into(),
            issuer: "http://127.0.0.1:55601".into(),
            subject: "eerste-google".into(),
            email: None,
            tenant: None,
            claims: Default::default(),
        };
        domain::sso::link(&db, &me, identity.clone()).await.unwrap();
        let sign_in = || async {
            domain::sso::sign_in(&db, &identity, None)
                .await
                .unwrap()
                .claim
        };
        claims_once(&db, year, sign_in).await;
    }
);
