//! Single sign-on: a user's links to OpenID Connect accounts (issuer + subject), and what the
//! profile shows of each session (when and from where it signed in).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SsoLinks::Table)
                    .col(pk_auto(SsoLinks::Id))
                    .col(integer(SsoLinks::UserId))
                    // The configured provider's key (`google`, `microsoft`, ...): one link per
                    // provider per user.
                    .col(string_len(SsoLinks::Provider, 40))
                    // The identity: the issuer and its subject, never the e-mail.
                    .col(string_len(SsoLinks::Issuer, 255))
                    .col(string_len(SsoLinks::Subject, 255))
                    // Shown to the user so they know which account is linked.
                    .col(string_len_null(SsoLinks::Email, 254))
                    .col(timestamp_with_time_zone(SsoLinks::CreatedAt))
                    .col(timestamp_with_time_zone_null(SsoLinks::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SsoLinks::Table, SsoLinks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "uq_sso_links_identity",
                vec![SsoLinks::Issuer, SsoLinks::Subject],
            ),
            (
                "uq_sso_links_user_provider",
                vec![SsoLinks::UserId, SsoLinks::Provider],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(SsoLinks::Table).unique();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // One column per statement: SQLite alters a column at a time.
        for column in [
            timestamp_with_time_zone_null(Sessions::SignedInAt),
            string_len_null(Sessions::UserAgent, 200),
            string_len_null(Sessions::ClientAddress, 64),
            string_len_null(Sessions::Method, 40),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Sessions::SignedInAt,
            Sessions::UserAgent,
            Sessions::ClientAddress,
            Sessions::Method,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(SsoLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SsoLinks {
    Table,
    Id,
    UserId,
    Provider,
    Issuer,
    Subject,
    Email,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    SignedInAt,
    UserAgent,
    ClientAddress,
    /// `password` or the SSO provider's key.
    Method,
}
