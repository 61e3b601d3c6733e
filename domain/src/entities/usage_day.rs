use sea_orm::entity::prelude::*;

/// A day's usage of a site (its own users) for a product (0: all products), rolled up from
/// the usage log; `peak_sessions` counts the sessions of the site's whole subtree.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: i32,
    pub sign_ins: i32,
    pub sign_in_failures: i32,
    pub active_users: i32,
    pub app_sessions: i32,
    pub peak_sessions: i32,
    /// Licences held by the site's users, as counted when the day was rolled up (none for a
    /// day rolled up again later).
    pub licences: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
