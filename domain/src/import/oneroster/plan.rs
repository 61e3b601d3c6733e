//! What an export would change in the importing site's subtree, checked against the database
//! and the importer's rights; nothing is written. The mapping:
//!
//! - a `school` org is a site below the importing site; every other org (`district`, `local`,
//!   `state`, `national`, `department`) is the importing site itself;
//! - a class is a site below its school;
//! - a pupil is placed in their class (their school when they have none or several), a
//!   teacher or other staff in their school, and a teacher gets the chosen role on each class
//!   they teach; parents and guardians are not imported;
//! - `sourcedId`s are kept as external ids (scheme `oneroster`): a later export updates,
//!   moves and removes what an earlier one made. A bulk file removes what it leaves out, a
//!   delta file what it marks `tobedeleted`;
//! - seats: a class holds at least as many seats as the pupils placed in it, a school at least
//!   what its own users and its subsites need; a site that would need more grows, taking the
//!   seats from its parent, up to the importing site, which must have them: otherwise the
//!   preview names the shortage and the import is refused as a whole.
use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::read::{Problem, Processing, Role, Roster, Status};
use crate::access::{self, Operation, Permission};
use crate::audit::Change;
use crate::entities::{external_id, role, role_grant, site, site_external_id, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::import::SeatShortage;
use crate::roles::permissions_of;
use crate::sites::Resolved;
use crate::{sites, validate, Db, Principal};

/// How an import reads an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RosterOptions {
    /// The role teachers get on their classes (a role id), if any.
    pub teacher_role: Option<i32>,
}

