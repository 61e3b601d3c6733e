//! Activation codes: batches of single-use codes the vendor hands to distributors and
//! bookshops, each for a bundle and a number of days; a code redeemed becomes a licence of a
//! one-seat subscription of the user's organisation (marked as the code's, so that it does not
//! change the organisation's seat limit).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivationBatches::Table)
                    .col(pk_auto(ActivationBatches::Id))
                    .col(uuid_uniq(ActivationBatches::PublicId))
                    .col(string_len(ActivationBatches::Name, 100))
                    .col(integer_null(ActivationBatches::BundleId))
                    .col(integer(ActivationBatches::Days))
                    .col(integer(ActivationBatches::Size))
                    .col(integer(ActivationBatches::Redeemed).default(0))
                    .col(integer_null(ActivationBatches::CreatedBy))
                    .col(timestamp_with_time_zone(ActivationBatches::CreatedAt))
                    .col(timestamp_with_time_zone_null(ActivationBatches::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivationCodes::Table)
                    .col(pk_auto(ActivationCodes::Id))
                    .col(integer(ActivationCodes::BatchId))
                    .col(string_len_uniq(ActivationCodes::Code, 32))
                    .col(integer_null(ActivationCodes::RedeemedBy))
                    .col(timestamp_with_time_zone_null(ActivationCodes::RedeemedAt))
                    .col(integer_null(ActivationCodes::SubscriptionId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivationCodes::Table, ActivationCodes::BatchId)
                            .to(ActivationBatches::Table, ActivationBatches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activation_codes_batch")
                    .table(ActivationCodes::Table)
                    .col(ActivationCodes::BatchId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Subscriptions::Table)
                    .add_column(integer_null(Subscriptions::ActivationBatchId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Subscriptions::Table)
                    .drop_column(Subscriptions::ActivationBatchId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ActivationCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ActivationBatches::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ActivationBatches {
    Table,
    Id,
    PublicId,
    Name,
    BundleId,
    Days,
    Size,
    Redeemed,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ActivationCodes {
    Table,
    Id,
    BatchId,
    Code,
    RedeemedBy,
    RedeemedAt,
    SubscriptionId,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    ActivationBatchId,
}
