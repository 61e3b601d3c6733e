//! Parsing the data rows: each becomes an [`ImportRow`] or one or more [`RowIssue`]s naming
//! the row (as the spreadsheet numbers it) and the column. Checks that need no database:
//! the action symbol, usernames, names, addresses, passwords, dates, error and formula cells,
//! and usernames that occur twice in the file.
use crate::properties::Normalise;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::columns::{Column, Columns};
use super::property_columns::PropertyHeaders;
use super::table::{Table, CELL_ERROR, CELL_FORMULA};
use crate::error::{Code, Result};
use crate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `+`
    Add,
    /// `-`
    Delete,
    /// `*`
    Update,
}

impl Action {
    pub fn parse(symbol: &str) -> Option<Action> {
        match symbol.trim() {
            "+" => Some(Action::Add),
            "-" => Some(Action::Delete),
            "*" => Some(Action::Update),
            _ => None,
        }
    }
}

/// One valid row. Empty optional cells are `None`: an update leaves those fields alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The spreadsheet's row number (1-based, header included).
    pub row: usize,
    pub action: Action,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub personnel_number: Option<String>,
    /// A subsite by name or path (`School/Klas 1A`) below the importing site.
    pub subsite: Option<String>,
    pub roles: Vec<String>,
    /// Custom property values of the row's non-empty property cells, normalised:
    /// (definition id, key, value). An empty cell leaves the value alone.
    pub properties: Vec<(i32, String, String)>,
}

/// Why a row (or one of its cells) cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub row: usize,
    pub column: Option<Column>,
    pub code: Code,
    pub details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub columns: Columns,
    pub rows: Vec<ImportRow>,
    pub issues: Vec<RowIssue>,
}

/// Parses a table without custom properties.
pub fn parse_rows(table: &Table) -> Result<Parsed> {
    parse_rows_with(table, &PropertyHeaders::default())
}

/// Parses a table: the first non-empty row is the header, empty rows are skipped; headers
/// naming one of `properties` are property columns.
pub fn parse_rows_with(table: &Table, properties: &PropertyHeaders) -> Result<Parsed> {
    let mut lines = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, cells)| (table.first_row + i, cells))
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = lines.next() else {
        return Err(crate::Error::invalid("file", Code::ImportNoHeader));
    };
    let columns = Columns::recognise_with(header, properties)?;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (number, cells) in lines {
        let mut row_issues = Vec::new();
        match parse_row(&columns, number, cells, &mut row_issues) {
            Some(row) => match seen.get(&row.username) {
                Some(first) => issues.push(RowIssue {
                    row: number,
                    column: Some(Column::Username),
                    code: Code::ImportDuplicateUsername,
                    details: vec![first.to_string()],
                }),
                None => {
                    seen.insert(row.username.clone(), number);
                    rows.push(row);
                }
            },
            None => issues.append(&mut row_issues),
        }
    }
    Ok(Parsed {
        columns,
        rows,
        issues,
    })
}