/// A site of the plan: one that exists, or one to create (by index in `new_sites`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SiteRef {
    Existing(i32),
    New(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSite {
    pub sourced_id: String,
    pub name: String,
    pub parent: SiteRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRosterUser {
    pub row: usize,
    pub sourced_id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub personnel_number: Option<String>,
    pub active: bool,
    pub to: SiteRef,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangedUser {
    pub row: usize,
    pub user: user::Model,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub personnel_number: Option<String>,
    pub active: bool,
    pub to: SiteRef,
    /// Linked by username now (no external id yet): the sourcedId to keep.
    pub link: Option<String>,
    pub changes: Vec<Change>,
}

/// A user of the plan: one that exists, or one to create (by index in `new_users`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserRef {
    Existing(i32),
    New(usize),
}

/// Everything an export would do in the importing site's subtree.
#[derive(Debug, Clone)]
pub struct RosterPlan {
    pub site: Resolved,
    pub organisation: i32,
    pub teacher_role: Option<i32>,
    pub new_sites: Vec<NewSite>,
    /// (site, name before, name after)
    pub renamed: Vec<(site::Model, String)>,
    pub removed_sites: Vec<site::Model>,
    pub new_users: Vec<NewRosterUser>,
    pub changed_users: Vec<ChangedUser>,
    pub removed_users: Vec<user::Model>,
    pub grants_added: Vec<(UserRef, SiteRef)>,
    pub grants_removed: Vec<role_grant::Model>,
    /// The seat limit each site of the export will have (only those that change).
    pub limits: BTreeMap<SiteRef, i32>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub shortages: Vec<SeatShortage>,
}

impl RosterPlan {
    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.new_sites.is_empty()
            && self.renamed.is_empty()
            && self.removed_sites.is_empty()
            && self.new_users.is_empty()
            && self.changed_users.is_empty()
            && self.removed_users.is_empty()
            && self.grants_added.is_empty()
            && self.grants_removed.is_empty()
    }
}

fn problem(
    file: &'static str,
    row: usize,
    column: &'static str,
    code: Code,
    details: Vec<String>,
) -> Problem {
    Problem {
        file,
        row,
        column: Some(column),
        code,
        details,
    }
}

/// The plan of `roster` for an import into `site`.
pub async fn plan(
    db: &Db,
    principal: &Principal,
    site: uuid::Uuid,
    roster: &Roster,
    options: RosterOptions,
) -> Result<RosterPlan> {
    let home = sites::resolve(db, site).await?;
    access::require(principal, Operation::ImportUsers, &home.scope)?;
    let organisation = home.scope.root_id().ok_or(Error::NotFound)?;
    let mut plan = RosterPlan {
        site: home.clone(),
        organisation,
        teacher_role: None,
        new_sites: Vec::new(),
        renamed: Vec::new(),
        removed_sites: Vec::new(),
        new_users: Vec::new(),
        changed_users: Vec::new(),
        removed_users: Vec::new(),
        grants_added: Vec::new(),
        grants_removed: Vec::new(),
        limits: BTreeMap::new(),
        problems: roster.problems.clone(),
        warnings: roster.warnings.clone(),
        shortages: Vec::new(),
    };
    if let Some(role_id) = options.teacher_role {
        plan.teacher_role = Some(teacher_role(db, principal, &home, role_id).await?);
    }
    let linked_sites = linked_sites(db, organisation, home.site.id).await?;
    let structure = structure(principal, &home, roster, &linked_sites, &mut plan)?;
    users(db, principal, &home, roster, &structure, &mut plan).await?;
    grants(db, roster, &structure, &linked_sites, &mut plan).await?;
    seats(&home, &linked_sites, &mut plan).await?;
    Ok(plan)
}

/// The teacher role: usable in the importing site, grantable by the importer there.
async fn teacher_role(
    db: &Db,
    principal: &Principal,
    home: &Resolved,
    role_id: i32,
) -> Result<i32> {
    let found = role::Entity::find_by_id(role_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let usable = found
        .site_id
        .is_none_or(|s| home.scope.ancestry.contains(&s));
    if !usable {
        return Err(Error::NotFound);
    }
    let held = access::held(principal, &home.scope);
    if !held.contains(Permission::RolesAssign) || !held.includes(permissions_of(&found)) {
        return Err(Error::Refused(Code::ImportRoleNotAllowed));
    }
    Ok(found.id)
}

/// The sites earlier imports made in the importing site's subtree, by sourcedId.
async fn linked_sites(
    db: &Db,
    organisation: i32,
    home: i32,
) -> Result<HashMap<String, site::Model>> {
    let links = site_external_id::Entity::find()
        .filter(site_external_id::Column::OrganisationId.eq(organisation))
        .filter(site_external_id::Column::Scheme.eq(Scheme::OneRoster.as_str()))
        .all(db.conn())
        .await?;
    let mut by_id: HashMap<i32, site::Model> = HashMap::new();
    let ids: Vec<i32> = links.iter().map(|l| l.site_id).collect();
    for chunk in ids.chunks(5000) {
        for found in site::Entity::find()
            .filter(site::Column::Id.is_in(chunk.to_vec()))
            .filter(site::Column::Id.in_subquery(sites::subtree([home])))
            .filter(site::Column::Id.ne(home))
            .all(db.conn())
            .await?
        {
            by_id.insert(found.id, found);
        }
    }
    Ok(links
        .into_iter()
        .filter_map(|l| by_id.get(&l.site_id).cloned().map(|s| (l.value, s)))
        .collect())
}

/// Where each org and class of the export goes.
struct Structure {
    /// By org sourcedId: the site it is (the importing site for a district).
    orgs: HashMap<String, SiteRef>,
    /// School orgs only.
    schools: HashSet<String>,
    /// By class sourcedId.
    classes: HashMap<String, SiteRef>,
}

fn structure(
    principal: &Principal,
    home: &Resolved,
    roster: &Roster,
    linked: &HashMap<String, site::Model>,
    plan: &mut RosterPlan,
) -> Result<Structure> {
    let mut s = Structure {
        orgs: HashMap::new(),
        schools: HashSet::new(),
        classes: HashMap::new(),
    };
    let here = SiteRef::Existing(home.site.id);
    for org in &roster.orgs {
        if org.kind != "school" {
            s.orgs.insert(org.sourced_id.clone(), here);
            continue;
        }
        s.schools.insert(org.sourced_id.clone());
        if org.status == Status::ToBeDeleted {
            continue;
        }
        let row = ("orgs.csv", org.row, "name");
        if let Some(at) = place(plan, linked, row, &org.sourced_id, &org.name, here) {
            s.orgs.insert(org.sourced_id.clone(), at);
        }
    }
    // Schools the file does not list (a delta) are still known by their link: a linked site
    // right below the importing site is a school, any other a class.
    let is_school = |site: &site::Model| site.parent_id == Some(home.site.id);
    for (sourced, existing) in linked.iter().filter(|(_, e)| is_school(e)) {
        s.orgs
            .entry(sourced.clone())
            .or_insert(SiteRef::Existing(existing.id));
        s.schools.insert(sourced.clone());
    }
    for class in &roster.classes {
        if class.status == Status::ToBeDeleted {
            continue;
        }
        let Some(school) = s.orgs.get(&class.school).copied() else {
            plan.problems.push(problem(
                "classes.csv",
                class.row,
                "schoolSourcedId",
                Code::OnerosterReferenceUnknown,
                vec![class.school.clone()],
            ));
            continue;
        };
        let row = ("classes.csv", class.row, "title");
        if let Some(at) = place(plan, linked, row, &class.sourced_id, &class.title, school) {
            s.classes.insert(class.sourced_id.clone(), at);
        }
    }
    for (sourced, existing) in linked.iter().filter(|(_, e)| !is_school(e)) {
        s.classes
            .entry(sourced.clone())
            .or_insert(SiteRef::Existing(existing.id));
    }
    if !plan.new_sites.is_empty() || !plan.renamed.is_empty() {
        access::require(principal, Operation::CreateSite, &home.scope)?;
    }
    // Removed: a bulk file's absent schools and classes, a delta's `tobedeleted` ones.
    let gone = |file: &'static str, listed: &HashSet<&str>, deleted: &HashSet<&str>, id: &str| {
        match roster.processing(file) {
            Processing::Bulk => !listed.contains(id) || deleted.contains(id),
            Processing::Delta => deleted.contains(id),
            Processing::Absent => false,
        }
    };
    let listed_orgs: HashSet<&str> = roster.orgs.iter().map(|o| o.sourced_id.as_str()).collect();
    let deleted_orgs: HashSet<&str> = roster
        .orgs
        .iter()
        .filter(|o| o.status == Status::ToBeDeleted)
        .map(|o| o.sourced_id.as_str())
        .collect();
    let listed_classes: HashSet<&str> = roster
        .classes
        .iter()
        .map(|c| c.sourced_id.as_str())
        .collect();
    let deleted_classes: HashSet<&str> = roster
        .classes
        .iter()
        .filter(|c| c.status == Status::ToBeDeleted)
        .map(|c| c.sourced_id.as_str())
        .collect();
    for (sourced, existing) in linked {
        let removed = if is_school(existing) {
            gone("orgs", &listed_orgs, &deleted_orgs, sourced)
        } else {
            gone("classes", &listed_classes, &deleted_classes, sourced)
        };
        if removed {
            plan.removed_sites.push(existing.clone());
            s.orgs.remove(sourced);
            s.classes.remove(sourced);
        }
    }
    // Classes first, then schools: a site is deleted after what is below it.
    plan.removed_sites
        .sort_by_key(|site| (is_school(site), site.id));
    Ok(s)
}

/// A school or class of the export: the site an earlier import made (renamed when its name
/// changed), or a new one below `parent`; none when its name cannot be a site's (a problem of
/// its row: file, row, column).
fn place(
    plan: &mut RosterPlan,
    linked: &HashMap<String, site::Model>,
    (file, row, column): (&'static str, usize, &'static str),
    sourced_id: &str,
    name: &str,
    parent: SiteRef,
) -> Option<SiteRef> {
    let name = match validate::site_name(name) {
        Ok(name) => name,
        Err(e) => {
            plan.problems
                .push(problem(file, row, column, e.code(), vec![]));
            return None;
        }
    };
    Some(match linked.get(sourced_id) {
        Some(existing) => {
            if existing.name != name {
                plan.renamed.push((existing.clone(), name));
            }
            SiteRef::Existing(existing.id)
        }
        None => {
            plan.new_sites.push(NewSite {
                sourced_id: sourced_id.to_string(),
                name,
                parent,
            });
            SiteRef::New(plan.new_sites.len() - 1)
        }
    })
}

/// Users: new, changed (names, address, number, active, placement), removed.
async fn users(
    db: &Db,
    principal: &Principal,
    home: &Resolved,
    roster: &Roster,
    s: &Structure,
    plan: &mut RosterPlan,
) -> Result<()> {
    // The users earlier imports made, in the importing site's subtree, by sourcedId.
    let links = external_id::Entity::find()
        .filter(external_id::Column::OrganisationId.eq(plan.organisation))
        .filter(external_id::Column::Scheme.eq(Scheme::OneRoster.as_str()))
        .all(db.conn())
        .await?;
    let ids: Vec<i32> = links.iter().map(|l| l.user_id).collect();
    let mut rows: HashMap<i32, user::Model> = HashMap::new();
    for chunk in ids.chunks(5000) {
        for found in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .filter(user::Column::SiteId.in_subquery(sites::subtree([home.site.id])))
            .all(db.conn())
            .await?
        {
            rows.insert(found.id, found);
        }
    }
    let linked: HashMap<String, user::Model> = links
        .into_iter()
        .filter_map(|l| rows.get(&l.user_id).cloned().map(|u| (l.value, u)))
        .collect();
    // Usernames of the export that exist without a link: adopted when they are in reach.
    let wanted: Vec<String> = roster
        .users
        .iter()
        .filter(|u| !linked.contains_key(&u.sourced_id))
        .map(|u| u.username.trim().to_lowercase())
        .collect();
    let mut by_name: HashMap<String, user::Model> = HashMap::new();
    for chunk in wanted.chunks(1000) {
        for found in user::Entity::find()
            .filter(user::Column::Username.is_in(chunk.to_vec()))
            .all(db.conn())
            .await?
        {
            by_name.insert(found.username.clone(), found);
        }
    }
    let in_subtree: HashSet<i32> = {
        let mut found = HashSet::new();
        let candidates: Vec<i32> = by_name.values().map(|u| u.site_id).collect();
        for chunk in candidates.chunks(5000) {
            for site in site::Entity::find()
                .filter(site::Column::Id.is_in(chunk.to_vec()))
                .filter(site::Column::Id.in_subquery(sites::subtree([home.site.id])))
                .all(db.conn())
                .await?
            {
                found.insert(site.id);
            }
        }
        found
    };
    let reachable_ids: Vec<i32> = linked
        .values()
        .chain(by_name.values())
        .map(|u| u.id)
        .collect();
    let authorities = crate::users::authorities(db.conn(), &reachable_ids).await?;
    let in_reach = |u: &user::Model| {
        authorities
            .get(&u.id)
            .is_none_or(|a| access::contains(principal, a))
            && principal.user_id() != Some(u.id)
    };

    // Enrollments by user: their classes as student, as teacher.
    let mut classes_of: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut teaches: HashSet<&str> = HashSet::new();
    for e in roster
        .enrollments
        .iter()
        .filter(|e| e.status == Status::Active)
    {
        match e.role {
            Some(Role::Student) => classes_of.entry(&e.user).or_default().push(&e.class),
            Some(Role::Teacher) => {
                teaches.insert(&e.user);
            }
            _ => {}
        }
    }
    let mut seen_names: HashSet<String> = HashSet::new();
    for u in &roster.users {
        if u.status == Status::ToBeDeleted {
            continue;
        }
        let role = u
            .role
            .unwrap_or(if teaches.contains(u.sourced_id.as_str()) {
                Role::Teacher
            } else {
                Role::Student
            });
        if role == Role::Other {
            plan.warnings.push(problem(
                "users.csv",
                u.row,
                "role",
                Code::OnerosterRoleSkipped,
                vec![u.username.clone()],
            ));
            continue;
        }
        let checked = (|| -> std::result::Result<_, (&'static str, Code)> {
            let username = validate::username(&u.username).map_err(|e| ("username", e.code()))?;
            let first = validate::person_name("first_name", &u.given_name, Code::FirstNameRequired)
                .map_err(|e| ("givenName", e.code()))?;
            let last = validate::person_name("last_name", &u.family_name, Code::LastNameRequired)
                .map_err(|e| ("familyName", e.code()))?;
            let email = validate::optional_email(u.email.as_deref().unwrap_or_default())
                .map_err(|e| ("email", e.code()))?;
            Ok((username, first, last, email))
        })();
        let (username, first_name, last_name, email) = match checked {
            Ok(fields) => fields,
            Err((column, code)) => {
                plan.problems
                    .push(problem("users.csv", u.row, column, code, vec![]));
                continue;
            }
        };
        if !seen_names.insert(username.clone()) {
            plan.problems.push(problem(
                "users.csv",
                u.row,
                "username",
                Code::ImportDuplicateUsername,
                vec![username.clone()],
            ));
            continue;
        }
        // Where they go.
        let school = u
            .orgs
            .iter()
            .find(|o| s.schools.contains(o.as_str()))
            .and_then(|o| s.orgs.get(o).copied());
        let mut to = school.unwrap_or(SiteRef::Existing(home.site.id));
        // A delta without this pupil's enrollments leaves them where they are.
        let mut stays = false;
        if role == Role::Student {
            let classes: Vec<SiteRef> = classes_of
                .get(u.sourced_id.as_str())
                .map(|list| {
                    list.iter()
                        .filter_map(|c| s.classes.get(*c).copied())
                        .collect()
                })
                .unwrap_or_default();
            match classes.as_slice() {
                [one] => to = *one,
                [] => stays = roster.processing("enrollments") != Processing::Bulk,
                _ => plan.warnings.push(problem(
                    "enrollments.csv",
                    u.row,
                    "classSourcedId",
                    Code::OnerosterSeveralClasses,
                    vec![username.clone()],
                )),
            }
        }
        let existing = linked
            .get(&u.sourced_id)
            .map(|found| (found.clone(), None))
            .or_else(|| {
                by_name
                    .get(&username)
                    .map(|found| (found.clone(), Some(u.sourced_id.clone())))
            });
        match existing {
            None => plan.new_users.push(NewRosterUser {
                row: u.row,
                sourced_id: u.sourced_id.clone(),
                username,
                first_name,
                last_name,
                email,
                personnel_number: u.identifier.clone(),
                active: u.enabled,
                to,
            }),
            Some((found, link)) => {
                if stays {
                    to = SiteRef::Existing(found.site_id);
                }
                let reachable = in_subtree.contains(&found.site_id) || link.is_none();
                if !reachable || !in_reach(&found) {
                    plan.problems.push(problem(
                        "users.csv",
                        u.row,
                        "username",
                        if reachable {
                            Code::UserOutOfReach
                        } else {
                            Code::UsernameTaken
                        },
                        vec![username.clone()],
                    ));
                    continue;
                }
                let mut changes = Vec::new();
                let text = |v: &Option<String>| v.clone().unwrap_or_default();
                if found.first_name != first_name {
                    changes.push(Change::new("first_name", &found.first_name, &first_name));
                }
                if found.last_name != last_name {
                    changes.push(Change::new("last_name", &found.last_name, &last_name));
                }
                if found.email != email {
                    changes.push(Change::new("email", text(&found.email), text(&email)));
                }
                if u.identifier.is_some() && found.personnel_number != u.identifier {
                    changes.push(Change::new(
                        "personnel_number",
                        text(&found.personnel_number),
                        text(&u.identifier),
                    ));
                }
                if found.active != u.enabled {
                    changes.push(Change::new("active", found.active, u.enabled));
                }
                let moves = to != SiteRef::Existing(found.site_id);
                if changes.is_empty() && !moves && link.is_none() {
                    continue;
                }
                plan.changed_users.push(ChangedUser {
                    row: u.row,
                    first_name,
                    last_name,
                    email,
                    personnel_number: u.identifier.clone().or(found.personnel_number.clone()),
                    active: u.enabled,
                    to,
                    link,
                    changes,
                    user: found,
                });
            }
        }
    }
    // A delta may move a pupil by their enrollments alone (their user row unchanged).
    let in_file: HashSet<&str> = roster.users.iter().map(|u| u.sourced_id.as_str()).collect();
    for (sourced, found) in &linked {
        if in_file.contains(sourced.as_str()) {
            continue;
        }
        let Some(classes) = classes_of.get(sourced.as_str()) else {
            continue;
        };
        let targets: Vec<SiteRef> = classes
            .iter()
            .filter_map(|c| s.classes.get(*c).copied())
            .collect();
        let [to] = targets.as_slice() else {
            continue;
        };
        if *to == SiteRef::Existing(found.site_id) || !in_reach(found) {
            continue;
        }
        let row = roster
            .enrollments
            .iter()
            .find(|e| e.user == *sourced && e.status == Status::Active)
            .map_or(0, |e| e.row);
        plan.changed_users.push(ChangedUser {
            row,
            first_name: found.first_name.clone(),
            last_name: found.last_name.clone(),
            email: found.email.clone(),
            personnel_number: found.personnel_number.clone(),
            active: found.active,
            to: *to,
            link: None,
            changes: Vec::new(),
            user: found.clone(),
        });
    }
    // Removed: a bulk users file's absent users, a delta's `tobedeleted` ones (only users
    // an earlier import made, in reach).
    let listed: HashSet<&str> = roster.users.iter().map(|u| u.sourced_id.as_str()).collect();
    let deleted: HashSet<&str> = roster
        .users
        .iter()
        .filter(|u| u.status == Status::ToBeDeleted)
        .map(|u| u.sourced_id.as_str())
        .collect();
    for (sourced, found) in &linked {
        let removed = match roster.processing("users") {
            Processing::Bulk => {
                !listed.contains(sourced.as_str()) || deleted.contains(sourced.as_str())
            }
            Processing::Delta => deleted.contains(sourced.as_str()),
            Processing::Absent => false,
        };
        if removed && in_reach(found) {
            plan.removed_users.push(found.clone());
        }
    }
    if !plan.new_users.is_empty() {
        access::require(principal, Operation::CreateUser, &home.scope)?;
    }
    Ok(())
}

/// The teacher role on each class a teacher teaches; grants the export no longer gives go.
async fn grants(
    db: &Db,
    roster: &Roster,
    s: &Structure,
    linked_sites: &HashMap<String, site::Model>,
    plan: &mut RosterPlan,
) -> Result<()> {
    let Some(role) = plan.teacher_role else {
        return Ok(());
    };
    let user_of: HashMap<&str, UserRef> = plan
        .new_users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.sourced_id.as_str(), UserRef::New(i)))
        .chain(roster.users.iter().filter_map(|u| {
            plan.changed_users
                .iter()
                .find(|c| c.row == u.row)
                .map(|c| (u.sourced_id.as_str(), UserRef::Existing(c.user.id)))
        }))
        .collect();
    // Teachers already linked who did not change are found by their link.
    let linked_users: HashMap<String, i32> = {
        let rows = external_id::Entity::find()
            .filter(external_id::Column::OrganisationId.eq(plan.organisation))
            .filter(external_id::Column::Scheme.eq(Scheme::OneRoster.as_str()))
            .all(db.conn())
            .await?;
        rows.into_iter().map(|r| (r.value, r.user_id)).collect()
    };
    let mut wanted: HashSet<(UserRef, SiteRef)> = HashSet::new();
    for e in roster
        .enrollments
        .iter()
        .filter(|e| e.status == Status::Active && e.role == Some(Role::Teacher))
    {
        let user = user_of
            .get(e.user.as_str())
            .copied()
            .or_else(|| linked_users.get(&e.user).map(|id| UserRef::Existing(*id)));
        let (Some(user), Some(class)) = (user, s.classes.get(&e.class).copied()) else {
            plan.problems.push(problem(
                "enrollments.csv",
                e.row,
                "userSourcedId",
                Code::OnerosterReferenceUnknown,
                vec![e.user.clone(), e.class.clone()],
            ));
            continue;
        };
        wanted.insert((user, class));
    }
    let class_ids: Vec<i32> = linked_sites.values().map(|s| s.id).collect();
    let mut existing: Vec<role_grant::Model> = Vec::new();
    for chunk in class_ids.chunks(5000) {
        existing.extend(
            role_grant::Entity::find()
                .filter(role_grant::Column::RoleId.eq(role))
                .filter(role_grant::Column::SiteId.is_in(chunk.to_vec()))
                .filter(role_grant::Column::GroupId.is_null())
                .all(db.conn())
                .await?,
        );
    }
    let had: HashSet<(UserRef, SiteRef)> = existing
        .iter()
        .map(|g| (UserRef::Existing(g.user_id), SiteRef::Existing(g.site_id)))
        .collect();
    let teaching_known = roster.processing("enrollments") == Processing::Bulk;
    let ended: HashSet<(&str, &str)> = roster
        .enrollments
        .iter()
        .filter(|e| e.status == Status::ToBeDeleted)
        .map(|e| (e.user.as_str(), e.class.as_str()))
        .collect();
    let mut added: Vec<(UserRef, SiteRef)> = wanted.difference(&had).copied().collect();
    added.sort();
    plan.grants_added = added;
    let removed_sites: HashSet<i32> = plan.removed_sites.iter().map(|s| s.id).collect();
    let sourced_of_user: HashMap<i32, &str> =
        linked_users.iter().map(|(k, v)| (*v, k.as_str())).collect();
    let sourced_of_site: HashMap<i32, &str> = linked_sites
        .iter()
        .map(|(k, v)| (v.id, k.as_str()))
        .collect();
    plan.grants_removed = existing
        .into_iter()
        .filter(|g| {
            let key = (UserRef::Existing(g.user_id), SiteRef::Existing(g.site_id));
            let delta_ended = match (
                sourced_of_user.get(&g.user_id),
                sourced_of_site.get(&g.site_id),
            ) {
                (Some(u), Some(c)) => ended.contains(&(*u, *c)),
                _ => false,
            };
            !removed_sites.contains(&g.site_id)
                && ((teaching_known && !wanted.contains(&key)) || delta_ended)
        })
        .collect();
    Ok(())
}

