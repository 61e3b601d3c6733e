//! The fields the sign-up and registration forms share: names, username, a new password.
use leptos::prelude::*;

use crate::components::error_message::aria_invalid;
use crate::error::AppError;
use crate::i18n::*;

/// The "required" mark after a label (the form says once what it means).
pub fn required() -> impl IntoView {
    view! { <span aria-hidden="true">" *"</span> }
}

#[component]
pub fn NameFields(
    error: Signal<Option<AppError>>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="first-name">{t!(i18n, admin.first_name)} {required()}</label>
            <input id="first-name" name="first_name" type="text" required maxlength="100"
                autocomplete="given-name" autofocus=autofocus aria-invalid=aria_invalid(error, "first_name") />
        </div>
        <div class="field">
            <label for="last-name">{t!(i18n, admin.last_name)} {required()}</label>
            <input id="last-name" name="last_name" type="text" required maxlength="100"
                autocomplete="family-name" aria-invalid=aria_invalid(error, "last_name") />
        </div>
    }
}

/// `id_prefix` keeps the ids apart when the form sits beside the sign-in form.
#[component]
pub fn UsernameField(
    error: Signal<Option<AppError>>,
    #[prop(optional, into)] id_prefix: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{id_prefix}username");
    view! {
        <div class="field">
            <label for=id.clone()>{t!(i18n, auth.username)} {required()}</label>
            <input id=id name="username" type="text" required maxlength="100"
                autocapitalize="none" spellcheck="false" autocomplete="username"
                aria-invalid=aria_invalid(error, "username") />
        </div>
    }
}

#[component]
pub fn PasswordField(
    error: Signal<Option<AppError>>,
    #[prop(optional, into)] id_prefix: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{id_prefix}password");
    let rules = format!("{id_prefix}password-rules");
    view! {
        <div class="field full-row">
            <label for=id.clone()>{t!(i18n, auth.password)} {required()}</label>
            <input id=id name="password" type="password" required autocomplete="new-password"
                aria-describedby=rules.clone() aria-invalid=aria_invalid(error, "password") />
            <p class="help" id=rules>{t!(i18n, onboarding.password_rules)}</p>
        </div>
    }
}
