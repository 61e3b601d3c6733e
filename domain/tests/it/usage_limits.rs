//! The limits a vendor sells on besides seats: devices per user, sessions per user, sessions
//! per subscription (floating seats, which hold under 100 concurrent opens), the subscription's
//! own limits over its bundle's, and sessions that stop their heartbeats freeing their place.
use chrono::{Duration, Utc};
use domain::applications::{self, Limits, IDLE_LIMIT};
use domain::entities::{app_session, licence, subscription};
use domain::licence_files::{self, Request};
use domain::{api_tokens, sites, Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::applications::world;
use crate::db_test;
use crate::helpers::*;

fn today() -> chrono::NaiveDate {
    wire::time::today()
}

async fn reading_bundle(db: &Db, operator: &Principal) -> Uuid {
    let (_, bundles) = domain::products::catalogue(db, operator).await.unwrap();
    bundles
        .iter()
        .find(|b| b.name == "Reading")
        .unwrap()
        .public_id
}

db_test!(
    should_hold_the_devices_a_licence_allows,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let bundle = reading_bundle(&db, &w.operator).await;
        let two = Limits {
            devices: Some(2),
            ..Default::default()
        };
        assert_eq!(
            applications::set_bundle_limits(&db, &w.admin, bundle, two).await,
            Err(Error::Forbidden)
        );
        applications::set_bundle_limits(&db, &w.operator, bundle, two)
            .await
            .unwrap();
        let register = |fingerprint: &'static str| {
            let db = db.clone();
            let me = me.clone();
            let pupil = *pupil;
            async move {
                applications::register_device(&db, &me, pupil, "reader", fingerprint, None, today())
                    .await
            }
        };
        let a = register("laptop-a").await.unwrap();
        register("tablet-b").await.unwrap();
        // A known device is seen again; a third is refused, also when a session or a licence
        // file names it.
        assert_eq!(register("laptop-a").await.unwrap().public_id, a.public_id);
        assert_eq!(
            register("phone-c").await.map(|_| ()),
            Err(Error::Refused(Code::DeviceLimitReached))
        );
        assert_eq!(
            applications::open(&db, me, *pupil, "reader", Some("phone-c"), today())
                .await
                .map(|_| ()),
            Err(Error::Refused(Code::DeviceLimitReached))
        );
        let bound = Request {
            product: Some("reader".into()),
            device: Some("phone-c".into()),
            ..Default::default()
        };
        assert_eq!(
            licence_files::issue(&db, me, *pupil, &bound, Utc::now())
                .await
                .map(|_| ()),
            Err(Error::Refused(Code::DeviceLimitReached))
        );
        // An administrator removes one (journaled): its place is free.
        let tablet = applications::devices_of(&db, &w.admin, *pupil)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.fingerprint == "tablet-b")
            .unwrap();
        let stranger = admin_of(
            &db,
            sites_of(&db, &w.admin, "De Regenboog").await,
            "rb.admin",
        )
        .await;
        assert_eq!(
            applications::remove_device(&db, &stranger, tablet.public_id).await,
            Err(Error::NotFound)
        );
        applications::remove_device(&db, &w.admin, tablet.public_id)
            .await
            .unwrap();
        let journal = domain::audit::list(&db, &w.admin, Default::default())
            .await
            .unwrap();
        assert!(journal.entries.iter().any(|e| e.action == "device.remove"));
        assert!(licence_files::issue(&db, me, *pupil, &bound, Utc::now())
            .await
            .is_ok());
        // The subscription's own limit overrides its bundle's.
        applications::set_subscription_limits(
            &db,
            &w.operator,
            "40000001",
            Limits {
                devices: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        register("desktop-d").await.unwrap();
        assert_eq!(
            register("desktop-e").await.map(|_| ()),
            Err(Error::Refused(Code::DeviceLimitReached))
        );
        assert_eq!(
            applications::devices_of(&db, me, *pupil)
                .await
                .unwrap()
                .len(),
            3
        );
        // The application forgets one.
        applications::forget_device(&db, me, a.public_id)
            .await
            .unwrap();
        register("desktop-e").await.unwrap();
        assert_eq!(
            applications::set_subscription_limits(
                &db,
                &w.operator,
                "40000001",
                Limits {
                    devices: Some(0),
                    ..Default::default()
                },
            )
            .await,
            Err(Error::invalid("max_devices", Code::LimitInvalid))
        );
    }
);

async fn sites_of(db: &Db, admin: &Principal, name: &str) -> Uuid {
    sites::tree(db, admin)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.name == name)
        .unwrap()
        .id
}

