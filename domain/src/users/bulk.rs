//! Bulk actions on users chosen in the list: activate, deactivate, set the expiry date, move
//! to another subsite (seats checked), delete. The selection is explicit ids or "all matching"
//! the list's filter, always inside the site's subtree; every user is checked for the operation
//! on their own site (any refusal refuses the whole request, before anything is written).
//! Written in transactions of [`CHUNK`] users, each change journaled; the principal's own
//! account is skipped where it cannot be changed. Large selections run as a background job.
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::list::{filtered_query, UserQuery, UserSort};
use super::{end_sessions, remove_unchecked, user_label};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{site, user};
use crate::error::{Code, Error, Result};
use crate::groups::guard::{self, Guard, Prospect};
use crate::sites::{self, release_seats, take_seats, Resolved};
use crate::{jobs, Db, Principal};

/// Users written per transaction.
pub const CHUNK: usize = 500;
/// Larger selections run as a background job.
pub const INLINE_LIMIT: usize = 1_000;
pub const JOB_KIND: &str = "users.bulk";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Activate,
    Deactivate,
    /// None clears the date (the user inherits the site's).
    SetExpiry(Option<NaiveDate>),
    /// To a site in the same subtree.
    Move(Uuid),
    Delete,
}

impl BulkAction {
    /// The action a form names: `activate`, `deactivate`, `expiry` (with `date`, empty to
    /// clear it), `move` (to `target`) or `delete`.
    pub fn parse(action: &str, date: &str, target: Option<Uuid>) -> Result<BulkAction> {
        use wire::BulkKind;
        let kind = BulkKind::parse(action).ok_or(Error::invalid("action", Code::InvalidRequest))?;
        Ok(match kind {
            BulkKind::Activate => BulkAction::Activate,
            BulkKind::Deactivate => BulkAction::Deactivate,
            BulkKind::Expiry => {
                BulkAction::SetExpiry(crate::validate::optional_date("date", date)?)
            }
            BulkKind::Move => BulkAction::Move(target.ok_or(Error::NotFound)?),
            BulkKind::Delete => BulkAction::Delete,
        })
    }

    fn operation(&self) -> Operation {
        match self {
            BulkAction::Activate | BulkAction::Deactivate => Operation::SetUserActive,
            BulkAction::SetExpiry(_) | BulkAction::Move(_) => Operation::EditUser,
            BulkAction::Delete => Operation::DeleteUser,
        }
    }
}

/// Which users: explicit ones, or every user matching the list's filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    Users(Vec<Uuid>),
    Matching {
        search: String,
        include_subsites: bool,
        /// The list's property filter (key, value), if any.
        #[serde(default)]
        property: Option<(String, String)>,
    },
}

