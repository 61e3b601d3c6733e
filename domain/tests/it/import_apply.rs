//! Applying an import as a job: batch by batch, resumable after a crash (a new applier picks up
//! after the last committed batch), cancellable, seats and usernames checked again at apply
//! time, rights of the administrator who started it, the report queued as mail.
use domain::entities::{audit_event, job, role_grant, user};
use domain::import::{self, Applier, Limits, Mode, Options, Upload};
use domain::{Code, Db, Error, Principal};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

const HEADER: &str =
    "Actie;Gebruikersnaam;Voornaam;Achternaam;E-mail;Wachtwoord;Vervaldatum;Personeelsnummer;Subsite;Rollen";

fn upload(lines: &[&str], mode: Mode, allow_deletes: bool) -> Upload {
    let mut content = HEADER.to_string();
    for line in lines {
        content.push('\n');
        content.push_str(line);
    }
    Upload {
        file_name: "leerlingen.csv".into(),
        content: content.into_bytes(),
        options: Options {
            mode,
            allow_deletes,
            sync: false,
        },
        locale: "en".into(),
        teacher_role: None,
    }
}

async fn start(db: &Db, principal: &Principal, site: Uuid, upload: Upload) -> Uuid {
    import::start(db, principal, site, upload, Limits::default())
        .await
        .unwrap()
}

/// The run's internal id, as the job carries it.
async fn run_id(db: &Db) -> i32 {
    let job = job::Entity::find()
        .filter(job::Column::Kind.eq(import::JOB_KIND))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str::<import::ImportJob>(&job.payload)
        .unwrap()
        .run
}

async fn apply_all(db: &Db, batch: usize) {
    let mut applier = Applier::load(db, run_id(db).await, batch)
        .await
        .unwrap()
        .unwrap();
    while applier.step(db).await.unwrap() {}
}

async fn find_user(db: &Db, username: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
}

fn outcomes(results: &[import::RowResult]) -> Vec<(i32, String, Vec<String>)> {
    results
        .iter()
        .map(|r| {
            (
                r.row,
                r.outcome.clone(),
                r.messages
                    .iter()
                    .map(|m| m.code.as_str().to_string())
                    .collect(),
            )
        })
        .collect()
}

db_test!(
    should_apply_adds_updates_and_deletes_with_a_result_per_row_and_a_report,
    |db: Db| async move {
        let demo = demo(&db).await;
        let run = start(
            &db,
            &demo.admin,
            demo.root,
            upload(
                &[
                    "+;an.smet;An;Smet;an@example.org;Welkom-2026!;2027-08-31;P-7;De Klimop;Beheerder",
                    "+;bo.dewit;Bo;De Wit;;;;;;",
                    "*;pieter.claes;Piet;;;;;00123;De Klimop;",
                    "-;sofie.maes;;;;;;;;",
                    "+;cas.bad;Cas;Bad;not-an-address;;;;;",
                    "+;dora.role;Dora;Role;;;;;;Tovenaar",
                ],
                Mode::AddAndUpdate,
                true,
            ),
        )
        .await;
        let status = import::status(&db, &demo.admin, run).await.unwrap();
        assert_eq!((status.status.as_str(), status.total_rows), ("running", 6));

        apply_all(&db, 2).await;

        let status = import::status(&db, &demo.admin, run).await.unwrap();
        assert_eq!(status.status.as_str(), import::DONE);
        assert_eq!(
            (
                status.processed,
                status.added,
                status.updated,
                status.deleted,
                status.errors
            ),
            (6, 2, 1, 1, 2)
        );
        let results = import::results(&db, &demo.admin, run, false, Some(100))
            .await
            .unwrap();
        assert_eq!(
            outcomes(&results),
            [
                (2, "added".into(), vec![]),
                (3, "added".into(), vec![]),
                (4, "updated".into(), vec![]),
                (5, "deleted".into(), vec![]),
                (6, "error".into(), vec!["email_invalid".into()]),
                (7, "error".into(), vec!["import_role_unknown".into()]),
            ]
        );

        let an = find_user(&db, "an.smet").await.unwrap();
        assert_eq!(an.personnel_number.as_deref(), Some("P-7"));
        assert_eq!(
            an.expires_on.map(|d| d.to_string()).as_deref(),
            Some("2027-08-31")
        );
        assert!(an.must_change_password && an.password_hash.is_some());
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(an.id))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(grants, 1, "the Administrator role from the roles column");
        let pieter = find_user(&db, "pieter.claes").await.unwrap();
        assert_eq!(
            (pieter.first_name.as_str(), pieter.last_name.as_str()),
            ("Piet", "Claes")
        );
        assert_eq!(pieter.personnel_number.as_deref(), Some("00123"));
        assert!(find_user(&db, "sofie.maes").await.is_none());
        assert!(find_user(&db, "cas.bad").await.is_none());
        assert_counters_exact(&db).await;

        let journaled = audit_event::Entity::find()
            .filter(audit_event::Column::Action.is_in([
                "user.create",
                "user.update",
                "user.delete",
            ]))
            .count(db.conn())
            .await
            .unwrap();
        assert!(journaled >= 4, "{journaled}");
        let report = job::Entity::find()
            .filter(job::Column::Kind.eq(domain::mail::JOB_KIND))
            .all(db.conn())
            .await
            .unwrap()
            .into_iter()
            .find(|j| j.payload.contains("import_report"))
            .expect("the report mail is queued");
        assert!(
            report.payload.contains("email_invalid"),
            "{}",
            report.payload
        );

        // Applying again does nothing: the run has ended.
        assert!(Applier::load(&db, run_id(&db).await, 2)
            .await
            .unwrap()
            .is_none());
    }
);

