//! Creating, changing and removing a group. Whoever manages the users of the group's site
//! manages its groups; a group that grants a licence needs the right to assign licences there,
//! one that grants a role the right to grant it (holding its permissions) on the chosen site.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::grants::{take_away, Take};
use super::schedule::NextRun;
use super::MAX_CONDITIONS;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{dynamic_group, group_member, product};
use crate::error::{Code, Error, Result};
use crate::properties::filter::{self, Condition};
use crate::sites::{self, Resolved};
use crate::{Db, Principal};

/// The group form; `id` none for a new group.
#[derive(Debug, Clone, Default)]
pub struct GroupForm {
    pub id: Option<Uuid>,
    pub site: Uuid,
    pub name: String,
    pub conditions: Vec<Condition>,
    pub active: bool,
    pub schedule: String,
    /// A product key, or empty: no licence.
    pub grant_product: String,
    pub grant_role: Option<Uuid>,
    /// Where the role is granted (default: the group's site).
    pub grant_site: Option<Uuid>,
}

/// What a checked form comes to.
pub(crate) struct Checked {
    pub site: Resolved,
    pub name: String,
    pub rule: String,
    pub product: Option<product::Model>,
    pub role: Option<(i32, i32)>,
}

/// Checks the rule and the grants of a form against the principal's rights.
pub(crate) async fn check(db: &Db, principal: &Principal, form: &GroupForm) -> Result<Checked> {
    let site = sites::resolve(db, form.site).await?;
    access::require(principal, Operation::ManageGroups, &site.scope)?;
    let name = form.name.trim().to_string();
    if name.is_empty() {
        return Err(Error::invalid("name", Code::GroupNameRequired));
    }
    if name.chars().count() > 100 {
        return Err(Error::invalid("name", Code::NameTooLong));
    }
    if form.conditions.len() > MAX_CONDITIONS {
        return Err(Error::Refused(Code::GroupTooManyConditions));
    }
    let root = site.scope.root_id().ok_or(Error::NotFound)?;
    let definitions = crate::properties::of_organisation(db.conn(), root).await?;
    filter::check(&form.conditions, &definitions)?;
    let rule = serde_json::to_string(&form.conditions)
        .map_err(|e| Error::Internal(format!("group rule: {e}")))?;
    let product = match form.grant_product.trim() {
        "" => None,
        key => {
            access::require(principal, Operation::AssignLicence, &site.scope)?;
            Some(
                product::Entity::find()
                    .filter(product::Column::Key.eq(key))
                    .one(db.conn())
                    .await?
                    .ok_or(Error::Unknown {
                        field: "grant_product",
                        code: Code::ProductUnknown,
                    })?,
            )
        }
    };
    let role = match form.grant_role {
        None => None,
        Some(role) => {
            let on = match form.grant_site {
                Some(on) => sites::resolve(db, on).await?,
                None => site.clone(),
            };
            access::require(principal, Operation::SetUserGrants, &on.scope)?;
            let usable = crate::roles::usable_roles(db, &on.scope).await?;
            let found = usable
                .iter()
                .find(|r| r.public_id == role)
                .ok_or(Error::NotFound)?;
            access::require_held(principal, &on.scope, crate::roles::permissions_of(found))?;
            Some((found.id, on.site.id))
        }
    };
    Ok(Checked {
        site,
        name,
        rule,
        product,
        role,
    })
}

