//! The link in a verification mail. The address is confirmed with a button, not on opening:
//! mail scanners open links too, and must not use them up.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::onboarding::ConfirmEmail;
use crate::components::error_message::ErrorMessage;
use crate::components::public_page::PublicPage;
use crate::i18n::*;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = query.read_untracked().get("token").unwrap_or_default();
    let confirm = ServerAction::<ConfirmEmail>::new();
    let error = Signal::derive(move || confirm.value().get().and_then(|r| r.err()));
    let title =
        Signal::derive(move || td_string!(i18n.get_locale(), onboarding.verify_title).to_string());
    view! {
        <PublicPage title=title>
            {move || {
                let token = token.clone();
                match confirm.value().get() {
                Some(Ok(confirmed)) => view! {
                    <p id="verified" role="status">
                        {if confirmed.awaiting_approval {
                            view! { {t!(i18n, onboarding.verified_awaiting)} }.into_any()
                        } else {
                            view! { {t!(i18n, onboarding.verified, username = confirmed.username.clone())} }.into_any()
                        }}
                    </p>
                    <a class="button button-primary button-wide" href="/login" id="to-sign-in">{t!(i18n, auth.submit)}</a>
                }.into_any(),
                _ => view! {
                    <p class="muted">{t!(i18n, onboarding.verify_intro)}</p>
                    <ActionForm action=confirm attr:class="form" attr:id="verify-form">
                        <input type="hidden" name="token" value=token />
                        <ErrorMessage error=error />
                        <button type="submit" class="button button-primary button-wide" id="confirm-email"
                            disabled=move || confirm.pending().get()>{t!(i18n, onboarding.verify_submit)}</button>
                    </ActionForm>
                }.into_any(),
            }}}
        </PublicPage>
    }
}
