//! A sign-in waiting for a second factor to be set up (the organisation requires one): the
//! same panel as on the profile, then on to where the user was going; "later" while the
//! grace period runs.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{enrolment_due, finish_enrolment};
use crate::components::date::long_date;
use crate::components::error_message::ErrorMessage;
use crate::components::in_browser::in_browser;
use crate::components::public_page::PublicPage;
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::profile::factors::{FactorsLoad, SecondFactors};

#[component]
pub fn LoginSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    let due = in_browser(|| (), |()| enrolment_due());
    let factors = FactorsLoad::start();
    let error = RwSignal::new(None::<AppError>);
    let go_on = move |_| {
        let next = next();
        spawn_local(async move {
            match finish_enrolment(next).await {
                Ok(target) => {
                    let _ = window().location().set_href(&target);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <PublicPage title=Signal::derive(move || td_string!(i18n.get_locale(), auth.setup_title).to_string())>
            <p class="muted">{t!(i18n, auth.setup_intro)}</p>
            {move || match due.get() {
                None => view! { <p class="muted">{t!(i18n, common.loading)}</p> }.into_any(),
                Some(Err(_)) => view! {
                    <p class="error" role="alert" id="setup-gone">{t!(i18n, auth.setup_gone)}</p>
                    <p class="login-links"><a href="/login">{t!(i18n, auth.factor_restart)}</a></p>
                }.into_any(),
                Some(Ok(until)) => view! {
                    <p id="setup-when">
                        {move || match until {
                            Some(at) => td_string!(i18n.get_locale(), auth.setup_until,
                                date = long_date(i18n.get_locale(), wire::time::local_date(at))).to_string(),
                            None => td_string!(i18n.get_locale(), auth.setup_now).to_string(),
                        }}
                    </p>
                    <SecondFactors factors=factors />
                    <ErrorMessage error=error />
                    <div class="form-actions setup-actions">
                        <button type="button" class="button button-primary" id="setup-continue"
                            on:click=go_on>{t!(i18n, auth.setup_continue)}</button>
                        {until.is_some().then(|| view! {
                            <button type="button" class="button" id="setup-later"
                                on:click=go_on>{t!(i18n, auth.setup_later)}</button>
                        })}
                    </div>
                }.into_any(),
            }}
        </PublicPage>
    }
}
