//! Federations: an organisation's own OpenID Connect provider, which claim identifies its users,
//! and the rules that place and entitle users it creates. `federation_accounts` remembers which
//! user each identifier signed in as.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Federations::Table)
                    .col(pk_auto(Federations::Id))
                    .col(uuid_uniq(Federations::PublicId))
                    .col(integer(Federations::SiteId))
                    .col(string_len(Federations::Name, 100))
                    .col(string_len(Federations::Issuer, 500))
                    .col(string_len(Federations::ClientId, 255))
                    .col(text_null(Federations::ClientSecret))
                    .col(string_len(Federations::Scopes, 255))
                    .col(string_len(Federations::IdentifyBy, 16))
                    .col(string_len(Federations::IdentifierClaim, 100))
                    .col(text_null(Federations::EmailDomains))
                    .col(boolean(Federations::CreateUsers))
                    .col(string_len_null(Federations::SiteClaim, 100))
                    .col(string_len_null(Federations::ClassClaim, 100))
                    .col(text(Federations::RoleRules))
                    .col(integer_null(Federations::SavedBy))
                    .col(timestamp_with_time_zone(Federations::CreatedAt))
                    .col(timestamp_with_time_zone(Federations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Federations::Table, Federations::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Federations::Table, Federations::SavedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_federations_site")
                    .table(Federations::Table)
                    .col(Federations::SiteId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FederationAccounts::Table)
                    .col(pk_auto(FederationAccounts::Id))
                    .col(integer(FederationAccounts::FederationId))
                    .col(string_len(FederationAccounts::Value, 255))
                    .col(integer(FederationAccounts::UserId))
                    .col(timestamp_with_time_zone(FederationAccounts::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        FederationAccounts::LastUsedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FederationAccounts::Table, FederationAccounts::FederationId)
                            .to(Federations::Table, Federations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FederationAccounts::Table, FederationAccounts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_federation_accounts_value")
                    .table(FederationAccounts::Table)
                    .col(FederationAccounts::FederationId)
                    .col(FederationAccounts::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_federation_accounts_user")
                    .table(FederationAccounts::Table)
                    .col(FederationAccounts::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FederationAccounts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Federations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Federations {
    Table,
    Id,
    PublicId,
    SiteId,
    Name,
    Issuer,
    ClientId,
    ClientSecret,
    Scopes,
    IdentifyBy,
    IdentifierClaim,
    EmailDomains,
    CreateUsers,
    SiteClaim,
    ClassClaim,
    RoleRules,
    SavedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FederationAccounts {
    Table,
    Id,
    FederationId,
    Value,
    UserId,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
