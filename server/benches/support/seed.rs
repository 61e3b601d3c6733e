//! Set-up shared by the benchmarks: the demo organisation's root with room in it, and many
//! plain users (each taking a seat, as a created user does).
#![allow(dead_code)] // each benchmark uses part of it
use domain::entities::{site, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The demo organisation's root (the demo seeded before), with `seats` seats.
pub async fn root_with_room(db: &domain::Db, seats: i32) -> site::Model {
    let root = site::Entity::find()
        .filter(site::Column::ParentId.is_null())
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
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
