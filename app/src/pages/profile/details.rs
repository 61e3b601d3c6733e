//! Names, e-mail address and language; the password; until when the user may use Licentia.
use leptos::prelude::*;

use crate::api::profile::{ProfileView, SaveProfile};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::language_switch::LanguageSwitch;
use crate::i18n::*;

#[component]
pub fn Details(profile: ProfileView) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveProfile>::new();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let saved = Signal::derive(move || {
        matches!(save.value().get(), Some(Ok(())))
            .then(|| td_string!(i18n.get_locale(), profile.saved).to_string())
    });
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let saved_email = RwSignal::new(profile.email.clone());
    let email = RwSignal::new(profile.email.clone());
    // Saved: the form already shows what is stored (the page is not reloaded, so the
    // confirmation stays); the address typed is now the one a change is compared with.
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            saved_email.set(email.get_untracked());
        }
    });
    // The current password is asked only when the address changes (resets go there).
    let asks_password = move || profile.has_password && email.get() != saved_email.get();
    view! {
        <section class="panel" aria-labelledby="details-title">
            <h2 id="details-title" class="panel-title">{t!(i18n, profile.details)}</h2>
            <p class="muted profile-username">{t!(i18n, profile.username)}": "<strong>{profile.username.clone()}</strong></p>
            <ActionForm action=save attr:class="form" attr:id="profile-form">
                <div class="field">
                    <label for="first-name">{t!(i18n, profile.first_name)}" *"</label>
                    <input id="first-name" name="first_name" type="text" required maxlength="100"
                        autocomplete="given-name" value=profile.first_name.clone()
                        aria-invalid=invalid("first_name") />
                </div>
                <div class="field">
                    <label for="last-name">{t!(i18n, profile.last_name)}" *"</label>
                    <input id="last-name" name="last_name" type="text" required maxlength="100"
                        autocomplete="family-name" value=profile.last_name.clone()
                        aria-invalid=invalid("last_name") />
                </div>
                <div class="field">
                    <label for="email">{t!(i18n, profile.email)}</label>
                    <input id="email" name="email" type="email" maxlength="254" autocomplete="email"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                        aria-describedby="email-help"
                        aria-invalid=invalid("email") />
                    <p class="help" id="email-help">{move || if profile.email_verified || email.get().is_empty() {
                        td_string!(i18n.get_locale(), profile.email_help).to_string()
                    } else {
                        td_string!(i18n.get_locale(), profile.email_unverified).to_string()
                    }}</p>
                </div>
                <Show when=asks_password>
                    <div class="field">
                        <label for="current-password">{t!(i18n, profile.current_password)}" *"</label>
                        <input id="current-password" name="current_password" type="password" required
                            autocomplete="current-password" aria-describedby="current-help"
                            aria-invalid=invalid("current_password") />
                        <p class="help" id="current-help">{t!(i18n, profile.current_password_help)}</p>
                    </div>
                </Show>
                <ErrorMessage error=error />
                <StatusMessage text=saved />
                <div class="form-actions">
                    <button type="submit" class="button button-primary" id="save-profile"
                        disabled=move || save.pending().get()>{t!(i18n, common.save)}</button>
                </div>
            </ActionForm>
            <div class="profile-row">
                <LanguageSwitch id="profile-language" labelled=true />
            </div>
            <div class="profile-row">
                <h3 class="subtitle">{t!(i18n, profile.password)}</h3>
                {if profile.has_password {
                    view! {
                        <a class="button" id="change-password" href="/password/change?next=/profile">{t!(i18n, profile.change_password)}</a>
                    }.into_any()
                } else {
                    view! { <p class="muted" id="no-password">{t!(i18n, profile.no_password)}</p> }.into_any()
                }}
            </div>
        </section>
    }
}

/// Where the user belongs and until when they may sign in.
#[component]
pub fn Access(profile: ProfileView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="access-title">
            <h2 id="access-title" class="panel-title">{t!(i18n, profile.access)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, profile.site)}</dt>
                <dd id="profile-site">{profile.site_name.clone()}</dd>
                <dt>{t!(i18n, profile.access_until)}</dt>
                <dd id="profile-access-until">{match profile.access_until.clone() {
                    Some(date) => view! { <time datetime=date.clone()>{date.clone()}</time> }.into_any(),
                    None => view! { <span>{t!(i18n, profile.no_end_date)}</span> }.into_any(),
                }}</dd>
            </dl>
        </section>
    }
}
