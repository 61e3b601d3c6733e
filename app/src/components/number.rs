//! Whole numbers as each language writes them: 10.000 in Dutch, 10 000 in French (a narrow
//! no-break space), 10,000 in English.
use crate::i18n::*;

/// `n` with its thousands grouped in the reader's language.
pub fn grouped(locale: Locale, n: u64) -> String {
    let separator = match locale {
        Locale::nl => ".",
        Locale::fr => "\u{202f}",
        Locale::en => ",",
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_group_thousands_as_each_language_does() {
        assert_eq!(grouped(Locale::nl, 10_000), "10.000");
        assert_eq!(grouped(Locale::fr, 10_000), "10\u{202f}000");
        assert_eq!(grouped(Locale::en, 1_234_567), "1,234,567");
        assert_eq!(grouped(Locale::en, 999), "999");
        assert_eq!(grouped(Locale::nl, 0), "0");
    }
}
