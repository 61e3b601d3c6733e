//! The SCIM handlers: the token's account, one domain call, the resource.
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;
use wire::Lang;

use super::error::ScimError;
use super::ScimState;
use domain::scim::users::{self, ScimUser, ScimUserInput};
use domain::Principal;

pub const SCIM_JSON: &str = "application/scim+json";

type Answer = Result<Response, ScimError>;

fn lang(headers: &HeaderMap) -> Lang {
    crate::api::locale_of(headers)
}

/// The token's account and its home site, or SCIM's 401.
async fn caller(state: &ScimState, headers: &HeaderMap) -> Result<(Principal, Uuid), ScimError> {
    let lang = lang(headers);
    let fail = |e| ScimError::new(e, lang);
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or_else(|| fail(domain::Error::Unauthenticated))?;
    let principal = domain::api_tokens::authenticate(&state.db, secret, wire::time::today())
        .await
        .map_err(fail)?;
    let site = domain::sites::site_or_home(&state.db, &principal, None)
        .await
        .map_err(fail)?;
    Ok((principal, site))
}

fn scim(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

fn location(user: &ScimUser) -> String {
    format!("/scim/v2/Users/{}", user.id)
}

fn resource(user: &ScimUser) -> Value {
    let mut json = user.to_json();
    if let Some(meta) = json.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("location".into(), location(user).into());
    }
    json
}

/// What this server offers (RFC 7643 §5).
pub async fn service_provider_config(State(state): State<ScimState>, headers: HeaderMap) -> Answer {
    caller(&state, &headers).await?;
    Ok(scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": false},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": users::MAX_PAGE},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "API token",
                "description": "An API token of an account that may manage users in its site.",
                "primary": true
            }],
            "meta": {"resourceType": "ServiceProviderConfig", "location": "/scim/v2/ServiceProviderConfig"}
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    filter: Option<String>,
    start_index: Option<u64>,
    count: Option<u64>,
}

pub async fn list_users(
    State(state): State<ScimState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let (principal, site) = caller(&state, &headers).await?;
    let Query(query) = query.map_err(|_| ScimError::unreadable(lang(&headers)))?;
    let page = users::list(
        &state.db,
        &principal,
        site,
        query.filter.as_deref(),
        query.start_index.unwrap_or(1),
        query.count.unwrap_or(users::MAX_PAGE),
    )
    .await
    .map_err(|e| ScimError::new(e, lang(&headers)))?;
    Ok(scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": page.total,
            "startIndex": page.start_index,
            "itemsPerPage": page.resources.len(),
            "Resources": page.resources.iter().map(resource).collect::<Vec<_>>(),
        }),
    ))
}

pub async fn get_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Answer {
    let (principal, _) = caller(&state, &headers).await?;
    // An id that is none names nothing: the same answer as a foreign one.
    let Ok(Path(id)) = id else {
        return Err(ScimError::new(domain::Error::NotFound, lang(&headers)));
    };
    let user = users::get(&state.db, &principal, id)
        .await
        .map_err(|e| ScimError::new(e, lang(&headers)))?;
    Ok(scim(StatusCode::OK, resource(&user)))
}

pub async fn create_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let (principal, site) = caller(&state, &headers).await?;
    let json: Value =
        serde_json::from_slice(&body).map_err(|_| ScimError::unreadable(lang(&headers)))?;
    if !json.is_object() {
        return Err(ScimError::unreadable(lang(&headers)));
    }
    let user = users::create(&state.db, &principal, site, ScimUserInput::from_json(&json))
        .await
        .map_err(|e| ScimError::new(e, lang(&headers)))?;
    let mut response = scim(StatusCode::CREATED, resource(&user));
    if let Ok(value) = HeaderValue::from_str(&location(&user)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// A provider's delete: the account is deactivated (its licence, history and links stay; an
/// administrator deletes it for good), as Entra ID's soft delete expects. 204.
pub async fn delete_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Answer {
    let (principal, _) = caller(&state, &headers).await?;
    let Ok(Path(id)) = id else {
        return Err(ScimError::new(domain::Error::NotFound, lang(&headers)));
    };
    domain::users::set_active(&state.db, &principal, id, false)
        .await
        .map_err(|e| ScimError::new(e, lang(&headers)))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Anything else under `/scim/v2`: SCIM's 404.
pub async fn fallback(headers: HeaderMap) -> Response {
    ScimError::new(domain::Error::NotFound, lang(&headers)).into_response()
}
