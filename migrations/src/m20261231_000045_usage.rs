//! Usage insights: a log of what users do that the vendor and administrators chart (sign-ins,
//! failed sign-ins, application sessions), rolled up each day into a small table per site and
//! product, so that charts never read the log.
//!
//! - `usage_events`: one row per sign-in (written by the sign-in itself) and per application
//!   session — written by triggers on `app_sessions`, so that every way a session opens or
//!   ends (a heartbeat timing out, an administrator ending it, a device removed, the user
//!   deleted) is logged: an insert logs its opening, a delete sets its end to its last sign of
//!   life. Kept a few weeks (housekeeping), long enough for late roll-ups.
//! - `usage_days`: per day (in the organisation's time zone), site and product (0: all), the
//!   counts the charts show; a subtree's figures are the sum of its sites' (a user is in one
//!   site), except its peak of concurrent sessions, which is kept per site *and* per ancestor
//!   (`peak_sessions` of a site counts the sessions of its whole subtree).
//! - `usage_rollups`: the days rolled up, with the last event seen, so that events logged after
//!   their day was rolled up (a late sign-in of a slow process) roll that day up again.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsageEvents {
    Table,
    Id,
    At,
    Kind,
    UserId,
    SiteId,
    ProductId,
    SessionId,
    EndedAt,
}

#[derive(DeriveIden)]
enum UsageDays {
    Table,
    Day,
    SiteId,
    ProductId,
    SignIns,
    SignInFailures,
    ActiveUsers,
    AppSessions,
    PeakSessions,
    Licences,
}

#[derive(DeriveIden)]
enum UsageRollups {
    Table,
    Day,
    RolledAt,
    LastEventId,
}

/// The user's site as the triggers find it.
const SITE_OF_USER: &str = "(SELECT site_id FROM users WHERE id = NEW.user_id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UsageEvents::Table)
                    .col(pk_auto(UsageEvents::Id))
                    .col(timestamp_with_time_zone(UsageEvents::At))
                    .col(string_len(UsageEvents::Kind, 20))
                    .col(integer_null(UsageEvents::UserId))
                    .col(integer(UsageEvents::SiteId))
                    .col(integer_null(UsageEvents::ProductId))
                    .col(integer_null(UsageEvents::SessionId))
                    .col(timestamp_with_time_zone_null(UsageEvents::EndedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_usage_events_at", UsageEvents::At),
            ("idx_usage_events_session", UsageEvents::SessionId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(UsageEvents::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(UsageDays::Table)
                    .col(date(UsageDays::Day))
                    .col(integer(UsageDays::SiteId))
                    .col(integer(UsageDays::ProductId))
                    .col(integer(UsageDays::SignIns))
                    .col(integer(UsageDays::SignInFailures))
                    .col(integer(UsageDays::ActiveUsers))
                    .col(integer(UsageDays::AppSessions))
                    .col(integer(UsageDays::PeakSessions))
                    .col(integer_null(UsageDays::Licences))
                    .primary_key(
                        Index::create()
                            .col(UsageDays::Day)
                            .col(UsageDays::SiteId)
                            .col(UsageDays::ProductId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_days_site")
                    .table(UsageDays::Table)
                    .col(UsageDays::SiteId)
                    .col(UsageDays::ProductId)
                    .col(UsageDays::Day)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UsageRollups::Table)
                    .col(date(UsageRollups::Day).primary_key())
                    .col(timestamp_with_time_zone(UsageRollups::RolledAt))
                    .col(integer(UsageRollups::LastEventId))
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        let opened = format!(
            "INSERT INTO usage_events (at, kind, user_id, site_id, product_id, session_id) \
             VALUES (NEW.opened_at, 'app_session', NEW.user_id, {SITE_OF_USER}, NEW.product_id, NEW.id)"
        );
        let ended = "UPDATE usage_events SET ended_at = OLD.last_seen_at \
             WHERE session_id = OLD.id AND kind = 'app_session'";
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION licentia_app_session_usage() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     IF TG_OP = 'INSERT' THEN {opened}; RETURN NEW; \
                     ELSE {ended}; RETURN OLD; END IF; END $$"
                ))
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER app_sessions_usage AFTER INSERT OR DELETE ON app_sessions \
                     FOR EACH ROW EXECUTE FUNCTION licentia_app_session_usage()",
                )
                .await?;
            }
            _ => {
                conn.execute_unprepared(&format!(
                    "CREATE TRIGGER app_sessions_usage_open AFTER INSERT ON app_sessions \
                     BEGIN {opened}; END"
                ))
                .await?;
                conn.execute_unprepared(&format!(
                    "CREATE TRIGGER app_sessions_usage_end AFTER DELETE ON app_sessions \
                     BEGIN {ended}; END"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "DROP TRIGGER IF EXISTS app_sessions_usage ON app_sessions",
                )
                .await?;
                conn.execute_unprepared("DROP FUNCTION IF EXISTS licentia_app_session_usage()")
                    .await?;
            }
            _ => {
                for name in ["app_sessions_usage_open", "app_sessions_usage_end"] {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                        .await?;
                }
            }
        }
        for table in ["usage_rollups", "usage_days", "usage_events"] {
            conn.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
