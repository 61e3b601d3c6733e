//! What the journal records, as stable codes (also the UI's translation keys).

macro_rules! actions {
    ($($variant:ident => $code:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $(Action::$variant => $code,)* }
            }

            pub fn parse(code: &str) -> Option<Action> {
                match code { $($code => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    SiteCreate => "site.create",
    SiteUpdate => "site.update",
    SiteDelete => "site.delete",
    SiteMove => "site.move",
    UserCreate => "user.create",
    UserActivate => "user.activate",
    UserDeactivate => "user.deactivate",
    UserDelete => "user.delete",
    UserUpdate => "user.update",
    UserApprove => "user.approve",
    UserReject => "user.reject",
    RoleCreate => "role.create",
    RoleUpdate => "role.update",
    RoleDelete => "role.delete",
    GrantAdd => "grant.add",
    GrantRemove => "grant.remove",
    SsoLink => "sso.link",
    SsoUnlink => "sso.unlink",
    SsoSignIn => "sso.sign_in",
    FederationSave => "federation.save",
    FederationRemove => "federation.remove",
    LicenceAssign => "licence.assign",
    LicenceUnassign => "licence.unassign",
    LicenceClaim => "licence.claim",
    TokenIssue => "token.issue",
    TokenRevoke => "token.revoke",
    ServiceAccountCreate => "service_account.create",
    AppSessionEnd => "app_session.end",
    DeviceRemove => "device.remove",
    SecondFactorAdd => "second_factor.add",
    SecondFactorRemove => "second_factor.remove",
    SecondFactorReset => "second_factor.reset",
    RecoveryCodesRenew => "recovery_codes.renew",
    WebhookCreate => "webhook.create",
    WebhookUpdate => "webhook.update",
    WebhookRemove => "webhook.remove",
    CodeRedeem => "code.redeem",
    SubscriptionClaim => "subscription.claim",
    InstitutionLink => "institution.link",
    InstitutionWithdraw => "institution.withdraw",
    PropertyDefine => "property.define",
    PropertyRemove => "property.remove",
    GroupCreate => "group.create",
    GroupUpdate => "group.update",
    GroupRemove => "group.remove",
    GroupJoin => "group.join",
    GroupLeave => "group.leave",
    ImportConfigure => "import.configure",
    RolloverApply => "rollover.apply",
    RolloverUndo => "rollover.undo",
    // An operator opened a customer's administration from the vendor's console (support).
    SupportOpen => "support.open",
}

impl Action {
    /// What kind of thing the action changes: the code's part before the dot.
    pub fn target_kind(self) -> &'static str {
        self.code().split('.').next().unwrap_or_default()
    }
}
