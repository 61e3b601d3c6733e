//! What a group gives its members (a licence of a product, a role on a site) and takes away
//! when they leave. Everything a group gave carries its id; what a user had anyway is left
//! alone, both when joining (nothing is given twice) and when leaving.
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use crate::audit::Change;
use crate::db::WriteTxn;
use crate::entities::{
    bundle_product, dynamic_group, group_member, licence, role, role_grant, subscription,
};
use crate::error::Result;

/// What leaving took from each user (for the journal), by user id.
pub(crate) type Taken = HashMap<i32, Vec<Change>>;

/// What to take back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Take {
    pub licences: bool,
    pub roles: bool,
    /// The users leave the group too (a changed grant keeps the members: the next run gives
    /// the new one).
    pub members: bool,
}

impl Take {
    pub const ALL: Take = Take {
        licences: true,
        roles: true,
        members: true,
    };
}

/// Takes back what the group gave `users` (all members: `None`).
pub(crate) async fn take_away(
    txn: &WriteTxn,
    group: &dynamic_group::Model,
    users: Option<&[i32]>,
    take: Take,
) -> Result<Taken> {
    let of_users = |column: licence::Column| match users {
        Some(ids) => Condition::all().add(column.is_in(ids.iter().copied())),
        None => Condition::all(),
    };
    let mut taken = Taken::new();
    let licences = if !take.licences {
        Vec::new()
    } else {
        licence::Entity::find()
            .filter(licence::Column::GroupId.eq(group.id))
            .filter(of_users(licence::Column::UserId))
            .all(&**txn)
            .await?
    };
    if !licences.is_empty() {
        let subscriptions = subscription::Entity::find()
            .filter(subscription::Column::Id.is_in(licences.iter().map(|l| l.subscription_id)))
            .all(&**txn)
            .await?;
        let mut freed: HashMap<i32, i32> = HashMap::new();
        for l in &licences {
            *freed.entry(l.subscription_id).or_default() += 1;
            let serial = subscriptions
                .iter()
                .find(|s| s.id == l.subscription_id)
                .map(|s| s.serial.clone())
                .unwrap_or_default();
            taken
                .entry(l.user_id)
                .or_default()
                .push(Change::new("subscription", serial, ""));
        }
        licence::Entity::delete_many()
            .filter(licence::Column::Id.is_in(licences.iter().map(|l| l.id)))
            .exec(&**txn)
            .await?;
        for (subscription_id, count) in freed {
            subscription::Entity::update_many()
                .col_expr(
                    subscription::Column::Assigned,
                    Expr::col(subscription::Column::Assigned).sub(count),
                )
                .filter(subscription::Column::Id.eq(subscription_id))
                .exec(&**txn)
                .await?;
        }
    }
    let grants = if !take.roles {
        Vec::new()
    } else {
        role_grant::Entity::find()
            .filter(role_grant::Column::GroupId.eq(group.id))
            .filter(match users {
                Some(ids) => {
                    Condition::all().add(role_grant::Column::UserId.is_in(ids.iter().copied()))
                }
                None => Condition::all(),
            })
            .find_also_related(role::Entity)
            .all(&**txn)
            .await?
    };
    if !grants.is_empty() {
        for (grant, role) in &grants {
            let name = role.as_ref().map(role_name).unwrap_or_default();
            taken
                .entry(grant.user_id)
                .or_default()
                .push(Change::new("role", name, ""));
        }
        role_grant::Entity::delete_many()
            .filter(role_grant::Column::Id.is_in(grants.iter().map(|(g, _)| g.id)))
            .exec(&**txn)
            .await?;
    }
    if !take.members {
        return Ok(taken);
    }
    group_member::Entity::delete_many()
        .filter(group_member::Column::GroupId.eq(group.id))
        .filter(match users {
            Some(ids) => {
                Condition::all().add(group_member::Column::UserId.is_in(ids.iter().copied()))
            }
            None => Condition::all(),
        })
        .exec(&**txn)
        .await?;
    Ok(taken)
}

/// How the journal names a role (built-in ones by key behind `@`, as the grants do).
pub(crate) fn role_name(role: &role::Model) -> String {
    match &role.builtin_key {
        Some(key) => format!("@{key}"),
        None => role.name.clone(),
    }
}

