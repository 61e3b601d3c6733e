//! Raising events: each one becomes a delivery to every enabled endpoint that wants its type
//! and sees its site (the vendor's see every site), queued with a job in the caller's
//! transaction, so that nothing is sent for a change that was rolled back. Journal entries
//! raise their events here as they are written.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::deliver::{DeliveryJob, Message, JOB_KIND, MESSAGES_PER_JOB, PENDING};
use super::events::of_action;
use crate::audit::Event;
use crate::entities::{site, site_closure, webhook_delivery, webhook_endpoint};
use crate::error::{Error, Result};
use crate::jobs;

/// An event: its type, the site it happened in, and what it says.
pub struct Emitted<'a> {
    pub kind: &'static str,
    pub site: &'a site::Model,
    pub data: serde_json::Value,
}

/// The username in a journal target as `user_label` writes it ("First Last (username)").
fn username_of(target: &str) -> Option<&str> {
    let inner = target.strip_suffix(')')?;
    let (_, name) = inner.rsplit_once(" (")?;
    (!name.is_empty()).then_some(name)
}

/// The event an entry raises: a change that switches the account off is a deactivation,
/// whatever path made it (SCIM, a bulk action, the switch).
fn kind_of(entry: &Event<'_>) -> Option<&'static str> {
    let switched_off = entry
        .changes
        .iter()
        .any(|c| c.field == "active" && c.before == "true" && c.after == "false");
    if switched_off {
        return Some("user.deactivated");
    }
    of_action(entry.action)
}

/// The events that journal entries raise.
pub(crate) async fn emit_journal(
    conn: &impl ConnectionTrait,
    actor: &str,
    entries: &[&Event<'_>],
) -> Result<()> {
    let emitted: Vec<Emitted> = entries
        .iter()
        .filter_map(|e| {
            let kind = kind_of(e)?;
            let changes: Vec<serde_json::Value> = e
                .changes
                .iter()
                .filter(|c| c.before != c.after)
                .map(|c| json!({ "field": c.field, "before": c.before, "after": c.after }))
                .collect();
            Some(Emitted {
                kind,
                site: e.site,
                data: json!({
                    "target": e.target.label,
                    "username": username_of(&e.target.label),
                    "actor": actor,
                    "changes": changes,
                }),
            })
        })
        .collect();
    emit(conn, emitted).await
}

/// Queues the deliveries of these events, in the caller's transaction (the domain raises its
/// own; public for the benchmark of the fan-out).
pub async fn emit(conn: &impl ConnectionTrait, events: Vec<Emitted<'_>>) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .all(conn)
        .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    // Which sites each event's site lies in (only when some endpoint belongs to a site).
    let mut ancestry: HashMap<i32, Vec<i32>> = HashMap::new();
    if endpoints.iter().any(|e| e.site_id.is_some()) {
        let mut ids: Vec<i32> = events.iter().map(|e| e.site.id).collect();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(500) {
            for row in site_closure::Entity::find()
                .filter(site_closure::Column::DescendantId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                ancestry
                    .entry(row.descendant_id)
                    .or_default()
                    .push(row.ancestor_id);
            }
        }
    }
    let now = Utc::now();
    let mut deliveries = Vec::new();
    // Each endpoint's messages, in order: its jobs carry them.
    let mut messages: std::collections::BTreeMap<i32, Vec<Message>> = Default::default();
    for event in &events {
        let message_id = format!("msg_{}", Uuid::new_v4().simple());
        let mut data = event.data.clone();
        data["site"] = json!({ "id": event.site.public_id, "name": event.site.name });
        let body = json!({
            "type": event.kind,
            "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "data": data,
        })
        .to_string();
        for endpoint in &endpoints {
            let wants = endpoint.events.split(',').any(|t| t == event.kind);
            let sees = endpoint.site_id.is_none_or(|site| {
                ancestry
                    .get(&event.site.id)
                    .is_some_and(|above| above.contains(&site))
            });
            if !(wants && sees) {
                continue;
            }
            let public_id = Uuid::new_v4();
            deliveries.push(webhook_delivery::ActiveModel {
                public_id: sea_orm::Set(public_id),
                endpoint_id: sea_orm::Set(endpoint.id),
                message_id: sea_orm::Set(message_id.clone()),
                event_type: sea_orm::Set(event.kind.to_string()),
                payload: sea_orm::Set(body.clone()),
                status: sea_orm::Set(PENDING.to_string()),
                attempts: sea_orm::Set(0),
                last_status: sea_orm::Set(None),
                last_error: sea_orm::Set(None),
                created_at: sea_orm::Set(now),
                last_attempt_at: sea_orm::Set(None),
                delivered_at: sea_orm::Set(None),
                ..Default::default()
            });
            messages.entry(endpoint.id).or_default().push(Message {
                delivery: public_id,
                id: message_id.clone(),
                body: body.clone(),
            });
        }
    }
    for chunk in deliveries.chunks(500) {
        webhook_delivery::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    if !deliveries.is_empty() {
        metrics::counter!("licentia_webhook_events_total").increment(deliveries.len() as u64);
    }
    let mut payloads = Vec::new();
    for (endpoint, messages) in messages {
        for chunk in messages.chunks(MESSAGES_PER_JOB) {
            payloads.push(
                serde_json::to_string(&DeliveryJob {
                    endpoint,
                    messages: chunk.to_vec(),
                })
                .map_err(|e| Error::Internal(format!("webhook job: {e}")))?,
            );
        }
    }
    jobs::enqueue_many(conn, JOB_KIND, payloads).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn should_read_the_username_of_a_user_label() {
        assert_eq!(
            super::username_of("Emma Willems (emma.willems)"),
            Some("emma.willems")
        );
        assert_eq!(super::username_of("Class 3A"), None);
        assert_eq!(super::username_of("A (b) (c.d)"), Some("c.d"));
    }
}
