use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Login;
use crate::api::profile::sign_in_providers;
use crate::components::error_message::ErrorMessage;
use crate::components::language_switch::LanguageSwitch;
use crate::components::loaded::LoadedList;
use crate::error::{AppError, Code};
use crate::i18n::*;

/// The sign-in page. After signing in the browser loads the page that was asked for (a full
/// load, so the page renders in the user's remembered language).
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    let login = ServerAction::<Login>::new();
    // A refusal from the form, or from a provider round trip (`?sso_error=code`).
    let error = Signal::derive(move || {
        login.value().get().and_then(|r| r.err()).or_else(|| {
            query
                .read()
                .get("sso_error")
                .map(|code| AppError::code(Code::parse(&code).unwrap_or(Code::SsoFailed)))
        })
    });
    let providers = Resource::new(|| (), |_| sign_in_providers());
    // Opened with a site's code (`?code=…`): its register panel beside, if the site wants it.
    let code = query.read_untracked().get("code").unwrap_or_default();
    let beside = Resource::new(
        move || code.clone(),
        |code| async move {
            if code.is_empty() {
                return None;
            }
            crate::api::onboarding::check_code(code)
                .await
                .ok()
                .filter(|info| info.form.beside_sign_in)
        },
    );
    let register = ServerAction::<crate::api::onboarding::Register>::new();
    Effect::new(move |_| {
        if let Some(Ok(target)) = login.value().get() {
            let _ = window().location().set_href(&target);
        }
    });
    view! {
        <Title text=move || td_string!(i18n.get_locale(), auth.title) />
        <div class="login-page">
            <header class="login-top">
                <span class="brand">
                    <span class="brand-mark" aria-hidden="true">"L"</span>
                    <span class="brand-name">{t!(i18n, common.app_name)}</span>
                </span>
                <LanguageSwitch />
            </header>
            <main id="main" class="login-main">
                <section class="card login-card" aria-labelledby="login-title">
                    <h1 id="login-title">{t!(i18n, auth.title)}</h1>
                    <p class="muted">{t!(i18n, auth.intro)}</p>
                    <ActionForm action=login attr:class="form" attr:id="login-form">
                        <input type="hidden" name="next" prop:value=next />
                        <div class="field">
                            <label for="username">{t!(i18n, auth.username)}</label>
                            <input id="username" name="username" type="text" autocomplete="username"
                                autocapitalize="none" spellcheck="false" required autofocus />
                        </div>
                        <div class="field">
                            <label for="password">{t!(i18n, auth.password)}</label>
                            <input id="password" name="password" type="password"
                                autocomplete="current-password" required />
                        </div>
                        <ErrorMessage error=error />
                        <button type="submit" class="button button-primary button-wide" disabled=move || login.pending().get()>
                            {move || if login.pending().get() {
                                td_string!(i18n.get_locale(), auth.signing_in)
                            } else {
                                td_string!(i18n.get_locale(), auth.submit)
                            }}
                        </button>
                    </ActionForm>
                    <LoadedList load=providers quiet=true empty=|| () let:providers>
                        {
                            (!providers.is_empty()).then(|| view! {
                                <div class="sso-divider" role="presentation"><span>{t!(i18n, auth.or)}</span></div>
                                <div class="sso-buttons">
                                    {providers.into_iter().map(|p| {
                                        let key = p.key.clone();
                                        let href = move || format!(
                                            "/auth/sso/{key}?intent=sign_in&next={}",
                                            crate::url::encode(&next()),
                                        );
                                        let name = p.name.clone();
                                        view! {
                                            <a class="button button-wide sso-button" id=format!("sign-in-{}", p.key) rel="external" href=href>
                                                <img src=p.icon.clone() alt="" width="20" height="20" />
                                                {move || td_string!(i18n.get_locale(), auth.sign_in_with, provider = name.clone()).to_string()}
                                            </a>
                                        }
                                    }).collect_view()}
                                </div>
                            })
                        }
                    </LoadedList>
                    <super::login_passkey::PasskeySignIn next=Signal::derive(next) />
                    <p class="login-links">
                        <a href="/password/forgot" id="forgot-link">{t!(i18n, auth.forgot)}</a>
                        <a href="/signup" id="signup-link">{t!(i18n, auth.create)}</a>
                    </p>
                </section>
                <Suspense fallback=|| ()>
                    // Own Suspend: the register panel is an optional resource (`None` without a code), not a
                    // result with an error to show.
                    {move || Suspend::new(async move {
                        beside.await.map(|info| view! {
                            <section class="card login-card register-beside" aria-labelledby="register-beside-title">
                                <h2 id="register-beside-title">{t!(i18n, onboarding.register_title)}</h2>
                                {move || match register.value().get().and_then(|r| r.ok()) {
                                    Some(flow) => view! {
                                        <super::onboarding::register::Registered flow=flow next=next() />
                                    }.into_any(),
                                    None => view! {
                                        <super::onboarding::register::RegistrationForm info=info.clone() action=register id_prefix="reg-" />
                                    }.into_any(),
                                }}
                            </section>
                        })
                    })}
                </Suspense>
                <p class="login-tagline">{t!(i18n, auth.tagline)}</p>
            </main>
        </div>
    }
}
