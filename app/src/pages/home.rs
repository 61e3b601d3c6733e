use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::page_shell::{use_me, PageShell};
use crate::i18n::*;

/// The start page after signing in.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), common.home) />
        <PageShell>
            <HomeContent />
        </PageShell>
    }
}

#[component]
fn HomeContent() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let found = match me { Some(r) => r.0.await.ok().flatten(), None => None };
                found.map(|m| view! {
                <section class="card narrow welcome">
                    <h1>{t!(i18n, auth.welcome)}", " {m.display_name.clone()}</h1>
                    <p><span class="muted">{t!(i18n, auth.your_site)}": "</span>{m.site_name.clone()}</p>
                    {if m.admin_site.is_some() {
                        view! { <a class="button button-primary" href="/admin">{t!(i18n, auth.open_admin)}</a> }.into_any()
                    } else {
                        view! { <p>{t!(i18n, auth.no_admin)}</p> }.into_any()
                    }}
                </section>
            })})}
        </Suspense>
    }
}
