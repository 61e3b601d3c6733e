//! `/Users`: the token's connection, one domain call, the resource.
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::common::{
    connection, failed, if_match, lang, list_response, object, path_id, resource_response,
    search_request, unchanged, Answer, IdPath, ListQuery, Shape,
};
use super::error::ScimError;
use super::ScimState;
use domain::scim::users::{self, ScimUser, ScimUserInput};
use domain::scim::write;

fn location(id: Uuid) -> String {
    format!("/scim/v2/Users/{id}")
}

fn answer(status: StatusCode, user: &ScimUser, shape: &Shape) -> Response {
    resource_response(status, user.to_json(), &location(user.id), shape)
}

fn shape_of(
    query: Result<Query<Shape>, QueryRejection>,
    headers: &HeaderMap,
) -> Result<Shape, ScimError> {
    query
        .map(|Query(shape)| shape)
        .map_err(|_| ScimError::unreadable(lang(headers)))
}

pub async fn list(
    State(state): State<ScimState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let Query(query) = query.map_err(|_| ScimError::unreadable(lang(&headers)))?;
    listed(&state, &headers, connection, query).await
}

/// `POST /.search`: the same list, asked in the body.
pub async fn search(
    State(state): State<ScimState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let query = search_request(&body, &headers)?;
    listed(&state, &headers, connection, query).await
}

async fn listed(
    state: &ScimState,
    headers: &HeaderMap,
    connection: domain::scim::Connection,
    query: ListQuery,
) -> Answer {
    let page = users::list(
        &state.db,
        &connection.principal,
        connection.site,
        query.filter.as_deref(),
        query.start_index.unwrap_or(1),
        query.count.unwrap_or(users::MAX_PAGE),
    )
    .await
    .map_err(failed(headers))?;
    let resources = page
        .resources
        .iter()
        .map(|u| (u.to_json(), location(u.id)))
        .collect();
    Ok(list_response(
        resources,
        page.total,
        page.start_index,
        &query.shape,
    ))
}

pub async fn get(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: IdPath,
    query: Result<Query<Shape>, QueryRejection>,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    let user = users::get(&state.db, &connection.principal, id)
        .await
        .map_err(failed(&headers))?;
    let shape = shape_of(query, &headers)?;
    if unchanged(&headers, &user.version()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(answer(StatusCode::OK, &user, &shape))
}

pub async fn create(
    State(state): State<ScimState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let json = object(&body, &headers)?;
    let user = write::create(
        &state.db,
        &connection.principal,
        connection.site,
        ScimUserInput::from_json(&json),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(answer(StatusCode::CREATED, &user, &Shape::default()))
}

/// PUT: the user replaced as a whole.
pub async fn replace(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: IdPath,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    // The target is checked before the body is read: a foreign id answers 404 whatever is sent.
    users::get(&state.db, &connection.principal, id)
        .await
        .map_err(failed(&headers))?;
    let json = object(&body, &headers)?;
    let user = write::replace(
        &state.db,
        &connection.principal,
        id,
        ScimUserInput::from_json(&json),
        if_match(&headers),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(answer(StatusCode::OK, &user, &Shape::default()))
}

/// PATCH: SCIM's operations on the user.
pub async fn patch(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: IdPath,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    users::get(&state.db, &connection.principal, id)
        .await
        .map_err(failed(&headers))?;
    let json = object(&body, &headers)?;
    let user = write::patch(
        &state.db,
        &connection.principal,
        id,
        &json,
        if_match(&headers),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(answer(StatusCode::OK, &user, &Shape::default()))
}

/// DELETE: the account is deactivated or deleted, as the token says. 204.
pub async fn delete(State(state): State<ScimState>, headers: HeaderMap, id: IdPath) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    write::delete(
        &state.db,
        &connection.principal,
        id,
        connection.on_delete,
        if_match(&headers),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
