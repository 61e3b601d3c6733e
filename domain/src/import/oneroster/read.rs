//! Reading a OneRoster bulk or delta export (1EdTech OneRoster 1.2 CSV binding, 1.1 read too):
//! a zip with `manifest.csv` and the CSV files it announces. Columns are found by their header,
//! in any order; files the import does not use (`academicSessions.csv`, `courses.csv`,
//! `demographics.csv`, …) are checked for being CSV only. Bounded: the zip's entries and their
//! decompressed size, and the rows of each file. Problems name the file, the row (as a
//! spreadsheet numbers it, the header being 1) and the column.
use std::collections::HashMap;
use std::io::{Cursor, Read};

use super::super::table::{read_csv, Limits};
use crate::error::{Code, Error, Result};

/// At most this many bytes decompressed from one zip.
const MAX_UNZIPPED: u64 = 256 * 1024 * 1024;
/// At most this many entries in the zip.
const MAX_ENTRIES: usize = 64;

/// How a file of the export is to be read (the manifest's `file.<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// The file is the whole truth: what the earlier imports made and it leaves out goes.
    Bulk,
    /// The file lists changes only: `tobedeleted` rows go, the others are added or updated.
    Delta,
    Absent,
}

/// A row's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    ToBeDeleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub row: usize,
    pub sourced_id: String,
    pub status: Status,
    pub name: String,
    /// `district`, `school`, `department`, `local`, `state`, `national`.
    pub kind: String,
    /// The institution number (BRIN, instellingsnummer) where the export has it.
    pub identifier: Option<String>,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    pub row: usize,
    pub sourced_id: String,
    pub status: Status,
    pub title: String,
    pub school: String,
}

/// What a user is at their school, as the import treats them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Student,
    Teacher,
    /// `administrator`, `aide`, `proctor`: staff, placed in their school without a class role.
    Staff,
    /// `parent`, `guardian`, `relative`: not imported (a warning says so).
    Other,
}

impl Role {
    fn parse(raw: &str) -> Option<Role> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "student" => Some(Role::Student),
            "teacher" => Some(Role::Teacher),
            "administrator"
            | "aide"
            | "proctor"
            | "districtadministrator"
            | "siteadministrator"
            | "systemadministrator"
            | "principal" => Some(Role::Staff),
            "parent" | "guardian" | "relative" => Some(Role::Other),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub row: usize,
    pub sourced_id: String,
    pub status: Status,
    pub enabled: bool,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    /// The human-readable identifier (a personnel or pupil number).
    pub identifier: Option<String>,
    /// The role of users.csv (OneRoster 1.1) or of roles.csv (1.2), else none (enrollments
    /// then tell).
    pub role: Option<Role>,
    /// The user's organisations: `primaryOrgSourcedId` (1.2), `orgSourcedIds` (1.1), the
    /// orgs of roles.csv.
    pub orgs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub row: usize,
    pub sourced_id: String,
    pub status: Status,
    pub class: String,
    pub school: String,
    pub user: String,
    pub role: Option<Role>,
}

/// A problem of the export: file, row, column, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: &'static str,
    pub row: usize,
    pub column: Option<&'static str>,
    pub code: Code,
    pub details: Vec<String>,
}

/// The export as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub orgs: Vec<Org>,
    pub classes: Vec<Class>,
    pub users: Vec<User>,
    pub enrollments: Vec<Enrollment>,
    /// Per file (`orgs`, `classes`, `users`, `enrollments`): bulk or delta.
    pub processing: HashMap<&'static str, Processing>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl Roster {
    pub fn processing(&self, file: &'static str) -> Processing {
        self.processing
            .get(file)
            .copied()
            .unwrap_or(Processing::Absent)
    }
}

fn refuse(code: Code) -> Error {
    Error::invalid("file", code)
}

