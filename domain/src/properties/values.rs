//! A user's property values: read with the user list's right, written with the right to edit
//! the user, checked against each property's type, all or nothing.
use crate::properties::Normalise;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use std::collections::HashMap;

use super::define::Definition;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{property_definition, property_value, user};
use crate::error::{Code, Error, Result};
use crate::groups::guard::{self, Guard, Prospect};
use crate::sites::Resolved;
use crate::users::resolve;
use crate::{Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyValue {
    pub definition: Definition,
    /// Normalised; `None` when not set.
    pub value: Option<String>,
}

/// Every property of the user's organisation with the user's value.
pub async fn values_of(db: &Db, principal: &Principal, user: Uuid) -> Result<Vec<PropertyValue>> {
    let (target, site) = resolve(db, user).await?;
    access::require(principal, Operation::ViewProperties, &site.scope)?;
    let root = site.scope.root_id().ok_or(Error::NotFound)?;
    let definitions = crate::properties::of_organisation(db.conn(), root).await?;
    let values = property_value::Entity::find()
        .filter(property_value::Column::UserId.eq(target.id))
        .all(db.conn())
        .await?;
    Ok(definitions
        .iter()
        .map(|d| PropertyValue {
            definition: Definition::of(d),
            value: values
                .iter()
                .find(|v| v.definition_id == d.id)
                .map(|v| v.value.clone()),
        })
        .collect())
}

/// Sets the user's values of the named properties (by key); empty clears one. Every value is
/// checked first: one refusal (naming the property's key) and nothing is written.
pub async fn set_values(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    values: &[(String, String)],
) -> Result<()> {
    let crate::users::Target { user: target, site } =
        crate::users::target(db, principal, Operation::EditUser, user).await?;
    let planned = plan_values(db, principal, &target, &site, values).await?;
    if planned.is_empty() {
        return Ok(());
    }
    let txn = db.write().await?;
    let changes = write_planned(&*txn, target.id, planned).await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserUpdate,
            target: crate::audit::Target::user(&target),
            site: &site.site,
            changes,
        },
    )
    .await?;
    txn.commit().await
}

/// A value to write: the property, the value before and after.
pub(crate) type Planned = (property_definition::Model, Option<String>, Option<String>);

/// Checks the values (type, required, and that no dynamic group would give the user what the
/// principal could not give) and returns those that change; no access check here (the caller
/// has the target).
pub(crate) async fn plan_values(
    db: &Db,
    principal: &Principal,
    target: &user::Model,
    site: &Resolved,
    values: &[(String, String)],
) -> Result<Vec<Planned>> {
    let root = site.scope.root_id().ok_or(Error::NotFound)?;
    let definitions = crate::properties::of_organisation(db.conn(), root).await?;
    let current = property_value::Entity::find()
        .filter(property_value::Column::UserId.eq(target.id))
        .all(db.conn())
        .await?;
    let mut planned = Vec::with_capacity(values.len());
    for (key, raw) in values {
        let definition = definitions
            .iter()
            .find(|d| &d.key == key)
            .ok_or_else(|| Error::RefusedAt(Code::PropertyUnknown, vec![key.clone()]))?;
        let described = Definition::of(definition);
        let value = described
            .kind
            .normalise(raw, &described.choices)
            .map_err(|e| Error::RefusedAt(e.code(), vec![key.clone()]))?;
        if value.is_none() && described.required {
            return Err(Error::RefusedAt(
                Code::PropertyValueRequired,
                vec![key.clone()],
            ));
        }
        let before = current
            .iter()
            .find(|v| v.definition_id == definition.id)
            .map(|v| v.value.clone());
        if before != value {
            planned.push((definition.clone(), before, value));
        }
    }
    if planned.is_empty() {
        return Ok(planned);
    }
    let guard = Guard::load(db.conn(), principal, root).await?;
    if !guard.is_empty() {
        let mut values: HashMap<i32, String> = current
            .iter()
            .map(|v| (v.definition_id, v.value.clone()))
            .collect();
        for (definition, _, value) in &planned {
            match value {
                Some(value) => values.insert(definition.id, value.clone()),
                None => values.remove(&definition.id),
            };
        }
        let prospect = Prospect {
            user_id: Some(target.id),
            ancestry: &site.scope.ancestry,
            eligible: guard::eligible(target),
            values: &values,
        };
        if guard.refuses(&prospect) {
            return Err(Error::Refused(Code::GroupGrantNotHeld));
        }
    }
    Ok(planned)
}

/// Writes planned values inside the caller's transaction; the journal's changes.
pub(crate) async fn write_planned(
    conn: &impl ConnectionTrait,
    user_id: i32,
    planned: Vec<Planned>,
) -> Result<Vec<Change>> {
    let mut changes = Vec::with_capacity(planned.len());
    for (definition, before, value) in planned {
        write_value(conn, user_id, definition.id, value.as_deref()).await?;
        changes.push(Change::new(
            &format!("property:{}", definition.key),
            before.unwrap_or_default(),
            value.unwrap_or_default(),
        ));
    }
    Ok(changes)
}

/// Stores a user's value of a property (`None` clears it), inside the caller's transaction.
pub(crate) async fn write_value(
    conn: &impl ConnectionTrait,
    user_id: i32,
    definition_id: i32,
    value: Option<&str>,
) -> Result<()> {
    match value {
        Some(value) => {
            property_value::Entity::insert(property_value::ActiveModel {
                user_id: Set(user_id),
                definition_id: Set(definition_id),
                value: Set(value.to_string()),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([
                    property_value::Column::UserId,
                    property_value::Column::DefinitionId,
                ])
                .update_column(property_value::Column::Value)
                .to_owned(),
            )
            .exec(conn)
            .await?;
        }
        None => {
            property_value::Entity::delete_many()
                .filter(property_value::Column::UserId.eq(user_id))
                .filter(property_value::Column::DefinitionId.eq(definition_id))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}
