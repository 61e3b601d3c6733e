//! Mail to users, in their language, as HTML and plain text. A mail is queued as a job in the
//! transaction of the change it reports ([`queue`]); a worker of the server renders it with
//! [`render`] and delivers it (SMTP and/or `.eml` files), retrying while the server is down.
mod outbox;
mod render;

use crate::texts::LANGUAGES;
pub use outbox::{outbox, OutboxRow};
pub use render::{render, Rendered};

use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::jobs;

/// The job kind of mail delivery.
pub const JOB_KIND: &str = "mail";

/// One mail as queued: recipient, language, and what to say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub locale: String,
    pub template: Template,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Template {
    VerifyEmail {
        name: String,
        token: String,
    },
    SubscriptionCreated {
        serial: String,
        seats: i32,
        valid_from: String,
        valid_until: String,
    },
    Invitation {
        name: String,
        inviter: String,
        site: String,
        username: String,
        token: String,
    },
    PasswordReset {
        name: String,
        username: String,
        token: String,
    },
    RegistrationApproved {
        name: String,
        site: String,
        username: String,
    },
    RegistrationRejected {
        name: String,
        site: String,
    },
    /// The report of an import, to the administrator who started it.
    ImportReport {
        name: String,
        file_name: String,
        site: String,
        /// done, cancelled or failed.
        status: String,
        added: i32,
        updated: i32,
        deleted: i32,
        errors: i32,
        /// The run's public id (the report page's address).
        run: String,
        /// The first problems, with their rows.
        problems: Vec<RowProblem>,
    },
    /// A licence purchase request, to the vendor's operators.
    PurchaseRequest(Purchase),
    /// The requester's copy of their purchase request.
    PurchaseRequestCopy(Purchase),
    /// An operator's notice, to a user who wants updates.
    Announcement {
        name: String,
        /// `maintenance`, `outage` or `update`.
        notice: String,
        title: String,
        body: String,
        /// "YYYY-MM-DD HH:MM" in Belgian time.
        starts_at: String,
        ends_at: String,
    },
    /// A webhook endpoint failed for days and was switched off, to whoever registered it.
    WebhookDisabled {
        name: String,
        url: String,
        /// "YYYY-MM-DD HH:MM" in Belgian time.
        failing_since: String,
    },
    /// The week's renewals, to an operator who asked for them.
    RenewalsDigest {
        name: String,
        /// The window looked ahead, in days.
        days: u32,
        ending: i32,
        renewed: i32,
        upcoming: i32,
        /// Lapsed in the past week.
        lapsed: i32,
        lines: Vec<DigestLine>,
        /// Subscriptions to tell of beyond the lines.
        more: i32,
    },
}

/// A subscription in the renewals mail: ending without a renewal, or lapsed this week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestLine {
    pub customer: String,
    pub serial: String,
    pub valid_until: chrono::NaiveDate,
    pub assigned: i64,
    pub seats: i64,
    pub lapsed: bool,
}

/// What a purchase request says, in every mail about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    pub requester: String,
    pub organisation: String,
    pub quantity: i32,
    /// ISO date.
    pub activation_on: String,
    pub email: String,
    pub phone: String,
    pub comment: String,
}

/// A problem of an imported row, rendered in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: i32,
    pub column: Option<String>,
    pub code: String,
    pub details: Vec<String>,
}

impl Template {
    /// The template's key in the mail texts.
    pub fn key(&self) -> &'static str {
        match self {
            Template::VerifyEmail { .. } => "verify_email",
            Template::SubscriptionCreated { .. } => "subscription_created",
            Template::Invitation { .. } => "invitation",
            Template::PasswordReset { .. } => "password_reset",
            Template::RegistrationApproved { .. } => "registration_approved",
            Template::RegistrationRejected { .. } => "registration_rejected",
            Template::ImportReport { .. } => "import_report",
            Template::PurchaseRequest(_) => "purchase_request",
            Template::PurchaseRequestCopy(_) => "purchase_request_copy",
            Template::Announcement { .. } => "announcement",
            Template::WebhookDisabled { .. } => "webhook_disabled",
            Template::RenewalsDigest { .. } => "renewals_digest",
        }
    }
}

impl Mail {
    /// The mail without its one-time secret, as kept after delivery.
    pub fn redacted(&self) -> Mail {
        let mut mail = self.clone();
        if let Template::VerifyEmail { token, .. }
        | Template::Invitation { token, .. }
        | Template::PasswordReset { token, .. } = &mut mail.template
        {
            *token = String::new();
        }
        mail
    }
}

/// Queues a mail inside the caller's transaction (so it leaves only if the change commits).
pub async fn queue(
    conn: &impl ConnectionTrait,
    to: &str,
    locale: Option<&str>,
    template: Template,
) -> Result<i32> {
    let locale = match locale {
        Some(l) if LANGUAGES.contains(&l) => l,
        _ => LANGUAGES[0],
    };
    let mail = Mail {
        to: to.to_string(),
        locale: locale.to_string(),
        template,
    };
    jobs::enqueue(conn, JOB_KIND, &mail).await
}
