//! What a provider writes: a user created in the token's site, replaced (PUT) or patched
//! (PATCH) as a whole under the rules of any change to a user (the site, and authority over
//! them: `users::target`), and deleted. Each write is one transaction: a taken username or
//! external id, a full site or a refused deactivation leaves nothing behind. An `If-Match`
//! naming another version than the current one is refused (`scim_version_mismatch`, 412).
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use uuid::Uuid;

use super::patch;
use super::users::{version_allows, with_ids, ScimUser, ScimUserInput, ENTERPRISE_SCHEMA};
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{external_id, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::users::Target;
use crate::{sites, validate, Db, Principal};

/// What a provider's DELETE does to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// The account is deactivated: its licence, history and links stay (Entra ID's soft
    /// delete); an administrator deletes it for good.
    Deactivate,
    /// The account is deleted, with its seat freed.
    Delete,
}

/// A user's fields as checked for writing.
struct Checked {
    username: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    active: bool,
    external_id: Option<String>,
    employee_number: Option<String>,
    department: Option<String>,
}

fn check(input: ScimUserInput) -> Result<Checked> {
    Ok(Checked {
        username: validate::username(&input.user_name)?,
        first_name: validate::person_name(
            "first_name",
            &input.given_name,
            Code::FirstNameRequired,
        )?,
        last_name: validate::person_name("last_name", &input.family_name, Code::LastNameRequired)?,
        email: validate::optional_email(input.email.as_deref().unwrap_or_default())?,
        active: input.active,
        external_id: input
            .external_id
            .as_deref()
            .map(crate::identifiers::valid)
            .transpose()?
            .map(str::to_string),
        employee_number: input
            .employee_number
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        department: input
            .department
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
    })
}

/// Creates a user in `site` as a provider asks: the seat, the user, their SCIM external id
/// and their personnel number in one transaction.
pub async fn create(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    input: ScimUserInput,
) -> Result<ScimUser> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::CreateUser, &resolved.scope)?;
    let organisation = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let checked = check(input)?;
    let new_user = crate::users::NewUser {
        username: checked.username.clone(),
        first_name: checked.first_name.clone(),
        last_name: checked.last_name.clone(),
        email: checked.email.clone(),
        password_hash: None,
        must_change_password: false,
        pending: None,
        locale: None,
    };
    crate::groups::guard::check_newcomer(db.conn(), principal, &resolved.scope.ancestry).await?;

    let txn = db.write().await?;
    let created = crate::users::insert_unchecked(&*txn, resolved.site.id, new_user).await?;
    let created = if checked.active && checked.employee_number.is_none() {
        created
    } else {
        let mut row: user::ActiveModel = created.into();
        row.active = Set(checked.active);
        row.personnel_number = Set(checked.employee_number.clone());
        row.update(&*txn).await?
    };
    if let Some(value) = &checked.external_id {
        crate::identifiers::insert(&*txn, organisation, created.id, Scheme::Scim, value).await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserCreate,
            target: crate::audit::Target::user(&created),
            site: &resolved.site,
            changes: vec![Change::set("username", &created.username)],
        },
    )
    .await?;
    txn.commit().await?;
    let created = resource_of(created, checked.external_id, None);
    if checked.department.is_none() {
        return Ok(created);
    }
    // The department is a property: written as a change of the new user, under its rules.
    let before = created.clone();
    let target = crate::users::target(db, principal, Operation::EditUser, created.id).await?;
    let mut after = checked_of(&created);
    after.department = checked.department;
    write(db, principal, target, before, after).await
}

fn resource_of(
    row: user::Model,
    external_id: Option<String>,
    department: Option<String>,
) -> ScimUser {
    ScimUser {
        id: row.public_id,
        user_name: row.username,
        given_name: row.first_name,
        family_name: row.last_name,
        email: row.email,
        active: row.active,
        external_id,
        employee_number: row.personnel_number,
        department,
        created: row.created_at,
    }
}

/// The user a provider writes to, with their resource as it is now (refused when `if_match`
/// names another version).
async fn current(
    db: &Db,
    principal: &Principal,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(Target, ScimUser)> {
    let target = crate::users::target(db, principal, Operation::EditUser, id).await?;
    if target.user.service_account {
        return Err(Error::NotFound);
    }
    let resource = with_ids(db, vec![target.user.clone()])
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)?;
    if !version_allows(if_match, &resource.version()) {
        return Err(Error::Refused(Code::ScimVersionMismatch));
    }
    Ok((target, resource))
}

/// PUT: the user becomes what the provider sends (attributes it leaves out are cleared).
pub async fn replace(
    db: &Db,
    principal: &Principal,
    id: Uuid,
    input: ScimUserInput,
    if_match: Option<&str>,
) -> Result<ScimUser> {
    let (target, before) = current(db, principal, id, if_match).await?;
    write(db, principal, target, before, check(input)?).await
}

/// PATCH: the operations applied to the resource as it is, then written as a replace.
pub async fn patch(
    db: &Db,
    principal: &Principal,
    id: Uuid,
    body: &Value,
    if_match: Option<&str>,
) -> Result<ScimUser> {
    let (target, before) = current(db, principal, id, if_match).await?;
    let operations = patch::parse(body)?;
    let mut resource = before.to_json();
    patch::apply(&mut resource, &operations, &[ENTERPRISE_SCHEMA])?;
    let input = ScimUserInput::from_json(&resource);
    write(db, principal, target, before, check(input)?).await
}

