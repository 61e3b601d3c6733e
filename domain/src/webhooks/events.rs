//! The event types an endpoint may choose, and which journal actions raise them.
use crate::audit::Action;

/// Every event type, as endpoints name them.
pub const EVENT_TYPES: &[&str] = &[
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.deleted",
    "licence.assigned",
    "licence.unassigned",
    "licence.expired",
    "subscription.changed",
    "import.finished",
    "session.opened",
    "session.ended",
];

/// The event a journal entry raises, if any (sessions raise theirs where they open and end).
pub(crate) fn of_action(action: Action) -> Option<&'static str> {
    use Action::*;
    Some(match action {
        UserCreate => "user.created",
        UserUpdate | UserActivate | UserApprove => "user.updated",
        UserDeactivate => "user.deactivated",
        UserDelete | UserReject => "user.deleted",
        LicenceAssign | LicenceClaim | CodeRedeem => "licence.assigned",
        LicenceUnassign => "licence.unassigned",
        SubscriptionClaim => "subscription.changed",
        _ => return None,
    })
}
