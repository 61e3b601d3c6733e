use sea_orm::entity::prelude::*;

/// A licence a rollover gave (in the next subscription), taken back on revert.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollover_licences")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rollover_id: i32,
    pub licence_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
