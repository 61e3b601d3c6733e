//! `cargo bench -p domain --bench oneroster` (USERS=… to change the size; see BENCHMARKS.md).
//!
//! A OneRoster 1.2 export of 10,000 users against the spreadsheet import (CSV) of the same
//! users, each from the upload to the end of its run (read, plan or check, store, apply as the
//! job does, journal, results), each in a child process of its own on a fresh SQLite file:
//!
//! - sheet: the users as CSV rows (username, names, e-mail, personnel number) into the
//!   organisation's root;
//! - roster: the same users in a OneRoster export, members of the district, so placed in the
//!   root as well (the comparison the goal is about);
//! - roster with classes: the same users as pupils of one school in 400 classes of 25 (the
//!   sites made, pupils placed in them), for information.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use domain::import::{self, Applier, Limits, Mode, Options, Upload};
use sea_orm::EntityTrait;
use uuid::Uuid;

#[path = "support/mod.rs"]
mod support;
use support::{fresh, peak_memory_kb};

fn users() -> usize {
    std::env::var("USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn person(i: usize) -> (String, String, String, String, String) {
    (
        format!("leerling.{i:06}"),
        format!("Voornaam{}", i % 997),
        format!("Achternaam {}", i % 1499),
        format!("leerling.{i:06}@school.example"),
        format!("{:05}", i % 100_000),
    )
}

fn sheet(users: usize) -> Vec<u8> {
    let mut out =
        String::from("Actie;Gebruikersnaam;Voornaam;Achternaam;E-mail;Personeelsnummer\n");
    for i in 0..users {
        let (u, f, l, e, p) = person(i);
        out.push_str(&format!("+;{u};{f};{l};{e};{p}\n"));
    }
    out.into_bytes()
}

fn roster(users: usize, classes: bool) -> Vec<u8> {
    let mut files: Vec<(&str, String)> = Vec::new();
    let mut manifest = String::from("propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\nfile.users,bulk\n");
    let mut orgs = String::from("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-d,active,,District,district,,\n");
    let mut users_csv = String::from("sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,identifier,email,primaryOrgSourcedId\n");
    let mut class_csv = String::from("sourcedId,status,dateLastModified,title,schoolSourcedId\n");
    let mut enrollments = String::from(
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role\n",
    );
    let org = if classes { "org-s" } else { "org-d" };
    if classes {
        manifest.push_str("file.classes,bulk\nfile.enrollments,bulk\n");
        orgs.push_str("org-s,active,,School,school,,org-d\n");
        for c in 0..users.div_ceil(25) {
            class_csv.push_str(&format!("cl-{c},active,,Klas {c},org-s\n"));
        }
    }
    for i in 0..users {
        let (u, f, l, e, p) = person(i);
        users_csv.push_str(&format!("u-{i},active,,true,{u},{f},{l},{p},{e},{org}\n"));
        if classes {
            enrollments.push_str(&format!(
                "e-{i},active,,cl-{},org-s,u-{i},student\n",
                i / 25
            ));
        }
    }
    files.push(("manifest.csv", manifest));
    files.push(("orgs.csv", orgs));
    files.push(("users.csv", users_csv));
    if classes {
        files.push(("classes.csv", class_csv));
        files.push(("enrollments.csv", enrollments));
    }
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        for (name, content) in files {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    buffer.into_inner()
}

/// From the upload to the end of the run; seconds.
async fn run(file: &Path, dir: &Path, users: usize) -> f64 {
    let (db, principal, site, _) = fresh(dir, users + 100).await;
    let content = std::fs::read(file).unwrap();
    let start = Instant::now();
    let run = import::start(
        &db,
        &principal,
        site,
        Upload {
            file_name: file.file_name().unwrap().to_string_lossy().into(),
            content,
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
    let seconds = start.elapsed().as_secs_f64();
    let status = import::status(&db, &principal, run).await.unwrap();
    assert_eq!(status.added as usize, users, "{status:?}");
    seconds
}

fn child(file: &Path, dir: &Path) -> (f64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("--phase")
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
    (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let users = users();
    if let Some(at) = args.iter().position(|a| a == "--phase") {
        let file = PathBuf::from(&args[at + 1]);
        let dir = PathBuf::from(&args[at + 2]);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let seconds = runtime.block_on(run(&file, &dir, users));
        println!("RESULT {seconds} {}", peak_memory_kb());
        return;
    }
    let dir = std::env::temp_dir().join(format!("licentia-bench-oneroster-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("users.csv", sheet(users)),
        ("roster.zip", roster(users, false)),
        ("roster-classes.zip", roster(users, true)),
    ];
    let mut timings = Vec::new();
    for (name, bytes) in &files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        // Three runs each, alternating; the median.
        timings.push((name, path, Vec::new(), 0u64));
    }
    for _ in 0..3 {
        for (_, path, runs, peak) in timings.iter_mut() {
            let (seconds, memory) = child(path, &dir);
            runs.push(seconds);
            *peak = (*peak).max(memory);
        }
    }
    let median = |runs: &Vec<f64>| {
        let mut sorted = runs.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        sorted[sorted.len() / 2]
    };
    let sheet = median(&timings[0].2);
    for (name, _, runs, peak) in &timings {
        println!(
            "{name:<20} {users} users: {:.2} s (median of 3), peak {:.0} MB, {:.2} x the spreadsheet",
            median(runs),
            *peak as f64 / 1024.0,
            median(runs) / sheet
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
