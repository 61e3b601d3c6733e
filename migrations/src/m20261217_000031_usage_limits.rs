//! What a vendor sells on besides seats: per bundle (and, overriding it, per subscription) the
//! devices a user may use a product on, the application sessions a user may have open at once,
//! and the sessions a subscription may have open at once (floating seats). Devices are the
//! fingerprints applications register per user and product; a session remembers the
//! subscription whose place it holds and the device it runs on.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Limits::Bundles, Limits::Subscriptions] {
            for column in [
                Limits::MaxDevices,
                Limits::MaxUserSessions,
                Limits::MaxSessions,
            ] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table)
                            .add_column(integer_null(column))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(Devices::Table)
                    .col(pk_auto(Devices::Id))
                    .col(uuid_uniq(Devices::PublicId))
                    .col(integer(Devices::UserId))
                    .col(integer(Devices::ProductId))
                    .col(string_len(Devices::Fingerprint, 128))
                    .col(string_len_null(Devices::Name, 100))
                    .col(timestamp_with_time_zone(Devices::FirstSeenAt))
                    .col(timestamp_with_time_zone(Devices::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Devices::Table, Devices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Devices::Table, Devices::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_devices_user_product_fingerprint")
                    .table(Devices::Table)
                    .col(Devices::UserId)
                    .col(Devices::ProductId)
                    .col(Devices::Fingerprint)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for column in [AppSessions::SubscriptionId, AppSessions::DeviceId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AppSessions::Table)
                        .add_column(integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_app_sessions_subscription_seen")
                    .table(AppSessions::Table)
                    .col(AppSessions::SubscriptionId)
                    .col(AppSessions::LastSeenAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_app_sessions_subscription_seen")
                    .table(AppSessions::Table)
                    .to_owned(),
            )
            .await?;
        for column in [AppSessions::DeviceId, AppSessions::SubscriptionId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AppSessions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Devices::Table).to_owned())
            .await?;
        for table in [Limits::Bundles, Limits::Subscriptions] {
            for column in [
                Limits::MaxSessions,
                Limits::MaxUserSessions,
                Limits::MaxDevices,
            ] {
                manager
                    .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Limits {
    Bundles,
    Subscriptions,
    MaxDevices,
    MaxUserSessions,
    MaxSessions,
}

#[derive(DeriveIden)]
enum Devices {
    Table,
    Id,
    PublicId,
    UserId,
    ProductId,
    Fingerprint,
    Name,
    FirstSeenAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum AppSessions {
    Table,
    SubscriptionId,
    DeviceId,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}
