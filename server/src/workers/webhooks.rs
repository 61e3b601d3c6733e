//! Delivers webhooks: claims a batch of due delivery jobs from the job table, posts their
//! messages with the Standard Webhooks headers (at most [`IN_FLIGHT`] at once, each within
//! [`TIMEOUT`], redirects not followed), and records the outcomes in one transaction. Every
//! process may run a worker: claims are exclusive and renewed while the batch is posted (a
//! slow receiver can hold it for longer than a lease); a process killed mid-batch leaves its
//! jobs to be taken over one lease later, and the same messages (same `webhook-id`) are sent
//! again.
use std::time::Duration;

use domain::jobs::RetryPolicy;
use domain::webhooks::{self, Attempt, Outgoing};
use domain::Db;
use futures::StreamExt;

use crate::config::Config;
use crate::lifecycle::Stop;

/// Deliveries posted at once by one worker.
pub const IN_FLIGHT: usize = 16;
/// How long a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Loops of one worker claiming, posting and recording at once (their database work and their
/// posts overlap).
pub const LOOPS: usize = 4;

pub struct WebhookWorker {
    db: Db,
    stop: Stop,
    client: reqwest::Client,
    policy: RetryPolicy,
    poll: Duration,
    /// How long a claimed batch is this worker's (`LICENTIA_JOB_LEASE_SECONDS`): a process
    /// killed mid-batch leaves its deliveries to others after it.
    lease: Duration,
    loopback: bool,
}

impl WebhookWorker {
    pub fn new(db: Db, config: &Config) -> Result<WebhookWorker, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Licentia-Webhooks/1")
            .build()?;
        Ok(WebhookWorker {
            db,
            stop: Stop::never(),
            client,
            policy: RetryPolicy {
                first_delay: config.webhook_retry,
                max_delay: Duration::from_secs(6 * 3600),
                max_attempts: 20,
            },
            poll: config.job_poll,
            lease: config.job_lease.max(TIMEOUT * 2),
            loopback: config.webhook_loopback,
        })
    }

    pub fn with_stop(self, stop: Stop) -> WebhookWorker {
        WebhookWorker { stop, ..self }
    }

    /// Delivers until the process stops.
    pub async fn run(mut self) {
        while !self.stop.requested() {
            match self.drain().await {
                Ok(0) => {
                    let poll = self.poll;
                    self.stop.sleep(poll).await;
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(%err, "webhook delivery");
                    let poll = self.poll;
                    self.stop.sleep(poll).await;
                }
            }
        }
    }

    /// Sends batches with [`LOOPS`] loops until none is due; how many deliveries were sent.
    pub async fn drain(&self) -> Result<usize, domain::Error> {
        let loops = (0..LOOPS).map(|_| async {
            let mut sent = 0;
            loop {
                match self.deliver_next().await? {
                    0 => return Ok::<usize, domain::Error>(sent),
                    n => sent += n,
                }
                if self.stop.requested() {
                    return Ok(sent);
                }
            }
        });
        let mut sent = 0;
        for outcome in futures::future::join_all(loops).await {
            sent += outcome?;
        }
        Ok(sent)
    }

    /// Sends one batch; how many deliveries it held.
    pub async fn deliver_next(&self) -> Result<usize, domain::Error> {
        let batch = webhooks::next_batch(&self.db, self.lease).await?;
        let count = batch.len();
        if count == 0 {
            return Ok(0);
        }
        let mut jobs: Vec<i32> = batch.iter().map(Outgoing::job_id).collect();
        jobs.dedup();
        let posting = futures::stream::iter(batch)
            .map(|sent| async move {
                let attempt = self.post(&sent).await;
                (sent, attempt)
            })
            .buffer_unordered(IN_FLIGHT)
            .collect::<Vec<(Outgoing, Attempt)>>();
        tokio::pin!(posting);
        let mut renewal =
            tokio::time::interval_at(tokio::time::Instant::now() + self.lease / 3, self.lease / 3);
        let outcomes = loop {
            tokio::select! {
                outcomes = &mut posting => break outcomes,
                _ = renewal.tick() => {
                    if let Err(err) =
                        domain::jobs::renew_many(&self.db, jobs.clone(), self.lease).await
                    {
                        tracing::warn!(%err, "renewing the lease of webhook deliveries");
                    }
                }
            }
        };
        webhooks::record(&self.db, outcomes, self.policy, chrono::Utc::now()).await?;
        Ok(count)
    }

    async fn post(&self, sent: &Outgoing) -> Attempt {
        if !self.loopback && webhooks::is_loopback(&sent.url) {
            return Attempt {
                status: None,
                error: Some("addresses on this machine are not allowed".into()),
            };
        }
        let headers = match sent.headers(chrono::Utc::now()) {
            Ok(headers) => headers,
            Err(err) => {
                return Attempt {
                    status: None,
                    error: Some(err.to_string()),
                }
            }
        };
        let mut request = self
            .client
            .post(&sent.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match request.body(sent.body.clone()).send().await {
            Ok(response) => Attempt {
                status: Some(response.status().as_u16()),
                error: None,
            },
            Err(err) => Attempt {
                status: None,
                error: Some(if err.is_timeout() {
                    "no answer in time".to_string()
                } else if err.is_connect() {
                    "cannot connect".to_string()
                } else {
                    "request failed".to_string()
                }),
            },
        }
    }
}
