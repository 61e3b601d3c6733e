//! Licence purchase requests: the form's rules (quantity, 14 days ahead, e-mail, phone,
//! comment), the mails to the operators and the requester's copy, the operators' inbox, and
//! the requester's view of its status.
use chrono::{Duration, NaiveDate};
use domain::entities::{job, purchase_request};
use domain::purchases::{self, RequestForm};
use domain::{Code, Db, Error, Principal};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::db_test;
use crate::helpers::*;

fn today() -> NaiveDate {
    wire::time::today()
}

fn form(quantity: &str, days_ahead: i64) -> RequestForm {
    RequestForm {
        quantity: quantity.into(),
        activation_on: (today() + Duration::days(days_ahead)).to_string(),
        email: "ann@horizon.example".into(),
        phone: "+32 2 123 45 67".into(),
        comment: "For the new class".into(),
    }
}

async fn operator(db: &Db) -> Principal {
    domain::operators::create(
        db,
        domain::users::NewUserForm {
            username: "operator".into(),
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            email: "sales@vendor.example".into(),
            password: "Operator-2026".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let signed = domain::auth::sign_in(db, "operator", "Operator-2026", None)
        .await
        .unwrap();
    Principal::load(db, signed.user_id).await.unwrap()
}

db_test!(
    should_send_a_request_to_the_operators_with_a_copy,
    |db: Db| async move {
        let demo = demo(&db).await;
        let operator = operator(&db).await;
        let sent = purchases::request(&db, &demo.admin, form("25", 14), today())
            .await
            .unwrap();
        assert_eq!(sent.quantity, 25);
        assert_eq!(sent.status.as_str(), "new");
        assert_eq!(sent.organisation, domain::demo::ORGANISATION);
        // One mail to the operator, one copy to the requester.
        let mails: Vec<domain::mail::Mail> = job::Entity::find()
            .all(db.conn())
            .await
            .unwrap()
            .iter()
            .map(|j| serde_json::from_str(&j.payload).unwrap())
            .collect();
        let to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
        assert!(to.contains(&"sales@vendor.example"), "{to:?}");
        assert!(to.contains(&"ann@horizon.example"), "{to:?}");
        assert!(mails
            .iter()
            .any(|m| matches!(m.template, domain::mail::Template::PurchaseRequestCopy(_))));

        // The operator sees it in the inbox and marks it handled; the requester sees the status.
        let inbox = purchases::inbox(&db, &operator).await.unwrap();
        assert_eq!(inbox.len(), 1);
        purchases::mark_handled(&db, &operator, sent.public_id)
            .await
            .unwrap();
        let mine = purchases::mine(&db, &demo.admin).await.unwrap();
        assert_eq!(mine[0].status.as_str(), "handled");
        // Not for administrators.
        assert_eq!(
            purchases::inbox(&db, &demo.admin).await.unwrap_err(),
            Error::Forbidden
        );
    }
);

db_test!(
    should_refuse_a_bad_form_and_change_nothing,
    |db: Db| async move {
        let demo = demo(&db).await;
        for (bad, field, code) in [
            (form("0", 20), "quantity", Code::QuantityInvalid),
            (form("many", 20), "quantity", Code::QuantityInvalid),
            (form("5", 13), "activation_on", Code::ActivationTooSoon),
            (
                RequestForm {
                    email: "".into(),
                    ..form("5", 20)
                },
                "email",
                Code::EmailRequired,
            ),
            (
                RequestForm {
                    phone: "call me".into(),
                    ..form("5", 20)
                },
                "phone",
                Code::PhoneInvalid,
            ),
            (
                RequestForm {
                    comment: "x".repeat(2001),
                    ..form("5", 20)
                },
                "comment",
                Code::CommentTooLong,
            ),
        ] {
            assert_eq!(
                purchases::request(&db, &demo.admin, bad, today())
                    .await
                    .unwrap_err(),
                Error::invalid(field, code)
            );
        }
        assert_eq!(
            purchase_request::Entity::find()
                .count(db.conn())
                .await
                .unwrap(),
            0
        );
        assert_eq!(job::Entity::find().count(db.conn()).await.unwrap(), 0);
        // Phone and comment are optional.
        let plain = RequestForm {
            phone: String::new(),
            comment: String::new(),
            ..form("1", 30)
        };
        assert!(purchases::request(&db, &demo.admin, plain, today())
            .await
            .is_ok());
    }
);
