//! The import template in the user's language: the header the importer recognises, one
//! example row per action, a drop-down (data validation) on the action column, text format for
//! personnel numbers (leading zeros), and a sheet of instructions.
use rust_xlsxwriter::{DataValidation, Format, Workbook};

use super::columns::Column;
use crate::error::Result;
use crate::sheet::{neutralise, xlsx_error};
use crate::texts::text;

/// Rows the action drop-down covers.
const VALIDATED_ROWS: u32 = 20_000;
const HELP_LINES: usize = 9;

pub fn template(locale: &str) -> Result<Vec<u8>> {
    let t = |key: &str| text(locale, key);
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#E5EAF2");
    let as_text = Format::new().set_num_format("@");

    let sheet = book.add_worksheet();
    sheet
        .set_name(t("template.sheet_users"))
        .map_err(xlsx_error)?;
    for (col, column) in (0u16..).zip(Column::ALL) {
        sheet
            .write_string_with_format(0, col, t(&format!("column.{}", column.key())), &header)
            .map_err(xlsx_error)?;
        let width = match column {
            Column::Action => 9,
            Column::Email => 30,
            _ => 18,
        };
        sheet.set_column_width(col, width).map_err(xlsx_error)?;
    }
    let personnel = (0u16..)
        .zip(Column::ALL)
        .find(|(_, c)| *c == Column::PersonnelNumber)
        .map_or(7, |(i, _)| i);
    sheet
        .set_column_format(personnel, &as_text)
        .map_err(xlsx_error)?;
    let examples = [
        vec![
            "+".to_string(),
            t("template.example_add"),
            t("template.example_first_name"),
            t("template.example_last_name"),
            t("template.example_email"),
            String::new(),
            "2027-08-31".into(),
            "00123".into(),
            t("template.example_subsite"),
            String::new(),
        ],
        vec![
            "*".to_string(),
            t("template.example_update"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            "2027-08-31".into(),
        ],
        vec!["-".to_string(), t("template.example_delete")],
    ];
    for (row, cells) in (1u32..).zip(examples) {
        for (col, value) in (0u16..).zip(cells) {
            if !value.is_empty() {
                let value = neutralise(&value);
                sheet
                    .write_string_with_format(row, col, value, &as_text)
                    .map_err(xlsx_error)?;
            }
        }
    }
    let actions = DataValidation::new()
        .allow_list_strings(&["+", "*", "-"])
        .and_then(|v| v.set_error_title(t("template.validation_title")))
        .and_then(|v| v.set_error_message(t("template.validation_message")))
        .and_then(|v| v.set_input_title(t("template.validation_title")))
        .and_then(|v| v.set_input_message(t("template.validation_message")))
        .map_err(xlsx_error)?;
    sheet
        .add_data_validation(1, 0, VALIDATED_ROWS, 0, &actions)
        .map_err(xlsx_error)?;
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;

    let help = book.add_worksheet();
    help.set_name(t("template.sheet_help"))
        .map_err(xlsx_error)?;
    help.set_column_width(0, 110).map_err(xlsx_error)?;
    help.write_string_with_format(0, 0, t("template.help_title"), &Format::new().set_bold())
        .map_err(xlsx_error)?;
    let wrap = Format::new().set_text_wrap();
    for (row, n) in (2u32..).zip(1..=HELP_LINES) {
        help.write_string_with_format(row, 0, t(&format!("template.help_{n}")), &wrap)
            .map_err(xlsx_error)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}
