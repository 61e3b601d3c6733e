use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::set_language;
use crate::i18n::*;

/// The language choice, top right (and, `labelled`, on the profile). Remembered in a cookie, and
/// for a signed-in user also on their account.
#[component]
pub fn LanguageSwitch(
    #[prop(default = "language")] id: &'static str,
    #[prop(optional)] labelled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev| {
        let code = event_target_value(&ev);
        if let Some(locale) = wire::Lang::parse(&code).map(Locale::from) {
            i18n.set_locale(locale);
            spawn_local(async move {
                let _ = set_language(code).await;
            });
        }
    };
    view! {
        <label class="language" class:language-labelled=labelled>
            <span class:visually-hidden=!labelled>{t!(i18n, common.language)}</span>
            <select id=id on:change=on_change prop:value=move || i18n.get_locale().as_str()>
                <option value="nl" lang="nl" selected=move || i18n.get_locale() == Locale::nl>"Nederlands"</option>
                <option value="fr" lang="fr" selected=move || i18n.get_locale() == Locale::fr>"Français"</option>
                <option value="en" lang="en" selected=move || i18n.get_locale() == Locale::en>"English"</option>
            </select>
        </label>
    }
}
