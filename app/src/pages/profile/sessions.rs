//! The user's open sessions: where and how they signed in, when last active; each can be
//! ended, or all but this one at once.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::profile::{end_other_sessions, end_session, SessionView, SsoProvider};
use crate::components::date::DateTimeText;
use crate::components::error_message::ErrorMessage;
use crate::error::AppError;
use crate::i18n::*;
use wire::SignInMethod;

#[component]
pub fn Sessions(
    sessions: Vec<SessionView>,
    providers: Vec<SsoProvider>,
    refetch: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<AppError>);
    let others = sessions.iter().filter(|s| !s.current).count();
    let end_others = move |_| {
        spawn_local(async move {
            match end_other_sessions().await {
                Ok(_) => refetch.run(()),
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let method_name = move |method: &Option<SignInMethod>| match method {
        Some(SignInMethod::Password) => {
            td_string!(i18n.get_locale_untracked(), profile.method_password).to_string()
        }
        Some(SignInMethod::Passkey) => {
            td_string!(i18n.get_locale_untracked(), profile.method_passkey).to_string()
        }
        Some(SignInMethod::Provider(key)) => providers
            .iter()
            .find(|p| &p.key == key)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| key.clone()),
        None => String::new(),
    };
    let rows = sessions
        .into_iter()
        .map(|s| {
            let handle = s.handle.clone();
            let end = move |_| {
                let handle = handle.clone();
                spawn_local(async move {
                    match end_session(handle).await {
                        Ok(()) => refetch.run(()),
                        Err(err) => error.set(Some(err)),
                    }
                });
            };
            let browser = s.browser.clone();
            view! {
                <tr class="session-row" class:session-current=s.current>
                    <td>
                        <span class="user-name">{s.browser.clone()}</span>
                        {s.current.then(|| view! { <span class="pill pill-done">{t!(i18n, profile.this_device)}</span> })}
                        <span class="user-email">{s.address.clone()}</span>
                    </td>
                    <td>{method_name(&s.method)}</td>
                    <td class="nowrap">{s.signed_in_at.map(|at| view! { <DateTimeText at=at /> })}</td>
                    <td class="nowrap"><DateTimeText at=s.last_active /></td>
                    <td class="actions">
                        {(!s.current).then(|| view! {
                            <button type="button" class="button button-quiet button-danger-quiet end-session"
                                aria-label=move || td_string!(i18n.get_locale(), profile.end_session_of, browser = browser.clone()).to_string()
                                on:click=end>{t!(i18n, profile.end_session)}</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel profile-sessions" aria-labelledby="sessions-title">
            <div class="panel-head">
                <h2 id="sessions-title" class="panel-title">{t!(i18n, profile.sessions)}</h2>
                {(others > 0).then(|| view! {
                    <button type="button" class="button" id="end-other-sessions" on:click=end_others>
                        {t!(i18n, profile.end_others)}
                    </button>
                })}
            </div>
            // Focusable: on a phone the table scrolls sideways, also with the keyboard.
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="sessions-title">
                <table class="table" id="sessions">
                    <caption class="visually-hidden">{t!(i18n, profile.sessions)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, profile.device)}</th>
                            <th scope="col">{t!(i18n, profile.method)}</th>
                            <th scope="col">{t!(i18n, profile.signed_in_at)}</th>
                            <th scope="col">{t!(i18n, profile.last_active)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, common.actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <ErrorMessage error=error />
        </section>
    }
}
