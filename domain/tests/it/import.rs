//! The import preview against the database: modes, deletes, subsites by name and path, users
//! outside the subtree, seats over the whole file. Nothing is written.
use domain::import::{self, Action, Mode, Options, Table};
use domain::sites::{self, NewSiteForm};
use domain::{users, Code, Db};

use crate::db_test;
use crate::helpers::*;

fn table(lines: &[&str]) -> Table {
    Table {
        first_row: 1,
        rows: lines
            .iter()
            .map(|line| line.split(';').map(str::to_string).collect())
            .collect(),
    }
}

const HEADER: &str = "Actie;Gebruikersnaam;Voornaam;Achternaam;Klas";

fn options(mode: Mode, allow_deletes: bool) -> Options {
    Options {
        mode,
        allow_deletes,
        sync: false,
    }
}

db_test!(
    should_preview_adds_updates_and_deletes_by_mode_without_writing,
    |db: Db| async move {
        let demo = demo(&db).await;
        sites::create(
            &db,
            &demo.admin,
            demo.klimop,
            NewSiteForm {
                name: "Klas 1A".into(),
                seat_limit: "2".into(),
            },
        )
        .await
        .unwrap();
        let parsed = import::parse_rows(&table(&[
            HEADER,
            "+;nieuw.een;Nieuw;Een;Klas 1A",
            "+;lotte.janssens;Lotte;Janssens;",
            "*;pieter.claes;Pieter;Claes;",
            "-;sofie.maes;;;",
            "*;emma.willems;;;",
            "+;nieuw.twee;Nieuw;Twee;De Klimop/Klas 1A",
            "+;nieuw.drie;Nieuw;Drie;Klas 9Z",
            "-;directeur;;;",
        ]))
        .unwrap();
        let before = users::list(&db, &demo.admin, demo.root, Default::default())
            .await
            .unwrap()
            .total;

        let add_update = import::preview(
            &db,
            &demo.admin,
            demo.root,
            &parsed,
            options(Mode::AddAndUpdate, true),
        )
        .await
        .unwrap();
        let planned: Vec<(&str, Action)> = add_update
            .planned
            .iter()
            .map(|p| (p.row.username.as_str(), p.action))
            .collect();
        assert_eq!(
            planned,
            [
                ("nieuw.een", Action::Add),
                ("lotte.janssens", Action::Update),
                ("pieter.claes", Action::Update),
                ("sofie.maes", Action::Delete),
                ("emma.willems", Action::Update),
                ("nieuw.twee", Action::Add),
            ]
        );
        let issues: Vec<(usize, Code)> =
            add_update.issues.iter().map(|i| (i.row, i.code)).collect();
        assert_eq!(
            issues,
            [(8, Code::ImportSubsiteUnknown), (9, Code::CannotDeleteSelf)]
        );
        assert!(
            add_update.shortages.is_empty(),
            "{:?}",
            add_update.shortages
        );

        let add_only = import::preview(
            &db,
            &demo.admin,
            demo.root,
            &parsed,
            options(Mode::AddOnly, false),
        )
        .await
        .unwrap();
        let codes: Vec<(usize, Code)> = add_only.issues.iter().map(|i| (i.row, i.code)).collect();
        assert_eq!(
            codes,
            [
                (3, Code::UsernameTaken),
                (4, Code::ImportUpdateNotAllowed),
                (5, Code::ImportDeleteNotAllowed),
                (6, Code::ImportUpdateNotAllowed),
                (8, Code::ImportSubsiteUnknown),
                (9, Code::ImportDeleteNotAllowed),
            ]
        );
        let update_only = import::preview(
            &db,
            &demo.admin,
            demo.root,
            &parsed,
            options(Mode::UpdateOnly, false),
        )
        .await
        .unwrap();
        assert_eq!(update_only.count(Action::Add), 0);
        assert_eq!(update_only.count(Action::Update), 3);

        // Nothing was written by three previews.
        let after = users::list(&db, &demo.admin, demo.root, Default::default())
            .await
            .unwrap()
            .total;
        assert_eq!(before, after);
    }
);

