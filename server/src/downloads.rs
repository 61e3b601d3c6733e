//! File downloads beside the pages: the journal as CSV, the import template, the user export
//! and an import's result file. Thin: find the principal, ask the domain, send the bytes with
//! a file name; refusals as a status and the error code.
use axum::extract::{Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use domain::sheet::Format;
use domain::{Db, Principal};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;
use wire::Lang;

/// The signed-in principal of a download request (anonymous when signed out).
pub async fn principal(db: &Db, session: &Session, parts: &Parts) -> Result<Principal, Response> {
    let peer = session::client_address_of(parts);
    session::principal_of(db, session)
        .await
        .map(|p| p.from_address(peer))
        .map_err(refused)
}

/// The interface language from the cookie the language switch sets (Dutch by default).
pub fn locale(headers: &HeaderMap) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(Lang::from_cookie_header)
        .unwrap_or_default()
}

/// A file as an attachment.
pub fn attachment(name: &str, content_type: &str, body: Vec<u8>) -> Response {
    attachment_of(name, content_type, axum::body::Body::from(body))
}

/// A file as an attachment, its body sent as it is made.
pub fn attachment_of(name: &str, content_type: &str, body: axum::body::Body) -> Response {
    // The name is ours (translated words, dates, the uploaded name); quotes are dropped.
    let name: String = name
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"; filename*=UTF-8''{}",
                    name.replace(|c: char| !c.is_ascii(), "_"),
                    wire::url::encode(&name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

pub use crate::answer::refused;

/// `GET /admin/import/template.xlsx`, in the user's language.
pub async fn template(headers: HeaderMap) -> Response {
    let locale = locale(&headers);
    match domain::import::template(locale.as_str()) {
        Ok(bytes) => attachment(
            &format!(
                "{}.xlsx",
                domain::texts::text(locale.as_str(), "template.file")
            ),
            Format::Xlsx.content_type(),
            bytes,
        ),
        Err(err) => refused(err),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    site: Option<Uuid>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    all: Option<String>,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: Option<String>,
    /// A property key: its value is shown, sorted by (`sort=property`) or filtered on (`pv`).
    #[serde(default)]
    prop: String,
    #[serde(default)]
    pv: String,
}

/// `GET /admin/users/export.{xlsx,csv}`: the list filtered as on the page.
pub async fn export(db: Db, session: Session, parts: Parts, extension: &str) -> Response {
    let Some(format) = Format::parse(extension) else {
        return refused(domain::Error::NotFound);
    };
    let Ok(Query(query)) = Query::<ExportQuery>::try_from_uri(&parts.uri) else {
        return crate::answer::unreadable();
    };
    let principal = match principal(&db, &session, &parts).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let site = match domain::sites::site_or_home(&db, &principal, query.site).await {
        Ok(site) => site,
        Err(err) => return refused(err),
    };
    let flag = |v: &Option<String>| v.as_deref().is_some_and(|v| v == "1" || v == "true");
    let filter = domain::users::ListFilter {
        search: query.q,
        include_subsites: flag(&query.all),
        sort: query.sort,
        descending: flag(&query.desc),
        page: 0,
        property: query.prop,
        property_value: query.pv,
        ..Default::default()
    }
    .into();
    let locale = locale(&parts.headers);
    match domain::users::export(&db, &principal, site, filter, format, locale.as_str()).await {
        Ok(download) => sent_as_made(download),
        Err(err) => refused(err),
    }
}

/// A download sent as it is made; a failure midway ends it early (the browser shows the
/// download failed) and is logged.
fn sent_as_made(download: domain::users::Download) -> Response {
    use futures::TryStreamExt;
    let parts = download.parts.map_err(|err| {
        tracing::error!(%err, "download ended early");
        std::io::Error::other("download")
    });
    attachment_of(
        &download.name,
        download.content_type,
        axum::body::Body::from_stream(parts),
    )
}

/// `GET /admin/import/{run}/result.xlsx`: the uploaded rows with their results.
pub async fn import_result(db: Db, session: Session, parts: Parts, run: Path<Uuid>) -> Response {
    let principal = match principal(&db, &session, &parts).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let locale = locale(&parts.headers);
    match domain::import::result_file(&db, &principal, run.0, locale.as_str()).await {
        Ok((name, bytes)) => attachment(&name, Format::Xlsx.content_type(), bytes),
        // Removed after the retention period: the reason in the reader's language.
        Err(err @ domain::Error::Refused(domain::Code::ImportFileRemoved)) => {
            let failure = wire::Failure::from(err);
            crate::answer::respond(
                &failure,
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    failure.message(locale),
                ),
            )
        }
        Err(err) => refused(err),
    }
}

/// `GET /licence-file`: the signed-in user's own licence file (every product their valid
/// licences cover, the default time-to-live), for applications that work offline.
pub async fn licence_file(db: Db, session: Session, parts: Parts) -> Response {
    let principal = match principal(&db, &session, &parts).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    match domain::licence_files::issue_mine(&db, &principal, chrono::Utc::now()).await {
        Ok(issued) => attachment(
            &format!("licence-{}.lic", issued.claims.user.username),
            "application/jose",
            issued.file.into_bytes(),
        ),
        Err(err) => refused(err),
    }
}

/// `GET /operator/codes/{batch}.csv`: a batch of activation codes, with who redeemed them.
pub async fn code_batch_csv(
    db: Db,
    session: Session,
    parts: Parts,
    batch: Path<String>,
) -> Response {
    let Some(batch) = batch
        .0
        .strip_suffix(".csv")
        .and_then(|id| Uuid::parse_str(id).ok())
    else {
        return refused(domain::Error::NotFound);
    };
    let principal = match principal(&db, &session, &parts).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let locale = locale(&parts.headers);
    match domain::activation::export_csv(&db, &principal, batch, locale.as_str()).await {
        Ok((name, bytes)) => attachment(&name, "text/csv; charset=utf-8", bytes),
        Err(err) => refused(err),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RenewalsQuery {
    within: Option<u32>,
}

/// `GET /operator/renewals.{xlsx,csv}?within=30`: the renewals list as the page shows it.
pub async fn renewals(db: Db, session: Session, parts: Parts, extension: &str) -> Response {
    let Some(format) = Format::parse(extension) else {
        return refused(domain::Error::NotFound);
    };
    let principal = match principal(&db, &session, &parts).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let Ok(Query(query)) = Query::<RenewalsQuery>::try_from_uri(&parts.uri) else {
        return crate::answer::unreadable();
    };
    let query = domain::customers::RenewalQuery {
        within_days: query.within.unwrap_or(30),
    };
    let locale = locale(&parts.headers);
    let today = wire::time::today();
    match domain::customers::renewals_file(&db, &principal, query, today, format, locale.as_str())
        .await
    {
        Ok((name, bytes)) => attachment(&name, format.content_type(), bytes),
        Err(err) => refused(err),
    }
}
