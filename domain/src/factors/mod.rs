//! Second factors: an authenticator app's six-digit codes (TOTP, RFC 6238), passkeys (WebAuthn;
//! also a sign-in of their own, without password) and recovery codes shown once and kept hashed. A user enrols an app (the secret shown as a QR code and as
//! text), confirms it with a first code, and receives ten recovery codes; at sign-in either
//! proves the second factor. A code is accepted once: its time step is remembered, so the
//! same code (or an older one) is refused even within its 90 seconds of validity.
mod list;
mod passkey;
mod policy;
mod recovery;
mod totp;

pub use list::{factors, has_factor, remove, reset, Factor, FactorKind};
pub use passkey::{
    finish_proof, finish_registration, finish_sign_in, start_proof, start_registration,
    start_sign_in, Ceremony, Passkeys,
};
pub use policy::is_tenant_id;
pub(crate) use policy::tenants_of;
pub use policy::{
    count_of, may_go_on, policy_of, set_policy, step_at_sign_in, Policy, Step, DEFAULT_GRACE_DAYS,
    MAX_GRACE_DAYS,
};
pub use recovery::{recovery_codes_left, regenerate_recovery_codes, use_recovery_code};
pub use totp::{confirm_totp, enrol_totp, verify_totp, Enrolment, ISSUER};

/// A user may keep this many factors at most.
pub const MAX_FACTORS: u64 = 10;

/// The signed-in user (or the one setting up a factor to sign in), while they may add another
/// factor (refused at [`MAX_FACTORS`]).
async fn adding_one(
    db: &crate::Db,
    principal: &crate::Principal,
) -> crate::Result<crate::entities::user::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let me = principal.user_id().ok_or(crate::Error::Unauthenticated)?;
    let account = crate::entities::user::Entity::find_by_id(me)
        .one(db.conn())
        .await?
        .ok_or(crate::Error::Unauthenticated)?;
    let kept = crate::entities::second_factor::Entity::find()
        .filter(crate::entities::second_factor::Column::UserId.eq(me))
        .filter(crate::entities::second_factor::Column::Confirmed.eq(true))
        .count(db.conn())
        .await?;
    if kept >= MAX_FACTORS {
        return Err(crate::Error::Refused(crate::Code::SecondFactorLimitReached));
    }
    Ok(account)
}

/// Proves the second factor of a sign-in waiting for it: a code from one of the user's apps,
/// or (`recovery`) one of their recovery codes.
pub async fn prove(
    db: &crate::Db,
    user_id: i32,
    code: &str,
    recovery: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<()> {
    if recovery {
        use_recovery_code(db, user_id, code, now).await
    } else {
        verify_totp(db, user_id, code, now).await
    }
}
