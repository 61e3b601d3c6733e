//! The screen icon in the user list: a user's open application sessions (which product, since
//! when, last heard of), each endable by their administrator.
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::applications::{end_app_session, user_app_sessions};
use crate::components::date::date_time;
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::LoadedList;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn AppSessionsDialog(open: RwSignal<bool>, user: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let name = StoredValue::new(name);
    view! {
        <crate::components::modal::Modal open=open labelled_by="app-sessions-title" class="dialog-wide">
            <h2 id="app-sessions-title">{move || td_string!(i18n.get_locale(), admin.app_sessions_of, name = name.get_value()).to_string()}</h2>
            <Show when=move || open.get()>
                <SessionList user=user />
            </Show>
            <div class="dialog-actions">
                <button type="button" class="button" autofocus on:click=move |_| open.set(false)>{t!(i18n, common.close)}</button>
            </div>
        </crate::components::modal::Modal>
    }
}

#[component]
fn SessionList(user: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let sessions = Resource::new(move || version.get(), move |_| user_app_sessions(user));
    let error = RwSignal::new(None::<AppError>);
    let end = move |session: Uuid| {
        spawn_local(async move {
            match end_app_session(session).await {
                Ok(()) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <LoadedList load=sessions loading=true let:found
            empty=move || view! {
                <p class="empty-state" id="no-app-sessions">{t!(i18n, admin.no_app_sessions)}</p>
            }>
            <ul class="approval-list" id="app-sessions">
                {found.into_iter().map(|s| {
                    let id = s.id;
                    let product = s.product.clone();
                    view! {
                        <li class="approval">
                            <span>
                                <span class="user-name">{s.product.clone()}</span>
                                <span class="user-email">
                                    {move || {
                                        let locale = i18n.get_locale();
                                        let opened = date_time(locale, s.opened_at);
                                        let seen = date_time(locale, s.last_seen_at);
                                        td_string!(locale, admin.app_session_times, opened = opened, seen = seen).to_string()
                                    }}
                                </span>
                            </span>
                            <button type="button" class="button button-danger-quiet end-app-session"
                                aria-label=move || td_string!(i18n.get_locale(), admin.end_app_session_of, product = product.clone()).to_string()
                                on:click=move |_| end(id)>{t!(i18n, admin.end_app_session)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </LoadedList>
        <ErrorMessage error=error />
    }
}
