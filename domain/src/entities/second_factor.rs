use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "second_factors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    pub user_id: i32,
    /// `totp` or `passkey`.
    pub kind: String,
    /// The name the user gave it ("Phone").
    pub name: String,
    /// The authenticator secret, sealed (see `seal`).
    pub secret: Option<String>,
    /// False until the user proved it with a first code.
    pub confirmed: bool,
    /// The last time step whose code was accepted: that code and older ones are refused.
    pub last_step: Option<i64>,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    /// A passkey's credential (public key, counter), as `webauthn-rs` keeps it (JSON).
    pub credential: Option<String>,
    /// A passkey's credential id (base64url), by which a sign-in without username finds it.
    #[sea_orm(unique)]
    pub credential_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
