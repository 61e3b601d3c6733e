//! The API's handlers: thin, as the server functions are. Each finds the caller, calls the
//! domain (which decides access) and maps the answer.
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery, Bearer, Body, Caller};
use super::types::*;
use super::ApiState;

type Answer<T> = Result<T, ApiError>;

/// The last page a user list may be asked for (as the document says).
pub const MAX_PAGE: u64 = 100_000;

fn today() -> chrono::NaiveDate {
    wire::time::today()
}

/// The token's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = User), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn me(State(state): State<ApiState>, caller: Caller) -> Answer<Json<User>> {
    let account = domain::users::my_account(&state.db, &caller.principal)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(User::from(account)))
}

/// Signs a user in for the application: their username and password, checked and throttled
/// as on the sign-in page. A user without a valid licence claims a free one, as at sign-in.
/// A wrong username or password is 401 `invalid_credentials`; an account that may not sign in
/// (inactive, expired, pending) is 403 with its reason; an account with a second factor needs
/// its `code` too (403 `application_code_required` without it, 403
/// `second_factor_code_invalid` or `second_factor_code_used` for a wrong one); too many
/// failures 429; a full password queue 503 (nothing counted): both with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/authenticate", tag = "applications",
    request_body = Credentials,
    responses((status = 200, body = Authenticated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait")))))]
pub async fn authenticate(
    State(state): State<ApiState>,
    caller: Caller,
    Body(credentials): Body<Credentials>,
) -> Answer<Json<Authenticated>> {
    let done = domain::applications::authenticate_user(
        &state.db,
        &caller.principal,
        &credentials.username,
        &credentials.password,
        credentials.code.as_deref(),
        credentials.product.as_deref(),
        today(),
    )
    .await
    .map_err(|e| ApiError::answered(e.into_application_sign_in_failure(), caller.locale))?;
    Ok(Json(Authenticated {
        must_change_password: done.user.must_change_password,
        user: User::from(done.user),
        licence: done.licence.into(),
    }))
}

/// A user's licence, for a product or any.
#[utoipa::path(get, path = "/api/v1/users/{user}/licence", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id"), ProductQuery),
    responses((status = 200, body = Licence), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn licence(
    State(state): State<ApiState>,
    bearer: Bearer,
    user: Result<ApiPath<Uuid>, ApiError>,
    query: Result<ApiQuery<ProductQuery>, ApiError>,
) -> Answer<Json<Licence>> {
    // The token in the same statement as the licence; a request that cannot be read is
    // answered only to a caller whose token holds.
    let (ApiPath(user), ApiQuery(query)) = match (user, query) {
        (Ok(user), Ok(query)) => (user, query),
        (Err(refused), _) | (_, Err(refused)) => {
            bearer.caller(&state).await?;
            return Err(refused);
        }
    };
    let check = domain::licences::check_with_token(
        &state.db,
        &bearer.secret,
        user,
        query.product.as_deref(),
        today(),
    )
    .await
    .map_err(|e| bearer.fail(e))?;
    Ok(Json(check.into()))
}

/// Opens an application session for a user with a valid licence for the product, within the
/// limits the licence sells on (422 with `device_limit_reached`, `user_session_limit_reached`
/// or `subscription_session_limit_reached`). A session without a heartbeat for 10 minutes
/// ends by itself and frees its place.
#[utoipa::path(post, path = "/api/v1/users/{user}/sessions", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id")),
    request_body = OpenSession,
    responses((status = 201, body = AppSession), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open_session(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(user): ApiPath<Uuid>,
    Body(body): Body<OpenSession>,
) -> Answer<impl IntoResponse> {
    let session = domain::applications::open(
        &state.db,
        &caller.principal,
        user,
        &body.product,
        body.device.as_deref(),
        today(),
    )
    .await
    .map_err(|e| caller.fail(e))?;
    Ok((StatusCode::CREATED, Json(AppSession::from(session))))
}

/// A user's open application sessions, newest first.
#[utoipa::path(get, path = "/api/v1/users/{user}/sessions", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = Vec<AppSession>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn sessions(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(user): ApiPath<Uuid>,
) -> Answer<Json<Vec<AppSession>>> {
    let list = domain::applications::sessions_of(&state.db, &caller.principal, user)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Keeps a session open. A session that ended (or timed out) is not found: open a new one.
#[utoipa::path(put, path = "/api/v1/sessions/{session}", tag = "applications",
    params(("session" = Uuid, Path, description = "The session's id")),
    responses((status = 200, body = AppSession), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn heartbeat(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(session): ApiPath<Uuid>,
) -> Answer<Json<AppSession>> {
    let beat = domain::applications::heartbeat(&state.db, &caller.principal, session)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(beat.into()))
}

/// Closes a session.
#[utoipa::path(delete, path = "/api/v1/sessions/{session}", tag = "applications",
    params(("session" = Uuid, Path, description = "The session's id")),
    responses((status = 204), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn close_session(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(session): ApiPath<Uuid>,
) -> Answer<StatusCode> {
    domain::applications::close(&state.db, &caller.principal, session)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The settings the application keeps for a user (an empty object when none are kept).
#[utoipa::path(get, path = "/api/v1/users/{user}/settings/{product}", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id"),
        ("product" = String, Path, description = "A product key")),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath((user, product)): ApiPath<(Uuid, String)>,
) -> Answer<Json<serde_json::Value>> {
    let value = domain::applications::get_settings(&state.db, &caller.principal, user, &product)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(value))
}

/// Replaces the settings: a JSON object of at most 16 KiB.
#[utoipa::path(put, path = "/api/v1/users/{user}/settings/{product}", tag = "applications",
    params(("user" = Uuid, Path, description = "The user's id"),
        ("product" = String, Path, description = "A product key")),
    request_body(content = Object, description = "Any JSON object"),
    responses((status = 204), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath((user, product)): ApiPath<(Uuid, String)>,
    Body(value): Body<serde_json::Value>,
) -> Answer<StatusCode> {
    domain::applications::put_settings(&state.db, &caller.principal, user, &product, &value)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sites the token may see: its subtrees, as a flat list with parents.
#[utoipa::path(get, path = "/api/v1/sites", tag = "administration",
    responses((status = 200, body = Vec<Site>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn sites(State(state): State<ApiState>, caller: Caller) -> Answer<Json<Vec<Site>>> {
    let tree = domain::sites::tree(&state.db, &caller.principal)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(Json(
        tree.into_iter()
            .map(|s| Site {
                id: s.id,
                parent_id: s.parent_id,
                name: s.name,
                seat_limit: s.seat_limit,
                used_seats: s.used_seats,
            })
            .collect(),
    ))
}

/// The users of a site (and, asked, of its subsites), by name, 25 a page.
#[utoipa::path(get, path = "/api/v1/sites/{site}/users", tag = "administration",
    params(("site" = Uuid, Path, description = "The site's id"), UserListQuery),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn site_users(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(site): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<UserListQuery>,
) -> Answer<Json<UserPage>> {
    let page = query.page.unwrap_or(0);
    if page > MAX_PAGE {
        return Err(ApiError::bad_request(caller.locale, Some("page")));
    }
    // A place from an earlier answer (by name, the API's order); anything else is refused.
    let position = match query.after.as_deref() {
        None | Some("") => None,
        Some(text) => {
            match domain::users::Cursor::decode_for(text, domain::users::UserSort::Name) {
                Some(cursor) => Some(domain::users::Position::After(cursor)),
                None => return Err(ApiError::bad_request(caller.locale, Some("after"))),
            }
        }
    };
    let page = domain::users::list(
        &state.db,
        &caller.principal,
        site,
        domain::users::UserQuery {
            search: query.search.unwrap_or_default(),
            include_subsites: query.include_subsites.unwrap_or(false),
            page,
            position,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| caller.fail(e))?;
    Ok(Json(UserPage {
        users: page
            .rows
            .into_iter()
            .map(|r| User {
                id: r.public_id,
                username: r.username,
                first_name: r.first_name,
                last_name: r.last_name,
                email: r.email,
                active: r.active,
                expires_on: r.expires_on,
                locale: r.locale,
                site_id: r.site_public_id,
                service_account: r.service_account,
            })
            .collect(),
        total: page.total,
        total_exact: page.total_exact,
        page: page.page,
        page_size: page.page_size,
        next: page.next.map(|c| c.encode()),
    }))
}

/// Unknown paths under the API answer in JSON too.
pub async fn fallback(super::extract::Language(locale): super::extract::Language) -> ApiError {
    ApiError::not_found(locale)
}
