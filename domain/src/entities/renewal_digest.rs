use sea_orm::entity::prelude::*;

/// A week whose renewals mail was queued (its Monday), and to how many operators.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "renewal_digests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub week: Date,
    pub queued_at: DateTimeUtc,
    pub mails: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
