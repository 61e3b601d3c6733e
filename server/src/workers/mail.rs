//! Delivers queued mail: claims a mail job, renders it in its language, writes it to the
//! outbox folder (a `.eml` file, the laptop default) and sends it over SMTP when configured.
//! A failed send is retried with back-off; queued mail survives restarts and an SMTP server
//! that is down. Every process may run a worker: a job's claim is exclusive.
use std::path::PathBuf;
use std::time::Duration;

use domain::jobs::{self, RetryPolicy};
use domain::mail::{self, Mail};
use domain::Db;
use lettre::message::header::ContentTransferEncoding;
use lettre::message::header::ContentType;
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

/// How long a worker owns a claimed mail before another may take it over.
const LEASE: Duration = Duration::from_secs(120);

pub struct MailWorker {
    db: Db,
    stop: crate::lifecycle::Stop,
    public_url: String,
    from: Mailbox,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    outbox_dir: Option<PathBuf>,
    policy: RetryPolicy,
    poll: Duration,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

impl MailWorker {
    pub fn new(db: Db, config: &Config, public_url: String) -> Result<MailWorker, Error> {
        let smtp = match &config.smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => None,
        };
        Ok(MailWorker {
            db,
            stop: crate::lifecycle::Stop::never(),
            public_url,
            from: config.mail_from.parse()?,
            smtp,
            outbox_dir: config.outbox_dir.clone(),
            policy: RetryPolicy {
                first_delay: config.mail_retry,
                ..RetryPolicy::default()
            },
            poll: config.job_poll,
        })
    }

    /// Stops between two mails when `stop` comes.
    pub fn with_stop(self, stop: crate::lifecycle::Stop) -> MailWorker {
        MailWorker { stop, ..self }
    }

    /// Delivers mail until the process ends or stops.
    pub async fn run(mut self) {
        while !self.stop.requested() {
            match self.deliver_next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(err) => tracing::warn!(%err, "mail worker"),
            }
            let poll = self.poll;
            self.stop.sleep(poll).await;
        }
    }

    /// Delivers (or fails) the next due mail; false when none was due.
    pub async fn deliver_next(&self) -> Result<bool, domain::Error> {
        let Some(job) = jobs::claim(&self.db, mail::JOB_KIND, LEASE).await? else {
            return Ok(false);
        };
        let mail: Mail = match serde_json::from_str(&job.payload) {
            Ok(mail) => mail,
            Err(err) => {
                let never = RetryPolicy {
                    max_attempts: 0,
                    ..self.policy
                };
                jobs::fail(&self.db, &job, &format!("unreadable: {err}"), never).await?;
                return Ok(true);
            }
        };
        let message_id = format!("<mail-{}-{}@licentia>", job.id, job.created_at.timestamp());
        match self.send(&mail, &message_id, job.id).await {
            Ok(()) => {
                let kept = serde_json::to_string(&mail.redacted()).ok();
                jobs::complete(&self.db, job.id, kept).await?;
            }
            Err(err) => {
                tracing::warn!(job = job.id, attempt = job.attempts, %err, "mail not delivered");
                jobs::fail(&self.db, &job, &err.to_string(), self.policy).await?;
            }
        }
        Ok(true)
    }

    async fn send(&self, mail: &Mail, message_id: &str, id: i32) -> Result<(), Error> {
        let rendered = mail::render(mail, &self.public_url);
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse()?)
            .subject(rendered.subject)
            .message_id(Some(message_id.to_string()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(quoted_printable(rendered.text)),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(quoted_printable(rendered.html)),
                    ),
            )?;
        if let Some(dir) = &self.outbox_dir {
            tokio::fs::create_dir_all(dir).await?;
            let name = format!("{id:08}-{}.eml", mail.template.key());
            tokio::fs::write(dir.join(name), message.formatted()).await?;
        }
        if let Some(smtp) = &self.smtp {
            smtp.send(message).await?;
        }
        Ok(())
    }
}

/// Quoted-printable bodies stay readable in the `.eml` files and in any mail client.
fn quoted_printable(text: String) -> Body {
    Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
        .unwrap_or_else(Body::new)
}
