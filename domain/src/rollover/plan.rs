//! The proposal and the plan of a rollover. Classes are the sites without subsites below the
//! site rolled over; the proposal sends each to the sibling whose name has the next number
//! ("3A" → "4A", "Klas 5" → "Klas 6"), a class without one to `leave` (its pupils leave: placed
//! in the class's parent, their account expiring on the chosen day), a class without a number
//! to `stay`. The plan moves every pupil at once (the pupils of 3A go to 4A while those of 4A go
//! to 5A), grows a class that would hold more than its limit with seats of its school, and names
//! the school that would run short; users beyond the administrator's authority are left alone
//! and named.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;
use wire::NextClass;

use crate::access::{self, Operation};
use crate::entities::{site, user};
use crate::error::{Code, Error, Result};
use crate::import::SeatShortage;
use crate::sites::Resolved;
use crate::{sites, Db, Principal};

/// The most users one rollover moves.
pub const MAX_USERS: usize = 200_000;

/// A class as the wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRow {
    pub id: Uuid,
    pub name: String,
    pub parent: String,
    pub pupils: u64,
    pub next: NextClass,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub site: Uuid,
    pub site_name: String,
    pub classes: Vec<ClassRow>,
    /// The proposed day leavers' accounts end: the next 31 August.
    pub leave_on: NaiveDate,
}

/// What a rollover does besides moving pupils.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolloverOptions {
    /// The day leavers' accounts end.
    pub leave_on: NaiveDate,
    /// Archive the classes it empties.
    pub archive: bool,
    /// Renew the licences of the pupils moving up into the organisation's next subscription.
    pub renew: bool,
}

/// A user the rollover moves (and whose account it ends, for a leaver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub user: user::Model,
    pub to: i32,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct RolloverPlan {
    pub site: Resolved,
    pub moves: Vec<Move>,
    pub leavers: usize,
    /// Users left alone: (label, why).
    pub skipped: Vec<(String, Code)>,
    /// Classes whose limit grows (site id → new limit).
    pub limits: BTreeMap<i32, i32>,
    pub shortages: Vec<SeatShortage>,
    /// Per class: (name, pupils before, pupils after).
    pub classes: Vec<(String, u64, u64)>,
    /// Classes left empty that are archived: (site id, its limit now).
    pub archived: Vec<(i32, i32)>,
    /// Pupils moving up whose licence ends before the next subscription: their user ids.
    pub renewals: Vec<i32>,
    /// Free seats in the subscriptions that start after today.
    pub renewable: i64,
}

/// The next 31 August after `today` (today when it is).
pub fn next_august_31(today: NaiveDate) -> NaiveDate {
    let this_year = NaiveDate::from_ymd_opt(today.year(), 8, 31).unwrap_or(today);
    if this_year >= today {
        this_year
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, 8, 31).unwrap_or(today)
    }
}

/// "3A" → "4A", "Klas 5" → "Klas 6": the first number in the name, plus one.
pub fn next_name(name: &str) -> Option<String> {
    let start = name.find(|c: char| c.is_ascii_digit())?;
    let end = name[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(name.len(), |e| start + e);
    let number: u64 = name[start..end].parse().ok()?;
    Some(format!("{}{}{}", &name[..start], number + 1, &name[end..]))
}

/// The site rolled over, for a principal who may edit users there.
async fn home(db: &Db, principal: &Principal, site: Uuid) -> Result<Resolved> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::EditUser, &resolved.scope)?;
    Ok(resolved)
}

/// The sites below `home` without subsites: its classes.
async fn classes(db: &Db, home: &Resolved) -> Result<Vec<site::Model>> {
    let below = site::Entity::find()
        .filter(site::Column::Id.in_subquery(sites::subtree([home.site.id])))
        .filter(site::Column::Id.ne(home.site.id))
        .order_by_asc(site::Column::Name)
        .all(db.conn())
        .await?;
    let parents: HashSet<i32> = below.iter().filter_map(|s| s.parent_id).collect();
    Ok(below
        .into_iter()
        .filter(|s| !parents.contains(&s.id))
        .collect())
}

