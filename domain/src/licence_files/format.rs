//! The licence file format, version 1: a JWS in compact serialisation (RFC 7515) signed with
//! EdDSA over Ed25519 (RFC 8037), `typ` [`TYP`], the key named by `kid` and published at
//! `/api/v1/keys`. Sealed, it is a JWE in compact serialisation (RFC 7516) with `alg` `dir` and
//! `enc` `A256GCM` whose plaintext is that JWS (`cty` `JWT`), and `kid` `user` or `device`:
//! the key is the user's licence key (32 bytes, from `/api/v1/users/{id}/licence-key`), or for
//! `device` HMAC-SHA256 of that key over `device:` and the device's fingerprint. Any JOSE
//! library reads both; [`verify`] is this crate's own verifier (the CLI's `licence verify`).
//! `docs/licence-files.md` describes the claims.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::{Error, Result};

/// The media type of a signed licence file (its JWS header's `typ`).
pub const TYP: &str = "licentia-licence+jwt";
/// The version of the claims (`ver`); a verifier refuses versions it does not know.
pub const VERSION: u32 = 1;

/// What a licence file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub ver: u32,
    /// This file's id.
    pub jti: Uuid,
    /// The user's id.
    pub sub: Uuid,
    /// Issued (seconds since 1970, UTC).
    pub iat: i64,
    /// The first moment of `valid_from` in Brussels.
    pub nbf: i64,
    /// The end of `valid_until` in Brussels: the file is refused after it.
    pub exp: i64,
    /// The application must check online again after this moment (`iat` + the time-to-live).
    pub check_by: i64,
    pub user: Holder,
    pub organisation: Organisation,
    /// Product keys the licence covers, sorted.
    pub products: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// The device (its fingerprint) the file is bound to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub id: Uuid,
    pub username: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
}

/// The key a sealed file is encrypted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seal {
    /// The user's licence key.
    User,
    /// The user's licence key and the fingerprint of the device the file is bound to.
    Device,
}

impl Seal {
    pub fn parse(text: &str) -> Option<Seal> {
        match text {
            "user" => Some(Seal::User),
            "device" => Some(Seal::Device),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Seal::User => "user",
            Seal::Device => "device",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct SignedHeader {
    alg: String,
    typ: String,
    kid: String,
}

#[derive(Serialize, Deserialize)]
struct SealedHeader {
    alg: String,
    enc: String,
    cty: String,
    kid: String,
}

/// One published key: a JWK of type OKP on Ed25519 (RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub usage: String,
}

/// The published keys (a JWK Set, RFC 7517).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwk {
    pub fn ed25519(kid: &str, public: &VerifyingKey) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: B64.encode(public.as_bytes()),
            kid: kid.into(),
            alg: "EdDSA".into(),
            usage: "sig".into(),
        }
    }

    fn verifying_key(&self) -> Option<VerifyingKey> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return None;
        }
        let bytes: [u8; 32] = B64.decode(&self.x).ok()?.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes).ok()
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this is not a licence file")]
    Malformed,
    #[error("the file is of version {0}, which this verifier does not know")]
    Version(u32),
    #[error("the file is sealed: give the user's licence key (and the device for a device seal)")]
    Sealed,
    #[error("the file cannot be opened with this key (a wrong key, or the file was changed)")]
    Unsealable,
    #[error("the key {0:?} that signed the file is not published (it was removed)")]
    UnknownKey(String),
    #[error("the signature does not match (the file was changed)")]
    BadSignature,
    #[error("the licence starts later")]
    NotYetValid,
    #[error("the licence has expired")]
    Expired,
    #[error("the file is past its time-to-live: check online again")]
    CheckOnline,
    #[error("the file is bound to another device")]
    OtherDevice,
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Internal(format!("licence file: {e}")))
}

/// The signed file (a compact JWS).
pub fn sign(claims: &Claims, kid: &str, key: &SigningKey) -> Result<String> {
    let header = SignedHeader {
        alg: "EdDSA".into(),
        typ: TYP.into(),
        kid: kid.into(),
    };
    let input = format!(
        "{}.{}",
        B64.encode(json(&header)?),
        B64.encode(json(claims)?)
    );
    let signature = key.sign(input.as_bytes());
    Ok(format!("{input}.{}", B64.encode(signature.to_bytes())))
}

/// The key a device seal uses: HMAC-SHA256 of the user's licence key over `device:` and the
/// fingerprint (HMAC takes a key of any length: `None` is never seen).
pub fn device_key(user_key: &[u8; 32], fingerprint: &str) -> Option<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(user_key).ok()?;
    mac.update(b"device:");
    mac.update(fingerprint.as_bytes());
    Some(mac.finalize().into_bytes().into())
}

