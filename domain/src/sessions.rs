//! Storage of the server-side sessions (the web layer's session store is a thin adapter).
//! Sessions live in the database, so they survive restarts and are shared by all processes.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entities::session;
use crate::error::Result;
use crate::Db;

pub struct StoredSession {
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn load(db: &Db, id: &str) -> Result<Option<StoredSession>> {
    let found = session::Entity::find_by_id(id.to_string())
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .one(db.conn())
        .await?;
    Ok(found.map(|s| StoredSession {
        data: s.data,
        expires_at: s.expires_at,
    }))
}

/// Inserts or replaces a session. `user_id` is kept in its own column so that all sessions of
/// a user can be ended at once.
pub async fn save(
    db: &Db,
    id: &str,
    user_id: Option<i32>,
    data: String,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    session::Entity::insert(session::ActiveModel {
        id: Set(id.to_string()),
        user_id: Set(user_id),
        data: Set(data),
        expires_at: Set(expires_at),
    })
    .on_conflict(
        OnConflict::column(session::Column::Id)
            .update_columns([
                session::Column::UserId,
                session::Column::Data,
                session::Column::ExpiresAt,
            ])
            .to_owned(),
    )
    .exec(db.conn())
    .await?;
    Ok(())
}

/// Inserts a session only if the id is new; false on a collision.
pub async fn create(
    db: &Db,
    id: &str,
    user_id: Option<i32>,
    data: String,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    let inserted = session::Entity::insert(session::ActiveModel {
        id: Set(id.to_string()),
        user_id: Set(user_id),
        data: Set(data),
        expires_at: Set(expires_at),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db.conn())
    .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(1)))
}

pub async fn delete(db: &Db, id: &str) -> Result<()> {
    session::Entity::delete_by_id(id.to_string())
        .exec(db.conn())
        .await?;
    Ok(())
}

pub async fn delete_expired(db: &Db) -> Result<u64> {
    let deleted = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(Utc::now()))
        .exec(db.conn())
        .await?;
    Ok(deleted.rows_affected)
}
