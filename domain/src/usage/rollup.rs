//! The daily roll-up: each past day (in the organisation's time zone) is summed from the usage
//! log into `usage_days` once, in one transaction that replaces whatever the day had (so
//! rolling a day up again gives the same rows). A day is rolled up again when events of it
//! were logged after it was (a late event), and a day without any activity is marked rolled
//! up with no rows. The housekeeping of any process queues the job; one worker runs it.
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Value,
};
use serde::{Deserialize, Serialize};

use super::record::APP_SESSION;
use crate::entities::{job, site_closure, usage_day, usage_event, usage_rollup};
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
/// The day's events are read once and summed as they come (`day::Day`); the sessions opened
/// before the day and still open when it began count towards its peaks. The licences held are
/// counted too when `day` is yesterday at `now` (a count of today's licences would not tell an
/// older day's).
pub async fn roll_up_day(db: &Db, day: NaiveDate, now: DateTime<Utc>) -> Result<()> {
    let (start, end) = (start_of(day), start_of(day + Duration::days(1)));
    let began = std::time::Instant::now();
    // No cache holds usage: the other processes' caches stay.
    let txn = db.write_uncached().await?;
    let backend = db.backend();
    let run = |sql: &str, values: Vec<Value>| crate::sql::statement(backend, sql, values);
    // The last event now: events logged after it roll their day up again.
    let last: Option<i32> = usage_event::Entity::find()
        .select_only()
        .column_as(usage_event::Column::Id.max(), "m")
        .into_tuple::<Option<i32>>()
        .one(&*txn)
        .await?
        .flatten();
    let mut sums = super::day::Day::new(start, end, ancestors(&*txn).await?);
    let events = if backend == sea_orm::DbBackend::Postgres {
        super::copied::read_day(db, start, end, last.unwrap_or(0), &mut sums).await?
    } else {
        super::parts::read_day(&*txn, start, end, &mut sums).await?
    };
    let read = began.elapsed();
    let figures = sums.figures();
    let summed = began.elapsed();
    let written = figures.len();
    usage_day::Entity::delete_many()
        .filter(usage_day::Column::Day.eq(day))
        .exec(&*txn)
        .await?;
    if backend == sea_orm::DbBackend::Postgres {
        write_unnested(&*txn, day, figures).await?;
    } else {
        let rows: Vec<usage_day::ActiveModel> = figures
            .into_iter()
            .map(|((site_id, product_id), f)| usage_day::ActiveModel {
                day: Set(day),
                site_id: Set(site_id),
                product_id: Set(product_id),
                sign_ins: Set(f.sign_ins),
                sign_in_failures: Set(f.sign_in_failures),
                active_users: Set(f.active_users),
                app_sessions: Set(f.app_sessions),
                peak_sessions: Set(f.peak_sessions),
                licences: Set(None),
            })
            .collect();
        for chunk in rows.chunks(INSERTED_AT_ONCE) {
            usage_day::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&*txn)
                .await?;
        }
    }
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
    usage_rollup::Entity::delete_many()
        .filter(usage_rollup::Column::Day.eq(day))
        .exec(&*txn)
        .await?;
    usage_rollup::ActiveModel {
        day: Set(day),
        rolled_at: Set(now),
        last_event_id: Set(last.unwrap_or(0)),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    tracing::info!(
        %day,
        events,
        rows = written,
        read_ms = read.as_millis() as u64,
        summed_ms = (summed - read).as_millis() as u64,
        written_ms = (began.elapsed() - summed).as_millis() as u64,
        "usage day rolled up"
    );
    Ok(())
}

/// Rows of `usage_days` in one statement (9 values each: well under both databases' limits).
const INSERTED_AT_ONCE: usize = 1_000;

/// PostgreSQL: the day's rows in one statement, a column to an array (seven parameters
/// however many rows; as values, 44,000 rows took 44 statements of 9,000 parameters).
async fn write_unnested(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    figures: std::collections::BTreeMap<(i32, i32), super::day::Figures>,
) -> Result<()> {
    let mut columns: [Vec<i32>; 7] = Default::default();
    for ((site_id, product_id), f) in figures {
        let row = [
            site_id,
            product_id,
            f.sign_ins,
            f.sign_in_failures,
            f.active_users,
            f.app_sessions,
            f.peak_sessions,
        ];
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let values: Vec<Value> = std::iter::once(day.into())
        .chain(columns.into_iter().map(Value::from))
        .collect();
    conn.execute_raw(crate::sql::statement(
        sea_orm::DbBackend::Postgres,
        "INSERT INTO usage_days (day, site_id, product_id, sign_ins, sign_in_failures, \
           active_users, app_sessions, peak_sessions) \
         SELECT ?, * FROM UNNEST(?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::int4[], \
           ?::int4[], ?::int4[])",
        values,
    ))
    .await?;
    Ok(())
}

/// Each site's ancestors, itself first (the whole closure: a row per site and level).
async fn ancestors(conn: &impl ConnectionTrait) -> Result<HashMap<i32, Vec<i32>>> {
    let pairs: Vec<(i32, i32)> = site_closure::Entity::find()
        .select_only()
        .column(site_closure::Column::DescendantId)
        .column(site_closure::Column::AncestorId)
        .order_by_asc(site_closure::Column::DescendantId)
        .order_by_asc(site_closure::Column::Depth)
        .into_tuple()
        .all(conn)
        .await?;
    let mut ancestors: HashMap<i32, Vec<i32>> = HashMap::new();
    for (site, ancestor) in pairs {
        ancestors.entry(site).or_default().push(ancestor);
    }
    Ok(ancestors)
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
