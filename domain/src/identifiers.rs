//! Identifiers other systems give a user: SCIM's `externalId`, the ECK iD of Dutch schools, a
//! OneRoster `sourcedId`. One per scheme per user, unique within the organisation (the root of
//! the user's tree), searchable. Set and read under the same two questions as any change to a
//! user (the site, and authority over them); a lookup answers only with users the principal
//! may see, so it tells nothing of others.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{external_id, user};
use crate::error::{Code, Error, Result};
use crate::{sites, users, Db, Principal};

pub use wire::IdScheme as Scheme;

/// The longest identifier kept.
pub const MAX_LEN: usize = 255;

/// `value` as stored: trimmed, not empty, at most [`MAX_LEN`] characters, no control characters.
pub(crate) fn valid(value: &str) -> Result<&str> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_LEN || value.chars().any(char::is_control) {
        return Err(Error::invalid("external_id", Code::ExternalIdInvalid));
    }
    Ok(value)
}

/// Stores a user's identifier inside the caller's transaction (`external_id_taken` when another
/// user of the organisation has it); no access check here.
pub(crate) async fn insert(
    conn: &impl ConnectionTrait,
    organisation: i32,
    user_id: i32,
    scheme: Scheme,
    value: &str,
) -> Result<()> {
    external_id::ActiveModel {
        organisation_id: Set(organisation),
        user_id: Set(user_id),
        scheme: Set(scheme.as_str().to_string()),
        value: Set(value.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| Error::from_db_unique(e, Code::ExternalIdTaken))?;
    Ok(())
}

/// Gives `user` the identifier `value` in `scheme` (replacing the one they had; empty removes
/// it). Refused when another user of the organisation has it (`external_id_taken`).
pub async fn set(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    scheme: Scheme,
    value: &str,
) -> Result<()> {
    let target = users::target(db, principal, Operation::EditUser, user).await?;
    let organisation = target.site.scope.root_id().ok_or(Error::NotFound)?;
    let value = if value.trim().is_empty() {
        None
    } else {
        Some(valid(value)?.to_string())
    };
    let txn = db.write().await?;
    let current = external_id::Entity::find()
        .filter(external_id::Column::UserId.eq(target.user.id))
        .filter(external_id::Column::Scheme.eq(scheme.as_str()))
        .one(&*txn)
        .await?;
    let before = current
        .as_ref()
        .map(|c| c.value.clone())
        .unwrap_or_default();
    if before == value.clone().unwrap_or_default() {
        return Ok(());
    }
    if let Some(current) = current {
        external_id::Entity::delete_by_id(current.id)
            .exec(&*txn)
            .await?;
    }
    if let Some(value) = &value {
        insert(&*txn, organisation, target.user.id, scheme, value).await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserUpdate,
            target: crate::audit::Target {
                label: target.user.username.clone(),
                user: Some(target.user.id),
            },
            site: &target.site.site,
            changes: vec![Change::new(
                "external_id",
                format!("{}: {before}", scheme.as_str()),
                format!(
                    "{}: {}",
                    scheme.as_str(),
                    value.as_deref().unwrap_or_default()
                ),
            )],
        },
    )
    .await?;
    txn.commit().await
}

/// A user's identifiers, by scheme.
pub async fn of_user(db: &Db, principal: &Principal, user: Uuid) -> Result<Vec<(Scheme, String)>> {
    let target = users::own_or_target(db, principal, Operation::ListUsers, user).await?;
    let rows = external_id::Entity::find()
        .filter(external_id::Column::UserId.eq(target.user.id))
        .all(db.conn())
        .await?;
    let mut found: Vec<(Scheme, String)> = rows
        .into_iter()
        .filter_map(|r| Some((Scheme::parse(&r.scheme)?, r.value)))
        .collect();
    found.sort_by_key(|(scheme, _)| scheme.as_str());
    Ok(found)
}

/// The user of `site`'s organisation known by `value` in `scheme`, if the principal may see
/// users where they are placed (anyone else: none, as if there were no such user).
pub async fn find(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    scheme: Scheme,
    value: &str,
) -> Result<Option<Uuid>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ListUsers, &resolved.scope)?;
    let organisation = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let Some(row) = external_id::Entity::find()
        .filter(external_id::Column::OrganisationId.eq(organisation))
        .filter(external_id::Column::Scheme.eq(scheme.as_str()))
        .filter(external_id::Column::Value.eq(value.trim()))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    let Some(found) = user::Entity::find_by_id(row.user_id).one(db.conn()).await? else {
        return Ok(None);
    };
    match users::target(db, principal, Operation::ListUsers, found.public_id).await {
        Ok(_) => Ok(Some(found.public_id)),
        Err(Error::Forbidden | Error::NotFound | Error::Refused(_) | Error::RefusedAt(..)) => {
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
