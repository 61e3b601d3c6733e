use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub user_id: i32,
    pub product_id: i32,
    pub opened_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    /// The subscription whose place the session holds.
    pub subscription_id: Option<i32>,
    /// The device it runs on, if the application named one.
    pub device_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
