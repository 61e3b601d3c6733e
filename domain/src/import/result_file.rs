//! The downloadable result of an import: the uploaded rows as they were, with a result and a
//! message column each, as .xlsx (whatever the uploaded format); password cells masked once
//! the run has ended.
use std::collections::HashMap;

use uuid::Uuid;

use super::run::{file_and_results, RowResult};
use super::stored::read_stored;
use crate::error::Result;
use crate::sheet::{xlsx_table, Table};
use crate::texts::{describe_problem, text};
use crate::{Db, Principal};

/// The result file's name and bytes.
pub async fn result_file(
    db: &Db,
    principal: &Principal,
    run: Uuid,
    locale: &str,
) -> Result<(String, Vec<u8>)> {
    let (file_name, content, results) = file_and_results(db, principal, run).await?;
    let locale = locale.to_string();
    // Reading the stored file and writing the workbook: on the spreadsheet pool.
    crate::work::sheets()
        .request(move || build(&file_name, &content, &results, &locale))
        .await?
}

fn build(
    file_name: &str,
    content: &[u8],
    results: &[RowResult],
    locale: &str,
) -> Result<(String, Vec<u8>)> {
    let table = read_stored(content)?;
    let by_row: HashMap<usize, &RowResult> = results
        .iter()
        .filter_map(|r| usize::try_from(r.row).ok().map(|row| (row, r)))
        .collect();
    let t = |key: &str| text(locale, key);
    let width = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, cells)| (table.first_row + i, cells))
        .skip_while(|(_, cells)| cells.iter().all(|c| c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Ok((
            name(file_name, &t("result.file")),
            xlsx_table(&Table::default())?,
        ));
    };
    let mut out = Table {
        sheet: t("result.file"),
        header: padded(header, width),
        rows: Vec::new(),
    };
    out.header.push(t("result.status"));
    out.header.push(t("result.message"));
    for (number, cells) in rows {
        let mut line = padded(cells, width);
        match by_row.get(&number) {
            Some(result) => {
                line.push(t(&format!("result.{}", result.outcome)));
                let messages: Vec<String> = result
                    .messages
                    .iter()
                    .map(|m| {
                        describe_problem(locale, m.column.as_deref(), m.code.as_str(), &m.details)
                    })
                    .collect();
                line.push(messages.join(" "));
            }
            None if cells.iter().all(|c| c.trim().is_empty()) => {}
            None => line.push(t("result.not_applied")),
        }
        out.rows.push(line);
    }
    Ok((name(file_name, &t("result.file")), xlsx_table(&out)?))
}

fn padded(cells: &[String], width: usize) -> Vec<String> {
    let mut line = cells.to_vec();
    line.resize(width, String::new());
    line
}

/// `leerlingen.csv` → `leerlingen-resultaat.xlsx`.
fn name(uploaded: &str, suffix: &str) -> String {
    let stem = uploaded
        .rsplit_once('.')
        .map_or(uploaded, |(stem, _)| stem)
        .trim();
    let stem = if stem.is_empty() { "import" } else { stem };
    format!("{stem}-{suffix}.xlsx")
}
