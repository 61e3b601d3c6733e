//! What licensed applications keep here for their users: application sessions (opened,
//! kept alive with a heartbeat, closed; counted per user, seen by the user and their
//! administrators, ended by administrators), the devices they run on, the limits a vendor
//! sells on (devices and sessions per user, sessions per subscription) and one JSON settings
//! document per user and product. An application acts with its service account's token; a user's own token acts
//! for that user alone.
mod devices;
pub(crate) use devices::register_for as register_device_for;
mod limits;
mod sessions;
mod settings;
mod sign_in;

pub use devices::{
    devices_of, fingerprint, forget_device, register_device, remove_device, Device,
    MAX_DEVICE_NAME, MAX_FINGERPRINT,
};
pub use limits::{
    set_bundle_limits, set_bundle_limits_unchecked, set_subscription_limits,
    set_subscription_limits_unchecked, Limits, LimitsForm, MAX_LIMIT,
};
pub use sessions::{close, cull, end, heartbeat, open, sessions_of, AppSession, IDLE_LIMIT};
pub use settings::{get_settings, put_settings, MAX_SETTINGS_BYTES};
pub use sign_in::{authenticate_user, Authenticated};

use uuid::Uuid;

use crate::access::{self, Operation};
use crate::entities::user;
use crate::error::Result;
use crate::sites::Resolved;
use crate::users::resolve;
use crate::{Db, Principal};
use sea_orm::EntityTrait;

/// The user and the product a session or a device belongs to.
async fn owner_and_product(
    db: &Db,
    user_id: i32,
    product_id: i32,
) -> Result<(user::Model, crate::entities::product::Model)> {
    let owner = user::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .ok_or(crate::Error::NotFound)?;
    let product = crate::entities::product::Entity::find_by_id(product_id)
        .one(db.conn())
        .await?
        .ok_or(crate::Error::NotFound)?;
    Ok((owner, product))
}

/// The user an application acts for: the principal themselves, or anyone in a site where the
/// principal may connect applications.
pub(crate) async fn acting_for(
    db: &Db,
    principal: &Principal,
    user: Uuid,
) -> Result<(user::Model, Resolved)> {
    let (target, site) = resolve(db, user).await?;
    if principal.user_id() != Some(target.id) {
        access::require(principal, Operation::ConnectApplication, &site.scope)?;
    }
    Ok((target, site))
}
