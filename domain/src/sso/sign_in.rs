//! Signing in with a linked account: the same refusals as a password sign-in (deactivated,
//! expired, pending), journaled as the user's own act, and the same licence claim.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::Identity;
use crate::audit::{self, Action, Change, Event};
use crate::auth::{refusal, SignedIn};
use crate::entities::{sso_link, user};
use crate::error::{Code, Error, Result};
use crate::licences::{self, Claim};
use crate::{sites, Db, Principal};

/// A sign-in with a linked account, and what its licence claim came to (`None` when the claim
/// failed: the sign-in still holds).
#[derive(Debug)]
pub struct LinkedSignIn {
    pub signed_in: SignedIn,
    pub claim: Option<Claim>,
}

pub async fn sign_in(
    db: &Db,
    identity: &Identity,
    client_address: Option<&str>,
) -> Result<LinkedSignIn> {
    let link = sso_link::Entity::find()
        .filter(sso_link::Column::Issuer.eq(&identity.issuer))
        .filter(sso_link::Column::Subject.eq(&identity.subject))
        .one(db.conn())
        .await?
        .ok_or(Error::Refused(Code::SsoNotLinked))?;
    let found = user::Entity::find_by_id(link.user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::Refused(Code::SsoNotLinked))?;
    if let Some(code) = refusal(db, &found).await? {
        return Err(Error::Refused(code));
    }
    super::refuse_foreign_tenant(db, found.site_id, identity).await?;
    let principal = Principal::load(db, found.id)
        .await?
        .from_address(client_address.map(str::to_string));
    let site = sites::resolve_by_id(db, found.site_id).await?;
    let now = Utc::now();
    let txn = db.write().await?;
    crate::auth::signed_in_at(&*txn, found.id, now).await?;
    sso_link::Entity::update_many()
        .col_expr(sso_link::Column::LastUsedAt, Expr::value(now))
        .filter(sso_link::Column::Id.eq(link.id))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        &principal,
        Event {
            action: Action::SsoSignIn,
            target: crate::audit::Target::user(&found),
            site: &site.site,
            changes: vec![Change::set("provider", &link.provider)],
        },
    )
    .await?;
    txn.commit().await?;
    let claim = licences::claim_at_sign_in(db, &found, wire::time::local_date(now)).await;
    Ok(LinkedSignIn {
        signed_in: SignedIn {
            user_id: found.id,
            locale: found.locale,
            // The provider proved who this is; an initial password is no concern of theirs.
            must_change_password: false,
            second_factor: crate::factors::step_at_sign_in(db, found.id, now).await?,
        },
        claim,
    })
}
