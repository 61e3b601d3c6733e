//! The user list as a download, filtered as on the page (site, subsites, search, property,
//! sort), with a column per custom property, in .xlsx or CSV; every cell neutralised against
//! formula injection.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::list::{filtered_query, UserQuery, UserRow};
use crate::access::{self, Operation};
use crate::entities::property_value;
use crate::error::Result;
use crate::mail::text;
use crate::sheet::{self, Format, Table};
use crate::sites::resolve;
use crate::{Db, Principal};

/// The most rows one export holds (the import's own limit).
pub const EXPORT_LIMIT: u64 = 200_000;

/// The organisation's properties (one column each) and the exported users' values of them,
/// by (user id, definition id).
async fn property_columns(
    db: &Db,
    site: &crate::sites::Resolved,
    rows: &[UserRow],
) -> Result<(Vec<Column>, HashMap<(i32, i32), String>)> {
    let root = site.scope.root_id().ok_or(crate::Error::NotFound)?;
    let definitions: Vec<Column> = crate::properties::of_organisation(db.conn(), root)
        .await?
        .iter()
        .map(|d| Column {
            id: d.id,
            definition: crate::properties::Definition::of(d),
        })
        .collect();
    let mut values = HashMap::new();
    if definitions.is_empty() {
        return Ok((definitions, values));
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    for chunk in ids.chunks(1000) {
        for v in property_value::Entity::find()
            .filter(property_value::Column::UserId.is_in(chunk.to_vec()))
            .all(db.conn())
            .await?
        {
            values.insert((v.user_id, v.definition_id), v.value);
        }
    }
    Ok((definitions, values))
}

struct Column {
    id: i32,
    definition: crate::properties::Definition,
}

impl Column {
    fn label(&self, locale: &str) -> &str {
        self.definition.label(locale)
    }
}

/// The file's name and bytes.
pub async fn export(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    query: UserQuery,
    format: Format,
    locale: &str,
) -> Result<(String, Vec<u8>)> {
    let site = resolve(db, site).await?;
    access::require(principal, Operation::ListUsers, &site.scope)?;
    let parts = super::list::PropertyParts::of(db, &site.scope, &query).await?;
    let rows = filtered_query(site.site.id, &query, &parts)
        .limit(EXPORT_LIMIT)
        .into_model::<UserRow>()
        .all(db.conn())
        .await?;
    let t = |key: &str| text(locale, key);
    let (definitions, values) = property_columns(db, &site, &rows).await?;
    let table = Table {
        sheet: t("export.sheet"),
        header: vec![
            t("column.username"),
            t("column.first_name"),
            t("column.last_name"),
            t("column.email"),
            t("column.expires_on"),
            t("column.personnel_number"),
            t("export.site"),
            t("export.active"),
            t("export.created"),
        ]
        .into_iter()
        .chain(definitions.iter().map(|d| d.label(locale).to_string()))
        .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                let id = r.id;
                let mut cells = vec![
                    r.username,
                    r.first_name,
                    r.last_name,
                    r.email.unwrap_or_default(),
                    r.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                    r.personnel_number.unwrap_or_default(),
                    r.site_name,
                    t(if r.active { "export.yes" } else { "export.no" }),
                    r.created_at.format("%Y-%m-%d").to_string(),
                ];
                cells.extend(
                    definitions
                        .iter()
                        .map(|d| values.get(&(id, d.id)).cloned().unwrap_or_default()),
                );
                cells
            })
            .collect(),
    };
    let name = format!(
        "{}-{}.{}",
        t("export.file"),
        chrono::Utc::now().format("%Y-%m-%d"),
        format.extension()
    );
    let locale = locale.to_string();
    let bytes = crate::work::sheets()
        .request(move || sheet::write(format, &table, &locale))
        .await??;
    Ok((name, bytes))
}
