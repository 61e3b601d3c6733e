//! The weekly renewals mail to operators: who wants it (`users.renewals_digest`, an operator's
//! own choice), and the weeks it was sent (`renewal_digests`, one row per week, inserted in
//! the transaction that queues the mails, so that of several server processes only one sends
//! it).
//!
//! And for the usage roll-up, `idx_usage_events_open` on `usage_events (kind, ended_at, at)`:
//! the application sessions begun before a day and still open when it began (ended after its
//! start, or not yet) are found without reading the weeks of log before the day.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    RenewalsDigest,
}

#[derive(DeriveIden)]
enum RenewalDigests {
    Table,
    Week,
    QueuedAt,
    Mails,
}

#[derive(DeriveIden)]
enum UsageEvents {
    Table,
    Kind,
    EndedAt,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(boolean(Users::RenewalsDigest).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RenewalDigests::Table)
                    .col(date(RenewalDigests::Week).primary_key())
                    .col(timestamp_with_time_zone(RenewalDigests::QueuedAt))
                    .col(integer(RenewalDigests::Mails))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_events_open")
                    .table(UsageEvents::Table)
                    .col(UsageEvents::Kind)
                    .col(UsageEvents::EndedAt)
                    .col(UsageEvents::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_usage_events_open")
                    .table(UsageEvents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(RenewalDigests::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::RenewalsDigest)
                    .to_owned(),
            )
            .await
    }
}