db_test!(
    should_hold_the_sessions_a_user_may_have_open,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let bundle = reading_bundle(&db, &w.operator).await;
        applications::set_bundle_limits(
            &db,
            &w.operator,
            bundle,
            Limits {
                user_sessions: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let open = || applications::open(&db, me, *pupil, "reader", None, today());
        let first = open().await.unwrap();
        open().await.unwrap();
        assert_eq!(
            open().await.map(|_| ()),
            Err(Error::Refused(Code::UserSessionLimitReached))
        );
        applications::close(&db, me, first.public_id).await.unwrap();
        open().await.unwrap();
    }
);

/// `n` users of an organisation of their own, each with a licence of a subscription with
/// `places` floating places, and an application connected on the organisation.
async fn floating(db: &Db, n: usize, places: i32) -> (Principal, Vec<Uuid>) {
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    domain::products::insert_product(db, "reader", "Reader")
        .await
        .unwrap();
    let size = i32::try_from(n).unwrap();
    let root = sites::insert_root(db, "Floating", size + 10).await.unwrap();
    let made = subscription::ActiveModel {
        serial: Set("40000077".into()),
        seats: Set(size),
        valid_from: Set(today() - Duration::days(1)),
        valid_until: Set(today() + Duration::days(100)),
        locale: Set("nl".into()),
        site_id: Set(Some(root.id)),
        created_at: Set(Utc::now()),
        assigned: Set(size),
        bundle_id: Set(None),
        max_sessions: Set(Some(places)),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let mut users = Vec::new();
    let txn = db.write().await.unwrap();
    for i in 0..n {
        let form = user_form(&format!("floating.{i:03}"))
            .validate()
            .await
            .unwrap();
        let user = domain::users::insert_unchecked(&*txn, root.id, form)
            .await
            .unwrap();
        licence::ActiveModel {
            subscription_id: Set(made.id),
            user_id: Set(user.id),
            assigned_at: Set(Utc::now()),
            group_id: Set(None),
            ..Default::default()
        }
        .insert(&*txn)
        .await
        .unwrap();
        users.push(user.public_id);
    }
    txn.commit().await.unwrap();
    let admin = admin_of(db, root.public_id, "floating.admin").await;
    let app = api_tokens::create_service_account(db, &admin, root.public_id, "Reader", true)
        .await
        .unwrap();
    (Principal::load(db, app.id).await.unwrap(), users)
}

db_test!(
    should_give_exactly_the_floating_places_under_concurrent_opens,
    |db: Db| async move {
        let (app, users) = floating(&db, 100, 10).await;
        let opens = users.iter().map(|user| {
            let (db, app, user) = (db.clone(), app.clone(), *user);
            tokio::spawn(async move {
                applications::open(&db, &app, user, "reader", None, today()).await
            })
        });
        let results: Vec<_> = futures::future::join_all(opens)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let opened = results.iter().filter(|r| r.is_ok()).count();
        let refused = results
            .iter()
            .filter(|r| **r == Err(Error::Refused(Code::SubscriptionSessionLimitReached)))
            .count();
        assert_eq!((opened, refused), (10, 90), "{results:?}");
        let stored = app_session::Entity::find().count(db.conn()).await.unwrap();
        assert_eq!(stored, 10);
    }
);

db_test!(
    should_free_the_place_of_a_session_that_stops_its_heartbeats,
    |db: Db| async move {
        let (app, users) = floating(&db, 2, 1).await;
        let first = applications::open(&db, &app, users[0], "reader", None, today())
            .await
            .unwrap();
        assert_eq!(
            applications::open(&db, &app, users[1], "reader", None, today())
                .await
                .map(|_| ()),
            Err(Error::Refused(Code::SubscriptionSessionLimitReached))
        );
        // A heartbeat keeps it; silence past the idle limit frees the place.
        applications::heartbeat(&db, &app, first.public_id)
            .await
            .unwrap();
        app_session::Entity::update_many()
            .col_expr(
                app_session::Column::LastSeenAt,
                Expr::value(Utc::now() - IDLE_LIMIT - Duration::seconds(1)),
            )
            .filter(app_session::Column::PublicId.eq(first.public_id))
            .exec(db.conn())
            .await
            .unwrap();
        let second = applications::open(&db, &app, users[1], "reader", None, today())
            .await
            .unwrap();
        assert_eq!(
            applications::heartbeat(&db, &app, first.public_id)
                .await
                .map(|_| ()),
            Err(Error::NotFound)
        );
        // The worker's cull ends the silent ones, and only those.
        app_session::Entity::update_many()
            .col_expr(
                app_session::Column::LastSeenAt,
                Expr::value(Utc::now() - IDLE_LIMIT - Duration::seconds(1)),
            )
            .filter(app_session::Column::PublicId.eq(second.public_id))
            .exec(db.conn())
            .await
            .unwrap();
        assert_eq!(applications::cull(&db, Utc::now()).await.unwrap(), 1);
        assert_eq!(applications::cull(&db, Utc::now()).await.unwrap(), 0);
        applications::open(&db, &app, users[0], "reader", None, today())
            .await
            .unwrap();
    }
);