/// Whether the bytes are a OneRoster export (a zip holding `manifest.csv`), not a workbook.
pub fn is_roster(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"PK\x03\x04") {
        return false;
    }
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|archive| {
            archive
                .file_names()
                .any(|n| n.is_ok_and(|n| base_name(&n).eq_ignore_ascii_case("manifest.csv")))
        })
        .unwrap_or(false)
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The zip's CSV files by base name, bounded.
fn entries(bytes: &[u8], limits: Limits) -> Result<HashMap<String, Vec<u8>>> {
    if bytes.len() > limits.max_bytes {
        return Err(refuse(Code::ImportTooLarge));
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| refuse(Code::ImportUnreadable))?;
    if archive.len() > MAX_ENTRIES {
        return Err(refuse(Code::ImportUnreadable));
    }
    let mut files = HashMap::new();
    let mut unzipped: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|_| refuse(Code::ImportUnreadable))?;
        let name = entry
            .name()
            .map(|n| base_name(&n).to_ascii_lowercase())
            .unwrap_or_default();
        if !name.ends_with(".csv") {
            continue;
        }
        let left = MAX_UNZIPPED.saturating_sub(unzipped);
        let mut content = Vec::new();
        // Read at most what is left of the bound (and one byte more, to know it is exceeded),
        // whatever the entry declares.
        (&mut entry)
            .take(left + 1)
            .read_to_end(&mut content)
            .map_err(|_| refuse(Code::ImportUnreadable))?;
        unzipped = unzipped.saturating_add(content.len() as u64);
        if unzipped > MAX_UNZIPPED {
            return Err(refuse(Code::ImportTooLarge));
        }
        files.insert(name, content);
    }
    Ok(files)
}

/// One CSV file as rows of named cells.
struct Sheet {
    file: &'static str,
    header: HashMap<String, usize>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Sheet {
    fn read(file: &'static str, bytes: &[u8], limits: Limits) -> Result<Sheet> {
        let table = read_csv(bytes, limits)?;
        let mut rows = table.rows.into_iter().enumerate();
        let header = rows
            .next()
            .map(|(_, cells)| {
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.trim().to_ascii_lowercase(), i))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Sheet {
            file,
            header,
            rows: rows
                .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
                .map(|(i, cells)| (i + 1, cells))
                .collect(),
        })
    }

    fn has(&self, column: &str) -> bool {
        self.header.contains_key(&column.to_ascii_lowercase())
    }

    fn cell<'a>(&self, cells: &'a [String], column: &str) -> &'a str {
        self.header
            .get(&column.to_ascii_lowercase())
            .and_then(|&i| cells.get(i))
            .map(|c| c.trim())
            .unwrap_or_default()
    }

    fn optional(&self, cells: &[String], column: &str) -> Option<String> {
        Some(self.cell(cells, column).to_string()).filter(|c| !c.is_empty())
    }
}

/// Reads an export. A missing manifest, a missing file the manifest announces, or a missing
/// required column refuses the whole export; a bad row is a problem of that row.
pub fn read(bytes: &[u8], limits: Limits) -> Result<Roster> {
    let files = entries(bytes, limits)?;
    let manifest = files
        .get("manifest.csv")
        .ok_or_else(|| refuse(Code::OnerosterManifestMissing))?;
    let manifest = Sheet::read("manifest.csv", manifest, limits)?;
    let mut values = HashMap::new();
    for (_, cells) in &manifest.rows {
        values.insert(
            manifest.cell(cells, "propertyName").to_ascii_lowercase(),
            manifest.cell(cells, "value").to_ascii_lowercase(),
        );
    }
    let version = values.get("oneroster.version").cloned().unwrap_or_default();
    if !matches!(version.as_str(), "1.1" | "1.2") {
        return Err(Error::RefusedAt(
            Code::OnerosterVersionUnsupported,
            vec![version],
        ));
    }
    let mut roster = Roster::default();
    for file in ["orgs", "classes", "users", "enrollments", "roles"] {
        let processing = match values
            .get(&format!("file.{}", file.to_ascii_lowercase()))
            .map(String::as_str)
        {
            Some("bulk") => Processing::Bulk,
            Some("delta") => Processing::Delta,
            _ => Processing::Absent,
        };
        roster.processing.insert(file, processing);
    }
    let sheet = |file: &'static str, name: &str| -> Result<Option<Sheet>> {
        match files.get(name) {
            Some(bytes) => Sheet::read(file, bytes, limits).map(Some),
            None => Ok(None),
        }
    };
    let announced = |file: &'static str| roster.processing(file) != Processing::Absent;
    let required = |file: &'static str, name: &str| -> Result<Option<Sheet>> {
        let found = sheet(file, name)?;
        if found.is_none() && announced(file) {
            return Err(Error::RefusedAt(
                Code::OnerosterFileMissing,
                vec![name.to_string()],
            ));
        }
        Ok(found.filter(|_| announced(file)))
    };
    let orgs = required("orgs", "orgs.csv")?;
    let classes = required("classes", "classes.csv")?;
    let users = required("users", "users.csv")?;
    let enrollments = required("enrollments", "enrollments.csv")?;
    let roles = required("roles", "roles.csv")?;
    if let Some(sheet) = &orgs {
        read_orgs(sheet, &mut roster)?;
    }
    if let Some(sheet) = &classes {
        read_classes(sheet, &mut roster)?;
    }
    let user_roles = match &roles {
        Some(sheet) => read_roles(sheet, &mut roster)?,
        None => HashMap::new(),
    };
    if let Some(sheet) = &users {
        read_users(sheet, &user_roles, &mut roster)?;
    }
    if let Some(sheet) = &enrollments {
        read_enrollments(sheet, &mut roster)?;
    }
    Ok(roster)
}