/// The signed file sealed to `key` (a compact JWE, `dir` + `A256GCM`).
pub fn seal(signed: &str, seal: Seal, key: &[u8; 32]) -> Result<String> {
    let header = SealedHeader {
        alg: "dir".into(),
        enc: "A256GCM".into(),
        cty: "JWT".into(),
        kid: seal.as_str().into(),
    };
    let protected = B64.encode(json(&header)?);
    let iv: [u8; 12] = rand::random();
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| Error::Internal("seal key".into()))?;
    let mut sealed = cipher
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: signed.as_bytes(),
                aad: protected.as_bytes(),
            },
        )
        .map_err(|_| Error::Internal("seal".into()))?;
    let tag = sealed.split_off(sealed.len().saturating_sub(16));
    Ok(format!(
        "{protected}..{}.{}.{}",
        B64.encode(iv),
        B64.encode(sealed),
        B64.encode(tag)
    ))
}

fn part(text: &str) -> std::result::Result<Vec<u8>, Refusal> {
    B64.decode(text).map_err(|_| Refusal::Malformed)
}

/// The signed file inside a sealed one (or the file itself when it is not sealed).
pub fn open(
    file: &str,
    user_key: Option<&[u8; 32]>,
    device: Option<&str>,
) -> std::result::Result<String, Refusal> {
    let parts: Vec<&str> = file.trim().split('.').collect();
    match parts.as_slice() {
        [_, _, _] => Ok(file.trim().to_string()),
        [protected, "", iv, ciphertext, tag] => {
            let header: SealedHeader =
                serde_json::from_slice(&part(protected)?).map_err(|_| Refusal::Malformed)?;
            if header.alg != "dir" || header.enc != "A256GCM" {
                return Err(Refusal::Malformed);
            }
            let user_key = user_key.ok_or(Refusal::Sealed)?;
            let key = match Seal::parse(&header.kid).ok_or(Refusal::Malformed)? {
                Seal::User => *user_key,
                Seal::Device => device_key(user_key, device.ok_or(Refusal::Sealed)?)
                    .ok_or(Refusal::Unsealable)?,
            };
            let iv: [u8; 12] = part(iv)?.try_into().map_err(|_| Refusal::Malformed)?;
            let mut sealed = part(ciphertext)?;
            sealed.extend(part(tag)?);
            let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| Refusal::Unsealable)?;
            let plain = cipher
                .decrypt(
                    &Nonce::from(iv),
                    Payload {
                        msg: &sealed,
                        aad: protected.as_bytes(),
                    },
                )
                .map_err(|_| Refusal::Unsealable)?;
            String::from_utf8(plain).map_err(|_| Refusal::Malformed)
        }
        _ => Err(Refusal::Malformed),
    }
}

/// The claims of a file that holds at `now`: sealed files are opened with the user's licence
/// key (and the device's fingerprint), the signature checked against the published keys,
/// then the version, the period, the time-to-live and the device binding.
pub fn verify(
    file: &str,
    keys: &Jwks,
    user_key: Option<&[u8; 32]>,
    device: Option<&str>,
    now: DateTime<Utc>,
) -> std::result::Result<Claims, Refusal> {
    let signed = open(file, user_key, device)?;
    let parts: Vec<&str> = signed.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(Refusal::Malformed);
    };
    let head: SignedHeader =
        serde_json::from_slice(&part(header)?).map_err(|_| Refusal::Malformed)?;
    if head.alg != "EdDSA" || head.typ != TYP {
        return Err(Refusal::Malformed);
    }
    let key = keys
        .keys
        .iter()
        .find(|k| k.kid == head.kid)
        .and_then(Jwk::verifying_key)
        .ok_or_else(|| Refusal::UnknownKey(head.kid.clone()))?;
    let signature: [u8; 64] = part(signature)?
        .try_into()
        .map_err(|_| Refusal::BadSignature)?;
    key.verify_strict(
        format!("{header}.{payload}").as_bytes(),
        &Signature::from_bytes(&signature),
    )
    .map_err(|_| Refusal::BadSignature)?;
    let version: serde_json::Value =
        serde_json::from_slice(&part(payload)?).map_err(|_| Refusal::Malformed)?;
    match version["ver"].as_u64() {
        Some(1) => {}
        Some(other) => return Err(Refusal::Version(u32::try_from(other).unwrap_or(u32::MAX))),
        None => return Err(Refusal::Malformed),
    }
    let claims: Claims = serde_json::from_value(version).map_err(|_| Refusal::Malformed)?;
    let at = now.timestamp();
    if at < claims.nbf {
        return Err(Refusal::NotYetValid);
    }
    if at >= claims.exp {
        return Err(Refusal::Expired);
    }
    if at >= claims.check_by {
        return Err(Refusal::CheckOnline);
    }
    if let Some(bound) = &claims.device {
        if device != Some(bound.as_str()) {
            return Err(Refusal::OtherDevice);
        }
    }
    Ok(claims)
}
