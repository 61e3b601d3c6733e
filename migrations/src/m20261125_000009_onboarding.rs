//! Onboarding: subscriptions with serial numbers, single-use tokens mailed to users
//! (address verification, invitations, password resets), sign-in throttling, and per site the
//! registration flow and allowed e-mail domains; users can be pending (verification, approval).
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_sites::Sites;
use crate::m20261123_000002_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(pk_auto(Subscriptions::Id))
                    .col(string_len_uniq(Subscriptions::Serial, 11))
                    .col(integer(Subscriptions::Seats))
                    .col(date(Subscriptions::ValidFrom))
                    .col(date(Subscriptions::ValidUntil))
                    .col(string_len_null(Subscriptions::ContactEmail, 254))
                    .col(string_len(Subscriptions::Locale, 5))
                    // The root site that claimed it (a serial is claimed once).
                    .col(integer_null(Subscriptions::SiteId))
                    .col(timestamp_with_time_zone_null(Subscriptions::ClaimedAt))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::SiteId)
                            .to(Sites::Table, Sites::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserTokens::Table)
                    .col(pk_auto(UserTokens::Id))
                    .col(integer(UserTokens::UserId))
                    // verify | invite | reset
                    .col(string_len(UserTokens::Purpose, 10))
                    // SHA-256 of the token, hex: the token itself is only in the mail.
                    .col(string_len_uniq(UserTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(UserTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(UserTokens::UsedAt))
                    .col(timestamp_with_time_zone(UserTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserTokens::Table, UserTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottle::Table)
                    // "account:<username>" or "address:<ip>"
                    .col(string_len(SignInThrottle::Key, 120).primary_key())
                    .col(integer(SignInThrottle::Failures))
                    .col(timestamp_with_time_zone_null(SignInThrottle::BlockedUntil))
                    .col(timestamp_with_time_zone(SignInThrottle::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite alters one column per statement.
        for column in [
            string_len(Onboarding::RegistrationFlow, 10)
                .default("immediate")
                .to_owned(),
            text_null(Onboarding::AllowedDomains).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sites::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    // verify | approval: the account exists (and holds its seat) but cannot
                    // sign in yet.
                    .add_column(string_len_null(Onboarding::Pending, 10))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Onboarding::Pending)
                    .to_owned(),
            )
            .await?;
        for column in [Onboarding::RegistrationFlow, Onboarding::AllowedDomains] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sites::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            SignInThrottle::Table.into_iden(),
            UserTokens::Table.into_iden(),
            Subscriptions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    Serial,
    Seats,
    ValidFrom,
    ValidUntil,
    ContactEmail,
    Locale,
    SiteId,
    ClaimedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SignInThrottle {
    Table,
    Key,
    Failures,
    BlockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Onboarding {
    RegistrationFlow,
    AllowedDomains,
    Pending,
}
