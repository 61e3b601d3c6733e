//! Recomputing a group's members: who matches the rule now against who is a member, then the
//! leavers and the joiners batch by batch (each batch one transaction, journaled), then what
//! the group gives to members that lack it. Working from the difference makes a run
//! idempotent and lets a run cut short be completed by the next. A run whose changes fit in
//! one batch (the usual case) is one transaction with its outcome: its members and "last run"
//! become visible together.
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set};
use uuid::Uuid;

use super::grants::{
    give_licences, give_role, lacking_licence, lacking_role, role_name, take_away, Take,
};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::db::WriteTxn;
use crate::entities::{dynamic_group, group_member, role, site, user};
use crate::error::{Error, Result};
use crate::properties::filter::{self, Condition};
use crate::{sites, Db, Principal};

/// The transactions of a run: one per batch, or for a run written whole, one for everything
/// including the outcome.
struct Writes<'a> {
    db: &'a Db,
    whole: bool,
    open: Option<WriteTxn>,
}

impl Writes<'_> {
    async fn txn(&mut self) -> Result<&WriteTxn> {
        if self.open.is_none() {
            self.open = Some(self.db.write().await?);
        }
        self.open
            .as_ref()
            .ok_or_else(|| Error::Internal("no transaction".into()))
    }

    /// Ends a batch: committed now, unless the run is written whole. True when committed
    /// (the caller then gives a sign of life).
    async fn end_batch(&mut self) -> Result<bool> {
        if self.whole {
            return Ok(false);
        }
        self.commit().await?;
        Ok(true)
    }

    /// From now on one transaction per batch (what is written so far is committed).
    async fn split(&mut self) -> Result<()> {
        self.whole = false;
        self.commit().await
    }

    async fn commit(&mut self) -> Result<()> {
        if let Some(txn) = self.open.take() {
            txn.commit().await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Users written per transaction.
    pub batch: usize,
    /// Stop after this many batches (the tests' stand-in for a crash mid-run).
    pub stop_after: Option<usize>,
    /// The day licences must be valid on (default: today).
    pub today: Option<NaiveDate>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            batch: 500,
            stop_after: None,
            today: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub joined: usize,
    pub left: usize,
    /// Licences or role grants given this run.
    pub granted: usize,
    /// Members still without the group's licence: no seat was free.
    pub ungranted: usize,
    /// Members after the run.
    pub members: usize,
    /// Why the run changed nothing (`code:key`), if it did not.
    pub problem: Option<String>,
    /// False when the run stopped early (`stop_after`).
    pub finished: bool,
}

/// Recomputes a group now, for a principal who manages it (the page queues a job instead;
/// this is for the command line and the tests).
pub async fn recompute(
    db: &Db,
    principal: &Principal,
    group: Uuid,
    options: RunOptions,
) -> Result<RunReport> {
    let found = dynamic_group::Entity::find()
        .filter(dynamic_group::Column::PublicId.eq(group))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::ManageGroups, &site.scope)?;
    recompute_unchecked(db, found.id, options, || async { Ok(()) }).await
}

/// The users the rule selects now: active, signed up, not service accounts, placed in the
/// group's site or below, meeting every condition. Sorted by id.
pub(crate) fn matching(site_id: i32, checked: &[filter::Checked]) -> Select<user::Entity> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::SiteId.in_subquery(sites::subtree([site_id])))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Pending.is_null())
        .filter(user::Column::ServiceAccount.eq(false))
        .filter(filter::condition(checked))
        .order_by_asc(user::Column::Id)
}

/// The rule of a stored group, checked against the organisation's properties now.
pub(crate) async fn rule_of(
    db: &Db,
    group: &dynamic_group::Model,
    root: i32,
) -> Result<std::result::Result<Vec<filter::Checked>, String>> {
    let conditions: Vec<Condition> = serde_json::from_str(&group.rule)
        .map_err(|e| Error::Internal(format!("group rule: {e}")))?;
    let definitions = crate::properties::of_organisation(db.conn(), root).await?;
    Ok(filter::check(&conditions, &definitions).map_err(|e| {
        let key = e.details().first().cloned().unwrap_or_default();
        format!("{}:{key}", e.code().as_str())
    }))
}

