//! Parsing and validation of form input. Every function returns a field-level error with a
//! code the UI translates; nothing here touches the database.
use chrono::NaiveDate;

use crate::error::{Code, Error, Result};

pub const MAX_NAME: usize = 100;
pub const MAX_SITE_NAME: usize = 200;
pub const MAX_SEATS: i64 = 1_000_000;

/// A case-insensitive "contains" pattern for LIKE with `\\` as escape: the search text
/// lower-cased, its wildcards taken literally. None when there is nothing to search for.
pub fn contains_pattern(raw: &str) -> Option<String> {
    let text = raw.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

pub fn site_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", Code::NameRequired));
    }
    if name.chars().count() > MAX_SITE_NAME {
        return Err(Error::invalid("name", Code::NameTooLong));
    }
    Ok(name.to_string())
}

pub fn seat_limit(raw: &str) -> Result<i32> {
    let text = raw.trim();
    let value: i64 = text
        .parse()
        .map_err(|_| Error::invalid("seat_limit", Code::SeatLimitNotANumber))?;
    if value < 0 {
        return Err(Error::invalid("seat_limit", Code::SeatLimitNegative));
    }
    if value > MAX_SEATS {
        return Err(Error::invalid("seat_limit", Code::SeatLimitTooLarge));
    }
    i32::try_from(value).map_err(|_| Error::invalid("seat_limit", Code::SeatLimitTooLarge))
}

/// An optional ISO date (`YYYY-MM-DD`, what `<input type=date>` sends); empty means none.
pub fn optional_date(field: &'static str, raw: &str) -> Result<Option<NaiveDate>> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Error::invalid(field, Code::DateInvalid))
}

/// Registration codes: 4 to 32 letters, digits or dashes; empty means none. Stored upper case.
pub fn registration_code(raw: &str) -> Result<Option<String>> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let valid = (4..=32).contains(&text.len())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid {
        return Err(Error::invalid(
            "registration_code",
            Code::RegistrationCodeInvalid,
        ));
    }
    Ok(Some(text.to_ascii_uppercase()))
}

/// Serial numbers: 6 to 11 digits (spaces and dashes as typed are ignored).
pub fn serial(raw: &str) -> Result<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if (6..=11).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(Error::invalid("serial", Code::SerialInvalid))
    }
}

/// A password someone chooses for themselves: 8 to 128 characters, not the username, not a
/// single repeated character and not one of the passwords every list of leaked ones starts with.
pub fn new_password(raw: &str, username: &str) -> Result<String> {
    if raw.is_empty() {
        return Err(Error::invalid("password", Code::PasswordRequired));
    }
    let plain = optional_password(raw)?.unwrap_or_default();
    let lower = plain.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    let one_char = chars.all(|c| Some(c) == first);
    let common = COMMON_PASSWORDS.contains(&lower.as_str());
    let is_username = !username.is_empty() && lower == username.to_lowercase();
    if one_char || common || is_username {
        return Err(Error::invalid("password", Code::PasswordWeak));
    }
    Ok(plain)
}

const COMMON_PASSWORDS: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "password",
    "password1",
    "wachtwoord",
    "motdepasse",
    "azertyuiop",
    "azerty123",
    "qwertyuiop",
    "qwerty123",
    "iloveyou",
    "welkom123",
    "bonjour123",
    "abcdefgh",
    "abcd1234",
    "11223344",
    "87654321",
    "letmein1",
    "licentia",
];

/// An e-mail address that must be there.
pub fn email(raw: &str) -> Result<String> {
    optional_email(raw)?.ok_or(Error::invalid("email", Code::EmailRequired))
}

/// Allowed e-mail domains of a site, typed one per line or separated by commas or spaces;
/// stored lower case, one per line. Empty means any domain.
pub fn allowed_domains(raw: &str) -> Result<Option<String>> {
    let mut domains: Vec<String> = Vec::new();
    for part in raw.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let domain = part.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let valid = domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(Error::invalid(
                "allowed_domains",
                Code::AllowedDomainsInvalid,
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok((!domains.is_empty()).then(|| domains.join("\n")))
}

/// A site's registration flow; empty means `immediate`.
pub fn registration_flow(raw: &str) -> Result<&'static str> {
    use crate::onboarding::{FLOW_APPROVAL, FLOW_IMMEDIATE, FLOW_VERIFY};
    match raw.trim() {
        "" | FLOW_IMMEDIATE => Ok(FLOW_IMMEDIATE),
        FLOW_VERIFY => Ok(FLOW_VERIFY),
        FLOW_APPROVAL => Ok(FLOW_APPROVAL),
        _ => Err(Error::invalid(
            "registration_flow",
            Code::RegistrationFlowInvalid,
        )),
    }
}

/// Usernames are case-insensitive: stored trimmed and lower case.
pub fn username(raw: &str) -> Result<String> {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        return Err(Error::invalid("username", Code::UsernameRequired));
    }
    if name.chars().count() > MAX_NAME {
        return Err(Error::invalid("username", Code::UsernameTooLong));
    }
    let valid = name.chars().count() >= 2
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid {
        return Err(Error::invalid("username", Code::UsernameInvalid));
    }
    Ok(name)
}

