use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "federations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub public_id: Uuid,
    /// The organisation (root site) whose users sign in through it.
    pub site_id: i32,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// Sealed (see `seal`).
    pub client_secret: Option<String>,
    /// Scopes asked besides `openid email profile`, space-separated.
    pub scopes: String,
    /// `sub`, `eck_id`, `real_id` or `email` (`wire::FederationIdentifier`).
    pub identify_by: String,
    /// The claim holding the identifier.
    pub identifier_claim: String,
    /// E-mail domains the provider vouches for, one per line (identifying by e-mail only).
    pub email_domains: Option<String>,
    pub create_users: bool,
    /// The claim holding the institution number of the user's site.
    pub site_claim: Option<String>,
    /// The claim naming the user's class (a subsite of that site).
    pub class_claim: Option<String>,
    /// JSON list of `wire::RoleRule`.
    pub role_rules: String,
    /// The administrator who saved the rules: what they may grant bounds what the rules grant.
    pub saved_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
