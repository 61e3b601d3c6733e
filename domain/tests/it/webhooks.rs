//! Webhooks in the domain: endpoints per site (seeing their subtree) and the vendor's (seeing
//! everything), events queued with the change that raised them, outcomes recorded with
//! retries, redelivery with the same message id, and endpoints that fail for days switched off
//! with a mail to their owner.
use std::time::Duration;

use chrono::Utc;
use domain::entities::{job, webhook_endpoint};
use domain::jobs::RetryPolicy;
use domain::webhooks::{self, Attempt, NewEndpoint};
use domain::{sites, users, Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::applications::world;
use crate::db_test;
use crate::helpers::*;

fn endpoint(site: Option<Uuid>, url: &str) -> NewEndpoint {
    NewEndpoint {
        site,
        url: url.into(),
        events: vec!["user.created".into(), "user.deactivated".into()],
        description: String::new(),
    }
}

async fn site_named(db: &Db, admin: &Principal, name: &str) -> Uuid {
    sites::tree(db, admin)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.name == name)
        .unwrap()
        .id
}

const LEASE: Duration = Duration::from_secs(60);

fn policy() -> RetryPolicy {
    RetryPolicy {
        first_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_attempts: 3,
    }
}

db_test!(
    should_deliver_events_within_the_endpoints_subtree,
    |db: Db| async move {
        webhooks::allow_loopback(true);
        let w = world(&db).await;
        let regenboog = site_named(&db, &w.admin, "De Regenboog").await;
        let klimop_admin = admin_of(&db, w.klimop, "klimop.hooks").await;
        let klimop = webhooks::register(
            &db,
            &klimop_admin,
            endpoint(Some(w.klimop), "https://klimop.example/hooks"),
        )
        .await
        .unwrap();
        assert!(klimop.secret.starts_with("whsec_"));
        let other = webhooks::register(
            &db,
            &w.admin,
            endpoint(Some(regenboog), "http://127.0.0.1:9/hooks"),
        )
        .await
        .unwrap();
        let vendor = webhooks::register(
            &db,
            &w.operator,
            endpoint(None, "https://vendor.example/hooks"),
        )
        .await
        .unwrap();
        // Who may: the vendor's are the operators'; another school's are not even seen.
        assert_eq!(
            webhooks::register(&db, &w.admin, endpoint(None, "https://x.example/"))
                .await
                .map(|_| ()),
            Err(Error::Forbidden)
        );
        assert_eq!(
            webhooks::register(
                &db,
                &klimop_admin,
                endpoint(Some(regenboog), "https://x.example/")
            )
            .await
            .map(|_| ()),
            Err(Error::NotFound)
        );
        assert_eq!(
            webhooks::deliveries(&db, &klimop_admin, other.endpoint.public_id)
                .await
                .map(|_| ()),
            Err(Error::NotFound)
        );
        assert_eq!(
            webhooks::deliveries(&db, &w.admin, vendor.endpoint.public_id)
                .await
                .map(|_| ()),
            Err(Error::NotFound)
        );
        for bad in [
            "http://example.com/hooks",
            "ftp://x",
            "https://",
            "https://user@x.example/",
        ] {
            assert_eq!(
                webhooks::register(&db, &w.admin, endpoint(Some(regenboog), bad))
                    .await
                    .map(|_| ()),
                Err(Error::invalid("url", Code::WebhookUrlInvalid)),
                "{bad}"
            );
        }
        let mut none = endpoint(Some(regenboog), "https://x.example/");
        none.events = vec!["user.exploded".into()];
        assert_eq!(
            webhooks::register(&db, &w.admin, none).await.map(|_| ()),
            Err(Error::invalid("events", Code::WebhookEventsInvalid))
        );
        // A user created in De Klimop: De Klimop's and the vendor's endpoints hear of it.
        let hooked = users::create(&db, &w.admin, w.klimop, user_form("hooked.pupil"))
            .await
            .unwrap();
        let heard = |e: Uuid, who: Principal| {
            let db = db.clone();
            async move { webhooks::deliveries(&db, &who, e).await.unwrap() }
        };
        let at_klimop = heard(klimop.endpoint.public_id, klimop_admin.clone()).await;
        assert_eq!(at_klimop.len(), 1);
        assert_eq!(at_klimop[0].event_type, "user.created");
        assert_eq!(
            heard(vendor.endpoint.public_id, w.operator.clone())
                .await
                .len(),
            1
        );
        assert_eq!(
            heard(vendor.endpoint.public_id, w.operator.clone()).await[0].message_id,
            at_klimop[0].message_id
        );
        assert!(heard(other.endpoint.public_id, w.admin.clone())
            .await
            .is_empty());
        // The root's administrator sees De Klimop's endpoint among the organisation's.
        let root = site_named(&db, &w.admin, domain::demo::ORGANISATION).await;
        let listed = webhooks::endpoints(&db, &w.admin, webhooks::Scope::Site(Some(root)))
            .await
            .unwrap();
        assert_eq!(listed.endpoints.len(), 2);
        let vendor_list = webhooks::endpoints(&db, &w.operator, webhooks::Scope::Vendor)
            .await
            .unwrap();
        assert_eq!(vendor_list.endpoints.len(), 1);
        assert!(webhooks::endpoints(&db, &w.admin, webhooks::Scope::Vendor)
            .await
            .is_err());
        // An event type the endpoint did not choose is not sent.
        let before = webhook_count(&db).await;
        domain::licences::assign(&db, &w.admin, hooked.public_id, wire::time::today())
            .await
            .unwrap();
        assert_eq!(webhook_count(&db).await, before);
        // One that it did choose: a deactivation.
        users::set_active(&db, &w.admin, hooked.public_id, false)
            .await
            .unwrap();
        assert_eq!(webhook_count(&db).await, before + 2);
    }
);

