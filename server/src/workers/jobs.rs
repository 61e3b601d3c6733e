//! Background work: imports, large bulk actions, dynamic group runs, announcement mail and the
//! usage roll-up. Each job is claimed, done batch by batch, and its lease renewed after each batch. A crash leaves the run at its last committed
//! batch; the job is taken over one lease later (by this process after a restart, or by
//! another) and resumes there. A failed batch is retried with back-off.
use std::time::Duration;

use domain::import::{Applier, ImportJob, JOB_KIND};
use domain::jobs::{self, RetryPolicy};
use domain::Db;

use crate::config::Config;
use crate::lifecycle::Stop;

pub struct JobWorker {
    db: Db,
    stop: Stop,
    lease: Duration,
    batch: usize,
    pause: Duration,
    poll: Duration,
    policy: RetryPolicy,
    retention_days: u32,
}

impl JobWorker {
    pub fn new(db: Db, config: &Config) -> JobWorker {
        JobWorker {
            db,
            stop: Stop::never(),
            lease: config.job_lease,
            batch: config.import_batch,
            pause: config.import_pause,
            poll: config.job_poll,
            retention_days: config.import_retention_days,
            policy: RetryPolicy {
                first_delay: Duration::from_secs(5),
                ..RetryPolicy::default()
            },
        }
    }

    /// Stops between two steps when `stop` comes (an import gives its job back).
    pub fn with_stop(self, stop: Stop) -> JobWorker {
        JobWorker { stop, ..self }
    }

    /// Applies imports and bulk actions until the process ends or stops.
    pub async fn run(mut self) {
        while !self.stop.requested() {
            let imported = self.apply_next().await;
            let bulk = self.bulk_next().await;
            let groups = self.group_next().await;
            let cleaned = self.cleanup_next().await;
            let rolled = self.rollover_next().await;
            let usage = self.usage_next().await;
            for outcome in [&imported, &bulk, &groups, &cleaned, &rolled, &usage] {
                if let Err(err) = outcome {
                    tracing::warn!(%err, "background worker");
                }
            }
            if [imported, bulk, groups, cleaned, rolled, usage]
                .iter()
                .any(|o| matches!(o, Ok(true)))
            {
                continue;
            }
            let poll = self.poll;
            self.stop.sleep(poll).await;
        }
    }

    /// Removes the uploaded files kept longer than the retention period (queued by the
    /// housekeeping of any process; idempotent); false when none was due.
    pub async fn cleanup_next(&self) -> Result<bool, domain::Error> {
        use domain::import::{remove_old_files, CleanupJob, CLEANUP_JOB_KIND};
        let Some(job) = jobs::claim(&self.db, CLEANUP_JOB_KIND, self.lease).await? else {
            return Ok(false);
        };
        let payload = serde_json::from_str::<CleanupJob>(&job.payload).unwrap_or(CleanupJob {
            retention_days: self.retention_days,
        });
        match remove_old_files(&self.db, payload, chrono::Utc::now()).await {
            Ok(removed) => {
                if removed > 0 {
                    tracing::info!(removed, "old import files removed");
                }
                jobs::complete(&self.db, job.id, None).await?;
            }
            Err(err) => jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?,
        }
        Ok(true)
    }

    /// Rolls up the usage of the days due (queued by the housekeeping of any process); false
    /// when no roll-up was queued.
    pub async fn usage_next(&self) -> Result<bool, domain::Error> {
        let Some(job) = jobs::claim(&self.db, domain::usage::JOB_KIND, self.lease).await? else {
            return Ok(false);
        };
        match domain::usage::roll_up_due(&self.db, chrono::Utc::now()).await {
            Ok(days) => {
                if !days.is_empty() {
                    tracing::info!(days = days.len(), "usage rolled up");
                }
                jobs::complete(&self.db, job.id, None).await?;
            }
            Err(err) => jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?,
        }
        Ok(true)
    }

    /// Applies the next queued school-year rollover; false when none was due.
    pub async fn rollover_next(&self) -> Result<bool, domain::Error> {
        let Some(job) = jobs::claim(&self.db, domain::rollover::JOB_KIND, self.lease).await? else {
            return Ok(false);
        };
        let outcome = match serde_json::from_str::<domain::rollover::RolloverJob>(&job.payload) {
            Ok(payload) => {
                let db = self.db.clone();
                tokio::spawn(async move {
                    domain::rollover::run_job(&db, payload, wire::time::today()).await
                })
                .await
                .unwrap_or_else(|err| Err(domain::Error::Internal(format!("rollover task: {err}"))))
            }
            Err(err) => Err(domain::Error::Internal(format!(
                "rollover job payload: {err}"
            ))),
        };
        match outcome {
            Ok(()) => jobs::complete(&self.db, job.id, None).await?,
            Err(err) => jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?,
        }
        Ok(true)
    }

