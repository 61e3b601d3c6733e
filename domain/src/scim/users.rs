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
