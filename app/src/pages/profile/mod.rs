//! The signed-in user's profile: their details and language, the password, what they may use,
//! linked sign-ins (Google, Microsoft, ...) and the sessions they have open.
mod details;
pub mod factors;
mod institutions;
mod links;
mod sessions;
mod updates;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::profile::my_profile;
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::error::{AppError, Code};
use crate::i18n::*;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), profile.title) />
        <PageShell>
            <ProfileContent />
        </PageShell>
    }
}

#[component]
fn ProfileContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // What a provider round trip came back with (`?linked=google` or `?sso_error=code`).
    let returned_error = Signal::derive(move || {
        query
            .read()
            .get("sso_error")
            .map(|code| AppError::code(Code::parse(&code).unwrap_or(Code::SsoFailed)))
    });
    let version = RwSignal::new(0u32);
    let profile = Resource::new(move || version.get(), |_| my_profile());
    // The panels' resources too, before the Suspend below (see `factors::FactorsLoad`).
    let factors = factors::FactorsLoad::start();
    let institutions = institutions::InstitutionsLoad::start();
    let refetch = Callback::new(move |_| version.update(|v| *v += 1));
    view! {
        <div class="profile-layout">
            <h1 class="page-title">{t!(i18n, profile.title)}</h1>
            <ErrorMessage error=returned_error />
            <Loaded load=profile loading=true let:p>
                {
                    let linked_name = query.read_untracked().get("linked").and_then(|key| {
                        p.providers.iter().find(|pr| pr.key == key).map(|pr| pr.name.clone())
                    });
                    let linked = Signal::derive(move || linked_name.clone().map(|name| {
                        td_string!(i18n.get_locale(), profile.linked_now, provider = name.clone()).to_string()
                    }));
                    view! {
                        <StatusMessage text=linked />
                        <div class="profile-grid">
                            <details::Details profile=p.clone() />
                            <div class="stack">
                                <details::Access profile=p.clone() />
                                <links::SignInLinks profile=p.clone() refetch=refetch />
                                <factors::SecondFactors factors=factors />
                                <institutions::Institutions institutions=institutions />
                                <updates::Updates />
                            </div>
                            <sessions::Sessions sessions=p.sessions.clone() providers=p.providers.clone() refetch=refetch />
                        </div>
                    }.into_any()
                }
            </Loaded>
        </div>
    }
}
