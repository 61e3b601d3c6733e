//! Announcements: what the signed-in user sees (their choice, the notices running now), their
//! choice, and the operators' list, form and withdrawal.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: Uuid,
    pub kind: wire::AnnouncementKind,
    /// In nl, fr, en.
    pub titles: [String; 3],
    pub bodies: [String; 3],
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
}

impl Notice {
    fn index(locale: &str) -> usize {
        match locale {
            "fr" => 1,
            "en" => 2,
            _ => 0,
        }
    }

    pub fn title(&self, locale: &str) -> String {
        self.titles[Notice::index(locale)].clone()
    }

    pub fn body(&self, locale: &str) -> String {
        self.bodies[Notice::index(locale)].clone()
    }
}

#[cfg(feature = "ssr")]
impl From<domain::announcements::Announcement> for Notice {
    fn from(a: domain::announcements::Announcement) -> Self {
        Notice {
            id: a.public_id,
            kind: a.kind,
            titles: a.titles,
            bodies: a.bodies,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            created_by: a.created_by,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementsForMe {
    /// None: not chosen yet (the page asks).
    pub choice: Option<wire::UpdatesChoice>,
    pub running: Vec<Notice>,
}

#[server(endpoint = "my_announcements")]
pub async fn my_announcements() -> Result<AnnouncementsForMe, AppError> {
    let (db, principal) = crate::ssr::principal_changing_password().await?;
    let current = domain::announcements::current(&db, &principal, chrono::Utc::now()).await?;
    Ok(AnnouncementsForMe {
        choice: current.choice,
        running: current.running.into_iter().map(Into::into).collect(),
    })
}

/// The signed-in user's choice: `inform` or `none`.
#[server(endpoint = "choose_updates")]
pub async fn choose_updates(choice: String) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::announcements::set_choice(&db, &principal, &choice).await?)
}

#[server(endpoint = "load_announcements")]
pub async fn load_announcements() -> Result<Vec<Notice>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::announcements::all(&db, &principal)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[allow(clippy::too_many_arguments)] // a form: one argument per field
#[server(endpoint = "post_announcement")]
pub async fn post_announcement(
    kind: String,
    title_nl: String,
    title_fr: String,
    title_en: String,
    body_nl: String,
    body_fr: String,
    body_en: String,
    starts_at: String,
    ends_at: String,
) -> Result<Notice, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::announcements::AnnouncementForm {
        kind,
        title_nl,
        title_fr,
        title_en,
        body_nl,
        body_fr,
        body_en,
        starts_at,
        ends_at,
    };
    Ok(
        domain::announcements::create(&db, &principal, form, chrono::Utc::now())
            .await?
            .into(),
    )
}

#[server(endpoint = "remove_announcement")]
pub async fn remove_announcement(id: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::announcements::remove(&db, &principal, id).await?)
}
