//! Linked sign-ins: a tile per configured provider, dim while not linked (a link that starts
//! linking), bright when linked, with a cross to remove the link (after a confirmation).
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::profile::{unlink_mine, LinkView, ProfileView, SsoProvider};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::DateText;
use crate::components::error_message::ErrorMessage;
use crate::components::icon::{Icon, IconSvg};
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn SignInLinks(profile: ProfileView, refetch: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<AppError>);
    let tiles = profile
        .providers
        .iter()
        .map(|provider| {
            let link = profile
                .links
                .iter()
                .find(|l| l.provider == provider.key)
                .cloned();
            view! { <Tile provider=provider.clone() link=link error=error refetch=refetch /> }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="links-title">
            <h2 id="links-title" class="panel-title">{t!(i18n, profile.links)}</h2>
            <p class="muted">{t!(i18n, profile.links_intro)}</p>
            {if profile.providers.is_empty() {
                view! { <p class="empty-state" id="no-providers">{t!(i18n, profile.no_providers)}</p> }.into_any()
            } else {
                view! { <ul class="sso-tiles">{tiles}</ul> }.into_any()
            }}
            <ErrorMessage error=error />
        </section>
    }
}

#[component]
fn Tile(
    provider: SsoProvider,
    link: Option<LinkView>,
    error: RwSignal<Option<AppError>>,
    refetch: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let name = provider.name.clone();
    let key = provider.key.clone();
    let icon =
        view! { <img class="sso-icon" src=provider.icon.clone() alt="" width="28" height="28" /> };
    let Some(link) = link else {
        return view! {
            <li class="sso-tile" data-provider=key.clone() data-linked="false">
                <a class="sso-link" id=format!("link-{key}") rel="external" href=format!("/auth/sso/{key}?intent=link")>
                    {icon}
                    <span class="sso-text">
                        <span class="sso-name">{name.clone()}</span>
                        <span class="sso-state">{t!(i18n, profile.link_with)}</span>
                    </span>
                </a>
            </li>
        }
        .into_any();
    };
    let unlink = Callback::new({
        let key = key.clone();
        move |_| {
            let key = key.clone();
            spawn_local(async move {
                match unlink_mine(key).await {
                    Ok(()) => {
                        error.set(None);
                        refetch.run(());
                    }
                    Err(err) => error.set(Some(err)),
                }
            });
        }
    });
    let (remove_label, title_name, message_name) = (name.clone(), name.clone(), name.clone());
    let account = if link.email.is_empty() {
        td_string!(i18n.get_locale_untracked(), profile.linked).to_string()
    } else {
        link.email.clone()
    };
    view! {
        <li class="sso-tile sso-linked" data-provider=key.clone() data-linked="true">
            <div class="sso-link">
                {icon}
                <span class="sso-text">
                    <span class="sso-name">{name.clone()}</span>
                    <span class="sso-state">{account}</span>
                    <span class="sso-since">{t!(i18n, profile.linked_since)}" "<DateText date=link.linked_on /></span>
                </span>
            </div>
            <button type="button" class="sso-remove" id=format!("unlink-{key}")
                aria-label=move || td_string!(i18n.get_locale(), profile.unlink, provider = remove_label.clone()).to_string()
                on:click=move |_| confirm.set(true)>
                <IconSvg icon=Icon::Close size=16 />
            </button>
            <ConfirmDialog
                open=confirm
                title=Signal::derive(move || td_string!(i18n.get_locale(), profile.unlink, provider = title_name.clone()).to_string())
                message=Signal::derive(move || td_string!(i18n.get_locale(), profile.confirm_unlink, provider = message_name.clone()).to_string())
                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), profile.unlink_button).to_string())
                on_confirm=unlink
            />
        </li>
    }
    .into_any()
}
