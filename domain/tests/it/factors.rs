//! Second factors: an authenticator app enrolled and confirmed with a code the test computes
//! from the secret shown, codes accepted one step either side of now and only once (also when
//! two sign-ins race with the same code), recovery codes shown once and single use, removal
//! journaled, and the throttle after repeated wrong codes.
use chrono::{DateTime, TimeDelta, Utc};
use domain::entities::audit_event;
use domain::{factors, Code, Db, Error, Principal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret.as_ref().to_vec())
        .build()
        .unwrap()
        .generate(u64::try_from(at.timestamp()).unwrap())
        .to_string()
}

fn refused(outcome: domain::Result<()>) -> Code {
    match outcome {
        Err(Error::Refused(code)) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A user of De Klimop with a confirmed app; its secret and the recovery codes.
async fn enrolled(
    db: &Db,
    site: uuid::Uuid,
    username: &str,
    now: DateTime<Utc>,
) -> (Principal, String, Vec<String>) {
    let user = admin_of(db, site, username).await;
    let started = factors::enrol_totp(db, &user, "Phone", now).await.unwrap();
    assert!(started.uri.starts_with("otpauth://totp/Licentia:"));
    assert!(started.uri.contains(&format!("secret={}", started.secret)));
    let codes = factors::confirm_totp(
        db,
        &user,
        started.factor,
        &code_at(&started.secret, now),
        now,
    )
    .await
    .unwrap()
    .expect("recovery codes with the first factor");
    (user, started.secret, codes)
}

db_test!(
    should_enrol_an_app_and_accept_each_code_once,
    |db: Db| async move {
        let now = Utc::now();
        let w = demo(&db).await;
        let (user, secret, codes) = enrolled(&db, w.klimop, "two.factors", now).await;
        assert_eq!(codes.len(), 10);
        let id = user.user_id().unwrap();
        let listed = factors::factors(&db, &user).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "Phone");
        // The code that confirmed the app is used: refused as such, even within its window.
        assert_eq!(
            refused(factors::verify_totp(&db, id, &code_at(&secret, now), now).await),
            Code::SecondFactorCodeUsed
        );
        // The next step's code, read 30 s early (clock skew), passes once.
        let next = now + TimeDelta::seconds(30);
        factors::verify_totp(&db, id, &code_at(&secret, next), now)
            .await
            .unwrap();
        assert_eq!(
            refused(factors::verify_totp(&db, id, &code_at(&secret, next), now).await),
            Code::SecondFactorCodeUsed
        );
        // One step late is still fine; two steps away is not.
        let later = now + TimeDelta::seconds(90);
        factors::verify_totp(
            &db,
            id,
            &code_at(&secret, now + TimeDelta::seconds(60)),
            later,
        )
        .await
        .unwrap();
        assert_eq!(
            refused(
                factors::verify_totp(
                    &db,
                    id,
                    &code_at(&secret, later + TimeDelta::seconds(60)),
                    later
                )
                .await
            ),
            Code::SecondFactorCodeInvalid
        );
        assert_eq!(
            refused(factors::verify_totp(&db, id, "000000x", later).await),
            Code::SecondFactorCodeInvalid
        );
        // Two sign-ins racing with one fresh code: exactly one passes.
        let fresh_at = now + TimeDelta::seconds(300);
        let fresh = code_at(&secret, fresh_at);
        let racing: Vec<_> = (0..8)
            .map(|_| {
                let (db, fresh) = (db.clone(), fresh.clone());
                tokio::spawn(async move { factors::verify_totp(&db, id, &fresh, fresh_at).await })
            })
            .collect();
        let mut passed = 0;
        for one in racing {
            if one.await.unwrap().is_ok() {
                passed += 1;
            }
        }
        assert_eq!(passed, 1);
    }
);

db_test!(should_take_each_recovery_code_once, |db: Db| async move {
    let now = Utc::now();
    let w = demo(&db).await;
    let (user, _, codes) = enrolled(&db, w.klimop, "recovering.user", now).await;
    let id = user.user_id().unwrap();
    // As typed by a person: upper case, a space for the dash.
    let typed = codes[0].to_uppercase().replace('-', " ");
    factors::use_recovery_code(&db, id, &typed, now)
        .await
        .unwrap();
    assert_eq!(
        refused(factors::use_recovery_code(&db, id, &codes[0], now).await),
        Code::RecoveryCodeInvalid
    );
    assert_eq!(factors::recovery_codes_left(&db, &user).await.unwrap(), 9);
    // A new set replaces the old one.
    let renewed = factors::regenerate_recovery_codes(&db, &user, now)
        .await
        .unwrap();
    assert_eq!(
        refused(factors::use_recovery_code(&db, id, &codes[1], now).await),
        Code::RecoveryCodeInvalid
    );
    factors::use_recovery_code(&db, id, &renewed[1], now)
        .await
        .unwrap();
    // Another user's code is nobody else's.
    let (other, _, _) = enrolled(&db, w.klimop, "other.user", now).await;
    assert_eq!(
        refused(factors::use_recovery_code(&db, other.user_id().unwrap(), &renewed[2], now).await),
        Code::RecoveryCodeInvalid
    );
});

db_test!(
    should_journal_and_remove_factors_of_ones_own,
    |db: Db| async move {
        let now = Utc::now();
        let w = demo(&db).await;
        let (user, _, _) = enrolled(&db, w.klimop, "journaled.user", now).await;
        let (other, _, _) = enrolled(&db, w.klimop, "other.owner", now).await;
        let mine = factors::factors(&db, &user).await.unwrap()[0].id;
        // Not someone else's.
        assert!(matches!(
            factors::remove(&db, &other, mine).await,
            Err(Error::NotFound)
        ));
        factors::remove(&db, &user, mine).await.unwrap();
        assert!(factors::factors(&db, &user).await.unwrap().is_empty());
        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::TargetLabel.contains("journaled.user"))
            .all(db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"second_factor.add".to_string()));
        assert!(actions.contains(&"second_factor.remove".to_string()));
        // An enrolment left unconfirmed is not a factor, and a new one replaces it.
        let first = factors::enrol_totp(&db, &user, "Tablet", now)
            .await
            .unwrap();
        let second = factors::enrol_totp(&db, &user, "Tablet", now)
            .await
            .unwrap();
        assert!(factors::factors(&db, &user).await.unwrap().is_empty());
        assert!(matches!(
            factors::confirm_totp(&db, &user, first.factor, &code_at(&first.secret, now), now)
                .await,
            Err(Error::NotFound)
        ));
        // Confirmed with recovery codes left: none shown again.
        let again = factors::confirm_totp(
            &db,
            &user,
            second.factor,
            &code_at(&second.secret, now),
            now,
        )
        .await
        .unwrap();
        assert!(again.is_none());
        assert!(matches!(
            factors::enrol_totp(&db, &user, "  ", now).await,
            Err(Error::Validation { .. })
        ));
    }
);

