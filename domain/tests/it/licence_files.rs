//! Signed licence files: made for the user or a connected application, verified offline
//! (signature, period, time-to-live, device), sealed to the user's or the device's key, and
//! refused once the key that signed them is removed.
use chrono::{DateTime, Duration, Utc};
use domain::licence_files::{self, Refusal, Request, Seal};
use domain::{api_tokens, Code, Db, Error, Principal};

use crate::applications::world;
use crate::db_test;
use crate::helpers::*;

fn reader() -> Request {
    Request {
        product: Some("reader".into()),
        ..Default::default()
    }
}

async fn verify_at(
    db: &Db,
    file: &str,
    key: Option<&[u8; 32]>,
    device: Option<&str>,
    at: DateTime<Utc>,
) -> Result<licence_files::Claims, Refusal> {
    let keys = licence_files::published(db).await.unwrap();
    licence_files::verify(file, &keys, key, device, at)
}

/// The same file with one character of its signed part changed.
fn tampered(file: &str) -> String {
    let mut bytes = file.as_bytes().to_vec();
    let at = file.find('.').unwrap() + 5;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

db_test!(
    should_issue_a_file_that_verifies_offline,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let now = Utc::now();
        let issued = licence_files::issue(&db, me, *pupil, &reader(), now)
            .await
            .unwrap();
        let claims = verify_at(&db, &issued.file, None, None, now).await.unwrap();
        assert_eq!(claims, issued.claims);
        assert_eq!(claims.sub, *pupil);
        assert_eq!(claims.user.username, "pupil.one");
        assert_eq!(claims.organisation.name, domain::demo::ORGANISATION);
        assert_eq!(claims.products, vec!["reader".to_string()]);
        assert_eq!(
            claims.valid_until,
            wire::time::today() + Duration::days(300)
        );
        assert_eq!(
            claims.check_by,
            (now + licence_files::DEFAULT_TTL).timestamp()
        );
        assert_eq!(claims.device, None);
        // One changed byte, a moment after the time-to-live, after the licence's last day.
        assert_eq!(
            verify_at(&db, &tampered(&issued.file), None, None, now).await,
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify_at(&db, &issued.file, None, None, now + Duration::days(8)).await,
            Err(Refusal::CheckOnline)
        );
        assert_eq!(
            verify_at(&db, &issued.file, None, None, now + Duration::days(302)).await,
            Err(Refusal::Expired)
        );
        assert_eq!(
            verify_at(&db, &issued.file, None, None, now - Duration::days(40)).await,
            Err(Refusal::NotYetValid)
        );
        // Without a product: every product the valid licences cover; a shorter time-to-live.
        let all = licence_files::issue(
            &db,
            me,
            *pupil,
            &Request {
                ttl: Some(Duration::hours(2)),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(all.claims.products, vec!["reader".to_string()]);
        assert_eq!(
            verify_at(&db, &all.file, None, None, now + Duration::hours(3)).await,
            Err(Refusal::CheckOnline)
        );
    }
);

db_test!(
    should_refuse_what_a_removed_key_signed,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let now = Utc::now();
        let first = licence_files::issue(&db, me, *pupil, &reader(), now)
            .await
            .unwrap();
        let rotated = licence_files::rotate(&db, now).await.unwrap();
        let second = licence_files::issue(&db, me, *pupil, &reader(), now)
            .await
            .unwrap();
        assert_eq!(second.kid, rotated.kid);
        assert_ne!(first.kid, second.kid);
        // The retired key is still published: what it signed still holds.
        assert!(verify_at(&db, &first.file, None, None, now).await.is_ok());
        let keys = licence_files::list(&db).await.unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys
            .iter()
            .any(|k| k.kid == first.kid && k.retired_at.is_some()));
        assert_eq!(
            licence_files::remove(&db, &rotated.kid).await,
            Err(Error::Refused(Code::SigningKeyInUse))
        );
        licence_files::remove(&db, &first.kid).await.unwrap();
        assert_eq!(
            verify_at(&db, &first.file, None, None, now).await,
            Err(Refusal::UnknownKey(first.kid.clone()))
        );
        assert!(verify_at(&db, &second.file, None, None, now).await.is_ok());
        let published = licence_files::published(&db).await.unwrap();
        assert_eq!(published.keys.len(), 1);
        assert_eq!(published.keys[0].kty, "OKP");
        assert_eq!(published.keys[0].crv, "Ed25519");
        assert_eq!(
            licence_files::remove(&db, "no-such-key").await,
            Err(Error::NotFound)
        );
    }
);

