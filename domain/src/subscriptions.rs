//! Subscriptions: what the vendor sells. An operator creates one (serial number of 6 to 11
//! digits, seats, validity); an administrator claims it once with the serial number, which
//! creates the organisation's root site with those seats.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::access::{self, Operation};
use crate::entities::{site, subscription};
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::{validate, Db, Principal};

/// The create-subscription form as typed.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionForm {
    pub serial: String,
    pub seats: String,
    pub valid_from: String,
    pub valid_until: String,
    /// Where the confirmation goes (the customer's contact); empty: to the operator.
    pub contact_email: String,
    /// The language of the confirmation mail.
    pub locale: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub serial: String,
    pub seats: i32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub contact_email: Option<String>,
    /// The organisation that claimed it.
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl SubscriptionRow {
    /// Whether it has not begun yet, runs, or has ended on `today` (both ends count).
    pub fn state(&self, today: NaiveDate) -> wire::SubscriptionState {
        if self.valid_from > today {
            wire::SubscriptionState::Upcoming
        } else if self.valid_until < today {
            wire::SubscriptionState::Ended
        } else {
            wire::SubscriptionState::Current
        }
    }
}

/// Creates a subscription as an operator (the operator page).
pub async fn create(
    db: &Db,
    principal: &Principal,
    mut form: SubscriptionForm,
) -> Result<SubscriptionRow> {
    access::require_operator(principal, Operation::ManageSubscriptions)?;
    if form.contact_email.trim().is_empty() {
        if let Principal::User(actor) = principal {
            form.contact_email = crate::users::email_of(db, actor.user_id)
                .await?
                .unwrap_or_default();
        }
    }
    insert(db, form).await
}