    /// Runs the next queued bulk action on users; false when none was due.
    pub async fn bulk_next(&self) -> Result<bool, domain::Error> {
        let Some(job) = jobs::claim(&self.db, domain::users::bulk::JOB_KIND, self.lease).await?
        else {
            return Ok(false);
        };
        let outcome = match serde_json::from_str::<domain::users::BulkJob>(&job.payload) {
            Ok(payload) => {
                let db = self.db.clone();
                tokio::spawn(async move { domain::users::run_job(&db, payload).await })
                    .await
                    .unwrap_or_else(|err| Err(domain::Error::Internal(format!("bulk task: {err}"))))
                    .map(|_| ())
            }
            Err(err) => Err(domain::Error::Internal(format!("bulk job payload: {err}"))),
        };
        match outcome {
            Ok(()) => jobs::complete(&self.db, job.id, None).await?,
            Err(err) => jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?,
        }
        Ok(true)
    }

    /// Recomputes the next queued dynamic group, renewing the lease after every batch (a run
    /// cut short is completed by whoever takes the job next); false when none was due.
    pub async fn group_next(&self) -> Result<bool, domain::Error> {
        let Some(job) = jobs::claim(&self.db, domain::groups::JOB_KIND, self.lease).await? else {
            return Ok(false);
        };
        let outcome = match serde_json::from_str::<domain::groups::GroupJob>(&job.payload) {
            Ok(payload) => {
                let (db, lease, id) = (self.db.clone(), self.lease, job.id);
                tokio::spawn(async move {
                    let renew_db = db.clone();
                    domain::groups::run_job(&db, payload, move || {
                        let db = renew_db.clone();
                        async move { jobs::renew(&db, id, lease).await }
                    })
                    .await
                })
                .await
                .unwrap_or_else(|err| Err(domain::Error::Internal(format!("group task: {err}"))))
                .map(|_| ())
            }
            Err(err) => Err(domain::Error::Internal(format!("group job payload: {err}"))),
        };
        match outcome {
            Ok(()) => jobs::complete(&self.db, job.id, None).await?,
            Err(err) => jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?,
        }
        Ok(true)
    }

    /// Mails the next posted announcement to the users who want updates, batch by batch (the
    /// checkpoint is the announcement's; a run cut short resumes); false when none was due.
    pub async fn announcement_next(&self) -> Result<bool, domain::Error> {
        use domain::announcements::{mail_batch, MailJob, JOB_KIND as MAIL_JOB};
        let Some(job) = jobs::claim(&self.db, MAIL_JOB, self.lease).await? else {
            return Ok(false);
        };
        let outcome = match serde_json::from_str::<MailJob>(&job.payload) {
            Ok(payload) => loop {
                match mail_batch(&self.db, payload).await {
                    Ok(true) => {
                        if let Err(err) = jobs::renew(&self.db, job.id, self.lease).await {
                            break Err(err);
                        }
                    }
                    Ok(false) => break Ok(()),
                    Err(err) => break Err(err),
                }
            },
            Err(err) => Err(domain::Error::Internal(format!(
                "announcement job payload: {err}"
            ))),
        };
        match outcome {
            Ok(()) => jobs::complete(&self.db, job.id, None).await?,
            Err(err) => jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?,
        }
        Ok(true)
    }

    /// Applies the next due import to its end; false when none was due.
    pub async fn apply_next(&self) -> Result<bool, domain::Error> {
        let Some(job) = jobs::claim(&self.db, JOB_KIND, self.lease).await? else {
            return Ok(false);
        };
        let outcome = match serde_json::from_str::<ImportJob>(&job.payload) {
            // In a task of its own: a bug that panics fails this attempt, not the worker.
            Ok(payload) => {
                let db = self.db.clone();
                let settings = Settings {
                    lease: self.lease,
                    batch: self.batch,
                    pause: self.pause,
                    stop: self.stop.clone(),
                };
                tokio::spawn(async move { apply(&db, payload.run, job.id, settings).await })
                    .await
                    .unwrap_or_else(|err| {
                        Err(domain::Error::Internal(format!("import task: {err}")))
                    })
            }
            Err(err) => Err(domain::Error::Internal(format!(
                "import job payload: {err}"
            ))),
        };
        match outcome {
            Ok(Step::Finished) => jobs::complete(&self.db, job.id, None).await?,
            Ok(Step::Stopped) => {
                tracing::info!(run = %job.payload, "import paused for shutdown; job given back");
                jobs::release(&self.db, job.id).await?;
            }
            Err(err) => {
                tracing::warn!(%err, run = %job.payload, "import batch failed; retried later");
                jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?;
            }
        }
        Ok(true)
    }
}

struct Settings {
    lease: Duration,
    batch: usize,
    pause: Duration,
    stop: Stop,
}

/// How an import's job ended this time.
enum Step {
    Finished,
    /// The process is stopping: the batch done so far is committed, the rest waits.
    Stopped,
}

async fn apply(db: &Db, run: i32, job: i32, mut settings: Settings) -> Result<Step, domain::Error> {
    let Some(mut applier) = Applier::load(db, run, settings.batch).await? else {
        return Ok(Step::Finished);
    };
    while applier.step(db).await? {
        if settings.stop.requested() {
            return Ok(Step::Stopped);
        }
        jobs::renew(db, job, settings.lease).await?;
        if !settings.pause.is_zero() && settings.stop.sleep(settings.pause).await {
            return Ok(Step::Stopped);
        }
    }
    Ok(Step::Finished)
}
