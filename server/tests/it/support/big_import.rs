//! An organisation with room for thousands and an import of `rows` new users started in it
//! (queued for a worker), for the tests that stop a server in the middle of one.
#![allow(dead_code)]
use domain::entities::{import_run, user};
use domain::import::{Limits, Mode, Options, Upload};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

pub async fn start_big_import(db: &domain::Db, rows: usize) -> Uuid {
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let root = domain::sites::insert_root(db, "Scholengroep Groot", 5_000)
        .await
        .unwrap();
    let admin = domain::users::NewUserForm {
        username: "importeur".into(),
        first_name: "Ilse".into(),
        last_name: "Importeur".into(),
        ..Default::default()
    }
    .validate()
    .await
    .unwrap();
    let txn = db.write().await.unwrap();
    let admin = domain::users::insert_unchecked(&*txn, root.id, admin)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        admin.id,
        domain::roles::ADMINISTRATOR,
        root.id,
    )
    .await
    .unwrap();
    let principal = domain::Principal::load(db, admin.id).await.unwrap();
    let mut file = String::from("Actie;Gebruikersnaam;Voornaam;Achternaam");
    for i in 0..rows {
        file.push_str(&format!("\n+;leerling.{i:05};Leerling;Nummer {i}"));
    }
    domain::import::start(
        db,
        &principal,
        root.public_id,
        Upload {
            file_name: "groot.csv".into(),
            content: file.into_bytes(),
            options: Options {
                mode: Mode::AddOnly,
                allow_deletes: false,
                sync: false,
            },
            locale: "nl".into(),
            teacher_role: None,
        },
        Limits::default(),
    )
    .await
    .unwrap()
}

pub async fn progress(db: &domain::Db, run: Uuid) -> import_run::Model {
    import_run::Entity::find()
        .filter(import_run::Column::PublicId.eq(run))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

pub async fn imported(db: &domain::Db) -> u64 {
    user::Entity::find()
        .filter(user::Column::Username.starts_with("leerling."))
        .count(db.conn())
        .await
        .unwrap()
}