db_test!(
    should_resume_after_a_crash_without_duplicating_or_losing_rows,
    |db: Db| async move {
        let demo = demo(&db).await;
        let lines: Vec<String> = (0..7)
            .map(|i| format!("+;resume.{i};Re;Sume {i};;;;;;"))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let run = start(
            &db,
            &demo.admin,
            demo.root,
            upload(&lines, Mode::AddOnly, false),
        )
        .await;
        let id = run_id(&db).await;
        {
            // The first process applies one batch and dies.
            let mut first = Applier::load(&db, id, 3).await.unwrap().unwrap();
            assert!(first.step(&db).await.unwrap());
        }
        let status = import::status(&db, &demo.admin, run).await.unwrap();
        assert_eq!((status.processed, status.added), (3, 3));

        // Two workers of the restarted servers race for the rest.
        let (mut a, mut b) = (
            Applier::load(&db, id, 3).await.unwrap().unwrap(),
            Applier::load(&db, id, 3).await.unwrap().unwrap(),
        );
        let (da, db_) = (db.clone(), db.clone());
        let one = tokio::spawn(async move { while a.step(&da).await.unwrap() {} });
        let two = tokio::spawn(async move { while b.step(&db_).await.unwrap() {} });
        one.await.unwrap();
        two.await.unwrap();

        let status = import::status(&db, &demo.admin, run).await.unwrap();
        assert_eq!(
            (status.status.as_str(), status.processed, status.added),
            ("done", 7, 7)
        );
        let results = import::results(&db, &demo.admin, run, false, Some(100))
            .await
            .unwrap();
        assert_eq!(results.len(), 7);
        let created = user::Entity::find()
            .filter(user::Column::Username.starts_with("resume."))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(created, 7);
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_report_rows_that_became_invalid_after_the_preview,
    |db: Db| async move {
        let demo = demo(&db).await;
        // De Klimop has 3 free seats; the file adds 5 there, and one username gets taken
        // between upload and apply.
        let run = start(
            &db,
            &demo.admin,
            demo.klimop,
            upload(
                &[
                    "+;k.een;K;Een;;;;;;",
                    "+;k.twee;K;Twee;;;;;;",
                    "+;k.drie;K;Drie;;;;;;",
                    "+;k.vier;K;Vier;;;;;;",
                    "+;k.vijf;K;Vijf;;;;;;",
                ],
                Mode::AddOnly,
                false,
            ),
        )
        .await;
        domain::users::create(&db, &demo.admin, demo.regenboog, user_form("k.twee"))
            .await
            .unwrap();

        apply_all(&db, 10).await;

        let results = import::results(&db, &demo.admin, run, false, Some(100))
            .await
            .unwrap();
        assert_eq!(
            outcomes(&results),
            [
                (2, "added".into(), vec![]),
                (3, "error".into(), vec!["username_taken".into()]),
                (4, "added".into(), vec![]),
                (5, "added".into(), vec![]),
                (6, "error".into(), vec!["no_free_seat".into()]),
            ]
        );
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_stop_after_the_current_batch_when_cancelled,
    |db: Db| async move {
        let demo = demo(&db).await;
        let run = start(
            &db,
            &demo.admin,
            demo.root,
            upload(
                &[
                    "+;c.een;C;Een;;;;;;",
                    "+;c.twee;C;Twee;;;;;;",
                    "+;c.drie;C;Drie;;;;;;",
                ],
                Mode::AddOnly,
                false,
            ),
        )
        .await;
        let mut applier = Applier::load(&db, run_id(&db).await, 1)
            .await
            .unwrap()
            .unwrap();
        assert!(applier.step(&db).await.unwrap());
        import::cancel(&db, &demo.admin, run).await.unwrap();
        assert!(!applier.step(&db).await.unwrap());

        let status = import::status(&db, &demo.admin, run).await.unwrap();
        assert_eq!(
            (status.status.as_str(), status.processed, status.added),
            ("cancelled", 1, 1)
        );
        assert!(find_user(&db, "c.twee").await.is_none());
        assert!(matches!(
            import::cancel(&db, &demo.admin, run).await,
            Err(Error::Refused(Code::ImportNotRunning))
        ));
    }
);

db_test!(
    should_keep_runs_within_the_subtree_of_their_administrators,
    |db: Db| async move {
        let demo = demo(&db).await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        // Not into a site outside the subtree.
        let refused = import::start(
            &db,
            &klimop_admin,
            demo.regenboog,
            upload(&["+;x.een;X;Een;;;;;;"], Mode::AddOnly, false),
            Limits::default(),
        )
        .await;
        assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");
        // A run on the root is invisible to the subsite administrator.
        let run = start(
            &db,
            &demo.admin,
            demo.root,
            upload(&["-;emma.willems;;;;;;;;"], Mode::AddOnly, true),
        )
        .await;
        for result in [
            import::status(&db, &klimop_admin, run).await.map(|_| ()),
            import::cancel(&db, &klimop_admin, run).await,
            import::results(&db, &klimop_admin, run, false, Some(10))
                .await
                .map(|_| ()),
        ] {
            assert!(matches!(result, Err(Error::NotFound)), "{result:?}");
        }
        // Importing into their own site cannot touch users outside it.
        let own = start(
            &db,
            &klimop_admin,
            demo.klimop,
            upload(&["-;emma.willems;;;;;;;;"], Mode::AddOnly, true),
        )
        .await;
        let id = run_id_of(&db, own).await;
        let mut applier = Applier::load(&db, id, 10).await.unwrap().unwrap();
        while applier.step(&db).await.unwrap() {}
        let results = import::results(&db, &klimop_admin, own, false, Some(10))
            .await
            .unwrap();
        assert_eq!(
            outcomes(&results),
            [(2, "error".into(), vec!["import_user_unknown".into()])]
        );
        assert!(find_user(&db, "emma.willems").await.is_some());
    }
);

async fn run_id_of(db: &Db, run: Uuid) -> i32 {
    domain::entities::import_run::Entity::find()
        .filter(domain::entities::import_run::Column::PublicId.eq(run))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

db_test!(
    should_refuse_an_unreadable_upload_and_write_nothing,
    |db: Db| async move {
        let demo = demo(&db).await;
        let refused = import::start(
            &db,
            &demo.admin,
            demo.root,
            Upload {
                file_name: "photo.png".into(),
                content: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
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
        .await;
        assert!(refused.is_err());
        let runs = domain::entities::import_run::Entity::find()
            .count(db.conn())
            .await
            .unwrap();
        let jobs = job::Entity::find().count(db.conn()).await.unwrap();
        assert_eq!((runs, jobs), (0, 0));
    }
);

/// The template in each language is read back by the importer: its header is recognised and
/// its example rows are one per action.
#[test]
fn should_read_back_the_template_in_every_language() {
    for locale in ["nl", "fr", "en"] {
        let bytes = import::template(locale).unwrap();
        let parsed =
            import::parse_rows(&import::read_table(&bytes, Limits::default()).unwrap()).unwrap();
        assert!(parsed.issues.is_empty(), "{locale}: {:?}", parsed.issues);
        let actions: Vec<import::Action> = parsed.rows.iter().map(|r| r.action).collect();
        assert_eq!(
            actions,
            [
                import::Action::Add,
                import::Action::Update,
                import::Action::Delete
            ],
            "{locale}"
        );
        assert_eq!(parsed.rows[0].personnel_number.as_deref(), Some("00123"));
    }
}

db_test!(
    should_give_the_uploaded_rows_back_with_their_results,
    |db: Db| async move {
        let demo = demo(&db).await;
        let run = start(
            &db,
            &demo.admin,
            demo.root,
            upload(
                &["+;r.een;R;Een;;;;;;", "+;r.twee;R;Twee;bad;;;;;"],
                Mode::AddOnly,
                false,
            ),
        )
        .await;
        apply_all(&db, 10).await;
        let (name, bytes) = import::result_file(&db, &demo.admin, run, "nl")
            .await
            .unwrap();
        assert_eq!(name, "leerlingen-resultaat.xlsx");
        let table = import::read_table(&bytes, Limits::default()).unwrap();
        assert_eq!(table.rows[0][10..], ["Resultaat", "Bericht"]);
        assert_eq!(table.rows[1][10], "Toegevoegd");
        assert_eq!(table.rows[2][10], "Fout");
        assert!(
            table.rows[2][11].starts_with("E-mail: "),
            "{:?}",
            table.rows[2]
        );
    }
);

db_test!(
    should_export_the_filtered_list_with_formulas_neutralised,
    |db: Db| async move {
        let demo = demo(&db).await;
        let run = start(
            &db,
            &demo.admin,
            demo.root,
            upload(&["+;f.een;Fien;Een;;;;=1+2;;"], Mode::AddOnly, false),
        )
        .await;
        apply_all(&db, 10).await;
        let _ = run;
        let query = domain::users::UserQuery {
            search: "f.een".into(),
            include_subsites: true,
            ..Default::default()
        };
        let (name, csv) = domain::users::export(
            &db,
            &demo.admin,
            demo.root,
            query.clone(),
            domain::sheet::Format::Csv,
            "fr",
        )
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
        assert!(name.starts_with("utilisateurs-") && name.ends_with(".csv"));
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("Nom d’utilisateur;Prénom;Nom;"));
        assert!(lines[1].contains(";'=1+2;"), "{}", lines[1]);

        let (_, xlsx) = domain::users::export(
            &db,
            &demo.admin,
            demo.root,
            query,
            domain::sheet::Format::Xlsx,
            "en",
        )
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
        let table = import::read_table(&xlsx, Limits::default()).unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1][5], "'=1+2");
        // A subsite administrator exports nothing outside their subtree.
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        let refused = domain::users::export(
            &db,
            &klimop_admin,
            demo.root,
            Default::default(),
            domain::sheet::Format::Csv,
            "en",
        )
        .await;
        assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");
    }
);

db_test!(
    should_refuse_rows_an_import_only_role_may_not_write,
    |db: Db| async move {
        let demo = demo(&db).await;
        let role = domain::roles::create(
            &db,
            &demo.admin,
            demo.root,
            domain::roles::RoleForm {
                name: "Alleen importeren".into(),
                permissions: vec!["users.view".into(), "users.import".into()],
            },
        )
        .await
        .unwrap();
        let created =
            domain::users::create(&db, &demo.admin, demo.root, user_form("alleen.import"))
                .await
                .unwrap();
        domain::roles::set_user_grants(
            &db,
            &demo.admin,
            created.public_id,
            demo.root,
            vec![role.id],
        )
        .await
        .unwrap();
        let importer = Principal::load(&db, created.id).await.unwrap();
        let parsed = import::parse_rows(
            &import::read_table(
                &upload(&["+;nieuw.kind;Nieuw;Kind;;;;;;"], Mode::AddOnly, false).content,
                Limits::default(),
            )
            .unwrap(),
        )
        .unwrap();
        let options = Options {
            mode: Mode::AddOnly,
            allow_deletes: false,
            sync: false,
        };
        let checked = import::preview(&db, &importer, demo.root, &parsed, options)
            .await
            .unwrap();
        assert!(checked.planned.is_empty());
        let issues: Vec<(usize, Code)> = checked.issues.iter().map(|i| (i.row, i.code)).collect();
        assert_eq!(issues, [(2, Code::Forbidden)]);
    }
);

db_test!(
    should_export_more_users_than_one_batch_in_order,
    |db: Db| async move {
        let demo = demo(&db).await;
        let site = domain::sites::resolve(&db, demo.root)
            .await
            .unwrap()
            .site
            .id;
        domain::entities::site::Entity::update_many()
            .col_expr(
                domain::entities::site::Column::SeatLimit,
                sea_orm::sea_query::Expr::value(10_000),
            )
            .filter(domain::entities::site::Column::Id.eq(site))
            .exec(db.conn())
            .await
            .unwrap();
        let txn = db.write().await.unwrap();
        for n in 0..2_345 {
            let form = domain::users::NewUserForm {
                username: format!("veel.{n:05}"),
                first_name: "Anna".into(),
                last_name: format!("Veel {n:05}"),
                ..Default::default()
            }
            .validate()
            .await
            .unwrap();
            domain::users::insert_unchecked(&*txn, site, form)
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
        let query = domain::users::UserQuery {
            search: "veel.".into(),
            include_subsites: true,
            sort: domain::users::UserSort::Username,
            descending: true,
            ..Default::default()
        };
        let expected: Vec<String> = (0..2_345).rev().map(|n| format!("veel.{n:05}")).collect();
        for format in [domain::sheet::Format::Csv, domain::sheet::Format::Xlsx] {
            use futures::TryStreamExt;
            let download =
                domain::users::export(&db, &demo.admin, demo.root, query.clone(), format, "nl")
                    .await
                    .unwrap();
            // Sent as it is made: a part per batch of users, not the file at the end.
            let parts: Vec<Vec<u8>> = download.parts.try_collect().await.unwrap();
            assert!(parts.len() >= 3, "{format:?}: {} parts", parts.len());
            let bytes = parts.concat();
            let table = import::read_table(&bytes, Limits::default()).unwrap();
            let usernames: Vec<String> = table.rows[1..].iter().map(|r| r[0].clone()).collect();
            assert_eq!(
                usernames, expected,
                "{format:?}: every row, in the list's order"
            );
        }
    }
);

db_test!(
    should_read_the_tree_once_per_run_until_it_changes,
    |db: Db| async move {
        use std::sync::{Arc, Mutex};
        let demo = demo(&db).await;
        let class = |name: &'static str, seats: &'static str| {
            let db = db.clone();
            let admin = demo.admin.clone();
            async move {
                let form = domain::sites::NewSiteForm {
                    name: name.into(),
                    seat_limit: seats.into(),
                };
                domain::sites::create(&db, &admin, demo.root, form)
                    .await
                    .unwrap()
                    .id
            }
        };
        let (a, b) = (class("Klas A", "3").await, class("Klas B", "4").await);
        let lines: Vec<String> = (0..3)
            .map(|i| format!("+;tree.{i};Boom;Lezer {i};;;;;Klas A;"))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        start(
            &db,
            &demo.admin,
            demo.root,
            upload(&lines, Mode::AddOnly, false),
        )
        .await;
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let mut watched = db.clone();
        watched.set_metric_callback(move |info| {
            if let Ok(mut log) = log.lock() {
                log.push(info.statement.sql.clone());
            }
        });
        // The statement that reads the importing site's whole subtree.
        let tree_reads = || {
            seen.lock()
                .unwrap()
                .iter()
                .filter(|sql| {
                    sql.contains(r#"FROM "sites" WHERE"#)
                        && sql.contains(r#"IN (SELECT "descendant_id" FROM "site_closure""#)
                })
                .count()
        };
        let mut applier = Applier::load(&watched, run_id(&db).await, 1)
            .await
            .unwrap()
            .unwrap();
        assert!(applier.step(&watched).await.unwrap());
        assert!(applier.step(&watched).await.unwrap());
        assert_eq!(tree_reads(), 1, "two batches, one read of the tree");
        // The class the file names moves: the next batch reads the tree again, and the row still
        // lands in it.
        domain::sites::move_site(&db, &demo.admin, a, b)
            .await
            .unwrap();
        while applier.step(&watched).await.unwrap() {}
        assert_eq!(tree_reads(), 2);
        let last = find_user(&db, "tree.2").await.unwrap();
        let klas_a = domain::sites::resolve(&db, a).await.unwrap();
        assert_eq!(last.site_id, klas_a.site.id);
        assert_eq!(
            klas_a.scope.parent_id(),
            Some(domain::sites::resolve(&db, b).await.unwrap().site.id)
        );
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_find_a_site_created_during_the_run,
    |db: Db| async move {
        let demo = demo(&db).await;
        let lines = [
            "+;later.0;Laat;Lezer;;;;;;",
            "+;later.1;Laat;Lezer;;;;;Klas Later;",
            "+;later.2;Laat;Lezer;;;;;Klas Later;",
        ];
        start(
            &db,
            &demo.admin,
            demo.root,
            upload(&lines, Mode::AddOnly, false),
        )
        .await;
        let mut applier = Applier::load(&db, run_id(&db).await, 1)
            .await
            .unwrap()
            .unwrap();
        assert!(applier.step(&db).await.unwrap());
        // Another administrator adds the class the next rows name.
        let form = domain::sites::NewSiteForm {
            name: "Klas Later".into(),
            seat_limit: "5".into(),
        };
        let later = domain::sites::create(&db, &demo.admin, demo.root, form)
            .await
            .unwrap()
            .id;
        // A tree only just read is taken as it is: the row is refused.
        assert!(applier.step(&db).await.unwrap());
        assert!(find_user(&db, "later.1").await.is_none());
        // Seconds later, a row it cannot place has the tree read again, and lands.
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        while applier.step(&db).await.unwrap() {}
        let placed = find_user(&db, "later.2").await.unwrap();
        let class = domain::sites::resolve(&db, later).await.unwrap();
        assert_eq!(placed.site_id, class.site.id);
        assert_counters_exact(&db).await;
    }
);