async fn webhook_count(db: &Db) -> u64 {
    domain::entities::webhook_delivery::Entity::find()
        .count(db.conn())
        .await
        .unwrap()
}

db_test!(should_retry_record_and_redeliver, |db: Db| async move {
    webhooks::allow_loopback(true);
    let w = world(&db).await;
    let made = webhooks::register(
        &db,
        &w.admin,
        endpoint(Some(w.klimop), "http://127.0.0.1:9/hooks"),
    )
    .await
    .unwrap();
    users::create(&db, &w.admin, w.klimop, user_form("retried.pupil"))
        .await
        .unwrap();
    let batch = webhooks::next_batch(&db, LEASE).await.unwrap();
    assert_eq!(batch.len(), 1);
    let sent = batch[0].clone();
    let headers = sent.headers(Utc::now()).unwrap();
    assert_eq!(headers[0].1, sent.message_id);
    assert!(headers[2].1.starts_with("v1,"));
    // Claimed: not handed out twice.
    assert!(webhooks::next_batch(&db, LEASE).await.unwrap().is_empty());
    let refused = Attempt {
        status: Some(503),
        error: None,
    };
    webhooks::record(&db, vec![(sent, refused.clone())], policy(), Utc::now())
        .await
        .unwrap();
    let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
        .await
        .unwrap();
    assert_eq!(
        (log[0].status.as_str(), log[0].attempts, log[0].last_status),
        ("pending", 1, Some(503))
    );
    let failing = endpoint_row(&db, made.endpoint.public_id).await;
    assert!(failing.failing_since.is_some());
    // The retry carries the same message; a 2xx delivers it and the endpoint is healthy again.
    let again = webhooks::next_batch(&db, LEASE).await.unwrap();
    assert_eq!(again[0].message_id, log[0].message_id);
    webhooks::record(
        &db,
        vec![(
            again[0].clone(),
            Attempt {
                status: Some(204),
                error: None,
            },
        )],
        policy(),
        Utc::now(),
    )
    .await
    .unwrap();
    let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
        .await
        .unwrap();
    assert_eq!((log[0].status.as_str(), log[0].attempts), ("delivered", 2));
    assert!(endpoint_row(&db, made.endpoint.public_id)
        .await
        .failing_since
        .is_none());
    // Redelivered on demand: the same message once more.
    webhooks::redeliver(&db, &w.admin, log[0].public_id)
        .await
        .unwrap();
    let third = webhooks::next_batch(&db, LEASE).await.unwrap();
    assert_eq!(third[0].message_id, log[0].message_id);
    // Out of attempts: failed, kept in the log.
    webhooks::record(&db, vec![(third[0].clone(), refused)], policy(), Utc::now())
        .await
        .unwrap();
    let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
        .await
        .unwrap();
    assert_eq!(log[0].attempts, 3);
    // A switched-off endpoint is not sent to: its deliveries fail for a redelivery later.
    webhooks::set_enabled(&db, &w.admin, made.endpoint.public_id, false)
        .await
        .unwrap();
    webhooks::redeliver(&db, &w.admin, log[0].public_id)
        .await
        .unwrap();
    assert!(webhooks::next_batch(&db, LEASE).await.unwrap().is_empty());
    let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
        .await
        .unwrap();
    assert_eq!(log[0].status, "failed");
});

