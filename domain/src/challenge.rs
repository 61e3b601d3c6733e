//! A proof-of-work challenge for self-registration and serial sign-up, as ALTCHA has it and
//! without a third party: the server hands out a salt (with its expiry) and the SHA-256 of
//! the salt followed by a secret number below `maxnumber`, signed with an HMAC of the
//! server's persisted secret over salt and challenge; the browser tries numbers until the hash
//! matches (a second or so) and sends the number back. The server checks the signature, the
//! expiry and the hash, and takes each challenge once: used challenges are stored until they
//! expire, in the database, so every server process refuses a replay.
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::entities::used_challenge;
use crate::error::{Code, Error, Result};
use crate::tokens::{hex, unhex};
use crate::Db;

pub const ALGORITHM: &str = "SHA-256";
/// The secret number is below this: about 50,000 hashes on average to find it.
pub const MAX_NUMBER: u64 = 100_000;
/// How long a challenge may be answered.
pub const LIFETIME: Duration = Duration::minutes(20);
const SECRET_NAME: &str = "challenge_hmac";

/// What the browser gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub algorithm: String,
    /// Hex SHA-256 of `salt` followed by the number in decimal.
    pub challenge: String,
    pub maxnumber: u64,
    /// Random, then `?expires=<unix seconds>`.
    pub salt: String,
    /// Hex HMAC-SHA-256 of `salt` followed by `challenge`, with the server's secret.
    pub signature: String,
}

/// What the browser sends back (as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    pub algorithm: String,
    pub challenge: String,
    pub number: u64,
    pub salt: String,
    pub signature: String,
}

/// Hex SHA-256 of the salt followed by the number.
pub fn hash(salt: &str, number: u64) -> String {
    hex(&Sha256::digest(format!("{salt}{number}").as_bytes()))
}

/// The number a challenge hides (what the browser does; tests use it).
pub fn solve(challenge: &Challenge) -> Option<u64> {
    (0..=challenge.maxnumber).find(|n| hash(&challenge.salt, *n) == challenge.challenge)
}

fn mac(secret: &[u8]) -> Result<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Error::Internal("challenge key".into()))
}

/// A new challenge, valid for [`LIFETIME`] from `now`.
pub async fn issue(db: &Db, now: DateTime<Utc>) -> Result<Challenge> {
    let random: [u8; 12] = rand::random();
    let salt = format!("{}?expires={}", hex(&random), (now + LIFETIME).timestamp());
    let number = rand::random_range(0..=MAX_NUMBER);
    let challenge = hash(&salt, number);
    let mut signer = mac(&crate::secrets::named(db, SECRET_NAME).await?)?;
    signer.update(salt.as_bytes());
    signer.update(challenge.as_bytes());
    Ok(Challenge {
        algorithm: ALGORITHM.to_string(),
        challenge,
        maxnumber: MAX_NUMBER,
        salt,
        signature: hex(&signer.finalize().into_bytes()),
    })
}

fn invalid() -> Error {
    Error::invalid("challenge", Code::ChallengeInvalid)
}

/// Checks a solution (the JSON the browser sends) and takes its challenge: refused when it is
/// missing or malformed, not signed by this server, expired, wrong, or used before.
pub async fn verify(db: &Db, proof: &str, now: DateTime<Utc>) -> Result<()> {
    let solution: Solution = serde_json::from_str(proof).map_err(|_| invalid())?;
    if solution.algorithm != ALGORITHM {
        return Err(invalid());
    }
    let expires = solution
        .salt
        .rsplit_once("?expires=")
        .and_then(|(_, at)| at.parse::<i64>().ok())
        .and_then(|at| DateTime::from_timestamp(at, 0))
        .ok_or_else(invalid)?;
    let signature = unhex(&solution.signature).ok_or_else(invalid)?;
    let mut signer = mac(&crate::secrets::named(db, SECRET_NAME).await?)?;
    signer.update(solution.salt.as_bytes());
    signer.update(solution.challenge.as_bytes());
    signer.verify_slice(&signature).map_err(|_| invalid())?;
    if expires < now {
        return Err(Error::invalid("challenge", Code::ChallengeExpired));
    }
    if solution.number > MAX_NUMBER || hash(&solution.salt, solution.number) != solution.challenge {
        return Err(invalid());
    }
    // Once: the challenge's key is unique, so of two processes taking it only one succeeds.
    let txn = db.write_uncached().await?;
    used_challenge::Entity::delete_many()
        .filter(used_challenge::Column::ExpiresAt.lt(now))
        .exec(&*txn)
        .await?;
    used_challenge::ActiveModel {
        challenge: Set(solution.challenge.clone()),
        expires_at: Set(expires),
    }
    .insert(&*txn)
    .await
    .map_err(|e| match Error::from_db_unique(e, Code::ChallengeUsed) {
        Error::Conflict(code) => Error::invalid("challenge", code),
        other => other,
    })?;
    txn.commit().await
}