pub fn person_name(field: &'static str, raw: &str, required: Code) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid(field, required));
    }
    if name.chars().count() > MAX_NAME {
        return Err(Error::invalid(field, Code::FieldTooLong));
    }
    Ok(name.to_string())
}

pub fn optional_email(raw: &str) -> Result<Option<String>> {
    let email = raw.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        });
    if !valid {
        return Err(Error::invalid("email", Code::EmailInvalid));
    }
    Ok(Some(email.to_lowercase()))
}

/// An optional initial password; empty means the user gets no password yet.
pub fn optional_password(raw: &str) -> Result<Option<String>> {
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.chars().count() {
        0..=7 => Err(Error::invalid("password", Code::PasswordTooShort)),
        8..=128 => Ok(Some(raw.to_string())),
        _ => Err(Error::invalid("password", Code::PasswordTooLong)),
    }
}

pub fn language(raw: &str) -> Result<String> {
    match raw {
        "nl" | "fr" | "en" => Ok(raw.to_string()),
        _ => Err(Error::invalid("language", Code::LanguageInvalid)),
    }
}

/// An optional institution number: 1 to 20 letters and digits (dashes and dots allowed
/// inside); empty means none.
pub fn institution_number(raw: &str) -> Result<Option<String>> {
    let number = raw.trim();
    if number.is_empty() {
        return Ok(None);
    }
    let valid = number.chars().count() <= 20
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && number
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(Some(number.to_uppercase()))
    } else {
        Err(Error::invalid(
            "institution_number",
            Code::InstitutionNumberInvalid,
        ))
    }
}

/// A telephone number as people type it (digits, spaces, `+ - / ( ) .`), at most 40
/// characters; empty is none.
pub fn optional_phone(raw: &str) -> Result<Option<String>> {
    let phone = raw.trim();
    let valid = phone.chars().count() <= 40
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/().".contains(c));
    if !valid {
        return Err(Error::invalid("phone", Code::PhoneInvalid));
    }
    Ok(Some(phone.to_string()).filter(|p| !p.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_parse_seat_limits_and_refuse_bad_ones() {
        assert_eq!(seat_limit(" 20 ").ok(), Some(20));
        assert_eq!(seat_limit("0").ok(), Some(0));
        for (raw, code) in [
            ("-1", Code::SeatLimitNegative),
            ("abc", Code::SeatLimitNotANumber),
            ("", Code::SeatLimitNotANumber),
            ("2.5", Code::SeatLimitNotANumber),
            ("99999999999", Code::SeatLimitTooLarge),
        ] {
            assert_eq!(seat_limit(raw).err().map(|e| e.code()), Some(code), "{raw}");
        }
    }

    #[test]
    fn should_refuse_empty_and_overlong_names() {
        assert_eq!(
            site_name("  ").err().map(|e| e.code()),
            Some(Code::NameRequired)
        );
        let long = "x".repeat(MAX_SITE_NAME + 1);
        assert_eq!(
            site_name(&long).err().map(|e| e.code()),
            Some(Code::NameTooLong)
        );
        assert_eq!(site_name(" De Klimop ").ok().as_deref(), Some("De Klimop"));
    }

    #[test]
    fn should_parse_dates_and_refuse_malformed_ones() {
        assert!(optional_date("expires_on", "").is_ok_and(|d| d.is_none()));
        assert!(optional_date("expires_on", "2027-06-30").is_ok_and(|d| d.is_some()));
        for raw in ["30/06/2027", "2027-02-30", "tomorrow"] {
            assert_eq!(
                optional_date("expires_on", raw).err().map(|e| e.code()),
                Some(Code::DateInvalid)
            );
        }
    }

    #[test]
    fn should_accept_serials_of_6_to_11_digits() {
        assert_eq!(serial(" 1234-5678 ").ok().as_deref(), Some("12345678"));
        for bad in ["12345", "123456789012", "12a456", ""] {
            assert_eq!(
                serial(bad).err().map(|e| e.code()),
                Some(Code::SerialInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn should_refuse_weak_passwords() {
        assert!(new_password("Zomer-aan-zee-7", "an").is_ok());
        for (bad, code) in [
            ("", Code::PasswordRequired),
            ("kort", Code::PasswordTooShort),
            ("aaaaaaaaaa", Code::PasswordWeak),
            ("Wachtwoord", Code::PasswordWeak),
            ("an.peeters", Code::PasswordWeak),
        ] {
            assert_eq!(
                new_password(bad, "an.peeters").err().map(|e| e.code()),
                Some(code),
                "{bad}"
            );
        }
    }

    #[test]
    fn should_normalise_allowed_domains() {
        assert_eq!(
            allowed_domains("@School.be, leerling.school.be\nschool.be")
                .ok()
                .flatten()
                .as_deref(),
            Some("school.be\nleerling.school.be")
        );
        assert!(allowed_domains("  ").is_ok_and(|d| d.is_none()));
        assert!(allowed_domains("not a domain!").is_err());
    }

    #[test]
    fn should_normalise_usernames() {
        assert_eq!(
            username(" Jan.Peeters ").ok().as_deref(),
            Some("jan.peeters")
        );
        assert!(username("has space").is_err());
        assert!(username("").is_err());
    }
}
