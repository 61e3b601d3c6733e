//! The daily roll-up: each past day (in the organisation's time zone) is summed from the usage
//! log into `usage_days` once, in one transaction that replaces whatever the day had (so
//! rolling a day up again gives the same rows). A day is rolled up again when events of it
//! were logged after it was (a late event), and a day without any activity is marked rolled
//! up with no rows. The housekeeping of any process queues the job; one worker runs it.
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Value,
};
use serde::{Deserialize, Serialize};

use super::record::{APP_SESSION, SIGN_IN, SIGN_IN_FAILED};
use crate::entities::{job, usage_event, usage_rollup};
use crate::error::Result;
use crate::{jobs, Db};

pub const JOB_KIND: &str = "usage.rollup";

/// How long the usage log is kept (the rolled-up days stay): long enough to roll up a day
/// again after a late event, or after the job could not run for weeks.
pub const KEPT_DAYS: i64 = 35;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RollupJob {}

/// Queues the roll-up unless one is queued already; answers whether it did.
pub async fn schedule(db: &Db) -> Result<bool> {
    let queued = job::Entity::find()
        .filter(job::Column::Kind.eq(JOB_KIND))
        .filter(job::Column::Status.eq(jobs::QUEUED))
        .count(db.conn())
        .await?;
    if queued > 0 {
        return Ok(false);
    }
    let txn = db.write().await?;
    jobs::enqueue(&*txn, JOB_KIND, &RollupJob::default()).await?;
    txn.commit().await?;
    Ok(true)
}

/// The moment a day begins in the organisation's time zone.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    wire::time::from_local(day.and_time(NaiveTime::MIN))
}

/// Rolls up every past day that needs it at `now`: yesterday if it was not yet, and every day
/// since the earliest event logged after the last roll-up (late events), within the log kept.
/// Answers the days rolled up.
pub async fn roll_up_due(db: &Db, now: DateTime<Utc>) -> Result<Vec<NaiveDate>> {
    let today = wire::time::local(now).date();
    let yesterday = today - Duration::days(1);
    let oldest = today - Duration::days(KEPT_DAYS);
    let conn = db.conn();
    let watermark: Option<i32> = usage_rollup::Entity::find()
        .select_only()
        .column_as(usage_rollup::Column::LastEventId.max(), "m")
        .into_tuple::<Option<i32>>()
        .one(conn)
        .await?
        .flatten();
    let late: Option<DateTime<Utc>> = usage_event::Entity::find()
        .select_only()
        .column_as(usage_event::Column::At.min(), "m")
        .filter(usage_event::Column::Id.gt(watermark.unwrap_or(0)))
        .filter(usage_event::Column::At.lt(start_of(today)))
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(conn)
        .await?
        .flatten();
    let rolled_yesterday = usage_rollup::Entity::find_by_id(yesterday)
        .one(conn)
        .await?
        .is_some();
    let mut first = if rolled_yesterday { today } else { yesterday };
    if let Some(late) = late {
        first = first.min(wire::time::local(late).date());
    }
    let mut days = Vec::new();
    let mut day = first.max(oldest);
    while day < today {
        roll_up_day(db, day, now).await?;
        days.push(day);
        day += Duration::days(1);
    }
    Ok(days)
}

