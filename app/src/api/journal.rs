use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The journal's filter, as it stands in the page's query string (dates ISO, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JournalFilter {
    pub site: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub page: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub site: String,
    pub changes: Vec<Change>,
    pub client_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalPage {
    pub entries: Vec<JournalEntry>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

#[cfg(feature = "ssr")]
impl From<JournalFilter> for domain::audit::JournalQuery {
    fn from(f: JournalFilter) -> Self {
        domain::audit::JournalQuery {
            site: f.site,
            actor: f.actor,
            action: f.action,
            from: f.from,
            to: f.to,
            page: f.page,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::audit::JournalEntry> for JournalEntry {
    fn from(e: domain::audit::JournalEntry) -> Self {
        JournalEntry {
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            site: e.site,
            changes: e
                .changes
                .into_iter()
                .map(|c| Change {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            client_address: e.client_address.unwrap_or_default(),
        }
    }
}

#[server(endpoint = "list_journal")]
pub async fn list_journal(filter: JournalFilter) -> Result<JournalPage, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let page = domain::audit::list(&db, &principal, filter.into()).await?;
    Ok(JournalPage {
        entries: page.entries.into_iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        page_size: page.page_size,
    })
}
