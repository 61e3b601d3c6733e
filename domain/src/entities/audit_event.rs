use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub actor_id: Option<i32>,
    pub actor_name: String,
    pub action: String,
    pub target_kind: String,
    pub target_label: String,
    pub site_id: i32,
    pub site_name: String,
    pub changes: String,
    pub client_address: Option<String>,
    /// The user the entry is about, if it is about one (erasure finds their entries by it).
    pub subject_user_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
