//! The one error type that crosses the wire. It carries a stable code (also the translation
//! key under `errors`) and, for input errors, the field; never a database message.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: String,
    pub field: Option<String>,
    /// Places a refusal names (e.g. where a role is still granted).
    #[serde(default)]
    pub details: Vec<String>,
}

impl AppError {
    pub fn code(code: &str) -> Self {
        AppError {
            code: code.to_string(),
            field: None,
            details: Vec::new(),
        }
    }

    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }

    /// The message in the user's language; a `%s` in it takes the first detail (e.g. the
    /// seconds to wait), which is then not listed again.
    pub fn message(&self, locale: Locale) -> String {
        fill(message(locale, &self.code), &self.details)
    }

    /// The details to list under the message (those not already in it).
    pub fn listed_details(&self, locale: Locale) -> Vec<String> {
        if message(locale, &self.code).contains("%s") {
            Vec::new()
        } else {
            self.details.clone()
        }
    }
}

/// Each `%s` of a message takes the next detail (the last one again when they run out).
fn fill(text: &str, details: &[String]) -> String {
    let mut parts = text.split("%s");
    let mut out = parts.next().unwrap_or_default().to_string();
    for (n, rest) in parts.enumerate() {
        let detail = details.get(n).or(details.last()).map(String::as_str);
        out.push_str(detail.unwrap_or("%s"));
        out.push_str(rest);
    }
    out
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::code(NETWORK),
            ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                #[cfg(feature = "ssr")]
                callers_error(http::StatusCode::METHOD_NOT_ALLOWED);
                AppError::code(INVALID_REQUEST)
            }
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => invalid_request(),
            _ => AppError::code(INTERNAL),
        }
    }
}

/// A request the server function cannot read (its arguments, its upload): `invalid_request`,
/// answered 400 on the server.
pub fn invalid_request() -> AppError {
    #[cfg(feature = "ssr")]
    callers_error(http::StatusCode::BAD_REQUEST);
    AppError::code(INVALID_REQUEST)
}

/// On the server, a request the function cannot read (its arguments, its method) is the
/// caller's error: answered with this status rather than server functions' default 500.
#[cfg(feature = "ssr")]
fn callers_error(status: http::StatusCode) {
    if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(status);
    }
}

pub const NETWORK: &str = "network";
pub const INVALID_REQUEST: &str = "invalid_request";
pub const INTERNAL: &str = "internal";
pub const UNAUTHENTICATED: &str = "unauthenticated";

/// Codes that only the client produces (transport failures), besides the domain's codes.
pub const CLIENT_CODES: &[&str] = &[NETWORK];

#[cfg(feature = "ssr")]
impl From<domain::Error> for AppError {
    fn from(err: domain::Error) -> Self {
        if let domain::Error::Internal(detail) = &err {
            tracing::error!(%detail, "internal error");
        }
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(err.http_status()) {
                opts.set_status(status);
            }
            if let Some(seconds) = err.retry_after() {
                opts.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        AppError {
            code: err.code().as_str().to_string(),
            field: err.field().map(str::to_string),
            details: err.details().to_vec(),
        }
    }
}

macro_rules! messages {
    ($($code:literal => $key:ident,)*) => {
        /// Every code that can reach the UI, for the completeness test.
        pub const KNOWN_CODES: &[&str] = &[$($code,)*];

        fn message(locale: Locale, code: &str) -> &'static str {
            use crate::i18n::*;
            match code {
                $($code => td_string!(locale, errors.$key),)*
                _ => td_string!(locale, errors.internal),
            }
        }
    };
}

