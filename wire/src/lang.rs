//! The languages Licentia speaks, and how a request names one.
use serde::{Deserialize, Serialize};

/// A language of the interface, mail and files. Dutch is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    Fr,
    En,
}

/// The cookie the language switch sets (and a sign-in that brings a remembered language).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nl, Lang::Fr, Lang::En];

    /// `nl`, `fr` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `nl`, `fr` or `en` (nothing else).
    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.as_str() == code)
    }

    /// The first of nl, fr and en an `Accept-Language` header accepts, by its order.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or_default()))
    }

    /// The language a `Cookie` header's language cookie names.
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::parse(value))
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_take_the_first_language_spoken_here() {
        assert_eq!(
            Lang::from_accept_language("de-DE, fr-BE;q=0.8, en;q=0.5"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(
            Lang::from_cookie_header("a=b; i18n_pref_locale=en"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookie_header("i18n_pref_locale=xx"), None);
    }
}
