//! The HTTP API for licensed applications and external parties: service accounts (users that
//! cannot sign in), API tokens (stored as a SHA-256, shown once), application sessions and
//! per-user per-product settings.
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
                    .add_column(boolean(Users::ServiceAccount).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(pk_auto(ApiTokens::Id))
                    .col(uuid_uniq(ApiTokens::PublicId))
                    .col(integer(ApiTokens::UserId))
                    .col(string_len(ApiTokens::Name, 100))
                    .col(string_len_uniq(ApiTokens::TokenHash, 64))
                    // The token's first characters, so its holder can tell which one it is.
                    .col(string_len(ApiTokens::Hint, 16))
                    .col(integer_null(ApiTokens::CreatedBy))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    // The last day it works.
                    .col(date_null(ApiTokens::ExpiresOn))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_tokens_user")
                    .table(ApiTokens::Table)
                    .col(ApiTokens::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppSessions::Table)
                    .col(pk_auto(AppSessions::Id))
                    .col(uuid_uniq(AppSessions::PublicId))
                    .col(integer(AppSessions::UserId))
                    .col(integer(AppSessions::ProductId))
                    .col(timestamp_with_time_zone(AppSessions::OpenedAt))
                    .col(timestamp_with_time_zone(AppSessions::LastSeenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppSessions::Table, AppSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppSessions::Table, AppSessions::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_app_sessions_user")
                    .table(AppSessions::Table)
                    .col(AppSessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppSettings::Table)
                    .col(pk_auto(AppSettings::Id))
                    .col(integer(AppSettings::UserId))
                    .col(integer(AppSettings::ProductId))
                    // A JSON document, size-limited by the domain.
                    .col(text(AppSettings::Value))
                    .col(timestamp_with_time_zone(AppSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppSettings::Table, AppSettings::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppSettings::Table, AppSettings::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_app_settings_user_product")
                    .table(AppSettings::Table)
                    .col(AppSettings::UserId)
                    .col(AppSettings::ProductId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppSettings::Table.into_iden(),
            AppSessions::Table.into_iden(),
            ApiTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::ServiceAccount)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    ServiceAccount,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    PublicId,
    UserId,
    Name,
    TokenHash,
    Hint,
    CreatedBy,
    CreatedAt,
    ExpiresOn,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AppSessions {
    Table,
    Id,
    PublicId,
    UserId,
    ProductId,
    OpenedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum AppSettings {
    Table,
    Id,
    UserId,
    ProductId,
    Value,
    UpdatedAt,
}