/// Recomputes the group with row id `group`, calling `after_batch` after every committed
/// batch (the worker renews its job's lease there).
pub async fn recompute_unchecked<F, Fut>(
    db: &Db,
    group: i32,
    options: RunOptions,
    mut after_batch: F,
) -> Result<RunReport>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let Some(group) = dynamic_group::Entity::find_by_id(group)
        .one(db.conn())
        .await?
    else {
        // Removed since the run was queued: nothing to do.
        return Ok(RunReport {
            finished: true,
            ..RunReport::default()
        });
    };
    let mut report = RunReport::default();
    if !group.active {
        report.finished = true;
        return Ok(report);
    }
    let home = sites::resolve_by_id(db, group.site_id).await?;
    let root = home.scope.root_id().ok_or(Error::NotFound)?;
    let checked = match rule_of(db, &group, root).await? {
        Ok(checked) => checked,
        Err(problem) => {
            report.problem = Some(problem);
            report.finished = true;
            report.members = member_ids(db, group.id).await?.len();
            finish(db, &group, &report).await?;
            return Ok(report);
        }
    };
    let wanted: Vec<i32> = matching(group.site_id, &checked)
        .into_tuple::<i32>()
        .all(db.conn())
        .await?;
    let current = member_ids(db, group.id).await?;
    let (joining, leaving) = difference(&wanted, &current);
    let sites = organisation_sites(db, root).await?;
    let actor = group.name.clone();
    let today = options.today.unwrap_or_else(wire::time::today);
    let batch = options.batch.max(1);
    let mut batches = 0usize;
    let stop = |batches: usize| options.stop_after.is_some_and(|limit| batches >= limit);
    let mut writes = Writes {
        db,
        whole: leaving.len() + joining.len() <= batch,
        open: None,
    };

    for chunk in leaving.chunks(batch) {
        if stop(batches) {
            return Ok(report);
        }
        let users = users_by_id(db, chunk).await?;
        let txn = writes.txn().await?;
        let taken = take_away(txn, &group, Some(chunk), Take::ALL).await?;
        let events = chunk
            .iter()
            .filter_map(|id| {
                let u = users.get(id)?;
                let mut changes = vec![Change::new("group", &group.name, "")];
                changes.extend(taken.get(id).cloned().unwrap_or_default());
                Some(Event {
                    action: Action::GroupLeave,
                    target: crate::audit::Target::user(u),
                    site: sites.get(&u.site_id)?,
                    changes,
                })
            })
            .collect();
        audit::record_system(&**txn, &actor, events).await?;
        report.left += chunk.len();
        batches += 1;
        if writes.end_batch().await? {
            after_batch().await?;
        }
    }
    for chunk in joining.chunks(batch) {
        if stop(batches) {
            return Ok(report);
        }
        let users = users_by_id(db, chunk).await?;
        let now = Utc::now();
        let txn = writes.txn().await?;
        let rows: Vec<group_member::ActiveModel> = chunk
            .iter()
            .map(|id| group_member::ActiveModel {
                group_id: Set(group.id),
                user_id: Set(*id),
                since: Set(now),
                ..Default::default()
            })
            .collect();
        group_member::Entity::insert_many(rows).exec(&**txn).await?;
        let events = chunk
            .iter()
            .filter_map(|id| {
                let u = users.get(id)?;
                Some(Event {
                    action: Action::GroupJoin,
                    target: crate::audit::Target::user(u),
                    site: sites.get(&u.site_id)?,
                    changes: vec![Change::set("group", &group.name)],
                })
            })
            .collect();
        audit::record_system(&**txn, &actor, events).await?;
        report.joined += chunk.len();
        batches += 1;
        if writes.end_batch().await? {
            after_batch().await?;
        }
    }
    if let Some(product) = group.grant_product_id {
        let lacking = lacking_licence(writes.txn().await?, group.id, product, today).await?;
        if lacking.len() > batch {
            writes.split().await?;
        }
        for (n, chunk) in lacking.chunks(batch).enumerate() {
            if stop(batches) {
                return Ok(report);
            }
            let users = users_by_id(db, chunk).await?;
            let txn = writes.txn().await?;
            let (given, none_free) =
                give_licences(txn, group.id, root, product, chunk, today).await?;
            let events = given
                .iter()
                .filter_map(|(id, serial)| {
                    let u = users.get(id)?;
                    Some(Event {
                        action: Action::LicenceAssign,
                        target: crate::audit::Target::user(u),
                        site: sites.get(&u.site_id)?,
                        changes: vec![
                            Change::set("subscription", serial),
                            Change::set("group", &group.name),
                        ],
                    })
                })
                .collect();
            audit::record_system(&**txn, &actor, events).await?;
            report.granted += given.len();
            batches += 1;
            if writes.end_batch().await? {
                after_batch().await?;
            }
            if none_free > 0 {
                // No seat left: the rest of the members wait for the next run.
                report.ungranted = lacking.len() - (n * batch + chunk.len() - none_free);
                break;
            }
        }
    }
    if let (Some(role_id), Some(on)) = (group.grant_role_id, group.grant_site_id) {
        let granted_role = role::Entity::find_by_id(role_id).one(db.conn()).await?;
        let on_site = sites::resolve_by_id(db, on).await?;
        if let Some(granted_role) = granted_role {
            let lacking = lacking_role(writes.txn().await?, group.id, role_id, on).await?;
            if lacking.len() > batch {
                writes.split().await?;
            }
            for chunk in lacking.chunks(batch) {
                if stop(batches) {
                    return Ok(report);
                }
                let users = users_by_id(db, chunk).await?;
                let txn = writes.txn().await?;
                give_role(txn, group.id, role_id, on, chunk).await?;
                let events = chunk
                    .iter()
                    .filter_map(|id| {
                        Some(Event {
                            action: Action::GrantAdd,
                            target: crate::audit::Target::user(users.get(id)?),
                            site: &on_site.site,
                            changes: vec![
                                Change::set("role", role_name(&granted_role)),
                                Change::set("group", &group.name),
                            ],
                        })
                    })
                    .collect();
                audit::record_system(&**txn, &actor, events).await?;
                report.granted += chunk.len();
                batches += 1;
                if writes.end_batch().await? {
                    after_batch().await?;
                }
            }
        }
    }
    report.members = current.len() + report.joined - report.left;
    report.finished = true;
    // The outcome, in the same transaction as the changes when the run is written whole.
    record_outcome(writes.txn().await?, &group, &report).await?;
    writes.commit().await?;
    after_batch().await?;
    Ok(report)
}

