//! A user's licence as every page says it: "Actief sinds 8 juni 2023", in a pill whose class
//! and `data-licence` carry the state's key.
use leptos::prelude::*;
use wire::LicenceState;

use super::date::{long_date, short_date};
use crate::i18n::*;

/// The state and its day, in the reader's language (`short`: the tables' date form).
pub fn licence_text(locale: Locale, state: LicenceState, short: bool) -> String {
    let day = |d| {
        if short {
            short_date(locale, d)
        } else {
            long_date(locale, d)
        }
    };
    match state {
        LicenceState::Active(d) => {
            td_string!(locale, admin.licence_active_since, date = day(d)).to_string()
        }
        LicenceState::Upcoming(d) => {
            td_string!(locale, admin.licence_active_from, date = day(d)).to_string()
        }
        LicenceState::Expired(d) => {
            td_string!(locale, admin.licence_expired_since, date = day(d)).to_string()
        }
        LicenceState::None => td_string!(locale, admin.licence_none).to_string(),
    }
}

/// The pill: follows `state` as it changes (assign, take away).
#[component]
pub fn LicencePill(
    #[prop(into)] state: Signal<LicenceState>,
    #[prop(optional)] id: Option<&'static str>,
    /// The short date form, for tables.
    #[prop(optional)]
    short: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span id=id class=move || format!("pill pill-licence-{}", state.get().key())
            data-licence=move || state.get().key()>
            {move || licence_text(i18n.get_locale(), state.get(), short)}
        </span>
    }
}
