//! tower-sessions store over the domain's session table (SQLite or PostgreSQL).
use async_trait::async_trait;
use chrono::{DateTime, Utc};
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

fn encode(record: &Record) -> Result<(String, Option<i32>, DateTime<Utc>)> {
    let data = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
    let user_id = record
        .data
        .get(app::ssr::SESSION_USER)
        .and_then(|v| v.as_i64())
        .and_then(|v| i32::try_from(v).ok());
    let expires = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| Error::Encode("expiry out of range".into()))?;
    Ok((data, user_id, expires))
}

fn backend(err: domain::Error) -> Error {
    Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let (data, user_id, expires) = encode(record)?;
            let id = record.id.to_string();
            if domain::sessions::create(&self.db, &id, user_id, data, expires)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (data, user_id, expires) = encode(record)?;
        domain::sessions::save(&self.db, &record.id.to_string(), user_id, data, expires)
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
