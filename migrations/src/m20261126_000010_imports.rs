//! Imports applied in the background: the uploaded file, the run with its progress (a
//! checkpoint, so a restarted server resumes where it stopped), and a result per row. Users get
//! a personnel number.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len_null(Users::PersonnelNumber, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportRuns::Table)
                    .col(pk_auto(ImportRuns::Id))
                    .col(uuid_uniq(ImportRuns::PublicId))
                    .col(integer(ImportRuns::SiteId))
                    // The administrator who started it: the run acts with their rights.
                    .col(integer(ImportRuns::StartedBy))
                    .col(string_len(ImportRuns::Locale, 5))
                    .col(string_len(ImportRuns::FileName, 255))
                    .col(string_len(ImportRuns::Mode, 16))
                    .col(boolean(ImportRuns::AllowDeletes))
                    // running → done, cancelled or failed.
                    .col(string_len(ImportRuns::Status, 10))
                    .col(boolean(ImportRuns::CancelRequested).default(false))
                    .col(integer(ImportRuns::TotalRows))
                    // Every data row up to this spreadsheet row number has its result.
                    .col(integer(ImportRuns::Checkpoint))
                    .col(integer(ImportRuns::Processed).default(0))
                    .col(integer(ImportRuns::Added).default(0))
                    .col(integer(ImportRuns::Updated).default(0))
                    .col(integer(ImportRuns::Deleted).default(0))
                    .col(integer(ImportRuns::Errors).default(0))
                    .col(text_null(ImportRuns::Failure))
                    .col(timestamp_with_time_zone(ImportRuns::CreatedAt))
                    .col(timestamp_with_time_zone_null(ImportRuns::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportRuns::Table, ImportRuns::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportFiles::Table)
                    .col(integer(ImportFiles::RunId).primary_key())
                    .col(blob(ImportFiles::Content))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportFiles::Table, ImportFiles::RunId)
                            .to(ImportRuns::Table, ImportRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportResults::Table)
                    .col(pk_auto(ImportResults::Id))
                    .col(integer(ImportResults::RunId))
                    .col(integer(ImportResults::RowNo))
                    // added, updated, deleted or error.
                    .col(string_len(ImportResults::Outcome, 10))
                    // The problems as JSON: [{column, code, details}].
                    .col(text(ImportResults::Messages))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ImportResults::Table, ImportResults::RunId)
                            .to(ImportRuns::Table, ImportRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_import_results_run_row")
                    .table(ImportResults::Table)
                    .col(ImportResults::RunId)
                    .col(ImportResults::RowNo)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ImportResults::Table.into_iden(),
            ImportFiles::Table.into_iden(),
            ImportRuns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::PersonnelNumber)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    PersonnelNumber,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
    PublicId,
    SiteId,
    StartedBy,
    Locale,
    FileName,
    Mode,
    AllowDeletes,
    Status,
    CancelRequested,
    TotalRows,
    Checkpoint,
    Processed,
    Added,
    Updated,
    Deleted,
    Errors,
    Failure,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ImportFiles {
    Table,
    RunId,
    Content,
}

#[derive(DeriveIden)]
enum ImportResults {
    Table,
    Id,
    RunId,
    RowNo,
    Outcome,
    Messages,
}
