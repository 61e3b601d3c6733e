//! Getting in: sign-up with a serial number, registration with a code, the links mailed to
//! users (address verification, password choice), forgotten and changed passwords, and the
//! approval queue of a site.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialInfo {
    pub serial: String,
    pub seats: i32,
    pub valid_from: String,
    pub valid_until: String,
    /// The sign-up form asks for a solved challenge (the server's setting).
    pub challenge: bool,
}

/// A proof-of-work challenge for the browser to solve (see `domain::challenge`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub algorithm: String,
    pub challenge: String,
    pub maxnumber: u64,
    pub salt: String,
    pub signature: String,
}

/// The browser's answer to a [`Challenge`], sent as JSON in the form's `proof` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    pub algorithm: String,
    pub challenge: String,
    pub number: u64,
    pub salt: String,
    pub signature: String,
}

/// A new challenge for the registration or sign-up form.
#[server(endpoint = "issue_challenge")]
pub async fn issue_challenge() -> Result<Challenge, AppError> {
    let db = crate::ssr::db()?;
    let c = domain::challenge::issue(&db, chrono::Utc::now()).await?;
    Ok(Challenge {
        algorithm: c.algorithm,
        challenge: c.challenge,
        maxnumber: c.maxnumber,
        salt: c.salt,
        signature: c.signature,
    })
}

#[server(endpoint = "check_serial")]
pub async fn check_serial(serial: String) -> Result<SerialInfo, AppError> {
    let db = crate::ssr::db()?;
    let keys = domain::auth::throttle::Keys::lookup(
        "serial",
        crate::ssr::client_address().await.as_deref(),
    );
    let info =
        domain::auth::throttle::guarded(&db, &keys, domain::onboarding::check_serial(&db, &serial))
            .await?;
    Ok(SerialInfo {
        serial: info.serial,
        seats: info.seats,
        valid_from: info.valid_from.to_string(),
        valid_until: info.valid_until.to_string(),
        challenge: crate::ssr::signup_challenge(),
    })
}

#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    serial: String,
    organisation: String,
    first_name: String,
    last_name: String,
    email: String,
    username: String,
    password: String,
    #[server(default)] privacy: bool,
    locale: String,
    #[server(default)] proof: String,
) -> Result<(), AppError> {
    let db = crate::ssr::db()?;
    crate::ssr::limit(&db, domain::auth::throttle::Request::Registration).await?;
    let form = domain::onboarding::SignUpForm {
        serial,
        organisation,
        first_name,
        last_name,
        email,
        username,
        password,
        privacy_accepted: privacy,
        locale,
        proof: crate::ssr::signup_challenge().then_some(proof),
    };
    Ok(domain::onboarding::sign_up(&db, form).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeInfo {
    pub code: String,
    pub site_name: String,
    pub flow: wire::RegistrationFlow,
    pub email_required: bool,
    pub allowed_domains: Vec<String>,
    pub form: RegistrationFormSettings,
    /// (id, name, depth) of the parts one may register in.
    pub parts: Vec<(Uuid, String, usize)>,
}

/// A site's registration form: each optional field `off`, `optional` or `required`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegistrationFormSettings {
    pub phone: wire::FieldRule,
    pub address: wire::FieldRule,
    pub personnel_number: wire::FieldRule,
    pub birth_date: wire::FieldRule,
    pub organisation_part: wire::FieldRule,
    pub newsletter: bool,
    pub disclaimer: String,
    pub beside_sign_in: bool,
    /// Registering needs a solved proof-of-work challenge.
    pub challenge: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::onboarding::RegistrationFields> for RegistrationFormSettings {
    fn from(f: domain::onboarding::RegistrationFields) -> Self {
        RegistrationFormSettings {
            phone: f.phone,
            address: f.address,
            personnel_number: f.personnel_number,
            birth_date: f.birth_date,
            organisation_part: f.organisation_part,
            newsletter: f.newsletter,
            disclaimer: f.disclaimer,
            beside_sign_in: f.beside_sign_in,
            challenge: f.challenge,
        }
    }
}

#[server(endpoint = "check_code")]
pub async fn check_code(code: String) -> Result<CodeInfo, AppError> {
    let db = crate::ssr::db()?;
    let keys =
        domain::auth::throttle::Keys::lookup("code", crate::ssr::client_address().await.as_deref());
    let info =
        domain::auth::throttle::guarded(&db, &keys, domain::onboarding::check_code(&db, &code))
            .await?;
    Ok(CodeInfo {
        code: code.trim().to_uppercase(),
        site_name: info.site_name,
        flow: info.flow,
        email_required: info.email_required,
        allowed_domains: info.allowed_domains,
        form: info.fields.into(),
        parts: info.parts,
    })
}

/// The registration form settings of a site (its administrators' site form).
#[server(endpoint = "load_registration_form")]
pub async fn load_registration_form(site: Uuid) -> Result<RegistrationFormSettings, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::onboarding::form_of(&db, &principal, site)
        .await?
        .into())
}

