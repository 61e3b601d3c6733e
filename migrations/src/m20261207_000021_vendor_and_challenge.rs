//! The vendor's organisation is marked (not found by its name), and the proof-of-work
//! challenge of self-registration and serial sign-up: the server's persisted secrets and the
//! challenges already used (kept until they expire, so every process refuses a replay).
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
                    .add_column(boolean(Sites::IsVendor).default(false))
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        // One vendor organisation at most (a partial unique index, on both databases).
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_sites_vendor ON sites (is_vendor) WHERE is_vendor",
        )
        .await?;
        // The existing vendor organisation: the root of the operators' sites, if any.
        conn.execute_unprepared(
            "UPDATE sites SET is_vendor = TRUE WHERE id = (\
                SELECT MIN(s.id) FROM sites s \
                JOIN site_closure c ON c.ancestor_id = s.id \
                JOIN users u ON u.site_id = c.descendant_id \
                WHERE s.parent_id IS NULL AND u.is_operator = TRUE)",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServerSecrets::Table)
                    .col(string_len(ServerSecrets::Name, 40).primary_key())
                    .col(string_len(ServerSecrets::Secret, 128))
                    .col(timestamp_with_time_zone(ServerSecrets::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UsedChallenges::Table)
                    // The challenge's SHA-256 (hex): it can be used once.
                    .col(string_len(UsedChallenges::Challenge, 64).primary_key())
                    .col(timestamp_with_time_zone(UsedChallenges::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_used_challenges_expiry")
                    .table(UsedChallenges::Table)
                    .col(UsedChallenges::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UsedChallenges::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ServerSecrets::Table).to_owned())
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_sites_vendor")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .drop_column(Sites::IsVendor)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    IsVendor,
}

#[derive(DeriveIden)]
enum ServerSecrets {
    Table,
    Name,
    Secret,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UsedChallenges {
    Table,
    Challenge,
    ExpiresAt,
}
