//! Property values in bulk, as Class imports them: a CSV (or spreadsheet) of
//! `personnel number;property;value` lines, one property per line, an optional header. The
//! preview says what would change and what is wrong with which line; applying writes the good
//! lines in one transaction (journaled per user) and reports the rest. Users are found by
//! personnel number among the users of the site and its subsites.
use crate::properties::Normalise;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::define::Definition;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{property_value, user};
use crate::error::{Code, Error, Result};
use crate::groups::guard::{self, Guard, Prospect};
use crate::import::{read_table, Limits};
use crate::{sites, Db, Principal};

/// A line that cannot be imported: its number in the file, why, and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub code: Code,
    pub details: Vec<String>,
}

/// A value that would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedValue {
    pub line: usize,
    pub user: Uuid,
    pub username: String,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValuesPreview {
    pub changes: Vec<PlannedValue>,
    /// Lines whose value is already what the file says.
    pub unchanged: usize,
    pub problems: Vec<LineProblem>,
}

/// The header words of the value column in nl, fr and en.
const VALUE_HEADERS: &[&str] = &["value", "waarde", "valeur"];

struct Plan {
    preview: ValuesPreview,
    /// (user id, definition id) of each change, parallel to `preview.changes`.
    targets: Vec<(i32, i32)>,
    users: HashMap<i32, user::Model>,
}

async fn plan(db: &Db, principal: &Principal, site: Uuid, bytes: &[u8]) -> Result<Plan> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ImportUsers, &resolved.scope)?;
    access::require(principal, Operation::EditUser, &resolved.scope)?;
    let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let table = read_table(bytes, Limits::default())?;
    let definitions = crate::properties::of_organisation(db.conn(), root).await?;
    let find_definition = |name: &str| {
        let wanted = name.trim().to_lowercase();
        definitions.iter().find(|d| {
            [&d.key, &d.label_nl, &d.label_fr, &d.label_en]
                .iter()
                .any(|n| n.to_lowercase() == wanted)
        })
    };
    let numbers: Vec<String> = table
        .rows
        .iter()
        .filter_map(|r| r.first().map(|c| c.trim().to_string()))
        .filter(|n| !n.is_empty())
        .collect();
    let people = user::Entity::find()
        .filter(user::Column::PersonnelNumber.is_in(numbers))
        .filter(user::Column::SiteId.in_subquery(sites::subtree([resolved.site.id])))
        .all(db.conn())
        .await?;
    let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
    let authorities = crate::users::authorities(db.conn(), &ids).await?;
    let current = property_value::Entity::find()
        .filter(property_value::Column::UserId.is_in(ids))
        .all(db.conn())
        .await?;
    // Values that would make someone a new member of a group giving what the importer could
    // not give are refused line by line (see `groups::guard`).
    let guard = Guard::load(db.conn(), principal, root).await?;
    let mut values: HashMap<i32, HashMap<i32, String>> = HashMap::new();
    for v in &current {
        values
            .entry(v.user_id)
            .or_default()
            .insert(v.definition_id, v.value.clone());
    }
    let mut home_sites: Vec<i32> = people.iter().map(|p| p.site_id).collect();
    home_sites.sort_unstable();
    home_sites.dedup();
    let scopes = if guard.is_empty() {
        HashMap::new()
    } else {
        sites::scopes_of(db.conn(), &home_sites).await?
    };
    let mut plan = Plan {
        preview: ValuesPreview::default(),
        targets: Vec::new(),
        users: HashMap::new(),
    };
    for (index, row) in table.rows.iter().enumerate() {
        let line = table.first_row + index;
        let cell = |n: usize| row.get(n).map(|c| c.trim()).unwrap_or_default();
        if index == 0 && VALUE_HEADERS.contains(&cell(2).to_lowercase().as_str()) {
            continue;
        }
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut problem = |code: Code, details: Vec<String>| {
            plan.preview.problems.push(LineProblem {
                line,
                code,
                details,
            })
        };
        let Some(person) = people
            .iter()
            .find(|p| p.personnel_number.as_deref() == Some(cell(0)))
        else {
            problem(Code::PersonnelNumberUnknown, vec![cell(0).to_string()]);
            continue;
        };
        if authorities
            .get(&person.id)
            .is_some_and(|authority| !access::contains(principal, authority))
        {
            problem(Code::UserOutOfReach, vec![cell(0).to_string()]);
            continue;
        }
        let Some(definition) = find_definition(cell(1)) else {
            problem(Code::PropertyUnknown, vec![cell(1).to_string()]);
            continue;
        };
        let described = Definition::of(definition);
        let after = match described.kind.normalise(cell(2), &described.choices) {
            Ok(value) => value,
            Err(e) => {
                problem(e.code(), vec![definition.key.clone()]);
                continue;
            }
        };
        if after.is_none() && described.required {
            problem(Code::PropertyValueRequired, vec![definition.key.clone()]);
            continue;
        }
        let before = current
            .iter()
            .find(|v| v.user_id == person.id && v.definition_id == definition.id)
            .map(|v| v.value.clone());
        if before == after {
            plan.preview.unchanged += 1;
            continue;
        }
        if !guard.is_empty() {
            let mut prospective = values.get(&person.id).cloned().unwrap_or_default();
            match &after {
                Some(value) => prospective.insert(definition.id, value.clone()),
                None => prospective.remove(&definition.id),
            };
            let prospect = Prospect {
                user_id: Some(person.id),
                ancestry: scopes
                    .get(&person.site_id)
                    .map(|s| s.ancestry.as_slice())
                    .unwrap_or_default(),
                eligible: guard::eligible(person),
                values: &prospective,
            };
            if guard.refuses(&prospect) {
                problem(Code::GroupGrantNotHeld, vec![cell(0).to_string()]);
                continue;
            }
            values.insert(person.id, prospective);
        }
        plan.preview.changes.push(PlannedValue {
            line,
            user: person.public_id,
            username: person.username.clone(),
            key: definition.key.clone(),
            before,
            after,
        });
        plan.targets.push((person.id, definition.id));
        plan.users.insert(person.id, person.clone());
    }
    Ok(plan)
}

