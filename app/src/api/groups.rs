//! Dynamic groups: the groups page (rules, preview, run, remove).
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::properties::PropertyDef;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionRow {
    pub key: String,
    pub op: wire::ConditionOp,
    pub value: String,
}

#[cfg(feature = "ssr")]
fn conditions(
    rows: Vec<ConditionRow>,
) -> Result<Vec<domain::properties::filter::Condition>, AppError> {
    use domain::properties::filter::Condition;
    Ok(rows
        .into_iter()
        .map(|r| Condition {
            key: r.key,
            op: r.op,
            value: r.value,
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: Uuid,
    pub name: String,
    pub site: Uuid,
    pub site_name: String,
    pub conditions: Vec<ConditionRow>,
    pub active: bool,
    pub schedule: wire::Schedule,
    /// Product key, or empty.
    pub grant_product: String,
    pub grant_role: Option<Uuid>,
    /// `@key` for built-in roles.
    pub grant_role_name: String,
    pub grant_site: Option<Uuid>,
    pub grant_site_name: String,
    pub members: u64,
    pub next_run: Option<chrono::DateTime<chrono::Utc>>,
    pub last_run: Option<chrono::DateTime<chrono::Utc>>,
    pub last_joined: i32,
    pub last_left: i32,
    pub last_ungranted: i32,
    /// An error code when the last run changed nothing, and the property it names.
    pub problem: Option<crate::error::Code>,
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
impl From<domain::groups::Group> for GroupRow {
    fn from(g: domain::groups::Group) -> Self {
        let (problem, problem_key) = g
            .last_problem
            .as_deref()
            .and_then(|p| p.split_once(':'))
            .map(|(c, k)| (crate::error::Code::parse(c), k.to_string()))
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
                    op: c.op,
                    value: c.value,
                })
                .collect(),
            active: g.active,
            schedule: g.schedule,
            grant_product: g.grant_product.unwrap_or_default(),
            grant_role: g.grant_role,
            grant_role_name: g.grant_role_name.unwrap_or_default(),
            grant_site: g.grant_site,
            grant_site_name: g.grant_site_name.unwrap_or_default(),
            members: g.members,
            next_run: g.next_run_at,
            last_run: g.last_run_at,
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
    pub schedule: wire::Schedule,
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
        schedule: group.schedule.as_str().to_string(),
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
