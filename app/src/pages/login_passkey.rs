//! Passkeys on the sign-in pages: signing in with one alone (no username), and proving the
//! second step with one. Shown where the server and the browser offer passkeys.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::{
    finish_passkey_proof, finish_passkey_sign_in, start_passkey_proof, start_passkey_sign_in,
};
use crate::api::factors::passkeys_offered;
use crate::components::error_message::ErrorMessage;
use crate::components::in_browser::in_browser;
use crate::error::AppError;
use crate::i18n::*;

/// Whether passkeys can be used here (asked in the browser only).
fn offered() -> Signal<Option<bool>> {
    in_browser(
        || (),
        |()| async { crate::passkeys::supported() && passkeys_offered().await.unwrap_or(false) },
    )
}

/// Runs a ceremony: the server's options, the browser's passkey, the server's verdict; on
/// success the browser goes where the server says.
fn run<S, F, SF, FF>(start: S, finish: F, busy: RwSignal<bool>, error: RwSignal<Option<AppError>>)
where
    S: FnOnce() -> SF + 'static,
    SF: std::future::Future<Output = Result<String, AppError>>,
    F: FnOnce(String) -> FF + 'static,
    FF: std::future::Future<Output = Result<String, AppError>>,
{
    busy.set(true);
    spawn_local(async move {
        let outcome = async {
            let options = start().await?;
            let answer = crate::passkeys::get(&options).await?;
            finish(answer).await
        }
        .await;
        match outcome {
            Ok(target) => {
                let _ = window().location().set_href(&target);
            }
            Err(err) => {
                error.set(Some(err));
                busy.set(false);
            }
        }
    });
}

/// "Sign in with a passkey", under the sign-in form.
#[component]
pub fn PasskeySignIn(#[prop(into)] next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let offered = offered();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let sign_in = move |_| {
        let next = next.get_untracked();
        run(
            start_passkey_sign_in,
            move |answer| finish_passkey_sign_in(answer, next),
            busy,
            error,
        );
    };
    view! {
        <Show when=move || offered.get().unwrap_or(false)>
            <div class="sso-divider" role="presentation"><span>{t!(i18n, auth.or)}</span></div>
            <button type="button" class="button button-wide" id="passkey-sign-in"
                disabled=move || busy.get() on:click=sign_in>
                {t!(i18n, auth.passkey_sign_in)}
            </button>
            <ErrorMessage error=error />
        </Show>
    }
}

/// "Use a passkey" on the second step of a sign-in.
#[component]
pub fn PasskeyProof(#[prop(into)] next: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let offered = offered();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let prove = move |_| {
        let next = next.get_untracked();
        run(
            start_passkey_proof,
            move |answer| finish_passkey_proof(answer, next),
            busy,
            error,
        );
    };
    view! {
        <Show when=move || offered.get().unwrap_or(false)>
            <div class="sso-divider" role="presentation"><span>{t!(i18n, auth.or)}</span></div>
            <p class="muted">{t!(i18n, auth.factor_passkey_intro)}</p>
            <button type="button" class="button button-wide" id="factor-passkey"
                disabled=move || busy.get() on:click=prove>
                {t!(i18n, auth.factor_use_passkey)}
            </button>
            <ErrorMessage error=error />
        </Show>
    }
}
