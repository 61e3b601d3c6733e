//! Set-up shared by the benchmarks: the demo organisation's root with room in it, many plain
//! users (each taking a seat, as a created user does), pupils with a licence each.
#![allow(dead_code)] // each benchmark uses part of it
use chrono::Utc;
use domain::entities::{licence, site, subscription, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// The demo organisation's root (the demo seeded before).
pub async fn root(db: &domain::Db) -> site::Model {
    site::Entity::find()
        .filter(site::Column::ParentId.is_null())
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

/// The demo organisation's root, with `seats` seats.
pub async fn root_with_room(db: &domain::Db, seats: i32) -> site::Model {
    let root = root(db).await;
    site::Entity::update_many()
        .col_expr(site::Column::SeatLimit, Expr::value(seats))
        .filter(site::Column::Id.eq(root.id))
        .exec(db.conn())
        .await
        .unwrap();
    root
}

/// `count` users named `{prefix}.{n:06}` in `site_id`, without passwords, in transactions of
/// 1,000.
pub async fn users(db: &domain::Db, site_id: i32, prefix: &str, count: usize) -> Vec<user::Model> {
    let mut created = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(1000) {
        let txn = db.write().await.unwrap();
        for n in chunk {
            let form = domain::users::NewUserForm {
                username: format!("{prefix}.{n:06}"),
                first_name: "Anna".into(),
                last_name: format!("Janssens {n}"),
                email: format!("{prefix}.{n:06}@school.example"),
                ..Default::default()
            }
            .validate()
            .await
            .unwrap();
            created.push(
                domain::users::insert_unchecked(&*txn, site_id, form)
                    .await
                    .unwrap(),
            );
        }
        txn.commit().await.unwrap();
    }
    created
}

/// The demo administrator signs in over HTTP (the `login` server function) with `client`.
pub async fn sign_in(client: &reqwest::Client, base: &str) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{base}/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!(
            "username={}&password={}&next=/admin",
            domain::demo::ADMIN_USERNAME,
            domain::demo::ADMIN_PASSWORD
        ))
        .send()
        .await
}

/// `count` pupils in `site_id`, each with a licence of one subscription for every product
/// (serial `serial`, valid since yesterday for 300 days).
pub async fn licensed_pupils(
    db: &domain::Db,
    site_id: i32,
    serial: &str,
    count: usize,
) -> Vec<user::Model> {
    let today = wire::time::today();
    let seats = i32::try_from(count).unwrap();
    let all = subscription::ActiveModel {
        serial: Set(serial.into()),
        seats: Set(seats + 10),
        valid_from: Set(today - chrono::Duration::days(1)),
        valid_until: Set(today + chrono::Duration::days(300)),
        locale: Set("nl".into()),
        site_id: Set(Some(site_id)),
        created_at: Set(Utc::now()),
        assigned: Set(seats),
        bundle_id: Set(None),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let created = users(db, site_id, "pupil", count).await;
    for chunk in created.chunks(500) {
        let held = chunk.iter().map(|u| licence::ActiveModel {
            subscription_id: Set(all.id),
            user_id: Set(u.id),
            assigned_at: Set(Utc::now()),
            group_id: Set(None),
            ..Default::default()
        });
        licence::Entity::insert_many(held)
            .exec(db.conn())
            .await
            .unwrap();
    }
    created
}
