//! The OpenAPI 3.1 document, generated from the handlers' annotations and the body types.
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::devices::{self, Device, NewDevice};
use super::error::ErrorBody;
use super::handlers;
use super::licence_files::{self, Jwk, Jwks, LicenceFile, LicenceKey, SealTo};
use super::types::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Licentia API",
        version = "1",
        description = "For licensed applications and external parties. Authenticate with an \
            API token (`Authorization: Bearer lic_…`), issued by an administrator on the \
            API tokens page. A token may do what its account's roles allow. Errors are JSON \
            with a stable `code` and a `message` in the language of `Accept-Language` \
            (nl, fr or en)."
    ),
    paths(
        handlers::me,
        handlers::authenticate,
        handlers::licence,
        handlers::open_session,
        handlers::sessions,
        handlers::heartbeat,
        handlers::close_session,
        handlers::get_settings,
        handlers::put_settings,
        handlers::sites,
        handlers::site_users,
        devices::register,
        devices::list,
        devices::forget,
        licence_files::keys,
        licence_files::licence_file,
        licence_files::licence_key,
    ),
    components(schemas(
        ErrorBody,
        User,
        Licence,
        Credentials,
        Authenticated,
        OpenSession,
        AppSession,
        Site,
        UserPage,
        LicenceFile,
        LicenceKey,
        SealTo,
        Jwk,
        Jwks,
        Device,
        NewDevice
    )),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "applications", description = "What a licensed application asks and keeps"),
        (name = "administration", description = "Sites and users of the token's subtrees"),
        (name = "accounts", description = "The token's own account"),
        (name = "licence files", description = "Signed licence files for offline use \
            (format: docs/licence-files.md)"),
    )
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("lic_…")
                    .build(),
            ),
        );
    }
}

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
