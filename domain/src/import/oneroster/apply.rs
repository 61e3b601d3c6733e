//! Applying a plan: one transaction, all or nothing. The importing site and the export's sites
//! are locked first (in id order), then the sites are made and renamed, limits set, users
//! removed, changed and added, teachers' roles given and taken, removed sites deleted when
//! nothing is left in them; then the seat counters of every site touched are counted again
//! and checked against their limits: a site over its limit (seats taken meanwhile) refuses
//! the whole import. Each change is journaled.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::plan::{RosterPlan, SiteRef, UserRef};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{external_id, role_grant, site, site_closure, site_external_id, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::{Db, Principal};

/// What an applied plan did, for the run's counters and report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub sites_created: usize,
    pub added: usize,
    pub updated: usize,
    pub deleted: usize,
    pub grants: usize,
    /// Removed sites that still held users or subsites, kept.
    pub sites_kept: Vec<String>,
    /// (users.csv row, outcome) of every user written.
    pub rows: BTreeMap<usize, &'static str>,
}

pub async fn apply(db: &Db, principal: &Principal, plan: &RosterPlan) -> Result<Applied> {
    if !plan.problems.is_empty() && plan.is_empty() {
        return Ok(Applied::default());
    }
    if !plan.shortages.is_empty() {
        return Err(Error::Refused(Code::NoFreeSeat));
    }
    let home = &plan.site;
    let txn = db.write().await?;
    // Locks: the importing site, then the export's existing sites, in id order.
    let mut locked: BTreeSet<i32> = BTreeSet::new();
    locked.insert(home.site.id);
    for at in plan.limits.keys() {
        if let SiteRef::Existing(id) = at {
            locked.insert(*id);
        }
    }
    // A site whose limit changes changes its parent's used seats: the parent is locked and
    // counted too.
    let grown: Vec<i32> = locked.iter().copied().collect();
    locked.extend(crate::sites::parents_of(&*txn, &grown).await?);
    for id in &locked {
        crate::sites::lock_site(&*txn, *id).await?;
    }
    let mut applied = Applied::default();
    let mut touched: BTreeSet<i32> = locked.clone();

    // Sites.
    let mut made: Vec<site::Model> = Vec::with_capacity(plan.new_sites.len());
    let mut ancestry: HashMap<SiteRef, Vec<i32>> = HashMap::new();
    ancestry.insert(SiteRef::Existing(home.site.id), home.scope.ancestry.clone());
    for (i, new) in plan.new_sites.iter().enumerate() {
        let parent_ancestry = match ancestry.get(&new.parent) {
            Some(found) => found.clone(),
            None => {
                let SiteRef::Existing(id) = new.parent else {
                    return Err(Error::NotFound);
                };
                let resolved = crate::sites::resolve_by_id(db, id).await?;
                resolved.scope.ancestry
            }
        };
        let created =
            crate::sites::insert_site(&*txn, Some(&parent_ancestry), &new.name, 0).await?;
        link_site(&*txn, plan.organisation, created.id, &new.sourced_id).await?;
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::SiteCreate,
                target: created.name.clone().into(),
                site: &created,
                changes: vec![Change::set("name", &created.name)],
            },
        )
        .await?;
        let mut own = vec![created.id];
        own.extend(parent_ancestry);
        ancestry.insert(SiteRef::New(i), own);
        touched.insert(created.id);
        if let Some(parent) = created.parent_id {
            touched.insert(parent);
        }
        made.push(created);
    }
    applied.sites_created = made.len();
    let id_of = |at: SiteRef| -> Result<i32> {
        match at {
            SiteRef::Existing(id) => Ok(id),
            SiteRef::New(i) => made.get(i).map(|s| s.id).ok_or(Error::NotFound),
        }
    };
    let site_of = |at: SiteRef| -> Option<site::Model> {
        match at {
            SiteRef::Existing(id) if id == home.site.id => Some(home.site.clone()),
            SiteRef::New(i) => made.get(i).cloned(),
            SiteRef::Existing(_) => None,
        }
    };
    for (existing, name) in &plan.renamed {
        site::Entity::update_many()
            .col_expr(site::Column::Name, Expr::value(name.clone()))
            .filter(site::Column::Id.eq(existing.id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::SiteUpdate,
                target: name.clone().into(),
                site: existing,
                changes: vec![Change::new("name", &existing.name, name)],
            },
        )
        .await?;
    }
    for (at, limit) in &plan.limits {
        site::Entity::update_many()
            .col_expr(site::Column::SeatLimit, Expr::value(*limit))
            .filter(site::Column::Id.eq(id_of(*at)?))
            .exec(&*txn)
            .await?;
    }

    // Users.
    let mut sites_by_id = SiteCache::default();
    for gone in &plan.removed_users {
        let erased = crate::users::remove_unchecked(&*txn, gone).await?;
        touched.insert(gone.site_id);
        let at = sites_by_id.get(&*txn, gone.site_id).await?;
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::UserDelete,
                target: erased,
                site: &at,
                changes: Vec::new(),
            },
        )
        .await?;
        applied.deleted += 1;
    }
    for changed in &plan.changed_users {
        let to = id_of(changed.to)?;
        let mut row: user::ActiveModel = changed.user.clone().into();
        row.first_name = Set(changed.first_name.clone());
        row.last_name = Set(changed.last_name.clone());
        if changed.email != changed.user.email {
            row.email = Set(changed.email.clone());
            row.email_verified = Set(false);
        }
        row.personnel_number = Set(changed.personnel_number.clone());
        row.active = Set(changed.active);
        row.site_id = Set(to);
        let written = row.update(&*txn).await?;
        if changed.user.active && !changed.active {
            crate::users::end_sessions(&*txn, written.id).await?;
        }
        if let Some(sourced) = &changed.link {
            crate::identifiers::insert(
                &*txn,
                plan.organisation,
                written.id,
                Scheme::OneRoster,
                sourced,
            )
            .await?;
        }
        let mut changes = changed.changes.clone();
        let destination = match site_of(changed.to) {
            Some(found) => found,
            None => sites_by_id.get(&*txn, to).await?,
        };
        if to != changed.user.site_id {
            let from = sites_by_id.get(&*txn, changed.user.site_id).await?;
            changes.push(Change::sites("site", Some(&from), &destination));
            touched.insert(changed.user.site_id);
            touched.insert(to);
        }
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::UserUpdate,
                target: crate::audit::Target::user(&written),
                site: &destination,
                changes,
            },
        )
        .await?;
        applied.updated += 1;
        applied.rows.insert(changed.row, crate::import::UPDATED);
    }
    // New users: inserted, linked and journaled in batches (as the spreadsheet import does).
    let now = Utc::now();
    let mut destinations: HashMap<i32, site::Model> = HashMap::new();
    for new in &plan.new_users {
        let to = id_of(new.to)?;
        if let std::collections::hash_map::Entry::Vacant(slot) = destinations.entry(to) {
            slot.insert(match site_of(new.to) {
                Some(found) => found,
                None => sites_by_id.get(&*txn, to).await?,
            });
        }
        touched.insert(to);
    }
    let mut ids_by_name: HashMap<String, i32> = HashMap::with_capacity(plan.new_users.len());
    for chunk in plan.new_users.chunks(crate::import::BATCH) {
        let mut models = Vec::with_capacity(chunk.len());
        for new in chunk {
            models.push(user::ActiveModel {
                public_id: Set(Uuid::new_v4()),
                site_id: Set(id_of(new.to)?),
                username: Set(new.username.clone()),
                first_name: Set(new.first_name.clone()),
                last_name: Set(new.last_name.clone()),
                email: Set(new.email.clone()),
                email_verified: Set(false),
                password_hash: Set(None),
                active: Set(new.active),
                expires_on: Set(None),
                must_change_password: Set(false),
                pending: Set(None),
                locale: Set(None),
                created_at: Set(now),
                last_sign_in_at: Set(None),
                is_operator: Set(false),
                service_account: Set(false),
                personnel_number: Set(new.personnel_number.clone()),
                ..Default::default()
            });
        }
        user::Entity::insert_many(models)
            .exec(&*txn)
            .await
            .map_err(|e| Error::from_db_unique(e, Code::UsernameTaken))?;
        let made: Vec<(String, i32)> = user::Entity::find()
            .select_only()
            .column(user::Column::Username)
            .column(user::Column::Id)
            .filter(user::Column::Username.is_in(chunk.iter().map(|n| n.username.clone())))
            .into_tuple()
            .all(&*txn)
            .await?;
        ids_by_name.extend(made);
        let links: Vec<external_id::ActiveModel> = chunk
            .iter()
            .filter_map(|new| {
                ids_by_name
                    .get(&new.username)
                    .map(|id| external_id::ActiveModel {
                        organisation_id: Set(plan.organisation),
                        user_id: Set(*id),
                        scheme: Set(Scheme::OneRoster.as_str().to_string()),
                        value: Set(new.sourced_id.clone()),
                        created_at: Set(now),
                        ..Default::default()
                    })
            })
            .collect();
        external_id::Entity::insert_many(links)
            .exec(&*txn)
            .await
            .map_err(|e| Error::from_db_unique(e, Code::ExternalIdTaken))?;
        let mut events = Vec::with_capacity(chunk.len());
        for new in chunk {
            let Some(site) = destinations.get(&id_of(new.to)?) else {
                continue;
            };
            events.push(Event {
                action: Action::UserCreate,
                target: crate::audit::Target {
                    label: format!("{} {} ({})", new.first_name, new.last_name, new.username),
                    user: ids_by_name.get(&new.username).copied(),
                },
                site,
                changes: vec![Change::set("username", &new.username)],
            });
        }
        audit::record_many(&*txn, principal, events).await?;
    }
    let mut new_ids: Vec<i32> = Vec::with_capacity(plan.new_users.len());
    for new in &plan.new_users {
        new_ids.push(*ids_by_name.get(&new.username).ok_or(Error::NotFound)?);
        applied.added += 1;
        applied.rows.insert(new.row, crate::import::ADDED);
    }
    let user_id = |at: UserRef| -> Result<i32> {
        match at {
            UserRef::Existing(id) => Ok(id),
            UserRef::New(i) => new_ids.get(i).copied().ok_or(Error::NotFound),
        }
    };

    // Teachers' roles.
    if let Some(role) = plan.teacher_role {
        for grant in &plan.grants_removed {
            role_grant::Entity::delete_by_id(grant.id)
                .exec(&*txn)
                .await?;
            let at = sites_by_id.get(&*txn, grant.site_id).await?;
            audit::record(
                &*txn,
                principal,
                Event {
                    action: Action::GrantRemove,
                    target: user_label_of(&*txn, grant.user_id).await?,
                    site: &at,
                    changes: vec![Change::new("grant", &at.name, "")],
                },
            )
            .await?;
        }
        for (who, at) in &plan.grants_added {
            let (user_id, site_id) = (user_id(*who)?, id_of(*at)?);
            role_grant::ActiveModel {
                user_id: Set(user_id),
                site_id: Set(site_id),
                role_id: Set(role),
                ..Default::default()
            }
            .insert(&*txn)
            .await?;
            let class = match site_of(*at) {
                Some(found) => found,
                None => sites_by_id.get(&*txn, site_id).await?,
            };
            audit::record(
                &*txn,
                principal,
                Event {
                    action: Action::GrantAdd,
                    target: user_label_of(&*txn, user_id).await?,
                    site: &class,
                    changes: vec![Change::set("grant", &class.name)],
                },
            )
            .await?;
            applied.grants += 1;
        }
    }

    // Removed sites: deleted when nothing is left in them (classes before their schools).
    for gone in &plan.removed_sites {
        let users = user::Entity::find()
            .filter(user::Column::SiteId.eq(gone.id))
            .count(&*txn)
            .await?;
        let children = site::Entity::find()
            .filter(site::Column::ParentId.eq(gone.id))
            .count(&*txn)
            .await?;
        if users > 0 || children > 0 {
            applied.sites_kept.push(gone.name.clone());
            continue;
        }
        role_grant::Entity::delete_many()
            .filter(role_grant::Column::SiteId.eq(gone.id))
            .exec(&*txn)
            .await?;
        site_external_id::Entity::delete_many()
            .filter(site_external_id::Column::SiteId.eq(gone.id))
            .exec(&*txn)
            .await?;
        site_closure::Entity::delete_many()
            .filter(site_closure::Column::DescendantId.eq(gone.id))
            .exec(&*txn)
            .await?;
        site::Entity::delete_by_id(gone.id).exec(&*txn).await?;
        touched.remove(&gone.id);
        if let Some(parent) = gone.parent_id {
            touched.insert(parent);
        }
        let parent = sites_by_id
            .get(&*txn, gone.parent_id.unwrap_or(home.site.id))
            .await?;
        audit::record(
            &*txn,
            principal,
            Event {
                action: Action::SiteDelete,
                target: gone.name.clone().into(),
                site: &parent,
                changes: vec![Change::new("name", &gone.name, "")],
            },
        )
        .await?;
    }

    // The counters of every site touched, counted again, within their limits.
    for id in &touched {
        crate::sites::recount(&*txn, *id).await?;
    }
    txn.commit().await?;
    Ok(applied)
}

async fn user_label_of(conn: &impl ConnectionTrait, id: i32) -> Result<crate::audit::Target> {
    let label = user::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|u| crate::users::user_label(&u))
        .unwrap_or_default();
    Ok(crate::audit::Target {
        label,
        user: Some(id),
    })
}

async fn link_site(
    conn: &impl ConnectionTrait,
    organisation: i32,
    site_id: i32,
    sourced_id: &str,
) -> Result<()> {
    site_external_id::ActiveModel {
        organisation_id: Set(organisation),
        site_id: Set(site_id),
        scheme: Set(Scheme::OneRoster.as_str().to_string()),
        value: Set(sourced_id.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| Error::from_db_unique(e, Code::ExternalIdTaken))?;
    Ok(())
}

/// Sites read once per run.
#[derive(Default)]
struct SiteCache(HashMap<i32, site::Model>);

impl SiteCache {
    async fn get(&mut self, conn: &impl ConnectionTrait, id: i32) -> Result<site::Model> {
        if let Some(found) = self.0.get(&id) {
            return Ok(found.clone());
        }
        let found = site::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(Error::NotFound)?;
        self.0.insert(id, found.clone());
        Ok(found)
    }
}
