//! The renewals list as a file (.xlsx or CSV), in the reader's language: the rows of the page
//! for the same window, dates as ISO days so that spreadsheets sort them.
use chrono::NaiveDate;
use wire::RenewalState;

use super::renewals::{renewals, RenewalQuery};
use crate::error::Result;
use crate::sheet::{self, Format, Table};
use crate::{texts, Db, Principal};

/// The state's word in the file (the same as on the page).
pub(crate) fn state_text(locale: &str, state: RenewalState) -> String {
    texts::text(locale, &format!("renewals.state_{}", state.as_str()))
}

/// The renewals ending within the query's window on `today`, as a file: its name and bytes.
pub async fn renewals_file(
    db: &Db,
    principal: &Principal,
    query: RenewalQuery,
    today: NaiveDate,
    format: Format,
    locale: &str,
) -> Result<(String, Vec<u8>)> {
    let rows = renewals(db, principal, query, today).await?;
    let t = |key: &str| texts::text(locale, key);
    let table = Table {
        sheet: t("renewals.sheet"),
        header: [
            "renewals.customer",
            "renewals.state",
            "renewals.serial",
            "renewals.valid_from",
            "renewals.valid_until",
            "renewals.assigned",
            "renewals.seats",
            "renewals.contact_email",
        ]
        .map(t)
        .to_vec(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    r.customer_name,
                    state_text(locale, r.state),
                    r.serial,
                    r.valid_from.to_string(),
                    r.valid_until.to_string(),
                    r.assigned.to_string(),
                    r.seats.to_string(),
                    r.contact_email.unwrap_or_default(),
                ]
            })
            .collect(),
    };
    let bytes = sheet::write(format, &table, locale)?;
    let name = format!(
        "{} {} {today}.{}",
        t("renewals.file"),
        texts::fill(
            &t("renewals.within"),
            &[("days", query.within_days.to_string())]
        ),
        format.extension()
    );
    Ok((name, bytes))
}
