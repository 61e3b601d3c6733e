//! Products, bundles of products, and named licences: a subscription (for a bundle) has seats
//! that are assigned to users one by one; `assigned` counts them so that a claim can take a
//! free one with a single conditional update.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(pk_auto(Products::Id))
                    .col(uuid_uniq(Products::PublicId))
                    // What applications ask for (`reader`), stable once published.
                    .col(string_len_uniq(Products::Key, 40))
                    .col(string_len(Products::Name, 100))
                    .col(timestamp_with_time_zone(Products::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Bundles::Table)
                    .col(pk_auto(Bundles::Id))
                    .col(uuid_uniq(Bundles::PublicId))
                    .col(string_len_uniq(Bundles::Name, 100))
                    .col(timestamp_with_time_zone(Bundles::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BundleProducts::Table)
                    .col(pk_auto(BundleProducts::Id))
                    .col(integer(BundleProducts::BundleId))
                    .col(integer(BundleProducts::ProductId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BundleProducts::Table, BundleProducts::BundleId)
                            .to(Bundles::Table, Bundles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BundleProducts::Table, BundleProducts::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_bundle_products")
                    .table(BundleProducts::Table)
                    .col(BundleProducts::BundleId)
                    .col(BundleProducts::ProductId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters a column at a time.
        for column in [
            integer_null(Subscriptions::BundleId),
            integer(Subscriptions::Assigned).default(0).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Subscriptions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Licences::Table)
                    .col(pk_auto(Licences::Id))
                    .col(integer(Licences::SubscriptionId))
                    .col(integer(Licences::UserId))
                    .col(timestamp_with_time_zone(Licences::AssignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Licences::Table, Licences::SubscriptionId)
                            .to(Subscriptions::Table, Subscriptions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Licences::Table, Licences::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_licences_subscription_user")
                    .table(Licences::Table)
                    .col(Licences::SubscriptionId)
                    .col(Licences::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_licences_user")
                    .table(Licences::Table)
                    .col(Licences::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Licences::Table).to_owned())
            .await?;
        for column in [Subscriptions::BundleId, Subscriptions::Assigned] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Subscriptions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            BundleProducts::Table.into_iden(),
            Bundles::Table.into_iden(),
            Products::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    PublicId,
    Key,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Bundles {
    Table,
    Id,
    PublicId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BundleProducts {
    Table,
    Id,
    BundleId,
    ProductId,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    BundleId,
    Assigned,
}

#[derive(DeriveIden)]
enum Licences {
    Table,
    Id,
    SubscriptionId,
    UserId,
    AssignedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
