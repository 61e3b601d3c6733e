//! HR synchronisation: an organisation's import configuration, applied to the uploads of its
//! HR system's export. It says which source column is which Licentia column or property
//! (columns it does not name are left out), whether users are matched on their personnel
//! number (new ones then get it as username unless a column gives one), how dates are
//! written, and whether an employee the file places in another site is moved there
//! ("automatically end old placements"); without that setting the preview warns of the double
//! placement and the user stays where they are. Rows need no action column: each adds or
//! updates.
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::columns::{normalise, Column};
use super::property_columns::PropertyHeaders;
use super::table::Table;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::import_config;
use crate::error::{Code, Error, Result};
use crate::{sites, Db, Principal};

/// What rows are matched on, and how dates are written (the wire's own).
pub use wire::{DateFormat, MatchOn};

/// The match named `raw` (empty: the personnel number), or why it is none.
fn parse_match_on(raw: &str) -> Result<MatchOn> {
    match raw.trim() {
        "" => Ok(MatchOn::PersonnelNumber),
        name => MatchOn::parse(name).ok_or(Error::invalid("match_on", Code::ImportConfigInvalid)),
    }
}

/// The date format named `raw` (empty: automatic), or why it is none.
fn parse_date_format(raw: &str) -> Result<DateFormat> {
    match raw.trim() {
        "" => Ok(DateFormat::Auto),
        name => {
            DateFormat::parse(name).ok_or(Error::invalid("date_format", Code::ImportConfigInvalid))
        }
    }
}

/// The ISO form of a date written in `format` (the text as it was when it is not one).
fn to_iso(format: DateFormat, raw: &str) -> String {
    let formats: &[&str] = match format {
        DateFormat::Auto => return raw.to_string(),
        DateFormat::DayMonthYear => &["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        DateFormat::MonthDayYear => &["%m/%d/%Y", "%m-%d-%Y"],
        DateFormat::YearMonthDay => &["%Y-%m-%d", "%Y/%m/%d"],
    };
    formats
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw.trim(), f).ok())
        .map_or_else(|| raw.to_string(), |d| d.to_string())
}

/// An organisation's import configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncConfig {
    /// (source header as the HR system writes it, target): a column key (`username`,
    /// `first_name`, …) or a property key.
    pub mapping: Vec<(String, String)>,
    pub match_on: MatchOn,
    pub date_format: DateFormat,
    pub end_old_placements: bool,
}

/// The form: the mapping one `Source header = target` per line.
#[derive(Debug, Clone, Default)]
pub struct SyncForm {
    pub mapping: String,
    pub match_on: String,
    pub date_format: String,
    pub end_old_placements: bool,
}

/// Licentia columns a mapping may name (the action comes from the configuration itself).
const TARGETS: [Column; 8] = [
    Column::Username,
    Column::FirstName,
    Column::LastName,
    Column::Email,
    Column::ExpiresOn,
    Column::PersonnelNumber,
    Column::Subsite,
    Column::Roles,
];

impl SyncConfig {
    fn from_model(m: &import_config::Model) -> SyncConfig {
        SyncConfig {
            mapping: serde_json::from_str(&m.mapping).unwrap_or_default(),
            match_on: MatchOn::parse(&m.match_on).unwrap_or_default(),
            date_format: DateFormat::parse(&m.date_format).unwrap_or_default(),
            end_old_placements: m.end_old_placements,
        }
    }

