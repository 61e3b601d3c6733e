//! The proof-of-work challenge: a solved challenge is taken once; a wrong number, an expired
//! or replayed challenge and a forged signature are refused; a site's registration form and
//! the serial sign-up ask for one when switched on.
use chrono::{Duration, Utc};
use domain::challenge::{self, Challenge, Solution};
use domain::entities::user;
use domain::onboarding::{self, ExtraAnswers, RegistrationFields, RegistrationForm, SignUpForm};
use domain::sites::{self, SiteForm};
use domain::subscriptions::{self, SubscriptionForm};
use domain::{Code, Db, Error};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::db_test;
use crate::helpers::*;

fn proof(c: &Challenge, number: u64) -> String {
    serde_json::to_string(&Solution {
        algorithm: c.algorithm.clone(),
        challenge: c.challenge.clone(),
        number,
        salt: c.salt.clone(),
        signature: c.signature.clone(),
    })
    .unwrap()
}

fn solved(c: &Challenge) -> String {
    proof(c, challenge::solve(c).expect("a solution below maxnumber"))
}

fn refused(code: Code) -> Result<(), Error> {
    Err(Error::invalid("challenge", code))
}

db_test!(
    should_take_a_solved_challenge_once_and_refuse_the_rest,
    |db: Db| async move {
        let now = Utc::now();
        let issued = challenge::issue(&db, now).await.unwrap();
        assert_eq!(
            (issued.algorithm.as_str(), issued.maxnumber),
            ("SHA-256", 100_000)
        );
        let number = challenge::solve(&issued).unwrap();

        // A wrong number.
        let wrong = if number == 0 { 1 } else { number - 1 };
        assert_eq!(
            challenge::verify(&db, &proof(&issued, wrong), now).await,
            refused(Code::ChallengeInvalid)
        );
        // Good, once; the same again is a replay.
        challenge::verify(&db, &proof(&issued, number), now)
            .await
            .unwrap();
        assert_eq!(
            challenge::verify(&db, &proof(&issued, number), now).await,
            refused(Code::ChallengeUsed)
        );

        // Expired: answered after its lifetime.
        let old = challenge::issue(&db, now - Duration::minutes(21))
            .await
            .unwrap();
        assert_eq!(
            challenge::verify(&db, &solved(&old), now).await,
            refused(Code::ChallengeExpired)
        );

        // Forged: a challenge made up by the client, a signature of another challenge, a
        // salt whose expiry was pushed back.
        let salt = format!("abc?expires={}", (now + Duration::hours(1)).timestamp());
        let made_up = Challenge {
            challenge: challenge::hash(&salt, 7),
            salt,
            ..issued.clone()
        };
        assert_eq!(
            challenge::verify(&db, &proof(&made_up, 7), now).await,
            refused(Code::ChallengeInvalid)
        );
        let other = challenge::issue(&db, now).await.unwrap();
        let fresh = challenge::issue(&db, now).await.unwrap();
        let borrowed = Challenge {
            signature: other.signature.clone(),
            ..fresh.clone()
        };
        assert_eq!(
            challenge::verify(&db, &solved(&borrowed), now).await,
            refused(Code::ChallengeInvalid)
        );
        let (random, _) = fresh.salt.split_once("?expires=").unwrap();
        let later = format!(
            "{random}?expires={}",
            (now + Duration::days(365)).timestamp()
        );
        let n = challenge::solve(&fresh).unwrap();
        let stretched = Challenge {
            challenge: challenge::hash(&later, n),
            salt: later,
            ..fresh.clone()
        };
        assert_eq!(
            challenge::verify(&db, &proof(&stretched, n), now).await,
            refused(Code::ChallengeInvalid)
        );
        for garbage in ["", "{}", "not json"] {
            assert_eq!(
                challenge::verify(&db, garbage, now).await,
                refused(Code::ChallengeInvalid)
            );
        }
        // The untouched one still works.
        challenge::verify(&db, &solved(&fresh), now).await.unwrap();
    }
);

db_test!(
    should_ask_a_challenge_where_switched_on,
    |db: Db| async move {
        let demo = demo(&db).await;
        let details = sites::details(&db, &demo.admin, demo.klimop).await.unwrap();
        sites::update(
            &db,
            &demo.admin,
            demo.klimop,
            SiteForm {
                name: details.node.name,
                seat_limit: "3".into(),
                registration_code: "klimop-robot".into(),
                registration_flow: "immediate".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        onboarding::set_form(
            &db,
            &demo.admin,
            demo.klimop,
            RegistrationFields {
                challenge: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let info = onboarding::check_code(&db, "klimop-robot").await.unwrap();
        assert!(info.fields.challenge);
        let form = |username: &str, proof: String| RegistrationForm {
            code: "klimop-robot".into(),
            first_name: "Robbe".into(),
            last_name: "Robot".into(),
            email: String::new(),
            username: username.into(),
            password: "Zonnebloem-42".into(),
            locale: "nl".into(),
            extra: ExtraAnswers {
                proof,
                ..Default::default()
            },
        };
        let users = || async { user::Entity::find().count(db.conn()).await.unwrap() };
        let before = users().await;
        let without = onboarding::register(&db, form("robbe.r", String::new())).await;
        assert_eq!(
            without.err(),
            Some(Error::invalid("challenge", Code::ChallengeInvalid))
        );
        assert_eq!(users().await, before);
        let issued = challenge::issue(&db, Utc::now()).await.unwrap();
        onboarding::register(&db, form("robbe.r", solved(&issued)))
            .await
            .unwrap();
        assert_eq!(users().await, before + 1);

        // Serial sign-up: asked when the server says so (a proof given), not otherwise.
        subscriptions::insert(
            &db,
            SubscriptionForm {
                serial: "7700770".into(),
                seats: "5".into(),
                valid_from: "2019-01-01".into(),
                valid_until: "2099-12-31".into(),
                contact_email: "buyer@school.example".into(),
                locale: "nl".into(),
            },
        )
        .await
        .unwrap();
        let sign_up = |proof: Option<String>| SignUpForm {
            serial: "7700770".into(),
            organisation: "Robotschool".into(),
            first_name: "Rob".into(),
            last_name: "Ot".into(),
            email: "rob@example.org".into(),
            username: "rob.ot".into(),
            password: "Zonnebloem-42".into(),
            privacy_accepted: true,
            locale: "nl".into(),
            proof,
        };
        let refused_sign_up = onboarding::sign_up(&db, sign_up(Some(String::new()))).await;
        assert_eq!(
            refused_sign_up.err(),
            Some(Error::invalid("challenge", Code::ChallengeInvalid))
        );
        let issued = challenge::issue(&db, Utc::now()).await.unwrap();
        onboarding::sign_up(&db, sign_up(Some(solved(&issued))))
            .await
            .unwrap();
    }
);
