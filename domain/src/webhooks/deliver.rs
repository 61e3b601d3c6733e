//! Sending deliveries: the workers claim a batch of due delivery jobs, the server posts them
//! (signed here, as Standard Webhooks says) and hands the outcomes back in one transaction:
//! a 2xx delivers, anything else is retried with back-off until the jobs' last attempt. The
//! log per endpoint shows every delivery with its attempts; a redelivery sends the same
//! message (same `webhook-id`) again.
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use super::endpoints::find;
use super::DISABLE_AFTER;
use crate::entities::{job, user, webhook_delivery, webhook_endpoint};
use crate::error::{Error, Result};
use crate::jobs::{self, RetryPolicy};
use crate::{mail, Db, Principal};

/// The job kind of a delivery.
pub const JOB_KIND: &str = "webhook";
/// How many deliveries a worker claims at once.
pub const BATCH: u64 = 64;

pub(crate) const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const FAILED: &str = "failed";

/// A delivery's job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeliveryJob {
    pub delivery: Uuid,
}

/// One delivery to send now.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub job: job::Model,
    pub delivery_id: i32,
    pub endpoint_id: i32,
    pub url: String,
    pub message_id: String,
    pub body: String,
    secret: String,
}

impl Outgoing {
    /// The three Standard Webhooks headers for an attempt at `at`.
    pub fn headers(&self, at: DateTime<Utc>) -> Result<[(&'static str, String); 3]> {
        let timestamp = at.timestamp();
        let signature = sign(&self.secret, &self.message_id, timestamp, &self.body)
            .ok_or_else(|| Error::Internal("webhook secret".into()))?;
        Ok([
            ("webhook-id", self.message_id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ])
    }
}

/// `v1,` and the base64 of HMAC-SHA256, keyed with the secret's bytes (after `whsec_`), over
/// `{id}.{timestamp}.{body}`.
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = B64.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(format!("{message_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// Claims up to `limit` due deliveries. Deliveries whose endpoint was removed or switched off
/// are settled here (failed, for a redelivery later) rather than sent.
pub async fn next_batch(db: &Db, lease: Duration, limit: u64) -> Result<Vec<Outgoing>> {
    let claimed = jobs::claim_many(db, JOB_KIND, lease, limit).await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<(job::Model, Option<Uuid>)> = claimed
        .into_iter()
        .map(|j| {
            let id = serde_json::from_str::<DeliveryJob>(&j.payload)
                .ok()
                .map(|p| p.delivery);
            (j, id)
        })
        .collect();
    let rows = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::PublicId.is_in(wanted.iter().filter_map(|(_, id)| *id)))
        .all(db.conn())
        .await?;
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Id.is_in(rows.iter().map(|d| d.endpoint_id)))
        .all(db.conn())
        .await?;
    let mut out = Vec::new();
    let mut settled = Vec::new();
    let mut stranded = Vec::new();
    for (job, id) in wanted {
        let delivery = id.and_then(|id| rows.iter().find(|d| d.public_id == id));
        let endpoint = delivery.and_then(|d| {
            endpoints
                .iter()
                .find(|e| e.id == d.endpoint_id && e.enabled)
        });
        match (delivery, endpoint) {
            (Some(d), Some(e)) => out.push(Outgoing {
                job,
                delivery_id: d.id,
                endpoint_id: e.id,
                url: e.url.clone(),
                message_id: d.message_id.clone(),
                body: d.payload.clone(),
                secret: e.secret.clone(),
            }),
            (Some(d), None) => {
                stranded.push(d.id);
                settled.push(job.id);
            }
            (None, _) => settled.push(job.id),
        }
    }
    if !settled.is_empty() {
        let txn = db.write_uncached().await?;
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(FAILED))
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value("endpoint switched off"),
            )
            .filter(webhook_delivery::Column::Id.is_in(stranded))
            .exec(&*txn)
            .await?;
        jobs::complete_in(&*txn, settled).await?;
        txn.commit().await?;
    }
    Ok(out)
}

/// What one attempt came to: the response's status, or why there was none.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl Attempt {
    fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records the outcomes of a batch in one transaction.
