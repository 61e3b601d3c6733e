//! The hardened sign-in surface: browsers that signed in before (device cookies, OWASP's
//! answer to lockout as a denial of service). A device is known by a random token in a
//! long-lived HttpOnly cookie; only its SHA-256 is stored, with the account it was issued to.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrustedDevices::Table)
                    .col(pk_auto(TrustedDevices::Id))
                    .col(string_len_uniq(TrustedDevices::TokenHash, 64))
                    .col(integer(TrustedDevices::UserId))
                    .col(timestamp_with_time_zone(TrustedDevices::CreatedAt))
                    .col(timestamp_with_time_zone(TrustedDevices::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrustedDevices::Table, TrustedDevices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_trusted_devices_user")
                    .table(TrustedDevices::Table)
                    .col(TrustedDevices::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrustedDevices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TrustedDevices {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
