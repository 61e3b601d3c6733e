//! Second factors on the profile: the authenticator apps (added, last used, remove after a
//! confirmation), setting one up (a QR code or the secret to type, then a first code), and the
//! recovery codes (how many are left; a new set, shown once). Passkeys beside them, where the
//! server and the browser offer them.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::factors::{
    confirm_authenticator, enrol_authenticator, finish_passkey, my_factors, passkeys_offered,
    remove_factor, renew_recovery_codes, start_passkey, EnrolmentView, FactorView, FactorsView,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::DateTimeText;
use crate::components::error_message::ErrorMessage;
use crate::components::in_browser::in_browser;
use crate::components::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;

/// The user's factors and what reloads them: made by the page before any Suspend (the
/// server may build a Suspend's content more than once, and a resource made inside one would
/// be numbered by timing, not as the browser numbers it).
#[derive(Clone, Copy)]
pub struct FactorsLoad {
    load: Resource<Result<FactorsView, AppError>>,
    refetch: Callback<()>,
}

impl FactorsLoad {
    pub fn start() -> FactorsLoad {
        let version = RwSignal::new(0u32);
        FactorsLoad {
            load: Resource::new(move || version.get(), |_| my_factors()),
            refetch: Callback::new(move |_| version.update(|v| *v += 1)),
        }
    }
}

