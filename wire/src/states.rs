//! The kinds and states pages match on, by area (their names are what the database stores).
use crate::named_enum;

named_enum! {
    /// The type of a custom property's values.
    pub enum PropertyKind {
        Text => "text",
        Number => "number",
        Date => "date",
        Choice => "choice",
    }
}

named_enum! {
    /// When a group's membership is computed again.
    #[derive(Default)]
    pub enum Schedule {
        Hourly => "hourly",
        #[default]
        Nightly => "nightly",
        Manual => "manual",
    }
}

named_enum! {
    /// What happens after someone registers with a site's code.
    #[derive(Default)]
    pub enum RegistrationFlow {
        /// They may sign in at once.
        #[default]
        Immediate => "immediate",
        /// They confirm their e-mail address first.
        Verify => "verify",
        /// An administrator reviews the registration first.
        Approval => "approval",
    }
}

named_enum! {
    /// Whether the registration form shows a field, and whether it must be filled in.
    #[derive(Default)]
    pub enum FieldRule {
        #[default]
        Off => "off",
        Optional => "optional",
        Required => "required",
    }
}

impl FieldRule {
    pub fn shown(self) -> bool {
        self != FieldRule::Off
    }
}

named_enum! {
    /// What an operator's announcement is about.
    pub enum AnnouncementKind {
        Maintenance => "maintenance",
        Outage => "outage",
        Update => "update",
    }
}

named_enum! {
    /// Where an organisation's request to buy seats stands.
    pub enum PurchaseStatus {
        New => "new",
        Handled => "handled",
    }
}

named_enum! {
    /// A subscription on a given day.
    pub enum SubscriptionState {
        Upcoming => "upcoming",
        Current => "current",
        Ended => "ended",
    }
}

named_enum! {
    /// Where a job (or a mail in the outbox) stands.
    pub enum JobStatus {
        Queued => "queued",
        Done => "done",
        Failed => "failed",
    }
}