/// The members of the group (among `users`) without a licence valid on `today` that covers
/// `product`: the ones the group still has to give one.
pub(crate) async fn lacking_licence(
    txn: &WriteTxn,
    group: i32,
    product: i32,
    today: NaiveDate,
) -> Result<Vec<i32>> {
    let covering = Query::select()
        .column((licence::Entity, licence::Column::UserId))
        .from(licence::Entity)
        .inner_join(
            subscription::Entity,
            Expr::col((subscription::Entity, subscription::Column::Id))
                .equals((licence::Entity, licence::Column::SubscriptionId)),
        )
        .and_where(subscription::Column::ValidFrom.lte(today))
        .and_where(subscription::Column::ValidUntil.gte(today))
        .cond_where(covers(product))
        .to_owned();
    Ok(group_member::Entity::find()
        .select_only()
        .column(group_member::Column::UserId)
        .filter(group_member::Column::GroupId.eq(group))
        .filter(group_member::Column::UserId.not_in_subquery(covering))
        .order_by_asc(group_member::Column::UserId)
        .into_tuple::<i32>()
        .all(&**txn)
        .await?)
}

/// Subscriptions for every product, or for a bundle holding `product`.
fn covers(product: i32) -> Condition {
    Condition::any()
        .add(subscription::Column::BundleId.is_null())
        .add(
            subscription::Column::BundleId.in_subquery(
                Query::select()
                    .column(bundle_product::Column::BundleId)
                    .from(bundle_product::Entity)
                    .and_where(bundle_product::Column::ProductId.eq(product))
                    .to_owned(),
            ),
        )
}

/// Gives each of `users` a licence of a subscription of the organisation `root` that is valid
/// `today`, covers `product` and has a free seat (the one lasting longest first). Returns the
/// serial given to each user, and how many got none because no seat was free.
pub(crate) async fn give_licences(
    txn: &WriteTxn,
    group: i32,
    root: i32,
    product: i32,
    users: &[i32],
    today: NaiveDate,
) -> Result<(Vec<(i32, String)>, usize)> {
    let candidates = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .filter(subscription::Column::ValidFrom.lte(today))
        .filter(subscription::Column::ValidUntil.gte(today))
        .filter(covers(product))
        .filter(
            Expr::col(subscription::Column::Assigned).lt(Expr::col(subscription::Column::Seats)),
        )
        .order_by_desc(subscription::Column::ValidUntil)
        .order_by_asc(subscription::Column::Id)
        .all(&**txn)
        .await?;
    let mut given = Vec::new();
    let mut candidate = candidates.iter();
    let mut current = candidate.next();
    let now = Utc::now();
    for (n, user) in users.iter().enumerate() {
        loop {
            let Some(sub) = current else {
                return Ok((given, users.len() - n));
            };
            // Conditional, as every claim is: concurrent takers cannot overbook a seat.
            let taken = subscription::Entity::update_many()
                .col_expr(
                    subscription::Column::Assigned,
                    Expr::col(subscription::Column::Assigned).add(1),
                )
                .filter(subscription::Column::Id.eq(sub.id))
                .filter(
                    Expr::col(subscription::Column::Assigned)
                        .lt(Expr::col(subscription::Column::Seats)),
                )
                .exec(&**txn)
                .await?;
            if taken.rows_affected == 1 {
                licence::ActiveModel {
                    subscription_id: Set(sub.id),
                    user_id: Set(*user),
                    assigned_at: Set(now),
                    group_id: Set(Some(group)),
                    ..Default::default()
                }
                .insert(&**txn)
                .await?;
                given.push((*user, sub.serial.clone()));
                break;
            }
            current = candidate.next();
        }
    }
    Ok((given, 0))
}

/// The members of the group without the role on the site.
pub(crate) async fn lacking_role(
    txn: &WriteTxn,
    group: i32,
    role: i32,
    site: i32,
) -> Result<Vec<i32>> {
    let holding = Query::select()
        .column(role_grant::Column::UserId)
        .from(role_grant::Entity)
        .and_where(role_grant::Column::RoleId.eq(role))
        .and_where(role_grant::Column::SiteId.eq(site))
        .to_owned();
    Ok(group_member::Entity::find()
        .select_only()
        .column(group_member::Column::UserId)
        .filter(group_member::Column::GroupId.eq(group))
        .filter(group_member::Column::UserId.not_in_subquery(holding))
        .order_by_asc(group_member::Column::UserId)
        .into_tuple::<i32>()
        .all(&**txn)
        .await?)
}

/// Grants the role on the site to each of `users`.
pub(crate) async fn give_role(
    txn: &WriteTxn,
    group: i32,
    role: i32,
    site: i32,
    users: &[i32],
) -> Result<()> {
    if users.is_empty() {
        return Ok(());
    }
    let rows: Vec<role_grant::ActiveModel> = users
        .iter()
        .map(|user| role_grant::ActiveModel {
            user_id: Set(*user),
            role_id: Set(role),
            site_id: Set(site),
            group_id: Set(Some(group)),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        role_grant::Entity::insert_many(chunk.to_vec())
            .exec(&**txn)
            .await?;
    }
    Ok(())
}
