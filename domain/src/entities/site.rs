use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub parent_id: Option<i32>,
    pub name: String,
    pub seat_limit: i32,
    pub used_seats: i32,
    pub own_users: i32,
    #[sea_orm(unique)]
    pub registration_code: Option<String>,
    pub expires_on: Option<Date>,
    pub registration_flow: String,
    pub allowed_domains: Option<String>,
    pub created_at: DateTimeUtc,
    /// The school's official institution number, if it has one (unique).
    #[sea_orm(unique)]
    pub institution_number: Option<String>,
    /// The self-registration form's fields (JSON); none: the standard form.
    pub registration_form: Option<String>,
    /// The vendor's own organisation (its root site; one at most): home of the operators.
    pub is_vendor: bool,
    /// A class a rollover left empty: kept for its history, without seats.
    pub archived_on: Option<Date>,
    /// On a root site: who must use a second factor (`wire::SecondFactorPolicy`).
    pub second_factor_policy: String,
    /// On a root site: days a user asked to set up a second factor may still go without.
    pub second_factor_grace_days: i32,
    /// On a root site: the Microsoft tenant ids its users may sign in from, one per line.
    pub sso_tenants: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