#[component]
pub fn SecondFactors(factors: FactorsLoad) -> impl IntoView {
    let i18n = use_i18n();
    let FactorsLoad { load, refetch } = factors;
    let error = RwSignal::new(None::<AppError>);
    // Recovery codes just made: shown until the user says they saved them.
    let shown_codes = RwSignal::new(None::<Vec<String>>);
    let enrolment = RwSignal::new(None::<EnrolmentView>);
    let renew_open = RwSignal::new(false);
    let renew = Callback::new(move |_| {
        spawn_local(async move {
            match renew_recovery_codes().await {
                Ok(codes) => {
                    error.set(None);
                    shown_codes.set(Some(codes));
                    refetch.run(());
                }
                Err(err) => error.set(Some(err)),
            }
        });
    });
    view! {
        <section class="panel" aria-labelledby="factors-title" id="second-factors">
            <h2 id="factors-title" class="panel-title">{t!(i18n, profile.factors_title)}</h2>
            <p class="muted">{t!(i18n, profile.factors_intro)}</p>
            <Loaded load=load let:view>
                {
                    let left = view.recovery_codes_left;
                    let has_factors = !view.factors.is_empty();
                    view! {
                        {if view.factors.is_empty() {
                            view! { <p class="empty-state" id="no-factors">{t!(i18n, profile.factors_none)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="factor-list">
                                    {view.factors.into_iter().map(|f| view! {
                                        <FactorRow factor=f error=error refetch=refetch />
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {has_factors.then(|| view! {
                            <p class="factor-recovery" id="recovery-left">
                                {move || td_string!(i18n.get_locale(), profile.recovery_left, count = left).to_string()}
                                " "
                                <button type="button" class="link-button" id="renew-recovery"
                                    on:click=move |_| renew_open.set(true)>
                                    {t!(i18n, profile.recovery_renew)}
                                </button>
                            </p>
                        })}
                    }
                }
            </Loaded>
            {move || shown_codes.get().map(|codes| view! {
                <RecoveryCodes codes=codes on_done=Callback::new(move |_| shown_codes.set(None)) />
            })}
            {move || match enrolment.get() {
                Some(started) => view! {
                    <ConfirmEnrolment started=started error=error
                        on_done=Callback::new(move |codes: Option<Vec<String>>| {
                            enrolment.set(None);
                            if codes.is_some() {
                                shown_codes.set(codes);
                            }
                            refetch.run(());
                        })
                        on_cancel=Callback::new(move |_| enrolment.set(None)) />
                }.into_any(),
                None => view! {
                    <StartEnrolment enrolment=enrolment error=error />
                    <AddPasskey error=error on_done=Callback::new(move |codes: Option<Vec<String>>| {
                        if codes.is_some() {
                            shown_codes.set(codes);
                        }
                        refetch.run(());
                    }) />
                }.into_any(),
            }}
            <ErrorMessage error=error />
            <ConfirmDialog
                open=renew_open
                title=Signal::derive(move || td_string!(i18n.get_locale(), profile.recovery_renew).to_string())
                message=Signal::derive(move || td_string!(i18n.get_locale(), profile.recovery_confirm_renew).to_string())
                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), profile.recovery_renew_button).to_string())
                on_confirm=renew
            />
        </section>
    }
}

#[component]
fn FactorRow(
    factor: FactorView,
    error: RwSignal<Option<AppError>>,
    refetch: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let id = factor.id;
    let remove = Callback::new(move |_| {
        spawn_local(async move {
            match remove_factor(id).await {
                Ok(()) => {
                    error.set(None);
                    refetch.run(());
                }
                Err(err) => error.set(Some(err)),
            }
        });
    });
    let (label_name, title_name, message_name) = (
        factor.name.clone(),
        factor.name.clone(),
        factor.name.clone(),
    );
    view! {
        <li class="factor-row">
            <span class="factor-text">
                <span class="user-name">{factor.name.clone()}</span>
                <span class="badge">{move || if factor.passkey {
                    td_string!(i18n.get_locale(), profile.factor_kind_passkey)
                } else {
                    td_string!(i18n.get_locale(), profile.factor_kind_app)
                }}</span>
                <span class="user-email">
                    {t!(i18n, profile.factor_added)}" "<DateTimeText at=factor.created_at />
                    {factor.last_used_at.map(|at| view! {
                        " · "{t!(i18n, profile.factor_last_used)}" "<DateTimeText at=at />
                    })}
                </span>
            </span>
            <button type="button" class="button button-small" id=format!("remove-factor-{id}")
                aria-label=move || td_string!(i18n.get_locale(), profile.factor_remove, name = label_name.clone()).to_string()
                on:click=move |_| confirm.set(true)>
                {t!(i18n, profile.factor_remove_button)}
            </button>
            <ConfirmDialog
                open=confirm
                title=Signal::derive(move || td_string!(i18n.get_locale(), profile.factor_remove, name = title_name.clone()).to_string())
                message=Signal::derive(move || td_string!(i18n.get_locale(), profile.factor_confirm_remove, name = message_name.clone()).to_string())
                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), profile.factor_remove_button).to_string())
                on_confirm=remove
            />
        </li>
    }
}

#[component]
fn StartEnrolment(
    enrolment: RwSignal<Option<EnrolmentView>>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(
        td_string!(i18n.get_locale_untracked(), profile.factor_name_default).to_string(),
    );
    let busy = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let chosen = name.get_untracked();
        spawn_local(async move {
            match enrol_authenticator(chosen).await {
                Ok(started) => {
                    error.set(None);
                    enrolment.set(Some(started));
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="form factor-start" id="factor-start" on:submit=start>
            <div class="field">
                <label for="factor-name">{t!(i18n, profile.factor_name)}</label>
                <input id="factor-name" type="text" maxlength="100" required
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <button type="submit" class="button" id="factor-add" disabled=move || busy.get()>
                {t!(i18n, profile.factor_start)}
            </button>
        </form>
    }
}

/// Adds a passkey: the browser makes it (asking the user to unlock the device), the server
/// checks and keeps it. Shown where the server and the browser offer passkeys.
#[component]
fn AddPasskey(
    error: RwSignal<Option<AppError>>,
    on_done: Callback<Option<Vec<String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let offered = in_browser(
        || (),
        |()| async { crate::passkeys::supported() && passkeys_offered().await.unwrap_or(false) },
    );
    let name = RwSignal::new(
        td_string!(i18n.get_locale_untracked(), profile.passkey_name_default).to_string(),
    );
    let busy = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let chosen = name.get_untracked();
        spawn_local(async move {
            let outcome = async {
                let options = start_passkey().await?;
                let answer = crate::passkeys::create(&options).await?;
                finish_passkey(chosen, answer).await
            }
            .await;
            match outcome {
                Ok(codes) => {
                    error.set(None);
                    on_done.run(codes);
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <Show when=move || offered.get().unwrap_or(false)>
            <form class="form factor-start" id="passkey-start" on:submit=add>
                <div class="field">
                    <label for="passkey-name">{t!(i18n, profile.passkey_name)}</label>
                    <input id="passkey-name" type="text" maxlength="100" required
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="button" id="passkey-add" disabled=move || busy.get()>
                    {t!(i18n, profile.passkey_add)}
                </button>
            </form>
        </Show>
    }
}

#[component]
fn ConfirmEnrolment(
    started: EnrolmentView,
    error: RwSignal<Option<AppError>>,
    on_done: Callback<Option<Vec<String>>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let factor = started.factor;
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let typed = code.get_untracked();
        spawn_local(async move {
            match confirm_authenticator(factor, typed).await {
                Ok(codes) => {
                    error.set(None);
                    on_done.run(codes);
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="form factor-enrol" id="factor-enrol" on:submit=confirm>
            <p>{t!(i18n, profile.factor_scan)}</p>
            <div class="factor-qr" role="img"
                aria-label=move || td_string!(i18n.get_locale(), profile.factor_qr).to_string()
                inner_html=started.qr_svg.clone()></div>
            <p class="muted">{t!(i18n, profile.factor_secret_label)}</p>
            <p><code class="factor-secret" id="factor-secret">{started.secret.clone()}</code></p>
            <div class="field">
                <label for="factor-code">{t!(i18n, profile.factor_code)}</label>
                <input id="factor-code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    required maxlength="7" prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev)) />
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" id="factor-confirm" disabled=move || busy.get()>
                    {t!(i18n, profile.factor_confirm)}
                </button>
                <button type="button" class="button" id="factor-cancel" on:click=move |_| on_cancel.run(())>
                    {t!(i18n, profile.factor_cancel)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn RecoveryCodes(codes: Vec<String>, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notice recovery-codes" id="recovery-codes" role="status">
            <p><strong>{t!(i18n, profile.recovery_shown_once)}</strong></p>
            <ul class="recovery-code-list">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <button type="button" class="button" id="recovery-saved" on:click=move |_| on_done.run(())>
                {t!(i18n, profile.recovery_done)}
            </button>
        </div>
    }
}
