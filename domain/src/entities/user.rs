use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub site_id: i32,
    #[sea_orm(unique)]
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub password_hash: Option<String>,
    pub active: bool,
    pub expires_on: Option<Date>,
    pub must_change_password: bool,
    pub locale: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_sign_in_at: Option<DateTimeUtc>,
    pub is_operator: bool,
    pub pending: Option<String>,
    pub personnel_number: Option<String>,
    /// An account for an external party: no password, cannot sign in, uses API tokens.
    pub service_account: bool,
    /// Filled in at self-registration when the site's form asks for them.
    pub phone: Option<String>,
    pub address: Option<String>,
    pub birth_date: Option<Date>,
    pub newsletter: bool,
    pub disclaimer_accepted_at: Option<DateTimeUtc>,
    /// Announcements: `inform`, `none`, or not chosen yet.
    pub updates_choice: Option<String>,
    /// When the user was first asked to set up a second factor (their grace period runs from it).
    pub second_factor_asked_at: Option<DateTimeUtc>,
    /// An operator's choice: the renewals list by mail every Monday.
    pub renewals_digest: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::site::Entity",
        from = "Column::SiteId",
        to = "super::site::Column::Id"
    )]
    Site,
}

impl Related<super::site::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Site.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
