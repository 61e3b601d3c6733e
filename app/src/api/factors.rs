//! Second factors. The user's own: authenticator apps (enrol with a QR code, confirm with
//! a first code, remove) and recovery codes (shown once; a new set replaces the old), also
//! while a sign-in waits for the first one to be set up. An administrator's: a user's count
//! and reset; the organisation's policy.
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// A confirmed factor, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorView {
    pub id: Uuid,
    /// A passkey (else an authenticator app).
    pub passkey: bool,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The user's factors and how many unused recovery codes they hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorsView {
    pub factors: Vec<FactorView>,
    pub recovery_codes_left: u64,
}

/// An enrolment begun: what the user's app reads (a QR code, or the secret typed in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolmentView {
    pub factor: Uuid,
    /// Base32, in groups of four for typing.
    pub secret: String,
    /// The `otpauth://` address as an SVG QR code.
    pub qr_svg: String,
}

#[server(endpoint = "my_factors")]
pub async fn my_factors() -> Result<FactorsView, AppError> {
    let (db, principal) = crate::ssr::principal_enrolling().await?;
    let factors = domain::factors::factors(&db, &principal).await?;
    let left = domain::factors::recovery_codes_left(&db, &principal).await?;
    Ok(FactorsView {
        factors: factors
            .into_iter()
            .map(|f| FactorView {
                id: f.id,
                passkey: f.kind == domain::factors::FactorKind::Passkey,
                name: f.name,
                created_at: f.created_at,
                last_used_at: f.last_used_at,
            })
            .collect(),
        recovery_codes_left: left,
    })
}

#[server(endpoint = "enrol_authenticator")]
pub async fn enrol_authenticator(name: String) -> Result<EnrolmentView, AppError> {
    let (db, principal) = crate::ssr::principal_enrolling().await?;
    let started = domain::factors::enrol_totp(&db, &principal, &name, Utc::now()).await?;
    let qr =
        qrcode::QrCode::new(started.uri.as_bytes()).map_err(|_| crate::ssr::internal("qr code"))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let secret = started
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(EnrolmentView {
        factor: started.factor,
        secret,
        qr_svg,
    })
}

/// Confirms an enrolment with a first code; answers the recovery codes when the user had
/// none (shown once).
#[server(endpoint = "confirm_authenticator")]
pub async fn confirm_authenticator(
    factor: Uuid,
    code: String,
) -> Result<Option<Vec<String>>, AppError> {
    let (db, principal) = crate::ssr::principal_enrolling().await?;
    Ok(domain::factors::confirm_totp(&db, &principal, factor, &code, Utc::now()).await?)
}

#[server(endpoint = "remove_factor")]
pub async fn remove_factor(factor: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::factors::remove(&db, &principal, factor).await?)
}

/// A new set of recovery codes (the old ones stop working), shown once.
#[server(endpoint = "renew_recovery_codes")]
pub async fn renew_recovery_codes() -> Result<Vec<String>, AppError> {
    let (db, principal) = crate::ssr::principal_enrolling().await?;
    Ok(domain::factors::regenerate_recovery_codes(&db, &principal, Utc::now()).await?)
}

/// How many second factors a user has, for their administrator.
#[server(endpoint = "user_factor_count")]
pub async fn user_factor_count(user: Uuid) -> Result<u64, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::factors::count_of(&db, &principal, user).await?)
}

/// Removes every second factor and recovery code of a user (a lost phone), for an
/// administrator with authority over them; answers how many factors were removed.
#[server(endpoint = "reset_user_factors")]
pub async fn reset_user_factors(user: Uuid) -> Result<u64, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::factors::reset(&db, &principal, user).await?)
}

/// An organisation's second-factor policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorPolicyView {
    pub who: wire::SecondFactorPolicy,
    pub grace_days: i32,
    /// Microsoft tenant ids, one per line (empty: any).
    pub tenants: String,
}

/// The second-factor policy of the organisation `site` belongs to, for its administrators.
#[server(endpoint = "load_factor_policy")]
pub async fn load_factor_policy(site: Uuid) -> Result<FactorPolicyView, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let policy = domain::factors::policy_of(&db, &principal, site).await?;
    Ok(FactorPolicyView {
        who: policy.who,
        grace_days: policy.grace_days,
        tenants: policy.tenants.join("\n"),
    })
}

#[server(endpoint = "save_factor_policy")]
pub async fn save_factor_policy(
    site: Uuid,
    who: wire::SecondFactorPolicy,
    grace_days: i32,
    #[server(default)] tenants: String,
) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let policy = domain::factors::Policy {
        who,
        grace_days,
        tenants: tenants.lines().map(str::to_string).collect(),
    };
    domain::factors::set_policy(&db, &principal, site, policy).await?;
    Ok(())
}

/// Whether this server offers passkeys (its public address allows them).
#[server(endpoint = "passkeys_offered")]
pub async fn passkeys_offered() -> Result<bool, AppError> {
    Ok(crate::ssr::passkeys().is_ok())
}

/// Begins adding a passkey: the options for the browser (its state stays in the session).
#[server(endpoint = "start_passkey")]
pub async fn start_passkey() -> Result<String, AppError> {
    let (db, principal) = crate::ssr::principal_enrolling().await?;
    let rp = crate::ssr::passkeys()?;
    let begun = domain::factors::start_registration(&db, &rp, &principal, Utc::now()).await?;
    crate::ssr::keep_ceremony("register", begun.state).await?;
    Ok(begun.options)
}

/// Ends adding a passkey with the browser's answer; answers the recovery codes when the user
/// had none (shown once).
#[server(endpoint = "finish_passkey")]
pub async fn finish_passkey(name: String, answer: String) -> Result<Option<Vec<String>>, AppError> {
    let (db, principal) = crate::ssr::principal_enrolling().await?;
    let rp = crate::ssr::passkeys()?;
    let state = crate::ssr::take_ceremony("register").await?;
    Ok(domain::factors::finish_registration(
        &db,
        &rp,
        &principal,
        &name,
        &state,
        &answer,
        Utc::now(),
    )
    .await?)
}
