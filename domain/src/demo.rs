//! The demo organisation of the licentieserver manual: the tree shows 9/20, 1/2 and 0/3.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entities::{site, user};
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
    seed_licences(db).await?;
    Ok(DemoSummary { created: true })
}

/// The demo's products and licences: a reading tool and a text-to-speech tool in an
/// "Ultimate Bundle", a subscription of 20 seats valid this school year and its renewal for
/// the next (upcoming), and licences for Lotte and Pieter (Sofie has none).
pub async fn seed_licences(db: &Db) -> Result<()> {
    use chrono::{Datelike, NaiveDate, Utc};
    use sea_orm::{ActiveModelTrait, QueryOrder, Set};

    use crate::entities::{bundle, subscription};
    let (all, _) = crate::products::catalogue_unchecked(db).await?;
    if all.is_empty() {
        crate::products::insert_product(db, "reader", "Reader").await?;
        crate::products::insert_product(db, "speech", "Text to speech").await?;
        crate::products::insert_bundle(
            db,
            "Ultimate Bundle",
            &["reader".to_string(), "speech".to_string()],
        )
        .await?;
    }
    let bundle_id = bundle::Entity::find()
        .filter(bundle::Column::Name.eq("Ultimate Bundle"))
        .one(db.conn())
        .await?
        .map(|b| b.id);
    let Some(root) = site::Entity::find()
        .filter(site::Column::Name.eq(ORGANISATION))
        .filter(site::Column::ParentId.is_null())
        .order_by_desc(site::Column::Id)
        .one(db.conn())
        .await?
    else {
        return Ok(());
    };
    // The school year around today: 1 September to 31 August.
    let today = wire::time::today();
    let start_year = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today);
    for (offset, from, until) in [
        (0, day(start_year, 9, 1), day(start_year + 1, 8, 31)),
        (1, day(start_year + 1, 9, 1), day(start_year + 2, 8, 31)),
    ] {
        let serial = format!("{}{}", 9_100_000 + root.id * 10 + offset, start_year % 100);
        subscription::ActiveModel {
            serial: Set(serial),
            seats: Set(20),
            valid_from: Set(from),
            valid_until: Set(until),
            locale: Set("nl".into()),
            site_id: Set(Some(root.id)),
            created_at: Set(Utc::now()),
            assigned: Set(0),
            bundle_id: Set(bundle_id),
            expiry_announced: Set(false),
            ..Default::default()
        }
        .insert(db.conn())
        .await?;
    }
    let admin = user::Entity::find()
        .filter(user::Column::Username.eq(ADMIN_USERNAME))
        .one(db.conn())
        .await?
        .ok_or(crate::Error::NotFound)?;
    let admin = crate::Principal::load(db, admin.id).await?;
    for username in ["lotte.janssens", "pieter.claes"] {
        if let Some(found) = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(db.conn())
            .await?
        {
            crate::licences::assign(db, &admin, found.public_id, today).await?;
        }
    }
    Ok(())
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
    // Personnel numbers, as an HR export would carry them (property imports use them).
    for (username, number) in [
        (ADMIN_USERNAME, "HZ-1000"),
        ("lotte.janssens", "HZ-1001"),
        ("pieter.claes", "HZ-1002"),
        ("sofie.maes", "HZ-1003"),
        ("emma.willems", "HZ-1004"),
    ] {
        user::Entity::update_many()
            .col_expr(user::Column::PersonnelNumber, Expr::value(number))
            .filter(user::Column::Username.eq(username))
            .exec(db.conn())
            .await?;
    }
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
