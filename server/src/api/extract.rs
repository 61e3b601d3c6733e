//! What every API handler takes: the caller (from the bearer token) and its language, and the
//! request's path, query and JSON body, each refused as JSON when it cannot be read.
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde::de::DeserializeOwned;
use wire::Lang as Locale;

use super::error::{locale_of, ApiError};
use super::ApiState;
use domain::Principal;

/// The account of the request's bearer token, and the language for messages.
pub struct Caller {
    pub principal: Principal,
    pub locale: Locale,
}

impl Caller {
    /// Maps a domain error into the caller's language.
    pub fn fail(&self, err: domain::Error) -> ApiError {
        ApiError::new(err, self.locale)
    }
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let bearer = Bearer::from_request_parts(parts, state).await?;
        bearer.caller(state).await
    }
}

/// The request's bearer token, not yet checked, and the language for messages: for handlers
/// that check the token in the same statement as their own reading (the licence check).
pub struct Bearer {
    pub secret: String,
    pub locale: Locale,
}

impl Bearer {
    /// The token's account, as [`Caller`] has it.
    pub async fn caller(self, state: &ApiState) -> Result<Caller, ApiError> {
        let today = wire::time::today();
        let principal = domain::api_tokens::authenticate(&state.db, &self.secret, today)
            .await
            .map_err(|e| ApiError::new(e, self.locale))?;
        Ok(Caller {
            principal,
            locale: self.locale,
        })
    }

    /// Maps a domain error into the caller's language.
    pub fn fail(&self, err: domain::Error) -> ApiError {
        ApiError::new(err, self.locale)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let locale = locale_of(&parts.headers);
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(ApiError::new(domain::Error::Unauthenticated, locale))?;
        Ok(Bearer {
            secret: secret.to_string(),
            locale,
        })
    }
}

/// The caller's language alone (for requests that need no token).
pub struct Language(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Language(locale_of(&parts.headers)))
    }
}

/// A path parameter that must parse (a malformed id is a 400, not a 404).
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let locale = locale_of(&parts.headers);
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| ApiError::bad_request(locale, Some("path")))
    }
}

/// Query parameters that must parse.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let locale = locale_of(&parts.headers);
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|_| ApiError::bad_request(locale, Some("query")))
    }
}

/// A JSON body that must parse.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let locale = locale_of(request.headers());
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Body(value))
            .map_err(|_| ApiError::bad_request(locale, Some("body")))
    }
}