/// What is a member now and what is not: the sorted ids to add and to remove.
fn difference(wanted: &[i32], current: &[i32]) -> (Vec<i32>, Vec<i32>) {
    let (mut joining, mut leaving) = (Vec::new(), Vec::new());
    let (mut w, mut c) = (wanted.iter().peekable(), current.iter().peekable());
    loop {
        match (w.peek(), c.peek()) {
            (Some(a), Some(b)) if a == b => {
                w.next();
                c.next();
            }
            (Some(a), Some(b)) if a < b => joining.extend(w.next()),
            (Some(_), Some(_)) | (None, Some(_)) => leaving.extend(c.next()),
            (Some(_), None) => joining.extend(w.next()),
            (None, None) => return (joining, leaving),
        }
    }
}

async fn member_ids(db: &Db, group: i32) -> Result<Vec<i32>> {
    Ok(group_member::Entity::find()
        .select_only()
        .column(group_member::Column::UserId)
        .filter(group_member::Column::GroupId.eq(group))
        .order_by_asc(group_member::Column::UserId)
        .into_tuple::<i32>()
        .all(db.conn())
        .await?)
}

async fn users_by_id(db: &Db, ids: &[i32]) -> Result<HashMap<i32, user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

async fn organisation_sites(db: &Db, root: i32) -> Result<HashMap<i32, site::Model>> {
    Ok(site::Entity::find()
        .filter(site::Column::Id.in_subquery(sites::subtree([root])))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// Records the run's outcome on the group (in its own transaction).
async fn finish(db: &Db, group: &dynamic_group::Model, report: &RunReport) -> Result<()> {
    let txn = db.write().await?;
    record_outcome(&txn, group, report).await?;
    txn.commit().await
}

async fn record_outcome(
    txn: &WriteTxn,
    group: &dynamic_group::Model,
    report: &RunReport,
) -> Result<()> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    dynamic_group::Entity::update_many()
        .col_expr(dynamic_group::Column::LastRunAt, Expr::value(Utc::now()))
        .col_expr(
            dynamic_group::Column::LastJoined,
            Expr::value(count(report.joined)),
        )
        .col_expr(
            dynamic_group::Column::LastLeft,
            Expr::value(count(report.left)),
        )
        .col_expr(
            dynamic_group::Column::LastUngranted,
            Expr::value(count(report.ungranted)),
        )
        .col_expr(
            dynamic_group::Column::LastProblem,
            Expr::value(report.problem.clone()),
        )
        .filter(dynamic_group::Column::Id.eq(group.id))
        .exec(&**txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::difference;

    #[test]
    fn should_split_the_difference_into_joiners_and_leavers() {
        assert_eq!(
            difference(&[1, 2, 4, 7], &[2, 3, 4, 9]),
            (vec![1, 7], vec![3, 9])
        );
        assert_eq!(difference(&[], &[1]), (vec![], vec![1]));
        assert_eq!(difference(&[5], &[]), (vec![5], vec![]));
    }
}
