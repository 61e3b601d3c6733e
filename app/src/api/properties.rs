//! Custom properties: the properties page (definitions, values in bulk from a spreadsheet) and
//! a user's values.
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
    pub kind: wire::PropertyKind,
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
            kind: d.kind,
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
    pub code: crate::error::Code,
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
                    code: p.code,
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
