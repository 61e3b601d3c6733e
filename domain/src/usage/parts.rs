//! SQLite: the roll-up reads the day a quarter of an hour at a time, each part whole (the
//! driver hands a whole result over much faster than row by row: 1.4 s against 3.1 s for a
//! million rows), so that a part holds a bounded share of the day. Kinds come as numbers and
//! only sessions' times, as milliseconds (SQLite keeps times as text).
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, QueryResult};

use super::day::{Day, Event, Kind};
use super::record::APP_SESSION;
use crate::error::Result;

/// The usage log read a part of the day at a time.
const PART_MINUTES: i64 = 15;

fn millis(column: &str) -> String {
    format!("CAST(ROUND((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)")
}

fn columns() -> String {
    Kind::columns(millis)
}

fn event(row: &QueryResult, of_the_day: bool) -> Result<Option<Event>> {
    let Some(kind) = Kind::from_code(row.try_get_by_index(0)?) else {
        return Ok(None);
    };
    Ok(Some(Event {
        kind,
        of_the_day,
        user_id: row.try_get_by_index(1)?,
        site_id: row.try_get_by_index(2)?,
        product_id: row.try_get_by_index(3)?,
        at: row.try_get_by_index(4)?,
        ended_at: row.try_get_by_index(5)?,
    }))
}

/// Sums the events of `[start, end)` and the sessions begun before `start` still open then
/// (ended after it, or not yet: `idx_usage_events_open`) into `sums`, read in the roll-up's
/// transaction; answers how many events were read.
pub(super) async fn read_day(
    conn: &impl ConnectionTrait,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    sums: &mut Day,
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let columns = columns();
    let mut read = 0u64;
    let mut add = |rows: Vec<QueryResult>, of_the_day: bool| -> Result<()> {
        for row in &rows {
            if let Some(e) = event(row, of_the_day)? {
                sums.add(e);
                read += 1;
            }
        }
        Ok(())
    };
    let day = format!("SELECT {columns} FROM usage_events WHERE at >= ? AND at < ?");
    let mut from = start;
    while from < end {
        let to = (from + Duration::minutes(PART_MINUTES)).min(end);
        let values = vec![from.into(), to.into()];
        add(
            conn.query_all_raw(crate::sql::statement(backend, &day, values))
                .await?,
            true,
        )?;
        from = to;
    }
    let before = format!(
        "SELECT {columns} FROM usage_events WHERE kind = '{APP_SESSION}' AND ended_at > ? \
           AND at < ? \
         UNION ALL SELECT {columns} FROM usage_events \
           WHERE kind = '{APP_SESSION}' AND ended_at IS NULL AND at < ?"
    );
    let values = vec![start.into(), start.into(), start.into()];
    add(
        conn.query_all_raw(crate::sql::statement(backend, &before, values))
            .await?,
        false,
    )?;
    Ok(read)
}
