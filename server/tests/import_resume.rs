//! An import survives a crash: the server is killed (SIGKILL) in the middle of applying a
//! 2,000-row file; after a restart the job is taken over when its lease has passed and the run
//! resumes after its last committed batch: every row once, none lost, seats exact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::Duration;

use domain::entities::{import_result, import_run, user};
use domain::import::{Limits, Mode, Options, Upload};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

#[path = "support/process.rs"]
mod process;
use process::{start_licentia, wait_until};

const ROWS: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_resume_an_import_killed_mid_run_without_duplicating_or_losing_rows() {
    let dir = std::env::temp_dir().join(format!("licentia-import-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("import.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let root = domain::sites::insert_root(&db, "Scholengroep Groot", 5_000)
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
    let principal = domain::Principal::load(&db, admin.id).await.unwrap();

    let mut file = String::from("Actie;Gebruikersnaam;Voornaam;Achternaam");
    for i in 0..ROWS {
        file.push_str(&format!("\n+;leerling.{i:05};Leerling;Nummer {i}"));
    }
    let run = domain::import::start(
        &db,
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
        },
        Limits::default(),
    )
    .await
    .unwrap();
    let progress = || async {
        import_run::Entity::find()
            .filter(import_run::Column::PublicId.eq(run))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
    };
    let imported = || async {
        user::Entity::find()
            .filter(user::Column::Username.starts_with("leerling."))
            .count(db.conn())
            .await
            .unwrap()
    };
    let env = [
        ("LICENTIA_IMPORT_BATCH", "50".to_string()),
        ("LICENTIA_IMPORT_PAUSE_MS", "40".to_string()),
        ("LICENTIA_JOB_LEASE_SECONDS", "2".to_string()),
    ];

    // Killed in the middle.
    let licentia = start_licentia(&url, &env);
    wait_until("a third of the rows", Duration::from_secs(60), || async {
        progress().await.processed >= 600
    })
    .await;
    drop(licentia);
    let at_kill = progress().await;
    assert!(
        at_kill.status == "running" && (at_kill.processed as usize) < ROWS,
        "killed too late to prove anything: {at_kill:?}"
    );
    // Every committed batch is whole: users, results and counts agree.
    assert_eq!(imported().await, at_kill.added as u64);
    let results = || async {
        import_result::Entity::find()
            .filter(import_result::Column::RunId.eq(at_kill.id))
            .count(db.conn())
            .await
            .unwrap()
    };
    assert_eq!(results().await, at_kill.processed as u64);

    // Restarted: the job is taken over after its lease and finishes the rest.
    let _licentia = start_licentia(&url, &env);
    wait_until("the import to finish", Duration::from_secs(120), || async {
        progress().await.status == "done"
    })
    .await;
    let done = progress().await;
    assert_eq!(
        (done.processed, done.added, done.errors),
        (ROWS as i32, ROWS as i32, 0)
    );
    assert_eq!(imported().await, ROWS as u64);
    assert_eq!(results().await, ROWS as u64);
    let mismatches = domain::sites::seat_counter_mismatches(&db).await.unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
