use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// The subtree whose events it receives; none: the vendor's, every organisation.
    pub site_id: Option<i32>,
    /// Who registered it (told when it is disabled).
    pub owner_id: Option<i32>,
    pub url: String,
    /// `whsec_` and the base64 of the signing key (Standard Webhooks).
    pub secret: String,
    /// Event types, comma-separated.
    pub events: String,
    pub description: Option<String>,
    pub enabled: bool,
    /// Since when every delivery has failed (none: the last one succeeded).
    pub failing_since: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
