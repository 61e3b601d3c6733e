//! Application sessions. A session that has not sent a heartbeat for [`IDLE_LIMIT`] has
//! ended by itself: it is no longer listed or counted, and opening a new one clears it away.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::acting_for;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{app_session, product, user};
use crate::error::{Code, Error, Result};
use crate::users::{resolve, user_label};
use crate::{licences, products, Db, Principal};

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

/// Opens a session of `product` for `user`, who needs a valid licence for it.
pub async fn open(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: &str,
    today: NaiveDate,
) -> Result<AppSession> {
    let (target, _) = acting_for(db, principal, user).await?;
    let product = products::find_by_key(db.conn(), product).await?;
    let check = licences::evaluate(db, target.id, Some(&product.key), today).await?;
    if !check.valid {
        return Err(Error::Refused(Code::NoValidLicence));
    }
    let now = Utc::now();
    let txn = db.write_uncached().await?;
    app_session::Entity::delete_many()
        .filter(app_session::Column::UserId.eq(target.id))
        .filter(app_session::Column::LastSeenAt.lt(now - IDLE_LIMIT))
        .exec(&*txn)
        .await?;
    let created = app_session::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        user_id: Set(target.id),
        product_id: Set(product.id),
        opened_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(info(&created, &target, &product))
}

/// A live session with its user and product.
async fn find(db: &Db, session: Uuid) -> Result<(app_session::Model, user::Model, product::Model)> {
    let found = app_session::Entity::find()
        .filter(app_session::Column::PublicId.eq(session))
        .filter(app_session::Column::LastSeenAt.gte(Utc::now() - IDLE_LIMIT))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let owner = user::Entity::find_by_id(found.user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let product = product::Entity::find_by_id(found.product_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    Ok((found, owner, product))
}

/// Keeps a session alive. An ended (or timed-out) session is not found: open a new one.
pub async fn heartbeat(db: &Db, principal: &Principal, session: Uuid) -> Result<AppSession> {
    let (found, owner, product) = find(db, session).await?;
    acting_for(db, principal, owner.public_id).await?;
    let now = Utc::now();
    app_session::Entity::update_many()
        .col_expr(app_session::Column::LastSeenAt, Expr::value(now))
        .filter(app_session::Column::Id.eq(found.id))
        .exec(&*db.autocommit().await)
        .await?;
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
    let (found, owner, _) = find(db, session).await?;
    acting_for(db, principal, owner.public_id).await?;
    app_session::Entity::delete_by_id(found.id)
        .exec(&*db.autocommit().await)
        .await?;
    Ok(())
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
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::AppSessionEnd,
            target: user_label(&owner),
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
