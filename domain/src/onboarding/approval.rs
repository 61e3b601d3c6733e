//! The approval queue: registrations at a site with the approval flow wait (holding their
//! seat) until an administrator of the site approves or rejects them; the user is mailed.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::PENDING_APPROVAL;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::users::{self};
use crate::{sites, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUser {
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The registrations waiting at a site, oldest first.
pub async fn pending(db: &Db, principal: &Principal, site_id: Uuid) -> Result<Vec<PendingUser>> {
    let site = sites::resolve(db, site_id).await?;
    access::require(principal, Operation::ListPendingUsers, &site.scope)?;
    let found = user::Entity::find()
        .filter(user::Column::SiteId.eq(site.site.id))
        .filter(user::Column::Pending.eq(PENDING_APPROVAL))
        .order_by_asc(user::Column::CreatedAt)
        .all(db.conn())
        .await?;
    Ok(found
        .into_iter()
        .map(|u| PendingUser {
            public_id: u.public_id,
            username: u.username,
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
            created_at: u.created_at,
        })
        .collect())
}

/// Approves (the user can sign in) or rejects (the user is removed, the seat freed) a
/// waiting registration, and tells the user by mail.
pub async fn decide(db: &Db, principal: &Principal, user_id: Uuid, approve: bool) -> Result<()> {
    let (target, site) = users::resolve(db, user_id).await?;
    access::require(principal, Operation::DecideRegistration, &site.scope)?;
    if target.pending.as_deref() != Some(PENDING_APPROVAL) {
        return Err(Error::Refused(Code::NotPending));
    }
    if approve {
        let eligible = target.active && !target.service_account;
        crate::groups::guard::check_user(
            db.conn(),
            principal,
            &target,
            &site.scope.ancestry,
            eligible,
        )
        .await?;
    }
    let name = format!("{} {}", target.first_name, target.last_name);
    let txn = db.write().await?;
    let mut erased = None;
    let template = if approve {
        let approved = user::Entity::update_many()
            .col_expr(user::Column::Pending, Expr::value(Option::<String>::None))
            .filter(user::Column::Id.eq(target.id))
            .filter(user::Column::Pending.eq(PENDING_APPROVAL))
            .exec(&*txn)
            .await?;
        if approved.rows_affected != 1 {
            return Err(Error::Refused(Code::NotPending));
        }
        Template::RegistrationApproved {
            name,
            site: site.site.name.clone(),
            username: target.username.clone(),
        }
    } else {
        erased = Some(users::remove_unchecked(&*txn, &target).await?);
        Template::RegistrationRejected {
            name,
            site: site.site.name.clone(),
        }
    };
    audit::record(
        &*txn,
        principal,
        Event {
            action: if approve {
                Action::UserApprove
            } else {
                Action::UserReject
            },
            target: erased.unwrap_or_else(|| crate::audit::Target::user(&target)),
            site: &site.site,
            changes: vec![Change::new("pending", PENDING_APPROVAL, "")],
        },
    )
    .await?;
    if let Some(to) = &target.email {
        mail::queue(&*txn, to, target.locale.as_deref(), template).await?;
    }
    txn.commit().await
}
