//! The proof-of-work check of the registration and sign-up forms (no third party): fetches a
//! challenge, finds its number in the browser (SHA-256 over the salt and each number in turn,
//! a second or so, pausing now and then so the page stays responsive) and puts the answer in
//! the form's hidden `proof` field. A live region says what it is doing. A challenge is taken
//! once, so every answer of the server (`round` changes) starts a new check.
use leptos::prelude::*;
use sha2::{Digest, Sha256};

use crate::api::onboarding::{issue_challenge, Challenge, Solution};
use crate::i18n::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Working,
    Done,
    Failed,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Working => "working",
            State::Done => "done",
            State::Failed => "failed",
        }
    }
}

/// Put inside the form. `ready` turns true once the answer is in the form (the submit button
/// waits for it).
#[component]
pub fn RobotCheck(#[prop(into)] round: Signal<usize>, ready: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let proof = RwSignal::new(String::new());
    let state = RwSignal::new(State::Working);
    Effect::new(move |_| {
        let this_round = round.get();
        proof.try_set(String::new());
        ready.try_set(false);
        state.try_set(State::Working);
        leptos::task::spawn_local(async move {
            let answer = match issue_challenge().await {
                Ok(c) => find(&c).await,
                Err(_) => None,
            };
            // A newer round (or a page that moved on) owns the form now.
            if round.try_get_untracked() != Some(this_round) {
                return;
            }
            match answer {
                Some(answer) => {
                    proof.try_set(answer);
                    state.try_set(State::Done);
                    ready.try_set(true);
                }
                None => {
                    state.try_set(State::Failed);
                }
            }
        });
    });
    let text = move || {
        let locale = i18n.get_locale();
        match state.get() {
            State::Working => td_string!(locale, onboarding.robot_checking),
            State::Done => td_string!(locale, onboarding.robot_done),
            State::Failed => td_string!(locale, onboarding.robot_failed),
        }
    };
    view! {
        <input type="hidden" name="proof" prop:value=move || proof.get() />
        <p class="help robot-check full-row" id="robot-check" role="status"
            data-state=move || state.get().as_str()>
            {move || (state.get() == State::Working).then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            {text}
        </p>
    }
}

/// The answer to a challenge as the form sends it (JSON), or none when no number fits.
async fn find(c: &Challenge) -> Option<String> {
    let target = unhex(&c.challenge)?;
    let salted = Sha256::new_with_prefix(c.salt.as_bytes());
    let mut start = 0u64;
    while start <= c.maxnumber {
        let end = start
            .saturating_add(5_000)
            .min(c.maxnumber.saturating_add(1));
        for number in start..end {
            let digest = salted
                .clone()
                .chain_update(number.to_string().as_bytes())
                .finalize();
            if digest.as_slice() == target.as_slice() {
                return serde_json::to_string(&Solution {
                    algorithm: c.algorithm.clone(),
                    challenge: c.challenge.clone(),
                    number,
                    salt: c.salt.clone(),
                    signature: c.signature.clone(),
                })
                .ok();
            }
        }
        start = end;
        pause().await;
    }
    None
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Lets the browser paint and handle input between rounds (a zero timer).
#[cfg(feature = "hydrate")]
async fn pause() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(not(feature = "hydrate"))]
async fn pause() {}
