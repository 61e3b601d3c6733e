//! The one error type of the domain. Every variant carries a stable [`Code`]; the code is also
//! the translation key the UI shows (`errors.<code>`), so the text reaches users in their
//! language and database messages never leave the server.
use sea_orm::{DbErr, SqlErr};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but a new password must be chosen before anything else (403).
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("conflict: {0:?}")]
    Conflict(Code),
    #[error("invalid {field}: {code:?}")]
    Validation { field: &'static str, code: Code },
    /// A reference to something that does not exist (e.g. a product key): 404 with its code.
    #[error("unknown {field}: {code:?}")]
    Unknown { field: &'static str, code: Code },
    #[error("refused: {0:?}")]
    Refused(Code),
    /// Refused, naming the places that stand in the way (e.g. where a role is still granted).
    #[error("refused: {0:?} ({1:?})")]
    RefusedAt(Code, Vec<String>),
    /// Too much work in flight (e.g. the password pool's queue is full): 503 with
    /// `Retry-After`. Nothing was changed; the same request may be sent again.
    #[error("busy: retry after {retry_after} s")]
    Busy { retry_after: u32 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, code: Code) -> Self {
        Error::Validation { field, code }
    }

    pub fn code(&self) -> Code {
        match self {
            Error::NotFound => Code::NotFound,
            Error::Forbidden => Code::Forbidden,
            Error::Unauthenticated => Code::Unauthenticated,
            Error::PasswordChangeRequired => Code::PasswordChangeRequired,
            Error::Conflict(code) | Error::Refused(code) | Error::RefusedAt(code, _) => *code,
            Error::Validation { code, .. } | Error::Unknown { code, .. } => *code,
            Error::Busy { .. } => Code::ServerBusy,
            Error::Internal(_) => Code::Internal,
        }
    }

    /// Seconds to wait before trying again (`Retry-After`), for errors that have one.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Error::Busy { retry_after } => Some(*retry_after),
            Error::RefusedAt(Code::TooManyAttempts, details) => {
                details.first().and_then(|seconds| seconds.parse().ok())
            }
            _ => None,
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Validation { field, .. } | Error::Unknown { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The places a refusal names (empty for other errors).
    pub fn details(&self) -> &[String] {
        match self {
            Error::RefusedAt(_, places) => places,
            _ => &[],
        }
    }

    /// HTTP status for the REST API and for server-side rendering alike.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::NotFound | Error::Unknown { .. } => 404,
            Error::Forbidden | Error::PasswordChangeRequired => 403,
            Error::Unauthenticated => 401,
            Error::Conflict(_) => 409,
            Error::Validation { .. } | Error::Refused(_) | Error::RefusedAt(..) => 422,
            Error::Busy { .. } => 503,
            Error::Internal(_) => 500,
        }
    }

    /// A unique-constraint violation becomes `conflict`, anything else is internal.
    pub fn from_db_unique(err: DbErr, conflict: Code) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(conflict),
            _ => Error::from(err),
        }
    }
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        // The detail stays on the server: the wire carries only the code `internal`.
        Error::Internal(format!("database error: {err}"))
    }
}

