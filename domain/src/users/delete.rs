//! Deleting a user: the user, their sessions and grants go; the seat is freed.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::resolve;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{role_grant, session, user};
use crate::error::{Code, Error, Result};
use crate::sites;
use crate::{Db, Principal};

pub async fn delete(db: &Db, principal: &Principal, user_id: Uuid) -> Result<()> {
    let (target, site) = resolve(db, user_id).await?;
    access::require(principal, Operation::DeleteUser, &site.scope)?;
    access::require_not_self(principal, target.id, Code::CannotDeleteSelf)?;

    let txn = db.write().await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(target.id))
        .exec(&*txn)
        .await?;
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::UserId.eq(target.id))
        .exec(&*txn)
        .await?;
    let deleted = user::Entity::delete_by_id(target.id).exec(&*txn).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    sites::release_seats(&*txn, target.site_id, 1, 1).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserDelete,
            target: super::user_label(&target),
            site: &site.site,
            changes: vec![Change::new("username", &target.username, "")],
        },
    )
    .await?;
    txn.commit().await
}