db_test!(should_throttle_guessing_codes, |db: Db| async move {
    let now = Utc::now();
    let w = demo(&db).await;
    let (user, secret, _) = enrolled(&db, w.klimop, "guessed.user", now).await;
    let id = user.user_id().unwrap();
    let mut throttled = false;
    for guess in 0..30 {
        match factors::verify_totp(&db, id, &format!("{guess:06}"), now).await {
            Err(Error::Refused(Code::SecondFactorCodeInvalid | Code::SecondFactorCodeUsed)) => {}
            Err(_) => {
                throttled = true;
                break;
            }
            Ok(()) => {}
        }
    }
    assert!(throttled, "guessing is slowed down");
    // Even the right code waits now.
    assert!(factors::verify_totp(
        &db,
        id,
        &code_at(&secret, now + TimeDelta::seconds(30)),
        now
    )
    .await
    .is_err());
});

/// A user without any role in `site` (a pupil).
async fn pupil(db: &Db, site: uuid::Uuid, username: &str) -> i32 {
    let resolved = domain::sites::resolve(db, site).await.unwrap();
    let form = user_form(username).validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let created = domain::users::insert_unchecked(&*txn, resolved.site.id, form)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.id
}

fn policy(who: wire::SecondFactorPolicy, grace_days: i32) -> factors::Policy {
    factors::Policy {
        who,
        grace_days,
        tenants: Vec::new(),
    }
}

