//! The domain's operations, each with the permission it needs. Every operation asks
//! [`super::require`] (or filters with [`super::readable`]) under its own name, and the access
//! table test has a row for each: adding an operation here without one fails the test.
use super::Permission;

macro_rules! operations {
    ($($variant:ident => $permission:ident,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation { $($variant,)* }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            pub fn permission(self) -> Permission {
                match self { $(Operation::$variant => Permission::$permission,)* }
            }
        }
    };
}

operations! {
    // Sites. Seats of a subsite are its parent's: resizing, deleting and moving a subsite are
    // checked on the parent (and, for a move, on the new parent too).
    ViewSites => SitesView,
    CreateSite => SitesManage,
    EditSite => SitesManage,
    ResizeSite => SitesManage,
    DeleteSite => SitesManage,
    MoveSite => SitesManage,
    // Users, checked on their home site.
    ListUsers => UsersView,
    CreateUser => UsersManage,
    SetUserActive => UsersManage,
    DeleteUser => UsersManage,
    // Expiry date and subsite of a user (a move is checked on the destination too).
    EditUser => UsersManage,
    // Self-registrations waiting for approval, on the site they registered at.
    ListPendingUsers => UsersView,
    DecideRegistration => UsersManage,
    // A user's single sign-on links (their own need no permission).
    ViewUserLinks => UsersView,
    RemoveUserLink => UsersManage,
    // A user's second factors and recovery codes, removed (a lost phone).
    ResetSecondFactors => UsersManage,
    ViewSecondFactors => UsersView,
    // The organisation's second-factor policy, on its root site.
    ManageSignInPolicy => SettingsManage,
    // The organisation's federations (its own providers and their rules), on its root site.
    ManageFederations => SettingsManage,
    // Named licences, checked on the user's home site (counters on the site shown).
    ViewLicences => LicencesView,
    AssignLicence => LicencesAssign,
    // Custom properties: defined on the organisation's root site, read with the users.
    ManageProperties => SettingsManage,
    ViewProperties => UsersView,
    // Dynamic groups, checked on the site they select users in (what a group grants is
    // checked as granting it by hand would be, when the group is saved).
    ManageGroups => UsersManage,
    ViewGroups => UsersView,
    // Subscriptions of an organisation: seen and added (with a serial) on its root site.
    ClaimSubscription => SettingsManage,
    // Licence purchase requests, sent for the organisation of the requester's site.
    OrderLicences => LicencesOrder,
    // API tokens, checked on the home site of the account they belong to (one's own tokens
    // need only `tokens.manage_own`); service accounts are created in a site like users.
    ManageApiTokens => TokensManageAll,
    ManageOwnApiTokens => TokensManageOwn,
    CreateServiceAccount => TokensManageAll,
    // What a licensed application does for a user (checked on the user's home site; a user
    // acting for themselves needs nothing): application sessions and stored settings.
    ConnectApplication => AppsConnect,
    // Application sessions as administrators see and end them.
    ViewAppSessions => UsersView,
    EndAppSession => UsersManage,
    // Bulk import into a site and its subsites (checks each written user as well).
    ImportUsers => UsersImport,
    // The organisation's HR import configuration, on its root site.
    ConfigureImport => SettingsManage,
    // Roles, checked on the site that owns the role; grants on the granted site.
    ListRoles => RolesView,
    CreateRole => RolesManage,
    EditRole => RolesManage,
    DeleteRole => RolesManage,
    ListRoleMembers => RolesView,
    ViewUserGrants => RolesView,
    SetUserGrants => RolesAssign,
    // The audit journal.
    ViewJournal => AuditView,
    // Usage charts of a site's subtree (sign-ins, active users, sessions), on that site.
    ViewUsage => UsersView,
    // The vendor's own work: operators only, whatever a role holds (see `operator_only`).
    ManageSubscriptions => SettingsManage,
    ManageWebhooks => SettingsManage,
    ViewOutbox => SettingsManage,
    ManageProducts => SettingsManage,
    LinkInstitution => SettingsManage,
    ManageAnnouncements => SettingsManage,
    // The vendor's console: customers with their figures, renewals, support visits.
    ViewCustomers => SettingsManage,
}

impl Operation {
    /// Operations no role grants: only operators (the vendor's staff) may do them.
    pub fn operator_only(self) -> bool {
        matches!(
            self,
            Operation::ManageSubscriptions
                | Operation::ViewOutbox
                | Operation::ManageProducts
                | Operation::LinkInstitution
                | Operation::ManageAnnouncements
                | Operation::ViewCustomers
        )
    }
}
