//! The second step of a sign-in: a code from the authenticator app, or a recovery code.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::LoginSecondFactor;
use crate::components::error_message::ErrorMessage;
use crate::components::public_page::PublicPage;
use crate::i18n::*;

#[component]
pub fn LoginFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    let prove = ServerAction::<LoginSecondFactor>::new();
    let recovery = RwSignal::new(false);
    let error = Signal::derive(move || prove.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(target)) = prove.value().get() {
            let _ = window().location().set_href(&target);
        }
    });
    view! {
        <PublicPage title=Signal::derive(move || td_string!(i18n.get_locale(), auth.factor_title).to_string())>
            <p class="muted">
                {move || if recovery.get() {
                    td_string!(i18n.get_locale(), auth.factor_recovery_intro)
                } else {
                    td_string!(i18n.get_locale(), auth.factor_intro)
                }}
            </p>
            <ActionForm action=prove attr:class="form" attr:id="factor-form">
                <input type="hidden" name="next" prop:value=next />
                <input type="hidden" name="recovery" prop:value=move || recovery.get().to_string() />
                <div class="field">
                    <label for="factor-code">
                        {move || if recovery.get() {
                            td_string!(i18n.get_locale(), auth.factor_recovery_code)
                        } else {
                            td_string!(i18n.get_locale(), auth.factor_code)
                        }}
                    </label>
                    <input id="factor-code" name="code" type="text" required autofocus
                        autocomplete="one-time-code" spellcheck="false" autocapitalize="none"
                        inputmode=move || if recovery.get() { "text" } else { "numeric" } />
                </div>
                <ErrorMessage error=error />
                <button type="submit" class="button button-primary button-wide" id="factor-submit"
                    disabled=move || prove.pending().get()>
                    {t!(i18n, auth.factor_submit)}
                </button>
            </ActionForm>
            <super::login_passkey::PasskeyProof next=Signal::derive(next) />
            <p class="login-links">
                <button type="button" class="link-button" id="factor-switch"
                    on:click=move |_| recovery.update(|r| *r = !*r)>
                    {move || if recovery.get() {
                        td_string!(i18n.get_locale(), auth.factor_use_app)
                    } else {
                        td_string!(i18n.get_locale(), auth.factor_use_recovery)
                    }}
                </button>
                <a href="/login" id="factor-restart">{t!(i18n, auth.factor_restart)}</a>
            </p>
        </PublicPage>
    }
}