async fn write(
    db: &Db,
    principal: &Principal,
    target: Target,
    before: ScimUser,
    after: Checked,
) -> Result<ScimUser> {
    let was = &target.user;
    if was.active && !after.active {
        access::require_not_self(principal, was.id, Code::CannotDeactivateSelf)?;
    } else if !was.active && after.active {
        let eligible = was.pending.is_none() && !was.service_account;
        crate::groups::guard::check_user(
            db.conn(),
            principal,
            was,
            &target.site.scope.ancestry,
            eligible,
        )
        .await?;
    }
    let organisation = target.site.scope.root_id().ok_or(Error::NotFound)?;
    let mut changes = Vec::new();
    let mut row: user::ActiveModel = was.clone().into();
    if after.username != was.username {
        changes.push(Change::new("username", &was.username, &after.username));
        row.username = Set(after.username.clone());
    }
    if after.first_name != was.first_name {
        changes.push(Change::new(
            "first_name",
            &was.first_name,
            &after.first_name,
        ));
        row.first_name = Set(after.first_name.clone());
    }
    if after.last_name != was.last_name {
        changes.push(Change::new("last_name", &was.last_name, &after.last_name));
        row.last_name = Set(after.last_name.clone());
    }
    if after.email != was.email {
        let text = |e: &Option<String>| e.clone().unwrap_or_default();
        changes.push(Change::new("email", text(&was.email), text(&after.email)));
        row.email = Set(after.email.clone());
        row.email_verified = Set(false);
    }
    if after.employee_number != was.personnel_number {
        let text = |e: &Option<String>| e.clone().unwrap_or_default();
        changes.push(Change::new(
            "personnel_number",
            text(&was.personnel_number),
            text(&after.employee_number),
        ));
        row.personnel_number = Set(after.employee_number.clone());
    }
    if after.active != was.active {
        changes.push(Change::new("active", was.active, after.active));
        row.active = Set(after.active);
    }
    // The department, when the organisation keeps one (a property with that key).
    let department = department_planned(db, principal, &target, &before, &after)
        .await?
        .unwrap_or_default();
    let external_changed = after.external_id != before.external_id;
    if external_changed {
        let text = |e: &Option<String>| format!("scim: {}", e.clone().unwrap_or_default());
        changes.push(Change::new(
            "external_id",
            text(&before.external_id),
            text(&after.external_id),
        ));
    }
    if changes.is_empty() && department.is_empty() {
        return Ok(before);
    }

    let txn = db.write().await?;
    let written = if changes.iter().any(|c| c.field != "external_id") {
        row.update(&*txn).await.map_err(|e| {
            match Error::from_db_unique(e, Code::UsernameTaken) {
                Error::Conflict(code) => Error::invalid("username", code),
                other => other,
            }
        })?
    } else {
        was.clone()
    };
    if was.active && !after.active {
        crate::users::end_sessions(&*txn, was.id).await?;
    }
    let kept_department = if department.is_empty() {
        before.department.clone()
    } else {
        department.first().and_then(|(_, _, value)| value.clone())
    };
    changes.extend(crate::properties::write_planned(&*txn, was.id, department).await?);
    if external_changed {
        external_id::Entity::delete_many()
            .filter(external_id::Column::UserId.eq(was.id))
            .filter(external_id::Column::Scheme.eq(Scheme::Scim.as_str()))
            .exec(&*txn)
            .await?;
        if let Some(value) = &after.external_id {
            crate::identifiers::insert(&*txn, organisation, was.id, Scheme::Scim, value).await?;
        }
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserUpdate,
            target: crate::audit::Target::user(&written),
            site: &target.site.site,
            changes,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(resource_of(written, after.external_id, kept_department))
}

/// DELETE: deactivates or deletes the user, as `on_delete` says (with the same rules as the
/// switch and the delete button on the users page).
pub async fn delete(
    db: &Db,
    principal: &Principal,
    id: Uuid,
    on_delete: OnDelete,
    if_match: Option<&str>,
) -> Result<()> {
    let (_, resource) = current(db, principal, id, if_match).await?;
    match on_delete {
        OnDelete::Deactivate if !resource.active => Ok(()),
        OnDelete::Deactivate => crate::users::set_active(db, principal, id, false).await,
        OnDelete::Delete => crate::users::delete(db, principal, id).await,
    }
}

/// What a resource holds, as checked fields (to write one change to it).
fn checked_of(user: &ScimUser) -> Checked {
    Checked {
        username: user.user_name.clone(),
        first_name: user.given_name.clone(),
        last_name: user.family_name.clone(),
        email: user.email.clone(),
        active: user.active,
        external_id: user.external_id.clone(),
        employee_number: user.employee_number.clone(),
        department: user.department.clone(),
    }
}

/// The department's change, planned under the property's rules; none when it does not change
/// or the organisation has no such property (the value is then not kept).
async fn department_planned(
    db: &Db,
    principal: &Principal,
    target: &Target,
    before: &ScimUser,
    after: &Checked,
) -> Result<Option<Vec<crate::properties::Planned>>> {
    if after.department == before.department {
        return Ok(None);
    }
    let root = target.site.scope.root_id().ok_or(Error::NotFound)?;
    let kept = crate::properties::of_organisation(db.conn(), root)
        .await?
        .iter()
        .any(|d| d.key == super::users::DEPARTMENT);
    if !kept {
        return Ok(None);
    }
    let value = after.department.clone().unwrap_or_default();
    crate::properties::plan_values(
        db,
        principal,
        &target.user,
        &target.site,
        &[(super::users::DEPARTMENT.to_string(), value)],
    )
    .await
    .map(Some)
}
