//! `GET /admin/journal.csv`: the journal under the same filter as the page, as a download.
//! Thin: find the principal, ask the domain, format in the user's language. The file is sent
//! as it is read, a batch at a time: the download starts at once and memory stays bounded.
use axum::extract::Query;
use axum::http::request::Parts;
use axum::response::Response;

use axum::body::{Body, Bytes};

use crate::downloads::{attachment_of, locale, principal, refused};
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
    let export = match domain::audit::export(&db, &principal, filter).await {
        Ok(export) => export,
        Err(err) => return refused(err),
    };
    let name = format!("journal-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let csv = app::files::JournalCsv::new(locale(&parts.headers));
    attachment_of(
        &name,
        "text/csv; charset=utf-8",
        Body::from_stream(parts_of(export, csv)),
    )
}

/// The file in parts: the header with the first batch, then a batch at a time (memory holds
/// one). A failure midway ends the download broken, and is logged.
fn parts_of(
    export: domain::audit::JournalExport,
    csv: app::files::JournalCsv,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures::stream::unfold(Some((export, csv)), |state| async move {
        let (mut export, mut csv) = state?;
        match export.next_batch().await {
            Ok(batch) if batch.is_empty() => {
                let tail = csv.take();
                (!tail.is_empty()).then(|| (Ok(Bytes::from(tail)), None))
            }
            Ok(batch) => {
                csv.rows(batch);
                Some((Ok(Bytes::from(csv.take())), Some((export, csv))))
            }
            Err(err) => {
                tracing::error!(%err, "journal download ended early");
                Some((Err(std::io::Error::other("journal download")), None))
            }
        }
    })
}
