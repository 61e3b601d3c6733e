use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    crate::mark_hydrated();
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=move || td_string!(i18n.get_locale(), common.not_found_title) />
        <main id="main" class="centered-page">
            <div class="card narrow">
                <h1>{t!(i18n, common.not_found_title)}</h1>
                <p>{t!(i18n, common.not_found_text)}</p>
                <a class="button button-primary" href="/">{t!(i18n, common.back_home)}</a>
            </div>
        </main>
    }
}
