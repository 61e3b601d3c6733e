//! PostgreSQL: the roll-up reads the day with `COPY (…) TO STDOUT`, as text parsed here. Read
//! as rows, the driver decoded every row of the day one by one (most of the roll-up's time);
//! copied, a day of a million events comes as a few hundred chunks. `COPY` takes no
//! parameters: the only values written into it are the day's bounds (formatted here from
//! times, never text from anyone) and the last event id.
use chrono::{DateTime, SecondsFormat, Utc};
use futures::TryStreamExt;
use sea_orm::sqlx::postgres::PgPoolCopyExt;

use super::day::{Day, Event, Kind};
use super::record::APP_SESSION;
use crate::error::{Error, Result};
use crate::Db;

fn copy_failed(err: sea_orm::sqlx::Error) -> Error {
    Error::Internal(format!("usage roll-up: {err}"))
}

/// Sums the events of `[start, end)` logged up to `last`, and the sessions begun before
/// `start` still open then; answers the sums and how many events were read.
pub(super) async fn read_day(
    db: &Db,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    last: i32,
) -> Result<(Day, u64)> {
    let at = |t: DateTime<Utc>| {
        format!(
            "'{}'::timestamptz",
            t.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
    };
    let (from, to) = (at(start), at(end));
    // `date_part` answers a double (exact to the microsecond for these dates); `extract` a
    // numeric, several times slower over a million rows.
    let millis = |column: &str| format!("round(date_part('epoch', {column}) * 1000)::bigint");
    let session = format!("kind = '{APP_SESSION}'");
    // Last, whether the row is of the day (1) or a session begun before it (0).
    let columns = |day: u8| format!("{}, {day}", Kind::columns(millis));
    let sql = format!(
        "COPY (SELECT {day} FROM usage_events WHERE at >= {from} AND at < {to} AND id <= {last} \
         UNION ALL SELECT {before} FROM usage_events \
           WHERE {session} AND ended_at > {from} AND at < {from} AND id <= {last} \
         UNION ALL SELECT {before} FROM usage_events \
           WHERE {session} AND ended_at IS NULL AND at < {from} AND id <= {last}) TO STDOUT",
        day = columns(1),
        before = columns(0),
    );
    let pool = db.conn().get_postgres_connection_pool();
    let mut sums = Day::new(start, end);
    let mut read = 0u64;
    let mut chunks = pool.copy_out_raw(&sql).await.map_err(copy_failed)?;
    let mut pending: Vec<u8> = Vec::new();
    while let Some(chunk) = chunks.try_next().await.map_err(copy_failed)? {
        pending.extend_from_slice(&chunk);
        let mut done = 0;
        while let Some(length) = pending[done..].iter().position(|b| *b == b'\n') {
            if let Some(event) = parse(&pending[done..done + length]) {
                sums.add(event);
                read += 1;
            }
            done += length + 1;
        }
        pending.drain(..done);
    }
    Ok((sums, read))
}

/// A line of `COPY`'s text: seven fields separated by tabs (the columns of [`Kind::columns`],
/// then whether it is of the day), `\N` for none.
fn parse(line: &[u8]) -> Option<Event> {
    let mut fields = line.split(|b| *b == b'\t');
    let mut next = || -> Option<Option<i64>> {
        let field = fields.next()?;
        if field == b"\\N" {
            return Some(None);
        }
        std::str::from_utf8(field).ok()?.parse().ok().map(Some)
    };
    let int = |v: Option<i64>| v.and_then(|v| i32::try_from(v).ok());
    let kind = Kind::from_code(int(next()?)?)?;
    let user_id = int(next()?);
    let site_id = int(next()?)?;
    let product_id = int(next()?);
    let at = next()?;
    let ended_at = next()?;
    let of_the_day = next()?? == 1;
    Some(Event {
        kind,
        of_the_day,
        user_id,
        site_id,
        product_id,
        at,
        ended_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_parse_copied_lines() {
        let e = parse(b"3\t12\t7\t2\t1700000000000\t\\N\t0").unwrap_or_else(|| unreachable!());
        assert_eq!(
            (e.kind, e.of_the_day, e.user_id, e.site_id, e.product_id),
            (Kind::AppSession, false, Some(12), 7, Some(2))
        );
        assert_eq!((e.at, e.ended_at), (Some(1_700_000_000_000), None));
        let e = parse(b"1\t\\N\t7\t\\N\t\\N\t\\N\t1").unwrap_or_else(|| unreachable!());
        assert_eq!((e.kind, e.user_id, e.at), (Kind::SignIn, None, None));
        assert!(
            parse(b"9\t1\t7\t\\N\t\\N\t\\N\t1").is_none(),
            "an unknown kind"
        );
        assert!(parse(b"1\t1").is_none(), "a short line");
    }
}