async fn endpoint_row(db: &Db, id: Uuid) -> webhook_endpoint::Model {
    webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::PublicId.eq(id))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

db_test!(
    should_switch_off_an_endpoint_failing_for_days,
    |db: Db| async move {
        let w = world(&db).await;
        let owner = admin_of(&db, w.klimop, "hook.owner").await;
        domain::entities::user::Entity::update_many()
            .col_expr(
                domain::entities::user::Column::Email,
                Expr::value("owner@school.example"),
            )
            .filter(domain::entities::user::Column::Username.eq("hook.owner"))
            .exec(db.conn())
            .await
            .unwrap();
        let made = webhooks::register(
            &db,
            &owner,
            endpoint(Some(w.klimop), "https://down.example/hooks"),
        )
        .await
        .unwrap();
        let now = Utc::now();
        let set_failing = |since: chrono::DateTime<Utc>| {
            let db = db.clone();
            async move {
                webhook_endpoint::Entity::update_many()
                    .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(since))
                    .exec(db.conn())
                    .await
                    .unwrap();
            }
        };
        // Two days of failures: still on.
        set_failing(now - chrono::Duration::days(2)).await;
        assert_eq!(webhooks::disable_failing(&db, now).await.unwrap(), 0);
        set_failing(now - chrono::Duration::days(4)).await;
        assert_eq!(webhooks::disable_failing(&db, now).await.unwrap(), 1);
        let row = endpoint_row(&db, made.endpoint.public_id).await;
        assert!(!row.enabled && row.disabled_at.is_some());
        let mails = job::Entity::find()
            .filter(job::Column::Kind.eq(domain::mail::JOB_KIND))
            .filter(job::Column::Payload.contains("webhook_disabled"))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(mails, 1);
        // Switched on again: its failures are forgotten.
        webhooks::set_enabled(&db, &owner, made.endpoint.public_id, true)
            .await
            .unwrap();
        let row = endpoint_row(&db, made.endpoint.public_id).await;
        assert!(row.enabled && row.failing_since.is_none());
        assert_eq!(webhooks::disable_failing(&db, now).await.unwrap(), 0);
    }
);

db_test!(
    should_announce_an_ended_subscription_once,
    |db: Db| async move {
        let w = world(&db).await;
        let made = webhooks::register(
            &db,
            &w.operator,
            NewEndpoint {
                site: None,
                url: "https://vendor.example/hooks".into(),
                events: vec!["licence.expired".into()],
                description: String::new(),
            },
        )
        .await
        .unwrap();
        let subscription = domain::entities::subscription::Entity::find()
            .filter(domain::entities::subscription::Column::Serial.eq("40000001"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        // Nothing before its end; the day after: one event for its one holder, once.
        assert_eq!(
            webhooks::announce_expired(&db, subscription.valid_until)
                .await
                .unwrap(),
            0
        );
        let after = subscription.valid_until + chrono::Duration::days(1);
        assert_eq!(webhooks::announce_expired(&db, after).await.unwrap(), 1);
        assert_eq!(webhooks::announce_expired(&db, after).await.unwrap(), 0);
        let log = webhooks::deliveries(&db, &w.operator, made.endpoint.public_id)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].event_type, "licence.expired");
    }
);