fn require_columns(sheet: &Sheet, columns: &[&str]) -> Result<()> {
    for column in columns {
        if !sheet.has(column) {
            return Err(Error::RefusedAt(
                Code::OnerosterColumnMissing,
                vec![sheet.file.to_string(), column.to_string()],
            ));
        }
    }
    Ok(())
}

/// The row's status: empty is active (a bulk file need not fill it).
fn status(sheet: &Sheet, cells: &[String], row: usize, roster: &mut Roster) -> Option<Status> {
    match sheet.cell(cells, "status").to_ascii_lowercase().as_str() {
        "" | "active" => Some(Status::Active),
        "tobedeleted" => Some(Status::ToBeDeleted),
        other => {
            roster.problems.push(Problem {
                file: sheet.file,
                row,
                column: Some("status"),
                code: Code::OnerosterStatusInvalid,
                details: vec![other.to_string()],
            });
            None
        }
    }
}

/// A sourcedId, once per file.
fn sourced_id(
    sheet: &Sheet,
    cells: &[String],
    row: usize,
    seen: &mut std::collections::HashSet<String>,
    roster: &mut Roster,
) -> Option<String> {
    let id = sheet.cell(cells, "sourcedId").to_string();
    let problem = if id.is_empty() {
        Some((Code::OnerosterIdMissing, vec![]))
    } else if id.chars().count() > crate::identifiers::MAX_LEN || id.chars().any(char::is_control) {
        Some((Code::ExternalIdInvalid, vec![]))
    } else if !seen.insert(id.clone()) {
        Some((Code::OnerosterIdTwice, vec![id.clone()]))
    } else {
        None
    };
    match problem {
        Some((code, details)) => {
            roster.problems.push(Problem {
                file: sheet.file,
                row,
                column: Some("sourcedId"),
                code,
                details,
            });
            None
        }
        None => Some(id),
    }
}

/// A row of a file: its number, its cells, its sourcedId and status.
type Record<'a> = (usize, &'a [String], String, Status);

/// The rows of a file with the columns it must have: each with its sourcedId and status (a row
/// without them is a problem of its own, and left out).
fn records<'a>(sheet: &'a Sheet, columns: &[&str], roster: &mut Roster) -> Result<Vec<Record<'a>>> {
    require_columns(sheet, columns)?;
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::with_capacity(sheet.rows.len());
    for (row, cells) in &sheet.rows {
        if let (Some(id), Some(status)) = (
            sourced_id(sheet, cells, *row, &mut seen, roster),
            status(sheet, cells, *row, roster),
        ) {
            found.push((*row, cells.as_slice(), id, status));
        }
    }
    Ok(found)
}

fn read_orgs(sheet: &Sheet, roster: &mut Roster) -> Result<()> {
    for (row, cells, id, status) in records(sheet, &["sourcedId", "name", "type"], roster)? {
        roster.orgs.push(Org {
            row,
            sourced_id: id,
            status,
            name: sheet.cell(cells, "name").to_string(),
            kind: sheet.cell(cells, "type").to_ascii_lowercase(),
            identifier: sheet.optional(cells, "identifier"),
            parent: sheet.optional(cells, "parentSourcedId"),
        });
    }
    Ok(())
}

