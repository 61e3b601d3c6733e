//! Signed licence files for offline use, the user's licence key they may be sealed to, and the
//! vendor's public keys that verify them (`docs/licence-files.md`).
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery, Caller};
use super::ApiState;

/// The key a licence file is sealed to.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SealTo {
    /// The user's licence key.
    User,
    /// The user's licence key and the device's fingerprint (`device` is then required).
    Device,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenceFileQuery {
    /// A product key: the file covers it (the licence must); without it, every product the
    /// user's valid licences cover.
    pub product: Option<String>,
    /// The fingerprint of the device the file is bound to (1 to 128 characters, no control
    /// characters).
    #[param(
        min_length = 1,
        max_length = 128,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]+$"
    )]
    pub device: Option<String>,
    /// Seal (encrypt) the file to the user's or the device's key.
    #[param(inline)]
    pub seal: Option<SealTo>,
    /// Seconds the file may be used offline before the application checks online again
    /// (3600 to 2592000; 604800 when not given).
    #[param(minimum = 3600, maximum = 2592000)]
    pub ttl: Option<i64>,
}

/// A licence file and what it says.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceFile {
    /// The file: a compact JWS (`typ` `licentia-licence+jwt`), or a compact JWE when sealed.
    pub file: String,
    /// The file's id.
    pub id: Uuid,
    /// The key that signed it (in `/api/v1/keys`).
    pub kid: String,
    pub products: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// The application must check online again after this moment.
    pub check_by: DateTime<Utc>,
}

/// A user's licence key: what sealed files are encrypted to.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceKey {
    /// 32 bytes, base64url without padding.
    pub key: String,
}

/// One public key (RFC 8037: OKP, Ed25519).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    #[schema(example = "OKP")]
    pub kty: String,
    #[schema(example = "Ed25519")]
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    pub kid: String,
    #[schema(example = "EdDSA")]
    pub alg: String,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub usage: String,
}

/// The keys that verify licence files (a JWK Set).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The public keys that verify licence files: the signing key and retired keys whose files
/// may still be valid. A file whose `kid` is not listed must be refused. No token needed.
#[utoipa::path(get, path = "/api/v1/keys", tag = "licence files", security(()),
    responses((status = 200, body = Jwks, content_type = "application/jwk-set+json")))]
pub async fn keys(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let published = domain::licence_files::published(&state.db)
        .await
        .map_err(|e| ApiError::new(e, wire::Lang::default()))?;
    let body = Jwks {
        keys: published
            .keys
            .iter()
            .map(|k| Jwk {
                kty: k.kty.clone(),
                crv: k.crv.clone(),
                x: k.x.clone(),
                kid: k.kid.clone(),
                alg: k.alg.clone(),
                usage: k.usage.clone(),
            })
            .collect(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        Json(body),
    ))
}

/// A signed licence file for the user, to be verified without network. For the user
/// themselves or an application connected where the user is placed; the account must be
/// able to sign in (422 `account_inactive`, `account_expired`) and hold a valid licence
/// (422 `no_valid_licence`).
#[utoipa::path(post, path = "/api/v1/users/{user}/licence-file", tag = "licence files",
    params(("user" = Uuid, Path, description = "The user's id"), LicenceFileQuery),
    responses((status = 200, body = LicenceFile), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn licence_file(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(user): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LicenceFileQuery>,
) -> Result<Json<LicenceFile>, ApiError> {
    let request = domain::licence_files::Request {
        product: query.product,
        device: query.device,
        seal: query.seal.map(|s| match s {
            SealTo::User => domain::licence_files::Seal::User,
            SealTo::Device => domain::licence_files::Seal::Device,
        }),
        // Out of chrono's range: as out of bounds as any other (refused by the domain).
        ttl: query
            .ttl
            .map(|seconds| chrono::Duration::try_seconds(seconds).unwrap_or(chrono::Duration::MAX)),
    };
    let issued =
        domain::licence_files::issue(&state.db, &caller.principal, user, &request, Utc::now())
            .await
            .map_err(|e| caller.fail(e))?;
    Ok(Json(LicenceFile {
        file: issued.file,
        id: issued.claims.jti,
        kid: issued.kid,
        products: issued.claims.products,
        valid_from: issued.claims.valid_from,
        valid_until: issued.claims.valid_until,
        check_by: DateTime::from_timestamp(issued.claims.check_by, 0).unwrap_or_default(),
    }))
}

/// The user's licence key, which sealed licence files are encrypted to (a device's key is
/// derived from it: see the format). For the user themselves or a connected application.
#[utoipa::path(get, path = "/api/v1/users/{user}/licence-key", tag = "licence files",
    params(("user" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = LicenceKey), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn licence_key(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(user): ApiPath<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let key = domain::licence_files::licence_key(&state.db, &caller.principal, user)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(LicenceKey {
            key: B64.encode(key),
        }),
    ))
}
