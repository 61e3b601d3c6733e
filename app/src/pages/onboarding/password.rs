//! Passwords: asking for a reset link, choosing a password through a mailed link (reset or
//! invitation), and changing it while signed in (required at first sign-in for some).
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::onboarding::{password_link, ChangePassword, RequestReset, SetPassword};
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::public_page::{locale_code, PublicPage};
use crate::i18n::*;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = locale_code();
    let request = ServerAction::<RequestReset>::new();
    let error = Signal::derive(move || request.value().get().and_then(|r| r.err()));
    let title =
        Signal::derive(move || td_string!(i18n.get_locale(), onboarding.forgot_title).to_string());
    view! {
        <PublicPage title=title>
            {move || if matches!(request.value().get(), Some(Ok(()))) {
                view! { <p id="reset-requested" role="status">{t!(i18n, onboarding.reset_requested)}</p> }.into_any()
            } else {
                view! {
                    <p class="muted">{t!(i18n, onboarding.forgot_intro)}</p>
                    <ActionForm action=request attr:class="form" attr:id="forgot-form">
                        <input type="hidden" name="locale" prop:value=locale />
                        <div class="field">
                            <label for="login">{t!(i18n, onboarding.username_or_email)}</label>
                            <input id="login" name="login" type="text" required autofocus autocomplete="username"
                                autocapitalize="none" spellcheck="false" maxlength="254" />
                        </div>
                        <ErrorMessage error=error />
                        <button type="submit" class="button button-primary button-wide" id="send-reset"
                            disabled=move || request.pending().get()>{t!(i18n, onboarding.send_link)}</button>
                    </ActionForm>
                }.into_any()
            }}
            <p class="muted card-footer"><a href="/login">{t!(i18n, onboarding.back_to_sign_in)}</a></p>
        </PublicPage>
    }
}

/// Two password fields with the rules; shared by the link and the change forms.
#[component]
fn NewPasswordFields(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let invalid = move |field: &'static str| aria_invalid(error, field);
    view! {
        <div class="field">
            <label for="new-password">{t!(i18n, onboarding.new_password)}</label>
            <input id="new-password" name="password" type="password" required autocomplete="new-password"
                aria-describedby="password-rules" aria-invalid=invalid("password") />
            <p class="help" id="password-rules">{t!(i18n, onboarding.password_rules)}</p>
        </div>
        <div class="field">
            <label for="confirm-password">{t!(i18n, onboarding.confirm_password)}</label>
            <input id="confirm-password" name="confirm" type="password" required autocomplete="new-password"
                aria-invalid=invalid("confirm") />
        </div>
    }
}

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = query.read_untracked().get("token").unwrap_or_default();
    let owner = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        password_link,
    );
    let set = ServerAction::<SetPassword>::new();
    let error = Signal::derive(move || set.value().get().and_then(|r| r.err()));
    let title = Signal::derive(move || {
        td_string!(i18n.get_locale(), onboarding.set_password_title).to_string()
    });
    view! {
        <PublicPage title=title>
            <Suspense fallback=|| ()>
                // Own Suspend: it waits for the token check and then follows the form's action value.
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        if let Some(Ok(username)) = set.value().get() {
                            return view! {
                                <p id="password-set" role="status">{t!(i18n, onboarding.password_set, username = username.clone())}</p>
                                <a class="button button-primary button-wide" href="/login" id="to-sign-in">{t!(i18n, auth.submit)}</a>
                            }.into_any();
                        }
                        match owner.await {
                            Err(err) => {
                                view! {
                                    <ErrorMessage error=Signal::stored(Some(err)) />
                                    <p><a href="/password/forgot">{t!(i18n, onboarding.ask_new_link)}</a></p>
                                }.into_any()
                            }
                            Ok(username) => view! {
                                <p class="muted" id="password-for">{t!(i18n, onboarding.choose_password_for, username = username.clone())}</p>
                                <ActionForm action=set attr:class="form" attr:id="set-password-form">
                                    <input type="hidden" name="token" value=token.clone() />
                                    <NewPasswordFields error=error />
                                    <ErrorMessage error=error />
                                    <button type="submit" class="button button-primary button-wide" id="save-password"
                                        disabled=move || set.pending().get()>{t!(i18n, onboarding.save_password)}</button>
                                </ActionForm>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </PublicPage>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(target)) = change.value().get() {
            let _ = window().location().set_href(&target);
        }
    });
    let title = Signal::derive(move || {
        td_string!(i18n.get_locale(), onboarding.change_password_title).to_string()
    });
    view! {
        <PublicPage title=title>
            <p class="muted">{t!(i18n, onboarding.change_password_intro)}</p>
            <ActionForm action=change attr:class="form" attr:id="change-password-form">
                <input type="hidden" name="next" prop:value=next />
                <div class="field">
                    <label for="current-password">{t!(i18n, onboarding.current_password)}</label>
                    <input id="current-password" name="current" type="password" required autofocus
                        autocomplete="current-password"
                        aria-invalid=aria_invalid(error, "current") />
                </div>
                <NewPasswordFields error=error />
                <ErrorMessage error=error />
                <button type="submit" class="button button-primary button-wide" id="save-password"
                    disabled=move || change.pending().get()>{t!(i18n, onboarding.save_password)}</button>
            </ActionForm>
        </PublicPage>
    }
}
