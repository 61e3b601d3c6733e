//! Licence purchase requests: an organisation asks the vendor for more licences (quantity,
//! activation date, contact); the operators see them in their inbox and mark them handled.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PurchaseRequests::Table)
                    .col(pk_auto(PurchaseRequests::Id))
                    .col(uuid_uniq(PurchaseRequests::PublicId))
                    // The organisation (root site) the licences are for.
                    .col(integer(PurchaseRequests::SiteId))
                    // Who asked (kept as text too: the request outlives the account).
                    .col(integer_null(PurchaseRequests::RequestedBy))
                    .col(string_len(PurchaseRequests::RequesterName, 200))
                    .col(integer(PurchaseRequests::Quantity))
                    .col(date(PurchaseRequests::ActivationOn))
                    .col(string_len(PurchaseRequests::Email, 254))
                    .col(string_len_null(PurchaseRequests::Phone, 40))
                    .col(text_null(PurchaseRequests::Comment))
                    // `new` or `handled`.
                    .col(string_len(PurchaseRequests::Status, 20))
                    .col(timestamp_with_time_zone(PurchaseRequests::CreatedAt))
                    .col(timestamp_with_time_zone_null(PurchaseRequests::HandledAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PurchaseRequests::Table, PurchaseRequests::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_purchase_requests_requested_by")
                    .table(PurchaseRequests::Table)
                    .col(PurchaseRequests::RequestedBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PurchaseRequests::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PurchaseRequests {
    Table,
    Id,
    PublicId,
    SiteId,
    RequestedBy,
    RequesterName,
    Quantity,
    ActivationOn,
    Email,
    Phone,
    Comment,
    Status,
    CreatedAt,
    HandledAt,
}
