//! A one-sheet .xlsx written front to back into any [`Write`], so a download can be sent while
//! it is made: a zip written as a stream (each part's sizes after its data), the sheet's text
//! cells inline (no shared-strings table to hold), a bold, shaded and frozen header, text cells
//! formatted as text, column widths chosen before the first row.
use std::io::Write;

use zip::write::{SimpleFileOptions, StreamWriter};
use zip::ZipWriter;

use super::neutralise;
use crate::error::{Error, Result};

fn zip_error(err: impl std::fmt::Display) -> Error {
    Error::Internal(format!("xlsx: {err}"))
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Three cell styles: 0 the default, 1 the header (bold on a light blue-grey), 2 text ("@").
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE5EAF2"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

const HEADER_STYLE: u8 = 1;
const TEXT_STYLE: u8 = 2;

pub struct XlsxStream<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    next_row: u32,
    /// The row being put together (written to the zip whole).
    line: String,
}

impl<W: Write> XlsxStream<W> {
    /// Writes the workbook's parts and the sheet up to its header row; `widths` in characters,
    /// one per column.
    pub fn start(out: W, sheet: &str, header: &[String], widths: &[usize]) -> Result<Self> {
        let mut zip = ZipWriter::new_stream(out);
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            escaped(sheet)
        );
        for (name, text) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", workbook.as_str()),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ] {
            zip.start_file(name, options).map_err(zip_error)?;
            zip.write_all(text.as_bytes()).map_err(zip_error)?;
        }
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .map_err(zip_error)?;
        let mut prelude = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#,
        );
        if !widths.is_empty() {
            prelude.push_str("<cols>");
            for (i, width) in widths.iter().enumerate() {
                let width = (*width).clamp(8, 60) + 2;
                prelude.push_str(&format!(
                    r#"<col min="{n}" max="{n}" width="{width}" customWidth="1"/>"#,
                    n = i + 1
                ));
            }
            prelude.push_str("</cols>");
        }
        prelude.push_str("<sheetData>");
        zip.write_all(prelude.as_bytes()).map_err(zip_error)?;
        let mut stream = XlsxStream {
            zip,
            next_row: 1,
            line: String::new(),
        };
        stream.write_row(header, HEADER_STYLE)?;
        Ok(stream)
    }

    /// The next row of text cells (empty cells left out), each neutralised against formulas.
    pub fn row(&mut self, cells: &[String]) -> Result<()> {
        self.write_row(cells, TEXT_STYLE)
    }

    fn write_row(&mut self, cells: &[String], style: u8) -> Result<()> {
        let row = self.next_row;
        self.line.clear();
        self.line.push_str(&format!(r#"<row r="{row}">"#));
        for (col, value) in cells.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            self.line.push_str(&format!(
                r#"<c r="{}{row}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                column_name(col),
                if style == TEXT_STYLE {
                    escaped(&neutralise(value))
                } else {
                    escaped(value)
                }
            ));
        }
        self.line.push_str("</row>");
        self.zip
            .write_all(self.line.as_bytes())
            .map_err(zip_error)?;
        self.next_row = row
            .checked_add(1)
            .filter(|n| *n <= 1_048_576)
            .ok_or_else(|| Error::Internal("xlsx: rows".into()))?;
        Ok(())
    }

    /// Closes the sheet and the zip; gives the writer back.
    pub fn finish(mut self) -> Result<W> {
        self.zip
            .write_all(b"</sheetData></worksheet>")
            .map_err(zip_error)?;
        Ok(self.zip.finish().map_err(zip_error)?.into_inner())
    }
}

/// A column's letters: 0 → A, 25 → Z, 26 → AA.
fn column_name(mut col: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// Text as XML character data: markup escaped, and the characters XML cannot hold (control
/// characters) written as Excel's `_xHHHH_` escapes, whose own look-alikes are escaped too.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '_' if looks_escaped(rest) => out.push_str("_x005F_"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("_x{:04X}_", c as u32))
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `_xHHHH_` at the start of `text`.
fn looks_escaped(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_name_columns_as_excel_does() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(51), "AZ");
        assert_eq!(column_name(52), "BA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn should_escape_markup_and_what_xml_cannot_hold() {
        assert_eq!(escaped("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(escaped("bell\u{7}"), "bell_x0007_");
        assert_eq!(escaped("_x0041_ and _x"), "_x005F_x0041_ and _x");
        assert_eq!(escaped("tab\there"), "tab\there");
        assert_eq!(escaped("Émile"), "Émile");
    }
}
