//! What an import keeps: once a run has ended its stored upload holds no password (the result
//! file still has every row, the password cells masked); the periodic cleanup removes the
//! files of runs that ended longer ago than the retention period, and keeps recent ones.
use chrono::{Duration, Utc};
use domain::entities::{import_file, import_result, import_run};
use domain::import::{self, Applier, CleanupJob, Limits, Mode, Options, Upload};
use domain::{jobs, Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

const HEADER: &str =
    "Actie;Gebruikersnaam;Voornaam;Achternaam;E-mail;Wachtwoord;Vervaldatum;Personeelsnummer;Subsite;Rollen";

async fn start(db: &Db, admin: &Principal, site: Uuid, lines: &[&str]) -> (Uuid, i32) {
    let content = std::iter::once(HEADER)
        .chain(lines.iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    let run = import::start(
        db,
        admin,
        site,
        Upload {
            file_name: "leerlingen.csv".into(),
            content: content.into_bytes(),
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
    .unwrap();
    let id = import_run::Entity::find()
        .filter(import_run::Column::PublicId.eq(run))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    (run, id)
}

async fn apply(db: &Db, run_id: i32) {
    let mut applier = Applier::load(db, run_id, 10).await.unwrap().unwrap();
    while applier.step(db).await.unwrap() {}
}

async fn stored(db: &Db, run_id: i32) -> Option<Vec<u8>> {
    import_file::Entity::find_by_id(run_id)
        .one(db.conn())
        .await
        .unwrap()
        .map(|f| f.content)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

db_test!(
    should_keep_no_password_once_the_run_has_ended,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (run, id) = start(
            &db,
            &demo.admin,
            demo.root,
            &[
                "+;p.een;P;Een;;Geheim-Een-2026!;;;;",
                "+;p.twee;P;Twee;bad;Geheim-Twee-2026!;;;;",
            ],
        )
        .await;
        // While it is applied, the upload is kept as it came.
        assert!(contains(
            &stored(&db, id).await.unwrap(),
            "Geheim-Een-2026!"
        ));
        apply(&db, id).await;
        let kept = stored(&db, id).await.unwrap();
        for secret in ["Geheim-Een-2026!", "Geheim-Twee-2026!"] {
            assert!(!contains(&kept, secret), "{secret} still stored");
        }
        // The result file still gives every row back, the password masked.
        let (_, bytes) = import::result_file(&db, &demo.admin, run, "nl")
            .await
            .unwrap();
        let table = import::read_table(&bytes, Limits::default()).unwrap();
        assert_eq!(table.rows[0][5], "Wachtwoord");
        assert_eq!(table.rows[1][1], "p.een");
        assert_eq!(table.rows[1][5], "\u{2022}\u{2022}\u{2022}\u{2022}");
        assert_eq!(table.rows[1][10], "Toegevoegd");
        assert_eq!(table.rows[2][10], "Fout");

        // A stopped run is masked as well.
        let (run, id) = start(
            &db,
            &demo.admin,
            demo.root,
            &[
                "+;s.een;S;Een;;Stop-Een-2026!;;;;",
                "+;s.twee;S;Twee;;Stop-Twee-2026!;;;;",
            ],
        )
        .await;
        let mut applier = Applier::load(&db, id, 1).await.unwrap().unwrap();
        assert!(applier.step(&db).await.unwrap());
        import::cancel(&db, &demo.admin, run).await.unwrap();
        assert!(!applier.step(&db).await.unwrap());
        let kept = stored(&db, id).await.unwrap();
        assert!(!contains(&kept, "Stop-Een-2026!") && !contains(&kept, "Stop-Twee-2026!"));
    }
);

db_test!(
    should_remove_files_after_the_retention_period_and_keep_recent_ones,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (old_run, old_id) = start(
            &db,
            &demo.admin,
            demo.root,
            &["+;o.een;O;Een;;;;;;", "+;o.bad;O;Bad;bad;;;;;"],
        )
        .await;
        apply(&db, old_id).await;
        let (new_run, new_id) = start(&db, &demo.admin, demo.root, &["+;n.een;N;Een;;;;;;"]).await;
        apply(&db, new_id).await;
        import_run::Entity::update_many()
            .col_expr(
                import_run::Column::FinishedAt,
                Expr::value(Some(Utc::now() - Duration::days(31))),
            )
            .filter(import_run::Column::Id.eq(old_id))
            .exec(db.conn())
            .await
            .unwrap();

        // The housekeeping queues one cleanup; a worker claims and runs it.
        assert!(import::schedule_cleanup(&db, 30).await.unwrap());
        assert!(!import::schedule_cleanup(&db, 30).await.unwrap());
        let job = jobs::claim(
            &db,
            import::CLEANUP_JOB_KIND,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap()
        .unwrap();
        let payload: CleanupJob = serde_json::from_str(&job.payload).unwrap();
        assert_eq!(payload.retention_days, 30);
        let removed = import::remove_old_files(&db, payload, Utc::now())
            .await
            .unwrap();
        assert_eq!(removed, 1);
        jobs::complete(&db, job.id, None).await.unwrap();

        assert!(stored(&db, old_id).await.is_none());
        assert!(stored(&db, new_id).await.is_some());
        // The old run keeps its report: the counts and the rows in error.
        let results = |id: i32| {
            let db = db.clone();
            async move {
                import_result::Entity::find()
                    .filter(import_result::Column::RunId.eq(id))
                    .count(db.conn())
                    .await
                    .unwrap()
            }
        };
        assert_eq!(results(old_id).await, 1);
        assert_eq!(results(new_id).await, 1);
        let old = import::status(&db, &demo.admin, old_run).await.unwrap();
        assert_eq!((old.added, old.errors, old.file_kept), (1, 1, false));
        let problems = import::results(&db, &demo.admin, old_run, true, None)
            .await
            .unwrap();
        assert_eq!(problems.len(), 1);
        assert!(
            import::status(&db, &demo.admin, new_run)
                .await
                .unwrap()
                .file_kept
        );
        // Its result file says why it is gone, not "not found" or an error.
        let gone = import::result_file(&db, &demo.admin, old_run, "nl").await;
        assert_eq!(gone.err(), Some(Error::Refused(Code::ImportFileRemoved)));
        assert!(import::result_file(&db, &demo.admin, new_run, "nl")
            .await
            .is_ok());
        // Running it again removes nothing more.
        let again = import::remove_old_files(&db, payload, Utc::now())
            .await
            .unwrap();
        assert_eq!(again, 0);
    }
);
