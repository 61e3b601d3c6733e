//! The words the server writes itself, one JSON file per language beside this module: mail
//! (laid out by [`crate::mail`]), the headers and texts of the files it produces (exports, the
//! import template, result files), and problems described in one line with the messages of
//! the error codes (`wire::texts`, the same the pages show).
use std::collections::HashMap;
use std::sync::OnceLock;

/// The languages the server writes in; the first is the default.
pub const LANGUAGES: [&str; 3] = ["nl", "fr", "en"];

const SOURCES: [(&str, &str); 3] = [
    ("nl", include_str!("nl.json")),
    ("fr", include_str!("fr.json")),
    ("en", include_str!("en.json")),
];

/// The texts of a language (a file that does not parse counts as empty: the key test fails).
pub fn texts_of(locale: &str) -> &'static HashMap<String, String> {
    static TEXTS: OnceLock<HashMap<&'static str, HashMap<String, String>>> = OnceLock::new();
    static EMPTY: OnceLock<HashMap<String, String>> = OnceLock::new();
    let all = TEXTS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, source)| (*lang, serde_json::from_str(source).unwrap_or_default()))
            .collect()
    });
    all.get(locale)
        .or_else(|| all.get(LANGUAGES[0]))
        .unwrap_or_else(|| EMPTY.get_or_init(HashMap::new))
}

/// An error code's message with its details, in one line (the messages are those the pages
/// show: `wire/texts/<lang>/errors.json`).
pub(crate) fn error_message(locale: &str, code: &str, details: &[String]) -> String {
    let lang = wire::Lang::parse(locale).unwrap_or_default();
    wire::Code::parse(code).map_or_else(|| code.to_string(), |code| code.describe(lang, details))
}

/// A text of `locale` by key (the key itself when missing: the key test catches that).
pub fn text(locale: &str, key: &str) -> String {
    texts_of(locale)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// "E-mail: This e-mail address is not valid." for a file's message column.
pub fn describe_problem(
    locale: &str,
    column: Option<&str>,
    code: &str,
    details: &[String],
) -> String {
    let t = |key: &str| text(locale, key);
    let message = error_message(locale, code, details);
    match column {
        Some(column) => format!("{}: {message}", t(&format!("column.{column}"))),
        None => message,
    }
}

/// A day in the short form of tables: "08/06/2023" (nl, fr), "8 Jun 2023" (en), the month's
/// abbreviation from the texts.
pub fn short_date(locale: &str, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if locale == "en" {
        let months = text(locale, "date.months_short");
        let month = months
            .split(',')
            .nth(date.month0() as usize)
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        format!("{} {month} {}", date.day(), date.year())
    } else {
        date.format("%d/%m/%Y").to_string()
    }
}

/// `{name}` in a text replaced by its value.
pub(crate) fn fill(text: &str, params: &[(&str, String)]) -> String {
    params.iter().fold(text.to_string(), |text, (key, value)| {
        text.replace(&format!("{{{key}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_have_the_same_mail_texts_in_every_language() {
        let keys = |lang: &str| {
            let mut keys: Vec<&String> = texts_of(lang).keys().collect();
            keys.sort();
            keys
        };
        assert!(!keys("nl").is_empty(), "nl.json does not parse");
        for lang in LANGUAGES {
            assert_eq!(keys(lang), keys("nl"), "mail texts of {lang}");
        }
    }
}
