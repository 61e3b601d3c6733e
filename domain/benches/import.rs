//! Import of a 100,000-row .xlsx against a bare baseline, measured in the same run:
//!
//! - baseline: calamine reads the sheet (every cell to text), then the same users are inserted
//!   with plain multi-row INSERTs of 500, no checks, one transaction per batch;
//! - preview: read, parse, check against the database (nothing written);
//! - apply: store the file and run, then apply batch by batch as the import job does (checks
//!   again, seats, journal, a result per row, checkpoint).
//!
//! - the preview and the apply again into the same organisation grown by 5,000 sites (the
//!   tree is read once per preview and once per run, not per batch).
//!
//! Each phase runs in a child process of its own (fresh SQLite file) so that its peak memory
//! (VmHWM) is its own. `cargo bench -p domain --bench import` (ROWS=… to change the size).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::Utc;
use domain::entities::user;
use domain::import::{self, Applier, Limits, Mode, Options, Upload};
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

#[path = "support/mod.rs"]
mod support;
use support::{fresh, peak_memory_kb};

fn rows() -> usize {
    std::env::var("ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn write_xlsx(path: &Path, rows: usize) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "Actie",
        "Gebruikersnaam",
        "Voornaam",
        "Achternaam",
        "E-mail",
        "Vervaldatum",
        "Personeelsnummer",
    ];
    for (col, title) in (0u16..).zip(header) {
        sheet.write_string(0, col, title).unwrap();
    }
    for i in 0..rows {
        let r = u32::try_from(i + 1).unwrap();
        let cells = [
            "+".to_string(),
            format!("leerling.{i:06}"),
            format!("Voornaam{}", i % 997),
            format!("Achternaam {}", i % 1499),
            format!("leerling.{i:06}@school.example"),
            "2027-08-31".to_string(),
            format!("{:05}", i % 100_000),
        ];
        for (col, value) in (0u16..).zip(cells) {
            sheet.write_string(r, col, value).unwrap();
        }
    }
    book.save(path).unwrap();
}

async fn baseline(file: &Path, dir: &Path, rows: usize) -> f64 {
    use calamine::{open_workbook_auto_from_rs, Reader};
    let (db, _, _, site_id) = fresh(dir, rows).await;
    let start = Instant::now();
    let bytes = std::fs::read(file).unwrap();
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let now = Utc::now();
    for chunk in cells.chunks(500) {
        let models: Vec<user::ActiveModel> = chunk
            .iter()
            .map(|c| user::ActiveModel {
                public_id: Set(Uuid::new_v4()),
                site_id: Set(site_id),
                username: Set(c[1].clone()),
                first_name: Set(c[2].clone()),
                last_name: Set(c[3].clone()),
                email: Set(Some(c[4].clone())),
                email_verified: Set(false),
                password_hash: Set(None),
                active: Set(true),
                expires_on: Set(chrono::NaiveDate::parse_from_str(&c[5], "%Y-%m-%d").ok()),
                must_change_password: Set(false),
                locale: Set(None),
                created_at: Set(now),
                last_sign_in_at: Set(None),
                is_operator: Set(false),
                service_account: Set(false),
                pending: Set(None),
                personnel_number: Set(Some(c[6].clone())),
                ..Default::default()
            })
            .collect();
        let txn = db.write().await.unwrap();
        user::Entity::insert_many(models).exec(&*txn).await.unwrap();
        txn.commit().await.unwrap();
    }
    start.elapsed().as_secs_f64()
}

/// 5,000 more sites in the organisation (50 schools of 99 classes, no seats of their own): what
/// the import reads about the tree grows with them, and should not cost per batch.
async fn grow(db: &domain::Db, root: i32) {
    let txn = db.write().await.unwrap();
    for s in 0..50 {
        let school = domain::sites::insert_site(&*txn, Some(&[root]), &format!("School {s:02}"), 0)
            .await
            .unwrap();
        for c in 0..99 {
            let name = format!("Klas {s:02}-{c:02}");
            domain::sites::insert_site(&*txn, Some(&[school.id, root]), &name, 0)
                .await
                .unwrap();
        }
    }
    txn.commit().await.unwrap();
}