db_test!(
    should_see_users_outside_the_subtree_as_unknown_and_count_seats_over_the_file,
    |db: Db| async move {
        let demo = demo(&db).await;
        let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
        // De Klimop: 3 seats, its administrator takes one; the file adds four.
        let parsed = import::parse_rows(&table(&[
            HEADER,
            "*;emma.willems;Emma;W;",
            "-;lotte.janssens;;;",
            "+;lotte.janssens2;Lotte;J;",
            "+;k1;K;Een;",
            "+;k2;K;Twee;",
            "+;k3;K;Drie;",
        ]))
        .unwrap();
        let preview = import::preview(
            &db,
            &klimop_admin,
            demo.klimop,
            &parsed,
            options(Mode::AddAndUpdate, true),
        )
        .await
        .unwrap();
        let issues: Vec<(usize, Code)> = preview.issues.iter().map(|i| (i.row, i.code)).collect();
        assert_eq!(
            issues,
            [(2, Code::ImportUserUnknown), (3, Code::ImportUserUnknown)]
        );
        assert_eq!(preview.shortages.len(), 1);
        let shortage = &preview.shortages[0];
        assert_eq!(
            (shortage.site_name.as_str(), shortage.adding, shortage.free),
            ("De Klimop", 4, 2)
        );

        // Not into a site outside the subtree.
        let refused = import::preview(
            &db,
            &klimop_admin,
            demo.regenboog,
            &parsed,
            options(Mode::AddOnly, false),
        )
        .await;
        assert_eq!(refused.err().map(|e| e.code()), Some(Code::NotFound));
    }
);

/// Files saved by LibreOffice Calc 7.4 (scripts/make-libreoffice-fixtures.sh): the dates are
/// date cells, leading zeros survive in text cells, accents in every format.
#[test]
fn should_read_files_saved_by_libreoffice() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libreoffice");
    for file in ["users.xlsx", "users.xls", "users.ods", "users.csv"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let table = import::read_table(&bytes, import::Limits::default()).unwrap();
        let parsed = import::parse_rows(&table).unwrap();
        assert!(parsed.issues.is_empty(), "{file}: {:?}", parsed.issues);
        type Seen = (String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Seen> = parsed
            .rows
            .iter()
            .map(|r| {
                (
                    r.username.clone(),
                    r.last_name.clone(),
                    r.expires_on.map(|d| d.to_string()),
                    r.personnel_number.clone(),
                )
            })
            .collect();
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            rows,
            [
                ("lo.anna".into(), s("Peeters"), s("2027-08-31"), s("P-001")),
                ("lo.bram".into(), s("Élève"), None, None),
                ("lo.chloé".into(), s("Dubois"), None, s("00123")),
            ],
            "{file}"
        );
        assert_eq!(
            parsed.rows[1].password.as_deref(),
            Some("Welkom-2026!"),
            "{file}"
        );
    }
}

/// Inputs the fuzzer found (fuzz/, `import_file`): refused as unreadable, never a panic.
#[test]
fn should_refuse_damaged_workbooks_found_by_fuzzing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let refused = import::read_table(&bytes, import::Limits::default());
        assert!(
            matches!(&refused, Err(e) if e.code() == Code::ImportUnreadable || e.code() == Code::ImportEmpty),
            "{}: {refused:?}",
            file.display()
        );
    }
}

/// Two cells far apart would make the spreadsheet library hold billions of cells: refused
/// before it reads the sheet.
#[test]
fn should_refuse_a_sheet_whose_cells_span_a_huge_rectangle() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Gebruikersnaam").unwrap();
    sheet.write_string(1, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let refused = import::read_table(&bytes, import::Limits::default());
    assert!(
        matches!(&refused, Err(e) if e.code() == Code::ImportTooLarge),
        "{refused:?}"
    );
}
