//! The user list as a download, filtered as on the page (site, subsites, search, property,
//! sort), with a column per custom property, in .xlsx or CSV; every cell neutralised against
//! formula injection.
use std::collections::HashMap;

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, TryStreamExt};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::list::{filtered_query, UserQuery, UserRow};
use crate::access::{self, Operation};
use crate::entities::{property_value, user};
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
    conn: &impl ConnectionTrait,
    columns: &[Column],
    locale: &str,
    users: Vec<UserRow>,
) -> Result<Vec<Vec<String>>> {
    let mut values: HashMap<(i32, i32), String> = HashMap::new();
    if !columns.is_empty() {
        let ids: Vec<i32> = users.iter().map(|r| r.id).collect();
        for v in property_value::Entity::find()
            .filter(property_value::Column::UserId.is_in(ids))
            .all(conn)
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

/// How long one download may take before it is cut off (a reader who stopped reading).
const DOWNLOAD_TIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// How long the next part may wait for a reader who stopped reading.
const STALLED: std::time::Duration = std::time::Duration::from_secs(60);

/// The download: refused before anything is sent (access, too many downloads at once: 503),
/// then sent as it is made. The matching users' ids are read first, in the list's order (at
/// most [`EXPORT_LIMIT`]); then a batch at a time, converted and written into the file; each
/// batch's bytes go out before the next is read. Memory holds the ids and a batch. The reads
/// share one read-only transaction (a consistent file): a download holds a connection while it
/// lasts, so at most four run at once, each for at most [`DOWNLOAD_TIME`].
pub async fn export(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    query: UserQuery,
    format: Format,
    locale: &str,
) -> Result<Download> {
    let site = resolve(db, site).await?;
    access::require(principal, Operation::ListUsers, &site.scope)?;
    let admission = crate::work::downloads().admit()?;
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
    let listed = super::list::Listed::of(&site.scope)?;
    // One snapshot for the whole file, on one connection (its page cache warm from batch to
    // batch): a user changed meanwhile is as they were when the download began.
    let reading = db.conn().begin().await?;
    let ids: Vec<i32> = filtered_query(listed, &query, &parts, db.backend())
        .select_only()
        .column(user::Column::Id)
        .limit(EXPORT_LIMIT)
        .into_tuple()
        .all(&reading)
        .await?;
    let sink = Sink::default();
    let out = sheet::Streamed::new(format, &t("export.sheet"), &header, locale, sink.clone())?;
    let export = Export {
        reading,
        backend: db.backend(),
        listed,
        query,
        parts,
        columns,
        locale: locale.to_string(),
        ids,
        next: 0,
        out: Some(out),
        sink,
        until: std::time::Instant::now() + DOWNLOAD_TIME,
        _admission: admission,
    };
    // Made on a task of its own, a part ahead of the reader: a reader who stops reading has
    // the export end (its connection and its place given back) after [`STALLED`], even while
    // the server waits to send them anything.
    let (parts, received) = tokio::sync::mpsc::channel::<Result<Vec<u8>>>(1);
    tokio::spawn(export.run(parts));
    Ok(Download {
        name,
        content_type: format.content_type(),
        parts: futures::stream::unfold(received, |mut received| async move {
            received.recv().await.map(|part| (part, received))
        })
        .boxed(),
    })
}

/// A file sent as it is made.
pub struct Download {
    pub name: String,
    pub content_type: &'static str,
    /// The file's bytes in parts; an error ends it early (the reader's download fails).
    pub parts: futures::stream::BoxStream<'static, Result<Vec<u8>>>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// The whole file (tests, small files).
    pub async fn bytes(self) -> Result<(String, Vec<u8>)> {
        let parts: Vec<Vec<u8>> = self.parts.try_collect().await?;
        Ok((self.name, parts.concat()))
    }
}

/// Where the file is written: what was written since the last [`Sink::take`].
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Result<Vec<u8>> {
        self.0
            .lock()
            .map(|mut bytes| std::mem::take(&mut *bytes))
            .map_err(|_| crate::Error::Internal("download: sink".into()))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("download: sink"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A download under way.
struct Export {
    reading: sea_orm::DatabaseTransaction,
    backend: sea_orm::DbBackend,
    listed: super::list::Listed,
    query: UserQuery,
    parts: super::list::PropertyParts,
    columns: Vec<Column>,
    locale: String,
    ids: Vec<i32>,
    next: usize,
    /// Until the file is finished.
    out: Option<sheet::Streamed<Sink>>,
    sink: Sink,
    until: std::time::Instant,
    _admission: crate::work::Admission,
}

impl Export {
    /// Sends the file's parts, then ends; an error is sent as the last part.
    async fn run(mut self, parts: tokio::sync::mpsc::Sender<Result<Vec<u8>>>) {
        while let Some(part) = self.step().await.transpose() {
            let failed = part.is_err();
            let sent = tokio::time::timeout(STALLED, parts.send(part)).await;
            if failed || !matches!(sent, Ok(Ok(()))) {
                return;
            }
        }
    }

    /// The next part of the file, or none at its end.
    async fn step(&mut self) -> Result<Option<Vec<u8>>> {
        loop {
            if std::time::Instant::now() > self.until {
                return Err(crate::Error::Internal("download: too slow".into()));
            }
            let Some(out) = self.out.as_mut() else {
                return Ok(None);
            };
            if self.next < self.ids.len() {
                let end = (self.next + BATCH).min(self.ids.len());
                let batch = &self.ids[self.next..end];
                self.next = end;
                let mut found: HashMap<i32, UserRow> =
                    filtered_query(self.listed, &self.query, &self.parts, self.backend)
                        .filter(user::Column::Id.is_in(batch.iter().copied()))
                        .into_model::<UserRow>()
                        .all(&self.reading)
                        .await?
                        .into_iter()
                        .map(|row| (row.id, row))
                        .collect();
                // In the list's order; a user removed since the ids were read is left out.
                let users = batch.iter().filter_map(|id| found.remove(id)).collect();
                for row in cells(&self.reading, &self.columns, &self.locale, users).await? {
                    out.row(&row)?;
                }
            } else if let Some(out) = self.out.take() {
                out.finish()?;
            }
            let bytes = self.sink.take()?;
            if !bytes.is_empty() {
                return Ok(Some(bytes));
            }
        }
    }
}
