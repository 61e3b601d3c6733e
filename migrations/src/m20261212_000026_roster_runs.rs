//! OneRoster imports run through the import runs: the role their teachers get on their classes.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ImportRuns::Table)
                    .add_column(integer_null(ImportRuns::TeacherRoleId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ImportRuns::Table)
                    .drop_column(ImportRuns::TeacherRoleId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    TeacherRoleId,
}
