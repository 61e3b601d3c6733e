//! Creating subsites (and root sites, for the demo and the operator).
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use super::lock::take_seats;
use super::read::{resolve, SiteNode};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{site, site_closure};
use crate::error::{Code, Error, Result};
use crate::{validate, Db, Principal};

/// The create-subsite form as typed.
#[derive(Debug, Clone, Default)]
pub struct NewSiteForm {
    pub name: String,
    pub seat_limit: String,
}

/// Creates a subsite of `parent`, reserving its seats in the parent.
pub async fn create(
    db: &Db,
    principal: &Principal,
    parent: Uuid,
    form: NewSiteForm,
) -> Result<SiteNode> {
    let parent = resolve(db, parent).await?;
    access::require(principal, Operation::CreateSite, &parent.scope)?;
    let name = validate::site_name(&form.name)?;
    let seat_limit = validate::seat_limit(&form.seat_limit)?;

    let txn = db.write().await?;
    if !take_seats(&*txn, parent.site.id, seat_limit, 0).await? {
        return Err(Error::Refused(Code::NotEnoughSeatsInParent));
    }
    let created = insert_site(&*txn, Some(&parent.scope.ancestry), &name, seat_limit).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SiteCreate,
            target: created.name.clone().into(),
            site: &created,
            changes: vec![
                Change::set("name", &created.name),
                Change::set("seat_limit", created.seat_limit),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(SiteNode {
        id: created.public_id,
        parent_id: Some(parent.site.public_id),
        name: created.name,
        seat_limit: created.seat_limit,
        used_seats: created.used_seats,
        archived: false,
    })
}

/// Creates an organisation's root site (no parent, no seat check): the demo, the operator and
/// (later) claiming a subscription.
pub async fn insert_root(db: &Db, name: &str, seat_limit: i32) -> Result<site::Model> {
    let name = validate::site_name(name)?;
    let txn = db.write().await?;
    let created = insert_site(&*txn, None, &name, seat_limit).await?;
    txn.commit().await?;
    Ok(created)
}

/// Inserts the site row and its closure rows, without seat or access checks (callers take
/// the seats first; the benchmark seeds with it). `ancestry` is the parent's (parent first).
pub async fn insert_site(
    conn: &impl ConnectionTrait,
    ancestry: Option<&[i32]>,
    name: &str,
    seat_limit: i32,
) -> Result<site::Model> {
    let created = site::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        parent_id: Set(ancestry.and_then(|a| a.first().copied())),
        name: Set(name.to_string()),
        seat_limit: Set(seat_limit),
        used_seats: Set(0),
        own_users: Set(0),
        registration_code: Set(None),
        // Set, not left to the column default: SQLite's RETURNING has been seen to give NULL
        // for a defaulted column added by ALTER TABLE.
        registration_flow: Set(crate::onboarding::FLOW_IMMEDIATE.to_string()),
        allowed_domains: Set(None),
        institution_number: Set(None),
        expires_on: Set(None),
        is_vendor: Set(false),
        second_factor_policy: Set(wire::SecondFactorPolicy::default().as_str().to_string()),
        second_factor_grace_days: Set(crate::factors::DEFAULT_GRACE_DAYS),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let mut closure = vec![site_closure::ActiveModel {
        ancestor_id: Set(created.id),
        descendant_id: Set(created.id),
        depth: Set(0),
    }];
    for (depth, ancestor) in ancestry.unwrap_or_default().iter().enumerate() {
        closure.push(site_closure::ActiveModel {
            ancestor_id: Set(*ancestor),
            descendant_id: Set(created.id),
            depth: Set(i32::try_from(depth).unwrap_or(i32::MAX).saturating_add(1)),
        });
    }
    site_closure::Entity::insert_many(closure)
        .exec(conn)
        .await?;
    Ok(created)
}
