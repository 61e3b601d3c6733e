//! Issuing a token (shown once) and revoking one.
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::list::{token_info, ApiToken};
use super::PREFIX;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{api_token, user};
use crate::error::{Code, Error, Result};
use crate::sites::Resolved;
use crate::users::resolve;
use crate::{validate, Db, Principal};

/// The form: a name saying what the token is for, and the last day it works (none: it works
/// until revoked).
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub name: String,
    pub expires_on: String,
    /// A SCIM DELETE through this token deletes the user for good (else: deactivates them).
    pub scim_deletes: bool,
}

/// A new token: the secret (shown once, never stored) and how it is listed.
#[derive(Debug, Clone)]
pub struct Issued {
    pub secret: String,
    pub token: ApiToken,
}

/// Managing someone's tokens needs `tokens.manage_all` on their home site and authority over
/// them; one's own tokens need `tokens.manage_own` (or `tokens.manage_all`) on one's own.
async fn require_manage(
    db: &Db,
    principal: &Principal,
    owner: &user::Model,
    site: &Resolved,
) -> Result<()> {
    if principal.user_id() == Some(owner.id)
        && access::allows(principal, Operation::ManageOwnApiTokens, &site.scope)
    {
        return Ok(());
    }
    access::require(principal, Operation::ManageApiTokens, &site.scope)?;
    let authority = crate::users::authority(db.conn(), owner).await?;
    access::require_contains(principal, &authority)
}

pub async fn issue(
    db: &Db,
    principal: &Principal,
    owner: Uuid,
    form: NewToken,
    today: NaiveDate,
) -> Result<Issued> {
    let (owner, site) = resolve(db, owner).await?;
    require_manage(db, principal, &owner, &site).await?;
    // A token acts as its account: issued only for oneself or for a service account, never
    // in the name of a person (who would then be impersonated by whoever holds it).
    if principal.user_id() != Some(owner.id) && !owner.service_account {
        return Err(Error::Refused(Code::TokenOwnerNotAllowed));
    }
    insert(db, principal, owner, site, form, today).await
}

/// Issues a token for the account named `username` without an access check (the operator's
/// command line); journaled without an actor.
pub async fn issue_unchecked(
    db: &Db,
    username: &str,
    form: NewToken,
    today: NaiveDate,
) -> Result<Issued> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(validate::username(username)?))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let (owner, site) = resolve(db, found.public_id).await?;
    insert(db, &Principal::Anonymous, owner, site, form, today).await
}

async fn insert(
    db: &Db,
    principal: &Principal,
    owner: user::Model,
    site: Resolved,
    form: NewToken,
    today: NaiveDate,
) -> Result<Issued> {
    let name = validate::site_name(&form.name)?;
    let expires_on = validate::optional_date("expires_on", &form.expires_on)?;
    if expires_on.is_some_and(|day| day < today) {
        return Err(Error::invalid("expires_on", Code::TokenExpiryPast));
    }
    let bytes: [u8; 32] = rand::random();
    let secret = format!("{PREFIX}{}", crate::tokens::hex(&bytes));
    let hint: String = secret.chars().take(PREFIX.len() + 6).collect();
    let txn = db.write().await?;
    let created = api_token::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        user_id: Set(owner.id),
        name: Set(name.clone()),
        token_hash: Set(crate::tokens::digest(&secret)),
        hint: Set(hint),
        created_by: Set(principal.user_id()),
        created_at: Set(Utc::now()),
        expires_on: Set(expires_on),
        last_used_at: Set(None),
        revoked_at: Set(None),
        scim_deletes: Set(form.scim_deletes),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::TokenIssue,
            target: crate::audit::Target::user(&owner),
            site: &site.site,
            changes: vec![
                Change::set("name", &name),
                Change::set(
                    "expires_on",
                    expires_on.map(|d| d.to_string()).unwrap_or_default(),
                ),
                Change::set("scim_deletes", form.scim_deletes),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        secret,
        token: token_info(created, &owner, today),
    })
}

/// Revokes a token: the next call with it is refused. Revoking twice says so.
pub async fn revoke(db: &Db, principal: &Principal, token: Uuid) -> Result<()> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::PublicId.eq(token))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let owner = user::Entity::find_by_id(found.user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let (owner, site) = resolve(db, owner.public_id).await?;
    require_manage(db, principal, &owner, &site).await?;
    let txn = db.write().await?;
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(found.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    if revoked.rows_affected == 0 {
        return Err(Error::Refused(Code::TokenRevoked));
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::TokenRevoke,
            target: crate::audit::Target::user(&owner),
            site: &site.site,
            changes: vec![Change::new("name", &found.name, "")],
        },
    )
    .await?;
    txn.commit().await
}
