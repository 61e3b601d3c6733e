use sea_orm::entity::prelude::*;

/// A class a rollover archived, with the limit it had (given back on revert).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollover_archives")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rollover_id: i32,
    pub site_id: i32,
    pub seat_limit_before: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