fn parse_row(
    columns: &Columns,
    row: usize,
    cells: &[String],
    issues: &mut Vec<RowIssue>,
) -> Option<ImportRow> {
    let mut issue = |column: Column, code: Code| {
        issues.push(RowIssue {
            row,
            column: Some(column),
            code,
            details: Vec::new(),
        })
    };
    for column in Column::ALL {
        match columns.cell(cells, column) {
            CELL_ERROR => issue(column, Code::ImportCellError),
            CELL_FORMULA => issue(column, Code::ImportFormula),
            _ => {}
        }
    }
    // A marked cell has its issue already; it is not checked again as text.
    let cell = |column: Column| match columns.cell(cells, column) {
        CELL_ERROR | CELL_FORMULA => "",
        text => text,
    };
    let optional = |column: Column| Some(cell(column).to_string()).filter(|v| !v.is_empty());
    let action = Action::parse(cell(Column::Action));
    if action.is_none() {
        issue(Column::Action, Code::ImportUnknownAction);
    }
    let username = validate::username(cell(Column::Username))
        .map_err(|e| issue(Column::Username, e.code()))
        .ok();
    let adding = action == Some(Action::Add);
    let mut name = |column: Column, required: Code| -> Option<String> {
        let raw = cell(column);
        if raw.is_empty() && !adding {
            return None;
        }
        validate::person_name(column.key(), raw, required)
            .map_err(|e| issue(column, e.code()))
            .ok()
    };
    let first_name = name(Column::FirstName, Code::FirstNameRequired);
    let last_name = name(Column::LastName, Code::LastNameRequired);
    let email = validate::optional_email(cell(Column::Email))
        .map_err(|e| issue(Column::Email, e.code()))
        .ok()
        .flatten();
    let password = validate::optional_password(cell(Column::Password))
        .map_err(|e| issue(Column::Password, e.code()))
        .ok()
        .flatten();
    let expires_on = match cell(Column::ExpiresOn) {
        "" => None,
        raw => {
            let date = parse_date(raw);
            if date.is_none() {
                issue(Column::ExpiresOn, Code::DateInvalid);
            }
            date
        }
    };
    let roles = cell(Column::Roles)
        .split([',', ';', '|'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    let personnel_number = optional(Column::PersonnelNumber);
    let subsite = optional(Column::Subsite);
    let mut values = Vec::new();
    for (property, index) in columns.properties() {
        let raw = cells.get(*index).map(|c| c.trim()).unwrap_or_default();
        let refused = |code: Code| RowIssue {
            row,
            column: None,
            code,
            details: vec![property.key.clone()],
        };
        match raw {
            CELL_ERROR => issues.push(refused(Code::ImportCellError)),
            CELL_FORMULA => issues.push(refused(Code::ImportFormula)),
            raw => match property.kind.normalise(raw, &property.choices) {
                Ok(Some(value)) => {
                    values.push((property.definition_id, property.key.clone(), value))
                }
                Ok(None) => {}
                Err(e) => issues.push(refused(e.code())),
            },
        }
    }
    if !issues.is_empty() {
        return None;
    }
    Some(ImportRow {
        row,
        action: action?,
        username: username?,
        first_name,
        last_name,
        email,
        password,
        expires_on,
        personnel_number,
        subsite,
        roles,
        properties: values,
    })
}

/// Dates as administrators type them: ISO, or day first with `/`, `-` or `.`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(raw.trim(), format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(lines: &[&[&str]]) -> Table {
        Table {
            first_row: 1,
            rows: lines
                .iter()
                .map(|cells| cells.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn should_parse_valid_rows_and_report_bad_ones_with_row_and_column() {
        let parsed = parse_rows(&table(&[
            &[
                "Actie",
                "Gebruikersnaam",
                "Voornaam",
                "Achternaam",
                "E-mail",
                "Vervaldatum",
                "Rollen",
            ],
            &[
                "+",
                "An.Peeters",
                "An",
                "Peeters",
                "an@school.be",
                "30/06/2027",
                "Gebruiker; Licentiebeheerder",
            ],
            &["", "", "", "", "", "", ""],
            &["*", "bram", "", "", "", "2027-06-30", ""],
            &["-", "cor", "", "", "", "", ""],
            &["x", "dirk", "Dirk", "D", "", "", ""],
            &["+", "eva", "", "E", "not-an-address", "31/02/2027", ""],
            &["+", "an.peeters", "An", "Peeters", "", "", ""],
            &["+", "fien", "Fien", "F", CELL_FORMULA, "", ""],
        ]))
        .unwrap();
        let names: Vec<(&str, Action)> = parsed
            .rows
            .iter()
            .map(|r| (r.username.as_str(), r.action))
            .collect();
        assert_eq!(
            names,
            [
                ("an.peeters", Action::Add),
                ("bram", Action::Update),
                ("cor", Action::Delete)
            ]
        );
        let first = &parsed.rows[0];
        assert_eq!(first.expires_on, NaiveDate::from_ymd_opt(2027, 6, 30));
        assert_eq!(first.roles, ["Gebruiker", "Licentiebeheerder"]);
        assert_eq!(
            parsed.rows[1].first_name, None,
            "an update leaves empty cells alone"
        );
        let issues: Vec<(usize, Option<Column>, Code)> = parsed
            .issues
            .iter()
            .map(|i| (i.row, i.column, i.code))
            .collect();
        assert_eq!(
            issues,
            [
                (6, Some(Column::Action), Code::ImportUnknownAction),
                (7, Some(Column::FirstName), Code::FirstNameRequired),
                (7, Some(Column::Email), Code::EmailInvalid),
                (7, Some(Column::ExpiresOn), Code::DateInvalid),
                (8, Some(Column::Username), Code::ImportDuplicateUsername),
                (9, Some(Column::Email), Code::ImportFormula),
            ]
        );
        assert_eq!(parsed.issues[4].details, ["2"]);
    }

    #[test]
    fn should_refuse_a_file_without_header() {
        let empty = parse_rows(&table(&[&["", ""]]));
        assert_eq!(empty.err().map(|e| e.code()), Some(Code::ImportNoHeader));
    }
}
