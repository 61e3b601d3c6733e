//! Writing a journal entry inside the caller's transaction.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use super::Action;
use crate::entities::{audit_event, site};
use crate::error::Result;
use crate::Principal;

/// One changed field: its name (a translation key under `journal.field_*`) and the values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
    /// For values that name a site: the sites' ids, so that a reader who may not see a site
    /// reads [`OUTSIDE_VIEW`] instead of its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_site: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_site: Option<i32>,
}

/// What a reader sees instead of the name of a site outside their view (the UI translates it).
pub const OUTSIDE_VIEW: &str = "@outside_view";

impl Change {
    pub fn new(field: &str, before: impl ToString, after: impl ToString) -> Change {
        Change {
            field: field.to_string(),
            before: before.to_string(),
            after: after.to_string(),
            before_site: None,
            after_site: None,
        }
    }

    /// A change from one site to another (a move), named by the sites' names.
    pub fn sites(field: &str, before: Option<&site::Model>, after: &site::Model) -> Change {
        Change {
            field: field.to_string(),
            before: before.map(|s| s.name.clone()).unwrap_or_default(),
            after: after.name.clone(),
            before_site: before.map(|s| s.id),
            after_site: Some(after.id),
        }
    }

    /// A field that is set (created) — nothing before.
    pub fn set(field: &str, after: impl ToString) -> Change {
        Change::new(field, "", after)
    }
}

/// What an entry is about: its label as the journal shows it, and the user it is about when
/// it is about one (so that erasing that user finds every entry about them, whatever their
/// name was then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub label: String,
    pub user: Option<i32>,
}

impl Target {
    /// A user, by their label ("First Last (username)").
    pub fn user(user: &crate::entities::user::Model) -> Target {
        Target {
            label: crate::users::user_label(user),
            user: Some(user.id),
        }
    }
}

impl From<String> for Target {
    fn from(label: String) -> Target {
        Target { label, user: None }
    }
}

impl From<&str> for Target {
    fn from(label: &str) -> Target {
        Target::from(label.to_string())
    }
}

/// What happened, to what, in which site's subtree.
pub struct Event<'a> {
    pub action: Action,
    pub target: Target,
    /// The site whose subtree the change belongs to (for a deleted site: its parent).
    pub site: &'a site::Model,
    pub changes: Vec<Change>,
}

/// Records `event` as done by `principal`, in the caller's transaction (with the webhook
/// deliveries it raises).
pub async fn record(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    event: Event<'_>,
) -> Result<()> {
    let (actor_id, actor_name, client_address) = actor(principal);
    crate::webhooks::emit_journal(conn, &actor_name, &[&event]).await?;
    entry(actor_id, &actor_name, client_address, event)
        .insert(conn)
        .await?;
    Ok(())
}

/// Records many events at once (bulk work), in the caller's transaction.
pub async fn record_many(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    events: Vec<Event<'_>>,
) -> Result<()> {
    let (actor_id, actor_name, client_address) = actor(principal);
    crate::webhooks::emit_journal(conn, &actor_name, &events.iter().collect::<Vec<_>>()).await?;
    let entries: Vec<audit_event::ActiveModel> = events
        .into_iter()
        .map(|e| entry(actor_id, &actor_name, client_address.clone(), e))
        .collect();
    insert_chunked(conn, entries).await
}

/// Records events done by the system on its own (a scheduled job), named `actor` in the
/// journal, in the caller's transaction.
pub async fn record_system(
    conn: &impl ConnectionTrait,
    actor: &str,
    events: Vec<Event<'_>>,
) -> Result<()> {
    crate::webhooks::emit_journal(conn, actor, &events.iter().collect::<Vec<_>>()).await?;
    let entries: Vec<audit_event::ActiveModel> = events
        .into_iter()
        .map(|e| entry(None, actor, None, e))
        .collect();
    insert_chunked(conn, entries).await
}

async fn insert_chunked(
    conn: &impl ConnectionTrait,
    entries: Vec<audit_event::ActiveModel>,
) -> Result<()> {
    for chunk in entries.chunks(500) {
        audit_event::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}

fn actor(principal: &Principal) -> (Option<i32>, String, Option<String>) {
    match principal {
        Principal::Anonymous => (None, String::new(), None),
        Principal::User(actor) => (
            Some(actor.user_id),
            actor.username.clone(),
            actor.client_address.clone(),
        ),
    }
}

fn entry(
    actor_id: Option<i32>,
    actor_name: &str,
    client_address: Option<String>,
    event: Event<'_>,
) -> audit_event::ActiveModel {
    // Only differences are worth recording.
    let changes: Vec<Change> = event
        .changes
        .into_iter()
        .filter(|c| c.before != c.after)
        .collect();
    audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(actor_id),
        actor_name: Set(truncate(actor_name, 100)),
        action: Set(event.action.code().to_string()),
        target_kind: Set(event.action.target_kind().to_string()),
        target_label: Set(truncate(&event.target.label, 300)),
        subject_user_id: Set(event.target.user),
        site_id: Set(event.site.id),
        site_name: Set(event.site.name.clone()),
        changes: Set(serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into())),
        client_address: Set(client_address.map(|a| truncate(&a, 64))),
        ..Default::default()
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
