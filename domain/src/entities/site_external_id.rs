use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_external_ids")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The root site of the site's tree: values are unique within it.
    pub organisation_id: i32,
    pub site_id: i32,
    pub scheme: String,
    pub value: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
