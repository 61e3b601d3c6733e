//! Stable error codes: one list. `as_str` is the wire value and the translation key under
//! `errors`; its message in each language is in `wire/texts/<lang>/errors.json` (see [`crate::texts`]).
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Calls `$callback! { Variant => key, ... }` with every code: the one list, from which the
/// enum is made (`key` is its wire value and the key of its message).
#[macro_export]
macro_rules! with_codes {
    ($callback:ident) => {
        $callback! {
            // Client side only: the request did not reach the server or its answer was lost.
            Network => network,
            NotFound => not_found,
            Forbidden => forbidden,
            Unauthenticated => unauthenticated,
            Internal => internal,
            ServerBusy => server_busy,
            BackupNeedsSqlite => backup_needs_sqlite,
            BackupFileExists => backup_file_exists,
            InvalidCredentials => invalid_credentials,
            AccountInactive => account_inactive,
            AccountExpired => account_expired,
            NameRequired => name_required,
            NameTooLong => name_too_long,
            SiteNameReserved => site_name_reserved,
            SeatLimitNotANumber => seat_limit_not_a_number,
            SeatLimitNegative => seat_limit_negative,
            SeatLimitTooLarge => seat_limit_too_large,
            SeatLimitBelowUsed => seat_limit_below_used,
            SeatLimitOfRoot => seat_limit_of_root,
            NotEnoughSeatsInParent => not_enough_seats_in_parent,
            NoFreeSeat => no_free_seat,
            RegistrationCodeInvalid => registration_code_invalid,
            RegistrationCodeTaken => registration_code_taken,
            DateInvalid => date_invalid,
            SiteHasUsers => site_has_users,
            SiteHasSubsites => site_has_subsites,
            RootSiteNotDeletable => root_site_not_deletable,
            UsernameRequired => username_required,
            UsernameInvalid => username_invalid,
            UsernameTooLong => username_too_long,
            UsernameTaken => username_taken,
            FirstNameRequired => first_name_required,
            LastNameRequired => last_name_required,
            FieldTooLong => field_too_long,
            EmailInvalid => email_invalid,
            PasswordTooShort => password_too_short,
            PasswordTooLong => password_too_long,
            CannotDeactivateSelf => cannot_deactivate_self,
            CannotDeleteSelf => cannot_delete_self,
            LanguageInvalid => language_invalid,
            InvalidRequest => invalid_request,
            UserOutOfReach => user_out_of_reach,
            GroupGrantNotHeld => group_grant_not_held,
            TokenOwnerNotAllowed => token_owner_not_allowed,
            ExpiryBeyondInherited => expiry_beyond_inherited,
            PermissionNotHeld => permission_not_held,
            DateRangeReversed => date_range_reversed,
            RoleNameRequired => role_name_required,
            RoleNameTaken => role_name_taken,
            RoleInUse => role_in_use,
            BuiltinRoleReadOnly => builtin_role_read_only,
            RoleNotUsableHere => role_not_usable_here,
            CannotRemoveOwnLastAdministrator => cannot_remove_own_last_administrator,
            MoveIntoOwnSubtree => move_into_own_subtree,
            MoveAcrossOrganisations => move_across_organisations,
            MoveToSameParent => move_to_same_parent,
            RootSiteNotMovable => root_site_not_movable,
            TooManyAttempts => too_many_attempts,
            EmailNotVerified => email_not_verified,
            AwaitingApproval => awaiting_approval,
            PasswordWeak => password_weak,
            PasswordMismatch => password_mismatch,
            PasswordRequired => password_required,
            PasswordChangeRequired => password_change_required,
            EmailRequired => email_required,
            EmailDomainNotAllowed => email_domain_not_allowed,
            PrivacyNotAccepted => privacy_not_accepted,
            ChallengeInvalid => challenge_invalid,
            ChallengeExpired => challenge_expired,
            ChallengeUsed => challenge_used,
            SerialInvalid => serial_invalid,
            SerialUnknown => serial_unknown,
            SerialClaimed => serial_claimed,
            SerialTaken => serial_taken,
            SubscriptionExpired => subscription_expired,
            RegistrationCodeUnknown => registration_code_unknown,
            SiteExpired => site_expired,
            SiteFull => site_full,
            RegistrationFlowInvalid => registration_flow_invalid,
            AllowedDomainsInvalid => allowed_domains_invalid,
            LinkInvalid => link_invalid,
            LinkExpired => link_expired,
            LinkUsed => link_used,
            NotPending => not_pending,
            SeatsRequired => seats_required,
            CurrentPasswordWrong => current_password_wrong,
            ImportTooLarge => import_too_large,
            ImportTooManyRows => import_too_many_rows,
            ImportNotASpreadsheet => import_not_a_spreadsheet,
            ImportUnreadable => import_unreadable,
            ImportEmpty => import_empty,
            ImportNoHeader => import_no_header,
            ImportUnknownColumn => import_unknown_column,
            ImportMissingColumn => import_missing_column,
            ImportUnknownAction => import_unknown_action,
            ImportCellError => import_cell_error,
            ImportFormula => import_formula,
            ImportDuplicateUsername => import_duplicate_username,
            ImportSubsiteUnknown => import_subsite_unknown,
            ImportAddNotAllowed => import_add_not_allowed,
            ImportUpdateNotAllowed => import_update_not_allowed,
            ImportDeleteNotAllowed => import_delete_not_allowed,
            ImportUserUnknown => import_user_unknown,
            ImportRoleUnknown => import_role_unknown,
            ImportRoleNotAllowed => import_role_not_allowed,
            ImportNotRunning => import_not_running,
            ImportFileRemoved => import_file_removed,
            SsoNotLinked => sso_not_linked,
            SsoLinkedElsewhere => sso_linked_elsewhere,
            SsoLastSignInMethod => sso_last_sign_in_method,
            SsoProviderUnknown => sso_provider_unknown,
            SsoUnavailable => sso_unavailable,
            SsoFailed => sso_failed,
            SsoCancelled => sso_cancelled,
            SsoExpired => sso_expired,
            NoFreeLicence => no_free_licence,
            CannotUnassignOwnLicence => cannot_unassign_own_licence,
            ProductKeyInvalid => product_key_invalid,
            ProductKeyTaken => product_key_taken,
            ProductUnknown => product_unknown,
            BundleEmpty => bundle_empty,
            BundleNameTaken => bundle_name_taken,
            TokenExpiryPast => token_expiry_past,
            TokenRevoked => token_revoked,
            NoValidLicence => no_valid_licence,
            DeviceFingerprintInvalid => device_fingerprint_invalid,
            DeviceNameInvalid => device_name_invalid,
            DeviceLimitReached => device_limit_reached,
            UserSessionLimitReached => user_session_limit_reached,
            SubscriptionSessionLimitReached => subscription_session_limit_reached,
            LimitInvalid => limit_invalid,
            WebhookUrlInvalid => webhook_url_invalid,
            WebhookEventsInvalid => webhook_events_invalid,
            ActivationCodeInvalid => activation_code_invalid,
            ActivationNumberInvalid => activation_number_invalid,
            LicenceFileTtlInvalid => licence_file_ttl_invalid,
            SecondFactorLimitReached => second_factor_limit_reached,
            SecondFactorCodeInvalid => second_factor_code_invalid,
            SecondFactorCodeUsed => second_factor_code_used,
            RecoveryCodeInvalid => recovery_code_invalid,
            SecondFactorRequired => second_factor_required,
            PasskeyInvalid => passkey_invalid,
            PasskeysUnavailable => passkeys_unavailable,
            PasskeyCancelled => passkey_cancelled,
            TenantIdInvalid => tenant_id_invalid,
            SsoTenantNotAllowed => sso_tenant_not_allowed,
            IssuerInvalid => issuer_invalid,
            ClaimNameInvalid => claim_name_invalid,
            ScopesInvalid => scopes_invalid,
            FederationEmailDomainsRequired => federation_email_domains_required,
            FederationTooManyRules => federation_too_many_rules,
            FederationClaimsInvalid => federation_claims_invalid,
            FederationNoIdentifier => federation_no_identifier,
            FederationEmailUnverified => federation_email_unverified,
            FederationNoSite => federation_no_site,
            FederationUnknownUser => federation_unknown_user,
            FederationAmbiguous => federation_ambiguous,
            FederationSiteFull => federation_site_full,
            FederationOutOfReach => federation_out_of_reach,
            FederationTooMany => federation_too_many,
            ApplicationCodeRequired => application_code_required,
            ApplicationFactorSetupRequired => application_factor_setup_required,
            PasskeyBrowserUnsupported => passkey_browser_unsupported,
            GraceDaysOutOfRange => grace_days_out_of_range,
            EnrolmentNotDue => enrolment_not_due,
            SigningKeyInUse => signing_key_in_use,
            SettingsTooLarge => settings_too_large,
            SettingsNotAnObject => settings_not_an_object,
            QuantityInvalid => quantity_invalid,
            ActivationTooSoon => activation_too_soon,
            PhoneInvalid => phone_invalid,
            CommentTooLong => comment_too_long,
            InstitutionNumberInvalid => institution_number_invalid,
            InstitutionNumberTaken => institution_number_taken,
            InstitutionUnknown => institution_unknown,
            InstitutionAlreadyLinked => institution_already_linked,
            UserUnknown => user_unknown,
            PropertyKeyInvalid => property_key_invalid,
            PropertyKeyTaken => property_key_taken,
            PropertyLabelRequired => property_label_required,
            PropertyKindInvalid => property_kind_invalid,
            PropertyChoicesRequired => property_choices_required,
            PropertyUnknown => property_unknown,
            PropertyValueRequired => property_value_required,
            PropertyTextTooLong => property_text_too_long,
            PropertyNumberInvalid => property_number_invalid,
            PropertyDateInvalid => property_date_invalid,
            PropertyChoiceInvalid => property_choice_invalid,
            PersonnelNumberUnknown => personnel_number_unknown,
            PropertyOperatorInvalid => property_operator_invalid,
            GroupNameRequired => group_name_required,
            GroupNameTaken => group_name_taken,
            GroupScheduleInvalid => group_schedule_invalid,
            GroupTooManyConditions => group_too_many_conditions,
            GroupInactive => group_inactive,
            ImportConfigInvalid => import_config_invalid,
            ImportConfigLineInvalid => import_config_line_invalid,
            ImportConfigTargetUnknown => import_config_target_unknown,
            ImportNoConfig => import_no_config,
            ImportDoublePlacement => import_double_placement,
            RegistrationFormInvalid => registration_form_invalid,
            DisclaimerTooLong => disclaimer_too_long,
            DisclaimerNotAccepted => disclaimer_not_accepted,
            FieldRequired => field_required,
            BirthDateInFuture => birth_date_in_future,
            PartUnknown => part_unknown,
            AnnouncementKindInvalid => announcement_kind_invalid,
            AnnouncementOver => announcement_over,
            UpdatesChoiceInvalid => updates_choice_invalid,
            ExpiryInPast => expiry_in_past,
            CrossSite => cross_site,
            ScimFilterInvalid => scim_filter_invalid,
            ScimTooMany => scim_too_many,
            ExternalIdInvalid => external_id_invalid,
            ExternalIdTaken => external_id_taken,
            ScimPatchInvalid => scim_patch_invalid,
            ScimPathInvalid => scim_path_invalid,
            ScimNoTarget => scim_no_target,
            ScimVersionMismatch => scim_version_mismatch,
            ScimMemberUnknown => scim_member_unknown,
            ScimNotImplemented => scim_not_implemented,
            OnerosterManifestMissing => oneroster_manifest_missing,
            OnerosterVersionUnsupported => oneroster_version_unsupported,
            OnerosterFileMissing => oneroster_file_missing,
            OnerosterColumnMissing => oneroster_column_missing,
            OnerosterStatusInvalid => oneroster_status_invalid,
            OnerosterIdMissing => oneroster_id_missing,
            OnerosterIdTwice => oneroster_id_twice,
            OnerosterReferenceUnknown => oneroster_reference_unknown,
            OnerosterRoleSkipped => oneroster_role_skipped,
            OnerosterSeveralClasses => oneroster_several_classes,
            RolloverNotUndoable => rollover_not_undoable,
            RolloverTooMany => rollover_too_many,
        }
    };
}

macro_rules! define_codes {
    ($($variant:ident => $key:ident,)*) => {
        /// A stable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => stringify!($key),)* }
            }

            pub fn parse(text: &str) -> Option<Code> {
                match text { $(stringify!($key) => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

with_codes!(define_codes);

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    /// A code this build does not know (a newer server) reads as `internal`: the reader still
    /// gets a message, never a failure to read the error itself.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Code::parse(&text).unwrap_or(Code::Internal))
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn should_read_back_every_code_it_writes() {
        for &code in Code::ALL {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<Code>(&json).ok(), Some(code));
        }
        let unknown = serde_json::from_str::<Code>("\"from_a_newer_server\"").ok();
        assert_eq!(unknown, Some(Code::Internal));
    }

    #[test]
    fn should_have_distinct_codes() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
