//! Users as SCIM resources (RFC 7643 §4.1, with the enterprise extension's `employeeNumber`):
//! read and listed with a filter within the principal's site. Service accounts are not
//! people and are left out. A list reads at most [`MAX_SCAN`] users (`tooMany` beyond: a
//! provider then asks with a filter, as Entra ID and Google do: `userName eq …`,
//! `externalId eq …`, which are answered by the index, not by a scan).
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde_json::{json, Value};
use uuid::Uuid;

use super::filter::{AttrPath, CompValue, CompareOp, Filter};
use crate::access::{self, Operation};
use crate::entities::{external_id, user};
use crate::error::{Code, Error, Result};
use crate::identifiers::Scheme;
use crate::{sites, Db, Principal};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The most users a list reads to filter them.
pub const MAX_SCAN: u64 = 20_000;
/// The most resources a page holds (`count` above it is lowered to it, RFC 7644 §3.4.2.4).
pub const MAX_PAGE: u64 = 200;

/// A user as SCIM shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimUser {
    pub id: Uuid,
    pub user_name: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub active: bool,
    pub external_id: Option<String>,
    pub employee_number: Option<String>,
    pub created: DateTime<Utc>,
}

impl ScimUser {
    /// The resource as JSON (without `meta.location`, which the endpoint adds).
    pub fn to_json(&self) -> Value {
        let mut resource = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
            "id": self.id.to_string(),
            "userName": self.user_name,
            "name": {
                "givenName": self.given_name,
                "familyName": self.family_name,
                "formatted": format!("{} {}", self.given_name, self.family_name),
            },
            "displayName": format!("{} {}", self.given_name, self.family_name),
            "active": self.active,
            "emails": self.email.iter().map(|e| json!({"value": e, "type": "work", "primary": true})).collect::<Vec<_>>(),
            ENTERPRISE_SCHEMA: {"employeeNumber": self.employee_number},
            "meta": {"resourceType": "User", "created": self.created.to_rfc3339()},
        });
        if let (Some(id), Some(object)) = (&self.external_id, resource.as_object_mut()) {
            object.insert("externalId".into(), Value::String(id.clone()));
        }
        resource
    }
}

/// A page of a list (RFC 7644 §3.4.2: `startIndex` counts from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimPage {
    pub total: u64,
    pub start_index: u64,
    pub resources: Vec<ScimUser>,
}

/// The users placed in `site` or below it that match `filter`, one page.
pub async fn list(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    filter: Option<&str>,
    start_index: u64,
    count: u64,
) -> Result<ScimPage> {
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::ListUsers, &resolved.scope)?;
    let filter = filter
        .filter(|f| !f.trim().is_empty())
        .map(Filter::parse)
        .transpose()?;
    let mut query = user::Entity::find()
        .filter(user::Column::SiteId.in_subquery(sites::subtree([resolved.site.id])))
        .filter(user::Column::ServiceAccount.eq(false))
        .order_by_asc(user::Column::Id);
    // The lookups providers make before they create a user, by the index.
    match filter.as_ref().and_then(indexed) {
        Some(Lookup::UserName(name)) => {
            query = query.filter(user::Column::Username.eq(name.trim().to_lowercase()));
        }
        Some(Lookup::ExternalId(value)) => {
            let ids = external_id::Entity::find()
                .select_only()
                .column(external_id::Column::UserId)
                .filter(external_id::Column::Scheme.eq(Scheme::Scim.as_str()))
                .filter(external_id::Column::Value.eq(value))
                .into_query();
            query = query.filter(user::Column::Id.in_subquery(ids));
        }
        None => {}
    }
    let rows = query.limit(MAX_SCAN + 1).all(db.conn()).await?;
    if rows.len() as u64 > MAX_SCAN {
        return Err(Error::Refused(Code::ScimTooMany));
    }
    let resources = with_ids(db, rows).await?;
    let matching: Vec<ScimUser> = match &filter {
        Some(filter) => resources
            .into_iter()
            .filter(|u| filter.matches(&u.to_json()))
            .collect(),
        None => resources,
    };
    let start_index = start_index.max(1);
    let count = count.min(MAX_PAGE);
    Ok(ScimPage {
        total: matching.len() as u64,
        start_index,
        resources: matching
            .into_iter()
            .skip((start_index - 1) as usize)
            .take(count as usize)
            .collect(),
    })
}

