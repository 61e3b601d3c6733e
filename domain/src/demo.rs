//! The demo organisation of the licentieserver manual: the tree shows 9/20, 1/2 and 0/3.
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::entities::site;
use crate::error::Result;
use crate::users::{insert_unchecked, NewUserForm};
use crate::{roles, sites, Db};

pub const ORGANISATION: &str = "Scholengroep Horizon";
pub const ADMIN_USERNAME: &str = "directeur";
pub const ADMIN_PASSWORD: &str = "Horizon-2026";

pub struct DemoSummary {
    pub created: bool,
}

/// Seeds the demo organisation when the database holds no site yet.
pub async fn seed_if_empty(db: &Db) -> Result<DemoSummary> {
    roles::ensure_builtin(db.conn()).await?;
    if site::Entity::find().count(db.conn()).await? > 0 {
        return Ok(DemoSummary { created: false });
    }
    seed(db).await?;
    Ok(DemoSummary { created: true })
}

/// Seeds the demo organisation (another one, if called again).
pub async fn seed(db: &Db) -> Result<()> {
    roles::ensure_builtin(db.conn()).await?;
    let root = sites::insert_root(db, ORGANISATION, 20).await?;
    let admin = add(
        db,
        root.id,
        ADMIN_USERNAME,
        "Ann",
        "Peeters",
        ADMIN_PASSWORD,
    )
    .await?;
    roles::grant_builtin_unchecked(db.conn(), admin, roles::ADMINISTRATOR, root.id).await?;
    add(db, root.id, "lotte.janssens", "Lotte", "Janssens", "").await?;
    add(db, root.id, "pieter.claes", "Pieter", "Claes", "").await?;
    add(db, root.id, "sofie.maes", "Sofie", "Maes", "").await?;

    let admin_principal = crate::Principal::load(db, admin).await?;
    let regenboog = sites::create(
        db,
        &admin_principal,
        root.public_id,
        sites::NewSiteForm {
            name: "De Regenboog".into(),
            seat_limit: "2".into(),
        },
    )
    .await?;
    sites::create(
        db,
        &admin_principal,
        root.public_id,
        sites::NewSiteForm {
            name: "De Klimop".into(),
            seat_limit: "3".into(),
        },
    )
    .await?;
    let regenboog = sites::resolve(db, regenboog.id).await?;
    add(db, regenboog.site.id, "emma.willems", "Emma", "Willems", "").await?;
    Ok(())
}

async fn add(
    db: &Db,
    site_id: i32,
    username: &str,
    first_name: &str,
    last_name: &str,
    password: &str,
) -> Result<i32> {
    let new_user = NewUserForm {
        username: username.into(),
        first_name: first_name.into(),
        last_name: last_name.into(),
        email: format!("{username}@horizon.example"),
        password: password.into(),
        ..Default::default()
    }
    .validate()
    .await?;
    let txn = db.write().await?;
    let created = insert_unchecked(&*txn, site_id, new_user).await?;
    txn.commit().await?;
    Ok(created.id)
}
