//! A user's licence as every page says it: "Actief sinds 8 juni 2023", in a pill whose class
//! and `data-licence` carry the state's key.
use leptos::prelude::*;
use wire::LicenceState;

use super::date::long_date;
use crate::i18n::*;

/// The state and its day, in the reader's language.
pub fn licence_text(locale: Locale, state: LicenceState) -> String {
    match state {
        LicenceState::Active(day) => td_string!(
            locale,
            admin.licence_active_since,
            date = long_date(locale, day)
        )
        .to_string(),
        LicenceState::Upcoming(day) => td_string!(
            locale,
            admin.licence_active_from,
            date = long_date(locale, day)
        )
        .to_string(),
        LicenceState::Expired(day) => td_string!(
            locale,
            admin.licence_expired_since,
            date = long_date(locale, day)
        )
        .to_string(),
        LicenceState::None => td_string!(locale, admin.licence_none).to_string(),
    }
}

/// The pill: follows `state` as it changes (assign, take away).
#[component]
pub fn LicencePill(
    #[prop(into)] state: Signal<LicenceState>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span id=id class=move || format!("pill pill-licence-{}", state.get().key())
            data-licence=move || state.get().key()>
            {move || licence_text(i18n.get_locale(), state.get())}
        </span>
    }
}
