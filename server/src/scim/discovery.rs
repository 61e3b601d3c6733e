//! What the server offers (RFC 7643 §5–7, RFC 7644 §4): its configuration, resource types and
//! schemas, to an authenticated connection.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::common::{connection, failed, scim, Answer};
use super::ScimState;
use domain::scim::schemas;
use domain::scim::users::MAX_PAGE;

pub async fn service_provider_config(State(state): State<ScimState>, headers: HeaderMap) -> Answer {
    connection(&state, &headers).await?;
    Ok(scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": MAX_PAGE},
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

fn listed(resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

pub async fn resource_types(State(state): State<ScimState>, headers: HeaderMap) -> Answer {
    connection(&state, &headers).await?;
    Ok(scim(StatusCode::OK, listed(schemas::resource_types())))
}

pub async fn resource_type(
    State(state): State<ScimState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    connection(&state, &headers).await?;
    let found =
        schemas::resource_type(&id).ok_or_else(|| failed(&headers)(domain::Error::NotFound))?;
    Ok(scim(StatusCode::OK, found))
}

pub async fn schemas(State(state): State<ScimState>, headers: HeaderMap) -> Answer {
    let connection = connection(&state, &headers).await?;
    let department = schemas::keeps_department(&state.db, connection.site)
        .await
        .map_err(failed(&headers))?;
    Ok(scim(StatusCode::OK, listed(schemas::schemas(department))))
}

pub async fn schema(
    State(state): State<ScimState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let department = schemas::keeps_department(&state.db, connection.site)
        .await
        .map_err(failed(&headers))?;
    let found = schemas::schema(&id, department)
        .ok_or_else(|| failed(&headers)(domain::Error::NotFound))?;
    Ok(scim(StatusCode::OK, found))
}