/// Creates a subscription and queues its confirmation mail. For the command line, whose
/// user already holds the database; the operator page goes through [`create`].
pub async fn insert(db: &Db, form: SubscriptionForm) -> Result<SubscriptionRow> {
    let serial = validate::serial(&form.serial)?;
    let seats = validate::seat_limit(&form.seats).map_err(|e| Error::invalid("seats", e.code()))?;
    if seats == 0 {
        return Err(Error::invalid("seats", Code::SeatsRequired));
    }
    let valid_from = validate::optional_date("valid_from", &form.valid_from)?
        .ok_or(Error::invalid("valid_from", Code::DateInvalid))?;
    let valid_until = validate::optional_date("valid_until", &form.valid_until)?
        .ok_or(Error::invalid("valid_until", Code::DateInvalid))?;
    if valid_until < valid_from {
        return Err(Error::invalid("valid_until", Code::DateRangeReversed));
    }
    let contact_email = validate::optional_email(&form.contact_email)?;
    let locale = validate::language(if form.locale.is_empty() {
        "nl"
    } else {
        &form.locale
    })?;

    let txn = db.write().await?;
    let created = subscription::ActiveModel {
        serial: Set(serial),
        seats: Set(seats),
        valid_from: Set(valid_from),
        valid_until: Set(valid_until),
        contact_email: Set(contact_email.clone()),
        locale: Set(locale.clone()),
        site_id: Set(None),
        claimed_at: Set(None),
        created_at: Set(Utc::now()),
        bundle_id: Set(None),
        assigned: Set(0),
        expiry_announced: Set(false),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(|e| Error::from_db_unique(e, Code::SerialTaken))
    .map_err(|e| match e {
        Error::Conflict(code) => Error::invalid("serial", code),
        other => other,
    })?;
    if let Some(to) = &contact_email {
        mail::queue(
            &*txn,
            to,
            Some(&locale),
            Template::SubscriptionCreated {
                serial: created.serial.clone(),
                seats: created.seats,
                valid_from: created.valid_from.to_string(),
                valid_until: created.valid_until.to_string(),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(row(created, None))
}

/// Every subscription, newest first, with the organisation that claimed it.
pub async fn list(db: &Db, principal: &Principal) -> Result<Vec<SubscriptionRow>> {
    access::require_operator(principal, Operation::ManageSubscriptions)?;
    let found = subscription::Entity::find()
        .order_by_desc(subscription::Column::Id)
        .limit(1000)
        .all(db.conn())
        .await?;
    let site_ids: Vec<i32> = found.iter().filter_map(|s| s.site_id).collect();
    let names: std::collections::HashMap<i32, String> = site::Entity::find()
        .filter(site::Column::Id.is_in(site_ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(found
        .into_iter()
        .map(|s| {
            let name = s.site_id.and_then(|id| names.get(&id).cloned());
            row(s, name)
        })
        .collect())
}

fn row(s: subscription::Model, claimed_by: Option<String>) -> SubscriptionRow {
    SubscriptionRow {
        serial: s.serial,
        seats: s.seats,
        valid_from: s.valid_from,
        valid_until: s.valid_until,
        contact_email: s.contact_email,
        claimed_by,
        claimed_at: s.claimed_at,
        created_at: s.created_at,
    }
}

/// The seats of the subscriptions valid on `today`, per organisation that holds any: what its
/// root site's seat limit follows. Never below the seats in use (the tree's arithmetic must
/// hold); an organisation without subscriptions keeps the limit it was given.
async fn valid_seats(
    conn: &impl sea_orm::ConnectionTrait,
    root: i32,
    today: NaiveDate,
) -> Result<Option<i32>> {
    let held = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        // A redeemed activation code is a licence, not a seat of the organisation.
        .filter(subscription::Column::ActivationBatchId.is_null())
        .all(conn)
        .await?;
    if held.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        held.iter()
            .filter(|s| s.valid_from <= today && today <= s.valid_until)
            .map(|s| s.seats)
            .sum(),
    ))
}

/// Sets the root site's seat limit to the seats of its subscriptions valid today (at least
/// its seats in use). Answers whether it changed.
pub(crate) async fn sync_root(
    conn: &impl sea_orm::ConnectionTrait,
    root: i32,
    today: NaiveDate,
) -> Result<bool> {
    let Some(seats) = valid_seats(conn, root, today).await? else {
        return Ok(false);
    };
    let Some(site) = site::Entity::find_by_id(root).one(conn).await? else {
        return Ok(false);
    };
    let limit = seats.max(site.used_seats);
    if limit == site.seat_limit {
        return Ok(false);
    }
    site::Entity::update_many()
        .col_expr(
            site::Column::SeatLimit,
            sea_orm::sea_query::Expr::value(limit),
        )
        .filter(site::Column::Id.eq(root))
        .exec(conn)
        .await?;
    Ok(true)
}

/// Brings every organisation's seat limit in line with its subscriptions valid today (the
/// server runs this at start and every hour; a renewal takes over on its first day).
pub async fn sync_root_limits(db: &Db, today: NaiveDate) -> Result<u64> {
    let roots: Vec<i32> = subscription::Entity::find()
        .filter(subscription::Column::SiteId.is_not_null())
        .all(db.conn())
        .await?
        .into_iter()
        .filter_map(|s| s.site_id)
        .collect::<std::collections::BTreeSet<i32>>()
        .into_iter()
        .collect();
    let mut changed = 0;
    for root in roots {
        let txn = db.write().await?;
        if sync_root(&*txn, root, today).await? {
            changed += 1;
        }
        txn.commit().await?;
    }
    Ok(changed)
}

/// An organisation's subscriptions (current, upcoming and past), for its administrators.
pub async fn of_organisation(
    db: &Db,
    principal: &Principal,
    root: uuid::Uuid,
) -> Result<Vec<SubscriptionRow>> {
    let resolved = crate::sites::resolve(db, root).await?;
    // The organisation's subscriptions are its root's: asked on the root itself (a subsite's
    // administrator does not see them).
    if resolved.site.parent_id.is_some() {
        access::require(principal, Operation::ViewSites, &resolved.scope)?;
        return Err(Error::NotFound);
    }
    access::require(principal, Operation::ClaimSubscription, &resolved.scope)?;
    let found = of_root(db, resolved.site.id).await?;
    Ok(found.into_iter().map(|s| row(s, None)).collect())
}

/// An organisation's subscriptions (by its root's row id), latest first; read once per page
/// rendering (its subscriptions panel and its licence counters both ask).
pub(crate) async fn of_root(db: &Db, root_id: i32) -> Result<Vec<subscription::Model>> {
    db.kept(
        |m| &m.subscriptions,
        root_id,
        || async {
            Ok(subscription::Entity::find()
                .filter(subscription::Column::SiteId.eq(root_id))
                .order_by_desc(subscription::Column::ValidFrom)
                .all(db.conn())
                .await?)
        },
    )
    .await
}

/// An administrator of an organisation adds another subscription to it with its serial
/// number (a renewal, or more seats); the root's seat limit follows at once if it is valid
/// today, or on its first day.
pub async fn claim_additional(
    db: &Db,
    principal: &Principal,
    root: uuid::Uuid,
    serial: &str,
    today: NaiveDate,
) -> Result<SubscriptionRow> {
    let resolved = crate::sites::resolve(db, root).await?;
    access::require(principal, Operation::ClaimSubscription, &resolved.scope)?;
    if resolved.site.parent_id.is_some() {
        return Err(Error::NotFound);
    }
    let info = crate::onboarding::check_serial(db, serial).await?;
    let txn = db.write().await?;
    let claimed = subscription::Entity::update_many()
        .col_expr(
            subscription::Column::SiteId,
            sea_orm::sea_query::Expr::value(resolved.site.id),
        )
        .col_expr(
            subscription::Column::ClaimedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(subscription::Column::Serial.eq(&info.serial))
        .filter(subscription::Column::SiteId.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(Error::invalid("serial", Code::SerialClaimed));
    }
    sync_root(&*txn, resolved.site.id, today).await?;
    crate::audit::record(
        &*txn,
        principal,
        crate::audit::Event {
            action: crate::audit::Action::SubscriptionClaim,
            target: resolved.site.name.clone().into(),
            site: &resolved.site,
            changes: vec![crate::audit::Change::set("subscription", &info.serial)],
        },
    )
    .await?;
    txn.commit().await?;
    let found = subscription::Entity::find()
        .filter(subscription::Column::Serial.eq(&info.serial))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    Ok(row(found, Some(resolved.site.name)))
}