db_test!(
    should_ask_administrators_and_not_pupils_when_the_policy_says_so,
    |db: Db| async move {
        // Whole seconds: the databases keep the time asked to the microsecond at best.
        let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
        let w = demo(&db).await;
        let teacher = admin_of(&db, w.klimop, "klimop.head").await;
        let teacher_id = teacher.user_id().unwrap();
        let pupil_id = pupil(&db, w.klimop, "klimop.pupil").await;
        // Optional (the default): nobody is asked.
        for id in [teacher_id, pupil_id] {
            assert_eq!(
                factors::step_at_sign_in(&db, id, now).await.unwrap(),
                factors::Step::Done
            );
        }
        factors::set_policy(
            &db,
            &w.admin,
            w.klimop,
            policy(wire::SecondFactorPolicy::Administrators, 7),
        )
        .await
        .unwrap();
        // The organisation's policy, set from a subsite, sits on the root.
        assert_eq!(
            factors::policy_of(&db, &w.admin, w.root).await.unwrap(),
            policy(wire::SecondFactorPolicy::Administrators, 7)
        );
        let until = now + TimeDelta::days(7);
        assert_eq!(
            factors::step_at_sign_in(&db, teacher_id, now)
                .await
                .unwrap(),
            factors::Step::Enrol { until: Some(until) }
        );
        assert_eq!(
            factors::step_at_sign_in(&db, pupil_id, now).await.unwrap(),
            factors::Step::Done
        );
        // The grace period runs from the first time asked, not from each sign-in.
        let later = now + TimeDelta::days(3);
        assert_eq!(
            factors::step_at_sign_in(&db, teacher_id, later)
                .await
                .unwrap(),
            factors::Step::Enrol { until: Some(until) }
        );
        factors::may_go_on(&db, teacher_id, later).await.unwrap();
        // After it, the sign-in waits until a factor is set up.
        let after = now + TimeDelta::days(8);
        assert_eq!(
            factors::step_at_sign_in(&db, teacher_id, after)
                .await
                .unwrap(),
            factors::Step::Enrol { until: None }
        );
        assert_eq!(
            refused(factors::may_go_on(&db, teacher_id, after).await),
            Code::EnrolmentNotDue
        );
        let started = factors::enrol_totp(&db, &teacher, "Phone", after)
            .await
            .unwrap();
        factors::confirm_totp(
            &db,
            &teacher,
            started.factor,
            &code_at(&started.secret, after),
            after,
        )
        .await
        .unwrap();
        factors::may_go_on(&db, teacher_id, after).await.unwrap();
        assert_eq!(
            factors::step_at_sign_in(&db, teacher_id, after)
                .await
                .unwrap(),
            factors::Step::Prove
        );
        // Their only factor cannot be removed while the policy requires one.
        let only = factors::factors(&db, &teacher).await.unwrap()[0].id;
        let outcome = factors::remove(&db, &teacher, only).await;
        assert!(
            matches!(outcome, Err(Error::Refused(Code::SecondFactorRequired))),
            "{outcome:?}"
        );
        // Everyone: the pupil too, with no grace at all.
        factors::set_policy(
            &db,
            &w.admin,
            w.root,
            policy(wire::SecondFactorPolicy::Everyone, 0),
        )
        .await
        .unwrap();
        assert_eq!(
            factors::step_at_sign_in(&db, pupil_id, now).await.unwrap(),
            factors::Step::Enrol { until: None }
        );
        // Back to optional: the factor may go.
        factors::set_policy(
            &db,
            &w.admin,
            w.root,
            policy(wire::SecondFactorPolicy::Optional, 0),
        )
        .await
        .unwrap();
        factors::remove(&db, &teacher, only).await.unwrap();
        let changes = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("site.update"))
            .all(db.conn())
            .await
            .unwrap();
        assert_eq!(changes.len(), 3, "each policy change is journaled");
    }
);

