use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activation_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub batch_id: i32,
    /// The code as handed out (upper case, without dashes).
    #[sea_orm(unique)]
    pub code: String,
    pub redeemed_by: Option<i32>,
    pub redeemed_at: Option<DateTimeUtc>,
    /// The one-seat subscription the redemption made.
    pub subscription_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
