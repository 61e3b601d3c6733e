//! Deleting a user: the user, their sessions, grants and single sign-on links go; the seat is
//! freed.
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::audit::{self, Action, Event};
use crate::error::{Code, Result};
use crate::{Db, Principal};

pub async fn delete(db: &Db, principal: &Principal, user_id: Uuid) -> Result<()> {
    let super::Target { user: target, site } =
        super::target(db, principal, Operation::DeleteUser, user_id).await?;
    access::require_not_self(principal, target.id, Code::CannotDeleteSelf)?;

    let txn = db.write().await?;
    let erased = super::remove_unchecked(&*txn, &target).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserDelete,
            target: erased,
            site: &site.site,
            changes: Vec::new(),
        },
    )
    .await?;
    txn.commit().await
}
