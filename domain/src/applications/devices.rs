//! Devices: what an application registers (a fingerprint it computes) for a user and a
//! product, within the devices the user's licence allows. Registering a known device only
//! notes that it was seen. The application or the user forgets a device; an administrator
//! removes one (journaled). Either frees its place.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::{acting_for, limits};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{device, product, user};
use crate::error::{Code, Error, Result};
use crate::users::resolve;
use crate::{products, Db, Principal};

/// The longest device fingerprint and name.
pub const MAX_FINGERPRINT: usize = 128;
pub const MAX_DEVICE_NAME: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub public_id: Uuid,
    pub user_id: Uuid,
    pub product: String,
    pub product_name: String,
    pub fingerprint: String,
    pub name: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

fn info(d: &device::Model, owner: &user::Model, p: &product::Model) -> Device {
    Device {
        public_id: d.public_id,
        user_id: owner.public_id,
        product: p.key.clone(),
        product_name: p.name.clone(),
        fingerprint: d.fingerprint.clone(),
        name: d.name.clone(),
        first_seen_at: d.first_seen_at,
        last_seen_at: d.last_seen_at,
    }
}

/// A fingerprint as sent: 1 to [`MAX_FINGERPRINT`] characters, no control characters.
pub fn fingerprint(raw: &str) -> Result<&str> {
    if raw.is_empty() || raw.chars().count() > MAX_FINGERPRINT || raw.chars().any(char::is_control)
    {
        return Err(Error::invalid("device", Code::DeviceFingerprintInvalid));
    }
    Ok(raw)
}

fn device_name(raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(n) if n.chars().count() > MAX_DEVICE_NAME || n.chars().any(char::is_control) => {
            Err(Error::invalid("name", Code::DeviceNameInvalid))
        }
        Some(n) => Ok(Some(n.to_string())),
    }
}

/// Locks the user's row for the rest of the transaction: their devices and sessions are
/// counted one opener at a time. A no-op UPDATE, as [`crate::sites::lock_site`]: PostgreSQL
/// takes the row lock, SQLite the write lock before the transaction reads anything.
pub(crate) async fn lock_user(conn: &impl ConnectionTrait, user_id: i32) -> Result<()> {
    let touched = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::col(user::Column::Active))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// The device in the transaction (the user's row locked): the known one, seen again, or a new
