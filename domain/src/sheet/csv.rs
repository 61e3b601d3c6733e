//! CSV as Excel opens it by double-click: UTF-8 with a byte-order mark, `;` as separator where
//! Excel's locale uses a decimal comma (Dutch, French), `,` in English, CRLF line ends.
use super::neutralise;

pub struct Csv {
    out: String,
    separator: char,
}

impl Csv {
    pub fn new(separator: char) -> Csv {
        Csv {
            out: String::from("\u{feff}"),
            separator,
        }
    }

    pub fn for_locale(locale: &str) -> Csv {
        Csv::new(if locale == "en" { ',' } else { ';' })
    }

    pub fn row<'a>(&mut self, cells: impl Iterator<Item = &'a str>) {
        let line: Vec<String> = cells.map(csv_cell).collect();
        self.out.push_str(&line.join(&self.separator.to_string()));
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// What was written since the last `take` (the first holds the byte-order mark): for a file
    /// sent in parts as it is written.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

/// One cell: neutralised, quoted when it holds a separator, quote or line break.
pub fn csv_cell(text: &str) -> String {
    let text = neutralise(text);
    if text.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_quote_and_neutralise_cells() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("a;b"), "\"a;b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("=1;2"), "\"'=1;2\"");
    }

    #[test]
    fn should_separate_by_locale() {
        let mut nl = Csv::for_locale("nl");
        nl.row(["a", "b"].into_iter());
        assert_eq!(nl.finish(), "\u{feff}a;b\r\n");
        let mut en = Csv::for_locale("en");
        en.row(["a", "b"].into_iter());
        assert_eq!(en.finish(), "\u{feff}a,b\r\n");
    }
}
