//! The organisation's time zone. Times are stored in UTC and shown in Belgian time: CET
//! (UTC+1), and CEST (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday of
//! October 01:00 UTC, the European Union's rule since 1996. (A configurable zone would need
//! the zone database; every organisation today is Belgian.)
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};

/// Today in Brussels: the day licences, expiry dates and subscriptions are counted in (on the
/// server; the browser has no clock through chrono).
pub fn today() -> chrono::NaiveDate {
    local_date(Utc::now())
}

/// The day in Brussels at `at` (never `at.date_naive()`, the day in Greenwich: between
/// midnight and 01:00 or 02:00 Brussels time that is still yesterday).
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local(at).date()
}

/// The wall-clock time in Brussels at `at`.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    let hours = if summer_time(at) { 2 } else { 1 };
    at.naive_utc() + Duration::hours(hours)
}

/// The moment a wall-clock time in Brussels stands for (the hour that autumn repeats reads
/// as its summer time; the hour spring skips as winter time).
pub fn from_local(wall: NaiveDateTime) -> DateTime<Utc> {
    let winter = (wall - Duration::hours(1)).and_utc();
    let summer = (wall - Duration::hours(2)).and_utc();
    if summer_time(summer) {
        summer
    } else {
        winter
    }
}

fn summer_time(at: DateTime<Utc>) -> bool {
    let year = at.year();
    let switch = |month| {
        last_sunday(year, month).map(|day| day.and_time(NaiveTime::MIN) + Duration::hours(1))
    };
    match (switch(3), switch(10)) {
        (Some(start), Some(end)) => start <= at.naive_utc() && at.naive_utc() < end,
        _ => false,
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some(sunday)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn should_read_a_brussels_wall_clock_time() {
        let wall = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
        assert_eq!(from_local(wall("2026-12-05 08:00")), at(2026, 12, 5, 7, 0));
        assert_eq!(from_local(wall("2026-07-01 11:30")), at(2026, 7, 1, 9, 30));
        for t in [
            at(2026, 3, 29, 2, 0),
            at(2026, 10, 25, 2, 0),
            at(2026, 1, 1, 0, 0),
        ] {
            assert_eq!(from_local(local(t)), t);
        }
    }

    #[test]
    fn should_show_winter_and_summer_time_as_brussels_does() {
        let shown = |t| local(t).format("%Y-%m-%d %H:%M").to_string();
        assert_eq!(shown(at(2026, 12, 3, 9, 30)), "2026-12-03 10:30");
        assert_eq!(shown(at(2026, 7, 1, 9, 30)), "2026-07-01 11:30");
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(shown(at(2026, 3, 29, 0, 59)), "2026-03-29 01:59");
        assert_eq!(shown(at(2026, 3, 29, 1, 0)), "2026-03-29 03:00");
        assert_eq!(shown(at(2026, 10, 25, 0, 59)), "2026-10-25 02:59");
        assert_eq!(shown(at(2026, 10, 25, 1, 0)), "2026-10-25 02:00");
        // New Year's Eve at midnight in Brussels is still the old year in UTC.
        assert_eq!(shown(at(2026, 12, 31, 23, 30)), "2027-01-01 00:30");
    }
}
