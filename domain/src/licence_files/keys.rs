//! The vendor's signing keys. The newest key not retired signs; [`rotate`] makes a new one and
//! retires the others, which stay published so that the files they signed keep verifying
//! until those expire; [`remove`] stops publishing a retired key, and files it signed are
//! refused from then on. The first file made creates a key when there is none. Keys are read
//! through the process's cache, so a rotation reaches every process within its lifetime.
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::format::{Jwk, Jwks};
use crate::cache::{self, TtlCache};
use crate::entities::signing_key;
use crate::error::{Code, Error, Result};
use crate::Db;

/// A key as the CLI lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub created_at: DateTime<Utc>,
    /// Set once a newer key signs; the key is still published.
    pub retired_at: Option<DateTime<Utc>>,
    /// The public key (32 bytes, base64url).
    pub public: String,
}

/// The key that signs, with its id.
pub(crate) struct Signer {
    pub kid: String,
    pub key: SigningKey,
}

static SIGNERS: TtlCache<u64, Arc<Signer>> = TtlCache::new();
static PUBLISHED: TtlCache<u64, Arc<Jwks>> = TtlCache::new();

fn info(model: &signing_key::Model) -> KeyInfo {
    KeyInfo {
        kid: model.kid.clone(),
        created_at: model.created_at,
        retired_at: model.retired_at,
        public: model.public.clone(),
    }
}

/// Every key, newest first.
pub async fn list(db: &Db) -> Result<Vec<KeyInfo>> {
    Ok(signing_key::Entity::find()
        .order_by_desc(signing_key::Column::CreatedAt)
        .order_by_desc(signing_key::Column::Id)
        .all(db.conn())
        .await?
        .iter()
        .map(info)
        .collect())
}

fn kid_of(now: DateTime<Utc>) -> String {
    let random: [u8; 6] = rand::random();
    format!("{}-{}", now.format("%Y%m%d"), B64.encode(random))
}

/// A new key that signs from now on; the others are retired (and still published).
pub async fn rotate(db: &Db, now: DateTime<Utc>) -> Result<KeyInfo> {
    let secret: [u8; 32] = rand::random();
    let key = SigningKey::from_bytes(&secret);
    let txn = db.write().await?;
    signing_key::Entity::update_many()
        .col_expr(signing_key::Column::RetiredAt, Expr::value(now))
        .filter(signing_key::Column::RetiredAt.is_null())
        .exec(&*txn)
        .await?;
    let created = signing_key::ActiveModel {
        kid: Set(kid_of(now)),
        secret: Set(B64.encode(secret)),
        public: Set(B64.encode(key.verifying_key().as_bytes())),
        created_at: Set(now),
        retired_at: Set(None),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(info(&created))
}

/// Stops publishing a retired key: files it signed are refused from now on. The key that
/// signs cannot be removed (rotate first).
pub async fn remove(db: &Db, kid: &str) -> Result<()> {
    let found = signing_key::Entity::find()
        .filter(signing_key::Column::Kid.eq(kid))
        .one(db.conn())
        .await?
        .ok_or(Error::NotFound)?;
    if found.retired_at.is_none() {
        return Err(Error::Refused(Code::SigningKeyInUse));
    }
    let txn = db.write().await?;
    signing_key::Entity::delete_by_id(found.id)
        .exec(&*txn)
        .await?;
    txn.commit().await
}

fn signer_of(model: &signing_key::Model) -> Result<Signer> {
    let secret: [u8; 32] = B64
        .decode(&model.secret)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| Error::Internal(format!("signing key {}", model.kid)))?;
    Ok(Signer {
        kid: model.kid.clone(),
        key: SigningKey::from_bytes(&secret),
    })
}

/// The key that signs now (made when there is none).
pub(crate) async fn signer(db: &Db) -> Result<Arc<Signer>> {
    if let Some(hit) = SIGNERS.get(&db.id()) {
        return Ok(hit);
    }
    let generation = cache::generation();
    let newest = signing_key::Entity::find()
        .filter(signing_key::Column::RetiredAt.is_null())
        .order_by_desc(signing_key::Column::CreatedAt)
        .order_by_desc(signing_key::Column::Id)
        .one(db.conn())
        .await?;
    let signer = match newest {
        Some(model) => Arc::new(signer_of(&model)?),
        None => {
            // The first file: a key of its own (two processes racing each make one; the newer
            // signs, both are published).
            rotate(db, Utc::now()).await?;
            return Box::pin(signer(db)).await;
        }
    };
    SIGNERS.put(db.id(), generation, signer.clone());
    Ok(signer)
}

/// The published keys: every key not removed, as a JWK Set (the first key is made when there
/// is none yet).
pub async fn published(db: &Db) -> Result<Arc<Jwks>> {
    if let Some(hit) = PUBLISHED.get(&db.id()) {
        return Ok(hit);
    }
    // The key that will sign is published before the first file is made.
    signer(db).await?;
    let generation = cache::generation();
    let keys = signing_key::Entity::find()
        .order_by_desc(signing_key::Column::CreatedAt)
        .order_by_desc(signing_key::Column::Id)
        .all(db.conn())
        .await?;
    let jwks = Arc::new(Jwks {
        keys: keys
            .iter()
            .filter_map(|k| {
                let bytes: [u8; 32] = B64.decode(&k.public).ok()?.try_into().ok()?;
                let public = VerifyingKey::from_bytes(&bytes).ok()?;
                Some(Jwk::ed25519(&k.kid, &public))
            })
            .collect(),
    });
    PUBLISHED.put(db.id(), generation, jwks.clone());
    Ok(jwks)
}
