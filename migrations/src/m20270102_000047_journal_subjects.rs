//! Erasure that is complete: each journal entry about a user names that user by number
//! (`audit_events.subject_user_id`, indexed), so that erasing them finds every entry about them
//! whatever their name was then, and replaces their name there by a pseudonym. Entries written
//! before this migration get the number of the user whose label they carry now.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    SubjectUserId,
}

const INDEX: &str = "idx_audit_events_subject";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(integer_null(AuditEvents::SubjectUserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(AuditEvents::Table)
                    .col(AuditEvents::SubjectUserId)
                    .to_owned(),
            )
            .await?;
        // The entries about users so far: by the label they were written with, if it is still
        // someone's (the same text on both databases: UPDATE … FROM is SQLite's since 3.33).
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE audit_events SET subject_user_id = u.id FROM users u \
                 WHERE audit_events.target_kind = 'user' AND audit_events.target_label = \
                   u.first_name || ' ' || u.last_name || ' (' || u.username || ')'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(AuditEvents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .drop_column(AuditEvents::SubjectUserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
