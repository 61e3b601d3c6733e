//! `GET /admin/journal.csv`: the journal under the same filter as the page, as a download.
//! Thin: find the principal, ask the domain, format in the user's language.
use axum::extract::{ConnectInfo, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize)]
pub struct CsvQuery {
    site: Option<String>,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn journal_csv(db: domain::Db, session: Session, parts: Parts) -> Response {
    let Ok(Query(query)) = Query::<CsvQuery>::try_from_uri(&parts.uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    let principal = match app::ssr::principal_of(&db, &session).await {
        Ok(principal) => principal.from_address(peer),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let site = match query.site.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let filter = domain::audit::JournalQuery {
        site,
        actor: query.actor,
        action: query.action,
        from: query.from,
        to: query.to,
        page: 0,
    };
    match domain::audit::list(&db, &principal, filter, false).await {
        Ok(page) => {
            let body = app::api::journal::to_csv(locale(&parts.headers), page.entries);
            let name = format!("journal-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                body,
            )
                .into_response()
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.code().as_str()).into_response()
        }
    }
}

/// The interface language from the cookie the language switch sets (Dutch by default).
fn locale(headers: &HeaderMap) -> app::i18n::Locale {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "i18n_pref_locale")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or_default()
}