fn read_classes(sheet: &Sheet, roster: &mut Roster) -> Result<()> {
    for (row, cells, id, status) in
        records(sheet, &["sourcedId", "title", "schoolSourcedId"], roster)?
    {
        roster.classes.push(Class {
            row,
            sourced_id: id,
            status,
            title: sheet.cell(cells, "title").to_string(),
            school: sheet.cell(cells, "schoolSourcedId").to_string(),
        });
    }
    Ok(())
}

/// A user's role and organisations (primary first), as roles.csv gives them.
type RoleOfUser = (Option<Role>, Vec<String>);

/// roles.csv (1.2): each user's role and organisations (primary first).
fn read_roles(sheet: &Sheet, roster: &mut Roster) -> Result<HashMap<String, RoleOfUser>> {
    require_columns(sheet, &["userSourcedId", "role", "orgSourcedId"])?;
    let mut found: HashMap<String, RoleOfUser> = HashMap::new();
    for (row, cells) in &sheet.rows {
        if status(sheet, cells, *row, roster) != Some(Status::Active) {
            continue;
        }
        let user = sheet.cell(cells, "userSourcedId").to_string();
        let role = Role::parse(sheet.cell(cells, "role"));
        let org = sheet.cell(cells, "orgSourcedId").to_string();
        let primary = sheet
            .cell(cells, "roleType")
            .eq_ignore_ascii_case("primary");
        let entry = found.entry(user).or_default();
        if primary || entry.0.is_none() {
            entry.0 = role.or(entry.0);
        }
        if primary {
            entry.1.insert(0, org);
        } else {
            entry.1.push(org);
        }
    }
    Ok(found)
}

fn read_users(
    sheet: &Sheet,
    roles: &HashMap<String, RoleOfUser>,
    roster: &mut Roster,
) -> Result<()> {
    for (row, cells, id, status) in records(
        sheet,
        &["sourcedId", "username", "givenName", "familyName"],
        roster,
    )? {
        let (role_of_roles, orgs_of_roles) = roles.get(&id).cloned().unwrap_or_default();
        let mut orgs: Vec<String> = Vec::new();
        if let Some(primary) = sheet.optional(cells, "primaryOrgSourcedId") {
            orgs.push(primary);
        }
        for org in sheet
            .cell(cells, "orgSourcedIds")
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .chain(orgs_of_roles.iter().map(String::as_str))
        {
            if !orgs.iter().any(|o| o == org) {
                orgs.push(org.to_string());
            }
        }
        let enabled = !sheet
            .cell(cells, "enabledUser")
            .eq_ignore_ascii_case("false");
        roster.users.push(User {
            row,
            sourced_id: id,
            status,
            enabled,
            username: sheet.cell(cells, "username").to_string(),
            given_name: sheet.cell(cells, "givenName").to_string(),
            family_name: sheet.cell(cells, "familyName").to_string(),
            email: sheet.optional(cells, "email"),
            identifier: sheet.optional(cells, "identifier"),
            role: Role::parse(sheet.cell(cells, "role")).or(role_of_roles),
            orgs,
        });
    }
    Ok(())
}

fn read_enrollments(sheet: &Sheet, roster: &mut Roster) -> Result<()> {
    let columns = ["sourcedId", "classSourcedId", "userSourcedId", "role"];
    for (row, cells, id, status) in records(sheet, &columns, roster)? {
        roster.enrollments.push(Enrollment {
            row,
            sourced_id: id,
            status,
            class: sheet.cell(cells, "classSourcedId").to_string(),
            school: sheet.cell(cells, "schoolSourcedId").to_string(),
            user: sheet.cell(cells, "userSourcedId").to_string(),
            role: Role::parse(sheet.cell(cells, "role")),
        });
    }
    Ok(())
}

/// The export's users.csv as a table (the stored form of a run's file once it has ended, and
/// the rows of its result file); empty when it has none.
pub fn users_table(bytes: &[u8], limits: Limits) -> Result<super::super::table::Table> {
    let files = entries(bytes, limits)?;
    match files.get("users.csv") {
        Some(content) => read_csv(content, limits),
        None => Ok(super::super::table::Table {
            first_row: 1,
            rows: Vec::new(),
        }),
    }
}
