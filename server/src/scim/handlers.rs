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
use domain::scim::write::{self, OnDelete};
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

/// A user resource with its `ETag` (and `Location` when created).
fn user_response(status: StatusCode, user: &ScimUser) -> Response {
    let mut response = scim(status, resource(user));
    let headers = response.headers_mut();
    if let Ok(tag) = HeaderValue::from_str(&user.version()) {
        headers.insert(header::ETAG, tag);
    }
    if status == StatusCode::CREATED {
        if let Ok(value) = HeaderValue::from_str(&location(user)) {
            headers.insert(header::LOCATION, value);
        }
    }
    response
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
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
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": users::MAX_PAGE},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": true},
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
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| users::version_allows(Some(tags), &user.version()));
    if unchanged {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(user_response(StatusCode::OK, &user))
}

/// The body as a JSON object, or SCIM's 400.
fn object(body: &[u8], headers: &HeaderMap) -> Result<Value, ScimError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) if json.is_object() => Ok(json),
        _ => Err(ScimError::unreadable(lang(headers))),
    }
}

/// The id in the path: one that is none names nothing, the same answer as a foreign one.
fn user_id(
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
    headers: &HeaderMap,
) -> Result<Uuid, ScimError> {
    id.map(|Path(id)| id)
        .map_err(|_| ScimError::new(domain::Error::NotFound, lang(headers)))
}

/// PUT: the user replaced as a whole.
pub async fn replace_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
    body: axum::body::Bytes,
) -> Answer {
    let (principal, _) = caller(&state, &headers).await?;
    let id = user_id(id, &headers)?;
    let fail = |e| ScimError::new(e, lang(&headers));
    // The target is checked before the body is read: a foreign id answers 404 whatever is sent.
    users::get(&state.db, &principal, id).await.map_err(fail)?;
    let json = object(&body, &headers)?;
    let user = write::replace(
        &state.db,
        &principal,
        id,
        ScimUserInput::from_json(&json),
        if_match(&headers),
    )
    .await
    .map_err(fail)?;
    Ok(user_response(StatusCode::OK, &user))
}

/// PATCH: SCIM's operations on the user.
pub async fn patch_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
    body: axum::body::Bytes,
) -> Answer {
    let (principal, _) = caller(&state, &headers).await?;
    let id = user_id(id, &headers)?;
    let fail = |e| ScimError::new(e, lang(&headers));
    users::get(&state.db, &principal, id).await.map_err(fail)?;
    let json = object(&body, &headers)?;
    let user = write::patch(&state.db, &principal, id, &json, if_match(&headers))
        .await
        .map_err(fail)?;
    Ok(user_response(StatusCode::OK, &user))
}

pub async fn create_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let (principal, site) = caller(&state, &headers).await?;
    let json = object(&body, &headers)?;
    let user = write::create(&state.db, &principal, site, ScimUserInput::from_json(&json))
        .await
        .map_err(|e| ScimError::new(e, lang(&headers)))?;
    Ok(user_response(StatusCode::CREATED, &user))
}

/// A provider's delete: the account is deactivated or deleted, as the token says. 204.
pub async fn delete_user(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, axum::extract::rejection::PathRejection>,
) -> Answer {
    let (principal, _) = caller(&state, &headers).await?;
    let id = user_id(id, &headers)?;
    write::delete(
        &state.db,
        &principal,
        id,
        OnDelete::Deactivate,
        if_match(&headers),
    )
    .await
    .map_err(|e| ScimError::new(e, lang(&headers)))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Anything else under `/scim/v2`: SCIM's 404.
pub async fn fallback(headers: HeaderMap) -> Response {
    ScimError::new(domain::Error::NotFound, lang(&headers)).into_response()
}
