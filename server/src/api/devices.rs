//! The devices applications run on, per user and product: registered within the devices the
//! user's licence allows, listed, forgotten.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, Body, Caller};
use super::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDevice {
    /// The product key of the application.
    pub product: String,
    /// What the application computes to tell its devices apart (1 to 128 characters, no
    /// control characters).
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]+$"
    )]
    pub fingerprint: String,
    /// A name the user recognises (at most 100 characters, no control characters).
    #[schema(max_length = 100, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub name: Option<String>,
}

/// A device a user uses a product on.
#[derive(Debug, Serialize, ToSchema)]
pub struct Device {
    pub id: Uuid,
    pub user_id: Uuid,
    pub product: String,
    pub fingerprint: String,
    pub name: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl From<domain::applications::Device> for Device {
    fn from(d: domain::applications::Device) -> Self {
        Device {
            id: d.public_id,
            user_id: d.user_id,
            product: d.product,
            fingerprint: d.fingerprint,
            name: d.name,
            first_seen_at: d.first_seen_at,
            last_seen_at: d.last_seen_at,
        }
    }
}

/// Registers the device the application runs on (a known fingerprint is only seen again). A
/// user who already uses the product on as many devices as the licence allows: 422
/// `device_limit_reached`.
#[utoipa::path(post, path = "/api/v1/users/{user}/devices", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id")),
    request_body = NewDevice,
    responses((status = 200, body = Device), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(user): ApiPath<Uuid>,
    Body(body): Body<NewDevice>,
) -> Result<Json<Device>, ApiError> {
    let device = domain::applications::register_device(
        &state.db,
        &caller.principal,
        user,
        &body.product,
        &body.fingerprint,
        body.name.as_deref(),
        wire::time::today(),
    )
    .await
    .map_err(|e| caller.fail(e))?;
    Ok(Json(device.into()))
}

/// A user's devices, most recently seen first.
#[utoipa::path(get, path = "/api/v1/users/{user}/devices", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = Vec<Device>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(user): ApiPath<Uuid>,
) -> Result<Json<Vec<Device>>, ApiError> {
    let devices = domain::applications::devices_of(&state.db, &caller.principal, user)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(devices.into_iter().map(Into::into).collect()))
}

/// Forgets a device: its place is free again, and the sessions on it end.
#[utoipa::path(delete, path = "/api/v1/devices/{device}", tag = "applications",
    params(("device" = Uuid, Path, description = "The device's id")),
    responses((status = 204), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn forget(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(device): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    domain::applications::forget_device(&state.db, &caller.principal, device)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}
