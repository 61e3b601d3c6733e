//! Usage insights: the log written by sign-ins and (through triggers) application sessions, and
//! the daily roll-up — its figures for a known day, rolled up again alike, late events, a day
//! without activity, a session across midnight.
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use domain::entities::{site, usage_day, usage_event, usage_rollup, user};
use domain::usage::{UsageQuery, Whose};
use domain::{applications, auth, demo, usage, Db, Principal};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::applications::world;
use crate::db_test;
use crate::helpers::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A moment given in Brussels wall-clock time ("2026-11-10 09:00").
fn at(wall: &str) -> DateTime<Utc> {
    wire::time::from_local(NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M").unwrap())
}

async fn site_named(db: &Db, name: &str) -> site::Model {
    site::Entity::find()
        .filter(site::Column::Name.eq(name))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

async fn user_named(db: &Db, username: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

/// Logs an event as the log holds them.
async fn log(
    db: &Db,
    kind: &str,
    user: &user::Model,
    from: &str,
    product: Option<i32>,
    until: Option<&str>,
) {
    usage_event::ActiveModel {
        at: Set(at(from)),
        kind: Set(kind.into()),
        user_id: Set(Some(user.id)),
        site_id: Set(user.site_id),
        product_id: Set(product),
        session_id: Set(None),
        ended_at: Set(until.map(at)),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
}

/// A day's rows, by (site, product): (sign-ins, failures, active users, sessions, peak).
type Rows = BTreeMap<(i32, i32), (i32, i32, i32, i32, i32)>;

async fn rows(db: &Db, of: NaiveDate) -> Rows {
    usage_day::Entity::find()
        .filter(usage_day::Column::Day.eq(of))
        .order_by_asc(usage_day::Column::SiteId)
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                (r.site_id, r.product_id),
                (
                    r.sign_ins,
                    r.sign_in_failures,
                    r.active_users,
                    r.app_sessions,
                    r.peak_sessions,
                ),
            )
        })
        .collect()
}

db_test!(
    should_roll_up_a_day_the_same_each_time_with_late_events_and_quiet_days,
    |db: Db| async move {
        let handles = demo(&db).await;
        let (root, regenboog, klimop) = (
            site_named(&db, demo::ORGANISATION).await.id,
            site_named(&db, "De Regenboog").await.id,
            site_named(&db, "De Klimop").await.id,
        );
        // Two users of De Regenboog, one of De Klimop (demo users, moved where needed).
        let mut a = user_named(&db, demo::ADMIN_USERNAME).await;
        let mut b = user_named(&db, "emma.willems").await;
        let mut c = user_named(&db, "sofie.maes").await;
        for (u, site) in [(&mut a, regenboog), (&mut b, regenboog), (&mut c, klimop)] {
            u.site_id = site;
        }
        let (p1, p2) = (101, 102);
        // Day D is 10 November 2026 in Brussels.
        let d = day("2026-11-10");
        log(&db, "sign_in", &a, "2026-11-10 09:00", None, None).await;
        log(&db, "sign_in", &a, "2026-11-10 15:00", None, None).await;
        log(
            &db,
            "app_session",
            &a,
            "2026-11-10 10:00",
            Some(p1),
            Some("2026-11-10 12:00"),
        )
        .await;
        log(&db, "sign_in_failed", &b, "2026-11-10 09:30", None, None).await;
        log(
            &db,
            "app_session",
            &b,
            "2026-11-10 11:00",
            Some(p1),
            Some("2026-11-10 13:00"),
        )
        .await;
        log(
            &db,
            "app_session",
            &b,
            "2026-11-10 11:30",
            Some(p2),
            Some("2026-11-10 11:45"),
        )
        .await;
        // Across midnight: counted on the day it opened, open on both.
        log(
            &db,
            "app_session",
            &c,
            "2026-11-09 23:00",
            Some(p1),
            Some("2026-11-10 08:00"),
        )
        .await;
        // Touching, not overlapping: ends as another begins.
        log(
            &db,
            "app_session",
            &a,
            "2026-11-10 12:00",
            Some(p1),
            Some("2026-11-10 12:30"),
        )
        .await;
        // The next day.
        log(&db, "sign_in", &c, "2026-11-11 08:00", None, None).await;

        let now = at("2026-11-13 10:00");
        let rolled = usage::roll_up_due(&db, now).await.unwrap();
        // From the earliest event's day to yesterday; the 12th has no activity.
        assert_eq!(
            rolled,
            vec![
                day("2026-11-09"),
                day("2026-11-10"),
                day("2026-11-11"),
                day("2026-11-12")
            ]
        );
        let expected: Rows = [
            // De Regenboog, all products: 2 sign-ins, 1 failure, 2 active users (the failure
            // alone does not make b active; b's sessions do), 4 sessions, at most 3 at once
            // (11:30–11:45).
            ((regenboog, 0), (2, 1, 2, 4, 3)),
            ((regenboog, p1), (0, 0, 2, 3, 2)),
            ((regenboog, p2), (0, 0, 1, 1, 1)),
            // De Klimop: no session opened that day, one open from midnight to 08:00.
            ((klimop, 0), (0, 0, 0, 0, 1)),
            ((klimop, p1), (0, 0, 0, 0, 1)),
            // The organisation: its own users did nothing; its subtree's peak.
            ((root, 0), (0, 0, 0, 0, 3)),
            ((root, p1), (0, 0, 0, 0, 2)),
            ((root, p2), (0, 0, 0, 0, 1)),
        ]
        .into_iter()
        .collect();
        assert_eq!(rows(&db, d).await, expected);
        let before = rows(&db, day("2026-11-09")).await;
        assert_eq!(before[&(klimop, 0)], (0, 0, 1, 1, 1));
        assert_eq!(before[&(root, p1)], (0, 0, 0, 0, 1));
        // A day without activity is rolled up, with no rows.
        assert!(rows(&db, day("2026-11-12")).await.is_empty());
        assert!(usage_rollup::Entity::find_by_id(day("2026-11-12"))
            .one(db.conn())
            .await
            .unwrap()
            .is_some());

        // Rolled up again: the same rows. Nothing is due twice.
        usage::roll_up_day(&db, d, now).await.unwrap();
        assert_eq!(rows(&db, d).await, expected);
        assert!(usage::roll_up_due(&db, now).await.unwrap().is_empty());

        // A late event of the 10th rolls that day (and the days after it) up again.
        log(&db, "sign_in", &b, "2026-11-10 20:00", None, None).await;
        let again = usage::roll_up_due(&db, now).await.unwrap();
        assert_eq!(again[0], d);
        let late = rows(&db, d).await;
        assert_eq!(late[&(regenboog, 0)], (3, 1, 2, 4, 3));

        // The charts: a subtree's days summed, its own peak, zeros on quiet days.
        let director = handles.admin.clone();
        let series = |whose, product: Option<&str>, who: Principal| {
            let db = db.clone();
            let product = product.map(str::to_string);
            async move {
                usage::series(
                    &db,
                    &who,
                    UsageQuery {
                        whose,
                        product,
                        from: day("2026-11-09"),
                        to: day("2026-11-12"),
                    },
                )
                .await
            }
        };
        let root_public = site_named(&db, demo::ORGANISATION).await.public_id;
        let days = series(Whose::Site(root_public), None, director.clone())
            .await
            .unwrap();
        let figures: Vec<(i64, i64, i64, i64, i64)> = days
            .iter()
            .map(|d| {
                (
                    d.sign_ins,
                    d.sign_in_failures,
                    d.active_users,
                    d.app_sessions,
                    d.peak_sessions,
                )
            })
            .collect();
        assert_eq!(
            figures,
            vec![
                (0, 0, 1, 1, 1),
                (3, 1, 2, 4, 3),
                (1, 0, 1, 0, 0),
                (0, 0, 0, 0, 0)
            ]
        );
        // Every customer (the vendor's own organisation has no usage here): the same.
        let operator = operator_named(&db, "olga.usage").await;
        let every = series(Whose::EveryCustomer, None, operator.clone())
            .await
            .unwrap();
        assert_eq!(every, days);
        // A subtree: De Klimop's administrator sees De Klimop only.
        let klimop_public = site_named(&db, "De Klimop").await.public_id;
        let klimop_admin = admin_of(&db, klimop_public, "klimop.usage").await;
        let regenboog_public = site_named(&db, "De Regenboog").await.public_id;
        assert_eq!(
            series(Whose::Site(regenboog_public), None, klimop_admin.clone())
                .await
                .unwrap_err(),
            domain::Error::NotFound
        );
        assert_eq!(
            series(Whose::EveryCustomer, None, klimop_admin.clone())
                .await
                .unwrap_err(),
            domain::Error::Forbidden
        );
        let own = series(Whose::Site(klimop_public), None, klimop_admin)
            .await
            .unwrap();
        assert_eq!(own[1].peak_sessions, 1);
        assert_eq!(own[2].sign_ins, 1);
        // A year at most.
        assert!(usage::series(
            &db,
            &director,
            UsageQuery {
                whose: Whose::Site(root_public),
                product: None,
                from: day("2025-01-01"),
                to: day("2026-11-12"),
            },
        )
        .await
        .is_err());

        // The log is kept for a while, then removed; the rolled-up days stay.
        let forgotten = usage::forget_old(&db, now + Duration::days(usage::KEPT_DAYS + 5))
            .await
            .unwrap();
        assert_eq!(forgotten, 10);
        assert_eq!(rows(&db, d).await, late);
    }
);

db_test!(
    should_log_sign_ins_failures_and_application_sessions_as_they_happen,
    |db: Db| async move {
        let w = world(&db).await;
        let pupil = user::Entity::find()
            .filter(user::Column::PublicId.eq(w.pupil.0))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        // An application session: logged when it opens, its end when it ends.
        let session = applications::open(
            &db,
            &w.pupil.1,
            w.pupil.0,
            "reader",
            None,
            wire::time::today(),
        )
        .await
        .unwrap();
        let logged = usage_event::Entity::find()
            .filter(usage_event::Column::Kind.eq(usage::APP_SESSION))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (logged.user_id, logged.site_id, logged.ended_at),
            (Some(pupil.id), pupil.site_id, None)
        );
        assert!(logged.product_id.is_some());
        applications::close(&db, &w.pupil.1, session.public_id)
            .await
            .unwrap();
        let ended = usage_event::Entity::find_by_id(logged.id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert!(ended.ended_at.is_some_and(|t| t >= logged.at));

        // A sign-in, and a known user's wrong password; an unknown name logs nothing.
        auth::sign_in(&db, "Directeur", demo::ADMIN_PASSWORD, None)
            .await
            .unwrap();
        auth::sign_in(&db, "directeur", "wrong-password", None)
            .await
            .unwrap_err();
        auth::sign_in(&db, "nobody.at.all", "wrong-password", None)
            .await
            .unwrap_err();
        let director = user_named(&db, demo::ADMIN_USERNAME).await;
        let kinds: Vec<(String, Option<i32>, i32)> = usage_event::Entity::find()
            .filter(usage_event::Column::Kind.ne(usage::APP_SESSION))
            .order_by_asc(usage_event::Column::Id)
            .all(db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.kind, e.user_id, e.site_id))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (
                    usage::SIGN_IN.to_string(),
                    Some(director.id),
                    director.site_id
                ),
                (
                    usage::SIGN_IN_FAILED.to_string(),
                    Some(director.id),
                    director.site_id
                ),
            ]
        );
    }
);
