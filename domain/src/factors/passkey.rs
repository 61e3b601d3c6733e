//! Passkeys (WebAuthn, through `webauthn-rs`): a second factor, and a sign-in without
//! username or password. The browser creates a key pair for this server's address (the relying
//! party: the host of `LICENTIA_PUBLIC_URL`); the server keeps the public key and checks each
//! signed challenge: the origin, user verification, and a counter that only goes up.
//!
//! A ceremony has two steps: `start_*` answers the options for the browser and a state the
//! caller keeps (in the session) for `finish_*`, which verifies the browser's answer against
//! it. A state is used once: its hash goes into the used-challenge table, so an answer replayed
//! (to this process or another) is refused.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Webauthn, WebauthnBuilder,
};

use super::recovery;
use crate::entities::{second_factor, used_challenge, user};
use crate::error::{Code, Error, Result};
use crate::{Db, Principal};

pub(super) const KIND: &str = "passkey";
/// How long a ceremony's state is good for (and kept in the used-challenge table).
const CEREMONY_MINUTES: i64 = 5;

/// This server as a relying party.
pub struct Passkeys {
    webauthn: Webauthn,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passkeys").finish_non_exhaustive()
    }
}

impl Passkeys {
    /// For the address users reach the server at. `None` where browsers offer no passkeys:
    /// an address by IP number (a relying party is a domain name) or one that is not https
    /// (but `localhost`).
    pub fn for_address(public_url: &str) -> Option<Passkeys> {
        let url = Url::parse(public_url).ok()?;
        let host = url.host_str()?.to_string();
        let domain = host.parse::<std::net::IpAddr>().is_err() && !host.starts_with('[');
        let secure = url.scheme() == "https" || host == "localhost";
        if !domain || !secure {
            return None;
        }
        let webauthn = WebauthnBuilder::new(&host, &url)
            .ok()?
            .rp_name(super::ISSUER)
            .build()
            .ok()?;
        Some(Passkeys { webauthn })
    }
}

/// A ceremony begun: the options for the browser's `navigator.credentials` (JSON) and the
/// state to keep for its end (JSON, not for the browser).
#[derive(Debug, Clone)]
pub struct Ceremony {
    pub options: String,
    pub state: String,
}

fn invalid() -> Error {
    Error::Refused(Code::PasskeyInvalid)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("passkey json: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| invalid())
}

/// The credential id as stored (base64url without padding).
fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// Takes a ceremony's state: once, within its time (two processes racing with the same
/// answer: the table's key lets one through).
async fn take_state(db: &Db, state: &str, now: DateTime<Utc>) -> Result<()> {
    let digest = Sha256::digest(state.as_bytes());
    let key = format!("passkey:{}", credential_key(&digest));
    let txn = db.write_uncached().await?;
    used_challenge::Entity::delete_many()
        .filter(used_challenge::Column::ExpiresAt.lt(now))
        .exec(&*txn)
        .await?;
    used_challenge::ActiveModel {
        challenge: Set(key),
        expires_at: Set(now + Duration::minutes(CEREMONY_MINUTES)),
    }
    .insert(&*txn)
    .await
    .map_err(|e| match Error::from_db_unique(e, Code::PasskeyInvalid) {
        Error::Conflict(_) => invalid(),
        other => other,
    })?;
    txn.commit().await
}

/// A state with the time it was made, so that an old one is refused.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept<T> {
    made: i64,
    inner: T,
}

fn keep<T: serde::Serialize>(inner: T, now: DateTime<Utc>) -> Result<String> {
    to_json(&Kept {
        made: now.timestamp(),
        inner,
    })
}

fn kept<T: serde::de::DeserializeOwned>(state: &str, now: DateTime<Utc>) -> Result<T> {
    let kept: Kept<T> = from_json(state)?;
    if now.timestamp() - kept.made > CEREMONY_MINUTES * 60 {
        return Err(invalid());
    }
    Ok(kept.inner)
}

/// A ceremony's state and the browser's answer, read, and the state spent (once, in time).
async fn answered<S, A>(db: &Db, state: &str, answer: &str, now: DateTime<Utc>) -> Result<(S, A)>
where
    S: serde::de::DeserializeOwned,
    A: serde::de::DeserializeOwned,
{
    let inner: S = kept(state, now)?;
    let answer: A = from_json(answer)?;
    take_state(db, state, now).await?;
    Ok((inner, answer))
}

