//! School-year rollovers: a run per rollover (the mapping asked, its state, when it may still be
//! undone) and every user it moved, to undo it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rollovers::Table)
                    .col(pk_auto(Rollovers::Id))
                    .col(uuid_uniq(Rollovers::PublicId))
                    .col(integer(Rollovers::SiteId))
                    .col(integer(Rollovers::StartedBy))
                    .col(text(Rollovers::Mapping))
                    .col(date(Rollovers::LeaveOn))
                    .col(string_len(Rollovers::Status, 16))
                    .col(integer(Rollovers::Moved).default(0))
                    .col(integer(Rollovers::Leavers).default(0))
                    .col(integer(Rollovers::Skipped).default(0))
                    .col(string_len_null(Rollovers::Failure, 64))
                    .col(timestamp_with_time_zone(Rollovers::CreatedAt))
                    .col(timestamp_with_time_zone_null(Rollovers::FinishedAt))
                    .col(timestamp_with_time_zone_null(Rollovers::UndoneAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Rollovers::Table, Rollovers::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RolloverMoves::Table)
                    .col(pk_auto(RolloverMoves::Id))
                    .col(integer(RolloverMoves::RolloverId))
                    .col(integer(RolloverMoves::UserId))
                    .col(integer(RolloverMoves::FromSiteId))
                    .col(integer(RolloverMoves::ToSiteId))
                    .col(date_null(RolloverMoves::ExpiresBefore))
                    .col(date_null(RolloverMoves::ExpiresAfter))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RolloverMoves::Table, RolloverMoves::RolloverId)
                            .to(Rollovers::Table, Rollovers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rollover_moves_rollover")
                    .table(RolloverMoves::Table)
                    .col(RolloverMoves::RolloverId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RolloverMoves::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Rollovers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Rollovers {
    Table,
    Id,
    PublicId,
    SiteId,
    StartedBy,
    Mapping,
    LeaveOn,
    Status,
    Moved,
    Leavers,
    Skipped,
    Failure,
    CreatedAt,
    FinishedAt,
    UndoneAt,
}

#[derive(DeriveIden)]
enum RolloverMoves {
    Table,
    Id,
    RolloverId,
    UserId,
    FromSiteId,
    ToSiteId,
    ExpiresBefore,
    ExpiresAfter,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}
