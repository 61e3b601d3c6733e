//! Products (a reading tool, a text-to-speech tool) and bundles of them (an "Ultimate Bundle"
//! holding all): what the vendor sells and what applications ask about. Operators manage them;
//! a subscription is for a bundle (none: every product).
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::{bundle, bundle_product, product};
use crate::error::{Code, Error, Result};
use crate::{validate, Db, Principal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub public_id: Uuid,
    /// What applications ask for (`reader`).
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub public_id: Uuid,
    pub name: String,
    /// Product keys, sorted.
    pub products: Vec<String>,
    /// What the vendor sells the bundle with besides seats.
    pub limits: crate::applications::Limits,
}

/// A product key: 2 to 40 lower-case letters, digits and dashes.
fn product_key(raw: &str) -> Result<String> {
    let key = raw.trim().to_string();
    let valid = (2..=40).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(key)
    } else {
        Err(Error::invalid("key", Code::ProductKeyInvalid))
    }
}

pub async fn create_product(
    db: &Db,
    principal: &Principal,
    key: &str,
    name: &str,
) -> Result<Product> {
    access::require_operator(principal, Operation::ManageProducts)?;
    insert_product(db, key, name).await
}

/// Creates a product without an access check (the operator's command line).
pub async fn insert_product(db: &Db, key: &str, name: &str) -> Result<Product> {
    let key = product_key(key)?;
    let name = validate::site_name(name)?;
    let txn = db.write().await?;
    let created = product::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        key: Set(key),
        name: Set(name),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(|e| match Error::from_db_unique(e, Code::ProductKeyTaken) {
        Error::Conflict(code) => Error::invalid("key", code),
        other => other,
    })?;
    txn.commit().await?;
    Ok(Product {
        public_id: created.public_id,
        key: created.key,
        name: created.name,
    })
}

/// A bundle of existing products (named by key).
pub async fn create_bundle(
    db: &Db,
    principal: &Principal,
    name: &str,
    products: &[String],
) -> Result<Bundle> {
    access::require_operator(principal, Operation::ManageProducts)?;
    insert_bundle(db, name, products).await
}

/// Creates a bundle without an access check (the operator's command line).
pub async fn insert_bundle(db: &Db, name: &str, products: &[String]) -> Result<Bundle> {
    let name = validate::site_name(name)?;
    let found = product::Entity::find()
        .filter(product::Column::Key.is_in(products.iter().map(|k| k.trim())))
        .all(db.conn())
        .await?;
    if found.is_empty() {
        return Err(Error::invalid("products", Code::BundleEmpty));
    }
    if found.len() < products.len() {
        return Err(Error::invalid("products", Code::ProductUnknown));
    }
    let txn = db.write().await?;
    let created = bundle::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        name: Set(name),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&*txn)
    .await
    .map_err(|e| match Error::from_db_unique(e, Code::BundleNameTaken) {
        Error::Conflict(code) => Error::invalid("name", code),
        other => other,
    })?;
    bundle_product::Entity::insert_many(found.iter().map(|p| bundle_product::ActiveModel {
        bundle_id: Set(created.id),
        product_id: Set(p.id),
        ..Default::default()
    }))
    .exec(&*txn)
    .await?;
    txn.commit().await?;
    let mut keys: Vec<String> = found.into_iter().map(|p| p.key).collect();
    keys.sort();
    Ok(Bundle {
        public_id: created.public_id,
        name: created.name,
        products: keys,
        limits: crate::applications::Limits::default(),
    })
}

/// Every product and bundle, for the operator pages.
pub async fn catalogue(db: &Db, principal: &Principal) -> Result<(Vec<Product>, Vec<Bundle>)> {
    access::require_operator(principal, Operation::ManageProducts)?;
    catalogue_unchecked(db).await
}

/// Every product and bundle, without an access check (the operator's command line).
pub async fn catalogue_unchecked(db: &Db) -> Result<(Vec<Product>, Vec<Bundle>)> {
    let products = product::Entity::find()
        .order_by_asc(product::Column::Name)
        .all(db.conn())
        .await?;
    let bundles = bundle::Entity::find()
        .order_by_asc(bundle::Column::Name)
        .all(db.conn())
        .await?;
    let mut listed = Vec::with_capacity(bundles.len());
    for b in bundles {
        listed.push(Bundle {
            products: bundle_keys(db.conn(), Some(b.id)).await?,
            limits: crate::applications::Limits::of_bundle(&b),
            public_id: b.public_id,
            name: b.name,
        });
    }
    Ok((
        products
            .into_iter()
            .map(|p| Product {
                public_id: p.public_id,
                key: p.key,
                name: p.name,
            })
            .collect(),
        listed,
    ))
}

/// A product by its key; unknown: `product_unknown` on `product` (404).
pub async fn find_by_key(conn: &impl ConnectionTrait, key: &str) -> Result<product::Model> {
    product::Entity::find()
        .filter(product::Column::Key.eq(key.trim()))
        .one(conn)
        .await?
        .ok_or(Error::Unknown {
            field: "product",
            code: Code::ProductUnknown,
        })
}

/// The product keys a subscription's bundle covers (no bundle: every product), sorted.
pub async fn bundle_keys(conn: &impl ConnectionTrait, bundle: Option<i32>) -> Result<Vec<String>> {
    let mut query = product::Entity::find();
    if let Some(bundle) = bundle {
        let members: Vec<i32> = bundle_product::Entity::find()
            .filter(bundle_product::Column::BundleId.eq(bundle))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.product_id)
            .collect();
        query = query.filter(product::Column::Id.is_in(members));
    }
    let mut keys: Vec<String> = query.all(conn).await?.into_iter().map(|p| p.key).collect();
    keys.sort();
    Ok(keys)
}
