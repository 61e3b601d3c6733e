//! Archived sites: a class a rollover left empty keeps its history but no seats. A rollover
//! remembers whether it archives, and the limits it took back (to give them back on revert).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .add_column(date_null(Sites::ArchivedOn))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Rollovers::Table)
                    .add_column(boolean(Rollovers::Archive).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RolloverArchives::Table)
                    .col(pk_auto(RolloverArchives::Id))
                    .col(integer(RolloverArchives::RolloverId))
                    .col(integer(RolloverArchives::SiteId))
                    .col(integer(RolloverArchives::SeatLimitBefore))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RolloverArchives::Table, RolloverArchives::RolloverId)
                            .to(Rollovers::Table, Rollovers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RolloverArchives::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Rollovers::Table)
                    .drop_column(Rollovers::Archive)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .drop_column(Sites::ArchivedOn)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    ArchivedOn,
}

#[derive(DeriveIden)]
enum Rollovers {
    Table,
    Id,
    Archive,
}

#[derive(DeriveIden)]
enum RolloverArchives {
    Table,
    Id,
    RolloverId,
    SiteId,
    SeatLimitBefore,
}
