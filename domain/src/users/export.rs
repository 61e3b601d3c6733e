//! The user list as a download, filtered as on the page (site, subsites, search, sort), in
//! .xlsx or CSV; every cell neutralised against formula injection.
use sea_orm::QuerySelect;
use uuid::Uuid;

use super::list::{filtered_query, UserQuery, UserRow};
use crate::access::{self, Operation};
use crate::error::Result;
use crate::mail::text;
use crate::sheet::{self, Format, Table};
use crate::sites::resolve;
use crate::{Db, Principal};

/// The most rows one export holds (the import's own limit).
pub const EXPORT_LIMIT: u64 = 200_000;

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
    let rows = filtered_query(site.site.id, &query)
        .limit(EXPORT_LIMIT)
        .into_model::<UserRow>()
        .all(db.conn())
        .await?;
    let t = |key: &str| text(locale, key);
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
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    r.username,
                    r.first_name,
                    r.last_name,
                    r.email.unwrap_or_default(),
                    r.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                    r.personnel_number.unwrap_or_default(),
                    r.site_name,
                    t(if r.active { "export.yes" } else { "export.no" }),
                    r.created_at.format("%Y-%m-%d").to_string(),
                ]
            })
            .collect(),
    };
    let name = format!(
        "{}-{}.{}",
        t("export.file"),
        chrono::Utc::now().format("%Y-%m-%d"),
        format.extension()
    );
    Ok((name, sheet::write(format, &table, locale)?))
}
