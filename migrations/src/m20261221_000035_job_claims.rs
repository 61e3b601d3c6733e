//! Claiming due jobs without sorting them: an index in the order workers take them (kind,
//! queued, oldest due first, then oldest), so that a claim of 256 reads 256 entries rather
//! than every queued job of its kind. On PostgreSQL the job and delivery tables leave room
//! in each page (fill factor), so that the updates that touch no indexed column (a claim's
//! lease and attempt, a delivery's outcome) are written in place ("HOT") instead of adding an
//! entry to every index.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_claim")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::Status)
                    .col(Jobs::RunAfter)
                    .col(Jobs::Id)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            let conn = manager.get_connection();
            conn.execute_unprepared("ALTER TABLE jobs SET (fillfactor = 70)")
                .await?;
            conn.execute_unprepared("ALTER TABLE webhook_deliveries SET (fillfactor = 70)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let conn = manager.get_connection();
            conn.execute_unprepared("ALTER TABLE jobs RESET (fillfactor)")
                .await?;
            conn.execute_unprepared("ALTER TABLE webhook_deliveries RESET (fillfactor)")
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_jobs_claim")
                    .table(Jobs::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Status,
    RunAfter,
}
