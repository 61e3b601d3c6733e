//! `licence.expired`: once a subscription has ended, one event per licence holder, raised by
//! the hourly housekeeping of whichever process gets there first (the subscription is marked in
//! the same transaction). Only subscriptions that ended within [`ANNOUNCED_FOR`] are announced:
//! those that ended long before this existed are marked without a flood of old news.
use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::emit::{emit, Emitted};
use crate::entities::{licence, site, subscription, user};
use crate::error::Result;
use crate::Db;

/// How long after its end a subscription is still announced.
pub const ANNOUNCED_FOR: Duration = Duration::days(7);

/// Announces the subscriptions that ended before `today`; how many it announced.
pub async fn announce_expired(db: &Db, today: NaiveDate) -> Result<u64> {
    let ended = subscription::Entity::find()
        .filter(subscription::Column::ExpiryAnnounced.eq(false))
        .filter(subscription::Column::ValidUntil.lt(today))
        .all(db.conn())
        .await?;
    let mut announced = 0;
    for s in ended {
        let txn = db.write().await?;
        let mine = subscription::Entity::update_many()
            .col_expr(subscription::Column::ExpiryAnnounced, Expr::value(true))
            .filter(subscription::Column::Id.eq(s.id))
            .filter(subscription::Column::ExpiryAnnounced.eq(false))
            .exec(&*txn)
            .await?;
        if mine.rows_affected == 1 && s.valid_until >= today - ANNOUNCED_FOR {
            let holders: Vec<i32> = licence::Entity::find()
                .filter(licence::Column::SubscriptionId.eq(s.id))
                .all(&*txn)
                .await?
                .into_iter()
                .map(|l| l.user_id)
                .collect();
            let users = user::Entity::find()
                .filter(user::Column::Id.is_in(holders))
                .all(&*txn)
                .await?;
            let places = site::Entity::find()
                .filter(site::Column::Id.is_in(users.iter().map(|u| u.site_id)))
                .all(&*txn)
                .await?;
            let events = users
                .iter()
                .filter_map(|u| {
                    let place = places.iter().find(|p| p.id == u.site_id)?;
                    Some(Emitted {
                        kind: "licence.expired",
                        site: place,
                        data: json!({
                            "user_id": u.public_id,
                            "username": u.username,
                            "subscription": s.serial,
                            "expired_after": s.valid_until,
                        }),
                    })
                })
                .collect();
            emit(&*txn, events).await?;
            announced += 1;
        }
        txn.commit().await?;
    }
    Ok(announced)
}