/// One user, when the principal may see users where they are placed.
pub async fn get(db: &Db, principal: &Principal, id: Uuid) -> Result<ScimUser> {
    let target = crate::users::target(db, principal, Operation::ListUsers, id).await?;
    if target.user.service_account {
        return Err(Error::NotFound);
    }
    with_ids(db, vec![target.user])
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

enum Lookup<'a> {
    UserName(&'a str),
    ExternalId(&'a str),
}

/// A filter that is one equality on an indexed attribute.
fn indexed(filter: &Filter) -> Option<Lookup<'_>> {
    let Filter::Compare(
        AttrPath {
            name, sub: None, ..
        },
        CompareOp::Eq,
        CompValue::Str(value),
    ) = filter
    else {
        return None;
    };
    if name.eq_ignore_ascii_case("userName") {
        Some(Lookup::UserName(value))
    } else if name.eq_ignore_ascii_case("externalId") {
        Some(Lookup::ExternalId(value))
    } else {
        None
    }
}

/// The rows as resources, with their SCIM external ids (one statement for all).
async fn with_ids(db: &Db, rows: Vec<user::Model>) -> Result<Vec<ScimUser>> {
    let mut ids = Vec::new();
    // In chunks: a statement takes a bounded number of parameters.
    for chunk in rows.chunks(5000) {
        ids.extend(
            external_id::Entity::find()
                .filter(external_id::Column::Scheme.eq(Scheme::Scim.as_str()))
                .filter(external_id::Column::UserId.is_in(chunk.iter().map(|u| u.id)))
                .all(db.conn())
                .await?,
        );
    }
    Ok(rows
        .into_iter()
        .map(|u| ScimUser {
            external_id: ids
                .iter()
                .find(|i| i.user_id == u.id)
                .map(|i| i.value.clone()),
            id: u.public_id,
            user_name: u.username,
            given_name: u.first_name,
            family_name: u.last_name,
            email: u.email,
            active: u.active,
            employee_number: u.personnel_number,
            created: u.created_at,
        })
        .collect())
}

/// What a provider sends to create a user (RFC 7643 §4.1; the first or primary e-mail; the
/// enterprise extension's `employeeNumber` as the personnel number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimUserInput {
    pub user_name: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub active: bool,
    pub external_id: Option<String>,
    pub employee_number: Option<String>,
}

impl ScimUserInput {
    /// Reads a User resource; attribute names in any case. Missing names are refused by the
    /// same checks as any new user (`username_required`, `first_name_required`, …).
    pub fn from_json(resource: &Value) -> ScimUserInput {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let get = |object: &Value, name: &str| {
            object.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            })
        };
        let name = get(resource, "name").unwrap_or(Value::Null);
        let emails = get(resource, "emails")
            .and_then(|e| e.as_array().cloned())
            .unwrap_or_default();
        let email = emails
            .iter()
            .find(|e| get(e, "primary").and_then(|p| p.as_bool()) == Some(true))
            .or(emails.first())
            .and_then(|e| text(get(e, "value").as_ref()));
        let enterprise = get(resource, ENTERPRISE_SCHEMA).unwrap_or(Value::Null);
        ScimUserInput {
            user_name: text(get(resource, "userName").as_ref()).unwrap_or_default(),
            given_name: text(get(&name, "givenName").as_ref()).unwrap_or_default(),
            family_name: text(get(&name, "familyName").as_ref()).unwrap_or_default(),
            email,
            active: get(resource, "active")
                .and_then(|a| a.as_bool())
                .unwrap_or(true),
            external_id: text(get(resource, "externalId").as_ref())
                .filter(|s| !s.trim().is_empty()),
            employee_number: text(get(&enterprise, "employeeNumber").as_ref())
                .filter(|s| !s.trim().is_empty()),
        }
    }
}

/// Creates a user in `site` as a provider asks: the seat, the user, their SCIM external id
/// and their personnel number in one transaction (a taken username or external id, or a full
/// site, leaves nothing behind).
pub async fn create(
    db: &Db,
    principal: &Principal,
    site: Uuid,
    input: ScimUserInput,
) -> Result<ScimUser> {
    use sea_orm::{ActiveModelTrait, Set};

    use crate::audit::{self, Action, Change, Event};
    let resolved = sites::resolve(db, site).await?;
    access::require(principal, Operation::CreateUser, &resolved.scope)?;
    let organisation = resolved.scope.root_id().ok_or(Error::NotFound)?;
    let new_user = crate::users::NewUserForm {
        username: input.user_name.clone(),
        first_name: input.given_name.clone(),
        last_name: input.family_name.clone(),
        email: input.email.clone().unwrap_or_default(),
        ..Default::default()
    }
    .validate()
    .await?;
    let external = input
        .external_id
        .as_deref()
        .map(crate::identifiers::valid)
        .transpose()?
        .map(str::to_string);
    crate::groups::guard::check_newcomer(db.conn(), principal, &resolved.scope.ancestry).await?;

    let txn = db.write().await?;
    let created = crate::users::insert_unchecked(&*txn, resolved.site.id, new_user).await?;
    let mut row: user::ActiveModel = created.clone().into();
    row.active = Set(input.active);
    row.personnel_number = Set(input.employee_number.clone());
    let created = row.update(&*txn).await?;
    if let Some(value) = &external {
        crate::identifiers::insert(&*txn, organisation, created.id, Scheme::Scim, value).await?;
    }
    audit::record(
        &*txn,
        principal,
        Event {
            action: Action::UserCreate,
            target: crate::users::user_label(&created),
            site: &resolved.site,
            changes: vec![Change::set("username", &created.username)],
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ScimUser {
        id: created.public_id,
        user_name: created.username,
        given_name: created.first_name,
        family_name: created.last_name,
        email: created.email,
        active: created.active,
        external_id: external,
        employee_number: created.personnel_number,
        created: created.created_at,
    })
}
