//! An account as the HTTP API shows it: who the user is and where they are placed.
use chrono::NaiveDate;
use uuid::Uuid;

use crate::entities::user;
use crate::error::Result;
use crate::{sites, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub active: bool,
    /// Their own date, if they have one (a site's date may apply too).
    pub expires_on: Option<NaiveDate>,
    pub locale: Option<String>,
    /// The site they are placed in.
    pub site: Uuid,
    pub service_account: bool,
    pub must_change_password: bool,
}

/// The read model of a user row (its site's public id read with it).
pub(crate) async fn account_of(db: &Db, u: user::Model) -> Result<Account> {
    let site = sites::public_id_of(db, u.site_id).await?;
    Ok(Account {
        id: u.public_id,
        username: u.username,
        first_name: u.first_name,
        last_name: u.last_name,
        email: u.email,
        active: u.active,
        expires_on: u.expires_on,
        locale: u.locale,
        site,
        service_account: u.service_account,
        must_change_password: u.must_change_password,
    })
}

/// The principal's own account.
pub async fn my_account(db: &Db, principal: &Principal) -> Result<Account> {
    let me = super::own_account(db, principal).await?;
    account_of(db, me).await
}