/// What the wizard opens with.
pub async fn propose(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    today: NaiveDate,
) -> Result<Proposal> {
    let home = home(db, principal, site).await?;
    let classes = classes(db, &home).await?;
    let names: HashMap<i32, String> = site::Entity::find()
        .filter(site::Column::Id.in_subquery(sites::subtree([home.site.id])))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let rows = classes
        .iter()
        .map(|class| {
            let next = match next_name(&class.name) {
                None => NextClass::Stay,
                Some(wanted) => classes
                    .iter()
                    .find(|c| {
                        c.parent_id == class.parent_id && c.name.eq_ignore_ascii_case(&wanted)
                    })
                    .map_or(NextClass::Leave, |c| NextClass::Class(c.public_id)),
            };
            ClassRow {
                id: class.public_id,
                name: class.name.clone(),
                parent: class
                    .parent_id
                    .and_then(|p| names.get(&p).cloned())
                    .unwrap_or_default(),
                pupils: u64::try_from(class.own_users).unwrap_or(0),
                next,
            }
        })
        .collect();
    Ok(Proposal {
        site: home.site.public_id,
        site_name: home.site.name.clone(),
        classes: rows,
        leave_on: next_august_31(today),
    })
}

/// The plan of `mapping` (each class to its next class, leave or stay) for the site `site`.
pub async fn plan(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    mapping: &[(Uuid, NextClass)],
    options: RolloverOptions,
    today: NaiveDate,
) -> Result<RolloverPlan> {
    let RolloverOptions {
        leave_on,
        archive,
        renew,
    } = options;
    let home = home(db, principal, site).await?;
    if leave_on < today {
        return Err(Error::invalid("leave_on", Code::ExpiryInPast));
    }
    let classes = classes(db, &home).await?;
    let by_public: HashMap<Uuid, &site::Model> = classes.iter().map(|c| (c.public_id, c)).collect();
    // Where each class's pupils go; a class or target outside the subtree is none of theirs.
    let mut targets: HashMap<i32, (Option<i32>, bool)> = HashMap::new();
    for (class, next) in mapping {
        let from = by_public.get(class).ok_or(Error::NotFound)?;
        let target = match next {
            NextClass::Stay => continue,
            NextClass::Leave => (Some(from.parent_id.ok_or(Error::NotFound)?), true),
            NextClass::Class(to) if to == class => continue,
            NextClass::Class(to) => (Some(by_public.get(to).ok_or(Error::NotFound)?.id), false),
        };
        targets.insert(from.id, target);
    }
    let from_ids: Vec<i32> = targets.keys().copied().collect();
    let mut pupils: Vec<user::Model> = Vec::new();
    for chunk in from_ids.chunks(1000) {
        pupils.extend(
            user::Entity::find()
                .filter(user::Column::SiteId.is_in(chunk.to_vec()))
                .filter(user::Column::ServiceAccount.eq(false))
                .order_by_asc(user::Column::Id)
                .all(db.conn())
                .await?,
        );
        if pupils.len() > MAX_USERS {
            return Err(Error::Refused(Code::RolloverTooMany));
        }
    }
    let ids: Vec<i32> = pupils.iter().map(|u| u.id).collect();
    let authorities = crate::users::authorities(db.conn(), &ids).await?;
    let mut plan = RolloverPlan {
        site: home.clone(),
        moves: Vec::new(),
        leavers: 0,
        skipped: Vec::new(),
        limits: BTreeMap::new(),
        shortages: Vec::new(),
        classes: Vec::new(),
        archived: Vec::new(),
        renewals: Vec::new(),
        renewable: 0,
    };
    for pupil in pupils {
        let Some((Some(to), leaves)) = targets.get(&pupil.site_id).copied() else {
            continue;
        };
        let reachable = authorities
            .get(&pupil.id)
            .is_none_or(|a| access::contains(principal, a));
        if !reachable || principal.user_id() == Some(pupil.id) {
            plan.skipped
                .push((crate::users::user_label(&pupil), Code::UserOutOfReach));
            continue;
        }
        let expires_on = if leaves {
            plan.leavers += 1;
            Some(pupil.expires_on.map_or(leave_on, |own| own.min(leave_on)))
        } else {
            pupil.expires_on
        };
        plan.moves.push(Move {
            user: pupil,
            to,
            expires_on,
        });
    }
    seats(db, &classes, &mut plan).await?;
    if archive {
        // Classes no one is in after the moves: kept for their history, their seats given
        // back to their parent.
        let mut after: HashMap<i32, i64> = classes
            .iter()
            .map(|c| (c.id, i64::from(c.own_users)))
            .collect();
        for m in &plan.moves {
            *after.entry(m.user.site_id).or_default() -= 1;
            *after.entry(m.to).or_default() += 1;
        }
        // Only classes the rollover empties (their pupils sent on, no one coming in): a site
        // that stays, or was empty already, is left as it is.
        plan.archived = classes
            .iter()
            .filter(|c| {
                c.archived_on.is_none()
                    && targets.contains_key(&c.id)
                    && c.own_users > 0
                    && after.get(&c.id).copied().unwrap_or_default() <= 0
            })
            .map(|c| (c.id, c.seat_limit))
            .collect();
    }
    if renew {
        renewals(db, &mut plan, today).await?;
    }
    Ok(plan)
}

