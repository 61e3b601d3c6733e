//! Sending deliveries: a delivery job carries up to [`MESSAGES_PER_JOB`] messages to one
//! endpoint (the events of one transaction: one for a single change, many for an import), so
//! the worker reads what it posts from the job itself. Workers claim a batch of due jobs, the
//! server posts their messages (signed here, as Standard Webhooks says) and hands the
//! outcomes back in one transaction: a 2xx delivers; the messages that failed stay in their
//! job, retried with back-off until its last attempt. The log per endpoint shows every
//! delivery with its attempts; a redelivery sends the same message (same `webhook-id`) again.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
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
/// Messages one job carries at most.
pub const MESSAGES_PER_JOB: usize = 16;
/// Jobs a worker claims at once (so at most 1,024 messages).
pub const JOBS_PER_BATCH: u64 = 64;

pub(crate) const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const FAILED: &str = "failed";

/// A delivery job: messages to one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeliveryJob {
    pub endpoint: i32,
    pub messages: Vec<Message>,
}

/// One message of a job: its delivery's id, its `webhook-id` and the JSON body as signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Message {
    pub delivery: Uuid,
    pub id: String,
    pub body: String,
}

/// One delivery to send now.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The claimed job carrying it (its payload left out).
    job: Arc<job::Model>,
    pub delivery: Uuid,
    pub endpoint_id: i32,
    pub url: String,
    pub message_id: String,
    pub body: String,
    secret: String,
    /// Whether the endpoint was failing when the batch was claimed (a delivery clears it).
    failing: bool,
}

