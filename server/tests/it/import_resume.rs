//! An import survives a crash: the server is killed (SIGKILL) in the middle of applying a
//! 2,000-row file; after a restart the job is taken over when its lease has passed and the run
//! resumes after its last committed batch: every row once, none lost, seats exact.
use std::time::Duration;

use domain::entities::import_result;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::support::big_import;
use crate::support::process;
use big_import::{imported, progress, start_big_import};
use process::{start_licentia, wait_until};

const ROWS: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_resume_an_import_killed_mid_run_without_duplicating_or_losing_rows() {
    let dir = std::env::temp_dir().join(format!("licentia-import-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("import.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    let run = start_big_import(&db, ROWS).await;
    let progress = || progress(&db, run);
    let imported = || imported(&db);
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
