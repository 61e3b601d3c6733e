//! `GET /admin/journal.csv`: the journal under the same filter as the page, as a download.
//! Thin: find the principal, ask the domain, format in the user's language.
use axum::extract::Query;
use axum::http::request::Parts;
use axum::response::Response;

use crate::downloads::{attachment, locale, principal, refused};
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
        return crate::answer::unreadable();
    };
    let principal = match principal(&db, &session, &parts).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let site = match query.site.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => return refused(domain::Error::NotFound),
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
            let body = app::files::journal_csv(locale(&parts.headers), page.entries);
            let name = format!("journal-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
            attachment(&name, "text/csv; charset=utf-8", body.into_bytes())
        }
        Err(err) => refused(err),
    }
}
