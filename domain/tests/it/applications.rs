//! What licensed applications ask and keep: the licence check for a product, application
//! sessions (open, heartbeat, close, time-out, ended by an administrator) and settings.
use chrono::{Duration, NaiveDate, Utc};
use domain::applications::{self, IDLE_LIMIT};
use domain::entities::{app_session, app_setting, subscription, user};
use domain::licences::{self, Status};
use domain::{products, sites, Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

fn today() -> NaiveDate {
    wire::time::today()
}

pub(crate) struct World {
    pub operator: Principal,
    pub admin: Principal,
    pub klimop: Uuid,
    /// A user of De Klimop with a licence for the reading bundle, as themselves.
    pub pupil: (Uuid, Principal),
}

async fn operator(db: &Db) -> Principal {
    operator_named(db, "operator").await
}

pub(crate) async fn world(db: &Db) -> World {
    let demo = demo(db).await;
    let operator = operator(db).await;
    products::create_product(db, &operator, "reader", "Reader")
        .await
        .unwrap();
    products::create_product(db, &operator, "speech", "Speech")
        .await
        .unwrap();
    let bundle = products::create_bundle(db, &operator, "Reading", &["reader".into()])
        .await
        .unwrap();
    let bundle_id = domain::entities::bundle::Entity::find()
        .filter(domain::entities::bundle::Column::PublicId.eq(bundle.public_id))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let root = sites::resolve(db, demo.root).await.unwrap().site.id;
    subscription::ActiveModel {
        serial: Set("40000001".into()),
        seats: Set(5),
        valid_from: Set(today() - Duration::days(30)),
        valid_until: Set(today() + Duration::days(300)),
        locale: Set("nl".into()),
        site_id: Set(Some(root)),
        created_at: Set(Utc::now()),
        assigned: Set(0),
        bundle_id: Set(Some(bundle_id)),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let resolved = sites::resolve(db, demo.klimop).await.unwrap();
    let new_user = user_form("pupil.one").validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let pupil = domain::users::insert_unchecked(&*txn, resolved.site.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let me = Principal::load(db, pupil.id).await.unwrap();
    licences::claim(db, &me, today()).await.unwrap();
    World {
        operator,
        admin: demo.admin,
        klimop: demo.klimop,
        pupil: (pupil.public_id, me),
    }
}

db_test!(should_check_a_licence_per_product, |db: Db| async move {
    let w = world(&db).await;
    let (pupil, me) = &w.pupil;
    let check = licences::check(&db, me, *pupil, Some("reader"), today())
        .await
        .unwrap();
    assert!(check.valid);
    assert!(matches!(check.status, Status::ActiveSince(_)));
    assert_eq!(check.until, Some(today() + Duration::days(300)));
    assert_eq!(check.products, vec!["reader".to_string()]);
    // Not in the bundle: not valid for it, though the licence is.
    let speech = licences::check(&db, me, *pupil, Some("speech"), today())
        .await
        .unwrap();
    assert!(!speech.valid);
    assert!(speech.status.is_valid());
    assert_eq!(
        licences::check(&db, me, *pupil, Some("nonsense"), today())
            .await
            .unwrap_err(),
        Error::Unknown {
            field: "product",
            code: Code::ProductUnknown
        }
    );
    // Past the subscription: expired.
    let later = today() + Duration::days(301);
    let expired = licences::check(&db, me, *pupil, Some("reader"), later)
        .await
        .unwrap();
    assert!(!expired.valid);
    assert!(matches!(expired.status, Status::ExpiredSince(_)));
    // Administrators may check it; another user may not.
    assert!(
        licences::check(&db, &w.admin, *pupil, None, today())
            .await
            .unwrap()
            .valid
    );
    let other = admin_of(&db, w.klimop, "klimop.admin").await;
    assert!(licences::check(&db, &other, *pupil, None, today())
        .await
        .is_ok());
    let _ = &w.operator;
});

db_test!(
    should_open_beat_and_close_application_sessions,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        assert_eq!(
            applications::open(&db, me, *pupil, "speech", None, today())
                .await
                .unwrap_err(),
            Error::Refused(Code::NoValidLicence)
        );
        let first = applications::open(&db, me, *pupil, "reader", None, today())
            .await
            .unwrap();
        let second = applications::open(&db, me, *pupil, "reader", None, today())
            .await
            .unwrap();
        assert_eq!(
            applications::sessions_of(&db, &w.admin, *pupil)
                .await
                .unwrap()
                .len(),
            2
        );
        let beat = applications::heartbeat(&db, me, first.public_id)
            .await
            .unwrap();
        assert!(beat.last_seen_at >= first.last_seen_at);
        applications::close(&db, me, first.public_id).await.unwrap();
        assert_eq!(
            applications::heartbeat(&db, me, first.public_id)
                .await
                .unwrap_err(),
            Error::NotFound
        );
        // A session without heartbeat for the idle limit has ended by itself.
        app_session::Entity::update_many()
            .col_expr(
                app_session::Column::LastSeenAt,
                Expr::value(Utc::now() - IDLE_LIMIT - Duration::seconds(1)),
            )
            .filter(app_session::Column::PublicId.eq(second.public_id))
            .exec(db.conn())
            .await
            .unwrap();
        assert!(applications::sessions_of(&db, me, *pupil)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            applications::heartbeat(&db, me, second.public_id)
                .await
                .unwrap_err(),
            Error::NotFound
        );
        // An administrator ends one; the journal says so; the user cannot end others' sessions.
        let third = applications::open(&db, me, *pupil, "reader", None, today())
            .await
            .unwrap();
        let plain = admin_of(&db, w.klimop, "other.admin").await;
        let lotte = user::Entity::find()
            .filter(user::Column::Username.eq("lotte.janssens"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let lotte = Principal::load(&db, lotte.id).await.unwrap();
        assert!(applications::end(&db, &lotte, third.public_id)
            .await
            .is_err());
        applications::end(&db, &plain, third.public_id)
            .await
            .unwrap();
        assert!(applications::sessions_of(&db, me, *pupil)
            .await
            .unwrap()
            .is_empty());
        let journal = domain::audit::list(&db, &w.admin, Default::default())
            .await
            .unwrap();
        assert!(journal
            .entries
            .iter()
            .any(|e| e.action == "app_session.end"));
    }
);

db_test!(
    should_keep_settings_per_user_and_product,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let empty = applications::get_settings(&db, me, *pupil, "reader")
            .await
            .unwrap();
        assert_eq!(empty, serde_json::json!({}));
        let value =
            serde_json::json!({ "speed": 1.25, "voice": "Ellen", "nested": { "a": [1, 2] } });
        applications::put_settings(&db, me, *pupil, "reader", &value)
            .await
            .unwrap();
        let again = serde_json::json!({ "speed": 1.5 });
        applications::put_settings(&db, me, *pupil, "reader", &again)
            .await
            .unwrap();
        assert_eq!(
            applications::get_settings(&db, me, *pupil, "reader")
                .await
                .unwrap(),
            again
        );
        assert_eq!(
            applications::get_settings(&db, me, *pupil, "speech")
                .await
                .unwrap(),
            serde_json::json!({})
        );
        assert_eq!(
            applications::put_settings(&db, me, *pupil, "reader", &serde_json::json!([1]))
                .await
                .unwrap_err(),
            Error::invalid("settings", Code::SettingsNotAnObject)
        );
        let big = serde_json::json!({ "text": "x".repeat(applications::MAX_SETTINGS_BYTES) });
        assert_eq!(
            applications::put_settings(&db, me, *pupil, "reader", &big)
                .await
                .unwrap_err(),
            Error::invalid("settings", Code::SettingsTooLarge)
        );
        assert_eq!(
            applications::put_settings(&db, me, *pupil, "unknown", &again)
                .await
                .unwrap_err(),
            Error::Unknown {
                field: "product",
                code: Code::ProductUnknown
            }
        );
        // Someone without the right: nothing read, nothing written.
        let lotte = user::Entity::find()
            .filter(user::Column::Username.eq("lotte.janssens"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let lotte = Principal::load(&db, lotte.id).await.unwrap();
        assert!(applications::get_settings(&db, &lotte, *pupil, "reader")
            .await
            .is_err());
        // Deleted with the user, whose licence seat is free again.
        let seats_before: i32 = subscription::Entity::find()
            .filter(subscription::Column::Serial.eq("40000001"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .assigned;
        assert_eq!(seats_before, 1);
        domain::users::delete(&db, &w.admin, *pupil).await.unwrap();
        assert!(app_setting::Entity::find()
            .all(db.conn())
            .await
            .unwrap()
            .is_empty());
        let seats_after: i32 = subscription::Entity::find()
            .filter(subscription::Column::Serial.eq("40000001"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .assigned;
        assert_eq!(seats_after, 0);
    }
);
