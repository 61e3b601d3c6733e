//! The audit journal: one row per administrative change, written in the change's transaction.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    // No foreign keys: the journal outlives the users and sites it names, so
                    // it keeps their names as they were.
                    .col(integer_null(AuditEvents::ActorId))
                    .col(string_len(AuditEvents::ActorName, 100))
                    .col(string_len(AuditEvents::Action, 40))
                    .col(string_len(AuditEvents::TargetKind, 20))
                    .col(string_len(AuditEvents::TargetLabel, 300))
                    // The site in whose subtree the change happened (for a deletion: the parent).
                    .col(integer(AuditEvents::SiteId))
                    .col(string_len(AuditEvents::SiteName, 200))
                    // Before/after pairs as JSON: [{"field": ..., "before": ..., "after": ...}].
                    .col(text(AuditEvents::Changes))
                    .col(string_len_null(AuditEvents::ClientAddress, 64))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_audit_site_at",
                vec![AuditEvents::SiteId, AuditEvents::At],
            ),
            ("idx_audit_at", vec![AuditEvents::At]),
            ("idx_audit_actor", vec![AuditEvents::ActorId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvents::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    Action,
    TargetKind,
    TargetLabel,
    SiteId,
    SiteName,
    Changes,
    ClientAddress,
}
