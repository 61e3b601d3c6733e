use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dynamic_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub site_id: i32,
    pub name: String,
    pub rule: String,
    pub active: bool,
    pub schedule: String,
    pub next_run_at: Option<DateTimeUtc>,
    pub grant_product_id: Option<i32>,
    pub grant_role_id: Option<i32>,
    pub grant_site_id: Option<i32>,
    pub last_run_at: Option<DateTimeUtc>,
    pub last_joined: i32,
    pub last_left: i32,
    pub last_ungranted: i32,
    pub last_problem: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
