//! The types of a property and how a typed value is checked and normalised.
use chrono::NaiveDate;

use crate::error::{Code, Error, Result};

/// The longest text value.
pub const MAX_TEXT: usize = 500;

/// The type of a property's values (the wire's own: pages match on it).
pub use wire::PropertyKind as Kind;

/// The type named `raw` (`text`, `number`, `date`, `choice`), or why it is none.
pub fn parse(raw: &str) -> Result<Kind> {
    Kind::parse(raw.trim()).ok_or(Error::invalid("kind", Code::PropertyKindInvalid))
}

/// Checking a value against its type.
pub trait Normalise {
    fn normalise(self, raw: &str, choices: &[String]) -> Result<Option<String>>;
}

impl Normalise for Kind {
    /// The stored form of `raw`, or why it is not a value of this type. Empty is `None`.
    /// Numbers take a decimal comma or dot and are stored with a dot; dates are ISO, or
    /// day-month-year with `-`, `/` or `.`; a choice matches its option in any case.
    fn normalise(self, raw: &str, choices: &[String]) -> Result<Option<String>> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let value = match self {
            Kind::Text => {
                if text.chars().count() > MAX_TEXT {
                    return Err(Error::invalid("value", Code::PropertyTextTooLong));
                }
                text.to_string()
            }
            Kind::Number => {
                let number: f64 = text
                    .replace(' ', "")
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| Error::invalid("value", Code::PropertyNumberInvalid))?;
                if !number.is_finite() {
                    return Err(Error::invalid("value", Code::PropertyNumberInvalid));
                }
                number.to_string()
            }
            Kind::Date => parse_date(text)
                .ok_or(Error::invalid("value", Code::PropertyDateInvalid))?
                .to_string(),
            Kind::Choice => choices
                .iter()
                .find(|c| c.to_lowercase() == text.to_lowercase())
                .cloned()
                .ok_or(Error::invalid("value", Code::PropertyChoiceInvalid))?,
        };
        Ok(Some(value))
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_check_and_normalise_each_type() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            Kind::Text.normalise("  Care ", &none),
            Ok(Some("Care".into()))
        );
        assert_eq!(Kind::Text.normalise("", &none), Ok(None));
        assert_eq!(
            Kind::Text.normalise(&"x".repeat(MAX_TEXT + 1), &none),
            Err(Error::invalid("value", Code::PropertyTextTooLong))
        );
        assert_eq!(
            Kind::Number.normalise("1 250,50", &none),
            Ok(Some("1250.5".into()))
        );
        assert_eq!(Kind::Number.normalise("-3", &none), Ok(Some("-3".into())));
        for bad in ["12a", "inf", "NaN", "1,2,3"] {
            assert_eq!(
                Kind::Number.normalise(bad, &none),
                Err(Error::invalid("value", Code::PropertyNumberInvalid)),
                "{bad}"
            );
        }
        assert_eq!(
            Kind::Date.normalise("2026-09-01", &none),
            Ok(Some("2026-09-01".into()))
        );
        assert_eq!(
            Kind::Date.normalise("1/9/2026", &none),
            Ok(Some("2026-09-01".into()))
        );
        assert_eq!(
            Kind::Date.normalise("01.09.2026", &none),
            Ok(Some("2026-09-01".into()))
        );
        assert_eq!(
            Kind::Date.normalise("2026-02-30", &none),
            Err(Error::invalid("value", Code::PropertyDateInvalid))
        );
        let choices = vec!["Care".to_string(), "Kitchen".to_string()];
        assert_eq!(
            Kind::Choice.normalise("kitchen", &choices),
            Ok(Some("Kitchen".into()))
        );
        assert_eq!(
            Kind::Choice.normalise("Garden", &choices),
            Err(Error::invalid("value", Code::PropertyChoiceInvalid))
        );
        assert_eq!(
            parse("colour"),
            Err(Error::invalid("kind", Code::PropertyKindInvalid))
        );
    }
}
