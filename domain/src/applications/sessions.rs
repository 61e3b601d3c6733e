//! Application sessions. A session that has not sent a heartbeat for [`IDLE_LIMIT`] has
//! ended by itself: it is no longer listed or counted, and opening a new one clears it away.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{acting_for, devices, limits};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{app_session, product, site, subscription, user};
use crate::error::{Code, Error, Result};
use crate::users::resolve;
use crate::webhooks::{self, Emitted};
use crate::{products, Db, Principal};

/// How long a session lives without a heartbeat.
pub const IDLE_LIMIT: Duration = Duration::minutes(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSession {
    pub public_id: Uuid,
    pub user_id: Uuid,
    pub product: String,
    pub product_name: String,
    pub opened_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

fn info(s: &app_session::Model, owner: &user::Model, p: &product::Model) -> AppSession {
    AppSession {
        public_id: s.public_id,
        user_id: owner.public_id,
        product: p.key.clone(),
        product_name: p.name.clone(),
        opened_at: s.opened_at,
        last_seen_at: s.last_seen_at,
    }
}

/// Opens a session of `product` for `user`, who needs a valid licence for it, on the device
/// named (registered within the devices allowed), within the sessions the user may have open
/// and a free place of one of their subscriptions that cover the product. The user's row and
/// the subscription's are locked while counting, so the limits hold under concurrency; a
/// session past [`IDLE_LIMIT`] without a heartbeat no longer counts and is cleared away.
pub async fn open(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: &str,
    device: Option<&str>,
    today: NaiveDate,
) -> Result<AppSession> {
    let (target, site) = acting_for(db, principal, user).await?;
    let product = products::find_by_key(db.conn(), product).await?;
    let device = device.map(devices::fingerprint).transpose()?;
    let mut candidates = limits::candidates(db.conn(), target.id, product.id, today).await?;
    if candidates.is_empty() {
        return Err(Error::Refused(Code::NoValidLicence));
    }
    let mine = limits::for_user(&candidates);
    // Subscriptions without floating places first: a place is taken only when needed.
    candidates.sort_by_key(|c| c.limits.sessions.is_some());
    let now = Utc::now();
    let dead = now - IDLE_LIMIT;
    let txn = db.write_uncached().await?;
    devices::lock_user(&*txn, target.id).await?;
    app_session::Entity::delete_many()
        .filter(app_session::Column::UserId.eq(target.id))
        .filter(app_session::Column::LastSeenAt.lt(dead))
        .exec(&*txn)
        .await?;
    let device_id = match device {
        Some(fingerprint) => Some(
            devices::register_in(
                &*txn,
                target.id,
                product.id,
                fingerprint,
                None,
                mine.devices,
                now,
            )
            .await?
            .id,
        ),
        None => None,
    };
    if let Some(limit) = mine.user_sessions {
        let open = app_session::Entity::find()
            .filter(app_session::Column::UserId.eq(target.id))
            .filter(app_session::Column::ProductId.eq(product.id))
            .count(&*txn)
            .await?;
        if open >= u64::try_from(limit).unwrap_or(0) {
            return Err(Error::Refused(Code::UserSessionLimitReached));
        }
    }
    let mut place = None;
    for candidate in &candidates {
        if let Some(limit) = candidate.limits.sessions {
            if !has_room(&*txn, candidate.subscription.id, limit, dead).await? {
                continue;
            }
        }
        place = Some(candidate.subscription.id);
        break;
    }
    let Some(subscription_id) = place else {
        return Err(Error::Refused(Code::SubscriptionSessionLimitReached));
    };
    let created = app_session::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        user_id: Set(target.id),
        product_id: Set(product.id),
        opened_at: Set(now),
        last_seen_at: Set(now),
        subscription_id: Set(Some(subscription_id)),
        device_id: Set(device_id),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    webhooks::emit(
        &*txn,
        vec![session_event(
            "session.opened",
            &site.site,
            &created,
            &target,
            &product,
            None,
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(info(&created, &target, &product))
}

/// The webhook event of a session that opened or ended (and why it ended).
fn session_event<'a>(
    kind: &'static str,
    site: &'a site::Model,
    session: &app_session::Model,
    owner: &user::Model,
    product: &product::Model,
    reason: Option<&str>,
) -> Emitted<'a> {
    Emitted {
        kind,
        site,
        data: serde_json::json!({
            "session": session.public_id,
            "user_id": owner.public_id,
            "username": owner.username,
            "product": product.key,
            "reason": reason,
        }),
    }
}

/// Whether a subscription has a free place (its row locked for the rest of the transaction;
/// its sessions past the idle limit cleared away first).
async fn has_room(
    conn: &impl ConnectionTrait,
    subscription_id: i32,
    limit: i32,
    dead: DateTime<Utc>,
) -> Result<bool> {
    // A no-op UPDATE: the row lock on PostgreSQL (SQLite holds the write lock already).
    subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Seats,
            Expr::col(subscription::Column::Seats),
        )
        .filter(subscription::Column::Id.eq(subscription_id))
        .exec(conn)
        .await?;
    app_session::Entity::delete_many()
        .filter(app_session::Column::SubscriptionId.eq(subscription_id))
        .filter(app_session::Column::LastSeenAt.lt(dead))
        .exec(conn)
        .await?;
    let open = app_session::Entity::find()
        .filter(app_session::Column::SubscriptionId.eq(subscription_id))
        .count(conn)
        .await?;
    Ok(open < u64::try_from(limit).unwrap_or(0))
}

/// Ends the sessions that stopped their heartbeats (the housekeeping, every hour; until then
/// they count for nothing already), 500 at a time, each with its `session.ended` event.
/// Returns how many ended.
pub async fn cull(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let mut ended = 0;
    loop {
        let dead = app_session::Entity::find()
            .filter(app_session::Column::LastSeenAt.lt(now - IDLE_LIMIT))
            .order_by_asc(app_session::Column::Id)
            .limit(500)
            .all(db.conn())
            .await?;
        if dead.is_empty() {
            break;
        }
        let owners = user::Entity::find()
            .filter(user::Column::Id.is_in(dead.iter().map(|s| s.user_id)))
            .all(db.conn())
            .await?;
        let places = site::Entity::find()
            .filter(site::Column::Id.is_in(owners.iter().map(|u| u.site_id)))
            .all(db.conn())
            .await?;
        let catalogue = product::Entity::find()
            .filter(product::Column::Id.is_in(dead.iter().map(|s| s.product_id)))
            .all(db.conn())
            .await?;
        let events: Vec<Emitted> = dead
            .iter()
            .filter_map(|s| {
                let owner = owners.iter().find(|u| u.id == s.user_id)?;
                let place = places.iter().find(|p| p.id == owner.site_id)?;
                let product = catalogue.iter().find(|p| p.id == s.product_id)?;
                Some(session_event(
                    "session.ended",
                    place,
                    s,
                    owner,
                    product,
                    Some("timeout"),
                ))
            })
            .collect();
        let txn = db.write_uncached().await?;
        webhooks::emit(&*txn, events).await?;
        let done = app_session::Entity::delete_many()
            .filter(app_session::Column::Id.is_in(dead.iter().map(|s| s.id)))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        ended += done.rows_affected;
    }
    if ended > 0 {
        metrics::counter!("licentia_app_sessions_culled_total").increment(ended);
    }
    Ok(ended)
}

/// A live session with its user and product.
async fn find(db: &Db, session: Uuid) -> Result<(app_session::Model, user::Model, product::Model)> {
    let found = app_session::Entity::find()
        .filter(app_session::Column::PublicId.eq(session))
        .filter(app_session::Column::LastSeenAt.gte(Utc::now() - IDLE_LIMIT))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let (owner, product) = super::owner_and_product(db, found.user_id, found.product_id).await?;
    Ok((found, owner, product))
}

/// Keeps a session alive. An ended (or timed-out) session is not found: open a new one.
pub async fn heartbeat(db: &Db, principal: &Principal, session: Uuid) -> Result<AppSession> {
    let (found, owner, product) = find(db, session).await?;
    acting_for(db, principal, owner.public_id).await?;
    let now = Utc::now();
    let conn = db.autocommit().await;
    app_session::Entity::update_many()
        .col_expr(app_session::Column::LastSeenAt, Expr::value(now))
        .filter(app_session::Column::Id.eq(found.id))
        .exec(&*conn)
        .await?;
    if let Some(device) = found.device_id {
        devices::seen(&*conn, device, now).await?;
    }
    Ok(info(
        &app_session::Model {
            last_seen_at: now,
            ..found
        },
        &owner,
        &product,
    ))
}

/// The application closes its session.
pub async fn close(db: &Db, principal: &Principal, session: Uuid) -> Result<()> {
    let (found, owner, product) = find(db, session).await?;
    let (_, site) = acting_for(db, principal, owner.public_id).await?;
    let txn = db.write_uncached().await?;
    app_session::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    webhooks::emit(
        &*txn,
        vec![session_event(
            "session.ended",
            &site.site,
            &found,
            &owner,
            &product,
            Some("closed"),
        )],
    )
    .await?;
    txn.commit().await
}

/// An administrator ends a user's session (journaled).
pub async fn end(db: &Db, principal: &Principal, session: Uuid) -> Result<()> {
    let (found, owner, product) = find(db, session).await?;
    let crate::users::Target { site, .. } =
        crate::users::target(db, principal, Operation::EndAppSession, owner.public_id).await?;
    let txn = db.write_uncached().await?;
    app_session::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    webhooks::emit(
        &*txn,
        vec![session_event(
            "session.ended",
            &site.site,
            &found,
            &owner,
            &product,
            Some("ended by an administrator"),
        )],
    )
    .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::AppSessionEnd,
            target: crate::audit::Target::user(&owner),
            site: &site.site,
            changes: vec![Change::new("product", &product.key, "")],
        },
    )
    .await?;
    txn.commit().await
}

