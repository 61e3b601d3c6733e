//! Identifiers other systems give a user (SCIM's `externalId`, the ECK iD Dutch schools use,
//! a OneRoster `sourcedId`): first-class, one per scheme per user, unique per organisation
//! (the root of the user's tree), and searchable.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExternalIds::Table)
                    .col(pk_auto(ExternalIds::Id))
                    .col(integer(ExternalIds::OrganisationId))
                    .col(integer(ExternalIds::UserId))
                    .col(string_len(ExternalIds::Scheme, 32))
                    .col(string_len(ExternalIds::Value, 255))
                    .col(timestamp_with_time_zone(ExternalIds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExternalIds::Table, ExternalIds::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExternalIds::Table, ExternalIds::OrganisationId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_external_ids_value")
                    .table(ExternalIds::Table)
                    .col(ExternalIds::OrganisationId)
                    .col(ExternalIds::Scheme)
                    .col(ExternalIds::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_external_ids_user")
                    .table(ExternalIds::Table)
                    .col(ExternalIds::UserId)
                    .col(ExternalIds::Scheme)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExternalIds::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ExternalIds {
    Table,
    Id,
    OrganisationId,
    UserId,
    Scheme,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}
