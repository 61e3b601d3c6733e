//! Signing in with a second factor through the real router: the password alone leaves the
//! session waiting (no signed-in user, the page for the code next), a wrong code is refused, the
//! right one signs in with a new session id, and a recovery code works once.
use chrono::{TimeDelta, Utc};
use http::StatusCode;
use uuid::Uuid;

use crate::support::http::{call, post_form as post, router};

fn code_at(secret: &str, at: chrono::DateTime<Utc>) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret.as_ref().to_vec())
        .build()
        .unwrap()
        .generate(u64::try_from(at.timestamp()).unwrap())
        .to_string()
}

/// A fresh SQLite file with the demo, its router, and the demo administrator.
async fn demo() -> (
    std::path::PathBuf,
    domain::Db,
    axum::Router,
    domain::Principal,
) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let dir = std::env::temp_dir().join(format!("licentia-factor-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = domain::Db::connect_and_migrate(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    domain::demo::seed(&db).await.unwrap();
    let app = router(&db);
    let id = domain::entities::user::Entity::find()
        .filter(domain::entities::user::Column::Username.eq(domain::demo::ADMIN_USERNAME))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin = domain::Principal::load(&db, id).await.unwrap();
    (dir, db, app, admin)
}

#[tokio::test]
async fn should_wait_for_the_second_factor_after_the_password() {
    let (dir, db, app, admin) = demo().await;
    // The demo administrator enrols an app (confirmed with the code of half a minute ago).
    let now = Utc::now();
    let started = domain::factors::enrol_totp(&db, &admin, "Phone", now)
        .await
        .unwrap();
    let recovery = domain::factors::confirm_totp(
        &db,
        &admin,
        started.factor,
        &code_at(&started.secret, now - TimeDelta::seconds(30)),
        now - TimeDelta::seconds(30),
    )
    .await
    .unwrap()
    .unwrap();

    let sign_in = |password: &'static str| {
        let app = app.clone();
        async move {
            post(
                &app,
                "",
                "login",
                format!(
                    "username={}&password={password}&next=/admin",
                    domain::demo::ADMIN_USERNAME
                ),
            )
            .await
        }
    };
    let (status, cookie, target) = sign_in(domain::demo::ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(target.contains("/login/second-factor?next="), "{target}");
    let waiting = cookie.unwrap();
    // Waiting is not signed in.
    let (_, me) = call(&app, &waiting, "current_user", String::new()).await;
    assert_eq!(String::from_utf8_lossy(&me), "null");
    // A wrong code: refused, still waiting.
    let (status, _, body) = post(
        &app,
        &waiting,
        "login_second_factor",
        "code=000000&next=/admin".into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("second_factor_code"), "{body}");
    // The right code: signed in, with a new session id.
    let (status, signed_in, target) = post(
        &app,
        &waiting,
        "login_second_factor",
        format!("code={}&next=/admin", code_at(&started.secret, Utc::now())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{target}");
    assert!(target.contains("/admin"));
    let signed_in = signed_in.expect("a new session id");
    assert_ne!(signed_in, waiting);
    let (_, me) = call(&app, &signed_in, "current_user", String::new()).await;
    assert!(String::from_utf8_lossy(&me).contains(domain::demo::ADMIN_USERNAME));
    // Without a sign-in waiting, a code leads nowhere.
    let (status, _, _) = post(
        &app,
        "",
        "login_second_factor",
        format!("code={}&next=/admin", recovery[0]),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A recovery code signs in once.
    let (_, cookie, _) = sign_in(domain::demo::ADMIN_PASSWORD).await;
    let waiting = cookie.unwrap();
    let body = format!("code={}&recovery=true&next=/admin", recovery[0]);
    let (status, _, _) = post(&app, &waiting, "login_second_factor", body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, cookie, _) = sign_in(domain::demo::ADMIN_PASSWORD).await;
    let (status, _, body) = post(&app, &cookie.unwrap(), "login_second_factor", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("recovery_code_invalid"));
    // A wrong password never gets as far.
    let (status, _, _) = sign_in("wrong-password").await;
    assert_ne!(status, StatusCode::OK);
    std::fs::remove_dir_all(dir).ok();
}

/// The organisation requires administrators to have a second factor, with no grace: the
/// demo administrator's password leads to the set-up page, the session waits (no signed-in
/// user, nothing but the set-up answers), "later" is refused, and once an app is set up
/// through the waiting session the sign-in goes on.
#[tokio::test]
async fn should_make_an_administrator_set_up_a_factor_before_going_on() {
    let (dir, db, app, admin) = demo().await;
    let root = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        domain::entities::site::Entity::find()
            .filter(domain::entities::site::Column::Name.eq(domain::demo::ORGANISATION))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .public_id
    };
    domain::factors::set_policy(
        &db,
        &admin,
        root,
        domain::factors::Policy {
            who: wire::SecondFactorPolicy::Administrators,
            grace_days: 0,
            tenants: Vec::new(),
        },
    )
    .await
    .unwrap();

    let body = format!(
        "username={}&password={}&next=/admin",
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD
    );
    let (status, cookie, target) = post(&app, "", "login", body).await;
    assert_eq!(status, StatusCode::OK, "{target}");
    assert!(
        target.contains("/login/second-factor/setup?next="),
        "{target}"
    );
    let waiting = cookie.unwrap();
    let (_, me) = call(&app, &waiting, "current_user", String::new()).await;
    assert_eq!(String::from_utf8_lossy(&me), "null");
    // Nothing of the administrator's work answers the waiting session.
    let (status, _, _) = post(&app, &waiting, "site_tree", String::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // No grace: "later" is refused.
    let (status, _, due) = post(&app, &waiting, "enrolment_due", String::new()).await;
    assert_eq!((status, due.as_str()), (StatusCode::OK, "null"));
    let (status, _, body) = post(&app, &waiting, "finish_enrolment", "next=/admin".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("enrolment_not_due"), "{body}");
    // The set-up answers the waiting session.
    let (status, _, started) =
        post(&app, &waiting, "enrol_authenticator", "name=Phone".into()).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let started: serde_json::Value = serde_json::from_str(&started).unwrap();
    let secret = started["secret"].as_str().unwrap().replace(' ', "");
    let factor = started["factor"].as_str().unwrap();
    let (status, _, codes) = post(
        &app,
        &waiting,
        "confirm_authenticator",
        format!("factor={factor}&code={}", code_at(&secret, Utc::now())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{codes}");
    assert!(codes.contains('-'), "recovery codes shown once: {codes}");
    let (status, signed_in, target) =
        post(&app, &waiting, "finish_enrolment", "next=/admin".into()).await;
    assert_eq!((status, target.as_str()), (StatusCode::OK, "\"/admin\""));
    let signed_in = signed_in.expect("a new session id");
    assert_ne!(signed_in, waiting);
    let (_, me) = call(&app, &signed_in, "current_user", String::new()).await;
    assert!(String::from_utf8_lossy(&me).contains(domain::demo::ADMIN_USERNAME));
    // Without a sign-in waiting, nothing to finish.
    let (status, _, _) = post(&app, "", "finish_enrolment", "next=/admin".into()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    std::fs::remove_dir_all(dir).ok();
}
