//! Dates and times in the reader's language ("8 juni 2023", "1er juin 2023", "8 June 2023")
//! and, for times, in Belgian time (`wire::time`), never ISO or UTC: one place for every page.
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use leptos::prelude::*;

use crate::i18n::*;

/// "8 juni 2023", "1er juin 2023", "8 June 2023".
pub fn long_date(locale: Locale, date: NaiveDate) -> String {
    // The month names and the first day's form ("1er") are the translators' (common.json).
    let months = td_string!(locale, common.months);
    let month = months
        .split(',')
        .nth(date.month0() as usize)
        .map(str::trim)
        .unwrap_or_default();
    let day = match date.day() {
        1 => td_string!(locale, common.first_of_month).to_string(),
        day => day.to_string(),
    };
    format!("{day} {month} {}", date.year())
}

/// The short form for tables: "08/06/2023" (nl, fr), "8 Jun 2023" (en).
pub fn short_date(locale: Locale, date: NaiveDate) -> String {
    match locale {
        Locale::nl | Locale::fr => date.format("%d/%m/%Y").to_string(),
        Locale::en => {
            let months = td_string!(locale, common.months);
            let month = months
                .split(',')
                .nth(date.month0() as usize)
                .map(str::trim)
                .unwrap_or_default();
            let short: String = month.chars().take(3).collect();
            format!("{} {short} {}", date.day(), date.year())
        }
    }
}

/// A moment in Belgian time: "8 juni 2023 om 14:05", "8 juin 2023 à 14 h 05",
/// "8 June 2023 at 14:05".
pub fn date_time(locale: Locale, at: DateTime<Utc>) -> String {
    let local = wire::time::local(at);
    let date = long_date(locale, local.date());
    let time = match locale {
        Locale::fr => local.format("%H\u{a0}h\u{a0}%M").to_string(),
        Locale::nl | Locale::en => local.format("%H:%M").to_string(),
    };
    td_string!(locale, common.date_at_time, date = date, time = time).to_string()
}

/// A day, in the reader's language, as a `<time>` element.
#[component]
pub fn DateText(date: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    view! { <time datetime=date.to_string()>{move || long_date(i18n.get_locale(), date)}</time> }
}

/// A day in the short form of the reader's language (tables), as a `<time>` element.
#[component]
pub fn ShortDate(date: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    view! { <time datetime=date.to_string()>{move || short_date(i18n.get_locale(), date)}</time> }
}

/// A moment, in the reader's language and Belgian time, as a `<time>` element.
#[component]
pub fn DateTimeText(at: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    view! { <time datetime=at.to_rfc3339()>{move || date_time(i18n.get_locale(), at)}</time> }
}

/// Today in Belgium, the same on the server and in the browser (so that hydration agrees).
pub fn today() -> NaiveDate {
    #[cfg(feature = "ssr")]
    let now = Utc::now();
    #[cfg(not(feature = "ssr"))]
    let now = DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    wire::time::local(now).date()
}

/// A warning under a date field whose value (`yyyy-mm-dd`) lies in the past, shown before the
/// form is saved: `children` says what saving it would do.
#[component]
pub fn PastDateWarning(
    #[prop(into)] value: Signal<String>,
    id: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let past = move || {
        NaiveDate::parse_from_str(value.get().trim(), "%Y-%m-%d").is_ok_and(|day| day < today())
    };
    view! {
        <Show when=past>
            <p class="alert alert-warning field-warning" role="status" id=id>{children()}</p>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn should_write_dates_as_each_language_does() {
        let day = |d| NaiveDate::from_ymd_opt(2023, 6, d).unwrap_or_default();
        assert_eq!(long_date(Locale::nl, day(8)), "8 juni 2023");
        assert_eq!(long_date(Locale::fr, day(8)), "8 juin 2023");
        assert_eq!(long_date(Locale::fr, day(1)), "1er juin 2023");
        assert_eq!(long_date(Locale::en, day(8)), "8 June 2023");
        assert_eq!(short_date(Locale::nl, day(8)), "08/06/2023");
        assert_eq!(short_date(Locale::fr, day(8)), "08/06/2023");
        assert_eq!(short_date(Locale::en, day(8)), "8 Jun 2023");
        let december = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
        assert_eq!(long_date(Locale::nl, december), "31 december 2026");
        assert_eq!(long_date(Locale::fr, december), "31 décembre 2026");
        assert_eq!(long_date(Locale::en, december), "31 December 2026");
    }

    /// Every language names its twelve months (common.months), none empty.
    #[test]
    fn should_name_twelve_months_in_every_language() {
        for locale in [Locale::nl, Locale::fr, Locale::en] {
            let months = td_string!(locale, common.months);
            let names: Vec<&str> = months.split(',').map(str::trim).collect();
            assert_eq!(names.len(), 12, "{locale:?}: {months}");
            assert!(names.iter().all(|n| !n.is_empty()), "{locale:?}: {months}");
        }
    }

    #[test]
    fn should_write_times_in_belgian_time() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 3, 13, 5, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(date_time(Locale::nl, at), "3 december 2026 om 14:05");
        assert_eq!(
            date_time(Locale::fr, at),
            "3 décembre 2026 à 14\u{a0}h\u{a0}05"
        );
        assert_eq!(date_time(Locale::en, at), "3 December 2026 at 14:05");
    }
}
