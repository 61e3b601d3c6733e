//! Provisioning: what a SCIM connection's DELETE does (per token: deactivate, or delete for
//! good), and identifiers other systems give a site (a SCIM group's `externalId`, a OneRoster
//! org's or class's `sourcedId`), unique per organisation and one per scheme per site.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(boolean(ApiTokens::ScimDeletes).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SiteExternalIds::Table)
                    .col(pk_auto(SiteExternalIds::Id))
                    .col(integer(SiteExternalIds::OrganisationId))
                    .col(integer(SiteExternalIds::SiteId))
                    .col(string_len(SiteExternalIds::Scheme, 32))
                    .col(string_len(SiteExternalIds::Value, 255))
                    .col(timestamp_with_time_zone(SiteExternalIds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SiteExternalIds::Table, SiteExternalIds::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SiteExternalIds::Table, SiteExternalIds::OrganisationId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_site_external_ids_value")
                    .table(SiteExternalIds::Table)
                    .col(SiteExternalIds::OrganisationId)
                    .col(SiteExternalIds::Scheme)
                    .col(SiteExternalIds::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_site_external_ids_site")
                    .table(SiteExternalIds::Table)
                    .col(SiteExternalIds::SiteId)
                    .col(SiteExternalIds::Scheme)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SiteExternalIds::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .drop_column(ApiTokens::ScimDeletes)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    ScimDeletes,
}

#[derive(DeriveIden)]
enum SiteExternalIds {
    Table,
    Id,
    OrganisationId,
    SiteId,
    Scheme,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}
