//! The user's factors as the profile lists them, their removal, and the journal entries of
//! changes to them.
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::audit::{self, Action, Change, Event};
use crate::entities::{recovery_code, second_factor, user};
use crate::error::{Error, Result};
use crate::{sites, Db, Principal};

/// What kind of factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorKind {
    /// An authenticator app (TOTP).
    Totp,
    /// A passkey (WebAuthn).
    Passkey,
}

/// A confirmed factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub id: Uuid,
    pub kind: FactorKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The signed-in user's confirmed factors, oldest first.
pub async fn factors(db: &Db, principal: &Principal) -> Result<Vec<Factor>> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    Ok(second_factor::Entity::find()
        .filter(second_factor::Column::UserId.eq(me))
        .filter(second_factor::Column::Confirmed.eq(true))
        .order_by_asc(second_factor::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|f| Factor {
            id: f.public_id,
            kind: if f.kind == super::passkey::KIND {
                FactorKind::Passkey
            } else {
                FactorKind::Totp
            },
            name: f.name,
            created_at: f.created_at,
            last_used_at: f.last_used_at,
        })
        .collect())
}

/// Whether the user has a confirmed factor (a browser sign-in then waits for it).
pub async fn has_factor(db: &Db, user_id: i32) -> Result<bool> {
    Ok(second_factor::Entity::find()
        .filter(second_factor::Column::UserId.eq(user_id))
        .filter(second_factor::Column::Confirmed.eq(true))
        .one(db.conn())
        .await?
        .is_some())
}

/// Removes one of the signed-in user's factors (journaled).
pub async fn remove(db: &Db, principal: &Principal, factor: Uuid) -> Result<()> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    let found = second_factor::Entity::find()
        .filter(second_factor::Column::PublicId.eq(factor))
        .filter(second_factor::Column::UserId.eq(me))
        .filter(second_factor::Column::Confirmed.eq(true))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    super::policy::refuse_removing_last(db, me).await?;
    let txn = db.write_uncached().await?;
    second_factor::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    journal(
        db,
        &*txn,
        principal,
        me,
        Action::SecondFactorRemove,
        vec![Change::new("second_factor", &found.name, "")],
    )
    .await?;
    txn.commit().await
}

/// Removes every factor and recovery code of `user`, for an administrator with authority over
/// them (a user who lost their phone and their codes), journaled; answers how many factors were
/// removed. The user signs in with the password alone until they set up a new factor.
pub async fn reset(db: &Db, principal: &Principal, user: Uuid) -> Result<u64> {
    let target = crate::users::target(
        db,
        principal,
        crate::access::Operation::ResetSecondFactors,
        user,
    )
    .await?;
    let txn = db.write_uncached().await?;
    let removed = second_factor::Entity::delete_many()
        .filter(second_factor::Column::UserId.eq(target.user.id))
        .exec(&*txn)
        .await?
        .rows_affected;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(target.user.id))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::SecondFactorReset,
            target: crate::audit::Target::user(&target.user),
            site: &target.site.site,
            changes: vec![Change::new("second_factor", removed, 0)],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(removed)
}

/// Records a change to `user_id`'s factors in the journal, in the caller's transaction.
pub(super) async fn journal(
    db: &Db,
    conn: &impl ConnectionTrait,
    principal: &Principal,
    user_id: i32,
    action: Action,
    changes: Vec<Change>,
) -> Result<()> {
    let holder = user::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, holder.site_id).await?;
    audit::record(
        conn,
        principal,
        Event {
            action,
            target: crate::audit::Target::user(&holder),
            site: &site.site,
            changes,
        },
    )
    .await
}
