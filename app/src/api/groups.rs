//! Custom properties and dynamic groups: the properties page (definitions, values in bulk),
//! a user's values, and the groups page (rules, preview, run, remove).
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyDef {
    pub id: Uuid,
    pub key: String,
    pub label_nl: String,
    pub label_fr: String,
    pub label_en: String,
    /// `text`, `number`, `date` or `choice`.
    pub kind: String,
    pub choices: Vec<String>,
    pub required: bool,
}

impl PropertyDef {
    /// The label in the interface language (`nl`, `fr`, `en`).
    pub fn label(&self, locale: &str) -> String {
        match locale {
            "fr" => self.label_fr.clone(),
            "en" => self.label_en.clone(),
            _ => self.label_nl.clone(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::properties::Definition> for PropertyDef {
    fn from(d: domain::properties::Definition) -> Self {
        PropertyDef {
            id: d.public_id,
            key: d.key,
            label_nl: d.label_nl,
            label_fr: d.label_fr,
            label_en: d.label_en,
            kind: d.kind.as_str().to_string(),
            choices: d.choices,
            required: d.required,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertiesPage {
    pub site: Uuid,
    pub site_name: String,
    pub definitions: Vec<PropertyDef>,
    pub can_manage: bool,
    pub can_import: bool,
}

/// The organisation's properties, from the user's administration site (or `site`).
#[server(endpoint = "properties_page")]
pub async fn load_properties_page(site: Option<Uuid>) -> Result<PropertiesPage, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let o = domain::properties::overview(&db, &principal, site).await?;
    Ok(PropertiesPage {
        site: o.site,
        site_name: o.site_name,
        definitions: o.definitions.into_iter().map(Into::into).collect(),
        can_manage: o.can_manage,
        can_import: o.can_import,
    })
}

#[server(endpoint = "define_property")]
#[allow(clippy::too_many_arguments)]
pub async fn define_property(
    site: Uuid,
    key: String,
    label_nl: String,
    label_fr: String,
    label_en: String,
    kind: String,
    #[server(default)] choices: String,
    #[server(default)] required: Option<String>,
) -> Result<PropertyDef, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::properties::DefinitionForm {
        key,
        label_nl,
        label_fr,
        label_en,
        kind,
        choices,
        required: required.is_some(),
    };
    Ok(domain::properties::define(&db, &principal, site, form)
        .await?
        .into())
}

#[server(endpoint = "remove_property")]
pub async fn remove_property(id: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::properties::remove(&db, &principal, id).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    pub line: u64,
    pub username: String,
    pub key: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    pub line: u64,
    pub code: String,
    pub details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuesResult {
    pub changes: Vec<ValueChange>,
    pub unchanged: u64,
    pub problems: Vec<LineProblem>,
}

#[cfg(feature = "ssr")]
impl From<domain::properties::ValuesPreview> for ValuesResult {
    fn from(p: domain::properties::ValuesPreview) -> Self {
        ValuesResult {
            changes: p
                .changes
                .into_iter()
                .map(|c| ValueChange {
                    line: c.line as u64,
                    username: c.username,
                    key: c.key,
                    before: c.before.unwrap_or_default(),
                    after: c.after.unwrap_or_default(),
                })
                .collect(),
            unchanged: p.unchanged as u64,
            problems: p
                .problems
                .into_iter()
                .map(|p| LineProblem {
                    line: p.line as u64,
                    code: p.code.as_str().to_string(),
                    details: p.details,
                })
                .collect(),
        }
    }
}

/// What a file of `personnel number;property;value` lines would change (nothing written).
#[server(endpoint = "preview_property_values", input = MultipartFormData)]
pub async fn preview_property_values(data: MultipartData) -> Result<ValuesResult, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let limits = crate::ssr::import_limits();
    let form = crate::api::import::upload::read(data, limits.max_bytes).await?;
    let site = domain::sites::site_or_home(&db, &principal, form.site).await?;
    Ok(
        domain::properties::preview_values(&db, &principal, site, &form.upload.content)
            .await?
            .into(),
    )
}

/// Writes the good lines of the file (one transaction); answers what changed and the rest.
#[server(endpoint = "import_property_values", input = MultipartFormData)]
pub async fn import_property_values(data: MultipartData) -> Result<ValuesResult, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let limits = crate::ssr::import_limits();
    let form = crate::api::import::upload::read(data, limits.max_bytes).await?;
    let site = domain::sites::site_or_home(&db, &principal, form.site).await?;
    Ok(
        domain::properties::import_values(&db, &principal, site, &form.upload.content)
            .await?
            .into(),
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserValue {
    pub definition: PropertyDef,
    pub value: String,
}

/// A user's property values (every property of their organisation).
#[server(endpoint = "user_properties")]
pub async fn user_properties(user: Uuid) -> Result<Vec<UserValue>, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::properties::values_of(&db, &principal, user)
        .await?
        .into_iter()
        .map(|v| UserValue {
            definition: v.definition.into(),
            value: v.value.unwrap_or_default(),
        })
        .collect())
}

/// Sets a user's values by key (empty clears); all or nothing.
#[server(endpoint = "set_user_properties", input = Json)]
pub async fn set_user_properties(
    user: Uuid,
    values: Vec<(String, String)>,
) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::properties::set_values(&db, &principal, user, &values).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionRow {
    pub key: String,
    /// `equals`, `not_equals`, `contains`, `less_than`, `greater_than`, `is_set`, `is_empty`.
    pub op: String,
    pub value: String,
}

#[cfg(feature = "ssr")]
fn conditions(
    rows: Vec<ConditionRow>,
) -> Result<Vec<domain::properties::filter::Condition>, AppError> {
    use domain::properties::filter::{Condition, Op};
    rows.into_iter()
        .map(|r| {
            let op = Op::parse(&r.op).ok_or_else(|| {
                AppError::from(domain::Error::RefusedAt(
                    domain::Code::PropertyOperatorInvalid,
                    vec![r.key.clone()],
                ))
            })?;
            Ok(Condition {
                key: r.key,
                op,
                value: r.value,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: Uuid,
    pub name: String,
    pub site: Uuid,
    pub site_name: String,
    pub conditions: Vec<ConditionRow>,
    pub active: bool,
    /// `hourly`, `nightly` or `manual`.
    pub schedule: String,
    /// Product key, or empty.
    pub grant_product: String,
    pub grant_role: Option<Uuid>,
    /// `@key` for built-in roles.
    pub grant_role_name: String,
    pub grant_site: Option<Uuid>,
    pub grant_site_name: String,
    pub members: u64,
    /// "YYYY-MM-DD HH:MM" (UTC) or empty.
    pub next_run: String,
    pub last_run: String,
    pub last_joined: i32,
    pub last_left: i32,
    pub last_ungranted: i32,
    /// An error code when the last run changed nothing, and the property it names.
    pub problem: String,
    pub problem_key: String,
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChoice {
    pub id: Uuid,
    pub name: String,
    pub builtin_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteChoice {
    pub id: Uuid,
    pub name: String,
    pub depth: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsPage {
    pub site: Uuid,
    pub site_name: String,
    pub can_manage: bool,
    pub can_grant_licences: bool,
    pub definitions: Vec<PropertyDef>,
    /// (key, name).
    pub products: Vec<(String, String)>,
    pub roles: Vec<RoleChoice>,
    pub sites: Vec<SiteChoice>,
    pub groups: Vec<GroupRow>,
}

#[cfg(feature = "ssr")]
fn minute(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
impl From<domain::groups::Group> for GroupRow {
    fn from(g: domain::groups::Group) -> Self {
        let (problem, problem_key) = g
            .last_problem
            .as_deref()
            .and_then(|p| p.split_once(':'))
            .map(|(c, k)| (c.to_string(), k.to_string()))
            .unwrap_or_default();
        GroupRow {
            id: g.public_id,
            name: g.name,
            site: g.site,
            site_name: g.site_name,
            conditions: g
                .conditions
                .into_iter()
                .map(|c| ConditionRow {
                    key: c.key,
                    op: c.op.as_str().to_string(),
                    value: c.value,
                })
                .collect(),
            active: g.active,
            schedule: g.schedule.as_str().to_string(),
            grant_product: g.grant_product.unwrap_or_default(),
            grant_role: g.grant_role,
            grant_role_name: g.grant_role_name.unwrap_or_default(),
            grant_site: g.grant_site,
            grant_site_name: g.grant_site_name.unwrap_or_default(),
            members: g.members,
            next_run: minute(g.next_run_at),
            last_run: minute(g.last_run_at),
            last_joined: g.last_joined,
            last_left: g.last_left,
            last_ungranted: g.last_ungranted,
            problem,
            problem_key,
            running: g.running,
        }
    }
}

/// The groups of the user's administration site (or `site`) and what the editor offers.
#[server(endpoint = "groups_page")]
pub async fn load_groups_page(site: Option<Uuid>) -> Result<GroupsPage, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let site = domain::sites::site_or_home(&db, &principal, site).await?;
    let c = domain::groups::choices(&db, &principal, site).await?;
    Ok(GroupsPage {
        site: c.site,
        site_name: c.site_name,
        can_manage: c.can_manage,
        can_grant_licences: c.can_grant_licences,
        definitions: c.definitions.into_iter().map(Into::into).collect(),
        products: c.products,
        roles: c
            .roles
            .into_iter()
            .map(|(id, name, builtin_key)| RoleChoice {
                id,
                name,
                builtin_key,
            })
            .collect(),
        sites: c
            .sites
            .into_iter()
            .map(|(id, name, depth)| SiteChoice { id, name, depth })
            .collect(),
        groups: c.groups.into_iter().map(Into::into).collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    /// None: a new group.
    pub id: Option<Uuid>,
    pub site: Uuid,
    pub name: String,
    pub conditions: Vec<ConditionRow>,
    pub active: bool,
    pub schedule: String,
    pub grant_product: String,
    pub grant_role: Option<Uuid>,
    pub grant_site: Option<Uuid>,
}

#[server(endpoint = "save_group", input = Json)]
pub async fn save_group(group: GroupInput) -> Result<Uuid, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let form = domain::groups::GroupForm {
        id: group.id,
        site: group.site,
        name: group.name,
        conditions: conditions(group.conditions)?,
        active: group.active,
        schedule: group.schedule,
        grant_product: group.grant_product,
        grant_role: group.grant_role,
        grant_site: group.grant_site,
    };
    Ok(domain::groups::save(&db, &principal, form).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewPerson {
    pub name: String,
    pub username: String,
    pub site_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPreview {
    pub count: u64,
    pub joining: u64,
    pub leaving: u64,
    pub sample: Vec<PreviewPerson>,
}

/// Who the rule selects now (nothing is saved).
#[server(endpoint = "preview_group", input = Json)]
pub async fn preview_group(
    site: Uuid,
    rule: Vec<ConditionRow>,
    group: Option<Uuid>,
) -> Result<GroupPreview, AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    let rule = conditions(rule)?;
    let p = domain::groups::preview(&db, &principal, site, &rule, group).await?;
    Ok(GroupPreview {
        count: p.count as u64,
        joining: p.joining as u64,
        leaving: p.leaving as u64,
        sample: p
            .sample
            .into_iter()
            .map(|m| PreviewPerson {
                name: m.name,
                username: m.username,
                site_name: m.site_name,
            })
            .collect(),
    })
}

/// Queues a run of the group now.
#[server(endpoint = "run_group")]
pub async fn run_group(id: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::groups::run_now(&db, &principal, id).await?)
}

#[server(endpoint = "remove_group")]
pub async fn remove_group(id: Uuid) -> Result<(), AppError> {
    let (db, principal) = crate::ssr::principal().await?;
    Ok(domain::groups::remove(&db, &principal, id).await?)
}