db_test!(
    should_always_ask_operators_for_a_second_factor,
    |db: Db| async move {
        let now = Utc::now();
        demo(&db).await;
        domain::operators::create(
            &db,
            domain::users::NewUserForm {
                password: "Operator-2026".into(),
                ..user_form("olga")
            },
        )
        .await
        .unwrap();
        let operator = domain::entities::user::Entity::find()
            .filter(domain::entities::user::Column::Username.eq("olga"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            factors::step_at_sign_in(&db, operator.id, now)
                .await
                .unwrap(),
            factors::Step::Enrol { until: Some(_) }
        ));
    }
);

db_test!(
    should_leave_the_policy_to_the_organisations_administrators,
    |db: Db| async move {
        let w = demo(&db).await;
        let sub = admin_of(&db, w.klimop, "klimop.head").await;
        // A subsite administrator neither reads nor loosens the organisation's policy (its
        // root is not theirs to see).
        for outcome in [
            factors::policy_of(&db, &sub, w.klimop).await.map(|_| ()),
            factors::set_policy(
                &db,
                &sub,
                w.klimop,
                policy(wire::SecondFactorPolicy::Optional, 90),
            )
            .await
            .map(|_| ()),
        ] {
            assert!(matches!(outcome, Err(Error::NotFound)), "{outcome:?}");
        }
        let outcome = factors::set_policy(
            &db,
            &w.admin,
            w.root,
            policy(wire::SecondFactorPolicy::Administrators, 91),
        )
        .await;
        assert!(
            matches!(outcome, Err(Error::Validation { .. })),
            "{outcome:?}"
        );
        assert_eq!(
            factors::policy_of(&db, &w.admin, w.root).await.unwrap(),
            policy(
                wire::SecondFactorPolicy::Optional,
                factors::DEFAULT_GRACE_DAYS
            )
        );
    }
);

db_test!(
    should_ask_an_application_for_the_code_as_the_sign_in_page_does,
    |db: Db| async move {
        let now = Utc::now();
        let w = demo(&db).await;
        let form = domain::users::NewUserForm {
            password: "App-Sign-In-2026".into(),
            ..user_form("app.user")
        };
        let created = domain::users::create(&db, &w.admin, w.klimop, form)
            .await
            .unwrap();
        let today = wire::time::today();
        let app = |code: Option<&'static str>| {
            let db = db.clone();
            let caller = w.admin.clone();
            async move {
                domain::applications::authenticate_user(
                    &db,
                    &caller,
                    "app.user",
                    "App-Sign-In-2026",
                    code,
                    None,
                    today,
                )
                .await
                .map(|_| ())
            }
        };
        // No factor: the password is enough.
        app(None).await.unwrap();
        // With an app, the password alone is refused, a wrong code too, the app's code passes
        // once, and a recovery code works as well.
        let user = Principal::load(&db, created.id).await.unwrap();
        let then = now - TimeDelta::seconds(60);
        let started = factors::enrol_totp(&db, &user, "Phone", then)
            .await
            .unwrap();
        let codes = factors::confirm_totp(
            &db,
            &user,
            started.factor,
            &code_at(&started.secret, then),
            then,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(refused(app(None).await), Code::ApplicationCodeRequired);
        assert_eq!(
            refused(app(Some("000000")).await),
            Code::SecondFactorCodeInvalid
        );
        let current: &'static str =
            Box::leak(code_at(&started.secret, Utc::now()).into_boxed_str());
        app(Some(current)).await.unwrap();
        assert_eq!(
            refused(app(Some(current)).await),
            Code::SecondFactorCodeUsed
        );
        let recovery: &'static str = Box::leak(codes[0].clone().into_boxed_str());
        app(Some(recovery)).await.unwrap();
        assert_eq!(
            refused(app(Some(recovery)).await),
            Code::RecoveryCodeInvalid
        );
    }
);
