//! Defining, listing and removing an organisation's properties.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::kind::Kind;
use crate::access::{self, Operation};
use crate::audit::{self, Action, Change, Event};
use crate::entities::{property_definition, site};
use crate::error::{Code, Error, Result};
use crate::sites::{self, Resolved};
use crate::{Db, Principal};

/// The form as typed; `choices` one per line (for `choice`).
#[derive(Debug, Clone, Default)]
pub struct DefinitionForm {
    pub key: String,
    pub label_nl: String,
    pub label_fr: String,
    pub label_en: String,
    pub kind: String,
    pub choices: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub public_id: Uuid,
    pub key: String,
    pub label_nl: String,
    pub label_fr: String,
    pub label_en: String,
    pub kind: Kind,
    pub choices: Vec<String>,
    pub required: bool,
}

impl Definition {
    pub(crate) fn of(d: &property_definition::Model) -> Definition {
        Definition {
            public_id: d.public_id,
            key: d.key.clone(),
            label_nl: d.label_nl.clone(),
            label_fr: d.label_fr.clone(),
            label_en: d.label_en.clone(),
            kind: Kind::parse(&d.kind).unwrap_or(Kind::Text),
            choices: choices_of(d.choices.as_deref()),
            required: d.required,
        }
    }

    /// The label in `locale` (nl, fr, en).
    pub fn label(&self, locale: &str) -> &str {
        match locale {
            "fr" => &self.label_fr,
            "en" => &self.label_en,
            _ => &self.label_nl,
        }
    }
}

pub(crate) fn choices_of(stored: Option<&str>) -> Vec<String> {
    stored
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// A key: 2 to 40 lower-case letters, digits and underscores, starting with a letter.
fn key(raw: &str) -> Result<String> {
    let key = raw.trim().to_lowercase();
    let valid = (2..=40).contains(&key.len())
        && key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(key)
    } else {
        Err(Error::invalid("key", Code::PropertyKeyInvalid))
    }
}

fn label(field: &'static str, raw: &str) -> Result<String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Error::invalid(field, Code::PropertyLabelRequired));
    }
    if text.chars().count() > 100 {
        return Err(Error::invalid(field, Code::NameTooLong));
    }
    Ok(text.to_string())
}

/// The organisation (root site) of `site`, as resolved for access decisions.
async fn organisation(db: &Db, site: Uuid) -> Result<Resolved> {
    let resolved = sites::resolve(db, site).await?;
    let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
    if root == resolved.site.id {
        return Ok(resolved);
    }
    let root = site::Entity::find_by_id(root)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    sites::resolve(db, root.public_id).await
}

/// Defines a property of the organisation `site` belongs to.
pub async fn define(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    form: DefinitionForm,
) -> Result<Definition> {
    let org = organisation(db, site).await?;
    access::require(principal, Operation::ManageProperties, &org.scope)?;
    let key = key(&form.key)?;
    let label_nl = label("label_nl", &form.label_nl)?;
    let label_fr = label("label_fr", &form.label_fr)?;
    let label_en = label("label_en", &form.label_en)?;
    let kind = super::kind::parse(&form.kind)?;
    let choices = choices_of(Some(&form.choices));
    if kind == Kind::Choice && choices.is_empty() {
        return Err(Error::invalid("choices", Code::PropertyChoicesRequired));
    }
    let txn = db.write().await?;
    let created = property_definition::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(org.site.id),
        key: Set(key.clone()),
        label_nl: Set(label_nl),
        label_fr: Set(label_fr),
        label_en: Set(label_en),
        kind: Set(kind.as_str().to_string()),
        choices: Set((kind == Kind::Choice).then(|| choices.join("\n"))),
        required: Set(form.required),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(|e| match Error::from_db_unique(e, Code::PropertyKeyTaken) {
        Error::Conflict(code) => Error::invalid("key", code),
        other => other,
    })?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::PropertyDefine,
            target: key.clone().into(),
            site: &org.site,
            changes: vec![Change::set("kind", kind.as_str())],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Definition::of(&created))
}

/// The properties of the organisation `site` belongs to, by key.
pub async fn definitions(db: &Db, principal: &Principal, site: Uuid) -> Result<Vec<Definition>> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ViewProperties, &resolved.scope)?;
    let root = resolved.scope.root_id().ok_or(Error::NotFound)?;
    Ok(of_organisation(db.conn(), root)
        .await?
        .iter()
        .map(Definition::of)
        .collect())
}

/// The properties page of a site: the organisation's definitions and what the principal may
/// do with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub site: Uuid,
    pub site_name: String,
    pub definitions: Vec<Definition>,
    /// Define and remove (on the organisation's root).
    pub can_manage: bool,
    /// Import values for the users of the site.
    pub can_import: bool,
}

pub async fn overview(db: &Db, principal: &Principal, site: Uuid) -> Result<Overview> {
    let resolved = sites::resolve(db, site).await?;
    let definitions = definitions(db, principal, site).await?;
    let org = organisation(db, site).await?;
    Ok(Overview {
        site: resolved.site.public_id,
        site_name: resolved.site.name.clone(),
        definitions,
        can_manage: access::allows(principal, Operation::ManageProperties, &org.scope),
        can_import: access::allows(principal, Operation::ImportUsers, &resolved.scope)
            && access::allows(principal, Operation::EditUser, &resolved.scope),
    })
}

/// The properties of the organisation whose root site is `root`, by key (unchecked: for the
/// domain's own reads after their access check).
pub(crate) async fn of_organisation(
    conn: &impl sea_orm::ConnectionTrait,
    root: i32,
) -> Result<Vec<property_definition::Model>> {
    Ok(property_definition::Entity::find()
        .filter(property_definition::Column::SiteId.eq(root))
        .order_by_asc(property_definition::Column::Key)
        .all(conn)
        .await?)
}

/// Removes a property and every user's value of it.
pub async fn remove(db: &Db, principal: &Principal, definition: Uuid) -> Result<()> {
    let found = property_definition::Entity::find()
        .filter(property_definition::Column::PublicId.eq(definition))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let owner = site::Entity::find_by_id(found.site_id)
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let org = sites::resolve(db, owner.public_id).await?;
    access::require(principal, Operation::ManageProperties, &org.scope)?;
    let txn = db.write().await?;
    crate::entities::property_value::Entity::delete_many()
        .filter(crate::entities::property_value::Column::DefinitionId.eq(found.id))
        .exec(&*txn)
        .await?;
    property_definition::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::PropertyRemove,
            target: found.key.clone().into(),
            site: &org.site,
            changes: vec![Change::new("kind", &found.kind, "")],
        },
    )
    .await?;
    txn.commit().await
}
