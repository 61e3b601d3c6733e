//! Files the server sends that speak the pages' words (rendered in the reader's language
//! with the same labels as the pages): the journal as CSV.

/// The journal as CSV with headers and labels in `lang`, times in Belgian time, written by the
/// one CSV writer (`domain::sheet::Csv`): the separator Excel expects in that language, UTF-8
/// with a byte-order mark (so spreadsheet programs read the accents), cells that could start a
/// formula neutralised.
/// The journal as CSV, written in parts: the header first, then entries as they are read.
pub struct JournalCsv {
    locale: crate::i18n::Locale,
    csv: domain::sheet::Csv,
}

impl JournalCsv {
    pub fn new(lang: wire::Lang) -> JournalCsv {
        use crate::i18n::*;
        let locale = Locale::from(lang);
        let mut csv = domain::sheet::Csv::for_locale(lang.as_str());
        let header = [
            td_string!(locale, journal.col_when),
            td_string!(locale, journal.col_actor),
            td_string!(locale, journal.col_action),
            td_string!(locale, journal.col_target),
            td_string!(locale, journal.col_site),
            td_string!(locale, journal.col_changes),
            td_string!(locale, journal.col_address),
        ];
        csv.row(header.into_iter());
        JournalCsv { locale, csv }
    }

    pub fn rows(&mut self, entries: Vec<domain::audit::JournalEntry>) {
        use crate::labels::{action, field, journal_value};
        let locale = self.locale;
        for e in entries {
            let changes = e
                .changes
                .iter()
                .map(|c| {
                    let name = field(locale, &c.field).unwrap_or(&c.field);
                    format!(
                        "{name}: {} → {}",
                        journal_value(locale, &c.field, &c.before),
                        journal_value(locale, &c.field, &c.after)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let cells = [
                wire::time::local(e.at)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                e.actor,
                action(locale, &e.action).unwrap_or(&e.action).to_string(),
                e.target,
                e.site,
                changes,
                e.client_address.unwrap_or_default(),
            ];
            self.csv.row(cells.iter().map(String::as_str));
        }
    }

    /// What was written since the last call.
    pub fn take(&mut self) -> String {
        self.csv.take()
    }
}