async fn passkeys_of(db: &Db, user_id: i32) -> Result<Vec<(second_factor::Model, Passkey)>> {
    let rows = second_factor::Entity::find()
        .filter(second_factor::Column::UserId.eq(user_id))
        .filter(second_factor::Column::Kind.eq(KIND))
        .filter(second_factor::Column::Confirmed.eq(true))
        .all(db.conn())
        .await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(text) = row.credential.as_deref() else {
            continue;
        };
        let passkey: Passkey = serde_json::from_str(text)
            .map_err(|e| Error::Internal(format!("stored passkey: {e}")))?;
        found.push((row, passkey));
    }
    Ok(found)
}

/// Begins adding a passkey for the user (the signed-in one, or one whose sign-in waits for a
/// factor to be set up). The browser is asked for a key it can also find by itself, so that
/// it can sign in without a username later.
pub async fn start_registration(
    db: &Db,
    passkeys: &Passkeys,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<Ceremony> {
    let account = super::adding_one(db, principal).await?;
    let me = account.id;
    let exclude = passkeys_of(db, me)
        .await?
        .into_iter()
        .map(|(_, p)| p.cred_id().clone())
        .collect::<Vec<_>>();
    let shown = format!("{} {}", account.first_name, account.last_name);
    let (options, state) = passkeys
        .webauthn
        .start_passkey_registration(
            account.public_id,
            &account.username,
            shown.trim(),
            Some(exclude),
        )
        .map_err(|e| Error::Internal(format!("passkey registration: {e}")))?;
    // A key the authenticator can find by itself (for the sign-in without username) where it
    // can make one; any other is fine as a second factor. The extensions stay with the
    // server's state: browsers read them in forms of their own.
    let mut options = serde_json::to_value(&options)
        .map_err(|e| Error::Internal(format!("passkey json: {e}")))?;
    if let Some(public_key) = options.get_mut("publicKey").and_then(|v| v.as_object_mut()) {
        public_key.remove("extensions");
        if let Some(selection) = public_key
            .get_mut("authenticatorSelection")
            .and_then(|v| v.as_object_mut())
        {
            selection.insert("residentKey".into(), "preferred".into());
        }
    }
    Ok(Ceremony {
        options: to_json(&options)?,
        state: keep(state, now)?,
    })
}

/// Ends adding a passkey: checks the browser's answer against the kept state and stores the
/// key under `name` (journaled). Answers the recovery codes when the user had none (shown
/// once), or none.
pub async fn finish_registration(
    db: &Db,
    passkeys: &Passkeys,
    principal: &Principal,
    name: &str,
    state: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<Option<Vec<String>>> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    let name = super::totp::factor_name(name)?;
    let (registration, answer): (PasskeyRegistration, RegisterPublicKeyCredential) =
        answered(db, state, answer, now).await?;
    let passkey = passkeys
        .webauthn
        .finish_passkey_registration(&answer, &registration)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey registration refused");
            invalid()
        })?;
    let credential_id = credential_key(passkey.cred_id());
    let txn = db.write_uncached().await?;
    second_factor::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        user_id: Set(me),
        kind: Set(KIND.to_string()),
        name: Set(name.clone()),
        secret: Set(None),
        confirmed: Set(true),
        last_step: Set(None),
        created_at: Set(now),
        last_used_at: Set(None),
        credential: Set(Some(to_json(&passkey)?)),
        credential_id: Set(Some(credential_id)),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(|e| match Error::from_db_unique(e, Code::PasskeyInvalid) {
        // The same key once more (the browser was told to exclude it).
        Error::Conflict(_) => invalid(),
        other => other,
    })?;
    let codes = if recovery::left_in(&*txn, me).await? == 0 {
        Some(recovery::issue_in(&*txn, me, now).await?)
    } else {
        None
    };
    super::list::journal(
        db,
        &*txn,
        principal,
        me,
        crate::audit::Action::SecondFactorAdd,
        vec![crate::audit::Change::set("second_factor", &name)],
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Begins proving a sign-in's second factor with one of `user_id`'s passkeys. Refused when
/// they have none.
pub async fn start_proof(
    db: &Db,
    passkeys: &Passkeys,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Ceremony> {
    let keys: Vec<Passkey> = passkeys_of(db, user_id)
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    if keys.is_empty() {
        return Err(invalid());
    }
    let (options, state) = passkeys
        .webauthn
        .start_passkey_authentication(&keys)
        .map_err(|e| Error::Internal(format!("passkey authentication: {e}")))?;
    Ok(Ceremony {
        options: to_json(&options)?,
        state: keep(state, now)?,
    })
}

/// Ends proving a sign-in's second factor with a passkey of `user_id`'s.
pub async fn finish_proof(
    db: &Db,
    passkeys: &Passkeys,
    user_id: i32,
    state: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (authentication, answer): (PasskeyAuthentication, PublicKeyCredential) =
        answered(db, state, answer, now).await?;
    let result = passkeys
        .webauthn
        .finish_passkey_authentication(&answer, &authentication)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey proof refused");
            invalid()
        })?;
    let used = credential_key(result.cred_id());
    let (row, mut passkey) = passkeys_of(db, user_id)
        .await?
        .into_iter()
        .find(|(row, _)| row.credential_id.as_deref() == Some(used.as_str()))
        .ok_or_else(invalid)?;
    passkey.update_credential(&result);
    used_now(db, &row, &passkey, now).await
}

