//! The tokens of a site's accounts (administrators) and one's own.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{api_token, user};
use crate::error::{Error, Result};
use crate::{sites, Db, Principal};

pub use wire::TokenState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub public_id: Uuid,
    pub name: String,
    /// The token's first characters.
    pub hint: String,
    pub owner_id: Uuid,
    pub owner_username: String,
    pub owner_name: String,
    pub owner_is_service_account: bool,
    pub created_at: DateTime<Utc>,
    pub expires_on: Option<NaiveDate>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub state: TokenState,
    /// A SCIM DELETE through it deletes the user for good.
    pub scim_deletes: bool,
}

pub(crate) fn token_info(t: api_token::Model, owner: &user::Model, today: NaiveDate) -> ApiToken {
    let state = if t.revoked_at.is_some() {
        TokenState::Revoked
    } else if t.expires_on.is_some_and(|d| d < today) {
        TokenState::Expired
    } else {
        TokenState::Active
    };
    ApiToken {
        public_id: t.public_id,
        name: t.name,
        hint: t.hint,
        owner_id: owner.public_id,
        owner_username: owner.username.clone(),
        owner_name: format!("{} {}", owner.first_name, owner.last_name)
            .trim()
            .to_string(),
        owner_is_service_account: owner.service_account,
        created_at: t.created_at,
        expires_on: t.expires_on,
        last_used_at: t.last_used_at,
        state,
        scim_deletes: t.scim_deletes,
    }
}

/// Every token of the accounts placed in the site and its subsites, newest first.
pub async fn list(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    today: NaiveDate,
) -> Result<Vec<ApiToken>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ManageApiTokens, &resolved.scope)?;
    let rows = api_token::Entity::find()
        .find_also_related(user::Entity)
        .filter(user::Column::SiteId.in_subquery(sites::subtree([resolved.site.id])))
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, owner)| owner.map(|o| token_info(t, &o, today)))
        .collect())
}

/// The signed-in user's own tokens.
pub async fn mine(db: &Db, principal: &Principal, today: NaiveDate) -> Result<Vec<ApiToken>> {
    let user_id = principal.user_id().ok_or(Error::Unauthenticated)?;
    let me = user::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)?;
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| token_info(t, &me, today))
        .collect())
}

/// An account a token can be issued for: the site's service accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub public_id: Uuid,
    pub username: String,
    pub name: String,
    pub site_name: String,
}

/// The service accounts placed in the site and its subsites, by name.
pub async fn service_accounts(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<Account>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ManageApiTokens, &resolved.scope)?;
    let rows = user::Entity::find()
        .find_also_related(crate::entities::site::Entity)
        .filter(user::Column::ServiceAccount.eq(true))
        .filter(user::Column::SiteId.in_subquery(sites::subtree([resolved.site.id])))
        .order_by_asc(user::Column::FirstName)
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(u, s)| Account {
            public_id: u.public_id,
            username: u.username,
            name: u.first_name,
            site_name: s.map(|s| s.name).unwrap_or_default(),
        })
        .collect())
}
