//! Users: the paged list, creation in a site (needs a free seat), activation, deletion.
mod account;
pub mod bulk;
mod create;
mod cursor;
mod delete;
mod export;
mod list;
mod set_active;
mod target;

pub(crate) use account::account_of;
pub use account::{my_account, Account};
pub use bulk::{bulk, run_job, BulkAction, BulkJob, BulkReport, Selection, INLINE_LIMIT};
pub use create::{create, insert_unchecked, NewUser, NewUserForm};
pub use cursor::{Cursor, Position, SortKey};
pub use delete::delete;
pub use export::{export, Download, EXPORT_LIMIT};
pub(crate) use list::placed_in;
pub use list::{
    count, count_users, filtered_query, list, list_query, page, walked_query, Count, ListFilter,
    Listed, ListedPage, PropertyParts, UserPage, UserQuery, UserRow, UserSort, COUNT_LIMIT,
    PAGE_SIZE, WALKED,
};
pub use set_active::set_active;
pub use target::{authorities, authority, own_or_target, target, Target};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entities::{licence, session, subscription, user};
use crate::error::{Error, Result};
use crate::sites::{self, Resolved};
use crate::Db;

/// A user's row by id, read once per page rendering however many of its server functions ask
/// (the header and the announcements both read the signed-in user).
pub(crate) async fn row_of(db: &Db, user_id: i32) -> Result<Option<user::Model>> {
    Ok(row_and_site_of(db, user_id).await?.map(|(row, _)| row))
}

/// A user's row and their site's.
pub(crate) type RowAndSite = (user::Model, Option<crate::entities::site::Model>);

/// A user's row by id with their site's (the header names it), in one statement, read once per
/// page rendering as [`row_of`].
pub(crate) async fn row_and_site_of(db: &Db, user_id: i32) -> Result<Option<RowAndSite>> {
    db.kept(
        |m| &m.users,
        user_id,
        || async {
            Ok(user::Entity::find_by_id(user_id)
                .find_also_related(crate::entities::site::Entity)
                .one(db.conn())
                .await?)
        },
    )
    .await
}

/// How the journal and messages name a user: "First Last (username)".
pub fn user_label(user: &user::Model) -> String {
    format!("{} {} ({})", user.first_name, user.last_name, user.username)
}

/// A user with their site's ancestry, for access decisions.
pub async fn resolve(db: &Db, public_id: Uuid) -> Result<(user::Model, Resolved)> {
    let found = user::Entity::find()
        .filter(user::Column::PublicId.eq(public_id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    Ok((found, site))
}

/// A user's e-mail address, if they have one.
pub(crate) async fn email_of(db: &Db, user_id: i32) -> Result<Option<String>> {
    Ok(user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::Email)
        .into_tuple::<Option<String>>()
        .one(db.conn())
        .await?
        .flatten())
}

/// Ends every session of a user (deactivation, deletion, a new password).
pub(crate) async fn end_sessions(conn: &impl ConnectionTrait, user_id: i32) -> Result<()> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes a user and frees their seat, in the caller's transaction; no access check. Their
/// licences go here (the subscriptions' counts follow); everything else of theirs goes in
/// [`crate::privacy::erase`], which answers the name the journal gives them from now on.
pub(crate) async fn remove_unchecked(
    conn: &impl ConnectionTrait,
    target: &user::Model,
) -> Result<crate::audit::Target> {
    // Their licences go and the seats of those subscriptions are free again.
    let held: Vec<i32> = licence::Entity::find()
        .filter(licence::Column::UserId.eq(target.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.subscription_id)
        .collect();
    if !held.is_empty() {
        licence::Entity::delete_many()
            .filter(licence::Column::UserId.eq(target.id))
            .exec(conn)
            .await?;
        subscription::Entity::update_many()
            .col_expr(
                subscription::Column::Assigned,
                sea_orm::sea_query::Expr::col(subscription::Column::Assigned).sub(1),
            )
            .filter(subscription::Column::Id.is_in(held))
            .exec(conn)
            .await?;
    }
    // Everything else of theirs, and their name wherever it was copied.
    let erased = crate::privacy::erase(conn, target).await?;
    let deleted = user::Entity::delete_by_id(target.id).exec(conn).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    sites::release_seats(conn, target.site_id, 1, 1).await?;
    Ok(erased)
}

/// The acting principal's own account.
pub async fn own_account(db: &Db, principal: &crate::Principal) -> Result<user::Model> {
    let id = principal.user_id().ok_or(Error::Unauthenticated)?;
    user::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(Error::Unauthenticated)
}
