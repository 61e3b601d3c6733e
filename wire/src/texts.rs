//! The messages of the error codes in each language (`wire/texts/<lang>/errors.json`): the
//! same text on pages, in mail and in files. A `%s` in a message takes a detail.
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::{Code, Lang};

const SOURCES: [(Lang, &str); 3] = [
    (Lang::Nl, include_str!("../texts/nl/errors.json")),
    (Lang::Fr, include_str!("../texts/fr/errors.json")),
    (Lang::En, include_str!("../texts/en/errors.json")),
];

type Messages = HashMap<String, String>;

fn messages(lang: Lang) -> Option<&'static Messages> {
    static ALL: OnceLock<Vec<(Lang, Messages)>> = OnceLock::new();
    ALL.get_or_init(|| {
        SOURCES
            .iter()
            // A file that does not parse counts as empty: the tests fail on it.
            .map(|(lang, source)| (*lang, serde_json::from_str(source).unwrap_or_default()))
            .collect()
    })
    .iter()
    .find(|(l, _)| *l == lang)
    .map(|(_, messages)| messages)
}

impl Code {
    /// This code's message in `lang`, `%s` still in it (the code itself if it had none: the
    /// tests fail on that).
    pub fn message(self, lang: Lang) -> &'static str {
        messages(lang)
            .and_then(|m| m.get(self.as_str()))
            .map_or(self.as_str(), String::as_str)
    }
}

impl Code {
    /// The message with its details in one line, for a file or a mail: each `%s` takes a
    /// detail, or the details follow the message ("Still granted at: A, B").
    pub fn describe(self, lang: Lang, details: &[String]) -> String {
        let message = self.message(lang);
        if details.is_empty() || message.contains("%s") {
            fill(message, details)
        } else {
            format!("{message} {}", details.join(", "))
        }
    }
}

/// Each `%s` of a message takes the next detail (the last one again when they run out; left
/// as it is without details).
pub fn fill(message: &str, details: &[String]) -> String {
    if details.is_empty() {
        return message.to_string();
    }
    let mut parts = message.split("%s");
    let mut out = parts.next().unwrap_or_default().to_string();
    for (n, rest) in parts.enumerate() {
        out.push_str(details.get(n).or(details.last()).map_or("", String::as_str));
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The messages are exactly the codes, in every language: none without its text, no text
    /// left over from a code that is gone, none empty.
    #[test]
    fn should_have_a_message_for_every_error_code_and_no_other() {
        let codes: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for (lang, source) in SOURCES {
            let messages: Messages = serde_json::from_str(source).unwrap_or_default();
            assert!(!messages.is_empty(), "{lang}: errors.json does not parse");
            let keys: BTreeSet<&str> = messages.keys().map(String::as_str).collect();
            let differ: Vec<_> = codes.symmetric_difference(&keys).collect();
            assert!(
                differ.is_empty(),
                "{lang}: errors.json and the codes differ: {differ:?}"
            );
            let empty: Vec<_> = messages
                .iter()
                .filter(|(_, v)| v.trim().is_empty())
                .collect();
            assert!(empty.is_empty(), "{lang}: empty messages {empty:?}");
        }
    }

    #[test]
    fn should_fill_each_placeholder_with_the_next_detail() {
        let d = |d: &[&str]| d.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(fill("in %s, to %s.", &d(&["A", "B"])), "in A, to B.");
        assert_eq!(fill("in %s, to %s.", &d(&["A"])), "in A, to A.");
        assert_eq!(fill("in %s, to %s.", &[]), "in %s, to %s.");
        assert_eq!(fill("Still granted.", &d(&["A"])), "Still granted.");
    }
}
