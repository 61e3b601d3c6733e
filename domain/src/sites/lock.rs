//! Row locks and conditional seat updates shared by the site and user writes.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};

use crate::entities::site;
use crate::error::{Error, Result};

/// Locks a site row for the rest of the transaction and returns its current state.
/// (A no-op UPDATE: PostgreSQL takes the row lock, SQLite the write lock.)
pub(crate) async fn lock_site(conn: &impl ConnectionTrait, site_id: i32) -> Result<site::Model> {
    let touched = site::Entity::update_many()
        .col_expr(site::Column::UsedSeats, Expr::col(site::Column::UsedSeats))
        .filter(site::Column::Id.eq(site_id))
        .exec(conn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    site::Entity::find_by_id(site_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// Takes `seats` from a site if that many are free; false when they are not (or the site is
/// gone). One statement, so concurrent takers are serialised by the database.
pub(crate) async fn take_seats(
    conn: &impl ConnectionTrait,
    site_id: i32,
    seats: i32,
    own_users: i32,
) -> Result<bool> {
    let taken = site::Entity::update_many()
        .col_expr(
            site::Column::UsedSeats,
            Expr::col(site::Column::UsedSeats).add(seats),
        )
        .col_expr(
            site::Column::OwnUsers,
            Expr::col(site::Column::OwnUsers).add(own_users),
        )
        .filter(site::Column::Id.eq(site_id))
        .filter(
            Expr::col(site::Column::UsedSeats)
                .add(seats)
                .lte(Expr::col(site::Column::SeatLimit)),
        )
        .exec(conn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Gives seats back (a user or subsite left the site).
pub(crate) async fn release_seats(
    conn: &impl ConnectionTrait,
    site_id: i32,
    seats: i32,
    own_users: i32,
) -> Result<()> {
    site::Entity::update_many()
        .col_expr(
            site::Column::UsedSeats,
            Expr::col(site::Column::UsedSeats).sub(seats),
        )
        .col_expr(
            site::Column::OwnUsers,
            Expr::col(site::Column::OwnUsers).sub(own_users),
        )
        .filter(site::Column::Id.eq(site_id))
        .exec(conn)
        .await?;
    Ok(())
}
