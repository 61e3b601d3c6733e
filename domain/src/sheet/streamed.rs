//! A download written row by row as its rows arrive: .xlsx with its sheet in "constant memory"
//! mode (each row goes to a temporary file as it is written, so a 200,000-row export holds the
//! finished zip and one row, not every cell as an object) or CSV. A bold, frozen header, text
//! cells only (neutralised), .xlsx columns as wide as their content (set at the end: the column
//! widths are written when the file is put together).
use rust_xlsxwriter::{Format as CellFormat, Workbook};

use super::xlsx::{sheet_name, xlsx_error};
use super::{neutralise, Csv, Format};
use crate::error::{Error, Result};

pub struct Streamed {
    out: Out,
    widths: Vec<usize>,
    next_row: u32,
}

enum Out {
    Xlsx {
        book: Box<Workbook>,
        text: CellFormat,
    },
    Csv(Csv),
}

fn column(col: usize) -> Result<u16> {
    u16::try_from(col).map_err(|_| Error::Internal("xlsx: columns".into()))
}

impl Streamed {
    /// A new download with its header row written; `locale` chooses the CSV separator.
    pub fn new(format: Format, sheet: &str, header: &[String], locale: &str) -> Result<Streamed> {
        let out = match format {
            Format::Xlsx => {
                let mut book = Workbook::new();
                let page = book
                    .add_worksheet_with_constant_memory()
                    .map_err(xlsx_error)?;
                page.set_name(sheet_name(sheet)).map_err(xlsx_error)?;
                page.set_freeze_panes(1, 0).map_err(xlsx_error)?;
                let bold = CellFormat::new().set_bold().set_background_color("#E5EAF2");
                for (col, title) in header.iter().enumerate() {
                    page.write_string_with_format(0, column(col)?, title.as_str(), &bold)
                        .map_err(xlsx_error)?;
                }
                Out::Xlsx {
                    book: Box::new(book),
                    text: CellFormat::new().set_num_format("@"),
                }
            }
            Format::Csv => {
                let mut csv = Csv::for_locale(locale);
                csv.row(header.iter().map(String::as_str));
                Out::Csv(csv)
            }
        };
        Ok(Streamed {
            out,
            widths: header.iter().map(|h| h.chars().count()).collect(),
            next_row: 1,
        })
    }

    /// The next row.
    pub fn row(&mut self, cells: &[String]) -> Result<()> {
        for (width, value) in self.widths.iter_mut().zip(cells) {
            *width = (*width).max(value.chars().count());
        }
        match &mut self.out {
            Out::Xlsx { book, text } => {
                let page = book.worksheet_from_index(0).map_err(xlsx_error)?;
                for (col, value) in cells.iter().enumerate() {
                    if !value.is_empty() {
                        page.write_string_with_format(
                            self.next_row,
                            column(col)?,
                            neutralise(value),
                            text,
                        )
                        .map_err(xlsx_error)?;
                    }
                }
            }
            Out::Csv(csv) => csv.row(cells.iter().map(String::as_str)),
        }
        self.next_row = self
            .next_row
            .checked_add(1)
            .ok_or_else(|| Error::Internal("xlsx: rows".into()))?;
        Ok(())
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>> {
        match self.out {
            Out::Xlsx { mut book, .. } => {
                let page = book.worksheet_from_index(0).map_err(xlsx_error)?;
                for (col, width) in self.widths.iter().enumerate() {
                    let width = u32::try_from((*width).clamp(8, 60)).unwrap_or(60) + 2;
                    page.set_column_width(column(col)?, width)
                        .map_err(xlsx_error)?;
                }
                book.save_to_buffer().map_err(xlsx_error)
            }
            Out::Csv(csv) => Ok(csv.finish().into_bytes()),
        }
    }
}