messages! {
    "not_found" => not_found,
    "forbidden" => forbidden,
    "unauthenticated" => unauthenticated,
    "internal" => internal,
    "network" => network,
    "invalid_request" => invalid_request,
    "invalid_credentials" => invalid_credentials,
    "account_inactive" => account_inactive,
    "account_expired" => account_expired,
    "name_required" => name_required,
    "name_too_long" => name_too_long,
    "site_name_reserved" => site_name_reserved,
    "seat_limit_not_a_number" => seat_limit_not_a_number,
    "seat_limit_negative" => seat_limit_negative,
    "seat_limit_too_large" => seat_limit_too_large,
    "seat_limit_below_used" => seat_limit_below_used,
    "seat_limit_of_root" => seat_limit_of_root,
    "not_enough_seats_in_parent" => not_enough_seats_in_parent,
    "no_free_seat" => no_free_seat,
    "registration_code_invalid" => registration_code_invalid,
    "registration_code_taken" => registration_code_taken,
    "date_invalid" => date_invalid,
    "site_has_users" => site_has_users,
    "site_has_subsites" => site_has_subsites,
    "root_site_not_deletable" => root_site_not_deletable,
    "username_required" => username_required,
    "username_invalid" => username_invalid,
    "username_too_long" => username_too_long,
    "username_taken" => username_taken,
    "first_name_required" => first_name_required,
    "last_name_required" => last_name_required,
    "field_too_long" => field_too_long,
    "email_invalid" => email_invalid,
    "password_too_short" => password_too_short,
    "password_too_long" => password_too_long,
    "cannot_deactivate_self" => cannot_deactivate_self,
    "cannot_delete_self" => cannot_delete_self,
    "language_invalid" => language_invalid,
    "permission_not_held" => permission_not_held,
    "user_out_of_reach" => user_out_of_reach,
    "group_grant_not_held" => group_grant_not_held,
    "token_owner_not_allowed" => token_owner_not_allowed,
    "expiry_beyond_inherited" => expiry_beyond_inherited,
    "date_range_reversed" => date_range_reversed,
    "role_name_required" => role_name_required,
    "role_name_taken" => role_name_taken,
    "role_in_use" => role_in_use,
    "builtin_role_read_only" => builtin_role_read_only,
    "role_not_usable_here" => role_not_usable_here,
    "cannot_remove_own_last_administrator" => cannot_remove_own_last_administrator,
    "move_into_own_subtree" => move_into_own_subtree,
    "move_across_organisations" => move_across_organisations,
    "move_to_same_parent" => move_to_same_parent,
    "root_site_not_movable" => root_site_not_movable,
    "too_many_attempts" => too_many_attempts,
    "server_busy" => server_busy,
    "backup_needs_sqlite" => backup_needs_sqlite,
    "backup_file_exists" => backup_file_exists,
    "email_not_verified" => email_not_verified,
    "awaiting_approval" => awaiting_approval,
    "password_weak" => password_weak,
    "password_mismatch" => password_mismatch,
    "password_required" => password_required,
    "password_change_required" => password_change_required,
    "email_required" => email_required,
    "email_domain_not_allowed" => email_domain_not_allowed,
    "privacy_not_accepted" => privacy_not_accepted,
    "challenge_invalid" => challenge_invalid,
    "challenge_expired" => challenge_expired,
    "challenge_used" => challenge_used,
    "serial_invalid" => serial_invalid,
    "serial_unknown" => serial_unknown,
    "serial_claimed" => serial_claimed,
    "serial_taken" => serial_taken,
    "subscription_expired" => subscription_expired,
    "registration_code_unknown" => registration_code_unknown,
    "site_expired" => site_expired,
    "site_full" => site_full,
    "registration_flow_invalid" => registration_flow_invalid,
    "allowed_domains_invalid" => allowed_domains_invalid,
    "link_invalid" => link_invalid,
    "link_expired" => link_expired,
    "link_used" => link_used,
    "not_pending" => not_pending,
    "seats_required" => seats_required,
    "current_password_wrong" => current_password_wrong,
    "import_too_large" => import_too_large,
    "import_too_many_rows" => import_too_many_rows,
    "import_not_a_spreadsheet" => import_not_a_spreadsheet,
    "import_unreadable" => import_unreadable,
    "import_empty" => import_empty,
    "import_no_header" => import_no_header,
    "import_unknown_column" => import_unknown_column,
    "import_missing_column" => import_missing_column,
    "import_unknown_action" => import_unknown_action,
    "import_cell_error" => import_cell_error,
    "import_formula" => import_formula,
    "import_duplicate_username" => import_duplicate_username,
    "import_subsite_unknown" => import_subsite_unknown,
    "import_add_not_allowed" => import_add_not_allowed,
    "import_update_not_allowed" => import_update_not_allowed,
    "import_delete_not_allowed" => import_delete_not_allowed,
    "import_user_unknown" => import_user_unknown,
    "import_role_unknown" => import_role_unknown,
    "import_role_not_allowed" => import_role_not_allowed,
    "import_not_running" => import_not_running,
    "import_file_removed" => import_file_removed,
    "sso_not_linked" => sso_not_linked,
    "sso_linked_elsewhere" => sso_linked_elsewhere,
    "sso_last_sign_in_method" => sso_last_sign_in_method,
    "sso_provider_unknown" => sso_provider_unknown,
    "sso_unavailable" => sso_unavailable,
    "sso_failed" => sso_failed,
    "sso_cancelled" => sso_cancelled,
    "sso_expired" => sso_expired,
    "no_free_licence" => no_free_licence,
    "cannot_unassign_own_licence" => cannot_unassign_own_licence,
    "product_key_invalid" => product_key_invalid,
    "product_key_taken" => product_key_taken,
    "product_unknown" => product_unknown,
    "bundle_empty" => bundle_empty,
    "bundle_name_taken" => bundle_name_taken,
    "token_expiry_past" => token_expiry_past,
    "token_revoked" => token_revoked,
    "no_valid_licence" => no_valid_licence,
    "settings_too_large" => settings_too_large,
    "settings_not_an_object" => settings_not_an_object,
    "quantity_invalid" => quantity_invalid,
    "activation_too_soon" => activation_too_soon,
    "phone_invalid" => phone_invalid,
    "comment_too_long" => comment_too_long,
    "institution_number_invalid" => institution_number_invalid,
    "institution_number_taken" => institution_number_taken,
    "institution_unknown" => institution_unknown,
    "institution_already_linked" => institution_already_linked,
    "user_unknown" => user_unknown,
    "property_key_invalid" => property_key_invalid,
    "property_key_taken" => property_key_taken,
    "property_label_required" => property_label_required,
    "property_kind_invalid" => property_kind_invalid,
    "property_choices_required" => property_choices_required,
    "property_unknown" => property_unknown,
    "property_value_required" => property_value_required,
    "property_text_too_long" => property_text_too_long,
    "property_number_invalid" => property_number_invalid,
    "property_date_invalid" => property_date_invalid,
    "property_choice_invalid" => property_choice_invalid,
    "personnel_number_unknown" => personnel_number_unknown,
    "property_operator_invalid" => property_operator_invalid,
    "group_name_required" => group_name_required,
    "group_name_taken" => group_name_taken,
    "group_schedule_invalid" => group_schedule_invalid,
    "group_too_many_conditions" => group_too_many_conditions,
    "group_inactive" => group_inactive,
    "import_config_invalid" => import_config_invalid,
    "import_config_line_invalid" => import_config_line_invalid,
    "import_config_target_unknown" => import_config_target_unknown,
    "import_no_config" => import_no_config,
    "import_double_placement" => import_double_placement,
    "registration_form_invalid" => registration_form_invalid,
    "disclaimer_too_long" => disclaimer_too_long,
    "disclaimer_not_accepted" => disclaimer_not_accepted,
    "field_required" => field_required,
    "birth_date_in_future" => birth_date_in_future,
    "part_unknown" => part_unknown,
    "announcement_kind_invalid" => announcement_kind_invalid,
    "announcement_over" => announcement_over,
    "updates_choice_invalid" => updates_choice_invalid,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn should_translate_every_domain_code() {
        for code in domain::Code::ALL {
            assert!(
                KNOWN_CODES.contains(&code.as_str()),
                "domain code {} has no message",
                code.as_str()
            );
        }
        for code in CLIENT_CODES {
            assert!(KNOWN_CODES.contains(code));
        }
    }

    #[test]
    fn should_fill_each_placeholder_with_the_next_detail() {
        let two = |d: &[&str]| {
            fill(
                "in %s, to %s.",
                &d.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(two(&["A", "B"]), "in A, to B.");
        assert_eq!(two(&["A"]), "in A, to A.");
        assert_eq!(two(&[]), "in %s, to %s.");
    }
}
