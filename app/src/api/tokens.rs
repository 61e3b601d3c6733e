//! API tokens and service accounts, for the tokens page.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub hint: String,
    pub owner_username: String,
    pub owner_name: String,
    pub owner_is_service_account: bool,
    pub created_on: chrono::NaiveDate,
    /// None: never expires.
    pub expires_on: Option<chrono::NaiveDate>,
    /// None: never used.
    pub last_used: Option<chrono::DateTime<chrono::Utc>>,
    pub state: wire::TokenState,
    /// A SCIM DELETE through it deletes the user for good.
    pub scim_deletes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub name: String,
    pub site_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensPage {
    pub site: Uuid,
    pub site_name: String,
    /// The signed-in user, who may hold a token of their own.
    pub me: Account,
    pub accounts: Vec<Account>,
    pub tokens: Vec<TokenRow>,
    /// A year from today (ISO), the new token form's default.
    pub default_expiry: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    /// Shown once.
    pub secret: String,
    pub token: TokenRow,
}

#[cfg(feature = "ssr")]
impl From<domain::api_tokens::ApiToken> for TokenRow {
    fn from(t: domain::api_tokens::ApiToken) -> Self {
        TokenRow {
            id: t.public_id,
            name: t.name,
            hint: t.hint,
            owner_username: t.owner_username,
            owner_name: t.owner_name,
            owner_is_service_account: t.owner_is_service_account,
            created_on: wire::time::local(t.created_at).date(),
            expires_on: t.expires_on,
            last_used: t.last_used_at,
            state: t.state,
            scim_deletes: t.scim_deletes,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::api_tokens::Account> for Account {
    fn from(a: domain::api_tokens::Account) -> Self {
        Account {
            id: a.public_id,
            username: a.username,
            name: a.name,
            site_name: a.site_name,
        }
    }
}

#[cfg(feature = "ssr")]
fn today() -> chrono::NaiveDate {
    wire::time::today()
}

/// The tokens and service accounts of the user's administration site (or `site`).
#[server(endpoint = "api_tokens")]
pub async fn api_tokens(site: Option<Uuid>) -> Result<TokensPage, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let details = domain::sites::details(&db, &principal, site).await?;
    let accounts = domain::api_tokens::service_accounts(&db, &principal, site).await?;
    let tokens = domain::api_tokens::list(&db, &principal, site, today()).await?;
    let me = domain::auth::me(&db, &principal).await?;
    Ok(TokensPage {
        site,
        site_name: details.node.name,
        me: Account {
            id: me.public_id,
            username: me.username,
            name: format!("{} {}", me.first_name, me.last_name),
            site_name: me.site_name,
        },
        accounts: accounts.into_iter().map(Into::into).collect(),
        tokens: tokens.into_iter().map(Into::into).collect(),
        default_expiry: (today() + chrono::Duration::days(365))
            .format("%Y-%m-%d")
            .to_string(),
    })
}

#[server(endpoint = "create_service_account")]
pub async fn create_service_account(
    site: Uuid,
    name: String,
    #[server(default)] application: bool,
) -> Result<Account, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let created =
        domain::api_tokens::create_service_account(&db, &principal, site, &name, application)
            .await?;
    Ok(Account {
        id: created.public_id,
        username: created.username,
        name: created.first_name,
        site_name: String::new(),
    })
}

#[server(endpoint = "issue_api_token")]
pub async fn issue_api_token(
    owner: Uuid,
    name: String,
    #[server(default)] expires_on: String,
    #[server(default)] scim_deletes: bool,
) -> Result<IssuedToken, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let issued = domain::api_tokens::issue(
        &db,
        &principal,
        owner,
        domain::api_tokens::NewToken {
            name,
            expires_on,
            scim_deletes,
        },
        today(),
    )
    .await?;
    Ok(IssuedToken {
        secret: issued.secret,
        token: issued.token.into(),
    })
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::api_tokens::revoke(&db, &principal, token).await?)
}
