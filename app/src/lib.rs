//! Licentia's pages, components and server functions, shared by the server (feature `ssr`)
//! and the browser (feature `hydrate`).
#![recursion_limit = "256"]

/// The generated translations (its code is not ours to lint).
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}
pub use generated::i18n;

/// A locale's code (`nl`, `fr`, `en`), for code outside the components (downloads, mail).
pub fn locale_code(locale: i18n::Locale) -> &'static str {
    use leptos_i18n::Locale as _;
    locale.as_str()
}

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod csp;
pub mod error;
#[cfg(feature = "ssr")]
pub mod files;
pub mod labels;
mod lazy_pages;
pub mod pages;
pub mod passkeys;
#[cfg(feature = "ssr")]
pub mod ssr;
/// Query encoding and the one check of where a sign-in may send the browser (in `wire`, which
/// the server shares).
pub use wire::url;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy};

use crate::i18n::*;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // With cargo-leptos' hash-files, the names carry a content hash (hash.txt
                // beside the binary): nginx lets browsers keep them for a year.
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Marks the page as hydrated once the shown route's view has hydrated (an effect runs only in
/// the browser, after the view it belongs to): the end-to-end tests wait for the mark. Each
/// route sets it itself, since a lazily loaded route hydrates after the rest of the app.
pub(crate) fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href="/favicon.svg" />
        <Meta name="color-scheme" content="light" />
        <components::icon::IconSprite />
        <I18nContextProvider>
            <Router>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view={Lazy::<lazy_pages::Home>::new()} />
                    <Route path=path!("/login") view={Lazy::<lazy_pages::Login>::new()} />
                    <Route path=path!("/login/second-factor") view={Lazy::<lazy_pages::LoginFactor>::new()} />
                    <Route path=path!("/login/second-factor/setup") view={Lazy::<lazy_pages::LoginSetup>::new()} />
                    <Route path=path!("/developers") view={Lazy::<lazy_pages::Developers>::new()} />
                    <Route path=path!("/admin") view=lazy_pages::admin />
                    <Route path=path!("/admin/roles") view={Lazy::<lazy_pages::Roles>::new()} />
                    <Route path=path!("/admin/import") view={Lazy::<lazy_pages::Import>::new()} />
                    <Route path=path!("/admin/import/:run") view={Lazy::<lazy_pages::ImportRun>::new()} />
                    <Route path=path!("/admin/rollover") view={Lazy::<lazy_pages::Rollover>::new()} />
                    <Route path=path!("/admin/journal") view={Lazy::<lazy_pages::Journal>::new()} />
                    <Route path=path!("/admin/usage") view={Lazy::<lazy_pages::AdminUsage>::new()} />
                    <Route path=path!("/admin/tokens") view={Lazy::<lazy_pages::Tokens>::new()} />
                    <Route path=path!("/admin/webhooks") view={Lazy::<lazy_pages::Webhooks>::new()} />
                    <Route path=path!("/admin/groups") view={Lazy::<lazy_pages::Groups>::new()} />
                    <Route path=path!("/admin/properties") view={Lazy::<lazy_pages::Properties>::new()} />
                    <Route path=path!("/operator") view={Lazy::<lazy_pages::Customers>::new()} />
                    <Route path=path!("/operator/customers/:id") view={Lazy::<lazy_pages::Customer>::new()} />
                    <Route path=path!("/operator/renewals") view={Lazy::<lazy_pages::Renewals>::new()} />
                    <Route path=path!("/operator/insights") view={Lazy::<lazy_pages::Insights>::new()} />
                    <Route path=path!("/operator/subscriptions") view={Lazy::<lazy_pages::OperatorSubscriptions>::new()} />
                    <Route path=path!("/operator/catalogue") view={Lazy::<lazy_pages::Catalogue>::new()} />
                    <Route path=path!("/operator/announcements") view={Lazy::<lazy_pages::OperatorAnnouncements>::new()} />
                    <Route path=path!("/operator/inbox") view={Lazy::<lazy_pages::Inbox>::new()} />
                    <Route path=path!("/operator/outbox") view={Lazy::<lazy_pages::Outbox>::new()} />
                    <Route path=path!("/profile") view={Lazy::<lazy_pages::Profile>::new()} />
                    <Route path=path!("/signup") view={Lazy::<lazy_pages::SignUp>::new()} />
                    <Route path=path!("/register") view={Lazy::<lazy_pages::Register>::new()} />
                    <Route path=path!("/verify") view={Lazy::<lazy_pages::Verify>::new()} />
                    <Route path=path!("/privacy") view={Lazy::<lazy_pages::Privacy>::new()} />
                    <Route path=path!("/password/forgot") view={Lazy::<lazy_pages::ForgotPassword>::new()} />
                    <Route path=path!("/password/set") view={Lazy::<lazy_pages::SetPassword>::new()} />
                    <Route path=path!("/password/change") view={Lazy::<lazy_pages::ChangePassword>::new()} />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

