//! One customer: its figures, subscriptions, sites, administrators, purchase requests and the
//! journal entries that matter to the vendor.
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;
use wire::{
    CustomerAdministrator, CustomerDetail, CustomerEvent, CustomerPurchase, CustomerSubscription,
};

use super::list::{customer_row, figure_values, figures};
use crate::access::{self, Operation};
use crate::audit::Action;
use crate::entities::{audit_event, purchase_request, site, site_closure, subscription};
use crate::error::{Error, Result};
use crate::{Db, Principal};

/// The most administrators, purchase requests and journal entries shown (the newest).
pub const MOST_SHOWN: u64 = 200;

/// The journal's actions a vendor follows on a customer's page.
const FOLLOWED: [Action; 6] = [
    Action::SubscriptionClaim,
    Action::LicenceClaim,
    Action::CodeRedeem,
    Action::InstitutionLink,
    Action::InstitutionWithdraw,
    Action::SupportOpen,
];

/// The customer whose organisation's root is `id`, as an operator sees it on `today`. Not found
/// for any other site (a subsite, the vendor's own organisation, nothing).
pub async fn customer(
    db: &Db,
    principal: &Principal,
    id: Uuid,
    today: NaiveDate,
) -> Result<CustomerDetail> {
    access::require_operator(principal, Operation::ViewCustomers)?;
    let conn = db.conn();
    let mut values = figure_values(today);
    values.push(id.into());
    let row = conn
        .query_one_raw(crate::sql::statement(
            db.backend(),
            &format!("{} AND s.public_id = ?", figures(db.backend())),
            values,
        ))
        .await?
        .ok_or(Error::NotFound)?;
    let figures = customer_row(&row)?;
    let root: i32 = row.try_get("", "site_id")?;

    let sites = site_closure::Entity::find()
        .filter(site_closure::Column::AncestorId.eq(root))
        .count(conn)
        .await?;
    let users = crate::users::placed_in(db, root).await?;
    let subscriptions = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .order_by_desc(subscription::Column::ValidUntil)
        .order_by_desc(subscription::Column::Id)
        .limit(MOST_SHOWN)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| CustomerSubscription {
            serial: s.serial,
            seats: i64::from(s.seats),
            assigned: i64::from(s.assigned),
            valid_from: s.valid_from,
            valid_until: s.valid_until,
            claimed_at: s.claimed_at,
            activation_code: s.activation_batch_id.is_some(),
        })
        .collect();
    let purchases = purchase_request::Entity::find()
        .filter(purchase_request::Column::SiteId.eq(root))
        .order_by_desc(purchase_request::Column::CreatedAt)
        .limit(MOST_SHOWN)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| CustomerPurchase {
            requested_at: p.created_at,
            requester: p.requester_name,
            quantity: i64::from(p.quantity),
            activation_on: p.activation_on,
            status: wire::PurchaseStatus::parse(&p.status).unwrap_or(wire::PurchaseStatus::New),
        })
        .collect();
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::SiteId.in_subquery(crate::sites::subtree([root])))
        .filter(audit_event::Column::Action.is_in(FOLLOWED.map(Action::code)))
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .limit(MOST_SHOWN)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| CustomerEvent {
            at: e.at,
            actor: e.actor_name,
            action: e.action,
            target: e.target_label,
        })
        .collect();
    Ok(CustomerDetail {
        figures,
        sites: i64::try_from(sites).unwrap_or(i64::MAX),
        users: i64::try_from(users).unwrap_or(i64::MAX),
        subscriptions,
        administrators: administrators(db, root).await?,
        purchases,
        events,
    })
}

/// The users holding a role that administers in the organisation of `root`, by name, with
/// their roles and where they hold them.
async fn administrators(db: &Db, root: i32) -> Result<Vec<CustomerAdministrator>> {
    let sql = format!(
        "SELECT u.public_id, u.first_name, u.last_name, u.username, u.email, u.last_sign_in_at, \
           r.name AS role_name, r.builtin_key, gs.name AS site_name \
         FROM role_grants g JOIN roles r ON r.id = g.role_id JOIN users u ON u.id = g.user_id \
           JOIN sites gs ON gs.id = g.site_id \
         WHERE u.organisation_id = ? AND NOT u.service_account \
           AND (r.builtin_key IS NULL OR r.builtin_key NOT IN ('user', 'application')) \
         ORDER BY u.last_name, u.first_name, u.id, r.name, gs.name LIMIT {}",
        MOST_SHOWN * 4
    );
    let rows = db
        .conn()
        .query_all_raw(crate::sql::statement(db.backend(), &sql, vec![root.into()]))
        .await?;
    let mut found: Vec<CustomerAdministrator> = Vec::new();
    for row in &rows {
        let user: Uuid = row.try_get("", "public_id")?;
        let role = wire::CustomerRole {
            name: row.try_get("", "role_name")?,
            builtin: row.try_get("", "builtin_key")?,
            site: row.try_get("", "site_name")?,
        };
        if let Some(last) = found.last_mut().filter(|a| a.user == user) {
            last.roles.push(role);
            continue;
        }
        if found.len() as u64 == MOST_SHOWN {
            break;
        }
        let first: String = row.try_get("", "first_name")?;
        let last: String = row.try_get("", "last_name")?;
        found.push(CustomerAdministrator {
            user,
            name: format!("{first} {last}").trim().to_string(),
            username: row.try_get("", "username")?,
            email: row.try_get("", "email")?,
            roles: vec![role],
            last_sign_in: row.try_get("", "last_sign_in_at")?,
        });
    }
    Ok(found)
}

/// Journals an operator opening a customer's administration (a support visit), on its root.
pub async fn open_for_support(db: &Db, principal: &Principal, id: Uuid) -> Result<()> {
    access::require_operator(principal, Operation::ViewCustomers)?;
    let root = site::Entity::find()
        .filter(site::Column::PublicId.eq(id))
        .filter(site::Column::ParentId.is_null())
        .filter(site::Column::IsVendor.eq(false))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let txn = db.write().await?;
    crate::audit::record(
        &*txn,
        principal,
        crate::audit::Event {
            action: Action::SupportOpen,
            target: root.name.clone().into(),
            site: &root,
            changes: Vec::new(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
