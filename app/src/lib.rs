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
pub mod labels;
mod lazy_pages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod url;

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
        <I18nContextProvider>
            <Router>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view={Lazy::<lazy_pages::Home>::new()} />
                    <Route path=path!("/login") view={Lazy::<lazy_pages::Login>::new()} />
                    <Route path=path!("/developers") view={Lazy::<lazy_pages::Developers>::new()} />
                    <Route path=path!("/admin") view=lazy_pages::admin />
                    <Route path=path!("/admin/roles") view={Lazy::<lazy_pages::Roles>::new()} />
                    <Route path=path!("/admin/import") view={Lazy::<lazy_pages::Import>::new()} />
                    <Route path=path!("/admin/import/:run") view={Lazy::<lazy_pages::ImportRun>::new()} />
                    <Route path=path!("/admin/journal") view={Lazy::<lazy_pages::Journal>::new()} />
                    <Route path=path!("/admin/tokens") view={Lazy::<lazy_pages::Tokens>::new()} />
                    <Route path=path!("/admin/groups") view={Lazy::<lazy_pages::Groups>::new()} />
                    <Route path=path!("/admin/properties") view={Lazy::<lazy_pages::Properties>::new()} />
                    <Route path=path!("/operator") view={Lazy::<lazy_pages::Operator>::new()} />
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

    #[test]
    fn should_have_a_message_for_every_error_code() {
        let nl = keys("nl");
        for code in crate::error::KNOWN_CODES {
            assert!(
                nl.contains(&format!("errors.{code}")),
                "no translation for {code}"
            );
        }
    }
}
