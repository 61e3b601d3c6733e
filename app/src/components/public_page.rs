//! The frame of the pages for people who are not signed in (sign-in, sign-up, registration,
//! password links): brand and language on top, one card in the middle.
use leptos::prelude::*;
use leptos_meta::Title;

use super::language_switch::LanguageSwitch;
use crate::i18n::*;

#[component]
pub fn PublicPage(
    /// The page's title (browser tab and heading).
    #[prop(into)]
    title: Signal<String>,
    /// `card-wide` for forms with two columns.
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=title />
        <div class="login-page">
            <header class="login-top">
                <a class="skip-link" href="#main">{t!(i18n, common.skip_to_content)}</a>
                <a class="brand" href="/login">
                    <span class="brand-mark" aria-hidden="true">"L"</span>
                    <span class="brand-name">{t!(i18n, common.app_name)}</span>
                </a>
                <LanguageSwitch />
            </header>
            <main id="main" class="login-main">
                <section class="card login-card" class:card-wide=wide aria-labelledby="page-title">
                    <h1 id="page-title">{title}</h1>
                    {children()}
                </section>
            </main>
        </div>
    }
}

/// The current interface language as sent to the server (mails go out in it).
pub fn locale_code() -> impl Fn() -> &'static str + Copy {
    let i18n = use_i18n();
    move || i18n.get_locale().as_str()
}
