//! Row locks and conditional seat updates shared by the site and user writes.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use crate::entities::{site, user};
use crate::error::{Code, Error, Result};

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

/// A site's own users and used seats, counted from the rows; refused when over its limit.
pub(crate) async fn recount(conn: &impl ConnectionTrait, site_id: i32) -> Result<()> {
    let Some(found) = site::Entity::find_by_id(site_id).one(conn).await? else {
        return Ok(());
    };
    let own = user::Entity::find()
        .filter(user::Column::SiteId.eq(site_id))
        .count(conn)
        .await?;
    let children: Vec<i32> = site::Entity::find()
        .select_only()
        .column(site::Column::SeatLimit)
        .filter(site::Column::ParentId.eq(site_id))
        .into_tuple()
        .all(conn)
        .await?;
    let own = i32::try_from(own).unwrap_or(i32::MAX);
    let used = own.saturating_add(children.iter().sum::<i32>());
    if used > found.seat_limit {
        return Err(Error::RefusedAt(Code::NoFreeSeat, vec![found.name]));
    }
    site::Entity::update_many()
        .col_expr(site::Column::OwnUsers, Expr::value(own))
        .col_expr(site::Column::UsedSeats, Expr::value(used))
        .filter(site::Column::Id.eq(site_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The parents of `sites` (whose used seats hold the sites' limits).
pub(crate) async fn parents_of(conn: &impl ConnectionTrait, sites: &[i32]) -> Result<Vec<i32>> {
    let mut found = Vec::new();
    for chunk in sites.chunks(1000) {
        let parents: Vec<Option<i32>> = site::Entity::find()
            .select_only()
            .column(site::Column::ParentId)
            .filter(site::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(parents.into_iter().flatten());
    }
    Ok(found)
}
