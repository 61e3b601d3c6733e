//! Issuing a licence file: to the user themselves, or to an application connected where the
//! user is placed, for a user whose account may sign in and who holds a valid licence (for
//! the product asked about, or any). On the hot path everything comes from the process's
//! cache: the licence facts (as the online check has them), the holder and the signing key.
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::EntityTrait;
use sha2::Sha256;
use uuid::Uuid;

use super::format::{self, Claims, Holder, Organisation, Seal, VERSION};
use super::keys;
use crate::access::{self, Operation, SiteScope};
use crate::cache::{self, TtlCache};
use crate::error::{Code, Error, Result};
use crate::licences::{self, Status};
use crate::{Db, Principal};

/// How long a file may be used offline before the application checks online again, unless
/// asked otherwise.
pub const DEFAULT_TTL: Duration = Duration::days(7);
/// The shortest and longest time-to-live that may be asked for.
pub const TTL_RANGE: (Duration, Duration) = (Duration::hours(1), Duration::days(30));

/// The server secret the users' licence keys are derived from.
const KEY_SECRET: &str = "licence_keys";

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// A product key: the file covers that product (which the licence must cover); otherwise
    /// every product the user's valid licences cover.
    pub product: Option<String>,
    /// The fingerprint of the device the file is bound to.
    pub device: Option<String>,
    pub seal: Option<Seal>,
    /// The time-to-live; [`DEFAULT_TTL`] when not given.
    pub ttl: Option<Duration>,
}

/// A file made.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The file's text (a compact JWS, or a JWE when sealed).
    pub file: String,
    pub claims: Claims,
    /// The key that signed it.
    pub kid: String,
}

/// Who a file is for, as read once for a while.
#[derive(Clone)]
struct Facts {
    target_id: i32,
    scope: SiteScope,
    holder: Holder,
    organisation: Organisation,
    /// Why the account may not sign in, if it may not.
    barred: Option<Code>,
}

static HOLDERS: TtlCache<Uuid, Arc<Facts>> = TtlCache::new();

async fn facts(db: &Db, user: Uuid, today: NaiveDate) -> Result<Arc<Facts>> {
    if let Some(hit) = HOLDERS.get(&user) {
        return Ok(hit);
    }
    let generation = cache::generation();
    let (found, site) = crate::users::resolve(db, user).await?;
    let root = site.scope.root_id().ok_or(Error::NotFound)?;
    let organisation = site
        .ancestors
        .iter()
        .find(|s| s.id == root)
        .ok_or(Error::NotFound)?;
    let barred = if !found.active || found.pending.is_some() {
        Some(Code::AccountInactive)
    } else if site
        .user_expires_on(found.expires_on)
        .is_some_and(|last| last < today)
    {
        Some(Code::AccountExpired)
    } else {
        None
    };
    let facts = Arc::new(Facts {
        target_id: found.id,
        scope: site.scope.clone(),
        holder: Holder {
            id: found.public_id,
            username: found.username.clone(),
            name: format!("{} {}", found.first_name, found.last_name)
                .trim()
                .to_string(),
        },
        organisation: Organisation {
            id: organisation.public_id,
            name: organisation.name.clone(),
        },
        barred,
    });
    HOLDERS.put(user, generation, facts.clone());
    Ok(facts)
}

/// The user themselves, or an application connected where the user is placed.
fn allowed(principal: &Principal, facts: &Facts) -> Result<()> {
    if principal.user_id() == Some(facts.target_id) {
        return Ok(());
    }
    access::require(principal, Operation::ConnectApplication, &facts.scope)
}

fn checked(request: &Request) -> Result<Duration> {
    if let Some(device) = &request.device {
        crate::applications::fingerprint(device)?;
    }
    if request.seal == Some(Seal::Device) && request.device.is_none() {
        return Err(Error::invalid("device", Code::DeviceFingerprintInvalid));
    }
    let ttl = request.ttl.unwrap_or(DEFAULT_TTL);
    if ttl < TTL_RANGE.0 || ttl > TTL_RANGE.1 {
        return Err(Error::invalid("ttl", Code::LicenceFileTtlInvalid));
    }
    Ok(ttl)
}

/// The first moment of a day in Brussels, in seconds since 1970.
fn start_of(day: NaiveDate) -> i64 {
    wire::time::from_local(day.and_time(NaiveTime::MIN)).timestamp()
}

/// A licence file for `user`, issued at `now`.
pub async fn issue(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Issued> {
    let today = wire::time::local(now).date();
    let facts = facts(db, user, today).await?;
    allowed(principal, &facts)?;
    let ttl = checked(request)?;
    if let Some(code) = facts.barred {
        return Err(Error::Refused(code));
    }
    let (_, _, answer) = licences::known(db, user, request.product.as_deref(), today).await?;
    let answer = answer?;
    let (Status::ActiveSince(from), Some(until), true) =
        (answer.status, answer.until, answer.valid)
    else {
        return Err(Error::Refused(Code::NoValidLicence));
    };
    let products = match &request.product {
        Some(key) => vec![key.trim().to_string()],
        None => answer.products.clone(),
    };
    let claims = Claims {
        ver: VERSION,
        jti: Uuid::new_v4(),
        sub: facts.holder.id,
        iat: now.timestamp(),
        nbf: start_of(from),
        exp: until
            .succ_opt()
            .map(start_of)
            .unwrap_or_else(|| start_of(until)),
        check_by: (now + ttl).timestamp(),
        user: facts.holder.clone(),
        organisation: facts.organisation.clone(),
        products,
        valid_from: from,
        valid_until: until,
        device: request.device.clone(),
    };
    if let Some(device) = &request.device {
        crate::applications::register_device_for(
            db,
            facts.target_id,
            &claims.products,
            device,
            today,
        )
        .await?;
    }
    let signer = keys::signer(db).await?;
    let signed = format::sign(&claims, &signer.kid, &signer.key)?;
    let file = match request.seal {
        None => signed,
        Some(seal) => {
            let user_key = user_key(db, facts.holder.id).await?;
            let key = match (seal, &request.device) {
                (Seal::Device, Some(device)) => format::device_key(&user_key, device)
                    .ok_or_else(|| Error::Internal("device key".into()))?,
                _ => user_key,
            };
            format::seal(&signed, seal, &key)?
        }
    };
    metrics::counter!("licentia_licence_files_total").increment(1);
    Ok(Issued {
        file,
        claims,
        kid: signer.kid.clone(),
    })
}

/// The signed-in user's own file (every product their valid licences cover, the default
/// time-to-live): the download on the overview.
pub async fn issue_mine(db: &Db, principal: &Principal, now: DateTime<Utc>) -> Result<Issued> {
    let me = principal.user_id().ok_or(Error::Unauthenticated)?;
    let found = crate::entities::user::Entity::find_by_id(me)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)?;
    issue(db, principal, found.public_id, &Request::default(), now).await
}

/// A user's licence key (what sealed files are encrypted to): HMAC-SHA256 of the server's
/// secret over the user's id, so every process derives the same key without storing one.
async fn user_key(db: &Db, user: Uuid) -> Result<[u8; 32]> {
    let secret = crate::secrets::named(db, KEY_SECRET).await?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret)
        .map_err(|_| Error::Internal("licence key".into()))?;
    mac.update(b"user:");
    mac.update(user.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

/// A user's licence key, for the user themselves or an application connected where the user
/// is placed.
pub async fn licence_key(db: &Db, principal: &Principal, user: Uuid) -> Result<[u8; 32]> {
    let facts = facts(db, user, wire::time::today()).await?;
    allowed(principal, &facts)?;
    user_key(db, facts.holder.id).await
}
