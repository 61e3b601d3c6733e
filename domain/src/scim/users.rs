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
    /// The organisation's property with the key `department`, when it has one.
    pub department: Option<String>,
    pub created: DateTime<Utc>,
}

impl ScimUser {
    /// The resource as JSON (without `meta.location`, which the endpoint adds).
    pub fn to_json(&self) -> Value {
        let mut resource = json!({
            "schemas": [USER_SCHEMA],
            "id": self.id.to_string(),
            "userName": self.user_name,
            "name": {
                "givenName": self.given_name,
                "familyName": self.family_name,
            },
            "displayName": format!("{} {}", self.given_name, self.family_name),
            "active": self.active,
            "emails": self.email.iter().map(|e| json!({"value": e})).collect::<Vec<_>>(),
        });
        if let (Some(id), Some(object)) = (&self.external_id, resource.as_object_mut()) {
            object.insert("externalId".into(), Value::String(id.clone()));
        }
        // The enterprise extension, when the user has what it holds.
        let mut enterprise = serde_json::Map::new();
        if let Some(number) = &self.employee_number {
            enterprise.insert("employeeNumber".into(), number.clone().into());
        }
        if let Some(department) = &self.department {
            enterprise.insert("department".into(), department.clone().into());
        }
        if let (false, Some(object)) = (enterprise.is_empty(), resource.as_object_mut()) {
            object.insert(ENTERPRISE_SCHEMA.into(), Value::Object(enterprise));
            object.insert("schemas".into(), json!([USER_SCHEMA, ENTERPRISE_SCHEMA]));
        }
        let version = version_of(&resource);
        if let Some(object) = resource.as_object_mut() {
            object.insert(
                "meta".into(),
                json!({
                    "resourceType": "User",
                    "created": self.created.to_rfc3339(),
                    "version": version,
                }),
            );
        }
        resource
    }

    /// The version a provider names in `If-Match` (the resource's ETag).
    pub fn version(&self) -> String {
        self.to_json()["meta"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A weak ETag of a resource's content (RFC 7644 §3.14): the same content, the same version.
pub fn version_of(resource: &Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(resource.to_string().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// Whether an `If-Match` header allows writing over `version` (`*`, or a list naming it; weak
/// and strong forms compare alike).
pub fn version_allows(if_match: Option<&str>, version: &str) -> bool {
    let Some(header) = if_match else {
        return true;
    };
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    header
        .split(',')
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(version))
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
pub(super) async fn with_ids(db: &Db, rows: Vec<user::Model>) -> Result<Vec<ScimUser>> {
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
    let departments = departments_of(db, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|u| ScimUser {
            department: departments.get(&u.id).cloned(),
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

/// The key of the organisation's property that SCIM's `department` is.
pub const DEPARTMENT: &str = "department";

/// The users' values of their organisation's `department` property (one statement a chunk).
async fn departments_of(
    db: &Db,
    rows: &[user::Model],
) -> Result<std::collections::HashMap<i32, String>> {
    use crate::entities::{property_definition, property_value};
    let mut found = std::collections::HashMap::new();
    for chunk in rows.chunks(5000) {
        let definitions = property_definition::Entity::find()
            .select_only()
            .column(property_definition::Column::Id)
            .filter(property_definition::Column::Key.eq(DEPARTMENT))
            .into_query();
        let values: Vec<(i32, String)> = property_value::Entity::find()
            .select_only()
            .column(property_value::Column::UserId)
            .column(property_value::Column::Value)
            .filter(property_value::Column::DefinitionId.in_subquery(definitions))
            .filter(property_value::Column::UserId.is_in(chunk.iter().map(|u| u.id)))
            .into_tuple()
            .all(db.conn())
            .await?;
        found.extend(values);
    }
    Ok(found)
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
    pub department: Option<String>,
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
        // One address is kept: the primary one, else the work one (Entra ID's
        // `emails[type eq "work"].value`), else the first.
        let email = emails
            .iter()
            .find(|e| get(e, "primary").and_then(|p| p.as_bool()) == Some(true))
            .or_else(|| {
                emails.iter().find(|e| {
                    get(e, "type").and_then(|t| t.as_str().map(|t| t.eq_ignore_ascii_case("work")))
                        == Some(true)
                })
            })
            .or(emails.first())
            .and_then(|e| text(get(e, "value").as_ref()));
        let enterprise = get(resource, ENTERPRISE_SCHEMA).unwrap_or(Value::Null);
        ScimUserInput {
            user_name: text(get(resource, "userName").as_ref()).unwrap_or_default(),
            given_name: text(get(&name, "givenName").as_ref()).unwrap_or_default(),
            family_name: text(get(&name, "familyName").as_ref()).unwrap_or_default(),
            email,
            // Entra ID sends "True" and "False" as strings.
            active: match get(resource, "active") {
                Some(Value::Bool(active)) => active,
                Some(Value::String(text)) => !text.eq_ignore_ascii_case("false"),
                _ => true,
            },
            external_id: text(get(resource, "externalId").as_ref())
                .filter(|s| !s.trim().is_empty()),
            employee_number: text(get(&enterprise, "employeeNumber").as_ref())
                .filter(|s| !s.trim().is_empty()),
            department: text(get(&enterprise, "department").as_ref())
                .filter(|s| !s.trim().is_empty()),
        }
    }
}
