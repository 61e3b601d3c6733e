//! What every SCIM handler shares: the connection of the bearer token, the caller's language,
//! SCIM's media type, resources with their `ETag` and `Location`, list responses, and the
//! projection of `attributes`/`excludedAttributes`.
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;
use wire::Lang;

use super::error::ScimError;
use super::ScimState;
use domain::scim::Connection;

pub const SCIM_JSON: &str = "application/scim+json";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

pub type Answer = Result<Response, ScimError>;
pub type IdPath = Result<Path<Uuid>, PathRejection>;

pub fn lang(headers: &HeaderMap) -> Lang {
    crate::api::locale_of(headers)
}

/// A domain refusal as SCIM's error, in the caller's language.
pub fn failed(headers: &HeaderMap) -> impl Fn(domain::Error) -> ScimError + '_ {
    move |e| ScimError::new(e, lang(headers))
}

/// The token's connection (its account, home site and what a DELETE does), or SCIM's 401.
pub async fn connection(state: &ScimState, headers: &HeaderMap) -> Result<Connection, ScimError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or_else(|| failed(headers)(domain::Error::Unauthenticated))?;
    domain::scim::connect(&state.db, secret, wire::time::today())
        .await
        .map_err(failed(headers))
}

pub fn scim(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

/// Which attributes an answer holds (RFC 7644 §3.9).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    pub attributes: Option<String>,
    pub excluded_attributes: Option<String>,
}

impl Shape {
    /// Whether the answer holds `name` (groups leave their members unread when it does not).
    pub fn holds(&self, name: &str) -> bool {
        let listed = |list: &Option<String>| {
            list.as_deref()
                .is_some_and(|l| l.split(',').any(|p| p.trim().eq_ignore_ascii_case(name)))
        };
        match &self.attributes {
            Some(a) if !a.trim().is_empty() => listed(&self.attributes),
            _ => !listed(&self.excluded_attributes),
        }
    }

    fn project(&self, resource: &mut Value) {
        domain::scim::project::project(
            resource,
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
        );
    }
}

/// A list's query: the filter, the page and the shape (in the query string of a GET, or as
/// the body of a POST to `/.search`, RFC 7644 §3.4.3).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub filter: Option<String>,
    pub start_index: Option<u64>,
    pub count: Option<u64>,
    #[serde(flatten)]
    pub shape: Shape,
}

/// A resource's JSON with its location in `meta`.
pub fn located(mut resource: Value, location: &str) -> Value {
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("location".into(), location.into());
    }
    resource
}

/// One resource: its `ETag` (its version), its `Location` when created, shaped as asked.
pub fn resource_response(
    status: StatusCode,
    resource: Value,
    location: &str,
    shape: &Shape,
) -> Response {
    let version = resource["meta"]["version"].as_str().map(str::to_string);
    let mut resource = located(resource, location);
    shape.project(&mut resource);
    let mut response = scim(status, resource);
    let headers = response.headers_mut();
    if let Some(tag) = version.and_then(|v| HeaderValue::from_str(&v).ok()) {
        headers.insert(header::ETAG, tag);
    }
    if status == StatusCode::CREATED {
        if let Ok(value) = HeaderValue::from_str(location) {
            headers.insert(header::LOCATION, value);
        }
    }
    response
}

/// A list response (RFC 7644 §3.4.2) of resources with their locations, shaped as asked.
pub fn list_response(
    resources: Vec<(Value, String)>,
    total: u64,
    start_index: u64,
    shape: &Shape,
) -> Response {
    let items: Vec<Value> = resources
        .into_iter()
        .map(|(resource, location)| {
            let mut resource = located(resource, &location);
            shape.project(&mut resource);
            resource
        })
        .collect();
    scim(
        StatusCode::OK,
        json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start_index,
            "itemsPerPage": items.len(),
            "Resources": items,
        }),
    )
}

/// A `GET` whose `If-None-Match` names the current version: 304.
pub fn unchanged(headers: &HeaderMap, version: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| domain::scim::users::version_allows(Some(tags), version))
}

pub fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// The body as a JSON object, or SCIM's 400.
pub fn object(body: &[u8], headers: &HeaderMap) -> Result<Value, ScimError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) if json.is_object() => Ok(json),
        _ => Err(ScimError::unreadable(lang(headers))),
    }
}

/// The id in the path: one that is none names nothing, the same answer as a foreign one.
pub fn path_id(id: IdPath, headers: &HeaderMap) -> Result<Uuid, ScimError> {
    id.map(|Path(id)| id)
        .map_err(|_| failed(headers)(domain::Error::NotFound))
}

/// Anything else under `/scim/v2`: SCIM's 404.
pub async fn fallback(headers: HeaderMap) -> Response {
    failed(&headers)(domain::Error::NotFound).into_response()
}

/// A search request's body (`schemas`, `filter`, `startIndex`, `count`, `attributes` and
/// `excludedAttributes`, the latter two as lists).
pub fn search_request(body: &[u8], headers: &HeaderMap) -> Result<ListQuery, ScimError> {
    let json = object(body, headers)?;
    let unreadable = || ScimError::unreadable(lang(headers));
    let text = |name: &str| -> Result<Option<String>, ScimError> {
        match domain::scim::filter::field(&json, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string).ok_or_else(unreadable))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
            )),
            Some(_) => Err(unreadable()),
        }
    };
    let number = |name: &str| -> Result<Option<u64>, ScimError> {
        match domain::scim::filter::field(&json, name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(unreadable),
        }
    };
    Ok(ListQuery {
        filter: text("filter")?,
        start_index: number("startIndex")?,
        count: number("count")?,
        shape: Shape {
            attributes: text("attributes")?,
            excluded_attributes: text("excludedAttributes")?,
        },
    })
}

/// `POST /.search` at the root: several resource types at once are not searched (501, which
/// RFC 7644 §3.12 names for an operation a server does not offer).
pub async fn search_everything(headers: HeaderMap) -> Response {
    failed(&headers)(domain::Error::Refused(domain::Code::ScimNotImplemented)).into_response()
}
