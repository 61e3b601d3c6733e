use domain::entities::site;
use domain::sites::{self, SiteNode};
use domain::{demo, Db, Principal};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter};
use uuid::Uuid;

pub async fn fresh_sqlite() -> Db {
    let dir = std::env::temp_dir().join("licentia-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", Uuid::new_v4()));
    Db::connect_and_migrate(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

pub async fn fresh_postgres() -> Option<Db> {
    let Ok(server) = std::env::var("LICENTIA_TEST_PG") else {
        assert!(
            std::env::var("LICENTIA_REQUIRE_PG").is_err(),
            "LICENTIA_REQUIRE_PG is set but LICENTIA_TEST_PG is not"
        );
        eprintln!("LICENTIA_TEST_PG not set: PostgreSQL test skipped");
        return None;
    };
    let server = server.trim_end_matches('/');
    let name = format!("t_{}", Uuid::new_v4().simple());
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    Some(
        Db::connect_and_migrate(&format!("{server}/{name}"))
            .await
            .unwrap(),
    )
}

/// The demo organisation and handles on it.
pub struct Demo {
    pub admin: Principal,
    pub root: Uuid,
    pub regenboog: Uuid,
    pub klimop: Uuid,
}

pub async fn demo(db: &Db) -> Demo {
    demo::seed(db).await.unwrap();
    let by_name = |name: &'static str| async move {
        site::Entity::find()
            .filter(site::Column::Name.eq(name))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
    };
    let admin_id = domain::entities::user::Entity::find()
        .filter(domain::entities::user::Column::Username.eq(demo::ADMIN_USERNAME))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    Demo {
        admin: Principal::load(db, admin_id).await.unwrap(),
        root: by_name(demo::ORGANISATION).await.public_id,
        regenboog: by_name("De Regenboog").await.public_id,
        klimop: by_name("De Klimop").await.public_id,
    }
}

/// A principal administering `site` (a new user there with the Administrator role).
pub async fn admin_of(db: &Db, site: Uuid, username: &str) -> Principal {
    let resolved = sites::resolve(db, site).await.unwrap();
    let new_user = domain::users::NewUserForm {
        username: username.into(),
        first_name: "Sub".into(),
        last_name: "Admin".into(),
        ..Default::default()
    }
    .validate()
    .await
    .unwrap();
    let txn = db.write().await.unwrap();
    let created = domain::users::insert_unchecked(&*txn, resolved.site.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        created.id,
        domain::roles::ADMINISTRATOR,
        resolved.site.id,
    )
    .await
    .unwrap();
    Principal::load(db, created.id).await.unwrap()
}

pub fn counts(tree: &[SiteNode], name: &str) -> String {
    let node = tree.iter().find(|n| n.name == name).unwrap();
    format!("{}/{}", node.used_seats, node.seat_limit)
}

pub async fn assert_counters_exact(db: &Db) {
    let problems = sites::seat_counter_mismatches(db).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

pub fn user_form(username: &str) -> domain::users::NewUserForm {
    domain::users::NewUserForm {
        username: username.into(),
        first_name: "Test".into(),
        last_name: "User".into(),
        ..Default::default()
    }
}

/// A new operator (the vendor's staff), signed in as a principal.
pub async fn operator_named(db: &Db, username: &str) -> Principal {
    domain::operators::create(
        db,
        domain::users::NewUserForm {
            username: username.into(),
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            password: "Operator-2026".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = domain::entities::user::Entity::find()
        .filter(domain::entities::user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    Principal::load(db, id).await.unwrap()
}

/// A subscription of the organisation at `site_id` (its root), `seats` seats valid from `from`
/// to `until`, none assigned, without a bundle.
pub async fn subscription(
    db: &Db,
    site_id: i32,
    serial: &str,
    seats: i32,
    (from, until): (chrono::NaiveDate, chrono::NaiveDate),
) {
    use sea_orm::{ActiveModelTrait, Set};
    domain::entities::subscription::ActiveModel {
        serial: Set(serial.into()),
        seats: Set(seats),
        valid_from: Set(from),
        valid_until: Set(until),
        locale: Set("nl".into()),
        site_id: Set(Some(site_id)),
        created_at: Set(chrono::Utc::now()),
        assigned: Set(0),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
}
