//! Several subscriptions per organisation: an administrator adds a renewal with its serial;
//! the root's seat limit follows the subscriptions valid today (never below the seats used).
use chrono::NaiveDate;
use domain::subscriptions::{self, SubscriptionForm};
use domain::{sites, Code, Db, Error};

use crate::db_test;
use crate::helpers::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn sell(db: &Db, serial: &str, seats: u32, from: &str, until: &str) {
    subscriptions::insert(
        db,
        SubscriptionForm {
            serial: serial.into(),
            seats: seats.to_string(),
            valid_from: from.into(),
            valid_until: until.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

async fn limit(db: &Db, root: uuid::Uuid) -> i32 {
    sites::resolve(db, root).await.unwrap().site.seat_limit
}

db_test!(
    should_follow_the_subscriptions_valid_today,
    |db: Db| async move {
        let demo = demo(&db).await;
        let today = day("2099-01-15");
        // Without subscriptions the limit stays as given.
        assert_eq!(
            subscriptions::sync_root_limits(&db, today).await.unwrap(),
            0
        );
        assert_eq!(limit(&db, demo.root).await, 20);

        sell(&db, "30000001", 30, "2098-09-01", "2099-08-31").await;
        sell(&db, "30000002", 40, "2099-09-01", "2100-08-31").await;
        let added = subscriptions::claim_additional(&db, &demo.admin, demo.root, "30000001", today)
            .await
            .unwrap();
        assert_eq!(added.seats, 30);
        assert_eq!(limit(&db, demo.root).await, 30);
        // The renewal shows, but the limit changes only on its first day.
        subscriptions::claim_additional(&db, &demo.admin, demo.root, "30000002", today)
            .await
            .unwrap();
        assert_eq!(limit(&db, demo.root).await, 30);
        let held = subscriptions::of_organisation(&db, &demo.admin, demo.root)
            .await
            .unwrap();
        assert_eq!(held.len(), 2);
        assert_eq!(
            subscriptions::sync_root_limits(&db, day("2099-09-01"))
                .await
                .unwrap(),
            1
        );
        assert_eq!(limit(&db, demo.root).await, 40);
        // After everything ended: never below the seats used (9 in the demo).
        subscriptions::sync_root_limits(&db, day("2101-01-01"))
            .await
            .unwrap();
        assert_eq!(limit(&db, demo.root).await, 9);
        assert_counters_exact(&db).await;

        // A serial claimed already, or by a subsite administrator: refused.
        assert_eq!(
            subscriptions::claim_additional(&db, &demo.admin, demo.root, "30000001", today)
                .await
                .unwrap_err(),
            Error::invalid("serial", Code::SerialClaimed)
        );
        sell(&db, "30000003", 5, "2098-09-01", "2099-08-31").await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        assert_eq!(
            subscriptions::claim_additional(&db, &klimop_admin, demo.root, "30000003", today)
                .await
                .unwrap_err(),
            Error::NotFound
        );
    }
);
