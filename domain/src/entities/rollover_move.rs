use sea_orm::entity::prelude::*;

/// A user a rollover moved (and the expiry it set), to undo it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollover_moves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rollover_id: i32,
    pub user_id: i32,
    pub from_site_id: i32,
    pub to_site_id: i32,
    pub expires_before: Option<Date>,
    pub expires_after: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
