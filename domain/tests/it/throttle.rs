//! The hardened sign-in: attempts taken before the password is checked (parallel guesses
//! count and wait like sequential ones), device cookies that keep known browsers working
//! through a flood from their address, applications apart from the web sign-in, and the
//! per-address limits of look-ups and requests.
use chrono::Utc;
use domain::auth::throttle::{self, Keys, Request};
use domain::auth::{self, Client};
use domain::entities::sign_in_throttle;
use domain::{users, Code, Db, Error};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

const RIGHT: &str = domain::demo::ADMIN_PASSWORD;

async fn failures(db: &Db, key: &str) -> i32 {
    sign_in_throttle::Entity::find_by_id(key.to_string())
        .one(db.conn())
        .await
        .unwrap()
        .map_or(0, |row| row.failures)
}

/// Fires `n` wrong passwords for `username` at once; answers the codes in any order.
async fn parallel_guesses(db: &Db, username: &str, n: usize) -> Vec<Code> {
    let guesses = (0..n).map(|i| {
        let db = db.clone();
        let username = username.to_string();
        tokio::spawn(async move {
            let address = format!("10.1.{}.{}", i / 250, i % 250);
            auth::sign_in(&db, &username, "wrong", Some(&address))
                .await
                .err()
                .map(|e| e.code())
        })
    });
    let mut codes = Vec::new();
    for guess in guesses.collect::<Vec<_>>() {
        codes.push(
            guess
                .await
                .unwrap()
                .expect("a wrong password never signs in"),
        );
    }
    codes
}

fn count(codes: &[Code], code: Code) -> usize {
    codes.iter().filter(|c| **c == code).count()
}

/// Lets every wait end now (as if the time had passed).
async fn end_waits(db: &Db) {
    sign_in_throttle::Entity::update_many()
        .col_expr(
            sign_in_throttle::Column::BlockedUntil,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(db.conn())
        .await
        .unwrap();
}

db_test!(
    should_count_parallel_wrong_guesses_before_checking_them,
    |db: Db| async move {
        demo(&db).await;
        // Below the threshold: N at once count as N.
        let below = (throttle::ACCOUNT_THRESHOLD - 1) as usize;
        let codes = parallel_guesses(&db, "directeur", below).await;
        assert_eq!(count(&codes, Code::InvalidCredentials), below, "{codes:?}");
        assert_eq!(failures(&db, "account:directeur").await, below as i32);

        // Thirty more at once: only the one that reaches the threshold is checked, the
        // others are refused without a check and without counting.
        let codes = parallel_guesses(&db, "directeur", 30).await;
        assert_eq!(count(&codes, Code::InvalidCredentials), 1, "{codes:?}");
        assert_eq!(count(&codes, Code::TooManyAttempts), 29, "{codes:?}");
        assert_eq!(
            failures(&db, "account:directeur").await,
            throttle::ACCOUNT_THRESHOLD
        );
        let waiting = auth::sign_in(&db, "directeur", RIGHT, None).await;
        assert_eq!(waiting.err().map(|e| e.code()), Some(Code::TooManyAttempts));

        // On a fresh account, thirty at once: exactly the threshold get checked.
        let mut form = user_form("tweede");
        form.password = RIGHT.into();
        let demo_admin = demo_admin(&db).await;
        users::create(&db, &demo_admin, root_of(&db).await, form)
            .await
            .unwrap();
        let codes = parallel_guesses(&db, "tweede", 30).await;
        assert_eq!(
            count(&codes, Code::InvalidCredentials),
            throttle::ACCOUNT_THRESHOLD as usize,
            "{codes:?}"
        );
        assert_eq!(
            count(&codes, Code::TooManyAttempts),
            30 - throttle::ACCOUNT_THRESHOLD as usize
        );
        assert_eq!(
            failures(&db, "account:tweede").await,
            throttle::ACCOUNT_THRESHOLD
        );

        // The wait over, the next failure doubles it; a success clears the counter.
        end_waits(&db).await;
        let wrong = auth::sign_in(&db, "tweede", "wrong", None).await;
        assert_eq!(
            wrong.err().map(|e| e.code()),
            Some(Code::InvalidCredentials)
        );
        let Err(Error::RefusedAt(Code::TooManyAttempts, seconds)) =
            auth::sign_in(&db, "tweede", RIGHT, None).await
        else {
            panic!("not waiting after the sixth failure");
        };
        let seconds: i64 = seconds[0].parse().unwrap();
        assert!((6..=10).contains(&seconds), "{seconds}");
        end_waits(&db).await;
        auth::sign_in(&db, "tweede", RIGHT, None).await.unwrap();
        assert_eq!(failures(&db, "account:tweede").await, 0);
    }
);

async fn demo_admin(db: &Db) -> domain::Principal {
    let id = domain::entities::user::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(
            &domain::entities::user::Column::Username,
            domain::demo::ADMIN_USERNAME,
        ))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    domain::Principal::load(db, id).await.unwrap()
}

