//! A licensed application signs a user in with their username and password: the same checks
//! and throttling as the sign-in page, the same second factor (the application sends the code
//! of the user's app, or a recovery code, with the password), then the claim of a free licence
//! (as at sign-in), and the answer the application needs: who it is and what their licence
//! covers.
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::access::{self, Operation};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::licences::{self, LicenceCheck};
use crate::{auth, sites, validate, Db, Principal};

#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: crate::users::Account,
    pub licence: LicenceCheck,
}

/// Only users the application may act for can be signed in through it; any other username
/// gets the same answer as a wrong password.
pub async fn authenticate_user(
    db: &Db,
    principal: &Principal,
    username: &str,
    password: &str,
    code: Option<&str>,
    product: Option<&str>,
    today: NaiveDate,
) -> Result<Authenticated> {
    if matches!(principal, Principal::Anonymous) {
        return Err(Error::Unauthenticated);
    }
    if let Some(key) = product {
        crate::products::find_by_key(db.conn(), key).await?;
    }
    let wanted = validate::username(username).unwrap_or_default();
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(wanted))
        .one(db.conn())
        .await?;
    if let Some(found) = &found {
        let site = sites::resolve_by_id(db, found.site_id).await?;
        let allowed = principal.user_id() == Some(found.id)
            || access::allows(principal, Operation::ConnectApplication, &site.scope);
        if !allowed {
            // Still spend the time of a password check, so the answer tells nothing.
            let _ = auth::password::verify(None, password.to_string()).await;
            return Err(Error::Refused(Code::InvalidCredentials));
        }
    }
    let caller = principal.user_id().ok_or(Error::Unauthenticated)?;
    let signed_in = auth::sign_in_for_application(db, caller, username, password).await?;
    second_step(db, signed_in.user_id, code).await?;
    let user = user::Entity::find_by_id(signed_in.user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let me = Principal::load(db, user.id).await?;
    licences::claim(db, &me, today).await?;
    let licence = licences::evaluate(db, user.id, product, today).await?;
    let user = crate::users::account_of(db, user).await?;
    Ok(Authenticated { user, licence })
}

/// A password alone does not sign in an account with a second factor, nor one whose
/// organisation requires a factor it has not set up once the grace period is over (that is done
/// on the website). A code of six digits is the app's; anything else a recovery code.
async fn second_step(db: &Db, user_id: i32, code: Option<&str>) -> Result<()> {
    use crate::factors::{self, Step};
    let now = chrono::Utc::now();
    match factors::step_at_sign_in(db, user_id, now).await? {
        Step::Done | Step::Enrol { until: Some(_) } => Ok(()),
        Step::Enrol { until: None } => Err(Error::Refused(Code::ApplicationFactorSetupRequired)),
        Step::Prove => {
            let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
                return Err(Error::Refused(Code::ApplicationCodeRequired));
            };
            let app_code = code.len() == 6 && code.chars().all(|c| c.is_ascii_digit());
            factors::prove(db, user_id, code, !app_code, now).await
        }
    }
}
