//! Creating one user in a site: needs a free seat there.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use super::list::UserRow;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::auth::password;
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::sites::{self, resolve};
use crate::tokens::{self, Purpose};
use crate::{validate, Db, Principal};

/// The create-user form as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUserForm {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Optional initial password; empty leaves the account without one.
    pub password: String,
    /// The user must choose a new password at their first sign-in.
    pub must_change_password: bool,
    /// Mail an invitation instead: the user chooses their own password through a link.
    pub invite: bool,
    /// The language of the invitation mail.
    pub locale: String,
}

/// A validated new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    /// Why the account cannot sign in yet (`verify`, `approval`), if it cannot.
    pub pending: Option<&'static str>,
    pub locale: Option<String>,
}

impl NewUserForm {
    pub async fn validate(self) -> Result<NewUser> {
        let username = validate::username(&self.username)?;
        let first_name =
            validate::person_name("first_name", &self.first_name, Code::FirstNameRequired)?;
        let last_name =
            validate::person_name("last_name", &self.last_name, Code::LastNameRequired)?;
        let email = if self.invite {
            Some(validate::email(&self.email)?)
        } else {
            validate::optional_email(&self.email)?
        };
        let password = if self.invite {
            None
        } else {
            validate::optional_password(&self.password)?
        };
        let password_hash = match password {
            Some(plain) => Some(password::hash(plain).await?),
            None => None,
        };
        Ok(NewUser {
            username,
            first_name,
            last_name,
            email,
            must_change_password: self.must_change_password && password_hash.is_some(),
            password_hash,
            pending: None,
            locale: None,
        })
    }
}

pub async fn create(
    db: &Db,
    principal: &Principal,
    site_id: Uuid,
    form: NewUserForm,
) -> Result<UserRow> {
    let site = resolve(db, site_id).await?;
    access::require(principal, Operation::CreateUser, &site.scope)?;
    let invite = form.invite;
    let locale = form.locale.clone();
    let new_user = form.validate().await?;
    crate::groups::guard::check_newcomer(db.conn(), principal, &site.scope.ancestry).await?;

    let txn = db.write().await?;
    let created = insert_unchecked(&*txn, site.site.id, new_user).await?;
    if invite {
        let token = tokens::issue(&*txn, created.id, Purpose::Invite).await?;
        let inviter = match principal {
            Principal::User(actor) => actor.username.clone(),
            Principal::Anonymous => String::new(),
        };
        mail::queue(
            &*txn,
            created.email.as_deref().unwrap_or_default(),
            Some(&locale),
            Template::Invitation {
                name: format!("{} {}", created.first_name, created.last_name),
                inviter,
                site: site.site.name.clone(),
                username: created.username.clone(),
                token,
            },
        )
        .await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserCreate,
            target: crate::audit::Target::user(&created),
            site: &site.site,
            changes: vec![Change::set("username", &created.username)],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(UserRow {
        id: created.id,
        public_id: created.public_id,
        username: created.username,
        first_name: created.first_name,
        last_name: created.last_name,
        email: created.email,
        active: created.active,
        pending: created.pending,
        expires_on: created.expires_on,
        personnel_number: created.personnel_number,
        property_value: None,
        locale: created.locale,
        service_account: created.service_account,
        created_at: created.created_at,
        site_public_id: site.site.public_id,
        site_name: site.site.name,
    })
}

/// Takes a seat in the site and inserts the user, inside the caller's transaction. The seat
/// check is the first statement, so it holds under concurrency; no access check here.
pub async fn insert_unchecked(
    conn: &impl ConnectionTrait,
    site_id: i32,
    new_user: NewUser,
) -> Result<user::Model> {
    if !sites::take_seats(conn, site_id, 1, 1).await? {
        return Err(Error::Refused(Code::NoFreeSeat));
    }
    user::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(site_id),
        username: Set(new_user.username),
        first_name: Set(new_user.first_name),
        last_name: Set(new_user.last_name),
        email: Set(new_user.email),
        email_verified: Set(false),
        password_hash: Set(new_user.password_hash),
        active: Set(true),
        expires_on: Set(None),
        must_change_password: Set(new_user.must_change_password),
        pending: Set(new_user.pending.map(str::to_string)),
        locale: Set(new_user.locale),
        created_at: Set(Utc::now()),
        last_sign_in_at: Set(None),
        is_operator: Set(false),
        service_account: Set(false),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| Error::from_db_unique(e, Code::UsernameTaken))
    .map_err(|e| match e {
        Error::Conflict(code) => Error::invalid("username", code),
        other => other,
    })
}
