//! Users: the paged list, creation in a site (needs a free seat), activation, deletion.
mod create;
mod delete;
mod list;
mod set_active;

pub use create::{create, insert_unchecked, NewUser, NewUserForm};
pub use delete::delete;
pub use list::{list, list_query, UserPage, UserQuery, UserRow, UserSort, PAGE_SIZE};
pub use set_active::set_active;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::user;
use crate::error::{Error, Result};
use crate::sites::{self, Resolved};
use crate::Db;

/// How the journal and messages name a user: "First Last (username)".
pub(crate) fn user_label(user: &user::Model) -> String {
    format!("{} {} ({})", user.first_name, user.last_name, user.username)
}

/// A user with their site's ancestry, for access decisions.
pub(crate) async fn resolve(db: &Db, public_id: Uuid) -> Result<(user::Model, Resolved)> {
    let found = user::Entity::find()
        .filter(user::Column::PublicId.eq(public_id))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    let site = sites::resolve_by_id(db, found.site_id).await?;
    Ok((found, site))
}
