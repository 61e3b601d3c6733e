//! Users: the paged list, creation in a site (needs a free seat), activation, deletion.
pub mod bulk;
mod create;
mod delete;
mod export;
mod list;
mod set_active;

pub use bulk::{bulk, run_job, BulkAction, BulkJob, BulkReport, Selection, INLINE_LIMIT};
pub use create::{create, insert_unchecked, NewUser, NewUserForm};
pub use delete::delete;
pub use export::{export, EXPORT_LIMIT};
pub use list::{
    filtered_query, list, list_query, UserPage, UserQuery, UserRow, UserSort, PAGE_SIZE,
};
pub use set_active::set_active;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entities::{role_grant, session, sso_link, user};
use crate::error::{Error, Result};
use crate::sites::{self, Resolved};
use crate::Db;

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

/// Removes a user with their sessions and grants and frees their seat, in the caller's
/// transaction; no access check.
pub(crate) async fn remove_unchecked(
    conn: &impl ConnectionTrait,
    target: &user::Model,
) -> Result<()> {
    end_sessions(conn, target.id).await?;
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::UserId.eq(target.id))
        .exec(conn)
        .await?;
    sso_link::Entity::delete_many()
        .filter(sso_link::Column::UserId.eq(target.id))
        .exec(conn)
        .await?;
    let deleted = user::Entity::delete_by_id(target.id).exec(conn).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    sites::release_seats(conn, target.site_id, 1, 1).await
}