/// Rolls `day` up (again): its rows replaced by the sums of its events, in one transaction.
/// The licences held are counted too when `day` is yesterday at `now` (a count of today's
/// licences would not tell an older day's).
pub async fn roll_up_day(db: &Db, day: NaiveDate, now: DateTime<Utc>) -> Result<()> {
    let (start, end) = (start_of(day), start_of(day + Duration::days(1)));
    // No cache holds usage: the other processes' caches stay.
    let txn = db.write_uncached().await?;
    let backend = txn.get_database_backend();
    let run = |sql: &str, values: Vec<Value>| crate::sql::statement(backend, sql, values);
    // The last event now: events logged after it roll their day up again.
    let last: Option<i32> = usage_event::Entity::find()
        .select_only()
        .column_as(usage_event::Column::Id.max(), "m")
        .into_tuple::<Option<i32>>()
        .one(&*txn)
        .await?
        .flatten();
    txn.execute_raw(run(
        "DELETE FROM usage_days WHERE day = ?",
        vec![day.into()],
    ))
    .await?;
    // Each site's own users, all products together.
    txn.execute_raw(run(
        &format!(
            "INSERT INTO usage_days (day, site_id, product_id, sign_ins, sign_in_failures, \
               active_users, app_sessions, peak_sessions, licences) \
             SELECT ?, site_id, 0, \
               SUM(CASE WHEN kind = '{SIGN_IN}' THEN 1 ELSE 0 END), \
               SUM(CASE WHEN kind = '{SIGN_IN_FAILED}' THEN 1 ELSE 0 END), \
               COUNT(DISTINCT CASE WHEN kind <> '{SIGN_IN_FAILED}' THEN user_id END), \
               SUM(CASE WHEN kind = '{APP_SESSION}' THEN 1 ELSE 0 END), 0, NULL \
             FROM usage_events WHERE at >= ? AND at < ? GROUP BY site_id"
        ),
        vec![day.into(), start.into(), end.into()],
    ))
    .await?;
    // Each site's own users, per product.
    txn.execute_raw(run(
        &format!(
            "INSERT INTO usage_days (day, site_id, product_id, sign_ins, sign_in_failures, \
               active_users, app_sessions, peak_sessions, licences) \
             SELECT ?, site_id, product_id, 0, 0, COUNT(DISTINCT user_id), COUNT(*), 0, NULL \
             FROM usage_events WHERE kind = '{APP_SESSION}' AND at >= ? AND at < ? \
               AND product_id IS NOT NULL \
             GROUP BY site_id, product_id"
        ),
        vec![day.into(), start.into(), end.into()],
    ))
    .await?;
    // The most sessions open at once in each site's subtree (per product, and all together):
    // each session that overlaps the day is a step up where it begins (or at midnight) and a
    // step down where it ends within the day; an end sorts before a beginning at the same time.
    let products = "(SELECT 0 AS every UNION ALL SELECT 1 AS every)";
    let point = |time: &str, step: &str, extra: &str| {
        format!(
            "SELECT c.ancestor_id AS site, \
               CASE WHEN k.every = 0 THEN 0 ELSE e.product_id END AS product, \
               {time} AS t, {step} AS step \
             FROM usage_events e JOIN site_closure c ON c.descendant_id = e.site_id \
               CROSS JOIN {products} k \
             WHERE e.kind = '{APP_SESSION}' AND e.at < ? \
               AND (e.ended_at IS NULL OR e.ended_at > ?) {extra}"
        )
    };
    let starts = point("CASE WHEN e.at > ? THEN e.at ELSE ? END", "1", "");
    let ends = point("e.ended_at", "-1", "AND e.ended_at < ?");
    txn.execute_raw(run(
        &format!(
            "INSERT INTO usage_days (day, site_id, product_id, sign_ins, sign_in_failures, \
               active_users, app_sessions, peak_sessions, licences) \
             SELECT ?, site, product, 0, 0, 0, 0, MAX(level), NULL FROM ( \
               SELECT site, product, SUM(step) OVER (PARTITION BY site, product \
                 ORDER BY t, step ROWS UNBOUNDED PRECEDING) AS level \
               FROM ({starts} UNION ALL {ends}) points \
             ) levels WHERE product IS NOT NULL GROUP BY site, product \
             ON CONFLICT (day, site_id, product_id) \
               DO UPDATE SET peak_sessions = excluded.peak_sessions"
        ),
        vec![
            day.into(),
            start.into(),
            start.into(),
            end.into(),
            start.into(),
            end.into(),
            start.into(),
            end.into(),
        ],
    ))
    .await?;
    if day + Duration::days(1) == wire::time::local(now).date() {
        txn.execute_raw(run(
            "INSERT INTO usage_days (day, site_id, product_id, sign_ins, sign_in_failures, \
               active_users, app_sessions, peak_sessions, licences) \
             SELECT ?, u.site_id, 0, 0, 0, 0, 0, 0, COUNT(*) \
             FROM licences l JOIN users u ON u.id = l.user_id WHERE 1 = 1 GROUP BY u.site_id \
             ON CONFLICT (day, site_id, product_id) DO UPDATE SET licences = excluded.licences",
            vec![day.into()],
        ))
        .await?;
    }
    txn.execute_raw(run(
        "DELETE FROM usage_rollups WHERE day = ?",
        vec![day.into()],
    ))
    .await?;
    txn.execute_raw(run(
        "INSERT INTO usage_rollups (day, rolled_at, last_event_id) VALUES (?, ?, ?)",
        vec![day.into(), now.into(), last.unwrap_or(0).into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes the usage log older than [`KEPT_DAYS`] (the rolled-up days stay).
pub async fn forget_old(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let cutoff = now - Duration::days(KEPT_DAYS + 1);
    let done = usage_event::Entity::delete_many()
        .filter(usage_event::Column::At.lt(cutoff))
        // An open session stays, however old.
        .filter(
            sea_orm::Condition::any()
                .add(usage_event::Column::Kind.ne(APP_SESSION))
                .add(usage_event::Column::EndedAt.is_not_null()),
        )
        .exec(db.conn())
        .await?;
    Ok(done.rows_affected)
}
