//! Indexes for the paths every request or every sync takes, found by reading each hot query's
//! plan on SQLite and PostgreSQL (`domain/tests/it/plans.rs` keeps them honest): users by
//! personnel number (HR sync, imports), subscriptions by site (seat counts, the subscription
//! list), one-time tokens by user (ended on a new password), import runs by site.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &str)] = &[
    ("idx_users_personnel_number", "users", "personnel_number"),
    ("idx_subscriptions_site", "subscriptions", "site_id"),
    ("idx_user_tokens_user", "user_tokens", "user_id"),
    ("idx_import_runs_site", "import_runs", "site_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(Alias::new(*table))
                        .col(Alias::new(*column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
