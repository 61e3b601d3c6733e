//! Creating, editing and deleting custom roles. Nobody puts a permission into (or takes one
//! out of) a role that they do not hold themselves on the role's site.
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use super::read::{describe, RoleInfo};
use crate::access::{self, Operation, Permissions, Readable};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{role, role_grant, site, user};
use crate::error::{Code, Error, Result};
use crate::sites::{self, Resolved};
use crate::{validate, Db, Principal};

/// The role editor's form: a name and the permission codes ticked.
#[derive(Debug, Clone, Default)]
pub struct RoleForm {
    pub name: String,
    pub permissions: Vec<String>,
}

impl RoleForm {
    fn validate(&self) -> Result<(String, Permissions)> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", Code::RoleNameRequired));
        }
        if name.chars().count() > validate::MAX_NAME {
            return Err(Error::invalid("name", Code::NameTooLong));
        }
        let permissions = Permissions::parse_strict(&self.permissions)
            .ok_or(Error::invalid("permissions", Code::InvalidRequest))?;
        Ok((name.to_string(), permissions))
    }
}

fn codes(permissions: Permissions) -> String {
    permissions
        .iter()
        .map(|p| p.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn name_taken(err: sea_orm::DbErr) -> Error {
    match Error::from_db_unique(err, Code::RoleNameTaken) {
        Error::Conflict(code) => Error::invalid("name", code),
        other => other,
    }
}

/// Creates a custom role owned by `site`.
pub async fn create(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    form: RoleForm,
) -> Result<RoleInfo> {
    let owner = sites::resolve(db, site).await?;
    access::require(principal, Operation::CreateRole, &owner.scope)?;
    let (name, permissions) = form.validate()?;
    access::require_held(principal, &owner.scope, permissions)?;

    let txn = db.write().await?;
    let created = role::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(Some(owner.site.id)),
        builtin_key: Set(None),
        name: Set(name.clone()),
        permissions: Set(permissions.to_stored()),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(name_taken)?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::RoleCreate,
            target: name.clone().into(),
            site: &owner.site,
            changes: vec![
                Change::set("name", &name),
                Change::set("permissions", codes(permissions)),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    one(db, principal, created).await
}

/// Renames a custom role and/or changes its permissions.
pub async fn update(
    db: &Db,
    principal: &Principal,
    role_id: Uuid,
    form: RoleForm,
) -> Result<RoleInfo> {
    let (current, owner) = custom(db, role_id).await?;
    access::require(principal, Operation::EditRole, &owner.scope)?;
    let (name, permissions) = form.validate()?;
    let before = super::permissions_of(&current);
    access::require_held(principal, &owner.scope, before.changed(permissions))?;

    let txn = db.write().await?;
    role::Entity::update_many()
        .col_expr(role::Column::Name, Expr::value(name.clone()))
        .col_expr(
            role::Column::Permissions,
            Expr::value(permissions.to_stored()),
        )
        .filter(role::Column::Id.eq(current.id))
        .exec(&*txn)
        .await
        .map_err(name_taken)?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::RoleUpdate,
            target: name.clone().into(),
            site: &owner.site,
            changes: vec![
                Change::new("name", &current.name, &name),
                Change::new("permissions", codes(before), codes(permissions)),
            ],
        },
    )
    .await?;
    txn.commit().await?;
    let updated = role::Model {
        name,
        permissions: permissions.to_stored(),
        ..current
    };
    one(db, principal, updated).await
}

/// Deletes a custom role that is granted to nobody; otherwise says where it is still granted.
pub async fn delete(db: &Db, principal: &Principal, role_id: Uuid) -> Result<()> {
    let (current, owner) = custom(db, role_id).await?;
    access::require(principal, Operation::DeleteRole, &owner.scope)?;

    let txn = db.write().await?;
    // Grants of a custom role lie in its owner's subtree, which the principal manages.
    let granted: Vec<(String, String, String, String)> = role_grant::Entity::find()
        .select_only()
        .column(user::Column::FirstName)
        .column(user::Column::LastName)
        .column(user::Column::Username)
        .column_as(site::Column::Name, "site_name")
        .inner_join(user::Entity)
        .inner_join(site::Entity)
        .filter(role_grant::Column::RoleId.eq(current.id))
        .limit(11)
        .into_tuple()
        .all(&*txn)
        .await?;
    if !granted.is_empty() {
        let mut places: Vec<String> = granted
            .iter()
            .take(10)
            .map(|(first, last, username, site)| format!("{first} {last} ({username}) — {site}"))
            .collect();
        if granted.len() > 10 {
            places.push("…".into());
        }
        return Err(Error::RefusedAt(Code::RoleInUse, places));
    }
    role::Entity::delete_by_id(current.id).exec(&*txn).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::RoleDelete,
            target: current.name.clone().into(),
            site: &owner.site,
            changes: vec![Change::new("name", &current.name, "")],
        },
    )
    .await?;
    txn.commit().await
}

/// A custom role and its owning site; built-in roles cannot be changed.
async fn custom(db: &Db, role_id: Uuid) -> Result<(role::Model, Resolved)> {
    let current = super::find(db, role_id).await?;
    let owner_id = match (&current.builtin_key, current.site_id) {
        (None, Some(owner)) => owner,
        _ => return Err(Error::Refused(Code::BuiltinRoleReadOnly)),
    };
    let owner = sites::resolve_by_id(db, owner_id).await?;
    Ok((current, owner))
}

async fn one(db: &Db, principal: &Principal, role: role::Model) -> Result<RoleInfo> {
    let readable =
        access::readable(principal, Operation::ListRoles).unwrap_or(Readable::Subtrees(Vec::new()));
    describe(db, principal, &readable, vec![role])
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}
