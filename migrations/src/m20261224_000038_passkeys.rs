//! Passkeys beside authenticator apps: the credential (public key, counter; JSON) and its id,
//! by which a password-less sign-in finds it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SecondFactors::Table)
                    .add_column(text_null(SecondFactors::Credential))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SecondFactors::Table)
                    .add_column(string_len_null(SecondFactors::CredentialId, 1400))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_second_factors_credential")
                    .table(SecondFactors::Table)
                    .col(SecondFactors::CredentialId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_second_factors_credential")
                    .table(SecondFactors::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SecondFactors::Table)
                    .drop_column(SecondFactors::CredentialId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SecondFactors::Table)
                    .drop_column(SecondFactors::Credential)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    Credential,
    CredentialId,
}
