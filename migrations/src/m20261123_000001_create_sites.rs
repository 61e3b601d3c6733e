use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sites::Table)
                    .col(pk_auto(Sites::Id))
                    .col(uuid_uniq(Sites::PublicId))
                    .col(integer_null(Sites::ParentId))
                    .col(string_len(Sites::Name, 200))
                    .col(integer(Sites::SeatLimit))
                    // Denormalised: users placed directly here + seat limits of direct subsites.
                    // Kept exact by every write in the same transaction; the seat checks are a
                    // conditional UPDATE on this column, which serialises them on both databases.
                    .col(integer(Sites::UsedSeats).default(0))
                    .col(integer(Sites::OwnUsers).default(0))
                    .col(string_len_null(Sites::RegistrationCode, 64).unique_key())
                    .col(date_null(Sites::ExpiresOn))
                    .col(timestamp_with_time_zone(Sites::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sites::Table, Sites::ParentId)
                            .to(Sites::Table, Sites::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sites_parent")
                    .table(Sites::Table)
                    .col(Sites::ParentId)
                    .to_owned(),
            )
            .await?;
        // Closure table: one row per (ancestor, descendant) pair, including (site, site, 0).
        manager
            .create_table(
                Table::create()
                    .table(SiteClosure::Table)
                    .col(integer(SiteClosure::AncestorId))
                    .col(integer(SiteClosure::DescendantId))
                    .col(integer(SiteClosure::Depth))
                    .primary_key(
                        Index::create()
                            .col(SiteClosure::AncestorId)
                            .col(SiteClosure::DescendantId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SiteClosure::Table, SiteClosure::AncestorId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SiteClosure::Table, SiteClosure::DescendantId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_site_closure_descendant")
                    .table(SiteClosure::Table)
                    .col(SiteClosure::DescendantId)
                    .col(SiteClosure::Depth)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SiteClosure::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Sites::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Sites {
    Table,
    Id,
    PublicId,
    ParentId,
    Name,
    SeatLimit,
    UsedSeats,
    OwnUsers,
    RegistrationCode,
    ExpiresOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SiteClosure {
    Table,
    AncestorId,
    DescendantId,
    Depth,
}
