use sea_orm::entity::prelude::*;

/// A school-year rollover of a site's classes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollovers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub site_id: i32,
    pub started_by: i32,
    /// The mapping asked (JSON: class public id → next class, leave or stay).
    pub mapping: String,
    pub leave_on: Date,
    /// running, done, failed, undone.
    pub status: String,
    pub moved: i32,
    pub leavers: i32,
    pub skipped: i32,
    pub failure: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub undone_at: Option<DateTimeUtc>,
    /// Whether the classes it leaves empty are archived.
    pub archive: bool,
    /// Whether it renews its pupils' licences into the next subscription.
    pub renew: bool,
    pub renewed: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
