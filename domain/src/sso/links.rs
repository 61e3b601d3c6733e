//! Linking and unlinking accounts: users do it for themselves from the profile; administrators
//! see and remove the links of the users they manage.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{Identity, Link};
use crate::access::Operation;
use crate::audit::{self, Action, Change, Event};
use crate::entities::{sso_link, user};
use crate::error::{Code, Error, Result};
use crate::{sites, Db, Principal};

fn shown(row: sso_link::Model) -> Link {
    Link {
        provider: row.provider,
        email: row.email,
        linked_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

async fn links_by_user(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<sso_link::Model>> {
    Ok(sso_link::Entity::find()
        .filter(sso_link::Column::UserId.eq(user_id))
        .all(conn)
        .await?)
}

fn own_id(principal: &Principal) -> Result<i32> {
    principal.user_id().ok_or(Error::Unauthenticated)
}

/// The signed-in user's own links.
pub async fn mine(db: &Db, principal: &Principal) -> Result<Vec<Link>> {
    let rows = links_by_user(db.conn(), own_id(principal)?).await?;
    Ok(rows.into_iter().map(shown).collect())
}

/// Another user's links, for an administrator of their site (or the user themselves).
pub async fn links_of(db: &Db, principal: &Principal, user: Uuid) -> Result<Vec<Link>> {
    let crate::users::Target { user: target, .. } =
        crate::users::own_or_target(db, principal, Operation::ViewUserLinks, user).await?;
    let rows = links_by_user(db.conn(), target.id).await?;
    Ok(rows.into_iter().map(shown).collect())
}

/// Links `identity` to the signed-in user, replacing their earlier link with the same
/// provider. An account already linked to someone else is refused.
pub async fn link(db: &Db, principal: &Principal, identity: Identity) -> Result<()> {
    let user_id = own_id(principal)?;
    let me = user::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)?;
    super::refuse_foreign_tenant(db, me.site_id, &identity).await?;
    let site = sites::resolve_by_id(db, me.site_id).await?;
    let txn = db.write().await?;
    let existing = sso_link::Entity::find()
        .filter(sso_link::Column::Issuer.eq(&identity.issuer))
        .filter(sso_link::Column::Subject.eq(&identity.subject))
        .one(&*txn)
        .await?;
    match existing {
        Some(row) if row.user_id != user_id => {
            return Err(Error::Refused(Code::SsoLinkedElsewhere));
        }
        Some(row) if row.provider == identity.provider => return Ok(()),
        _ => {}
    }
    sso_link::Entity::delete_many()
        .filter(sso_link::Column::UserId.eq(user_id))
        .filter(
            Condition::any()
                .add(sso_link::Column::Provider.eq(&identity.provider))
                .add(
                    Condition::all()
                        .add(sso_link::Column::Issuer.eq(&identity.issuer))
                        .add(sso_link::Column::Subject.eq(&identity.subject)),
                ),
        )
        .exec(&*txn)
        .await?;
    sso_link::ActiveModel {
        user_id: Set(user_id),
        provider: Set(identity.provider.clone()),
        issuer: Set(identity.issuer),
        subject: Set(identity.subject.clone()),
        email: Set(identity.email.clone()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    // Two tabs linking the same account to two users: the unique index decides.
    .map_err(|err| Error::from_db_unique(err, Code::SsoLinkedElsewhere))?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SsoLink,
            target: crate::audit::Target::user(&me),
            site: &site.site,
            changes: vec![
                Change::set("provider", &identity.provider),
                Change::set("account", identity.email.unwrap_or(identity.subject)),
            ],
        },
    )
    .await?;
    txn.commit().await
}

/// Removes `user`'s link with `provider`: their own, or as an administrator of their site.
/// Users without a password keep their last link (else they could never sign in again).
pub async fn unlink(db: &Db, principal: &Principal, user: Uuid, provider: &str) -> Result<()> {
    let crate::users::Target { user: target, site } =
        crate::users::own_or_target(db, principal, Operation::RemoveUserLink, user).await?;
    let own = principal.user_id() == Some(target.id);
    let txn = db.write().await?;
    let links = links_by_user(&*txn, target.id).await?;
    let Some(removed) = links.iter().find(|l| l.provider == provider) else {
        return Err(Error::NotFound);
    };
    if own && target.password_hash.is_none() && links.len() == 1 {
        return Err(Error::Refused(Code::SsoLastSignInMethod));
    }
    sso_link::Entity::delete_by_id(removed.id)
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SsoUnlink,
            target: crate::audit::Target::user(&target),
            site: &site.site,
            changes: vec![
                Change::new("provider", provider, ""),
                Change::new(
                    "account",
                    removed.email.clone().unwrap_or(removed.subject.clone()),
                    "",
                ),
            ],
        },
    )
    .await?;
    txn.commit().await
}