impl Selection {
    /// Every user the list shows with this filter (on all its pages).
    pub fn matching(filter: super::ListFilter) -> Selection {
        Selection::Matching {
            property: filter.property_filter(),
            search: filter.search,
            include_subsites: filter.include_subsites,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkReport {
    /// Users changed (or, when queued, users that will be).
    pub changed: u64,
    /// Users left alone, with why (e.g. the principal's own account, no free seat).
    pub skipped: Vec<(String, Code)>,
    /// True when the work was handed to a background job.
    pub queued: bool,
}

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkJob {
    pub actor: i32,
    pub site: Uuid,
    pub selection: Selection,
    pub action: BulkAction,
}

/// Applies `action` to the selection in `site`'s subtree.
pub async fn bulk(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    selection: Selection,
    action: BulkAction,
) -> Result<BulkReport> {
    let plan = plan(db, principal, site, &selection, &action).await?;
    if plan.targets.len() > INLINE_LIMIT {
        let actor = principal.user_id().ok_or(Error::Unauthenticated)?;
        let txn = db.write().await?;
        jobs::enqueue(
            &*txn,
            JOB_KIND,
            &BulkJob {
                actor,
                site,
                selection,
                action,
            },
        )
        .await?;
        txn.commit().await?;
        return Ok(BulkReport {
            changed: plan.targets.len() as u64,
            skipped: Vec::new(),
            queued: true,
        });
    }
    write(db, principal, plan, &action).await
}

/// Runs a queued bulk job with the rights its actor has now.
pub async fn run_job(db: &Db, job: BulkJob) -> Result<BulkReport> {
    let principal = Principal::load(db, job.actor).await?;
    let plan = plan(db, &principal, job.site, &job.selection, &job.action).await?;
    write(db, &principal, plan, &job.action).await
}

struct Plan {
    targets: Vec<user::Model>,
    /// Users left alone before anything is written: out of the principal's reach.
    skipped: Vec<(String, Code)>,
    sites: HashMap<i32, Resolved>,
    destination: Option<Resolved>,
}

/// The selected users and their sites, every one checked; nothing written.
async fn plan(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    selection: &Selection,
    action: &BulkAction,
) -> Result<Plan> {
    let home = sites::resolve(db, site).await?;
    access::require(principal, Operation::ListUsers, &home.scope)?;
    let ids: Vec<i32> = match selection {
        Selection::Matching {
            search,
            include_subsites,
            property,
        } => {
            let query = UserQuery {
                search: search.clone(),
                include_subsites: *include_subsites,
                sort: UserSort::Name,
                property: property.clone(),
                ..UserQuery::default()
            };
            let parts = super::list::PropertyParts::of(db, &home.scope, &query).await?;
            filtered_query(
                super::list::Listed::of(&home.scope)?,
                &query,
                &parts,
                db.backend(),
            )
            .select_only()
            .column(user::Column::Id)
            .into_tuple::<i32>()
            .all(db.conn())
            .await?
        }
        Selection::Users(public_ids) => {
            let mut found = Vec::new();
            for chunk in public_ids.chunks(CHUNK) {
                found.extend(
                    user::Entity::find()
                        .select_only()
                        .column(user::Column::Id)
                        .filter(user::Column::PublicId.is_in(chunk.to_vec()))
                        .filter(user::Column::SiteId.in_subquery(sites::subtree([home.site.id])))
                        .into_tuple::<i32>()
                        .all(db.conn())
                        .await?,
                );
            }
            // A user outside the subtree (or gone) is as unknown as one that never was.
            if found.len() != public_ids.len() {
                return Err(Error::NotFound);
            }
            found
        }
    };
    let mut targets = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        targets.extend(
            user::Entity::find()
                .filter(user::Column::Id.is_in(chunk.to_vec()))
                .all(db.conn())
                .await?,
        );
    }
    let mut sites_by_id: HashMap<i32, Resolved> = HashMap::new();
    for target in &targets {
        if let Entry::Vacant(slot) = sites_by_id.entry(target.site_id) {
            let resolved = sites::resolve_by_id(db, target.site_id).await?;
            access::require(principal, action.operation(), &resolved.scope)?;
            if let BulkAction::SetExpiry(day) = action {
                sites::expiry::check_user(&resolved, *day)?;
            }
            slot.insert(resolved);
        }
    }
    // Users whose authority is not contained in the principal's are left alone (the report
    // names them; it names no site).
    let ids: Vec<i32> = targets.iter().map(|t| t.id).collect();
    let authorities = super::authorities(db.conn(), &ids).await?;
    let mut skipped = Vec::new();
    targets.retain(|t| {
        let reachable = authorities
            .get(&t.id)
            .is_none_or(|authority| access::contains(principal, authority));
        if !reachable {
            skipped.push((user_label(t), Code::UserOutOfReach));
        }
        reachable
    });
    let destination = match action {
        BulkAction::Move(to) => {
            let resolved = sites::resolve(db, *to).await?;
            if !resolved.scope.ancestry.contains(&home.site.id) {
                return Err(Error::NotFound);
            }
            access::require(principal, Operation::EditUser, &resolved.scope)?;
            Some(resolved)
        }
        _ => None,
    };
    // Activations and moves must not make anyone a new member of a group giving what the
    // principal could not give (see `groups::guard`): those users are left alone.
    if matches!(action, BulkAction::Activate | BulkAction::Move(_)) {
        let root = home.scope.root_id().ok_or(Error::NotFound)?;
        let guard = Guard::load(db.conn(), principal, root).await?;
        if !guard.is_empty() {
            let ids: Vec<i32> = targets.iter().map(|t| t.id).collect();
            let values = guard::values_of(db.conn(), &ids).await?;
            let none = HashMap::new();
            targets.retain(|t| {
                let (ancestry, eligible) = match &destination {
                    Some(to) => (&to.scope.ancestry, guard::eligible(t)),
                    None => (
                        match sites_by_id.get(&t.site_id) {
                            Some(site) => &site.scope.ancestry,
                            None => return false,
                        },
                        t.pending.is_none() && !t.service_account,
                    ),
                };
                let refused = guard.refuses(&Prospect {
                    user_id: Some(t.id),
                    ancestry,
                    eligible,
                    values: values.get(&t.id).unwrap_or(&none),
                });
                if refused {
                    skipped.push((user_label(t), Code::GroupGrantNotHeld));
                }
                !refused
            });
        }
    }
    Ok(Plan {
        targets,
        skipped,
        sites: sites_by_id,
        destination,
    })
}

async fn write(
    db: &Db,
    principal: &Principal,
    plan: Plan,
    action: &BulkAction,
) -> Result<BulkReport> {
    let mut report = BulkReport {
        skipped: plan.skipped.clone(),
        ..BulkReport::default()
    };
    let acting = principal.user_id();
    for chunk in plan.targets.chunks(CHUNK) {
        let txn = db.write().await?;
        let mut events = Vec::new();
        // Moves take the destination's seats for the whole chunk first.
        let mut seats_left = match (&plan.destination, action) {
            (Some(to), BulkAction::Move(_)) => {
                let arriving = chunk.iter().filter(|u| u.site_id != to.site.id).count();
                let wanted = i32::try_from(arriving).unwrap_or(i32::MAX);
                if take_seats(&*txn, to.site.id, wanted, wanted).await? {
                    wanted
                } else {
                    let fresh = site::Entity::find_by_id(to.site.id)
                        .one(&*txn)
                        .await?
                        .ok_or(Error::NotFound)?;
                    let free = (fresh.seat_limit - fresh.used_seats).clamp(0, wanted);
                    if free > 0 && take_seats(&*txn, to.site.id, free, free).await? {
                        free
                    } else {
                        0
                    }
                }
            }
            _ => 0,
        };
        for target in chunk {
            let Some(home) = plan.sites.get(&target.site_id) else {
                continue;
            };
            let own = acting == Some(target.id);
            let label = user_label(target);
            // What the journal names them by (a pseudonym once erased).
            let mut subject = crate::audit::Target::user(target);
            let by_id = user::Column::Id.eq(target.id);
            let event = match action {
                BulkAction::Activate | BulkAction::Deactivate => {
                    let active = *action == BulkAction::Activate;
                    if own && !active {
                        report.skipped.push((label, Code::CannotDeactivateSelf));
                        continue;
                    }
                    if target.active == active {
                        report.changed += 1;
                        continue;
                    }
                    user::Entity::update_many()
                        .col_expr(user::Column::Active, Expr::value(active))
                        .filter(by_id)
                        .exec(&*txn)
                        .await?;
                    if !active {
                        end_sessions(&*txn, target.id).await?;
                    }
                    (
                        if active {
                            Action::UserActivate
                        } else {
                            Action::UserDeactivate
                        },
                        home,
                        vec![Change::new("active", target.active, active)],
                    )
                }
                BulkAction::SetExpiry(date) => {
                    user::Entity::update_many()
                        .col_expr(user::Column::ExpiresOn, Expr::value(*date))
                        .filter(by_id)
                        .exec(&*txn)
                        .await?;
                    let shown = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                    (
                        Action::UserUpdate,
                        home,
                        vec![Change::new(
                            "expires_on",
                            shown(target.expires_on),
                            shown(*date),
                        )],
                    )
                }
                BulkAction::Move(_) => {
                    let Some(to) = &plan.destination else {
                        continue;
                    };
                    if target.site_id == to.site.id {
                        report.changed += 1;
                        continue;
                    }
                    if seats_left == 0 {
                        report.skipped.push((label, Code::NoFreeSeat));
                        continue;
                    }
                    seats_left -= 1;
                    release_seats(&*txn, target.site_id, 1, 1).await?;
                    user::Entity::update_many()
                        .col_expr(user::Column::SiteId, Expr::value(to.site.id))
                        .filter(by_id)
                        .exec(&*txn)
                        .await?;
                    (
                        Action::UserUpdate,
                        to,
                        vec![Change::sites("site", Some(&home.site), &to.site)],
                    )
                }
                BulkAction::Delete => {
                    if own {
                        report.skipped.push((label, Code::CannotDeleteSelf));
                        continue;
                    }
                    subject = remove_unchecked(&*txn, target).await?;
                    (Action::UserDelete, home, Vec::new())
                }
            };
            report.changed += 1;
            events.push((subject, event));
        }
        // Seats taken for moves that were not made go back.
        if let (Some(to), true) = (&plan.destination, seats_left > 0) {
            release_seats(&*txn, to.site.id, seats_left, seats_left).await?;
        }
        let events = events
            .into_iter()
            .map(|(label, (action, site, changes))| Event {
                action,
                target: label,
                site: &site.site,
                changes,
            })
            .collect();
        audit::record_many(&*txn, principal, events).await?;
        txn.commit().await?;
    }
    Ok(report)
}
