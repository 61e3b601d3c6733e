//! tower-sessions store over the domain's session table (SQLite or PostgreSQL).
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::sessions::Meta;
use domain::Db;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }
}

fn encode(record: &Record) -> Result<(String, Meta, DateTime<Utc>)> {
    use crate::keys::{
        SESSION_CLIENT_ADDRESS, SESSION_METHOD, SESSION_SIGNED_IN_AT, SESSION_USER,
        SESSION_USER_AGENT,
    };
    let data = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
    let text = |key: &str| {
        record
            .data
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let meta = Meta {
        user_id: record
            .data
            .get(SESSION_USER)
            .and_then(|v| v.as_i64())
            .and_then(|v| i32::try_from(v).ok()),
        signed_in_at: record
            .data
            .get(SESSION_SIGNED_IN_AT)
            .and_then(|v| v.as_i64())
            .and_then(|v| DateTime::<Utc>::from_timestamp(v, 0)),
        user_agent: text(SESSION_USER_AGENT),
        client_address: text(SESSION_CLIENT_ADDRESS),
        method: text(SESSION_METHOD),
    };
    let expires = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| Error::Encode("expiry out of range".into()))?;
    Ok((data, meta, expires))
}

fn backend(err: domain::Error) -> Error {
    Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let (data, meta, expires) = encode(record)?;
            let id = record.id.to_string();
            if domain::sessions::create(&self.db, &id, meta, data, expires)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (data, meta, expires) = encode(record)?;
        domain::sessions::save(&self.db, &record.id.to_string(), meta, data, expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(stored) = domain::sessions::load(&self.db, &id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        serde_json::from_str(&stored.data)
            .map(Some)
            .map_err(|e| Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        domain::sessions::delete(&self.db, &id.to_string())
            .await
            .map_err(backend)
    }
}