/// The pupils moving up (not leaving) who hold a licence valid today and none that starts
/// later; and the free seats of the organisation's subscriptions that start after today.
async fn renewals(db: &Db, plan: &mut RolloverPlan, today: NaiveDate) -> Result<()> {
    use crate::entities::{licence, subscription};
    let root = plan.site.scope.root_id().ok_or(Error::NotFound)?;
    let upcoming = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .filter(subscription::Column::ValidFrom.gt(today))
        .all(db.conn())
        .await?;
    plan.renewable = upcoming
        .iter()
        .map(|s| i64::from(s.seats - s.assigned).max(0))
        .sum();
    let moving: Vec<i32> = plan
        .moves
        .iter()
        .filter(|m| m.expires_on == m.user.expires_on)
        .map(|m| m.user.id)
        .collect();
    let subscriptions: HashMap<i32, subscription::Model> = subscription::Entity::find()
        .filter(subscription::Column::SiteId.eq(root))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut current: HashSet<i32> = HashSet::new();
    let mut later: HashSet<i32> = HashSet::new();
    for chunk in moving.chunks(1000) {
        for held in licence::Entity::find()
            .filter(licence::Column::UserId.is_in(chunk.to_vec()))
            .all(db.conn())
            .await?
        {
            let Some(s) = subscriptions.get(&held.subscription_id) else {
                continue;
            };
            if s.valid_from > today {
                later.insert(held.user_id);
            } else if s.valid_until >= today {
                current.insert(held.user_id);
            }
        }
    }
    plan.renewals = moving
        .into_iter()
        .filter(|id| current.contains(id) && !later.contains(id))
        .collect();
    Ok(())
}

/// Pupils per site after the moves. A site that would hold more than its limit grows, taking
/// the seats from its parent, up to the site rolled over, which must have them: otherwise the
/// site rolled over is named as short.
async fn seats(db: &Db, classes: &[site::Model], plan: &mut RolloverPlan) -> Result<()> {
    let home = plan.site.site.id;
    let all: HashMap<i32, site::Model> = site::Entity::find()
        .filter(site::Column::Id.in_subquery(sites::subtree([home])))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut own: HashMap<i32, i64> = HashMap::new();
    for m in &plan.moves {
        *own.entry(m.user.site_id).or_default() -= 1;
        *own.entry(m.to).or_default() += 1;
    }
    for class in classes {
        let after = i64::from(class.own_users) + own.get(&class.id).copied().unwrap_or_default();
        plan.classes.push((
            class.name.clone(),
            u64::try_from(class.own_users).unwrap_or(0),
            u64::try_from(after.max(0)).unwrap_or(0),
        ));
    }
    // Deepest first, so that a site's growth is known before its parent is counted.
    let depth = |mut id: i32| {
        let mut d = 0;
        while let Some(parent) = all
            .get(&id)
            .and_then(|s| s.parent_id)
            .filter(|_| id != home)
        {
            id = parent;
            d += 1;
        }
        d
    };
    let mut order: Vec<i32> = all.keys().copied().collect();
    order.sort_by_key(|id| std::cmp::Reverse(depth(*id)));
    let mut growth: HashMap<i32, i64> = HashMap::new();
    for id in order {
        let Some(site) = all.get(&id) else {
            continue;
        };
        let change = own.get(&id).copied().unwrap_or_default()
            + growth.get(&id).copied().unwrap_or_default();
        if change <= 0 {
            continue;
        }
        let needed = i64::from(site.used_seats) + change;
        let limit = i64::from(site.seat_limit);
        if needed <= limit {
            continue;
        }
        match site.parent_id {
            Some(parent) if id != home => {
                plan.limits
                    .insert(id, i32::try_from(needed).unwrap_or(i32::MAX));
                *growth.entry(parent).or_default() += needed - limit;
            }
            _ => plan.shortages.push(SeatShortage {
                site_name: site.name.clone(),
                adding: usize::try_from(change).unwrap_or(0),
                free: limit - i64::from(site.used_seats),
            }),
        }
    }
    Ok(())
}