pub async fn record(
    db: &Db,
    outcomes: Vec<(Outgoing, Attempt)>,
    policy: RetryPolicy,
    now: DateTime<Utc>,
) -> Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let txn = db.write_uncached().await?;
    let mut done_jobs = Vec::new();
    let mut healthy = Vec::new();
    let mut failing = Vec::new();
    // Delivered ones in one statement per answer (usually one: 200 or 204).
    let mut delivered: std::collections::BTreeMap<u16, Vec<i32>> = Default::default();
    for (sent, attempt) in &outcomes {
        if let (true, Some(code)) = (attempt.delivered(), attempt.status) {
            done_jobs.push(sent.job.id);
            healthy.push(sent.endpoint_id);
            delivered.entry(code).or_default().push(sent.delivery_id);
            continue;
        }
        let error = attempt
            .error
            .clone()
            .or_else(|| attempt.status.map(|s| format!("HTTP {s}")));
        failing.push(sent.endpoint_id);
        let last = jobs::fail_in(
            &*txn,
            &sent.job,
            error.as_deref().unwrap_or("failed"),
            policy,
        )
        .await?;
        settle(
            &*txn,
            vec![sent.delivery_id],
            if last { FAILED } else { PENDING },
            attempt.status,
            error,
            now,
        )
        .await?;
    }
    for (code, ids) in delivered {
        settle(&*txn, ids, DELIVERED, Some(code), None, now).await?;
    }
    jobs::complete_in(&*txn, done_jobs).await?;
    if !healthy.is_empty() {
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::FailingSince,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(webhook_endpoint::Column::Id.is_in(healthy.clone()))
            .exec(&*txn)
            .await?;
    }
    failing.retain(|id| !healthy.contains(id));
    if !failing.is_empty() {
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(now))
            .filter(webhook_endpoint::Column::Id.is_in(failing))
            .filter(webhook_endpoint::Column::FailingSince.is_null())
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    let delivered = outcomes.iter().filter(|(_, a)| a.delivered()).count() as u64;
    metrics::counter!("licentia_webhook_deliveries_total", "outcome" => "delivered")
        .increment(delivered);
    metrics::counter!("licentia_webhook_deliveries_total", "outcome" => "failed")
        .increment(outcomes.len() as u64 - delivered);
    Ok(())
}

/// Records an attempt on deliveries with the same outcome.
async fn settle(
    conn: &impl sea_orm::ConnectionTrait,
    ids: Vec<i32>,
    status: &str,
    code: Option<u16>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let delivered = status == DELIVERED;
    for chunk in ids.chunks(500) {
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .col_expr(
                webhook_delivery::Column::LastStatus,
                Expr::value(code.map(i32::from)),
            )
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(
                    error
                        .clone()
                        .map(|e| e.chars().take(300).collect::<String>()),
                ),
            )
            .col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(now))
            .col_expr(
                webhook_delivery::Column::DeliveredAt,
                Expr::value(delivered.then_some(now)),
            )
            .filter(webhook_delivery::Column::Id.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A delivery in an endpoint's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub public_id: Uuid,
    pub message_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The latest deliveries to an endpoint (at most 100), newest first.
pub async fn deliveries(db: &Db, principal: &Principal, endpoint: Uuid) -> Result<Vec<Delivery>> {
    let (found, _) = find(db, principal, endpoint).await?;
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(found.id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(100)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|d| Delivery {
            public_id: d.public_id,
            message_id: d.message_id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            last_attempt_at: d.last_attempt_at,
            delivered_at: d.delivered_at,
        })
        .collect())
}

/// Sends a delivery again (the same message: the same `webhook-id`), now.
pub async fn redeliver(db: &Db, principal: &Principal, delivery: Uuid) -> Result<()> {
    let found = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::PublicId.eq(delivery))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let endpoint = webhook_endpoint::Entity::find_by_id(found.endpoint_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    find(db, principal, endpoint.public_id).await?;
    let txn = db.write_uncached().await?;
    let mut again: webhook_delivery::ActiveModel = found.into();
    again.status = Set(PENDING.to_string());
    again.update(&*txn).await?;
    jobs::enqueue(&*txn, JOB_KIND, &DeliveryJob { delivery }).await?;
    txn.commit().await
}

/// Switches off the endpoints that have failed every delivery for [`DISABLE_AFTER`] and tells
/// their owners by mail. Returns how many were switched off.
pub async fn disable_failing(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let failing = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .filter(webhook_endpoint::Column::FailingSince.lt(now - DISABLE_AFTER))
        .all(db.conn())
        .await?;
    if failing.is_empty() {
        return Ok(0);
    }
    let owners = user::Entity::find()
        .filter(user::Column::Id.is_in(failing.iter().filter_map(|e| e.owner_id)))
        .all(db.conn())
        .await?;
    let txn = db.write().await?;
    let mut switched = 0;
    for endpoint in &failing {
        let done = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
            .col_expr(webhook_endpoint::Column::DisabledAt, Expr::value(now))
            .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .exec(&*txn)
            .await?;
        if done.rows_affected == 0 {
            continue;
        }
        switched += 1;
        let owner = owners.iter().find(|u| Some(u.id) == endpoint.owner_id);
        if let Some((owner, to)) = owner.and_then(|o| Some((o, o.email.as_deref()?))) {
            mail::queue(
                &*txn,
                to,
                owner.locale.as_deref(),
                mail::Template::WebhookDisabled {
                    name: format!("{} {}", owner.first_name, owner.last_name),
                    url: endpoint.url.clone(),
                    failing_since: endpoint
                        .failing_since
                        .map(|at| wire::time::local(at).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default(),
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(switched)
}
