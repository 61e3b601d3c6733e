use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub site_id: i32,
    pub started_by: i32,
    pub locale: String,
    pub file_name: String,
    pub mode: String,
    pub allow_deletes: bool,
    pub status: String,
    pub cancel_requested: bool,
    pub total_rows: i32,
    pub checkpoint: i32,
    pub processed: i32,
    pub added: i32,
    pub updated: i32,
    pub deleted: i32,
    pub errors: i32,
    pub failure: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// Applied through the organisation's HR configuration.
    pub sync: bool,
    /// A OneRoster import's role for teachers on their classes.
    pub teacher_role_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