async fn root_of(db: &Db) -> uuid::Uuid {
    domain::entities::site::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(
            &domain::entities::site::Column::Name,
            domain::demo::ORGANISATION,
        ))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id
}

fn from(address: &str, devices: &[&str]) -> Client {
    Client {
        address: Some(address.to_string()),
        devices: devices.iter().map(|d| d.to_string()).collect(),
    }
}

db_test!(
    should_let_known_browsers_sign_in_through_a_flood_from_their_address,
    |db: Db| async move {
        let demo = demo(&db).await;
        let school = "192.0.2.10";
        let mut form = user_form("juf.an");
        form.password = RIGHT.into();
        users::create(&db, &demo.admin, demo.klimop, form)
            .await
            .unwrap();
        domain::operators::create(
            &db,
            domain::users::NewUserForm {
                username: "olga".into(),
                first_name: "Olga".into(),
                last_name: "Smit".into(),
                password: "Operator-2026".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Both signed in from this address before: their browsers keep a device token.
        let director = auth::sign_in_from(&db, "directeur", RIGHT, &from(school, &[]))
            .await
            .unwrap()
            .device;
        let operator = auth::sign_in_from(&db, "olga", "Operator-2026", &from(school, &[]))
            .await
            .unwrap()
            .device;
        assert_eq!(director.len(), 64);
        assert_ne!(director, operator);

        // 200 wrong sign-ins from the school's address, at many accounts.
        let mut refused = 0;
        for n in 0..200 {
            let wrong =
                auth::sign_in_from(&db, &format!("guess{n}"), "wrong", &from(school, &[])).await;
            match wrong.err().map(|e| e.code()) {
                Some(Code::TooManyAttempts) => refused += 1,
                Some(Code::InvalidCredentials) => {}
                other => panic!("{other:?}"),
            }
        }
        assert!(
            refused >= 200 - throttle::ADDRESS_THRESHOLD as usize,
            "{refused}"
        );

        // Known browsers still sign in (the operator's cookie also holds another token);
        // the token they keep is the one they had.
        let again = auth::sign_in_from(&db, "directeur", RIGHT, &from(school, &[&director]))
            .await
            .unwrap();
        assert_eq!(again.device, director);
        auth::sign_in_from(
            &db,
            "olga",
            "Operator-2026",
            &from(school, &[&director, &operator]),
        )
        .await
        .unwrap();
        // A stranger from that address waits, even with the right password, and a device
        // token of another account does not help.
        for client in [from(school, &[]), from(school, &[&director])] {
            let stranger = auth::sign_in_from(&db, "juf.an", RIGHT, &client).await;
            assert_eq!(
                stranger.err().map(|e| e.code()),
                Some(Code::TooManyAttempts)
            );
        }

        // Guessing at the director's account from elsewhere locks strangers out of it, not
        // the director's browser.
        for _ in 0..throttle::ACCOUNT_THRESHOLD {
            let _ = auth::sign_in_from(&db, "directeur", "wrong", &from("203.0.113.5", &[])).await;
        }
        let stranger = auth::sign_in_from(&db, "directeur", RIGHT, &from("203.0.113.6", &[])).await;
        assert_eq!(
            stranger.err().map(|e| e.code()),
            Some(Code::TooManyAttempts)
        );
        auth::sign_in_from(&db, "directeur", RIGHT, &from(school, &[&director]))
            .await
            .unwrap();

        // The browser has its own allowance: failures with the token wait in turn.
        for _ in 0..throttle::DEVICE_THRESHOLD {
            let wrong =
                auth::sign_in_from(&db, "directeur", "wrong", &from(school, &[&director])).await;
            assert_eq!(
                wrong.err().map(|e| e.code()),
                Some(Code::InvalidCredentials)
            );
        }
        let waiting =
            auth::sign_in_from(&db, "directeur", RIGHT, &from(school, &[&director])).await;
        assert_eq!(waiting.err().map(|e| e.code()), Some(Code::TooManyAttempts));
    }
);

db_test!(
    should_keep_application_failures_apart_from_the_web_sign_in,
    |db: Db| async move {
        let demo = demo(&db).await;
        let mut form = user_form("leerling");
        form.password = RIGHT.into();
        users::create(&db, &demo.admin, demo.klimop, form)
            .await
            .unwrap();
        let today = wire::time::today();
        let app = |password: &'static str| {
            let db = db.clone();
            let caller = demo.admin.clone();
            async move {
                domain::applications::authenticate_user(
                    &db, &caller, "leerling", password, None, None, today,
                )
                .await
                .err()
                .map(|e| e.code())
            }
        };
        for _ in 0..throttle::APPLICATION_THRESHOLD {
            assert_eq!(app("wrong").await, Some(Code::InvalidCredentials));
        }
        assert_eq!(app(RIGHT).await, Some(Code::TooManyAttempts));
        // The web sign-in is not affected.
        auth::sign_in(&db, "leerling", RIGHT, Some("10.0.0.1"))
            .await
            .unwrap();
        // Nor is the application by the web sign-in's failures.
        end_waits(&db).await;
        for _ in 0..throttle::ACCOUNT_THRESHOLD {
            let _ = auth::sign_in(&db, "leerling", "wrong", Some("10.0.0.1")).await;
        }
        let web = auth::sign_in(&db, "leerling", RIGHT, Some("10.0.0.2")).await;
        assert_eq!(web.err().map(|e| e.code()), Some(Code::TooManyAttempts));
        assert_eq!(app(RIGHT).await, None);
    }
);

db_test!(
    should_limit_look_ups_and_requests_per_address,
    |db: Db| async move {
        demo(&db).await;
        // Unknown serial numbers from one address: waits from the threshold on; known
        // ones give their attempt back.
        let lookup = |serial: &'static str, address: &'static str| {
            let db = db.clone();
            async move {
                let keys = Keys::lookup("serial", Some(address));
                throttle::guarded(&db, &keys, domain::onboarding::check_serial(&db, serial))
                    .await
                    .err()
                    .map(|e| e.code())
            }
        };
        for _ in 0..throttle::LOOKUP_THRESHOLD {
            let code = lookup("99999999", "10.7.7.7").await;
            assert!(
                code.is_some() && code != Some(Code::TooManyAttempts),
                "{code:?}"
            );
        }
        assert_eq!(
            lookup("99999999", "10.7.7.7").await,
            Some(Code::TooManyAttempts)
        );
        assert_ne!(
            lookup("99999999", "10.7.7.8").await,
            Some(Code::TooManyAttempts)
        );

        // Requests: a window's allowance per address, then a wait until the window ends.
        let (limit, window) = Request::Registration.limit();
        for _ in 0..limit {
            throttle::request(&db, Request::Registration, Some("10.8.8.8"))
                .await
                .unwrap();
        }
        let Err(Error::RefusedAt(Code::TooManyAttempts, seconds)) =
            throttle::request(&db, Request::Registration, Some("10.8.8.8")).await
        else {
            panic!("no limit");
        };
        let seconds: i64 = seconds[0].parse().unwrap();
        assert!(seconds > 0 && seconds <= window.num_seconds(), "{seconds}");
        throttle::request(&db, Request::Registration, Some("10.8.8.9"))
            .await
            .unwrap();
        throttle::request(&db, Request::PasswordReset, Some("10.8.8.8"))
            .await
            .unwrap();
        // A new window starts when the last one ended.
        end_waits(&db).await;
        throttle::request(&db, Request::Registration, Some("10.8.8.8"))
            .await
            .unwrap();
        assert_eq!(failures(&db, "request:registration:10.8.8.8").await, 1);
    }
);
