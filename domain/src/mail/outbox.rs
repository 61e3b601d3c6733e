//! The operator's view of the outbox: the latest mails and how their delivery went.
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{render, Mail, JOB_KIND};
use crate::access::{self, Operation};
use crate::entities::job;
use crate::error::Result;
use crate::{Db, Principal};

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i32,
    pub created_at: DateTime<Utc>,
    pub to: String,
    pub subject: String,
    pub status: wire::JobStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The latest `limit` mails, newest first.
pub async fn outbox(db: &Db, principal: &Principal, limit: u64) -> Result<Vec<OutboxRow>> {
    access::require_operator(principal, Operation::ViewOutbox)?;
    let jobs = job::Entity::find()
        .filter(job::Column::Kind.eq(JOB_KIND))
        .order_by_desc(job::Column::Id)
        .limit(limit.min(500))
        .all(db.conn())
        .await?;
    Ok(jobs
        .into_iter()
        .map(|job| {
            let (to, subject) = match serde_json::from_str::<Mail>(&job.payload) {
                Ok(mail) => {
                    let subject = render(&mail, "").subject;
                    (mail.to, subject)
                }
                Err(_) => (String::new(), String::new()),
            };
            OutboxRow {
                id: job.id,
                created_at: job.created_at,
                to,
                subject,
                status: wire::JobStatus::parse(&job.status).unwrap_or(wire::JobStatus::Queued),
                attempts: job.attempts,
                last_error: job.last_error,
                finished_at: job.finished_at,
            }
        })
        .collect())
}