/// Creates or changes a group. A changed rule or grant takes effect at its next run.
pub async fn save(db: &Db, principal: &Principal, form: GroupForm) -> Result<Uuid> {
    let checked = check(db, principal, &form).await?;
    let schedule = super::schedule::parse(&form.schedule)?;
    let now = Utc::now();
    let existing = match form.id {
        Some(id) => {
            let found = dynamic_group::Entity::find()
                .filter(dynamic_group::Column::PublicId.eq(id))
                .one(db.conn())
                .await?
                .ok_or(Error::NotFound)?;
            let home = sites::resolve_by_id(db, found.site_id).await?;
            access::require(principal, Operation::ManageGroups, &home.scope)?;
            require_can_give(db, principal, &found, &home).await?;
            Some(found)
        }
        None => None,
    };
    let txn = db.write().await?;
    let (saved, changes, action) = match existing {
        Some(found) => {
            let mut changes = vec![
                Change::new("name", &found.name, &checked.name),
                Change::new("rule", &found.rule, &checked.rule),
                Change::new("active", found.active, form.active),
                Change::new("schedule", &found.schedule, schedule.as_str()),
            ];
            let licence_changed = found.grant_product_id != checked.product.as_ref().map(|p| p.id);
            let role_changed = (found.grant_role_id, found.grant_site_id)
                != (checked.role.map(|(r, _)| r), checked.role.map(|(_, s)| s));
            if licence_changed || role_changed {
                // What the group gave under the old grant goes; the next run gives the new one.
                let take = Take {
                    licences: licence_changed,
                    roles: role_changed,
                    members: false,
                };
                take_away(&txn, &found, None, take).await?;
                changes.push(Change::new(
                    "grant",
                    found
                        .grant_product_id
                        .map(|_| "licence")
                        .unwrap_or_default(),
                    checked
                        .product
                        .as_ref()
                        .map(|p| p.key.as_str())
                        .unwrap_or_default(),
                ));
            }
            let schedule_changed = found.schedule != schedule.as_str();
            let mut model = found.into_active_model();
            model.site_id = Set(checked.site.site.id);
            model.name = Set(checked.name.clone());
            model.rule = Set(checked.rule.clone());
            model.active = Set(form.active);
            model.schedule = Set(schedule.as_str().to_string());
            if schedule_changed {
                model.next_run_at = Set(schedule.next_after(now));
            }
            model.grant_product_id = Set(checked.product.as_ref().map(|p| p.id));
            model.grant_role_id = Set(checked.role.map(|(r, _)| r));
            model.grant_site_id = Set(checked.role.map(|(_, s)| s));
            (model.update(&*txn).await, changes, Action::GroupUpdate)
        }
        None => {
            let model = dynamic_group::ActiveModel {
                public_id: Set(Uuid::new_v4()),
                site_id: Set(checked.site.site.id),
                name: Set(checked.name.clone()),
                rule: Set(checked.rule.clone()),
                active: Set(form.active),
                schedule: Set(schedule.as_str().to_string()),
                next_run_at: Set(schedule.next_after(now)),
                grant_product_id: Set(checked.product.as_ref().map(|p| p.id)),
                grant_role_id: Set(checked.role.map(|(r, _)| r)),
                grant_site_id: Set(checked.role.map(|(_, s)| s)),
                last_run_at: Set(None),
                last_joined: Set(0),
                last_left: Set(0),
                last_ungranted: Set(0),
                last_problem: Set(None),
                created_at: Set(now),
                ..Default::default()
            };
            let changes = vec![
                Change::set("rule", &checked.rule),
                Change::set("active", form.active),
                Change::set("schedule", schedule.as_str()),
            ];
            (model.insert(&*txn).await, changes, Action::GroupCreate)
        }
    };
    let saved = saved.map_err(|e| match Error::from_db_unique(e, Code::GroupNameTaken) {
        Error::Conflict(code) => Error::invalid("name", code),
        other => other,
    })?;
    audit::record(
        &*txn,
        principal,
        Event {
            action,
            target: saved.name.clone().into(),
            site: &checked.site.site,
            changes,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.public_id)
}

/// Removes a group: its members leave it and lose what it gave them.
pub async fn remove(db: &Db, principal: &Principal, group: Uuid) -> Result<()> {
    let found = dynamic_group::Entity::find()
        .filter(dynamic_group::Column::PublicId.eq(group))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    access::require(principal, Operation::ManageGroups, &site.scope)?;
    require_can_give(db, principal, &found, &site).await?;
    let members = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(found.id))
        .count(db.conn())
        .await?;
    let txn = db.write().await?;
    take_away(&txn, &found, None, Take::ALL).await?;
    dynamic_group::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::GroupRemove,
            target: found.name.clone().into(),
            site: &site.site,
            changes: vec![Change::new("members", members, "")],
        },
    )
    .await?;
    txn.commit().await
}

/// Changing or removing a group takes away what it gave: only someone who could give it may.
async fn require_can_give(
    db: &Db,
    principal: &Principal,
    group: &dynamic_group::Model,
    site: &sites::Resolved,
) -> Result<()> {
    if group.grant_product_id.is_some() {
        access::require(principal, Operation::AssignLicence, &site.scope)?;
    }
    if let Some(role_id) = group.grant_role_id {
        let on = match group.grant_site_id {
            Some(on) if on != site.site.id => sites::resolve_by_id(db, on).await?,
            _ => site.clone(),
        };
        access::require(principal, Operation::SetUserGrants, &on.scope)
            .map_err(|_| Error::Refused(Code::PermissionNotHeld))?;
        let role = crate::entities::role::Entity::find_by_id(role_id)
            .one(db.conn())
            .await?
            .ok_or(Error::NotFound)?;
        access::require_held(principal, &on.scope, crate::roles::permissions_of(&role))?;
    }
    Ok(())
}
