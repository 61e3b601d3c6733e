//! Announcements (as Klic has them): the vendor's operators post maintenance, outage and update
//! notices with a time window; users choose once whether they want them (a banner and an
//! e-mail) or not (a bell to opt in later).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Announcements::Table)
                    .col(pk_auto(Announcements::Id))
                    .col(uuid_uniq(Announcements::PublicId))
                    // `maintenance`, `outage` or `update`.
                    .col(string_len(Announcements::Kind, 20))
                    .col(string_len(Announcements::TitleNl, 150))
                    .col(string_len(Announcements::TitleFr, 150))
                    .col(string_len(Announcements::TitleEn, 150))
                    .col(text(Announcements::BodyNl))
                    .col(text(Announcements::BodyFr))
                    .col(text(Announcements::BodyEn))
                    .col(timestamp_with_time_zone(Announcements::StartsAt))
                    .col(timestamp_with_time_zone(Announcements::EndsAt))
                    .col(string_len(Announcements::CreatedBy, 100))
                    // The mail to opted-in users goes out by user id; the last one mailed.
                    .col(integer(Announcements::MailedUpTo).default(0))
                    .col(timestamp_with_time_zone(Announcements::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_announcements_window")
                    .table(Announcements::Table)
                    .col(Announcements::EndsAt)
                    .col(Announcements::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    // `inform`, `none`, or not chosen yet.
                    .add_column(string_len_null(Users::UpdatesChoice, 10))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::UpdatesChoice)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Announcements::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    UpdatesChoice,
}

#[derive(DeriveIden)]
enum Announcements {
    Table,
    Id,
    PublicId,
    Kind,
    TitleNl,
    TitleFr,
    TitleEn,
    BodyNl,
    BodyFr,
    BodyEn,
    StartsAt,
    EndsAt,
    CreatedBy,
    MailedUpTo,
    CreatedAt,
}
