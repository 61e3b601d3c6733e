use sea_orm::entity::prelude::*;

/// One thing a user did that usage charts count (see migration 45): a sign-in, a failed
/// sign-in, an application session (from its opening to its last sign of life).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub kind: String,
    pub user_id: Option<i32>,
    /// The user's site when it happened.
    pub site_id: i32,
    pub product_id: Option<i32>,
    /// The application session logged (`app_session`).
    pub session_id: Option<i32>,
    /// When the session ended; none while it is open.
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
