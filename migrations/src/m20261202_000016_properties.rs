//! Custom properties per organisation (e.g. "Personal budget", "Department"): a definition
//! with labels in nl/fr/en and a type (text, number, date, choice), and one value per user.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PropertyDefinitions::Table)
                    .col(pk_auto(PropertyDefinitions::Id))
                    .col(uuid_uniq(PropertyDefinitions::PublicId))
                    // The organisation (root site) that owns it.
                    .col(integer(PropertyDefinitions::SiteId))
                    // Stable within the organisation: import columns and group rules use it.
                    .col(string_len(PropertyDefinitions::Key, 40))
                    .col(string_len(PropertyDefinitions::LabelNl, 100))
                    .col(string_len(PropertyDefinitions::LabelFr, 100))
                    .col(string_len(PropertyDefinitions::LabelEn, 100))
                    // `text`, `number`, `date` or `choice`.
                    .col(string_len(PropertyDefinitions::Kind, 10))
                    // For `choice`: the options, one per line.
                    .col(text_null(PropertyDefinitions::Choices))
                    .col(boolean(PropertyDefinitions::Required))
                    .col(timestamp_with_time_zone(PropertyDefinitions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PropertyDefinitions::Table, PropertyDefinitions::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_property_definitions_site_key")
                    .table(PropertyDefinitions::Table)
                    .col(PropertyDefinitions::SiteId)
                    .col(PropertyDefinitions::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PropertyValues::Table)
                    .col(pk_auto(PropertyValues::Id))
                    .col(integer(PropertyValues::UserId))
                    .col(integer(PropertyValues::DefinitionId))
                    // Normalised: numbers with a dot, dates as YYYY-MM-DD, choices as defined.
                    .col(text(PropertyValues::Value))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PropertyValues::Table, PropertyValues::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PropertyValues::Table, PropertyValues::DefinitionId)
                            .to(PropertyDefinitions::Table, PropertyDefinitions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_property_values_user_definition")
                    .table(PropertyValues::Table)
                    .col(PropertyValues::UserId)
                    .col(PropertyValues::DefinitionId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PropertyValues::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PropertyDefinitions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PropertyDefinitions {
    Table,
    Id,
    PublicId,
    SiteId,
    Key,
    LabelNl,
    LabelFr,
    LabelEn,
    Kind,
    Choices,
    Required,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PropertyValues {
    Table,
    Id,
    UserId,
    DefinitionId,
    Value,
}
