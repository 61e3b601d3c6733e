//! Registration with a site's registration code: enter the code, fill in the form; what
//! follows depends on the site's flow (sign in now, confirm the address, or wait for approval).
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::fields::{required, NameFields, PasswordField, UsernameField};
use crate::api::onboarding::{CheckCode, CodeInfo, Register};
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::public_page::{locale_code, PublicPage};
use crate::components::robot_check::RobotCheck;
use crate::i18n::*;
use wire::RegistrationFlow;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let prefilled = query.read_untracked().get("code").unwrap_or_default();
    let next = query.read_untracked().get("next").unwrap_or_default();
    let check = ServerAction::<CheckCode>::new();
    let register = ServerAction::<Register>::new();
    let info = move || check.value().get().and_then(|r| r.ok());
    let flow = move || register.value().get().and_then(|r| r.ok());
    let check_error = Signal::derive(move || check.value().get().and_then(|r| r.err()));
    let title = Signal::derive(move || {
        td_string!(i18n.get_locale(), onboarding.register_title).to_string()
    });
    view! {
        <PublicPage title=title wide=true>
            {move || {
                let prefilled = prefilled.clone();
                match (flow(), info()) {
                (Some(flow), _) => view! { <Registered flow=flow next=next.clone() /> }.into_any(),
                (None, Some(info)) => view! { <RegistrationForm info=info action=register /> }.into_any(),
                (None, None) => view! {
                    <p class="muted">{t!(i18n, onboarding.code_intro)}</p>
                    <ActionForm action=check attr:class="form" attr:id="code-form">
                        <div class="field">
                            <label for="code">{t!(i18n, admin.registration_code)} <span aria-hidden="true">" *"</span></label>
                            <input id="code" name="code" type="text" required autofocus autocomplete="off"
                                autocapitalize="characters" spellcheck="false" maxlength="32" value=prefilled
                                aria-invalid=move || check_error.get().is_some().then_some("true") />
                        </div>
                        <ErrorMessage error=check_error />
                        <button type="submit" class="button button-primary button-wide" id="code-next"
                            disabled=move || check.pending().get()>{t!(i18n, onboarding.next)}</button>
                    </ActionForm>
                }.into_any(),
            }}}
            {move || flow().is_none().then(|| view! {
                <p class="muted card-footer"><a href="/login">{t!(i18n, onboarding.have_account)}</a></p>
            })}
        </PublicPage>
    }
}

/// What happens next; signing in leads back to `next` (the page the user came from).
#[component]
pub fn Registered(flow: RegistrationFlow, #[prop(optional)] next: String) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let locale = i18n.get_locale();
        match flow {
            RegistrationFlow::Verify => td_string!(locale, onboarding.registered_verify),
            RegistrationFlow::Approval => td_string!(locale, onboarding.registered_approval),
            RegistrationFlow::Immediate => td_string!(locale, onboarding.registered_immediate),
        }
    };
    view! {
        <p id="registered" role="status">{text}</p>
        <a class="button button-primary button-wide" id="to-sign-in"
            href=if next.is_empty() { "/login".to_string() } else { format!("/login?next={}", crate::url::encode(&next)) }>
            {t!(i18n, auth.submit)}
        </a>
    }
}

/// `id_prefix` keeps the ids apart when the form sits beside the sign-in form.
#[component]
pub fn RegistrationForm(
    info: CodeInfo,
    action: ServerAction<Register>,
    #[prop(optional, into)] id_prefix: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = locale_code();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let email_required = info.email_required;
    let domains = info.allowed_domains.join(", ");
    // A check against robots, when the site asks for one: the button waits for its answer.
    let needs_check = info.form.challenge;
    let checked = RwSignal::new(!needs_check);
    let round = Signal::derive(move || action.version().get());
    view! {
        <p class="muted" id="code-accepted">{t!(i18n, onboarding.code_accepted, site = info.site_name.clone())}</p>
        <p class="help">{t!(i18n, onboarding.required_fields)}</p>
        <ActionForm action=action attr:class="form grid-form" attr:id="register-form">
            <input type="hidden" name="code" value=info.code.clone() />
            <input type="hidden" name="locale" prop:value=locale />
            <NameFields error=error autofocus=id_prefix.is_empty() />
            <div class="field">
                <label for="email">{t!(i18n, admin.email)}
                    {if email_required { required().into_any() } else { view! { " (" {t!(i18n, admin.optional)} ")" }.into_any() }}
                </label>
                <input id="email" name="email" type="email" maxlength="254" autocomplete="email"
                    required=email_required aria-describedby="email-help" aria-invalid=invalid("email") />
                <p class="help" id="email-help">
                    {(!domains.is_empty()).then(|| view! { {t!(i18n, onboarding.domains_only)} " " {domains.clone()} })}
                </p>
            </div>
            <UsernameField error=error id_prefix=id_prefix.clone() />
            <PasswordField error=error id_prefix=id_prefix.clone() />
            <super::extra_fields::ExtraFields info=info.clone() error=error />
            {needs_check.then(|| view! { <RobotCheck round=round ready=checked /> })}
            <div class="full-row"><ErrorMessage error=error /></div>
            <div class="form-actions full-row">
                <button type="submit" class="button button-primary" id="register"
                    disabled=move || action.pending().get() || !checked.get()>{t!(i18n, onboarding.register_submit)}</button>
            </div>
        </ActionForm>
    }
}
