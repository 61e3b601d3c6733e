//! Institution linking (as LeesVoor has it): a school site may carry its official institution
//! number; the vendor's operators link individual accounts to a school by that number, and
//! the user sees the link in their profile and can withdraw their consent.
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
                    .add_column(string_len_null(Sites::InstitutionNumber, 20))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sites_institution_number")
                    .table(Sites::Table)
                    .col(Sites::InstitutionNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InstitutionLinks::Table)
                    .col(pk_auto(InstitutionLinks::Id))
                    .col(uuid_uniq(InstitutionLinks::PublicId))
                    .col(integer(InstitutionLinks::UserId))
                    .col(integer(InstitutionLinks::SiteId))
                    .col(timestamp_with_time_zone(InstitutionLinks::LinkedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InstitutionLinks::Table, InstitutionLinks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InstitutionLinks::Table, InstitutionLinks::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_institution_links_user_site")
                    .table(InstitutionLinks::Table)
                    .col(InstitutionLinks::UserId)
                    .col(InstitutionLinks::SiteId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InstitutionLinks::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_sites_institution_number")
                    .table(Sites::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .drop_column(Sites::InstitutionNumber)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
    InstitutionNumber,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InstitutionLinks {
    Table,
    Id,
    PublicId,
    UserId,
    SiteId,
    LinkedAt,
}
