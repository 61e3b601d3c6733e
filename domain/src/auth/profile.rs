use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::password;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::{validate, Db, Principal};

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct Me {
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub locale: Option<String>,
    pub site_name: String,
    /// The first site the user administers, where the administrator page opens.
    pub admin_site: Option<Uuid>,
    pub operator: bool,
    /// Whether the roles page and the journal have anything to show this user.
    pub sees_roles: bool,
    pub sees_journal: bool,
    /// Whether the API tokens page has anything for this user.
    pub sees_tokens: bool,
    /// Whether the groups and properties pages have anything for this user.
    pub sees_groups: bool,
    pub must_change_password: bool,
}

pub async fn me(db: &Db, principal: &Principal) -> Result<Me> {
    let Principal::User(actor) = principal else {
        return Err(Error::Unauthenticated);
    };
    let (found, site) = crate::users::row_and_site_of(db, actor.user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let admin_site = match crate::sites::home_site(db, principal).await {
        Ok(site) => Some(site),
        Err(Error::NotFound) => None,
        Err(other) => return Err(other),
    };
    let sees = |operation| access::readable(principal, operation).is_ok_and(|r| !r.is_empty());
    Ok(Me {
        public_id: found.public_id,
        username: found.username,
        first_name: found.first_name,
        last_name: found.last_name,
        locale: found.locale,
        site_name: site.map(|s| s.name).unwrap_or_default(),
        admin_site,
        operator: actor.operator,
        sees_roles: sees(Operation::ListRoles),
        sees_journal: sees(Operation::ViewJournal),
        sees_tokens: sees(Operation::ManageApiTokens),
        sees_groups: sees(Operation::ViewGroups),
        must_change_password: found.must_change_password,
    })
}

/// Remembers the interface language of the signed-in user.
pub async fn set_language(db: &Db, principal: &Principal, language: &str) -> Result<()> {
    let Principal::User(actor) = principal else {
        return Err(Error::Unauthenticated);
    };
    let language = validate::language(language)?;
    user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(language))
        .filter(user::Column::Id.eq(actor.user_id))
        .exec(&*db.autocommit().await)
        .await?;
    Ok(())
}

/// The signed-in user's profile page: who they are, their site and until when they may use it.
#[derive(Debug, Clone)]
pub struct Profile {
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub locale: Option<String>,
    pub site_name: String,
    /// Their own expiry date, or else the nearest one up the site tree.
    pub access_until: Option<chrono::NaiveDate>,
    pub has_password: bool,
    pub last_sign_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn profile(db: &Db, principal: &Principal) -> Result<Profile> {
    let found = own_record(db, principal).await?;
    let site = crate::sites::resolve_by_id(db, found.site_id).await?;
    Ok(Profile {
        public_id: found.public_id,
        username: found.username,
        first_name: found.first_name,
        last_name: found.last_name,
        email: found.email,
        email_verified: found.email_verified,
        locale: found.locale,
        access_until: site.user_expires_on(found.expires_on),
        site_name: site.site.name,
        has_password: found.password_hash.is_some(),
        last_sign_in_at: found.last_sign_in_at,
    })
}

async fn own_record(db: &Db, principal: &Principal) -> Result<user::Model> {
    let Principal::User(actor) = principal else {
        return Err(Error::Unauthenticated);
    };
    user::Entity::find_by_id(actor.user_id)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)
}

/// The profile form as typed. Changing the e-mail address (where password resets go) asks
/// for the current password of users who have one.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub current_password: String,
}

pub async fn update_profile(db: &Db, principal: &Principal, form: ProfileForm) -> Result<()> {
    let found = own_record(db, principal).await?;
    let first_name =
        validate::person_name("first_name", &form.first_name, Code::FirstNameRequired)?;
    let last_name = validate::person_name("last_name", &form.last_name, Code::LastNameRequired)?;
    let email = validate::optional_email(&form.email)?;
    let email_changed = email != found.email;
    if email_changed && found.password_hash.is_some() {
        if form.current_password.is_empty() {
            return Err(Error::invalid("current_password", Code::PasswordRequired));
        }
        let matches =
            password::verify(found.password_hash.clone(), form.current_password.clone()).await?;
        if !matches {
            return Err(Error::invalid(
                "current_password",
                Code::CurrentPasswordWrong,
            ));
        }
    }
    let site = crate::sites::resolve_by_id(db, found.site_id).await?;
    let changes = vec![
        Change::new("first_name", &found.first_name, &first_name),
        Change::new("last_name", &found.last_name, &last_name),
        Change::new(
            "email",
            found.email.clone().unwrap_or_default(),
            email.clone().unwrap_or_default(),
        ),
    ];
    let txn = db.write().await?;
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::FirstName, Expr::value(first_name))
        .col_expr(user::Column::LastName, Expr::value(last_name));
    if email_changed {
        update = update
            .col_expr(user::Column::Email, Expr::value(email))
            .col_expr(user::Column::EmailVerified, Expr::value(false));
    }
    update
        .filter(user::Column::Id.eq(found.id))
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserUpdate,
            target: crate::audit::Target::user(&found),
            site: &site.site,
            changes,
        },
    )
    .await?;
    txn.commit().await
}
