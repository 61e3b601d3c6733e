//! The key icon in the user list: the accounts (Google, Microsoft, ...) a user signs in with,
//! each removable by their administrator (e.g. when an account was lost or compromised), and
//! their second factors, reset after a confirmation (a lost phone).
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::factors::{reset_user_factors, user_factor_count};
use crate::api::profile::sign_in_providers;
use crate::api::sso::{remove_user_link, user_links};
use crate::components::date::{DateText, DateTimeText};
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::{Lenient, Loaded};
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn LinksDialog(open: RwSignal<bool>, user: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let name = StoredValue::new(name);
    view! {
        <crate::components::modal::Modal open=open labelled_by="links-title" class="dialog-wide">
            <h2 id="links-title">{move || td_string!(i18n.get_locale(), admin.links_of, name = name.get_value()).to_string()}</h2>
            <LinkList user=user />
            <UserFactors user=user name=name.get_value() />
            <div class="dialog-actions">
                <button type="button" class="button" autofocus on:click=move |_| open.set(false)>{t!(i18n, common.close)}</button>
            </div>
        </crate::components::modal::Modal>
    }
}

#[component]
fn LinkList(user: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let links = Resource::new(move || version.get(), move |_| user_links(user));
    let providers = Resource::new(|| (), |_| sign_in_providers());
    let error = RwSignal::new(None::<AppError>);
    let remove = move |provider: String| {
        spawn_local(async move {
            match remove_user_link(user, provider).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <Loaded load=(links, Lenient(providers)) loading=true let:loaded>
            {
                let (found, providers) = loaded;
                let providers = providers.unwrap_or_default();
                if found.is_empty() {
                    view! { <p class="empty-state" id="no-links">{t!(i18n, admin.no_links)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="approval-list" id="user-links">
                            {found.into_iter().map(|link| {
                                let shown = providers.iter().find(|p| p.key == link.provider)
                                    .map(|p| p.name.clone())
                                    .unwrap_or_else(|| link.provider.clone());
                                let label = shown.clone();
                                let key = link.provider.clone();
                                view! {
                                    <li class="approval" data-provider=link.provider.clone()>
                                        <span>
                                            <span class="user-name">{shown}</span>
                                            <span class="user-email">{link.email.clone()}</span>
                                            <span class="user-email">{t!(i18n, profile.linked_since)}" "<DateText date=link.linked_on />
                                                {link.last_used.map(|at| view! { " · " {t!(i18n, admin.link_last_used)}" "<DateTimeText at=at /> })}
                                            </span>
                                        </span>
                                        <button type="button" class="button button-danger-quiet remove-link"
                                            aria-label=move || td_string!(i18n.get_locale(), profile.unlink, provider = label.clone()).to_string()
                                            on:click=move |_| remove(key.clone())>{t!(i18n, profile.unlink_button)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }
        </Loaded>
        <ErrorMessage error=error />
    }
}

/// The user's second factors: how many, and a reset confirmed in place.
#[component]
fn UserFactors(user: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let count = Resource::new(move || version.get(), move |_| user_factor_count(user));
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<u64>);
    let name = StoredValue::new(name);
    let reset = move |_| {
        spawn_local(async move {
            match reset_user_factors(user).await {
                Ok(removed) => {
                    error.set(None);
                    confirming.set(false);
                    done.set(Some(removed));
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <h3 id="user-factors-title">{t!(i18n, admin.user_factors)}</h3>
        <Loaded load=count let:n>
            <p id="user-factors-count">
                {move || if n == 0 {
                    td_string!(i18n.get_locale(), admin.user_factors_none).to_string()
                } else {
                    td_string!(i18n.get_locale(), admin.user_factors_count, count = n).to_string()
                }}
            </p>
            {(n > 0).then(|| view! {
                <Show when=move || !confirming.get()>
                    <button type="button" class="button button-danger-quiet" id="reset-user-factors"
                        on:click=move |_| confirming.set(true)>{t!(i18n, admin.user_factors_reset)}</button>
                </Show>
            })}
        </Loaded>
        <Show when=move || confirming.get()>
            <div class="inline-confirm" role="group" aria-labelledby="user-factors-title">
                <p id="reset-factors-question">{move || td_string!(i18n.get_locale(), admin.user_factors_reset_confirm, name = name.get_value()).to_string()}</p>
                <div class="form-actions">
                    <button type="button" class="button button-danger" id="confirm-reset-factors" autofocus
                        aria-describedby="reset-factors-question" on:click=reset>{t!(i18n, admin.user_factors_reset)}</button>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{t!(i18n, common.cancel)}</button>
                </div>
            </div>
        </Show>
        {move || done.get().map(|n| view! {
            <p class="status" role="status" id="user-factors-done">
                {td_string!(i18n.get_locale(), admin.user_factors_reset_done, count = n).to_string()}
            </p>
        })}
        <ErrorMessage error=error />
    }
}