    /// The mapping as the form shows it.
    pub fn mapping_text(&self) -> String {
        self.mapping
            .iter()
            .map(|(source, target)| format!("{source} = {target}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The upload rewritten as a Licentia import: the action column first (add or update),
    /// the mapped columns under their Licentia names, dates in ISO form, a username from the
    /// personnel number when matching on it and no column gives one. Unmapped columns go.
    pub fn apply(&self, table: &Table, properties: &PropertyHeaders) -> Table {
        let mut lines = table.rows.iter();
        let mut skipped = 0;
        let header = loop {
            match lines.next() {
                Some(row) if row.iter().all(|c| c.trim().is_empty()) => skipped += 1,
                Some(row) => break row.clone(),
                None => return table.clone(),
            }
        };
        // (source index, target header, is a date)
        let mut kept: Vec<(usize, String, bool)> = Vec::new();
        for (index, raw) in header.iter().enumerate() {
            let name = normalise(raw);
            let Some((_, target)) = self
                .mapping
                .iter()
                .find(|(source, _)| normalise(source) == name && !name.is_empty())
            else {
                continue;
            };
            if let Some(column) = TARGETS.iter().find(|c| c.key() == target) {
                kept.push((
                    index,
                    column.header().to_string(),
                    *column == Column::ExpiresOn,
                ));
            } else if let Some(p) = properties.find(target) {
                kept.push((
                    index,
                    p.key.clone(),
                    p.kind == crate::properties::Kind::Date,
                ));
            }
        }
        let number_at = kept
            .iter()
            .find(|(_, h, _)| h == Column::PersonnelNumber.header())
            .map(|(i, _, _)| *i);
        let add_username = self.match_on == MatchOn::PersonnelNumber
            && !kept.iter().any(|(_, h, _)| h == Column::Username.header());
        let mut out_header = vec![Column::Action.header().to_string()];
        out_header.extend(kept.iter().map(|(_, h, _)| h.clone()));
        if add_username {
            out_header.push(Column::Username.header().to_string());
        }
        let mut rows = vec![out_header];
        for row in lines {
            let cell = |i: usize| row.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
            if row.iter().all(|c| c.trim().is_empty()) {
                rows.push(Vec::new());
                continue;
            }
            let mut out = vec!["+".to_string()];
            out.extend(kept.iter().map(|(i, _, date)| {
                let text = cell(*i);
                if *date {
                    to_iso(self.date_format, &text)
                } else {
                    text
                }
            }));
            if add_username {
                out.push(number_at.map(|i| username_of(&cell(i))).unwrap_or_default());
            }
            rows.push(out);
        }
        Table {
            first_row: table.first_row + skipped,
            rows,
        }
    }
}

/// A username made of a personnel number: lower case, other characters as dashes.
fn username_of(number: &str) -> String {
    number
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The HR synchronisation panel of the import page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOverview {
    pub config: Option<SyncConfig>,
    /// Whether the principal may change it (the organisation's administrators).
    pub can_edit: bool,
    /// The targets a mapping may name: Licentia's columns, then the property keys.
    pub targets: Vec<String>,
}

pub async fn overview(db: &Db, principal: &Principal, site: Uuid) -> Result<SyncOverview> {
    let config = config(db, principal, site).await?;
    let resolved = sites::resolve(db, site).await?;
    let root_id = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let root = sites::resolve_by_id(db, root_id).await?;
    let mut targets: Vec<String> = TARGETS.iter().map(|c| c.key().to_string()).collect();
    let mut keys: Vec<String> = crate::properties::of_organisation(db.conn(), root_id)
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect();
    keys.sort();
    targets.extend(keys);
    Ok(SyncOverview {
        config,
        can_edit: access::allows(principal, Operation::ConfigureImport, &root.scope),
        targets,
    })
}

/// The configuration of the organisation `site` belongs to, for whoever imports there.
pub async fn config(db: &Db, principal: &Principal, site: Uuid) -> Result<Option<SyncConfig>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ImportUsers, &resolved.scope)?;
    config_by_site_id(db, resolved.site.id).await
}

pub(crate) async fn config_by_site_id(db: &Db, site_id: i32) -> Result<Option<SyncConfig>> {
    let resolved = sites::resolve_by_id(db, site_id).await?;
    let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
    Ok(import_config::Entity::find()
        .filter(import_config::Column::SiteId.eq(root))
        .one(db.conn())
        .await?
        .as_ref()
        .map(SyncConfig::from_model))
}

/// Saves the organisation's configuration (its administrators, on the root).
pub async fn save_config(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    form: SyncForm,
) -> Result<SyncConfig> {
    let resolved = sites::resolve(db, site).await?;
    let root_id = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let root = sites::resolve_by_id(db, root_id).await?;
    access::require(principal, Operation::ConfigureImport, &root.scope)?;
    let properties = PropertyHeaders::load(db, root_id).await?;
    let mut mapping = Vec::new();
    for (n, line) in form.mapping.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let refuse = || Error::RefusedAt(Code::ImportConfigLineInvalid, vec![(n + 1).to_string()]);
        let (source, target) = line.split_once('=').ok_or_else(refuse)?;
        let (source, target) = (source.trim(), target.trim().to_lowercase());
        if source.is_empty() || target.is_empty() {
            return Err(refuse());
        }
        let known = TARGETS.iter().any(|c| c.key() == target) || properties.find(&target).is_some();
        if !known {
            return Err(Error::RefusedAt(
                Code::ImportConfigTargetUnknown,
                vec![target],
            ));
        }
        mapping.push((source.to_string(), target));
    }
    if mapping.is_empty() {
        return Err(Error::invalid("mapping", Code::ImportConfigInvalid));
    }
    let config = SyncConfig {
        match_on: parse_match_on(&form.match_on)?,
        date_format: parse_date_format(&form.date_format)?,
        end_old_placements: form.end_old_placements,
        mapping,
    };
    if config.match_on == MatchOn::PersonnelNumber
        && !config.mapping.iter().any(|(_, t)| t == "personnel_number")
    {
        return Err(Error::RefusedAt(
            Code::ImportMissingColumn,
            vec!["personnel_number".into()],
        ));
    }
    let mapping_json = serde_json::to_string(&config.mapping)
        .map_err(|e| Error::Internal(format!("import mapping: {e}")))?;
    let before = config_by_site_id(db, root_id).await?.unwrap_or_default();
    let txn = db.write().await?;
    import_config::Entity::insert(import_config::ActiveModel {
        site_id: Set(root_id),
        mapping: Set(mapping_json),
        match_on: Set(config.match_on.as_str().to_string()),
        date_format: Set(config.date_format.as_str().to_string()),
        end_old_placements: Set(config.end_old_placements),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(import_config::Column::SiteId)
            .update_columns([
                import_config::Column::Mapping,
                import_config::Column::MatchOn,
                import_config::Column::DateFormat,
                import_config::Column::EndOldPlacements,
                import_config::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::ImportConfigure,
            target: root.site.name.clone().into(),
            site: &root.site,
            changes: vec![
                Change::new("mapping", before.mapping_text(), config.mapping_text()),
                Change::new(
                    "match_on",
                    before.match_on.as_str(),
                    config.match_on.as_str(),
                ),
                Change::new(
                    "date_format",
                    before.date_format.as_str(),
                    config.date_format.as_str(),
                ),
                Change::new(
                    "end_old_placements",
                    before.end_old_placements,
                    config.end_old_placements,
                ),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(config)
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
    fn should_rewrite_an_hr_export_as_an_import() {
        let config = SyncConfig {
            mapping: vec![
                ("Emp No".into(), "personnel_number".into()),
                ("Given name".into(), "first_name".into()),
                ("Family name".into(), "last_name".into()),
                ("Leaves on".into(), "expires_on".into()),
            ],
            match_on: MatchOn::PersonnelNumber,
            date_format: DateFormat::MonthDayYear,
            end_old_placements: true,
        };
        let rewritten = config.apply(
            &table(&[
                &["Emp No", "Salary", "Given name", "Family name", "Leaves on"],
                &["HZ 2001", "3000", "Nora", "Claes", "12/31/2027"],
                &["", "", "", "", ""],
                &["HZ-2002", "", "Omar", "Aziz", "not a date"],
            ]),
            &PropertyHeaders::default(),
        );
        assert_eq!(
            rewritten.rows,
            vec![
                vec![
                    "actie",
                    "personeelsnummer",
                    "voornaam",
                    "achternaam",
                    "vervaldatum",
                    "gebruikersnaam"
                ],
                vec!["+", "HZ 2001", "Nora", "Claes", "2027-12-31", "hz-2001"],
                vec![],
                vec!["+", "HZ-2002", "Omar", "Aziz", "not a date", "hz-2002"],
            ]
        );
        let parsed = super::super::parse_rows(&rewritten).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(
            parsed.issues.len(),
            1,
            "the bad date is reported on its row"
        );
        assert_eq!(parsed.issues[0].row, 4);
    }
}
