//! Activating and deactivating a user. Deactivation ends their sessions at once.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::{Db, Principal};

pub async fn set_active(db: &Db, principal: &Principal, user_id: Uuid, active: bool) -> Result<()> {
    let super::Target { user: target, site } =
        super::target(db, principal, Operation::SetUserActive, user_id).await?;
    if !active {
        access::require_not_self(principal, target.id, Code::CannotDeactivateSelf)?;
    } else if !target.active {
        let eligible = target.pending.is_none() && !target.service_account;
        crate::groups::guard::check_user(
            db.conn(),
            principal,
            &target,
            &site.scope.ancestry,
            eligible,
        )
        .await?;
    }
    let txn = db.write().await?;
    let changed = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .filter(user::Column::Id.eq(target.id))
        .exec(&*txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    if !active {
        super::end_sessions(&*txn, target.id).await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: if active {
                Action::UserActivate
            } else {
                Action::UserDeactivate
            },
            target: crate::audit::Target::user(&target),
            site: &site.site,
            changes: vec![Change::new("active", target.active, active)],
        },
    )
    .await?;
    txn.commit().await
}