/// What importing the file would do; nothing is written.
pub async fn preview_values(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    bytes: &[u8],
) -> Result<ValuesPreview> {
    Ok(plan(db, principal, site, bytes).await?.preview)
}

/// Imports the good lines in one transaction; answers what changed and the lines refused.
pub async fn import_values(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    bytes: &[u8],
) -> Result<ValuesPreview> {
    let plan = plan(db, principal, site, bytes).await?;
    if plan.preview.changes.is_empty() {
        return Ok(plan.preview);
    }
    let resolved = sites::resolve(db, site).await?;
    let txn = db.write().await?;
    let mut per_user: Vec<(i32, Vec<Change>)> = Vec::new();
    for (change, (user_id, definition_id)) in plan.preview.changes.iter().zip(&plan.targets) {
        super::values::write_value(&*txn, *user_id, *definition_id, change.after.as_deref())
            .await?;
        let entry = Change::new(
            &format!("property:{}", change.key),
            change.before.clone().unwrap_or_default(),
            change.after.clone().unwrap_or_default(),
        );
        match per_user.iter_mut().find(|(id, _)| id == user_id) {
            Some((_, changes)) => changes.push(entry),
            None => per_user.push((*user_id, vec![entry])),
        }
    }
    let events: Vec<Event> = per_user
        .into_iter()
        .filter_map(|(id, changes)| {
            let person = plan.users.get(&id)?;
            Some(Event {
                action: Action::UserUpdate,
                target: crate::audit::Target::user(person),
                site: &resolved.site,
                changes,
            })
        })
        .collect();
    audit::record_many(&*txn, principal, events).await?;
    txn.commit().await?;
    Ok(plan.preview)
}
