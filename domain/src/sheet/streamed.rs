//! A download written row by row as its rows arrive, into any [`Write`]: .xlsx
//! ([`XlsxStream`]) or CSV. The first rows are held back until the column widths are known
//! from them (at most [`SAMPLE`] rows, or all of a shorter file); then every row goes out as
//! it comes, so a 200,000-row export holds a batch, not the file.
use std::io::Write;

use super::xlsx::sheet_name;
use super::xlsx_stream::XlsxStream;
use super::{Csv, Format};
use crate::error::{Error, Result};

/// The rows the column widths are taken from.
const SAMPLE: usize = 200;

pub struct Streamed<W: Write> {
    state: State<W>,
}

enum State<W: Write> {
    /// Before the widths are known: what the sheet starts with, and its first rows.
    Sampling {
        out: W,
        sheet: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Xlsx(Box<XlsxStream<W>>),
    Csv {
        csv: Csv,
        out: W,
    },
    /// Only while the sheet begins (or after it failed to).
    Taken,
}

fn written(err: std::io::Error) -> Error {
    Error::Internal(format!("download: {err}"))
}

impl<W: Write> Streamed<W> {
    /// A new download into `out`; `locale` chooses the CSV separator. A CSV file's header
    /// is written at once.
    pub fn new(
        format: Format,
        sheet: &str,
        header: &[String],
        locale: &str,
        mut out: W,
    ) -> Result<Streamed<W>> {
        let state = match format {
            Format::Xlsx => State::Sampling {
                out,
                sheet: sheet_name(sheet),
                header: header.to_vec(),
                rows: Vec::new(),
            },
            Format::Csv => {
                let mut csv = Csv::for_locale(locale);
                csv.row(header.iter().map(String::as_str));
                out.write_all(csv.take().as_bytes()).map_err(written)?;
                State::Csv { csv, out }
            }
        };
        Ok(Streamed { state })
    }

    /// The next row.
    pub fn row(&mut self, cells: &[String]) -> Result<()> {
        match &mut self.state {
            State::Taken => Err(Error::Internal("download: ended".into())),
            State::Sampling { rows, .. } => {
                rows.push(cells.to_vec());
                if rows.len() >= SAMPLE {
                    self.begin()?;
                }
                Ok(())
            }
            State::Xlsx(sheet) => sheet.row(cells),
            State::Csv { csv, out } => {
                csv.row(cells.iter().map(String::as_str));
                out.write_all(csv.take().as_bytes()).map_err(written)
            }
        }
    }

    /// The sheet begun with the widths of the rows held back, and those rows written.
    fn begin(&mut self) -> Result<()> {
        let (out, sheet, header, rows) = match std::mem::replace(&mut self.state, State::Taken) {
            State::Sampling {
                out,
                sheet,
                header,
                rows,
            } => (out, sheet, header, rows),
            begun => {
                self.state = begun;
                return Ok(());
            }
        };
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (width, value) in widths.iter_mut().zip(row) {
                *width = (*width).max(value.chars().count());
            }
        }
        let mut stream = XlsxStream::start(out, &sheet, &header, &widths)?;
        for row in &rows {
            stream.row(row)?;
        }
        self.state = State::Xlsx(Box::new(stream));
        Ok(())
    }

    /// Ends the file; gives the writer back.
    pub fn finish(mut self) -> Result<W> {
        self.begin()?;
        match self.state {
            State::Xlsx(sheet) => sheet.finish(),
            State::Csv { out, .. } => Ok(out),
            State::Sampling { .. } | State::Taken => Err(Error::Internal("download: ended".into())),
        }
    }
}
