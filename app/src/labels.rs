//! Translated names for the codes the domain speaks in: permissions and their areas, built-in
//! roles, journal actions and the fields a journal entry names.
use crate::i18n::*;

macro_rules! labels {
    ($(#[$doc:meta])* $name:ident, $all:ident, $ns:ident { $($code:literal => $key:ident,)* }) => {
        $(#[$doc])*
        pub fn $name(locale: Locale, code: &str) -> Option<&'static str> {
            match code {
                $($code => Some(td_string!(locale, $ns.$key)),)*
                _ => None,
            }
        }

        /// Every code this table knows (for the completeness tests).
        pub const $all: &[&str] = &[$($code,)*];
    };
}

labels!(
    /// A permission code ("users.view") as the role editor shows it.
    permission, PERMISSIONS, roles {
        "sites.view" => perm_sites_view,
        "sites.manage" => perm_sites_manage,
        "users.view" => perm_users_view,
        "users.manage" => perm_users_manage,
        "users.import" => perm_users_import,
        "roles.view" => perm_roles_view,
        "roles.manage" => perm_roles_manage,
        "roles.assign" => perm_roles_assign,
        "licences.view" => perm_licences_view,
        "licences.assign" => perm_licences_assign,
        "licences.order" => perm_licences_order,
        "tokens.manage_own" => perm_tokens_manage_own,
        "tokens.manage_all" => perm_tokens_manage_all,
        "apps.connect" => perm_apps_connect,
        "audit.view" => perm_audit_view,
        "settings.manage" => perm_settings_manage,
    }
);

labels!(
    /// An area of permissions, the heading of a group of checkboxes.
    category, CATEGORIES, roles {
        "sites" => cat_sites,
        "users" => cat_users,
        "roles" => cat_roles,
        "licences" => cat_licences,
        "tokens" => cat_tokens,
        "apps" => cat_apps,
        "audit" => cat_audit,
        "settings" => cat_settings,
    }
);

labels!(
    /// The name of a built-in role in the user's language.
    builtin_role, BUILTIN_ROLES, roles {
        "administrator" => builtin_administrator,
        "licence_manager" => builtin_licence_manager,
        "application" => builtin_application,
        "user" => builtin_user,
    }
);

labels!(
    /// A journal action ("user.create").
    action, ACTIONS, journal {
        "site.create" => action_site_create,
        "site.update" => action_site_update,
        "site.delete" => action_site_delete,
        "site.move" => action_site_move,
        "user.create" => action_user_create,
        "user.activate" => action_user_activate,
        "user.deactivate" => action_user_deactivate,
        "user.delete" => action_user_delete,
        "user.approve" => action_user_approve,
        "user.reject" => action_user_reject,
        "user.update" => action_user_update,
        "role.create" => action_role_create,
        "role.update" => action_role_update,
        "role.delete" => action_role_delete,
        "grant.add" => action_grant_add,
        "grant.remove" => action_grant_remove,
        "sso.link" => action_sso_link,
        "sso.unlink" => action_sso_unlink,
        "sso.sign_in" => action_sso_sign_in,
        "federation.save" => action_federation_save,
        "federation.remove" => action_federation_remove,
        "licence.assign" => action_licence_assign,
        "licence.unassign" => action_licence_unassign,
        "licence.claim" => action_licence_claim,
        "token.issue" => action_token_issue,
        "token.revoke" => action_token_revoke,
        "service_account.create" => action_service_account_create,
        "app_session.end" => action_app_session_end,
        "device.remove" => action_device_remove,
        "second_factor.add" => action_second_factor_add,
        "second_factor.remove" => action_second_factor_remove,
        "second_factor.reset" => action_second_factor_reset,
        "recovery_codes.renew" => action_recovery_codes_renew,
        "webhook.create" => action_webhook_create,
        "webhook.update" => action_webhook_update,
        "webhook.remove" => action_webhook_remove,
        "code.redeem" => action_code_redeem,
        "subscription.claim" => action_subscription_claim,
        "institution.link" => action_institution_link,
        "institution.withdraw" => action_institution_withdraw,
        "property.define" => action_property_define,
        "property.remove" => action_property_remove,
        "group.create" => action_group_create,
        "group.update" => action_group_update,
        "group.remove" => action_group_remove,
        "group.join" => action_group_join,
        "group.leave" => action_group_leave,
        "import.configure" => action_import_configure,
        "rollover.apply" => action_rollover_apply,
        "rollover.undo" => action_rollover_undo,
        "support.open" => action_support_open,
    }
);

labels!(
    /// A field named in a journal entry's before/after summary.
    field, FIELDS, journal {
        "name" => field_name,
        "seat_limit" => field_seat_limit,
        "registration_code" => field_registration_code,
        "expires_on" => field_expires_on,
        "username" => field_username,
        "active" => field_active,
        "permissions" => field_permissions,
        "role" => field_role,
        "parent" => field_parent,
        "registration_flow" => field_registration_flow,
        "allowed_domains" => field_allowed_domains,
        "pending" => field_pending,
        "first_name" => field_first_name,
        "last_name" => field_last_name,
        "email" => field_email,
        "personnel_number" => field_personnel_number,
        "external_id" => field_external_id,
        "scim_deletes" => field_scim_deletes,
        "site" => field_site,
        "password" => field_password,
        "provider" => field_provider,
        "account" => field_account,
        "subscription" => field_subscription,
        "product" => field_product,
        "device" => field_device,
        "second_factor" => field_second_factor,
        "recovery_codes" => field_recovery_codes,
        "second_factor_policy" => field_second_factor_policy,
        "grace_days" => field_grace_days,
        "tenants" => field_tenants,
        "events" => field_events,
        "enabled" => field_enabled,
        "batch" => field_batch,
        "until" => field_until,
        "institution_number" => field_institution_number,
        "kind" => field_kind,
        "group" => field_group,
        "rule" => field_rule,
        "schedule" => field_schedule,
        "grant" => field_grant,
        "members" => field_members,
        "mapping" => field_mapping,
        "match_on" => field_match_on,
        "date_format" => field_date_format,
        "end_old_placements" => field_end_old_placements,
        "registration_form" => field_registration_form,
        "users" => field_users,
        "federation" => field_federation,
        "issuer" => field_issuer,
        "identify_by" => field_identify_by,
        "create_users" => field_create_users,
    }
);

/// How the journal writes a site outside the reader's view (`domain::audit::OUTSIDE_VIEW`; the
/// browser build has no domain crate).
const OUTSIDE_VIEW: &str = "@outside_view";

/// How the journal names an erased user (`domain::privacy::ERASED_PREFIX` and a code).
const ERASED_PREFIX: &str = "@erased:";

/// A name in the journal (its actor, its target, a value) as shown: an erased user's
/// pseudonym in the reader's words, anything else as recorded.
pub fn journal_name(locale: Locale, name: &str) -> String {
    match name.strip_prefix(ERASED_PREFIX) {
        Some(code) => td_string!(locale, journal.erased_user, code = code).to_string(),
        None => name.to_string(),
    }
}

/// A value in a journal entry's summary, as shown: permission codes and built-in roles (`@key`)
/// translated, yes/no for switches, anything else as recorded.
pub fn journal_value(locale: Locale, field: &str, value: &str) -> String {
    match (field, value) {
        ("permissions", codes) => codes
            .split(", ")
            .filter(|c| !c.is_empty())
            .map(|c| permission(locale, c).unwrap_or(c))
            .collect::<Vec<_>>()
            .join(", "),
        ("active", "true") => td_string!(locale, common.yes).to_string(),
        ("active", "false") => td_string!(locale, common.no).to_string(),
        ("registration_flow", "immediate") => td_string!(locale, admin.flow_immediate).to_string(),
        ("registration_flow", "verify") => td_string!(locale, admin.flow_verify).to_string(),
        ("registration_flow", "approval") => td_string!(locale, admin.flow_approval).to_string(),
        ("pending", "approval") => td_string!(locale, journal.pending_approval).to_string(),
        ("second_factor_policy", "optional") => {
            td_string!(locale, admin.factor_policy_optional).to_string()
        }
        ("second_factor_policy", "administrators") => {
            td_string!(locale, admin.factor_policy_administrators).to_string()
        }
        ("second_factor_policy", "everyone") => {
            td_string!(locale, admin.factor_policy_everyone).to_string()
        }
        (_, OUTSIDE_VIEW) => td_string!(locale, journal.site_outside).to_string(),
        (_, value) if value.starts_with(ERASED_PREFIX) => journal_name(locale, value),
        (_, value) => match value
            .strip_prefix('@')
            .and_then(|key| builtin_role(locale, key))
        {
            Some(name) => name.to_string(),
            None => value.to_string(),
        },
    }
}

/// A role's name as shown: built-in roles translated, custom roles as their owners named them.
pub fn role_name(locale: Locale, builtin_key: Option<&str>, name: &str) -> String {
    builtin_key
        .and_then(|key| builtin_role(locale, key))
        .map(str::to_string)
        .unwrap_or_else(|| name.to_string())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn should_name_every_domain_code_in_every_language() {
        assert_eq!(OUTSIDE_VIEW, domain::audit::OUTSIDE_VIEW);
        assert_eq!(ERASED_PREFIX, domain::privacy::ERASED_PREFIX);
        assert_eq!(
            journal_name(Locale::fr, "@erased:0a1b2c3d4e5f"),
            "utilisateur effacé 0a1b2c3d4e5f"
        );
        for locale in [Locale::nl, Locale::fr, Locale::en] {
            for p in domain::access::Permission::ALL {
                assert!(permission(locale, p.code()).is_some(), "{}", p.code());
                assert!(category(locale, p.category().code()).is_some());
            }
            for a in domain::audit::Action::ALL {
                assert!(action(locale, a.code()).is_some(), "{}", a.code());
            }
            for key in [
                domain::roles::ADMINISTRATOR,
                domain::roles::LICENCE_MANAGER,
                domain::roles::APPLICATION,
                domain::roles::USER,
            ] {
                assert!(builtin_role(locale, key).is_some(), "{key}");
            }
        }
        let grouped: Vec<&str> = crate::api::roles::PERMISSION_GROUPS
            .iter()
            .flat_map(|(_, codes)| codes.iter().copied())
            .collect();
        assert_eq!(grouped.len(), domain::access::Permission::ALL.len());
        for p in domain::access::Permission::ALL {
            assert!(grouped.contains(&p.code()), "{} is in no group", p.code());
        }
    }
}