macro_rules! codes {
    ($($variant:ident => $text:literal,)*) => {
        /// Stable error codes. `as_str` is the wire value and the i18n key under `errors`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            pub fn parse(text: &str) -> Option<Code> {
                match text { $($text => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    NotFound => "not_found",
    Forbidden => "forbidden",
    Unauthenticated => "unauthenticated",
    Internal => "internal",
    ServerBusy => "server_busy",
    BackupNeedsSqlite => "backup_needs_sqlite",
    BackupFileExists => "backup_file_exists",
    InvalidCredentials => "invalid_credentials",
    AccountInactive => "account_inactive",
    AccountExpired => "account_expired",
    NameRequired => "name_required",
    NameTooLong => "name_too_long",
    SiteNameReserved => "site_name_reserved",
    SeatLimitNotANumber => "seat_limit_not_a_number",
    SeatLimitNegative => "seat_limit_negative",
    SeatLimitTooLarge => "seat_limit_too_large",
    SeatLimitBelowUsed => "seat_limit_below_used",
    SeatLimitOfRoot => "seat_limit_of_root",
    NotEnoughSeatsInParent => "not_enough_seats_in_parent",
    NoFreeSeat => "no_free_seat",
    RegistrationCodeInvalid => "registration_code_invalid",
    RegistrationCodeTaken => "registration_code_taken",
    DateInvalid => "date_invalid",
    SiteHasUsers => "site_has_users",
    SiteHasSubsites => "site_has_subsites",
    RootSiteNotDeletable => "root_site_not_deletable",
    UsernameRequired => "username_required",
    UsernameInvalid => "username_invalid",
    UsernameTooLong => "username_too_long",
    UsernameTaken => "username_taken",
    FirstNameRequired => "first_name_required",
    LastNameRequired => "last_name_required",
    FieldTooLong => "field_too_long",
    EmailInvalid => "email_invalid",
    PasswordTooShort => "password_too_short",
    PasswordTooLong => "password_too_long",
    CannotDeactivateSelf => "cannot_deactivate_self",
    CannotDeleteSelf => "cannot_delete_self",
    LanguageInvalid => "language_invalid",
    InvalidRequest => "invalid_request",
    UserOutOfReach => "user_out_of_reach",
    GroupGrantNotHeld => "group_grant_not_held",
    TokenOwnerNotAllowed => "token_owner_not_allowed",
    ExpiryBeyondInherited => "expiry_beyond_inherited",
    PermissionNotHeld => "permission_not_held",
    DateRangeReversed => "date_range_reversed",
    RoleNameRequired => "role_name_required",
    RoleNameTaken => "role_name_taken",
    RoleInUse => "role_in_use",
    BuiltinRoleReadOnly => "builtin_role_read_only",
    RoleNotUsableHere => "role_not_usable_here",
    CannotRemoveOwnLastAdministrator => "cannot_remove_own_last_administrator",
    MoveIntoOwnSubtree => "move_into_own_subtree",
    MoveAcrossOrganisations => "move_across_organisations",
    MoveToSameParent => "move_to_same_parent",
    RootSiteNotMovable => "root_site_not_movable",
    TooManyAttempts => "too_many_attempts",
    EmailNotVerified => "email_not_verified",
    AwaitingApproval => "awaiting_approval",
    PasswordWeak => "password_weak",
    PasswordMismatch => "password_mismatch",
    PasswordRequired => "password_required",
    PasswordChangeRequired => "password_change_required",
    EmailRequired => "email_required",
    EmailDomainNotAllowed => "email_domain_not_allowed",
    PrivacyNotAccepted => "privacy_not_accepted",
    ChallengeInvalid => "challenge_invalid",
    ChallengeExpired => "challenge_expired",
    ChallengeUsed => "challenge_used",
    SerialInvalid => "serial_invalid",
    SerialUnknown => "serial_unknown",
    SerialClaimed => "serial_claimed",
    SerialTaken => "serial_taken",
    SubscriptionExpired => "subscription_expired",
    RegistrationCodeUnknown => "registration_code_unknown",
    SiteExpired => "site_expired",
    SiteFull => "site_full",
    RegistrationFlowInvalid => "registration_flow_invalid",
    AllowedDomainsInvalid => "allowed_domains_invalid",
    LinkInvalid => "link_invalid",
    LinkExpired => "link_expired",
    LinkUsed => "link_used",
    NotPending => "not_pending",
    SeatsRequired => "seats_required",
    CurrentPasswordWrong => "current_password_wrong",
    ImportTooLarge => "import_too_large",
    ImportTooManyRows => "import_too_many_rows",
    ImportNotASpreadsheet => "import_not_a_spreadsheet",
    ImportUnreadable => "import_unreadable",
    ImportEmpty => "import_empty",
    ImportNoHeader => "import_no_header",
    ImportUnknownColumn => "import_unknown_column",
    ImportMissingColumn => "import_missing_column",
    ImportUnknownAction => "import_unknown_action",
    ImportCellError => "import_cell_error",
    ImportFormula => "import_formula",
    ImportDuplicateUsername => "import_duplicate_username",
    ImportSubsiteUnknown => "import_subsite_unknown",
    ImportAddNotAllowed => "import_add_not_allowed",
    ImportUpdateNotAllowed => "import_update_not_allowed",
    ImportDeleteNotAllowed => "import_delete_not_allowed",
    ImportUserUnknown => "import_user_unknown",
    ImportRoleUnknown => "import_role_unknown",
    ImportRoleNotAllowed => "import_role_not_allowed",
    ImportNotRunning => "import_not_running",
    ImportFileRemoved => "import_file_removed",
    SsoNotLinked => "sso_not_linked",
    SsoLinkedElsewhere => "sso_linked_elsewhere",
    SsoLastSignInMethod => "sso_last_sign_in_method",
    SsoProviderUnknown => "sso_provider_unknown",
    SsoUnavailable => "sso_unavailable",
    SsoFailed => "sso_failed",
    SsoCancelled => "sso_cancelled",
    SsoExpired => "sso_expired",
    NoFreeLicence => "no_free_licence",
    CannotUnassignOwnLicence => "cannot_unassign_own_licence",
    ProductKeyInvalid => "product_key_invalid",
    ProductKeyTaken => "product_key_taken",
    ProductUnknown => "product_unknown",
    BundleEmpty => "bundle_empty",
    BundleNameTaken => "bundle_name_taken",
    TokenExpiryPast => "token_expiry_past",
    TokenRevoked => "token_revoked",
    NoValidLicence => "no_valid_licence",
    SettingsTooLarge => "settings_too_large",
    SettingsNotAnObject => "settings_not_an_object",
    QuantityInvalid => "quantity_invalid",
    ActivationTooSoon => "activation_too_soon",
    PhoneInvalid => "phone_invalid",
    CommentTooLong => "comment_too_long",
    InstitutionNumberInvalid => "institution_number_invalid",
    InstitutionNumberTaken => "institution_number_taken",
    InstitutionUnknown => "institution_unknown",
    InstitutionAlreadyLinked => "institution_already_linked",
    UserUnknown => "user_unknown",
    PropertyKeyInvalid => "property_key_invalid",
    PropertyKeyTaken => "property_key_taken",
    PropertyLabelRequired => "property_label_required",
    PropertyKindInvalid => "property_kind_invalid",
    PropertyChoicesRequired => "property_choices_required",
    PropertyUnknown => "property_unknown",
    PropertyValueRequired => "property_value_required",
    PropertyTextTooLong => "property_text_too_long",
    PropertyNumberInvalid => "property_number_invalid",
    PropertyDateInvalid => "property_date_invalid",
    PropertyChoiceInvalid => "property_choice_invalid",
    PersonnelNumberUnknown => "personnel_number_unknown",
    PropertyOperatorInvalid => "property_operator_invalid",
    GroupNameRequired => "group_name_required",
    GroupNameTaken => "group_name_taken",
    GroupScheduleInvalid => "group_schedule_invalid",
    GroupTooManyConditions => "group_too_many_conditions",
    GroupInactive => "group_inactive",
    ImportConfigInvalid => "import_config_invalid",
    ImportConfigLineInvalid => "import_config_line_invalid",
    ImportConfigTargetUnknown => "import_config_target_unknown",
    ImportNoConfig => "import_no_config",
    ImportDoublePlacement => "import_double_placement",
    RegistrationFormInvalid => "registration_form_invalid",
    DisclaimerTooLong => "disclaimer_too_long",
    DisclaimerNotAccepted => "disclaimer_not_accepted",
    FieldRequired => "field_required",
    BirthDateInFuture => "birth_date_in_future",
    PartUnknown => "part_unknown",
    AnnouncementKindInvalid => "announcement_kind_invalid",
    AnnouncementOver => "announcement_over",
    UpdatesChoiceInvalid => "updates_choice_invalid",
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn should_tell_when_to_come_back_for_busy_and_throttled() {
        assert_eq!(Error::Busy { retry_after: 1 }.retry_after(), Some(1));
        let throttled = Error::RefusedAt(Code::TooManyAttempts, vec!["40".into()]);
        assert_eq!(throttled.retry_after(), Some(40));
        assert_eq!(Error::Busy { retry_after: 1 }.http_status(), 503);
        assert_eq!(Error::NotFound.retry_after(), None);
    }
}
