//! Passkeys against a software authenticator (webauthn-authenticator-rs's `SoftPasskey`, the
//! one webauthn-rs tests itself with): registered, proven as a second factor, and refused when
//! the answer comes from another origin, is replayed, or answers an old state.
use chrono::{TimeDelta, Utc};
use domain::{factors, Code, Db, Error};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::{AuthenticatorBackend, WebauthnAuthenticator};
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse, Url,
};

use crate::db_test;
use crate::helpers::*;

const ORIGIN: &str = "http://localhost:3000";

fn passkeys() -> factors::Passkeys {
    factors::Passkeys::for_address(ORIGIN).expect("localhost is a relying party")
}

fn refused<T: std::fmt::Debug>(outcome: domain::Result<T>) {
    assert!(
        matches!(outcome, Err(Error::Refused(Code::PasskeyInvalid))),
        "{outcome:?}"
    );
}

/// The authenticator's answer to a proof's options, from `origin`.
fn answer(soft: &mut SoftPasskey, origin: &str, options: &str) -> String {
    let options: RequestChallengeResponse = serde_json::from_str(options).unwrap();
    let answer: PublicKeyCredential = soft
        .perform_auth(Url::parse(origin).unwrap(), options.public_key, 60_000)
        .unwrap();
    serde_json::to_string(&answer).unwrap()
}

#[test]
fn should_offer_passkeys_only_at_addresses_browsers_accept() {
    assert!(factors::Passkeys::for_address("https://licentia.example").is_some());
    assert!(factors::Passkeys::for_address("http://localhost:3000").is_some());
    assert!(factors::Passkeys::for_address("http://127.0.0.1:3000").is_none());
    assert!(factors::Passkeys::for_address("http://licentia.example").is_none());
    assert!(factors::Passkeys::for_address("not an address").is_none());
}

db_test!(
    should_register_and_prove_a_passkey_and_refuse_replays_and_other_origins,
    |db: Db| async move {
        let now = Utc::now();
        let w = demo(&db).await;
        let user = admin_of(&db, w.klimop, "passkey.holder").await;
        let id = user.user_id().unwrap();
        let rp = passkeys();
        let mut soft = SoftPasskey::new(true);

        // Registration: the options carry the user's public id; the answer is verified.
        let begun = factors::start_registration(&db, &rp, &user, now)
            .await
            .unwrap();
        let options: CreationChallengeResponse = serde_json::from_str(&begun.options).unwrap();
        let created = soft
            .do_registration(Url::parse(ORIGIN).unwrap(), options)
            .unwrap();
        let created = serde_json::to_string(&created).unwrap();
        // An old state is refused (five minutes).
        refused(
            factors::finish_registration(
                &db,
                &rp,
                &user,
                "Laptop",
                &begun.state,
                &created,
                now + TimeDelta::minutes(6),
            )
            .await,
        );
        let codes =
            factors::finish_registration(&db, &rp, &user, "Laptop", &begun.state, &created, now)
                .await
                .unwrap();
        assert_eq!(
            codes.map(|c| c.len()),
            Some(10),
            "recovery codes with the first factor"
        );
        // The same registration once more: refused.
        refused(
            factors::finish_registration(&db, &rp, &user, "Laptop", &begun.state, &created, now)
                .await,
        );
        let listed = factors::factors(&db, &user).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].kind, factors::FactorKind::Passkey);
        assert_eq!(
            factors::step_at_sign_in(&db, id, now).await.unwrap(),
            factors::Step::Prove
        );

        // Proof: the right origin passes, once.
        let proof = factors::start_proof(&db, &rp, id, now).await.unwrap();
        let signed = answer(&mut soft, ORIGIN, &proof.options);
        factors::finish_proof(&db, &rp, id, &proof.state, &signed, now)
            .await
            .unwrap();
        refused(factors::finish_proof(&db, &rp, id, &proof.state, &signed, now).await);
        // The same answer to a new challenge: refused.
        let fresh = factors::start_proof(&db, &rp, id, now).await.unwrap();
        refused(factors::finish_proof(&db, &rp, id, &fresh.state, &signed, now).await);
        // Signed for another site's origin (a phishing page relaying our challenge): refused.
        // (A state of its own: each refusal above used up its state.)
        let phished = factors::start_proof(&db, &rp, id, now).await.unwrap();
        let relayed = answer(&mut soft, "https://licentia.example.evil", &phished.options);
        refused(factors::finish_proof(&db, &rp, id, &phished.state, &relayed, now).await);
        // The right origin with that same state would have passed: the refusal was the origin.
        let control = factors::start_proof(&db, &rp, id, now).await.unwrap();
        let right = answer(&mut soft, ORIGIN, &control.options);
        factors::finish_proof(&db, &rp, id, &control.state, &right, now)
            .await
            .unwrap();
        // Nonsense: refused, not a failure of the server.
        let other = factors::start_proof(&db, &rp, id, now).await.unwrap();
        refused(factors::finish_proof(&db, &rp, id, &other.state, "{}", now).await);
        refused(factors::finish_proof(&db, &rp, id, "garbage", &signed, now).await);

        // Another user cannot prove with this key, nor start a proof without keys of their own.
        let stranger = admin_of(&db, w.klimop, "no.passkey").await;
        refused(factors::start_proof(&db, &rp, stranger.user_id().unwrap(), now).await);
        // Removing it journals as for an app.
        factors::remove(&db, &user, listed[0].id).await.unwrap();
        assert!(!factors::has_factor(&db, id).await.unwrap());
    }
);
