//! Custom role names are unique per owning site.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_roles_site_name")
                    .table(Roles::Table)
                    .col(Roles::SiteId)
                    .col(Roles::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_roles_site_name").to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    SiteId,
    Name,
}
