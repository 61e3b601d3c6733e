use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "federation_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub federation_id: i32,
    /// The identifying claim's value (e-mail addresses in lower case).
    pub value: String,
    pub user_id: i32,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