#[cfg(test)]
mod locale_tests {
    use std::collections::BTreeSet;

    fn keys(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let ns = path.file_stem().unwrap().to_string_lossy().to_string();
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (key, value) in json.as_object().unwrap() {
                assert!(
                    value.as_str().is_some_and(|v| !v.trim().is_empty()),
                    "{lang}/{ns}.{key} is empty"
                );
                keys.insert(format!("{ns}.{key}"));
            }
        }
        keys
    }

    #[test]
    fn should_have_every_key_in_every_language() {
        let nl = keys("nl");
        for lang in ["fr", "en"] {
            let other = keys(lang);
            let missing: Vec<_> = nl.symmetric_difference(&other).collect();
            assert!(
                missing.is_empty(),
                "keys missing between nl and {lang}: {missing:?}"
            );
        }
    }

    // The words of /work/shared/GLOSSARY.md (address, typography, terms), checked on every
    // text of a language: the pages' (locales/<lang>/*.json), the errors'
    // (wire/texts/<lang>/errors.json) and the mails' (domain/src/texts/<lang>.json).

    /// Every text of `lang` as (`lang/ns.key`, text).
    fn texts(lang: &str) -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for entry in std::fs::read_dir(root.join("locales").join(lang)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let ns = path.file_stem().unwrap().to_string_lossy().to_string();
                files.push((ns, path));
            }
        }
        files.sort();
        files.push((
            "errors".to_string(),
            root.join("../wire/texts").join(lang).join("errors.json"),
        ));
        files.push((
            "mail".to_string(),
            root.join("../domain/src/texts")
                .join(format!("{lang}.json")),
        ));
        let mut texts = Vec::new();
        for (ns, path) in files {
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for (key, value) in json.as_object().unwrap() {
                let text = value.as_str().unwrap_or_default().to_string();
                texts.push((format!("{lang}/{ns}.{key}"), text));
            }
        }
        assert!(!texts.is_empty(), "no texts for {lang}");
        texts
    }

    /// Fails with every offending `lang/ns.key: text`.
    fn assert_none_offend(rule: &str, offending: &[String]) {
        assert!(
            offending.is_empty(),
            "{rule} ({} texts):\n{}",
            offending.len(),
            offending.join("\n")
        );
    }

    /// The text without its placeholders (`{{ count }}`, `{name}`) and `%s`.
    fn without_placeholders(text: &str) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        for c in text.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out.replace("%s", "")
    }

    #[test]
    fn should_address_the_reader_as_je_in_dutch() {
        let offending: Vec<String> = texts("nl")
            .into_iter()
            .filter(|(_, text)| {
                without_placeholders(text)
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|word| matches!(word, "u" | "uw" | "U" | "Uw"))
            })
            .map(|(key, text)| format!("{key}: {text}"))
            .collect();
        assert_none_offend("Dutch says je/jouw, never u/uw", &offending);
    }

    const NO_BREAK_SPACES: [char; 2] = ['\u{a0}', '\u{202f}'];

    /// What is wrong with a French text's typography, if anything: a straight apostrophe or
    /// quote, no no-break space before `:` `;` `?` `!` used as punctuation (followed by a
    /// space, a quote or the end; not in `https://` or `10:30`), or none inside « ».
    fn french_typography_problem(text: &str) -> Option<&'static str> {
        if text.contains('\'') {
            return Some("a straight apostrophe (use ’)");
        }
        if text.contains('"') {
            return Some("a straight quote (use « »)");
        }
        let chars: Vec<char> = text.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let after = chars.get(i + 1).copied();
            let no_break_before = before.is_some_and(|b| NO_BREAK_SPACES.contains(&b));
            let no_break_after = after.is_some_and(|a| NO_BREAK_SPACES.contains(&a));
            let ends_a_phrase = match after {
                None => true,
                Some(a) => a.is_whitespace() || matches!(a, '"' | '\'' | '’' | '”' | '»'),
            };
            if matches!(c, ':' | ';' | '?' | '!') && i > 0 && ends_a_phrase && !no_break_before {
                return Some("no no-break space before : ; ? !");
            }
            if c == '«' && !no_break_after {
                return Some("no no-break space after «");
            }
            if c == '»' && !no_break_before {
                return Some("no no-break space before »");
            }
        }
        None
    }

    #[test]
    fn should_use_french_typography() {
        let offending: Vec<String> = texts("fr")
            .into_iter()
            .filter_map(|(key, text)| {
                french_typography_problem(&text).map(|problem| format!("{key}: {text} ({problem})"))
            })
            .collect();
        assert_none_offend("French typography", &offending);
    }

    #[test]
    fn should_use_curly_apostrophes_in_english_and_dutch() {
        let mut offending = Vec::new();
        for lang in ["en", "nl"] {
            for (key, text) in texts(lang) {
                if text.contains('\'') || text.contains('"') {
                    offending.push(format!("{key}: {text}"));
                }
            }
        }
        assert_none_offend(
            "straight ' or \" (use ’, and “ ” in English, ‘ ’ in Dutch)",
            &offending,
        );
    }

    /// Words the glossary replaced: (language, forbidden word or word start, lower case; the
    /// glossary's term; the keys where the word is right).
    const REPLACED_TERMS: &[(&str, &str, &str, &[&str])] = &[
        (
            "nl",
            "sleutel",
            "API-token (or code, for a property or product)",
            // The signing and encryption keys of licence files are keys.
            &["developers.licence_files_help", "errors.signing_key_in_use"],
        ),
        ("nl", "outbox", "uitgaande e-mails", &[]),
        ("nl", "inbox", "aanvragen van licenties", &[]),
        ("nl", "geclaimd", "gebruikt door / toegekend", &[]),
        ("nl", "opgeëist", "toegekend / gekregen", &[]),
        ("nl", "afnemen", "intrekken", &[]),
        ("nl", "toewijz", "toekennen", &[]),
        ("nl", "serviceaccount", "servicegebruiker", &[]),
        ("nl", "hr-koppeling", "HR-synchronisatie", &[]),
        // Licence files are encrypted (passwords are hashed).
        (
            "nl",
            "versleuteld",
            "gehasht",
            &["developers.licence_files_help"],
        ),
        (
            "nl",
            "voorbeeld",
            "voorvertoning (voorbeeld only for an example)",
            &[
                "groups.values_example",
                "mail.template.example_add",
                "mail.template.example_update",
                "mail.template.example_delete",
                "mail.template.help_9",
            ],
        ),
        (
            "fr",
            "clé",
            "jeton d’API (or code, for a property or product)",
            &["developers.licence_files_help", "errors.signing_key_in_use"],
        ),
        ("fr", "outbox", "e-mails sortants", &[]),
        ("fr", "boîte d’envoi", "e-mails sortants", &[]),
        ("fr", "boîte de réception", "demandes de licences", &[]),
        ("fr", "lot", "offre groupée", &[]),
        (
            "fr",
            "chiffré",
            "hachés",
            &["developers.licence_files_help"],
        ),
        ("fr", "page d’aperçu", "accueil (aperçu is a preview)", &[]),
        ("fr", "numéro de personnel", "matricule", &[]),
        (
            "en",
            "key",
            "API token (or code, for a property or product)",
            &["developers.licence_files_help", "errors.signing_key_in_use"],
        ),
        ("en", "outbox", "outgoing mail", &[]),
        ("en", "inbox", "licence requests", &[]),
        ("en", "claim", "assign / used by", &[]),
        (
            "en",
            "encrypted",
            "hashed",
            &["developers.licence_files_help"],
        ),
        ("en", "rights", "permissions", &[]),
        ("en", "notice", "announcement", &[]),
    ];

    /// Phrases that hold a replaced word and are right wherever they appear: (language, phrase,
    /// lower case). A passkey is “clé d’accès” in French, as the platforms that offer them say.
    const ALLOWED_PHRASES: &[(&str, &str)] = &[("fr", "clé d’accès"), ("fr", "clés d’accès")];

    /// The glossary's one sentence for “cannot be undone”, and the words that announce it.
    const CANNOT_BE_UNDONE: &[(&str, &[&str], &str)] = &[
        ("nl", &["ongedaan"], "Dit kan niet ongedaan worden gemaakt."),
        (
            "fr",
            &["irréversible", "définitive.", "ne peut pas être annulé"],
            "Cette action est irréversible.",
        ),
        ("en", &["undone"], "This cannot be undone."),
    ];

    #[test]
    fn should_use_the_glossary_terms() {
        let mut offending = Vec::new();
        for (lang, forbidden, term, allowed) in REPLACED_TERMS {
            for (key, text) in texts(lang) {
                let short_key = key.split_once('/').map_or(key.as_str(), |(_, k)| k);
                if allowed.contains(&short_key) {
                    continue;
                }
                let mut lower = without_placeholders(&text)
                    .to_lowercase()
                    .replace('\'', "’");
                for (in_lang, phrase) in ALLOWED_PHRASES {
                    if in_lang == lang {
                        lower = lower.replace(phrase, "");
                    }
                }
                let at_a_word_start = lower.match_indices(forbidden).any(|(i, _)| {
                    !lower[..i]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                });
                if at_a_word_start {
                    offending.push(format!("{key}: {text} (“{forbidden}”: say {term})"));
                }
            }
        }
        for (lang, markers, sentence) in CANNOT_BE_UNDONE {
            for (key, text) in texts(lang) {
                let lower = text.to_lowercase();
                if markers.iter().any(|m| lower.contains(m)) && !text.contains(sentence) {
                    offending.push(format!("{key}: {text} (say “{sentence}”)"));
                }
            }
        }
        assert_none_offend("terms the glossary replaces", &offending);
    }
}