/// A user's live sessions, newest first: their own, or as an administrator who may view users
/// there, or an application connected there.
pub async fn sessions_of(db: &Db, principal: &Principal, user: Uuid) -> Result<Vec<AppSession>> {
    let (target, site) = resolve(db, user).await?;
    // An application connected there serves every user of the site (it reads, it changes
    // nothing of the account); an administrator sees the sessions of users in their reach.
    if principal.user_id() != Some(target.id)
        && !access::allows(principal, Operation::ConnectApplication, &site.scope)
    {
        crate::users::target(db, principal, Operation::ViewAppSessions, user).await?;
    }
    let rows = app_session::Entity::find()
        .filter(app_session::Column::UserId.eq(target.id))
        .filter(app_session::Column::LastSeenAt.gte(Utc::now() - IDLE_LIMIT))
        .order_by_desc(app_session::Column::OpenedAt)
        .all(db.conn())
        .await?;
    let catalogue = product::Entity::find()
        .filter(product::Column::Id.is_in(rows.iter().map(|s| s.product_id)))
        .all(db.conn())
        .await?;
    Ok(rows
        .iter()
        .filter_map(|s| {
            let p = catalogue.iter().find(|p| p.id == s.product_id)?;
            Some(info(s, &target, p))
        })
        .collect())
}
