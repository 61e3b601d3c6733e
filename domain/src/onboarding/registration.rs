//! Self-registration with a site's registration code. The code stops working when it is
//! changed or removed, when the site (or an ancestor) has expired, or when no seat is free;
//! each says so in its own words. The site's form may ask more (see [`super::form`]),
//! including the part of the organisation (a subsite) to register in.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::form::{self, ExtraAnswers, RegistrationFields};

use super::{FLOW_VERIFY, PENDING_APPROVAL, PENDING_VERIFY};
use crate::auth::password;
use crate::entities::{site, user};
use crate::error::{Code, Error, Result};
use crate::mail::{self, Template};
use crate::tokens::{self, Purpose};
use crate::users::{insert_unchecked, NewUser};
use crate::{sites, validate, Db};
use wire::RegistrationFlow;

/// What the registration page shows once the code is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    pub site_name: String,
    pub flow: RegistrationFlow,
    /// Registration needs an e-mail address (verification flow, or limited domains).
    pub email_required: bool,
    pub allowed_domains: Vec<String>,
    /// The site's form: its optional fields, newsletter, disclaimer.
    pub fields: RegistrationFields,
    /// The parts of the organisation one may register in (the site and its subsites, with
    /// their depth), when the form asks for one.
    pub parts: Vec<(Uuid, String, usize)>,
}

/// The registration form as typed.
#[derive(Debug, Clone, Default)]
pub struct RegistrationForm {
    pub code: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub password: String,
    /// The page's language: the account's and its mails'.
    pub locale: String,
    /// The fields the site's form adds.
    pub extra: ExtraAnswers,
}

fn unknown() -> Error {
    Error::invalid("code", Code::RegistrationCodeUnknown)
}

/// The site a code belongs to, if it may take a registration now.
async fn site_of(db: &Db, raw: &str) -> Result<(site::Model, CodeInfo)> {
    let code = validate::registration_code(raw)
        .map_err(|_| unknown())?
        .ok_or_else(unknown)?;
    let found = site::Entity::find()
        .filter(site::Column::RegistrationCode.eq(code))
        .one(db.conn())
        .await?
        .ok_or_else(unknown)?;
    let resolved = sites::resolve_by_id(db, found.id).await?;
    if resolved
        .effective_expires_on()
        .is_some_and(|date| date < wire::time::today())
    {
        return Err(Error::invalid("code", Code::SiteExpired));
    }
    if found.used_seats >= found.seat_limit {
        return Err(Error::invalid("code", Code::SiteFull));
    }
    let allowed_domains: Vec<String> = found
        .allowed_domains
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let fields = RegistrationFields::of(&found);
    let parts = if fields.organisation_part.shown() {
        sites::indented_subtree(db, found.id).await?
    } else {
        Vec::new()
    };
    let info = CodeInfo {
        site_name: found.name.clone(),
        flow: RegistrationFlow::parse(&found.registration_flow).unwrap_or_default(),
        email_required: found.registration_flow == FLOW_VERIFY || !allowed_domains.is_empty(),
        allowed_domains,
        fields,
        parts,
    };
    Ok((found, info))
}

/// Whether a code can be used now, and what the form needs.
pub async fn check_code(db: &Db, raw: &str) -> Result<CodeInfo> {
    Ok(site_of(db, raw).await?.1)
}

/// Registers a user in the code's site. Answers the site's flow, which says what happens
/// next: sign in now (`immediate`), confirm the address (`verify`), wait (`approval`).
pub async fn register(db: &Db, form: RegistrationForm) -> Result<RegistrationFlow> {
    let (site, info) = site_of(db, &form.code).await?;
    let first_name =
        validate::person_name("first_name", &form.first_name, Code::FirstNameRequired)?;
    let last_name = validate::person_name("last_name", &form.last_name, Code::LastNameRequired)?;
    let email = if info.email_required {
        Some(validate::email(&form.email)?)
    } else {
        validate::optional_email(&form.email)?
    };
    if !info.allowed_domains.is_empty() {
        let domain = email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, domain)| domain)
            .unwrap_or_default();
        if !info.allowed_domains.iter().any(|allowed| allowed == domain) {
            return Err(Error::RefusedAt(
                Code::EmailDomainNotAllowed,
                info.allowed_domains.clone(),
            ));
        }
    }
    let username = validate::username(&form.username)?;
    let extra = form::check(&info.fields, &form.extra, wire::time::today())?;
    if info.fields.challenge {
        crate::challenge::verify(db, &form.extra.proof, Utc::now()).await?;
    }
    // The part chosen: a site of the code's subtree (the code's site itself by default).
    let home = match extra.part {
        Some(part) => info
            .parts
            .iter()
            .find(|(id, _, _)| *id == part)
            .ok_or(Error::invalid("part", Code::PartUnknown))
            .map(|_| part)?,
        None => site.public_id,
    };
    let home = sites::resolve(db, home).await?.site;
    let plain = validate::new_password(&form.password, &username)?;
    let locale = validate::language(&form.locale).unwrap_or_else(|_| "nl".into());
    let password_hash = password::hash(plain).await?;
    let pending = match info.flow {
        RegistrationFlow::Verify => Some(PENDING_VERIFY),
        RegistrationFlow::Approval => Some(PENDING_APPROVAL),
        RegistrationFlow::Immediate => None,
    };

    let txn = db.write().await?;
    let created = insert_unchecked(
        &*txn,
        home.id,
        NewUser {
            username,
            first_name,
            last_name,
            email: email.clone(),
            password_hash: Some(password_hash),
            must_change_password: false,
            pending,
            locale: Some(locale.clone()),
        },
    )
    .await
    .map_err(|e| match e.code() {
        Code::NoFreeSeat => Error::invalid("code", Code::SiteFull),
        _ => e,
    })?;
    user::Entity::update_many()
        .col_expr(user::Column::Phone, Expr::value(extra.phone.clone()))
        .col_expr(user::Column::Address, Expr::value(extra.address.clone()))
        .col_expr(
            user::Column::PersonnelNumber,
            Expr::value(extra.personnel_number.clone()),
        )
        .col_expr(user::Column::BirthDate, Expr::value(extra.birth_date))
        .col_expr(user::Column::Newsletter, Expr::value(extra.newsletter))
        .col_expr(
            user::Column::DisclaimerAcceptedAt,
            Expr::value(extra.disclaimer_accepted.then(Utc::now)),
        )
        .filter(user::Column::Id.eq(created.id))
        .exec(&*txn)
        .await?;
    if let (Some(PENDING_VERIFY), Some(to)) = (pending, &email) {
        let token = tokens::issue(&*txn, created.id, Purpose::Verify).await?;
        mail::queue(
            &*txn,
            to,
            Some(&locale),
            Template::VerifyEmail {
                name: format!("{} {}", created.first_name, created.last_name),
                token,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(info.flow)
}