/// one if the user has fewer than `limit` for the product.
pub(crate) async fn register_in(
    conn: &impl ConnectionTrait,
    user_id: i32,
    product_id: i32,
    fingerprint: &str,
    name: Option<String>,
    limit: Option<i32>,
    now: DateTime<Utc>,
) -> Result<device::Model> {
    let known = device::Entity::find()
        .filter(device::Column::UserId.eq(user_id))
        .filter(device::Column::ProductId.eq(product_id))
        .filter(device::Column::Fingerprint.eq(fingerprint))
        .one(conn)
        .await?;
    if let Some(known) = known {
        let mut seen: device::ActiveModel = known.into();
        seen.last_seen_at = Set(now);
        if name.is_some() {
            seen.name = Set(name);
        }
        return Ok(seen.update(conn).await?);
    }
    let held = device::Entity::find()
        .filter(device::Column::UserId.eq(user_id))
        .filter(device::Column::ProductId.eq(product_id))
        .count(conn)
        .await?;
    if limit.is_some_and(|l| held >= u64::try_from(l).unwrap_or(0)) {
        return Err(Error::Refused(Code::DeviceLimitReached));
    }
    Ok(device::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        product_id: Set(product_id),
        fingerprint: Set(fingerprint.to_string()),
        name: Set(name),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// An application (or the user) registers the device it runs on for a product the user holds
/// a valid licence for.
pub async fn register_device(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: &str,
    fingerprint: &str,
    name: Option<&str>,
    today: NaiveDate,
) -> Result<Device> {
    let (target, _) = acting_for(db, principal, user).await?;
    let product = products::find_by_key(db.conn(), product).await?;
    let fingerprint = self::fingerprint(fingerprint)?;
    let name = device_name(name)?;
    let candidates = limits::candidates(db.conn(), target.id, product.id, today).await?;
    if candidates.is_empty() {
        return Err(Error::Refused(Code::NoValidLicence));
    }
    let limit = limits::for_user(&candidates).devices;
    let txn = db.write_uncached().await?;
    lock_user(&*txn, target.id).await?;
    let made = register_in(
        &*txn,
        target.id,
        product.id,
        fingerprint,
        name,
        limit,
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(info(&made, &target, &product))
}

/// A user's devices, most recently seen first: for the user, a connected application, or an
/// administrator who may view the user's sessions.
pub async fn devices_of(db: &Db, principal: &Principal, user: Uuid) -> Result<Vec<Device>> {
    let (target, site) = resolve(db, user).await?;
    if principal.user_id() != Some(target.id)
        && !access::allows(principal, Operation::ConnectApplication, &site.scope)
    {
        crate::users::target(db, principal, Operation::ViewAppSessions, user).await?;
    }
    let rows = device::Entity::find()
        .filter(device::Column::UserId.eq(target.id))
        .order_by_desc(device::Column::LastSeenAt)
        .order_by_desc(device::Column::Id)
        .all(db.conn())
        .await?;
    let catalogue = product::Entity::find()
        .filter(product::Column::Id.is_in(rows.iter().map(|d| d.product_id)))
        .all(db.conn())
        .await?;
    Ok(rows
        .iter()
        .filter_map(|d| {
            let p = catalogue.iter().find(|p| p.id == d.product_id)?;
            Some(info(d, &target, p))
        })
        .collect())
}

async fn find(db: &Db, device: Uuid) -> Result<(device::Model, user::Model, product::Model)> {
    let found = device::Entity::find()
        .filter(device::Column::PublicId.eq(device))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let (owner, product) = super::owner_and_product(db, found.user_id, found.product_id).await?;
    Ok((found, owner, product))
}

/// Deletes a device and ends the sessions that run on it.
async fn delete(conn: &impl ConnectionTrait, device_id: i32) -> Result<()> {
    crate::entities::app_session::Entity::delete_many()
        .filter(crate::entities::app_session::Column::DeviceId.eq(device_id))
        .exec(conn)
        .await?;
    device::Entity::delete_by_id(device_id).exec(conn).await?;
    Ok(())
}

/// The application (or the user) forgets a device: its place is free again.
pub async fn forget_device(db: &Db, principal: &Principal, device: Uuid) -> Result<()> {
    let (found, owner, _) = find(db, device).await?;
    acting_for(db, principal, owner.public_id).await?;
    let txn = db.write_uncached().await?;
    delete(&*txn, found.id).await?;
    txn.commit().await
}

/// An administrator removes a user's device (journaled); its sessions end with it.
pub async fn remove_device(db: &Db, principal: &Principal, device: Uuid) -> Result<()> {
    let (found, owner, product) = find(db, device).await?;
    let crate::users::Target { site, .. } =
        crate::users::target(db, principal, Operation::EndAppSession, owner.public_id).await?;
    let txn = db.write_uncached().await?;
    delete(&*txn, found.id).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::DeviceRemove,
            target: crate::audit::Target::user(&owner),
            site: &site.site,
            changes: vec![
                Change::new("product", &product.key, ""),
                Change::new("device", &found.fingerprint, ""),
            ],
        },
    )
    .await?;
    txn.commit().await
}

/// Notes that a device was seen (a heartbeat from a session on it).
pub(crate) async fn seen(
    conn: &impl ConnectionTrait,
    device_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    device::Entity::update_many()
        .col_expr(device::Column::LastSeenAt, Expr::value(now))
        .filter(device::Column::Id.eq(device_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Registers a device for each of these products (a licence file bound to it), within the
/// user's device limit for each: in one transaction, so a refusal registers nothing.
pub(crate) async fn register_for(
    db: &Db,
    user_id: i32,
    product_keys: &[String],
    fingerprint: &str,
    today: NaiveDate,
) -> Result<()> {
    let fingerprint = self::fingerprint(fingerprint)?;
    let found = product::Entity::find()
        .filter(product::Column::Key.is_in(product_keys.iter().map(String::as_str)))
        .all(db.conn())
        .await?;
    let mut planned = Vec::with_capacity(found.len());
    for p in &found {
        let candidates = limits::candidates(db.conn(), user_id, p.id, today).await?;
        planned.push((p.id, limits::for_user(&candidates).devices));
    }
    let now = Utc::now();
    let txn = db.write_uncached().await?;
    lock_user(&*txn, user_id).await?;
    for (product_id, limit) in planned {
        register_in(&*txn, user_id, product_id, fingerprint, None, limit, now).await?;
    }
    txn.commit().await
}
