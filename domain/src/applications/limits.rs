//! The limits a vendor sells on besides seats, per bundle and, overriding the bundle's, per
//! subscription: devices per user, application sessions per user, application sessions per
//! subscription (floating seats). None is no limit. A user's limits for a product are those of
//! the subscriptions of their valid licences that cover it: the most generous one.
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{bundle, bundle_product, licence, subscription};
use crate::error::{Code, Error, Result};
use crate::{Db, Principal};

/// The largest number a limit may be.
pub const MAX_LIMIT: i32 = 100_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub devices: Option<i32>,
    pub user_sessions: Option<i32>,
    pub sessions: Option<i32>,
}

/// Limits as typed in a form: whole numbers, empty for no limit.
#[derive(Debug, Clone, Default)]
pub struct LimitsForm {
    pub max_devices: String,
    pub max_user_sessions: String,
    pub max_sessions: String,
}

impl LimitsForm {
    pub fn parse(&self) -> Result<Limits> {
        let read = |field: &'static str, raw: &str| -> Result<Option<i32>> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse::<i32>()
                .map(Some)
                .map_err(|_| Error::invalid(field, Code::LimitInvalid))
        };
        Limits {
            devices: read("max_devices", &self.max_devices)?,
            user_sessions: read("max_user_sessions", &self.max_user_sessions)?,
            sessions: read("max_sessions", &self.max_sessions)?,
        }
        .checked()
    }
}

impl Limits {
    pub(crate) fn of_bundle(b: &bundle::Model) -> Limits {
        Limits {
            devices: b.max_devices,
            user_sessions: b.max_user_sessions,
            sessions: b.max_sessions,
        }
    }

    /// The subscription's own limits where it has them, else its bundle's.
    pub(crate) fn of(s: &subscription::Model, b: Option<&bundle::Model>) -> Limits {
        let from_bundle = b.map(Limits::of_bundle).unwrap_or_default();
        Limits {
            devices: s.max_devices.or(from_bundle.devices),
            user_sessions: s.max_user_sessions.or(from_bundle.user_sessions),
            sessions: s.max_sessions.or(from_bundle.sessions),
        }
    }

    fn checked(self) -> Result<Limits> {
        for (field, value) in [
            ("max_devices", self.devices),
            ("max_user_sessions", self.user_sessions),
            ("max_sessions", self.sessions),
        ] {
            if value.is_some_and(|v| !(1..=MAX_LIMIT).contains(&v)) {
                return Err(Error::invalid(field, Code::LimitInvalid));
            }
        }
        Ok(self)
    }
}

/// The most generous of two limits (no limit beats any).
fn wider(a: Option<i32>, b: Option<i32>) -> Option<i32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    }
}

/// A subscription a user may use a product under today, with its limits.
pub(crate) struct Candidate {
    pub subscription: subscription::Model,
    pub limits: Limits,
}

/// The subscriptions of the user's valid licences that cover the product, by id.
pub(crate) async fn candidates(
    conn: &impl ConnectionTrait,
    user_id: i32,
    product_id: i32,
    today: NaiveDate,
) -> Result<Vec<Candidate>> {
    let held: Vec<i32> = licence::Entity::find()
        .filter(licence::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.subscription_id)
        .collect();
    let subscriptions = subscription::Entity::find()
        .filter(subscription::Column::Id.is_in(held))
        .filter(subscription::Column::ValidFrom.lte(today))
        .filter(subscription::Column::ValidUntil.gte(today))
        .order_by_asc(subscription::Column::Id)
        .all(conn)
        .await?;
    let bundle_ids: Vec<i32> = subscriptions.iter().filter_map(|s| s.bundle_id).collect();
    let bundles = bundle::Entity::find()
        .filter(bundle::Column::Id.is_in(bundle_ids.clone()))
        .all(conn)
        .await?;
    let covering: Vec<i32> = bundle_product::Entity::find()
        .filter(bundle_product::Column::BundleId.is_in(bundle_ids))
        .filter(bundle_product::Column::ProductId.eq(product_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.bundle_id)
        .collect();
    Ok(subscriptions
        .into_iter()
        .filter(|s| s.bundle_id.is_none_or(|b| covering.contains(&b)))
        .map(|s| {
            let b = bundles.iter().find(|b| Some(b.id) == s.bundle_id);
            Candidate {
                limits: Limits::of(&s, b),
                subscription: s,
            }
        })
        .collect())
}

/// A user's limits for a product: the most generous of the candidates'.
pub(crate) fn for_user(candidates: &[Candidate]) -> Limits {
    let mut all = candidates.iter().map(|c| c.limits);
    let Some(first) = all.next() else {
        return Limits::default();
    };
    all.fold(first, |acc, l| Limits {
        devices: wider(acc.devices, l.devices),
        user_sessions: wider(acc.user_sessions, l.user_sessions),
        sessions: acc.sessions,
    })
}

/// The vendor sets a bundle's limits.
pub async fn set_bundle_limits(
    db: &Db,
    principal: &Principal,
    bundle: Uuid,
    limits: Limits,
) -> Result<()> {
    access::require_operator(principal, Operation::ManageProducts)?;
    let found = bundle::Entity::find()
        .filter(bundle::Column::PublicId.eq(bundle))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    write_bundle(db, found.id, limits).await
}

async fn write_bundle(db: &Db, bundle_id: i32, limits: Limits) -> Result<()> {
    let limits = limits.checked()?;
    let txn = db.write().await?;
    bundle::Entity::update_many()
        .col_expr(bundle::Column::MaxDevices, Expr::value(limits.devices))
        .col_expr(
            bundle::Column::MaxUserSessions,
            Expr::value(limits.user_sessions),
        )
        .col_expr(bundle::Column::MaxSessions, Expr::value(limits.sessions))
        .filter(bundle::Column::Id.eq(bundle_id))
        .exec(&*txn)
        .await?;
    txn.commit().await
}

/// The vendor sets a subscription's own limits (None: its bundle's apply).
pub async fn set_subscription_limits(
    db: &Db,
    principal: &Principal,
    serial: &str,
    limits: Limits,
) -> Result<()> {
    access::require_operator(principal, Operation::ManageSubscriptions)?;
    set_subscription_limits_unchecked(db, serial, limits).await
}

/// The same without an access check (the operator's command line).
pub async fn set_subscription_limits_unchecked(
    db: &Db,
    serial: &str,
    limits: Limits,
) -> Result<()> {
    let limits = limits.checked()?;
    let txn = db.write().await?;
    let done = subscription::Entity::update_many()
        .col_expr(
            subscription::Column::MaxDevices,
            Expr::value(limits.devices),
        )
        .col_expr(
            subscription::Column::MaxUserSessions,
            Expr::value(limits.user_sessions),
        )
        .col_expr(
            subscription::Column::MaxSessions,
            Expr::value(limits.sessions),
        )
        .filter(subscription::Column::Serial.eq(serial.trim()))
        .exec(&*txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    txn.commit().await
}

/// A bundle's limits by name, without an access check (the operator's command line).
pub async fn set_bundle_limits_unchecked(db: &Db, name: &str, limits: Limits) -> Result<()> {
    let found = bundle::Entity::find()
        .filter(bundle::Column::Name.eq(name.trim()))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    write_bundle(db, found.id, limits).await
}