async fn preview(file: &Path, dir: &Path, rows: usize, large: bool) -> f64 {
    let (db, principal, site, root) = fresh(dir, rows).await;
    if large {
        grow(&db, root).await;
    }
    let start = Instant::now();
    let bytes = std::fs::read(file).unwrap();
    let parsed =
        import::parse_rows(&import::read_table(&bytes, Limits::default()).unwrap()).unwrap();
    let options = Options {
        mode: Mode::AddOnly,
        allow_deletes: false,
        sync: false,
    };
    let checked = import::preview(&db, &principal, site, &parsed, options)
        .await
        .unwrap();
    assert_eq!(checked.count(import::Action::Add), rows);
    assert!(checked.issues.is_empty() && checked.shortages.is_empty());
    start.elapsed().as_secs_f64()
}

async fn apply(file: &Path, dir: &Path, rows: usize, large: bool) -> f64 {
    let (db, principal, site, root) = fresh(dir, rows).await;
    if large {
        grow(&db, root).await;
    }
    let start = Instant::now();
    let bytes = std::fs::read(file).unwrap();
    let run = import::start(
        &db,
        &principal,
        site,
        Upload {
            file_name: "bench.xlsx".into(),
            content: bytes,
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
    let id = domain::entities::import_run::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.public_id == run)
        .unwrap()
        .id;
    let mut applier = Applier::load(&db, id, import::BATCH)
        .await
        .unwrap()
        .unwrap();
    while applier.step(&db).await.unwrap() {}
    let status = import::status(&db, &principal, run).await.unwrap();
    assert_eq!(status.added as usize, rows, "{status:?}");
    start.elapsed().as_secs_f64()
}

fn child(phase: &str, file: &Path, dir: &Path) -> (f64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--phase", phase])
        .arg(file)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("RESULT ")).unwrap();
    let mut parts = line.split_whitespace().skip(1);
    let seconds: f64 = parts.next().unwrap().parse().unwrap();
    let peak: u64 = parts.next().unwrap().parse().unwrap();
    (seconds, peak)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = rows();
    if let Some(at) = args.iter().position(|a| a == "--phase") {
        let phase = args[at + 1].clone();
        let file = PathBuf::from(&args[at + 2]);
        let dir = PathBuf::from(&args[at + 3]);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let seconds = runtime.block_on(async {
            match phase.as_str() {
                "baseline" => baseline(&file, &dir, rows).await,
                "preview" => preview(&file, &dir, rows, false).await,
                "preview-large" => preview(&file, &dir, rows, true).await,
                "apply-large" => apply(&file, &dir, rows, true).await,
                _ => apply(&file, &dir, rows, false).await,
            }
        });
        println!("RESULT {seconds} {}", peak_memory_kb());
        return;
    }
    let dir = std::env::temp_dir().join(format!("licentia-bench-import-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.xlsx");
    write_xlsx(&file, rows);
    let size = std::fs::metadata(&file).unwrap().len();
    println!("{rows} rows, {:.1} MB .xlsx", size as f64 / 1_048_576.0);
    let (base, base_mem) = child("baseline", &file, &dir);
    let (pre, pre_mem) = child("preview", &file, &dir);
    let (app, app_mem) = child("apply", &file, &dir);
    let (pre_large, _) = child("preview-large", &file, &dir);
    let (app_large, _) = child("apply-large", &file, &dir);
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "baseline (calamine read + batched insert): {base:.2} s, peak {:.0} MB",
        mb(base_mem)
    );
    println!(
        "preview (read, parse, check):              {pre:.2} s, peak {:.0} MB  = {:.2} x baseline",
        mb(pre_mem),
        pre / base
    );
    println!(
        "apply (store, check, write, journal):      {app:.2} s, peak {:.0} MB  = {:.2} x baseline",
        mb(app_mem),
        app / base
    );
    println!(
        "preview into 5,001 sites:                  {pre_large:.2} s = {:.2} x the preview into 1 site (goal at most 1.2)",
        pre_large / pre
    );
    println!(
        "apply into 5,001 sites:                    {app_large:.2} s = {:.2} x the apply into 1 site",
        app_large / app
    );
    let _ = std::fs::remove_dir_all(&dir);
}
