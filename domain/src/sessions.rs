//! Storage of the server-side sessions (the web layer's session store is a thin adapter).
//! Sessions live in the database, so they survive restarts and are shared by all processes.
//! A signed-in user sees their own sessions on the profile and can end them.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entities::session;
use crate::error::{Error, Result};
use crate::{Db, Principal};

pub struct StoredSession {
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

/// What the session's data says about who signed in, when, how and from where; kept in
/// columns so that the profile can list a user's sessions and all of them can end at once.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub user_id: Option<i32>,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub user_agent: Option<String>,
    pub client_address: Option<String>,
    /// `password` or the single sign-on provider's key.
    pub method: Option<String>,
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

fn row(id: &str, meta: Meta, data: String, expires_at: DateTime<Utc>) -> session::ActiveModel {
    let clip = |text: Option<String>, max: usize| text.map(|t| t.chars().take(max).collect());
    session::ActiveModel {
        id: Set(id.to_string()),
        user_id: Set(meta.user_id),
        data: Set(data),
        expires_at: Set(expires_at),
        signed_in_at: Set(meta.signed_in_at),
        user_agent: Set(clip(meta.user_agent, 200)),
        client_address: Set(clip(meta.client_address, 64)),
        method: Set(clip(meta.method, 40)),
    }
}

/// Inserts or replaces a session.
pub async fn save(
    db: &Db,
    id: &str,
    meta: Meta,
    data: String,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    session::Entity::insert(row(id, meta, data, expires_at))
        .on_conflict(
            OnConflict::column(session::Column::Id)
                .update_columns([
                    session::Column::UserId,
                    session::Column::Data,
                    session::Column::ExpiresAt,
                    session::Column::SignedInAt,
                    session::Column::UserAgent,
                    session::Column::ClientAddress,
                    session::Column::Method,
                ])
                .to_owned(),
        )
        .exec(&*db.autocommit().await)
        .await?;
    Ok(())
}

/// Inserts a session only if the id is new; false on a collision.
pub async fn create(
    db: &Db,
    id: &str,
    meta: Meta,
    data: String,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    let inserted = session::Entity::insert(row(id, meta, data, expires_at))
        .on_conflict_do_nothing()
        .exec_without_returning(&*db.autocommit().await)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(1)))
}

pub async fn delete(db: &Db, id: &str) -> Result<()> {
    session::Entity::delete_by_id(id.to_string())
        .exec(&*db.autocommit().await)
        .await?;
    Ok(())
}

pub async fn delete_expired(db: &Db) -> Result<u64> {
    let deleted = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(Utc::now()))
        .exec(&*db.autocommit().await)
        .await?;
    Ok(deleted.rows_affected)
}

/// One of the user's own sessions as the profile lists it. The session id is the cookie's
/// secret, so the page only ever sees a digest of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub handle: String,
    pub current: bool,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub client_address: Option<String>,
    pub method: Option<String>,
}

fn handle(id: &str) -> String {
    crate::tokens::digest(id).chars().take(16).collect()
}

fn own_user(principal: &Principal) -> Result<i32> {
    match principal {
        Principal::User(actor) => Ok(actor.user_id),
        Principal::Anonymous => Err(Error::Unauthenticated),
    }
}

/// The signed-in user's live sessions, newest first; `current` is this request's session id.
pub async fn mine(db: &Db, principal: &Principal, current: Option<&str>) -> Result<Vec<Listed>> {
    let user_id = own_user(principal)?;
    let rows = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(session::Column::SignedInAt)
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|s| Listed {
            handle: handle(&s.id),
            current: current == Some(s.id.as_str()),
            signed_in_at: s.signed_in_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            client_address: s.client_address,
            method: s.method,
        })
        .collect())
}

/// Ends one of the signed-in user's own sessions, named by its handle.
pub async fn end(db: &Db, principal: &Principal, wanted: &str) -> Result<()> {
    let user_id = own_user(principal)?;
    let ids: Vec<String> = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|s| s.id)
        .filter(|id| handle(id) == wanted)
        .collect();
    if ids.is_empty() {
        return Err(Error::NotFound);
    }
    session::Entity::delete_many()
        .filter(session::Column::Id.is_in(ids))
        .exec(&*db.autocommit().await)
        .await?;
    Ok(())
}

/// Ends every session of the signed-in user except `current`.
pub async fn end_others(db: &Db, principal: &Principal, current: &str) -> Result<u64> {
    let user_id = own_user(principal)?;
    let ended = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.ne(current))
        .exec(&*db.autocommit().await)
        .await?;
    Ok(ended.rows_affected)
}