/// The seats every site of the export needs after the import, the limits that grow, and the
/// shortage where the importing site cannot give them.
async fn seats(
    home: &Resolved,
    linked: &HashMap<String, site::Model>,
    plan: &mut RosterPlan,
) -> Result<()> {
    // Own users after the import, per site.
    let mut own: HashMap<SiteRef, i64> = HashMap::new();
    let mut current: HashMap<i32, site::Model> =
        linked.values().map(|s| (s.id, s.clone())).collect();
    current.insert(home.site.id, home.site.clone());
    for s in current.values() {
        own.insert(SiteRef::Existing(s.id), i64::from(s.own_users));
    }
    for u in &plan.new_users {
        *own.entry(u.to).or_default() += 1;
    }
    for u in &plan.changed_users {
        if u.to != SiteRef::Existing(u.user.site_id) {
            *own.entry(SiteRef::Existing(u.user.site_id)).or_default() -= 1;
            *own.entry(u.to).or_default() += 1;
        }
    }
    for u in &plan.removed_users {
        *own.entry(SiteRef::Existing(u.site_id)).or_default() -= 1;
    }
    let removed: HashSet<i32> = plan.removed_sites.iter().map(|s| s.id).collect();
    // Children of each site of the export (and of the importing site).
    let mut children: HashMap<SiteRef, Vec<SiteRef>> = HashMap::new();
    for (i, s) in plan.new_sites.iter().enumerate() {
        children.entry(s.parent).or_default().push(SiteRef::New(i));
    }
    for s in current.values() {
        if let (Some(parent), false) = (s.parent_id, removed.contains(&s.id)) {
            if s.id != home.site.id {
                children
                    .entry(SiteRef::Existing(parent))
                    .or_default()
                    .push(SiteRef::Existing(s.id));
            }
        }
    }
    // Subsites the export does not manage keep their limits: their reservation is in the
    // used seats of their parent, beyond the export's own children.
    let others = |parent: i32| -> i64 {
        let Some(s) = current.get(&parent) else {
            return 0;
        };
        let counted: i64 = children
            .get(&SiteRef::Existing(parent))
            .into_iter()
            .flatten()
            .filter_map(|c| match c {
                SiteRef::Existing(id) => current.get(id).map(|m| i64::from(m.seat_limit)),
                SiteRef::New(_) => None,
            })
            .sum();
        i64::from(s.used_seats)
            - i64::from(s.own_users)
            - counted
            - removed_limits(&plan.removed_sites, parent)
    };
    fn removed_limits(removed: &[site::Model], parent: i32) -> i64 {
        removed
            .iter()
            .filter(|s| s.parent_id == Some(parent))
            .map(|s| i64::from(s.seat_limit))
            .sum()
    }
    // Limits bottom-up: classes (leaves of the export), then schools.
    fn limit_of(
        at: SiteRef,
        own: &HashMap<SiteRef, i64>,
        children: &HashMap<SiteRef, Vec<SiteRef>>,
        current: &HashMap<i32, site::Model>,
        others: &dyn Fn(i32) -> i64,
        out: &mut BTreeMap<SiteRef, i32>,
        depth: usize,
    ) -> i64 {
        let below: i64 = if depth > 8 {
            0
        } else {
            children
                .get(&at)
                .into_iter()
                .flatten()
                .map(|c| limit_of(*c, own, children, current, others, out, depth + 1))
                .sum()
        };
        let extra = match at {
            SiteRef::Existing(id) => others(id),
            SiteRef::New(_) => 0,
        };
        let needed = own.get(&at).copied().unwrap_or_default() + below + extra;
        let had = match at {
            SiteRef::Existing(id) => current.get(&id).map(|s| i64::from(s.seat_limit)),
            SiteRef::New(_) => None,
        };
        let limit = had.map_or(needed, |h| h.max(needed));
        if had != Some(limit) {
            out.insert(at, i32::try_from(limit).unwrap_or(i32::MAX));
        }
        limit
    }
    let mut limits = BTreeMap::new();
    let here = SiteRef::Existing(home.site.id);
    let below: i64 = children
        .get(&here)
        .into_iter()
        .flatten()
        .map(|c| limit_of(*c, &own, &children, &current, &others, &mut limits, 0))
        .sum();
    let used = own.get(&here).copied().unwrap_or_default() + below + others(home.site.id);
    let limit = i64::from(home.site.seat_limit);
    if used > limit {
        plan.shortages.push(SeatShortage {
            site_name: home.site.name.clone(),
            adding: usize::try_from(used - i64::from(home.site.used_seats)).unwrap_or(0),
            free: limit - i64::from(home.site.used_seats),
        });
    }
    plan.limits = limits;
    Ok(())
}
