//! `/Groups`: sites below the connection's site, their members the users placed in them.
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
use domain::scim::groups::{self, ScimGroup, ScimGroupInput};
use domain::scim::users::MAX_PAGE;

fn location(id: Uuid) -> String {
    format!("/scim/v2/Groups/{id}")
}

fn answer(status: StatusCode, group: &ScimGroup, shape: &Shape) -> Response {
    resource_response(status, group.to_json(), &location(group.id), shape)
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
    let page = groups::list(
        &state.db,
        &connection.principal,
        connection.site,
        query.filter.as_deref(),
        query.start_index.unwrap_or(1),
        query.count.unwrap_or(MAX_PAGE),
        query.shape.holds("members"),
    )
    .await
    .map_err(failed(headers))?;
    let resources = page
        .resources
        .iter()
        .map(|g| (g.to_json(), location(g.id)))
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
    // Whether the group exists is told only to a connection that may see it.
    groups::get(&state.db, &connection.principal, connection.site, id, false)
        .await
        .map_err(failed(&headers))?;
    let Query(shape) = query.map_err(|_| ScimError::unreadable(lang(&headers)))?;
    let group = groups::get(
        &state.db,
        &connection.principal,
        connection.site,
        id,
        shape.holds("members"),
    )
    .await
    .map_err(failed(&headers))?;
    if unchanged(&headers, &group.version()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(answer(StatusCode::OK, &group, &shape))
}

pub async fn create(
    State(state): State<ScimState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let json = object(&body, &headers)?;
    let group = groups::create(
        &state.db,
        &connection.principal,
        connection.site,
        ScimGroupInput::from_json(&json),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(answer(StatusCode::CREATED, &group, &Shape::default()))
}

pub async fn replace(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: IdPath,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    groups::get(&state.db, &connection.principal, connection.site, id, false)
        .await
        .map_err(failed(&headers))?;
    let json = object(&body, &headers)?;
    let group = groups::replace(
        &state.db,
        &connection.principal,
        connection.site,
        id,
        ScimGroupInput::from_json(&json),
        if_match(&headers),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(answer(StatusCode::OK, &group, &Shape::default()))
}

pub async fn patch(
    State(state): State<ScimState>,
    headers: HeaderMap,
    id: IdPath,
    body: axum::body::Bytes,
) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    groups::get(&state.db, &connection.principal, connection.site, id, false)
        .await
        .map_err(failed(&headers))?;
    let json = object(&body, &headers)?;
    let group = groups::patch(
        &state.db,
        &connection.principal,
        connection.site,
        id,
        &json,
        if_match(&headers),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(answer(StatusCode::OK, &group, &Shape::default()))
}

pub async fn delete(State(state): State<ScimState>, headers: HeaderMap, id: IdPath) -> Answer {
    let connection = connection(&state, &headers).await?;
    let id = path_id(id, &headers)?;
    groups::delete(
        &state.db,
        &connection.principal,
        connection.site,
        id,
        if_match(&headers),
    )
    .await
    .map_err(failed(&headers))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