db_test!(
    should_seal_a_file_to_the_user_or_the_device,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let now = Utc::now();
        let key = licence_files::licence_key(&db, me, *pupil).await.unwrap();
        let sealed = licence_files::issue(
            &db,
            me,
            *pupil,
            &Request {
                seal: Some(Seal::User),
                ..reader()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(sealed.file.split('.').count(), 5);
        assert_eq!(
            verify_at(&db, &sealed.file, None, None, now).await,
            Err(Refusal::Sealed)
        );
        assert_eq!(
            verify_at(&db, &sealed.file, Some(&[7; 32]), None, now).await,
            Err(Refusal::Unsealable)
        );
        assert_eq!(
            verify_at(&db, &sealed.file, Some(&key), None, now).await,
            Ok(sealed.claims.clone())
        );
        let bound = licence_files::issue(
            &db,
            me,
            *pupil,
            &Request {
                seal: Some(Seal::Device),
                device: Some("laptop-1".into()),
                ..reader()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(bound.claims.device.as_deref(), Some("laptop-1"));
        assert!(
            verify_at(&db, &bound.file, Some(&key), Some("laptop-1"), now)
                .await
                .is_ok()
        );
        assert_eq!(
            verify_at(&db, &bound.file, Some(&key), Some("laptop-2"), now).await,
            Err(Refusal::Unsealable)
        );
        // Bound but not sealed: another device reads it and refuses it.
        let plain = licence_files::issue(
            &db,
            me,
            *pupil,
            &Request {
                device: Some("laptop-1".into()),
                ..reader()
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            verify_at(&db, &plain.file, None, Some("laptop-2"), now).await,
            Err(Refusal::OtherDevice)
        );
        assert_eq!(
            licence_files::issue(
                &db,
                me,
                *pupil,
                &Request {
                    seal: Some(Seal::Device),
                    ..reader()
                },
                now,
            )
            .await
            .map(|_| ()),
            Err(Error::invalid("device", Code::DeviceFingerprintInvalid))
        );
    }
);

db_test!(
    should_issue_only_to_the_user_or_a_connected_application,
    |db: Db| async move {
        let w = world(&db).await;
        let (pupil, me) = &w.pupil;
        let now = Utc::now();
        let issue = |principal: Principal, request: Request| {
            let db = db.clone();
            let pupil = *pupil;
            async move {
                licence_files::issue(&db, &principal, pupil, &request, now)
                    .await
                    .map(|_| ())
            }
        };
        let demo_sites = domain::sites::tree(&db, &w.admin).await.unwrap();
        let regenboog = demo_sites
            .iter()
            .find(|n| n.name == "De Regenboog")
            .unwrap()
            .id;
        let stranger = admin_of(&db, regenboog, "regenboog.admin").await;
        assert_eq!(issue(stranger, reader()).await, Err(Error::NotFound));
        let app = api_tokens::create_service_account(&db, &w.admin, w.klimop, "Reader", true)
            .await
            .unwrap();
        let app = Principal::load(&db, app.id).await.unwrap();
        assert_eq!(issue(app.clone(), reader()).await, Ok(()));
        assert!(licence_files::licence_key(&db, &app, *pupil).await.is_ok());
        assert_eq!(
            issue(
                me.clone(),
                Request {
                    product: Some("speech".into()),
                    ..Default::default()
                }
            )
            .await,
            Err(Error::Refused(Code::NoValidLicence))
        );
        assert!(matches!(
            issue(
                me.clone(),
                Request {
                    product: Some("nonsense".into()),
                    ..Default::default()
                }
            )
            .await,
            Err(Error::Unknown { .. })
        ));
        assert_eq!(
            issue(
                me.clone(),
                Request {
                    ttl: Some(Duration::minutes(10)),
                    ..reader()
                }
            )
            .await,
            Err(Error::invalid("ttl", Code::LicenceFileTtlInvalid))
        );
        domain::users::set_active(&db, &w.admin, *pupil, false)
            .await
            .unwrap();
        assert_eq!(
            issue(app, reader()).await,
            Err(Error::Refused(Code::AccountInactive))
        );
    }
);