impl Outgoing {
    /// The id of the job carrying this delivery.
    pub fn job_id(&self) -> i32 {
        self.job.id
    }

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

/// Claims up to [`JOBS_PER_BATCH`] due delivery jobs and returns their messages. Messages to
/// an endpoint that was removed or switched off are settled here (failed, for a redelivery
/// later) rather than sent.
pub async fn next_batch(db: &Db, lease: Duration) -> Result<Vec<Outgoing>> {
    let claimed = jobs::claim_many(db, JOB_KIND, lease, JOBS_PER_BATCH).await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<(job::Model, Option<DeliveryJob>)> = claimed
        .into_iter()
        .map(|mut j| {
            let carried = serde_json::from_str::<DeliveryJob>(&j.payload).ok();
            j.payload = String::new();
            (j, carried)
        })
        .collect();
    let endpoints: BTreeMap<i32, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
        .filter(
            webhook_endpoint::Column::Id.is_in(
                wanted
                    .iter()
                    .filter_map(|(_, c)| Some(c.as_ref()?.endpoint)),
            ),
        )
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut out = Vec::new();
    let mut settled = Vec::new();
    let mut stranded = Vec::new();
    for (job, carried) in wanted {
        let Some(carried) = carried else {
            tracing::warn!(job = job.id, "a webhook job that cannot be read: dropped");
            settled.push(job.id);
            continue;
        };
        let Some(endpoint) = endpoints.get(&carried.endpoint).filter(|e| e.enabled) else {
            stranded.extend(carried.messages.iter().map(|m| m.delivery));
            settled.push(job.id);
            continue;
        };
        let job = Arc::new(job);
        out.extend(carried.messages.into_iter().map(|m| Outgoing {
            job: job.clone(),
            delivery: m.delivery,
            endpoint_id: endpoint.id,
            url: endpoint.url.clone(),
            message_id: m.id,
            body: m.body,
            secret: endpoint.secret.clone(),
            failing: endpoint.failing_since.is_some(),
        }));
    }
    if !settled.is_empty() {
        let txn = db.write_uncached().await?;
        for chunk in stranded.chunks(500) {
            webhook_delivery::Entity::update_many()
                .col_expr(webhook_delivery::Column::Status, Expr::value(FAILED))
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::value("endpoint switched off"),
                )
                .filter(webhook_delivery::Column::PublicId.is_in(chunk.to_vec()))
                .exec(&*txn)
                .await?;
        }
        jobs::remove_in(&*txn, settled).await?;
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

    fn error(&self) -> Option<String> {
        self.error
            .clone()
            .or_else(|| self.status.map(|s| format!("HTTP {s}")))
    }
}

/// Records the outcomes of a batch in one transaction: delivered messages are settled; a job
/// whose messages were all delivered is removed, the others keep only the messages that
/// failed and run again after the policy's delay (or are given up after its last attempt).
pub async fn record(
    db: &Db,
    outcomes: Vec<(Outgoing, Attempt)>,
    policy: RetryPolicy,
    now: DateTime<Utc>,
) -> Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    // Per job: the job, its endpoint, the messages that failed and the first error.
    type Failed = (Arc<job::Model>, i32, Vec<Message>, Option<String>);
    let mut by_job: BTreeMap<i32, Failed> = BTreeMap::new();
    // Deliveries with the same outcome are settled in one statement (usually one: 200 or 204).
    let mut delivered: BTreeMap<u16, Vec<Uuid>> = BTreeMap::new();
    let mut refused: BTreeMap<(Option<u16>, Option<String>), Vec<Uuid>> = BTreeMap::new();
    let mut healthy = Vec::new();
    let mut failing = Vec::new();
    let mut delivered_to = std::collections::HashSet::new();
    for (sent, attempt) in &outcomes {
        let entry = by_job
            .entry(sent.job.id)
            .or_insert_with(|| (sent.job.clone(), sent.endpoint_id, Vec::new(), None));
        if let (true, Some(code)) = (attempt.delivered(), attempt.status) {
            delivered.entry(code).or_default().push(sent.delivery);
            delivered_to.insert(sent.endpoint_id);
            if sent.failing {
                healthy.push(sent.endpoint_id);
            }
            continue;
        }
        failing.push(sent.endpoint_id);
        if entry.3.is_none() {
            entry.3 = attempt.error();
        }
        entry.2.push(Message {
            delivery: sent.delivery,
            id: sent.message_id.clone(),
            body: sent.body.clone(),
        });
        refused
            .entry((attempt.status, attempt.error()))
            .or_default()
            .push(sent.delivery);
    }
    let txn = db.write_uncached().await?;
    let mut done_jobs = Vec::new();
    let mut given_up = std::collections::HashSet::new();
    for (id, (job, endpoint, failed, error)) in by_job {
        if failed.is_empty() {
            done_jobs.push(id);
            continue;
        }
        let error = error.unwrap_or_else(|| "failed".to_string());
        if jobs::fail_in(&*txn, &job, &error, policy).await? {
            given_up.extend(failed.iter().map(|m| m.delivery));
            continue;
        }
        let payload = serde_json::to_string(&DeliveryJob {
            endpoint,
            messages: failed,
        })
        .map_err(|e| Error::Internal(format!("webhook job: {e}")))?;
        job::Entity::update_many()
            .col_expr(job::Column::Payload, Expr::value(payload))
            .filter(job::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
    }
    for (code, ids) in delivered {
        settle(&*txn, ids, DELIVERED, Some(code), None, now).await?;
    }
    for ((code, error), ids) in refused {
        let (last, again): (Vec<Uuid>, Vec<Uuid>) =
            ids.into_iter().partition(|id| given_up.contains(id));
        settle(&*txn, last, FAILED, code, error.clone(), now).await?;
        settle(&*txn, again, PENDING, code, error, now).await?;
    }
    jobs::remove_in(&*txn, done_jobs).await?;
    if !healthy.is_empty() {
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::FailingSince,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(webhook_endpoint::Column::Id.is_in(healthy))
            .exec(&*txn)
            .await?;
    }
    failing.retain(|id| !delivered_to.contains(id));
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
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
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
            .filter(webhook_delivery::Column::PublicId.is_in(chunk.to_vec()))
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
    let job = DeliveryJob {
        endpoint: found.endpoint_id,
        messages: vec![Message {
            delivery,
            id: found.message_id.clone(),
            body: found.payload.clone(),
        }],
    };
    let mut again: webhook_delivery::ActiveModel = found.into();
    again.status = Set(PENDING.to_string());
    again.update(&*txn).await?;
    jobs::enqueue(&*txn, JOB_KIND, &job).await?;
    txn.commit().await
}

/// How long an endpoint's log keeps settled deliveries.
pub const KEEP_DELIVERIES: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// Deletes the deliveries settled (delivered or given up) that were raised more than
/// [`KEEP_DELIVERIES`] before `now`; how many. Pending ones stay, whatever their age.
pub async fn forget_old(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let conn = db.autocommit().await;
    let gone = webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.is_in([DELIVERED, FAILED]))
        .filter(webhook_delivery::Column::CreatedAt.lt(now - KEEP_DELIVERIES))
        .exec(&*conn)
        .await?;
    Ok(gone.rows_affected)
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
