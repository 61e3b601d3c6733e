use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub serial: String,
    pub seats: i32,
    pub valid_from: Date,
    pub valid_until: Date,
    pub contact_email: Option<String>,
    pub locale: String,
    pub site_id: Option<i32>,
    pub claimed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub bundle_id: Option<i32>,
    pub assigned: i32,
    /// Devices a user may use a product on (none: any number).
    pub max_devices: Option<i32>,
    /// Application sessions a user may have open at once.
    pub max_user_sessions: Option<i32>,
    /// Application sessions the subscription may have open at once (floating seats).
    pub max_sessions: Option<i32>,
    /// The activation-code batch whose redeemed code made it (one seat, not counted in the
    /// organisation's seat limit).
    pub activation_batch_id: Option<i32>,
    /// Its end was announced to webhooks (`licence.expired`).
    pub expiry_announced: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
