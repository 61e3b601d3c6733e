//! Configurable self-registration per site: which optional fields the form shows and
//! requires, a disclaimer, and whether the sign-in page shows the register panel beside it;
//! and the user fields those forms fill in.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    // JSON; none: the standard form.
                    .add_column(text_null(Sites::RegistrationForm))
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(Users::Phone)
                .string_len(40)
                .null()
                .to_owned(),
            ColumnDef::new(Users::Address)
                .string_len(300)
                .null()
                .to_owned(),
            ColumnDef::new(Users::BirthDate).date().null().to_owned(),
            ColumnDef::new(Users::Newsletter)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Users::DisclaimerAcceptedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Users::Phone,
            Users::Address,
            Users::BirthDate,
            Users::Newsletter,
            Users::DisclaimerAcceptedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .drop_column(Sites::RegistrationForm)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    RegistrationForm,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Phone,
    Address,
    BirthDate,
    Newsletter,
    DisclaimerAcceptedAt,
}
