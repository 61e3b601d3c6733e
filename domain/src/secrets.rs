//! The server's own secrets (32 random bytes each, by name), made by whichever process needs
//! one first and then shared by all: the sign-up challenge's HMAC key, the key the users'
//! licence keys are derived from.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::cache::{self, TtlCache};
use crate::entities::server_secret;
use crate::error::{Error, Result};
use crate::tokens::{hex, unhex};
use crate::Db;

static SECRETS: TtlCache<(u64, &'static str), Vec<u8>> = TtlCache::new();

/// The secret `name`, made when missing.
pub(crate) async fn named(db: &Db, name: &'static str) -> Result<Vec<u8>> {
    if let Some(hit) = SECRETS.get(&(db.id(), name)) {
        return Ok(hit);
    }
    let generation = cache::generation();
    let find = || async {
        server_secret::Entity::find_by_id(name.to_string())
            .one(db.conn())
            .await
    };
    let bytes = match find().await? {
        Some(found) => unhex(&found.secret),
        None => {
            let bytes: [u8; 32] = rand::random();
            let inserted = server_secret::ActiveModel {
                name: Set(name.to_string()),
                secret: Set(hex(&bytes)),
                created_at: Set(Utc::now()),
            }
            .insert(&*db.autocommit().await)
            .await;
            match inserted {
                Ok(_) => Some(bytes.to_vec()),
                // Another process was first: use its secret.
                Err(_) => find().await?.and_then(|found| unhex(&found.secret)),
            }
        }
    };
    let bytes = bytes.ok_or_else(|| Error::Internal(format!("server secret {name}")))?;
    SECRETS.put((db.id(), name), generation, bytes.clone());
    Ok(bytes)
}
