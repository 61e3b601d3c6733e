//! PostgreSQL: the roll-up reads the day with `COPY (…) TO STDOUT (FORMAT binary)`, parsed
//! here. Read as rows, the driver decoded every row of the day one by one (most of the
//! roll-up's time); copied as text, PostgreSQL spent most of its time turning times into
//! numbers and numbers into text. In the binary form a time is the server's own count of
//! microseconds and a number its four bytes: a day of a million events comes as a few hundred
//! chunks read with no conversion. `COPY` takes no parameters: the only values written into
//! it are the day's bounds (formatted here from times, never text from anyone) and the last
//! event id.
use chrono::{DateTime, SecondsFormat, Utc};
use futures::TryStreamExt;
use sea_orm::sqlx::postgres::PgPoolCopyExt;

use super::day::{Day, Event, Kind};
use super::record::APP_SESSION;
use crate::error::{Error, Result};
use crate::Db;

fn copy_failed(err: impl std::fmt::Display) -> Error {
    Error::Internal(format!("usage roll-up: {err}"))
}

/// Sums the events of `[start, end)` logged up to `last`, and the sessions begun before
/// `start` still open then, into `sums`; answers how many events were read.
pub(super) async fn read_day(
    db: &Db,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    last: i32,
    sums: &mut Day,
) -> Result<u64> {
    let at = |t: DateTime<Utc>| {
        format!(
            "'{}'::timestamptz",
            t.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
    };
    let (from, to) = (at(start), at(end));
    // Each column cast to the type `parse` reads (four bytes, or a time in eight).
    let time = |column: &str| format!("{column}::timestamptz");
    let session = format!("kind = '{APP_SESSION}'");
    // Last, whether the row is of the day (1) or a session begun before it (0).
    let columns = |day: u8| format!("{}, {day}::int4", Kind::columns(time));
    let sql = format!(
        "COPY (SELECT {day} FROM usage_events WHERE at >= {from} AND at < {to} AND id <= {last} \
         UNION ALL SELECT {before} FROM usage_events \
           WHERE {session} AND ended_at > {from} AND at < {from} AND id <= {last} \
         UNION ALL SELECT {before} FROM usage_events \
           WHERE {session} AND ended_at IS NULL AND at < {from} AND id <= {last}) \
         TO STDOUT (FORMAT binary)",
        day = columns(1),
        before = columns(0),
    );
    let pool = db.conn().get_postgres_connection_pool();
    let mut read = 0u64;
    let mut chunks = pool.copy_out_raw(&sql).await.map_err(copy_failed)?;
    let mut pending: Vec<u8> = Vec::new();
    let mut header = true;
    let mut ended = false;
    while let Some(chunk) = chunks.try_next().await.map_err(copy_failed)? {
        pending.extend_from_slice(&chunk);
        let mut done = 0;
        if header {
            match header_length(&pending) {
                Front::Incomplete => continue,
                Front::Row(_, length) => {
                    header = false;
                    done = length;
                }
                Front::Trailer | Front::Malformed => {
                    return Err(copy_failed("not PostgreSQL's binary copy"))
                }
            }
        }
        while !ended {
            match row(&pending[done..]) {
                Front::Incomplete => break,
                Front::Trailer => ended = true,
                Front::Malformed => return Err(copy_failed("a row the roll-up does not read")),
                Front::Row(event, length) => {
                    if let Some(event) = event {
                        sums.add(event);
                        read += 1;
                    }
                    done += length;
                }
            }
        }
        pending.drain(..done);
    }
    Ok(read)
}

/// What the front of the unread bytes holds.
#[derive(Debug)]
enum Front {
    /// Not all of it yet.
    Incomplete,
    /// The end of the rows.
    Trailer,
    /// Not the columns asked for (a column of another type than `parse` reads).
    Malformed,
    /// A row (an event, unless it is not one the roll-up knows) and its length in bytes.
    Row(Option<Event>, usize),
}

/// The signature that begins a binary copy.
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// The header: the signature, 32 bits of flags, and an extension of the length that follows.
fn header_length(bytes: &[u8]) -> Front {
    let Some(extension) = bytes.get(15..19) else {
        return Front::Incomplete;
    };
    if !bytes.starts_with(SIGNATURE) {
        return Front::Malformed;
    }
    let extension = u32::from_be_bytes([extension[0], extension[1], extension[2], extension[3]]);
    let length = 19 + extension as usize;
    if bytes.len() < length {
        return Front::Incomplete;
    }
    Front::Row(None, length)
}

/// A row: its number of fields (-1: the end), then each field's length (-1: none) and bytes,
/// big-endian. Seven fields: the columns of [`Kind::columns`], then whether it is of the day.
fn row(bytes: &[u8]) -> Front {
    let Some(count) = bytes.get(..2) else {
        return Front::Incomplete;
    };
    let count = i16::from_be_bytes([count[0], count[1]]);
    if count < 0 {
        return Front::Trailer;
    }
    let mut fields: [Option<&[u8]>; 7] = [None; 7];
    let mut at = 2;
    for n in 0..count as usize {
        let Some(length) = bytes.get(at..at + 4) else {
            return Front::Incomplete;
        };
        let length = i32::from_be_bytes([length[0], length[1], length[2], length[3]]);
        at += 4;
        if length < 0 {
            continue;
        }
        let Some(field) = bytes.get(at..at + length as usize) else {
            return Front::Incomplete;
        };
        at += length as usize;
        if let Some(slot) = fields.get_mut(n) {
            *slot = Some(field);
        }
    }
    if count != 7 {
        return Front::Malformed;
    }
    match event(&fields) {
        Ok(event) => Front::Row(event, at),
        Err(Malformed) => Front::Malformed,
    }
}

/// A field of another length than its type's.
struct Malformed;

/// Milliseconds between 1970 and 2000, where PostgreSQL counts its times from.
const Y2K_MILLIS: i64 = 946_684_800_000;

/// The event of a row's fields; `None` for a kind the roll-up does not count.
fn event(fields: &[Option<&[u8]>; 7]) -> Result<Option<Event>, Malformed> {
    let int = |field: Option<&[u8]>| -> Result<Option<i32>, Malformed> {
        field
            .map(|bytes| {
                bytes
                    .try_into()
                    .map(i32::from_be_bytes)
                    .map_err(|_| Malformed)
            })
            .transpose()
    };
    // Microseconds since 2000 to milliseconds since 1970.
    let time = |field: Option<&[u8]>| -> Result<Option<i64>, Malformed> {
        let micros = field
            .map(|bytes| {
                bytes
                    .try_into()
                    .map(i64::from_be_bytes)
                    .map_err(|_| Malformed)
            })
            .transpose()?;
        Ok(micros.map(|m| m.div_euclid(1000) + Y2K_MILLIS))
    };
    let (Some(kind), Some(site_id), Some(day)) =
        (int(fields[0])?, int(fields[2])?, int(fields[6])?)
    else {
        return Err(Malformed);
    };
    let (user_id, product_id) = (int(fields[1])?, int(fields[3])?);
    let (at, ended_at) = (time(fields[4])?, time(fields[5])?);
    Ok(Kind::from_code(kind).map(|kind| Event {
        kind,
        user_id,
        site_id,
        product_id,
        at,
        ended_at,
        of_the_day: day == 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row as PostgreSQL writes it: `None` fields as -1.
    fn encoded(fields: &[Option<Vec<u8>>]) -> Vec<u8> {
        let mut bytes = (fields.len() as i16).to_be_bytes().to_vec();
        for field in fields {
            match field {
                None => bytes.extend((-1i32).to_be_bytes()),
                Some(value) => {
                    bytes.extend((value.len() as i32).to_be_bytes());
                    bytes.extend(value);
                }
            }
        }
        bytes
    }

    fn int(v: i32) -> Option<Vec<u8>> {
        Some(v.to_be_bytes().to_vec())
    }

    #[test]
    fn should_parse_binary_rows() {
        // 2023-11-14 22:13:20 UTC: 1,700,000,000,000 ms since 1970.
        let micros = (1_700_000_000_000 - Y2K_MILLIS) * 1000;
        let session = encoded(&[
            int(3),
            int(12),
            int(7),
            int(2),
            Some(micros.to_be_bytes().to_vec()),
            None,
            int(0),
        ]);
        let Front::Row(Some(e), length) = row(&session) else {
            unreachable!("a whole row")
        };
        assert_eq!(length, session.len());
        assert_eq!(
            (e.kind, e.of_the_day, e.user_id, e.site_id, e.product_id),
            (Kind::AppSession, false, Some(12), 7, Some(2))
        );
        assert_eq!((e.at, e.ended_at), (Some(1_700_000_000_000), None));
        let sign_in = encoded(&[int(1), None, int(7), None, None, None, int(1)]);
        let Front::Row(Some(e), _) = row(&sign_in) else {
            unreachable!("a whole row")
        };
        assert_eq!((e.kind, e.user_id, e.at), (Kind::SignIn, None, None));
        let unknown = encoded(&[int(9), int(1), int(7), None, None, None, int(1)]);
        assert!(
            matches!(row(&unknown), Front::Row(None, _)),
            "an unknown kind"
        );
        for cut in 0..session.len() {
            assert!(
                matches!(row(&session[..cut]), Front::Incomplete),
                "cut at {cut}"
            );
        }
        assert!(matches!(row(&(-1i16).to_be_bytes()), Front::Trailer));
        let wide = encoded(&[
            Some(3i64.to_be_bytes().to_vec()),
            int(1),
            int(7),
            None,
            None,
            None,
            int(1),
        ]);
        assert!(
            matches!(row(&wide), Front::Malformed),
            "a bigint where an int4 was asked"
        );
        let short = encoded(&[int(1), int(1), int(7), None, None, None]);
        assert!(matches!(row(&short), Front::Malformed), "six fields");
    }

    #[test]
    fn should_read_the_header() {
        let mut header = SIGNATURE.to_vec();
        header.extend(0u32.to_be_bytes());
        header.extend(4u32.to_be_bytes());
        assert!(
            matches!(header_length(&header), Front::Incomplete),
            "its extension to come"
        );
        header.extend([0; 4]);
        assert!(matches!(header_length(&header), Front::Row(None, 23)));
        assert!(
            matches!(
                header_length(b"3\t12\t7\t2\t17000000000\t\\N\t0\n"),
                Front::Malformed
            ),
            "text"
        );
    }
}
