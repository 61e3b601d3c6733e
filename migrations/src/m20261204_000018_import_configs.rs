//! HR synchronisation: an import configuration per organisation (which column of the HR
//! system's export is what, matching on the personnel number, the date format, whether an
//! employee placed elsewhere is moved), and the mark on an import run that it used it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImportConfigs::Table)
                    .col(pk_auto(ImportConfigs::Id))
                    // The organisation (root site); one configuration each.
                    .col(integer_uniq(ImportConfigs::SiteId))
                    // JSON: [[source header, target], ...].
                    .col(text(ImportConfigs::Mapping))
                    // `username` or `personnel_number`.
                    .col(string_len(ImportConfigs::MatchOn, 20))
                    // `auto`, `dmy`, `mdy` or `ymd`.
                    .col(string_len(ImportConfigs::DateFormat, 10))
                    .col(boolean(ImportConfigs::EndOldPlacements))
                    .col(timestamp_with_time_zone(ImportConfigs::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportConfigs::Table, ImportConfigs::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ImportRuns::Table)
                    .add_column(boolean(ImportRuns::Sync).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ImportRuns::Table)
                    .drop_column(ImportRuns::Sync)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ImportConfigs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Sync,
}

#[derive(DeriveIden)]
enum ImportConfigs {
    Table,
    Id,
    SiteId,
    Mapping,
    MatchOn,
    DateFormat,
    EndOldPlacements,
    UpdatedAt,
}
