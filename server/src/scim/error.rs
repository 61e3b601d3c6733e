//! SCIM's error response (RFC 7644 §3.12): the status, a `scimType` where SCIM names the
//! case, and the message in the caller's language (`Accept-Language`) as `detail`. The status
//! and `Retry-After` come from the one mapping (`crate::answer`).
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use wire::{Code, Failure, Lang};

/// The header that carries our error code.
pub const CODE_HEADER: &str = "licentia-code";

#[derive(Debug)]
pub struct ScimError {
    failure: Failure,
    lang: Lang,
}

impl ScimError {
    pub fn new(err: domain::Error, lang: Lang) -> Self {
        ScimError {
            failure: Failure::from(err),
            lang,
        }
    }

    /// A request that cannot be read (its body, its query, its id).
    pub fn unreadable(lang: Lang) -> Self {
        ScimError {
            failure: Failure::invalid_request(400),
            lang,
        }
    }

    /// SCIM's name for the case, where it has one.
    fn scim_type(&self) -> Option<&'static str> {
        match self.failure.code {
            Code::ScimFilterInvalid => Some("invalidFilter"),
            Code::ScimTooMany => Some("tooMany"),
            Code::InvalidRequest | Code::ScimPatchInvalid => Some("invalidSyntax"),
            Code::ScimPathInvalid => Some("invalidPath"),
            Code::ScimNoTarget => Some("noTarget"),
            _ if self.failure.status == 409 => Some("uniqueness"),
            _ if self.failure.field.is_some() => Some("invalidValue"),
            _ => None,
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": crate::answer::status(&self.failure).as_u16().to_string(),
            "detail": self.failure.message(self.lang),
        });
        if let (Some(kind), Some(object)) = (self.scim_type(), body.as_object_mut()) {
            object.insert("scimType".into(), kind.into());
        }
        let mut response = crate::answer::respond(&self.failure, axum::Json(body));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(super::common::SCIM_JSON),
        );
        // SCIM's error schema is closed (RFC 7644 §3.12): our stable code goes in a header.
        response.headers_mut().insert(
            CODE_HEADER,
            HeaderValue::from_static(self.failure.code.as_str()),
        );
        crate::answer::bearer_challenge(&mut response);
        response
    }
}
