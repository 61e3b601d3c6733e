//! The weekly renewals mail: operators who ask for it get, once a week from Monday morning,
//! the customers' subscriptions that end within [`DIGEST_DAYS`] without a renewal and those
//! that lapsed in the past week, in their own language. The week is recorded in the
//! transaction that queues the mails, so that of several processes (and hourly runs) one
//! sends it, once.
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use wire::{RenewalRow, RenewalState};

use super::renewals::{renewal_rows, RenewalQuery};
use crate::access::{self, Operation};
use crate::entities::{renewal_digest, user};
use crate::error::{Error, Result};
use crate::mail::{self, DigestLine, Template};
use crate::{Db, Principal};

/// The window the mail looks ahead, in days.
pub const DIGEST_DAYS: u32 = 30;
/// How far back a lapsed subscription is news.
pub const LAPSED_NEWS_DAYS: i64 = 7;
/// The most subscriptions a mail lists (the rest are counted, and on the page).
pub const DIGEST_LINES: usize = 25;
/// The hour on Monday (in the organisation's time zone) from which the week's mail goes.
const SEND_FROM_HOUR: u32 = 7;

fn operator_id(principal: &Principal) -> Result<i32> {
    access::require_operator(principal, Operation::ViewCustomers)?;
    match principal {
        Principal::User(actor) => Ok(actor.user_id),
        Principal::Anonymous => Err(Error::Unauthenticated),
    }
}

/// Whether the signed-in operator gets the weekly mail.
pub async fn digest_wanted(db: &Db, principal: &Principal) -> Result<bool> {
    let me = operator_id(principal)?;
    let found = user::Entity::find_by_id(me).one(db.conn()).await?;
    Ok(found.is_some_and(|u| u.renewals_digest))
}

/// The signed-in operator's choice of the weekly mail.
pub async fn set_digest(db: &Db, principal: &Principal, wanted: bool) -> Result<()> {
    let me = operator_id(principal)?;
    let txn = db.write().await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::RenewalsDigest,
            sea_orm::sea_query::Expr::value(wanted),
        )
        .filter(user::Column::Id.eq(me))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// The Monday of the week `day` is in.
fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// What the mail says about the renewals list on `today`.
pub(crate) fn digest_of(rows: &[RenewalRow], today: NaiveDate) -> DigestSummary {
    let lapsed_since = today - Duration::days(LAPSED_NEWS_DAYS);
    let count = |state: RenewalState| rows.iter().filter(|r| r.state == state).count();
    let news: Vec<&RenewalRow> = rows
        .iter()
        .filter(|r| {
            r.state == RenewalState::Ending
                || (r.state == RenewalState::Lapsed && r.valid_until >= lapsed_since)
        })
        .collect();
    let lapsed = news
        .iter()
        .filter(|r| r.state == RenewalState::Lapsed)
        .count();
    DigestSummary {
        ending: count(RenewalState::Ending),
        renewed: count(RenewalState::Renewed),
        upcoming: count(RenewalState::Upcoming),
        lapsed,
        lines: news
            .iter()
            .take(DIGEST_LINES)
            .map(|r| DigestLine {
                customer: r.customer_name.clone(),
                serial: r.serial.clone(),
                valid_until: r.valid_until,
                assigned: r.assigned,
                seats: r.seats,
                lapsed: r.state == RenewalState::Lapsed,
            })
            .collect(),
        more: news.len().saturating_sub(DIGEST_LINES),
    }
}

pub(crate) struct DigestSummary {
    ending: usize,
    renewed: usize,
    upcoming: usize,
    lapsed: usize,
    lines: Vec<DigestLine>,
    more: usize,
}

fn small(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Queues this week's mail at `now` unless it went already or it is before Monday morning:
/// answers the mails queued. Nothing goes when nothing ends and nothing lapsed (the week is
/// recorded all the same).
pub async fn send_digest_due(db: &Db, now: DateTime<Utc>) -> Result<usize> {
    let local = wire::time::local(now);
    let today = local.date();
    let week = week_of(today);
    let send_from = NaiveTime::from_hms_opt(SEND_FROM_HOUR, 0, 0).unwrap_or(NaiveTime::MIN);
    if today == week && local.time() < send_from {
        return Ok(0);
    }
    if renewal_digest::Entity::find_by_id(week)
        .one(db.conn())
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let txn = db.write_uncached().await?;
    // The week first: of two processes, the second finds it and queues nothing.
    let claimed = renewal_digest::Entity::insert(renewal_digest::ActiveModel {
        week: Set(week),
        queued_at: Set(now),
        mails: Set(0),
    })
    .on_conflict(
        OnConflict::column(renewal_digest::Column::Week)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&*txn)
    .await?;
    if claimed == 0 {
        return Ok(0);
    }
    let query = RenewalQuery {
        within_days: DIGEST_DAYS,
    };
    let summary = digest_of(&renewal_rows(&*txn, query, today).await?, today);
    if summary.ending + summary.lapsed == 0 {
        txn.commit().await?;
        return Ok(0);
    }
    let operators = user::Entity::find()
        .filter(user::Column::IsOperator.eq(true))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::RenewalsDigest.eq(true))
        .filter(user::Column::Email.is_not_null())
        .all(&*txn)
        .await?;
    let mut sent = 0;
    for operator in &operators {
        let Some(email) = operator.email.as_deref().filter(|e| !e.is_empty()) else {
            continue;
        };
        let template = Template::RenewalsDigest {
            name: format!("{} {}", operator.first_name, operator.last_name)
                .trim()
                .to_string(),
            days: DIGEST_DAYS,
            ending: small(summary.ending),
            renewed: small(summary.renewed),
            upcoming: small(summary.upcoming),
            lapsed: small(summary.lapsed),
            lines: summary.lines.clone(),
            more: small(summary.more),
        };
        mail::queue(&*txn, email, operator.locale.as_deref(), template).await?;
        sent += 1;
    }
    renewal_digest::Entity::update(renewal_digest::ActiveModel {
        week: Set(week),
        mails: Set(small(sent)),
        ..Default::default()
    })
    .exec(&*txn)
    .await?;
    txn.commit().await?;
    Ok(sent)
}
