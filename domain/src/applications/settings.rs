//! One JSON object per user and product, kept for the application (e.g. reading speed and
//! voice). Limited in size; deleted with the user.
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::acting_for;
use crate::entities::app_setting;
use crate::error::{Code, Error, Result};
use crate::{products, Db, Principal};

/// The largest settings document, in bytes of JSON.
pub const MAX_SETTINGS_BYTES: usize = 16 * 1024;

/// The stored settings (an empty object when none were stored).
pub async fn get_settings(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: &str,
) -> Result<serde_json::Value> {
    let (target, _) = acting_for(db, principal, user).await?;
    let product = products::find_by_key(db.conn(), product).await?;
    let stored = app_setting::Entity::find()
        .filter(app_setting::Column::UserId.eq(target.id))
        .filter(app_setting::Column::ProductId.eq(product.id))
        .one(db.conn())
        .await?;
    Ok(stored
        .and_then(|s| serde_json::from_str(&s.value).ok())
        .unwrap_or_else(|| serde_json::Value::Object(Default::default())))
}

/// Replaces the settings with `value`, a JSON object of at most [`MAX_SETTINGS_BYTES`].
pub async fn put_settings(
    db: &Db,
    principal: &Principal,
    user: Uuid,
    product: &str,
    value: &serde_json::Value,
) -> Result<()> {
    let (target, _) = acting_for(db, principal, user).await?;
    let product = products::find_by_key(db.conn(), product).await?;
    if !value.is_object() {
        return Err(Error::invalid("settings", Code::SettingsNotAnObject));
    }
    let text = value.to_string();
    if text.len() > MAX_SETTINGS_BYTES {
        return Err(Error::invalid("settings", Code::SettingsTooLarge));
    }
    app_setting::Entity::insert(app_setting::ActiveModel {
        user_id: Set(target.id),
        product_id: Set(product.id),
        value: Set(text),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([app_setting::Column::UserId, app_setting::Column::ProductId])
            .update_columns([app_setting::Column::Value, app_setting::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(&*db.autocommit().await)
    .await?;
    Ok(())
}
