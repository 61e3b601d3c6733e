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
    /// How a group's condition compares a user's property value.
    pub enum ConditionOp {
        Equals => "equals",
        NotEquals => "not_equals",
        /// Text only: contains, in any case.
        Contains => "contains",
        /// Numbers and dates: less than / before.
        LessThan => "less_than",
        /// Numbers and dates: greater than / after.
        GreaterThan => "greater_than",
        IsSet => "is_set",
        IsEmpty => "is_empty",
    }
}

impl ConditionOp {
    /// Whether it compares with a value (is set / is empty do not).
    pub fn takes_value(self) -> bool {
        !matches!(self, ConditionOp::IsSet | ConditionOp::IsEmpty)
    }

    /// Whether it makes sense for a property of `kind`.
    pub fn fits(self, kind: PropertyKind) -> bool {
        match self {
            ConditionOp::Equals
            | ConditionOp::NotEquals
            | ConditionOp::IsSet
            | ConditionOp::IsEmpty => true,
            ConditionOp::Contains => kind == PropertyKind::Text,
            ConditionOp::LessThan | ConditionOp::GreaterThan => {
                matches!(kind, PropertyKind::Number | PropertyKind::Date)
            }
        }
    }

    /// The operators that fit `kind`, in the order the editor offers them.
    pub fn for_kind(kind: PropertyKind) -> impl Iterator<Item = ConditionOp> {
        ConditionOp::ALL
            .iter()
            .copied()
            .filter(move |op| op.fits(kind))
    }
}

named_enum! {
    /// What an HR file's rows are matched on with existing users.
    #[derive(Default)]
    pub enum MatchOn {
        #[default]
        Username => "username",
        PersonnelNumber => "personnel_number",
    }
}

named_enum! {
    /// How an HR export writes dates.
    #[derive(Default)]
    pub enum DateFormat {
        /// ISO or day first (what the import reads anyway).
        #[default]
        Auto => "auto",
        /// 31/12/2026, 31-12-2026, 31.12.2026
        DayMonthYear => "dmy",
        /// 12/31/2026
        MonthDayYear => "mdy",
        /// 2026-12-31, 2026/12/31
        YearMonthDay => "ymd",
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
    /// Whether a user wants to hear about maintenance, outages and new versions.
    pub enum UpdatesChoice {
        Inform => "inform",
        Silent => "none",
    }
}

named_enum! {
    /// What a bulk action on chosen users does (its date or destination travel beside it).
    pub enum BulkKind {
        Activate => "activate",
        Deactivate => "deactivate",
        Expiry => "expiry",
        Move => "move",
        Delete => "delete",
    }
}

named_enum! {
    /// Which system gave a user an identifier.
    pub enum IdScheme {
        /// SCIM's `externalId` (Entra ID, Google Workspace).
        Scim => "scim",
        /// The ECK iD of Dutch education (Magister's `EduUser`).
        EckId => "eck_id",
        /// A OneRoster `sourcedId`.
        OneRoster => "oneroster",
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

named_enum! {
    /// Who in an organisation must sign in with a second factor (operators always must).
    #[derive(Default)]
    pub enum SecondFactorPolicy {
        #[default]
        Optional => "optional",
        Administrators => "administrators",
        Everyone => "everyone",
    }
}
