//! Reading the journal: paged and filtered, limited to what the principal may see.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use std::collections::HashSet;

use super::{Action, Change, OUTSIDE_VIEW};
use crate::access::{self, Operation, Readable};
use crate::entities::{audit_event, site_closure};
use crate::error::{Code, Error, Result};
use crate::{sites, validate, Db, Principal};

pub const PAGE_SIZE: u64 = 50;
/// The most rows one CSV export holds (the newest first).
pub const EXPORT_LIMIT: u64 = 100_000;

/// The journal's filter as typed (dates are ISO `YYYY-MM-DD`, both inclusive).
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    pub site: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    /// Zero-based.
    pub page: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub site: String,
    pub changes: Vec<Change>,
    pub client_address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct JournalPage {
    pub entries: Vec<JournalEntry>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// One page of the journal.
/// An administrator sees the changes in their subtrees and their own changes.
pub async fn list(db: &Db, principal: &Principal, query: JournalQuery) -> Result<JournalPage> {
    let visible = visibility(db, principal, &query).await?;
    let select = filtered(visible, &query)?;
    let total = select.clone().count(db.conn()).await?;
    let entries = select
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
        .limit(PAGE_SIZE)
        .offset(query.page.saturating_mul(PAGE_SIZE))
        .all(db.conn())
        .await?;
    let readable = access::readable(principal, Operation::ViewJournal)?;
    let visible = visible_sites(db, &readable, &entries).await?;
    Ok(JournalPage {
        entries: entries
            .into_iter()
            .map(|row| entry(row, &visible))
            .collect(),
        total,
        page: query.page,
        page_size: PAGE_SIZE,
    })
}

/// How many entries a download reads at a time.
pub const EXPORT_BATCH: u64 = 1_000;

/// The journal under a filter, for a download: read a batch at a time (newest first, by time
/// and id from where the last batch ended), so that memory holds one batch however long the
/// journal; at most [`EXPORT_LIMIT`] entries in all.
pub struct JournalExport {
    db: Db,
    select: Select<audit_event::Entity>,
    readable: Readable,
    /// Where the last batch ended.
    after: Option<(DateTime<Utc>, i32)>,
    left: u64,
}

/// Begins a download of the journal under `query` (the access check is here, before any row).
pub async fn export(db: &Db, principal: &Principal, query: JournalQuery) -> Result<JournalExport> {
    let visible = visibility(db, principal, &query).await?;
    let select = filtered(visible, &query)?;
    Ok(JournalExport {
        db: db.clone(),
        select,
        readable: access::readable(principal, Operation::ViewJournal)?,
        after: None,
        left: EXPORT_LIMIT,
    })
}

impl JournalExport {
    /// The next entries (none: the download is complete).
    pub async fn next_batch(&mut self) -> Result<Vec<JournalEntry>> {
        if self.left == 0 {
            return Ok(Vec::new());
        }
        let mut select = self.select.clone();
        if let Some((at, id)) = self.after {
            select = select.filter(
                Condition::any().add(audit_event::Column::At.lt(at)).add(
                    Condition::all()
                        .add(audit_event::Column::At.eq(at))
                        .add(audit_event::Column::Id.lt(id)),
                ),
            );
        }
        let rows = select
            .order_by_desc(audit_event::Column::At)
            .order_by_desc(audit_event::Column::Id)
            .limit(Ord::min(EXPORT_BATCH, self.left))
            .all(self.db.conn())
            .await?;
        self.left = self.left.saturating_sub(rows.len() as u64);
        if rows.len() < EXPORT_BATCH as usize {
            self.left = 0;
        }
        self.after = rows.last().map(|r| (r.at, r.id));
        let visible = visible_sites(&self.db, &self.readable, &rows).await?;
        Ok(rows.into_iter().map(|row| entry(row, &visible)).collect())
    }
}

/// The rows the principal may see, as a condition on the journal.
async fn visibility(db: &Db, principal: &Principal, query: &JournalQuery) -> Result<Condition> {
    if let Some(site) = query.site {
        // One subtree, asked for by name: the principal must be allowed to read it.
        let resolved = sites::resolve(db, site).await?;
        access::require(principal, Operation::ViewJournal, &resolved.scope)?;
        return Ok(Condition::all().add(in_subtrees(vec![resolved.site.id])));
    }
    match access::readable(principal, Operation::ViewJournal)? {
        Readable::All => Ok(Condition::all()),
        Readable::Subtrees(roots) if roots.is_empty() => Err(Error::NotFound),
        Readable::Subtrees(roots) => {
            let own = principal.user_id().unwrap_or_default();
            Ok(Condition::any()
                .add(in_subtrees(roots))
                .add(audit_event::Column::ActorId.eq(own)))
        }
    }
}

fn in_subtrees(roots: Vec<i32>) -> Condition {
    Condition::all().add(audit_event::Column::SiteId.in_subquery(sites::subtree(roots)))
}

fn filtered(visible: Condition, query: &JournalQuery) -> Result<Select<audit_event::Entity>> {
    let mut select = audit_event::Entity::find().filter(visible);
    if let Some(pattern) = validate::contains_pattern(&query.actor) {
        select = select.filter(
            Func::lower(Expr::col(audit_event::Column::ActorName))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    let action = query.action.trim();
    if !action.is_empty() {
        let action = Action::parse(action).ok_or(Error::invalid("action", Code::InvalidRequest))?;
        select = select.filter(audit_event::Column::Action.eq(action.code()));
    }
    let from = validate::optional_date("from", &query.from)?;
    let to = validate::optional_date("to", &query.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(Error::invalid("to", Code::DateRangeReversed));
        }
    }
    if let Some(from) = from.and_then(start_of) {
        select = select.filter(audit_event::Column::At.gte(from));
    }
    if let Some(end) = to.and_then(|d| d.succ_opt()).and_then(start_of) {
        select = select.filter(audit_event::Column::At.lt(end));
    }
    Ok(select)
}

/// The moment a day begins in Brussels (the day the journal's dates are read in, as every day
/// of the product: a filter on "today" at half past midnight finds the last half hour).
fn start_of(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0).map(wire::time::from_local)
}

/// The sites named by the entries' changes that the reader may see (`None`: all of them).
async fn visible_sites(
    db: &Db,
    readable: &Readable,
    rows: &[audit_event::Model],
) -> Result<Option<HashSet<i32>>> {
    let Readable::Subtrees(roots) = readable else {
        return Ok(None);
    };
    let mut named: Vec<i32> = rows
        .iter()
        .flat_map(|row| serde_json::from_str::<Vec<Change>>(&row.changes).unwrap_or_default())
        .flat_map(|c| [c.before_site, c.after_site])
        .flatten()
        .collect();
    named.sort_unstable();
    named.dedup();
    let mut visible = HashSet::new();
    for chunk in named.chunks(500) {
        visible.extend(
            site_closure::Entity::find()
                .select_only()
                .column(site_closure::Column::DescendantId)
                .filter(site_closure::Column::DescendantId.is_in(chunk.to_vec()))
                .filter(site_closure::Column::AncestorId.is_in(roots.clone()))
                .into_tuple::<i32>()
                .all(db.conn())
                .await?,
        );
    }
    Ok(Some(visible))
}

fn entry(row: audit_event::Model, visible: &Option<HashSet<i32>>) -> JournalEntry {
    let shown = |site: Option<i32>, name: String| match (site, visible) {
        (Some(id), Some(visible)) if !visible.contains(&id) => OUTSIDE_VIEW.to_string(),
        _ => name,
    };
    let changes: Vec<Change> = serde_json::from_str(&row.changes).unwrap_or_default();
    JournalEntry {
        at: row.at,
        actor: row.actor_name,
        action: row.action,
        target: row.target_label,
        site: row.site_name,
        changes: changes
            .into_iter()
            .map(|c| Change {
                before: shown(c.before_site, c.before),
                after: shown(c.after_site, c.after),
                ..c
            })
            .collect(),
        client_address: row.client_address,
    }
}
