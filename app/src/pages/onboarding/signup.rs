//! "Create an account": an administrator with a serial number creates their organisation
//! (a user with a registration code goes on to the registration page). Steps: choose, enter
//! the serial, fill in the form, then check the mailbox.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::fields::{required, NameFields, PasswordField, UsernameField};
use crate::api::onboarding::{CheckSerial, SerialInfo, SignUp};
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::public_page::{locale_code, PublicPage};
use crate::components::robot_check::RobotCheck;
use crate::i18n::*;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let prefilled = query.read_untracked().get("serial").unwrap_or_default();
    let choosing = RwSignal::new(prefilled.is_empty());
    let check = ServerAction::<CheckSerial>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let info = move || check.value().get().and_then(|r| r.ok());
    let done = move || matches!(sign_up.value().get(), Some(Ok(())));
    let title = Signal::derive(move || {
        let locale = i18n.get_locale();
        if done() {
            td_string!(locale, onboarding.check_mail_title).to_string()
        } else {
            td_string!(locale, onboarding.signup_title).to_string()
        }
    });
    view! {
        <PublicPage title=title wide=true>
            {move || {
                if done() {
                    view! { <p id="signup-done" role="status">{t!(i18n, onboarding.signup_done)}</p> }.into_any()
                } else if let Some(info) = info() {
                    view! { <SignUpForm info=info action=sign_up /> }.into_any()
                } else if choosing.get() {
                    view! { <ChooseWay on_serial=move || choosing.set(false) /> }.into_any()
                } else {
                    view! { <SerialStep action=check prefilled=prefilled.clone() /> }.into_any()
                }
            }}
            {move || (!done()).then(|| view! {
                <p class="muted card-footer"><a href="/login">{t!(i18n, onboarding.have_account)}</a></p>
            })}
        </PublicPage>
    }
}

#[component]
fn ChooseWay(on_serial: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="muted">{t!(i18n, onboarding.choose_intro)}</p>
        <div class="choice-cards">
            <button type="button" class="choice-card" id="choose-serial" on:click=move |_| on_serial()>
                <strong>{t!(i18n, onboarding.choose_serial)}</strong>
                <span class="muted">{t!(i18n, onboarding.choose_serial_help)}</span>
            </button>
            <a class="choice-card" id="choose-code" href="/register">
                <strong>{t!(i18n, onboarding.choose_code)}</strong>
                <span class="muted">{t!(i18n, onboarding.choose_code_help)}</span>
            </a>
        </div>
    }
}

#[component]
fn SerialStep(action: ServerAction<CheckSerial>, prefilled: String) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <ActionForm action=action attr:class="form" attr:id="serial-form">
            <div class="field">
                <label for="serial">{t!(i18n, onboarding.serial)} <span aria-hidden="true">" *"</span></label>
                <input id="serial" name="serial" type="text" inputmode="numeric" required autofocus
                    autocomplete="off" maxlength="20" value=prefilled aria-describedby="serial-help"
                    aria-invalid=move || error.get().is_some().then_some("true") />
                <p class="help" id="serial-help">{t!(i18n, onboarding.serial_help)}</p>
            </div>
            <ErrorMessage error=error />
            <button type="submit" class="button button-primary button-wide" id="serial-next"
                disabled=move || action.pending().get()>{t!(i18n, onboarding.next)}</button>
        </ActionForm>
    }
}

#[component]
fn SignUpForm(info: SerialInfo, action: ServerAction<SignUp>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = locale_code();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    // A check against robots, when the server asks for one: the button waits for its answer.
    let needs_check = info.challenge;
    let checked = RwSignal::new(!needs_check);
    let round = Signal::derive(move || action.version().get());
    view! {
        <p class="muted" id="serial-accepted">
            {t!(i18n, onboarding.serial_accepted, serial = info.serial.clone(), seats = info.seats, from = info.valid_from.clone(), until = info.valid_until.clone())}
        </p>
        <p class="help">{t!(i18n, onboarding.required_fields)}</p>
        <ActionForm action=action attr:class="form grid-form" attr:id="signup-form">
            <input type="hidden" name="serial" value=info.serial.clone() />
            <input type="hidden" name="locale" prop:value=locale />
            <div class="field full-row">
                <label for="organisation">{t!(i18n, onboarding.organisation)} {required()}</label>
                <input id="organisation" name="organisation" type="text" required maxlength="200"
                    autocomplete="organization" autofocus aria-invalid=invalid("organisation") />
            </div>
            <NameFields error=error />
            <div class="field">
                <label for="email">{t!(i18n, admin.email)} {required()}</label>
                <input id="email" name="email" type="email" required maxlength="254"
                    autocomplete="email" aria-invalid=invalid("email") />
            </div>
            <UsernameField error=error />
            <PasswordField error=error />
            <div class="field full-row checkbox-field">
                <label class="choice">
                    <input type="checkbox" name="privacy" value="true" id="privacy" required
                        aria-invalid=invalid("privacy") />
                    <span>
                        {t!(i18n, onboarding.privacy_accept)} " "
                        <a href="/privacy" target="_blank" rel="noopener">{t!(i18n, onboarding.privacy_policy)}</a>
                        {required()}
                    </span>
                </label>
            </div>
            {needs_check.then(|| view! { <RobotCheck round=round ready=checked /> })}
            <div class="full-row"><ErrorMessage error=error /></div>
            <div class="form-actions full-row">
                <button type="submit" class="button button-primary" id="create-account"
                    disabled=move || action.pending().get() || !checked.get()>{t!(i18n, onboarding.create_account)}</button>
            </div>
        </ActionForm>
    }
}
