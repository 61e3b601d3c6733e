//! The privacy policy that sign-up asks to accept.
use leptos::prelude::*;

use crate::components::public_page::PublicPage;
use crate::i18n::*;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let title = Signal::derive(move || {
        td_string!(i18n.get_locale(), onboarding.privacy_policy_title).to_string()
    });
    view! {
        <PublicPage title=title wide=true>
            <p>{t!(i18n, onboarding.privacy_what)}</p>
            <p>{t!(i18n, onboarding.privacy_why)}</p>
            <p>{t!(i18n, onboarding.privacy_rights)}</p>
        </PublicPage>
    }
}
