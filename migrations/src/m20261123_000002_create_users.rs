use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_sites::Sites;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(uuid_uniq(Users::PublicId))
                    .col(integer(Users::SiteId))
                    .col(string_len_uniq(Users::Username, 100))
                    .col(string_len(Users::FirstName, 100))
                    .col(string_len(Users::LastName, 100))
                    .col(string_len_null(Users::Email, 254))
                    .col(boolean(Users::EmailVerified).default(false))
                    .col(string_len_null(Users::PasswordHash, 200))
                    .col(boolean(Users::Active).default(true))
                    .col(date_null(Users::ExpiresOn))
                    .col(boolean(Users::MustChangePassword).default(false))
                    .col(string_len_null(Users::Locale, 8))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone_null(Users::LastSignInAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::SiteId)
                            .to(Sites::Table, Sites::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_users_site_name",
                vec![Users::SiteId, Users::LastName, Users::FirstName],
            ),
            (
                "idx_users_site_created",
                vec![Users::SiteId, Users::CreatedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Users::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Users {
    Table,
    Id,
    PublicId,
    SiteId,
    Username,
    FirstName,
    LastName,
    Email,
    EmailVerified,
    PasswordHash,
    Active,
    ExpiresOn,
    MustChangePassword,
    Locale,
    CreatedAt,
    LastSignInAt,
}