db_test!(
    should_not_announce_what_ended_long_ago,
    |db: Db| async move {
        let w = world(&db).await;
        let made = webhooks::register(
            &db,
            &w.operator,
            NewEndpoint {
                site: None,
                url: "https://vendor.example/hooks".into(),
                events: vec!["licence.expired".into()],
                description: String::new(),
            },
        )
        .await
        .unwrap();
        let later = wire::time::today() + chrono::Duration::days(400);
        assert_eq!(webhooks::announce_expired(&db, later).await.unwrap(), 0);
        assert!(
            webhooks::deliveries(&db, &w.operator, made.endpoint.public_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

db_test!(
    should_retry_only_the_messages_that_failed,
    |db: Db| async move {
        webhooks::allow_loopback(true);
        let w = world(&db).await;
        let made = webhooks::register(
            &db,
            &w.admin,
            endpoint(Some(w.klimop), "http://127.0.0.1:9/hooks"),
        )
        .await
        .unwrap();
        // Twenty events in one transaction (as an import's journal): two jobs (16 and 4).
        let site = domain::entities::site::Entity::find()
            .filter(domain::entities::site::Column::PublicId.eq(w.klimop))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let txn = db.write().await.unwrap();
        let events = (0..20)
            .map(|i| webhooks::Emitted {
                kind: "user.created",
                site: &site,
                data: serde_json::json!({ "username": format!("bulk.{i:02}") }),
            })
            .collect();
        webhooks::emit(&*txn, events).await.unwrap();
        txn.commit().await.unwrap();
        let jobs_queued = job::Entity::find()
            .filter(job::Column::Kind.eq(webhooks::JOB_KIND))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(jobs_queued, 2);
        let batch = webhooks::next_batch(&db, LEASE).await.unwrap();
        assert_eq!(batch.len(), 20);
        // Every third one refused; the rest delivered.
        let outcomes: Vec<_> = batch
            .into_iter()
            .enumerate()
            .map(|(i, sent)| {
                let status = if i % 3 == 0 { 500 } else { 200 };
                (
                    sent,
                    Attempt {
                        status: Some(status),
                        error: None,
                    },
                )
            })
            .collect();
        let refused: Vec<String> = outcomes
            .iter()
            .filter(|(_, a)| a.status == Some(500))
            .map(|(s, _)| s.message_id.clone())
            .collect();
        webhooks::record(&db, outcomes, policy(), Utc::now())
            .await
            .unwrap();
        // Only the refused ones come back, once each; the jobs delivered entirely are gone.
        let again = webhooks::next_batch(&db, LEASE).await.unwrap();
        let mut ids: Vec<String> = again.iter().map(|s| s.message_id.clone()).collect();
        ids.sort();
        let mut expected = refused.clone();
        expected.sort();
        assert_eq!(ids, expected);
        let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
            .await
            .unwrap();
        assert_eq!(log.len(), 20);
        assert_eq!(
            log.iter().filter(|d| d.status == "delivered").count(),
            20 - refused.len()
        );
        assert!(log
            .iter()
            .filter(|d| d.status == "pending")
            .all(|d| d.attempts == 1 && d.last_status == Some(500)));
        let outcomes = again
            .into_iter()
            .map(|sent| {
                (
                    sent,
                    Attempt {
                        status: Some(204),
                        error: None,
                    },
                )
            })
            .collect();
        webhooks::record(&db, outcomes, policy(), Utc::now())
            .await
            .unwrap();
        assert!(webhooks::next_batch(&db, LEASE).await.unwrap().is_empty());
        let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
            .await
            .unwrap();
        assert!(log.iter().all(|d| d.status == "delivered"));
        let left = job::Entity::find()
            .filter(job::Column::Kind.eq(webhooks::JOB_KIND))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(left, 0, "delivered jobs are removed");
        // A month later the settled deliveries leave the log; a pending one stays.
        let pending = log[0].public_id;
        domain::entities::webhook_delivery::Entity::update_many()
            .col_expr(
                domain::entities::webhook_delivery::Column::Status,
                Expr::value("pending"),
            )
            .filter(domain::entities::webhook_delivery::Column::PublicId.eq(pending))
            .exec(db.conn())
            .await
            .unwrap();
        let later = Utc::now() + webhooks::KEEP_DELIVERIES + chrono::TimeDelta::days(1);
        assert_eq!(webhooks::forget_old(&db, later).await.unwrap(), 19);
        let log = webhooks::deliveries(&db, &w.admin, made.endpoint.public_id)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].public_id, pending);
    }
);
