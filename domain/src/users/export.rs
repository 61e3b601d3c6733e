//! The user list as a download, filtered as on the page (site, subsites, search, property,
//! sort), with a column per custom property, in .xlsx or CSV; every cell neutralised against
//! formula injection.
use std::collections::HashMap;

use futures::TryStreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::list::{filtered_query, UserQuery, UserRow};
use crate::access::{self, Operation};
use crate::entities::property_value;
use crate::error::Result;
use crate::sheet::{self, Format};
use crate::sites::resolve;
use crate::texts::text;
use crate::{Db, Principal};

/// The most rows one export holds (the import's own limit).
pub const EXPORT_LIMIT: u64 = 200_000;

/// Rows read, converted and handed to the writer at a time.
const BATCH: usize = 1_000;

/// The organisation's properties, one column each.
async fn property_columns(db: &Db, site: &crate::sites::Resolved) -> Result<Vec<Column>> {
    let root = site.scope.root_id().ok_or(crate::Error::NotFound)?;
    Ok(crate::properties::of_organisation(db.conn(), root)
        .await?
        .iter()
        .map(|d| Column {
            id: d.id,
            definition: crate::properties::Definition::of(d),
        })
        .collect())
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

/// A batch of users as rows of cells, with their values of the properties.
async fn cells(
    db: &Db,
    columns: &[Column],
    locale: &str,
    users: Vec<UserRow>,
) -> Result<Vec<Vec<String>>> {
    let mut values: HashMap<(i32, i32), String> = HashMap::new();
    if !columns.is_empty() {
        let ids: Vec<i32> = users.iter().map(|r| r.id).collect();
        for v in property_value::Entity::find()
            .filter(property_value::Column::UserId.is_in(ids))
            .all(db.conn())
            .await?
        {
            values.insert((v.user_id, v.definition_id), v.value);
        }
    }
    let t = |key: &str| text(locale, key);
    Ok(users
        .into_iter()
        .map(|r| {
            let id = r.id;
            let mut row = vec![
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
            row.extend(
                columns
                    .iter()
                    .map(|c| values.remove(&(id, c.id)).unwrap_or_default()),
            );
            row
        })
        .collect())
}

/// The file's name and bytes. The users are read as a stream and written as they come, a
/// batch at a time, on the spreadsheet pool: the export holds a batch and the file, not the
/// whole list (at most [`EXPORT_LIMIT`] rows).
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
    let columns = property_columns(db, &site).await?;
    let t = |key: &str| text(locale, key);
    let header: Vec<String> = [
        "column.username",
        "column.first_name",
        "column.last_name",
        "column.email",
        "column.expires_on",
        "column.personnel_number",
        "export.site",
        "export.active",
        "export.created",
    ]
    .into_iter()
    .map(t)
    .chain(columns.iter().map(|c| c.label(locale).to_string()))
    .collect();
    let name = format!(
        "{}-{}.{}",
        t("export.file"),
        chrono::Utc::now().format("%Y-%m-%d"),
        format.extension()
    );

    // The writer takes batches from a short queue; the reader waits while the queue is full,
    // and starts only once the writer runs (a queued export holds no database connection).
    let (batches, mut received) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(2);
    let (started, running) = tokio::sync::oneshot::channel::<()>();
    let sheet = t("export.sheet");
    let writer_locale = locale.to_string();
    let writer = crate::work::sheets().request(move || {
        let _ = started.send(());
        let mut out = sheet::Streamed::new(format, &sheet, &header, &writer_locale)?;
        while let Some(batch) = received.blocking_recv() {
            for row in &batch {
                out.row(row)?;
            }
        }
        out.finish()
    });
    let reader = async move {
        if running.await.is_err() {
            // Refused (busy) or failed before it began: `writer` tells which.
            return Ok(());
        }
        let mut users = filtered_query(
            super::list::Listed::of(&site.scope)?,
            &query,
            &parts,
            db.backend(),
        )
        .limit(EXPORT_LIMIT)
        .into_model::<UserRow>()
        .stream(db.conn())
        .await?;
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let next = users.try_next().await?;
            let end = next.is_none();
            batch.extend(next);
            if batch.len() == BATCH || (end && !batch.is_empty()) {
                let rows = cells(db, &columns, locale, std::mem::take(&mut batch)).await?;
                // A writer that stopped (refused, or failed) has its answer in `writer`.
                if batches.send(rows).await.is_err() {
                    break;
                }
            }
            if end {
                break;
            }
        }
        Ok::<_, crate::Error>(())
    };
    let (read, written) = tokio::join!(reader, writer);
    let bytes = written??;
    read?;
    Ok((name, bytes))
}
