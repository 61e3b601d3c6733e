use leptos::prelude::*;
use leptos::task::spawn_local;

use super::language_switch::LanguageSwitch;
use crate::api::auth::{logout, Me};
use crate::i18n::*;
use leptos_router::hooks::use_location;

#[component]
pub fn AppHeader(me: Option<Me>) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let current =
        move |path: &'static str| move || (location.pathname.get() == path).then_some("page");
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = logout().await;
            let _ = window().location().set_href("/login");
        });
    };
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">{t!(i18n, common.skip_to_content)}</a>
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"L"</span>
                <span class="brand-name">{t!(i18n, common.app_name)}</span>
            </a>
            <nav class="topnav" aria-label=move || td_string!(i18n.get_locale(), common.main_navigation)>
                {me.clone().filter(|m| m.admin_site.is_some()).map(|_| view! {
                    <a href="/admin" aria-current=current("/admin")>{t!(i18n, common.administration)}</a>
                })}
                {me.clone().filter(|m| m.sees_roles).map(|_| view! {
                    <a href="/admin/roles" id="nav-roles" aria-current=current("/admin/roles")>{t!(i18n, common.roles)}</a>
                })}
                {me.clone().filter(|m| m.sees_groups).map(|_| view! {
                    <a href="/admin/groups" id="nav-groups"
                        aria-current=move || current("/admin/groups")().or(current("/admin/properties")())>{t!(i18n, common.groups)}</a>
                })}
                {me.clone().filter(|m| m.sees_journal).map(|_| view! {
                    <a href="/admin/journal" id="nav-journal" aria-current=current("/admin/journal")>{t!(i18n, common.journal)}</a>
                })}
                {me.clone().filter(|m| m.sees_tokens).map(|_| view! {
                    <a href="/admin/tokens" id="nav-tokens" aria-current=current("/admin/tokens")>{t!(i18n, common.api_tokens)}</a>
                })}
                {me.clone().filter(|m| m.operator).map(|_| view! {
                    <a href="/operator" id="nav-operator"
                        aria-current=move || location.pathname.get().starts_with("/operator").then_some("page")>{t!(i18n, common.operator)}</a>
                })}
            </nav>
            <div class="topbar-right">
                <LanguageSwitch />
                {me.map(|m| view! {
                    <a class="whoami" href="/profile" id="nav-profile" aria-current=current("/profile")
                        title=move || td_string!(i18n.get_locale(), common.my_profile).to_string()>
                        <span class="avatar" aria-hidden="true">{initials(&m.display_name)}</span>
                        <span class="whoami-name">{m.display_name.clone()}</span>
                    </a>
                    <button type="button" class="button button-quiet" id="sign-out" on:click=sign_out>
                        {t!(i18n, common.sign_out)}
                    </button>
                })}
            </div>
        </header>
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|part| part.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}
