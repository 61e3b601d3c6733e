//! A rollover may renew its pupils' licences into the organisation's next subscription: whether
//! it does, how many it renewed, and the licences it gave (taken back on revert).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rollovers::Table)
                    .add_column(boolean(Rollovers::Renew).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Rollovers::Table)
                    .add_column(integer(Rollovers::Renewed).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RolloverLicences::Table)
                    .col(pk_auto(RolloverLicences::Id))
                    .col(integer(RolloverLicences::RolloverId))
                    .col(integer(RolloverLicences::LicenceId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RolloverLicences::Table, RolloverLicences::RolloverId)
                            .to(Rollovers::Table, Rollovers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RolloverLicences::Table).to_owned())
            .await?;
        for column in [Rollovers::Renewed, Rollovers::Renew] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Rollovers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Rollovers {
    Table,
    Id,
    Renew,
    Renewed,
}

#[derive(DeriveIden)]
enum RolloverLicences {
    Table,
    Id,
    RolloverId,
    LicenceId,
}
