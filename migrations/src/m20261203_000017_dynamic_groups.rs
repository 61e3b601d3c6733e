//! Dynamic groups: a named rule over custom properties within a site's subtree, whose members
//! a scheduled job recomputes; a group may grant its members a product licence or a role on a
//! site, and the licences and grants it gave carry its id so that leaving takes them away.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DynamicGroups::Table)
                    .col(pk_auto(DynamicGroups::Id))
                    .col(uuid_uniq(DynamicGroups::PublicId))
                    // Members are placed in this site or below it.
                    .col(integer(DynamicGroups::SiteId))
                    .col(string_len(DynamicGroups::Name, 100))
                    // JSON: the conditions over properties, all of which must hold.
                    .col(text(DynamicGroups::Rule))
                    .col(boolean(DynamicGroups::Active))
                    // `hourly`, `nightly` or `manual`.
                    .col(string_len(DynamicGroups::Schedule, 10))
                    .col(timestamp_with_time_zone_null(DynamicGroups::NextRunAt))
                    .col(integer_null(DynamicGroups::GrantProductId))
                    .col(integer_null(DynamicGroups::GrantRoleId))
                    .col(integer_null(DynamicGroups::GrantSiteId))
                    .col(timestamp_with_time_zone_null(DynamicGroups::LastRunAt))
                    .col(integer(DynamicGroups::LastJoined).default(0))
                    .col(integer(DynamicGroups::LastLeft).default(0))
                    // Members the last run could not give a licence (none free).
                    .col(integer(DynamicGroups::LastUngranted).default(0))
                    // Why the last run changed nothing (an error code), if it did not.
                    .col(string_len_null(DynamicGroups::LastProblem, 100))
                    .col(timestamp_with_time_zone(DynamicGroups::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DynamicGroups::Table, DynamicGroups::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DynamicGroups::Table, DynamicGroups::GrantProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DynamicGroups::Table, DynamicGroups::GrantRoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DynamicGroups::Table, DynamicGroups::GrantSiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_dynamic_groups_site_name")
                    .table(DynamicGroups::Table)
                    .col(DynamicGroups::SiteId)
                    .col(DynamicGroups::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(pk_auto(GroupMembers::Id))
                    .col(integer(GroupMembers::GroupId))
                    .col(integer(GroupMembers::UserId))
                    .col(timestamp_with_time_zone(GroupMembers::Since))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupMembers::Table, GroupMembers::GroupId)
                            .to(DynamicGroups::Table, DynamicGroups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupMembers::Table, GroupMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_group_members_group_user")
                    .table(GroupMembers::Table)
                    .col(GroupMembers::GroupId)
                    .col(GroupMembers::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_group_members_user")
                    .table(GroupMembers::Table)
                    .col(GroupMembers::UserId)
                    .to_owned(),
            )
            .await?;
        // Rules look values up by property and value.
        manager
            .create_index(
                Index::create()
                    .name("ix_property_values_definition_value")
                    .table(PropertyValues::Table)
                    .col(PropertyValues::DefinitionId)
                    .col(PropertyValues::Value)
                    .to_owned(),
            )
            .await?;
        // What a group gave (no foreign key: SQLite cannot add one to an existing table; the
        // group's removal takes its licences and grants away first).
        for (table, name) in [
            (Licences::Table.into_iden(), "ix_licences_group"),
            (RoleGrants::Table.into_iden(), "ix_role_grants_group"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(integer_null(Licences::GroupId))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(Licences::GroupId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Licences::Table.into_iden(), RoleGrants::Table.into_iden()] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Licences::GroupId)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_property_values_definition_value")
                    .table(PropertyValues::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(GroupMembers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DynamicGroups::Table).to_owned())
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
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PropertyValues {
    Table,
    DefinitionId,
    Value,
}

#[derive(DeriveIden)]
enum Licences {
    Table,
    GroupId,
}

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
}

#[derive(DeriveIden)]
enum DynamicGroups {
    Table,
    Id,
    PublicId,
    SiteId,
    Name,
    Rule,
    Active,
    Schedule,
    NextRunAt,
    GrantProductId,
    GrantRoleId,
    GrantSiteId,
    LastRunAt,
    LastJoined,
    LastLeft,
    LastUngranted,
    LastProblem,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    Id,
    GroupId,
    UserId,
    Since,
}
