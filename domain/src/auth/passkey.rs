//! Signing in with a passkey alone: no username, no password. The browser finds one of its
//! passkeys for this server, the user unlocks it (user verification: something they have and
//! something they know or are), so no second factor is asked after it. The same refusals as a
//! password sign-in (deactivated, expired, pending) and the same licence claim.
use chrono::Utc;
use sea_orm::EntityTrait;

use super::{refusal, SignedIn};
use crate::entities::user;
use crate::error::{Code, Error, Result};
use crate::factors::{Passkeys, Step};
use crate::licences::{self, Claim};
use crate::Db;

/// A sign-in with a passkey, and what its licence claim came to (`None` when the claim
/// failed: the sign-in still holds).
#[derive(Debug)]
pub struct PasskeySignIn {
    pub signed_in: SignedIn,
    pub claim: Option<Claim>,
}

/// Ends a sign-in with a passkey begun with [`crate::factors::start_sign_in`].
pub async fn sign_in_with_passkey(
    db: &Db,
    passkeys: &Passkeys,
    state: &str,
    answer: &str,
) -> Result<PasskeySignIn> {
    let now = Utc::now();
    let outcome = async {
        let user_id = crate::factors::finish_sign_in(db, passkeys, state, answer, now).await?;
        let found = user::Entity::find_by_id(user_id)
            .one(db.conn())
            .await?
            .ok_or(Error::Refused(Code::PasskeyInvalid))?;
        if let Some(code) = refusal(db, &found).await? {
            return Err(Error::Refused(code));
        }
        let conn = db.autocommit().await;
        super::signed_in_at(&*conn, found.id, now).await?;
        drop(conn);
        Ok(found)
    }
    .await;
    metrics::counter!(
        "licentia_sign_ins_total",
        "method" => "passkey",
        "outcome" => match &outcome {
            Ok(_) => "success",
            Err(err) => err.code().as_str(),
        }
    )
    .increment(1);
    let found = outcome?;
    let claim = licences::claim_at_sign_in(db, &found, wire::time::local_date(now)).await;
    Ok(PasskeySignIn {
        signed_in: SignedIn {
            user_id: found.id,
            locale: found.locale,
            // The passkey stands for both factors; an initial password is no concern of it.
            must_change_password: false,
            second_factor: Step::Done,
        },
        claim,
    })
}