#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "save_registration_form")]
pub async fn save_registration_form(
    site: Uuid,
    phone: String,
    address: String,
    personnel_number: String,
    birth_date: String,
    organisation_part: String,
    #[server(default)] newsletter: Option<String>,
    #[server(default)] disclaimer: String,
    #[server(default)] beside_sign_in: Option<String>,
    #[server(default)] challenge: Option<String>,
) -> Result<(), AppError> {
    use domain::onboarding::{parse_rule, RegistrationFields};
    let (db, principal) = crate::ssr::principal().await?;
    let fields = RegistrationFields {
        phone: parse_rule(&phone)?,
        address: parse_rule(&address)?,
        personnel_number: parse_rule(&personnel_number)?,
        birth_date: parse_rule(&birth_date)?,
        organisation_part: parse_rule(&organisation_part)?,
        newsletter: newsletter.is_some(),
        disclaimer,
        beside_sign_in: beside_sign_in.is_some(),
        challenge: challenge.is_some(),
    };
    domain::onboarding::set_form(&db, &principal, site, fields).await?;
    Ok(())
}

/// Registers with a code; answers the site's flow (what happens next).
#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "register")]
pub async fn register(
    code: String,
    first_name: String,
    last_name: String,
    email: String,
    username: String,
    password: String,
    locale: String,
    #[server(default)] phone: String,
    #[server(default)] address: String,
    #[server(default)] personnel_number: String,
    #[server(default)] birth_date: String,
    #[server(default)] part: String,
    #[server(default)] newsletter: Option<String>,
    #[server(default)] disclaimer: Option<String>,
    #[server(default)] proof: String,
) -> Result<wire::RegistrationFlow, AppError> {
    let db = crate::ssr::db()?;
    crate::ssr::limit(&db, domain::auth::throttle::Request::Registration).await?;
    let form = domain::onboarding::RegistrationForm {
        code,
        first_name,
        last_name,
        email,
        username,
        password,
        locale,
        extra: domain::onboarding::ExtraAnswers {
            phone,
            address,
            personnel_number,
            birth_date,
            part: Uuid::parse_str(part.trim()).ok(),
            newsletter: newsletter.is_some(),
            disclaimer_accepted: disclaimer.is_some(),
            proof,
        },
    };
    Ok(domain::onboarding::register(&db, form).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub username: String,
    pub awaiting_approval: bool,
}

#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<Confirmed, AppError> {
    let db = crate::ssr::db()?;
    let confirmed = domain::onboarding::confirm_email(&db, &token).await?;
    Ok(Confirmed {
        username: confirmed.username,
        awaiting_approval: confirmed.awaiting_approval,
    })
}

/// Always answers the same, whether or not the account exists.
#[server(endpoint = "request_reset")]
pub async fn request_reset(login: String, locale: String) -> Result<(), AppError> {
    let db = crate::ssr::db()?;
    crate::ssr::limit(&db, domain::auth::throttle::Request::PasswordReset).await?;
    Ok(domain::auth::request_reset(&db, &login, &locale).await?)
}

/// The username a password link is for (the page greets them), or why it does not work.
#[server(endpoint = "password_link")]
pub async fn password_link(token: String) -> Result<String, AppError> {
    let db = crate::ssr::db()?;
    Ok(domain::auth::token_owner(&db, &token).await?)
}

#[server(endpoint = "set_password")]
pub async fn set_password(
    token: String,
    password: String,
    confirm: String,
) -> Result<String, AppError> {
    let db = crate::ssr::db()?;
    Ok(domain::auth::set_password_with_token(&db, &token, &password, &confirm).await?)
}

/// Changes the signed-in user's password; every other session of theirs ends, this one gets
/// a new id. Answers the local path to go to next.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
    next: String,
) -> Result<String, AppError> {
    let (db, principal) = crate::ssr::principal_changing_password().await?;
    domain::auth::change_password(&db, &principal, &current, &password, &confirm).await?;
    let user_id = principal
        .user_id()
        .ok_or_else(|| crate::ssr::internal("no user"))?;
    session::renew_session(&crate::ssr::session().await?, user_id).await?;
    Ok(crate::api::auth::safe_next(&next))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingUser {
    pub id: Uuid,
    pub username: String,
    pub name: String,
    pub email: String,
    /// `YYYY-MM-DD HH:MM` in UTC.
    pub registered_at: String,
}

#[server(endpoint = "pending_users")]
pub async fn pending_users(site: Option<Uuid>) -> Result<Vec<PendingUser>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let pending = domain::onboarding::pending(&db, &principal, site).await?;
    Ok(pending
        .into_iter()
        .map(|u| PendingUser {
            id: u.public_id,
            name: format!("{} {}", u.first_name, u.last_name),
            username: u.username,
            email: u.email.unwrap_or_default(),
            registered_at: u.created_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect())
}

#[server(endpoint = "decide_registration")]
pub async fn decide_registration(user: Uuid, approve: bool) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::onboarding::decide(&db, &principal, user, approve).await?)
}