/// Begins a sign-in without username: the browser offers the passkeys it holds for this
/// server.
pub fn start_sign_in(passkeys: &Passkeys, now: DateTime<Utc>) -> Result<Ceremony> {
    let (mut options, state) = passkeys
        .webauthn
        .start_discoverable_authentication()
        .map_err(|e| Error::Internal(format!("passkey sign-in: {e}")))?;
    // Asked for by a button, not offered in the username field's suggestions.
    options.mediation = None;
    Ok(Ceremony {
        options: to_json(&options)?,
        state: keep(state, now)?,
    })
}

/// Ends a sign-in without username: finds whose passkey answered and verifies it. Answers the
/// user's id; whether they may sign in now is the caller's to check (as after a password).
pub async fn finish_sign_in(
    db: &Db,
    passkeys: &Passkeys,
    state: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<i32> {
    let (authentication, answer): (DiscoverableAuthentication, PublicKeyCredential) =
        answered(db, state, answer, now).await?;
    let (holder, credential_id) = passkeys
        .webauthn
        .identify_discoverable_authentication(&answer)
        .map_err(|_| invalid())?;
    let key = credential_key(credential_id);
    let row = second_factor::Entity::find()
        .filter(second_factor::Column::CredentialId.eq(key))
        .filter(second_factor::Column::Kind.eq(KIND))
        .filter(second_factor::Column::Confirmed.eq(true))
        .one(db.conn())
        .await?
        .ok_or_else(invalid)?;
    let owner = user::Entity::find_by_id(row.user_id)
        .one(db.conn())
        .await?
        .ok_or_else(invalid)?;
    // The key names its user as well: both must agree.
    if owner.public_id != holder {
        return Err(invalid());
    }
    let mut passkey: Passkey = from_json(row.credential.as_deref().unwrap_or_default())?;
    let result = passkeys
        .webauthn
        .finish_discoverable_authentication_v2(&answer, authentication, &passkey)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey sign-in refused");
            invalid()
        })?;
    passkey.update_credential(&result);
    used_now(db, &row, &passkey, now).await?;
    Ok(owner.id)
}

/// Records a passkey's use and its new counter.
async fn used_now(
    db: &Db,
    row: &second_factor::Model,
    passkey: &Passkey,
    now: DateTime<Utc>,
) -> Result<()> {
    let conn = db.autocommit().await;
    second_factor::Entity::update_many()
        .col_expr(second_factor::Column::LastUsedAt, Expr::value(now))
        .col_expr(
            second_factor::Column::Credential,
            Expr::value(to_json(passkey)?),
        )
        .filter(second_factor::Column::Id.eq(row.id))
        .exec(&*conn)
        .await?;
    Ok(())
}
