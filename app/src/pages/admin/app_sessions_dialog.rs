//! The screen icon in the user list: a user's open application sessions (which product, since
//! when, last heard of), each endable by their administrator, and the devices the user's
//! applications registered, each removable (which frees its place).
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::applications::{end_app_session, remove_device, user_app_sessions, user_devices};
use crate::components::date::date_time;
use crate::components::error_message::{ErrorMessage, StatusMessage};
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
                <h3>{t!(i18n, admin.app_sessions_title)}</h3>
                <SessionList user=user />
                <h3>{t!(i18n, admin.devices_title)}</h3>
                <DeviceList user=user />
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

#[component]
fn DeviceList(user: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let devices = Resource::new(move || version.get(), move |_| user_devices(user));
    let error = RwSignal::new(None::<AppError>);
    let removed = RwSignal::new(false);
    let remove = move |device: Uuid| {
        spawn_local(async move {
            match remove_device(device).await {
                Ok(()) => {
                    error.set(None);
                    removed.set(true);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let status = Signal::derive(move || {
        removed
            .get()
            .then(|| td_string!(i18n.get_locale(), admin.device_removed).to_string())
    });
    view! {
        <StatusMessage text=status />
        <LoadedList load=devices loading=true let:found
            empty=move || view! {
                <p class="empty-state" id="no-devices">{t!(i18n, admin.no_devices)}</p>
            }>
            <ul class="approval-list" id="devices">
                {found.into_iter().map(|d| {
                    let id = d.id;
                    let label = d.name.clone().unwrap_or_else(|| d.fingerprint.clone());
                    let shown = label.clone();
                    view! {
                        <li class="approval">
                            <span>
                                <span class="user-name mono">{shown}</span>
                                <span class="user-email">
                                    {move || {
                                        let locale = i18n.get_locale();
                                        let first = date_time(locale, d.first_seen_at);
                                        let seen = date_time(locale, d.last_seen_at);
                                        td_string!(locale, admin.device_times, product = d.product.clone(), first = first, seen = seen).to_string()
                                    }}
                                </span>
                            </span>
                            <button type="button" class="button button-danger-quiet remove-device"
                                aria-label=move || td_string!(i18n.get_locale(), admin.remove_device_of, device = label.clone()).to_string()
                                on:click=move |_| remove(id)>{t!(i18n, admin.remove_device)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </LoadedList>
        <ErrorMessage error=error />
    }
}
