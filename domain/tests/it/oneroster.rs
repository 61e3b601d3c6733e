//! OneRoster 1.2 CSV import, on both databases, with the fixtures written from the
//! specification (scripts/make-oneroster-fixtures.py): a first bulk export (a district, 2
//! schools, 12 classes, 300 pupils, 20 teachers, a parent), then a delta that adds, moves,
//! removes and renames; previews, seats, rights.
use domain::entities::{role, site, user};
use domain::import::oneroster::{self, RosterOptions};
use domain::import::Limits;
use domain::{Code, Db, Error};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/oneroster/{name}.zip",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

async fn licence_manager(db: &Db) -> i32 {
    role::Entity::find()
        .filter(role::Column::BuiltinKey.eq(domain::roles::LICENCE_MANAGER))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The demo's root with `free` free seats.
pub(crate) async fn room(db: &Db, free: i32) {
    let root = site::Entity::find()
        .filter(site::Column::ParentId.is_null())
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let mut row: site::ActiveModel = root.clone().into();
    use sea_orm::{ActiveModelTrait, Set};
    row.seat_limit = Set(root.used_seats + free);
    row.update(db.conn()).await.unwrap();
}

pub(crate) async fn site_named(db: &Db, name: &str) -> site::Model {
    site::Entity::find()
        .filter(site::Column::Name.eq(name))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no site {name}"))
}

pub(crate) async fn own_users(db: &Db, name: &str) -> (i32, i32) {
    let found = site_named(db, name).await;
    (found.own_users, found.seat_limit)
}

pub(crate) async fn import(
    db: &Db,
    principal: &domain::Principal,
    site: uuid::Uuid,
    name: &str,
    options: RosterOptions,
) -> oneroster::RosterPlan {
    let roster = oneroster::read(&fixture(name), Limits::default()).unwrap();
    let plan = oneroster::plan(db, principal, site, &roster, options)
        .await
        .unwrap();
    oneroster::apply(db, principal, &plan).await.unwrap();
    plan
}

db_test!(
    should_import_a_district_then_its_delta,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db, 400).await;
        let options = RosterOptions {
            teacher_role: Some(licence_manager(&db).await),
        };
        // The preview of the first export: every site and user, the parent left out.
        let roster = oneroster::read(&fixture("first"), Limits::default()).unwrap();
        assert_eq!(
            (roster.orgs.len(), roster.classes.len(), roster.users.len()),
            (3, 12, 321)
        );
        let plan = oneroster::plan(&db, &demo.admin, demo.root, &roster, options)
            .await
            .unwrap();
        assert_eq!(plan.problems, vec![]);
        assert_eq!(
            plan.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
            vec![Code::OnerosterRoleSkipped]
        );
        assert_eq!(
            (
                plan.new_sites.len(),
                plan.new_users.len(),
                plan.changed_users.len(),
                plan.grants_added.len(),
                plan.shortages.len()
            ),
            (14, 320, 0, 20, 0)
        );
        let before = user::Entity::find().count(db.conn()).await.unwrap();
        let applied = oneroster::apply(&db, &demo.admin, &plan).await.unwrap();
        assert_eq!(
            (applied.added, applied.sites_created, applied.grants),
            (320, 14, 20)
        );
        assert_eq!(
            user::Entity::find().count(db.conn()).await.unwrap(),
            before + 320
        );
        // Pupils in their class, teachers in their school; limits as the rule says.
        assert_eq!(own_users(&db, "1A").await, (25, 25));
        assert_eq!(own_users(&db, "6B").await, (25, 25));
        assert_eq!(own_users(&db, "Basisschool De Linde").await, (10, 160));
        let school = site_named(&db, "Basisschool De Linde").await;
        let root = site_named(&db, domain::demo::ORGANISATION).await;
        assert_eq!(school.parent_id, Some(root.id));
        assert_counters_exact(&db).await;
        // The same export again changes nothing.
        let again = oneroster::plan(&db, &demo.admin, demo.root, &roster, options)
            .await
            .unwrap();
        assert!(again.is_empty(), "{again:?}");

        // The delta: 5 new pupils in 1A, 3 gone from 6B, 4 moved from 2A to 3A by their
        // enrollments, 4B renamed, a teacher's address.
        let delta = oneroster::read(&fixture("delta"), Limits::default()).unwrap();
        let plan = oneroster::plan(&db, &demo.admin, demo.root, &delta, options)
            .await
            .unwrap();
        assert_eq!(plan.problems, vec![]);
        assert_eq!(
            (
                plan.new_users.len(),
                plan.removed_users.len(),
                plan.changed_users.len(),
                plan.renamed.len(),
                plan.new_sites.len()
            ),
            (5, 3, 5, 1, 0)
        );
        oneroster::apply(&db, &demo.admin, &plan).await.unwrap();
        assert_eq!(own_users(&db, "1A").await, (30, 30));
        assert_eq!(own_users(&db, "2A").await.0, 21);
        assert_eq!(own_users(&db, "3A").await.0, 29);
        assert_eq!(own_users(&db, "6B").await.0, 22);
        site_named(&db, "4B Sterrenklas").await;
        let teacher = user::Entity::find()
            .filter(user::Column::Username.eq("lkr.liam.003"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            teacher.email.as_deref(),
            Some("nieuw.adres@scholengroep.example")
        );
        assert_eq!(
            teacher.site_id, school.id,
            "a delta without enrollments keeps them"
        );
        assert_counters_exact(&db).await;
    }
);

db_test!(should_refuse_a_shortage_as_a_whole, |db: Db| async move {
    let demo = demo(&db).await;
    room(&db, 100).await;
    let roster = oneroster::read(&fixture("first"), Limits::default()).unwrap();
    let plan = oneroster::plan(
        &db,
        &demo.admin,
        demo.root,
        &roster,
        RosterOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(plan.shortages.len(), 1);
    assert_eq!(plan.shortages[0].free, 100);
    let before = user::Entity::find().count(db.conn()).await.unwrap();
    assert_eq!(
        oneroster::apply(&db, &demo.admin, &plan).await.err(),
        Some(Error::Refused(Code::NoFreeSeat))
    );
    assert_eq!(user::Entity::find().count(db.conn()).await.unwrap(), before);
    assert!(site::Entity::find()
        .filter(site::Column::Name.eq("1A"))
        .one(db.conn())
        .await
        .unwrap()
        .is_none());
    assert_counters_exact(&db).await;
});

db_test!(
    should_import_only_where_the_administrator_may,
    |db: Db| async move {
        let demo = demo(&db).await;
        room(&db, 400).await;
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        let roster = oneroster::read(&fixture("first"), Limits::default()).unwrap();
        // Not in De Regenboog: it does not exist for them.
        assert_eq!(
            oneroster::plan(
                &db,
                &klimop,
                demo.regenboog,
                &roster,
                RosterOptions::default()
            )
            .await
            .err(),
            Some(Error::NotFound)
        );
        // In De Klimop: its few seats are short, and said so.
        let plan = oneroster::plan(&db, &klimop, demo.klimop, &roster, RosterOptions::default())
            .await
            .unwrap();
        assert_eq!(plan.shortages.len(), 1);
        assert_eq!(plan.new_sites.len(), 14);
        // A user of another school with a username of the export is not taken over.
        let _ = import(
            &db,
            &demo.admin,
            demo.root,
            "first",
            RosterOptions::default(),
        )
        .await;
        let plan = oneroster::plan(&db, &klimop, demo.klimop, &roster, RosterOptions::default())
            .await
            .unwrap();
        assert!(plan
            .problems
            .iter()
            .all(|p| p.code == Code::UsernameTaken || p.code == Code::UserOutOfReach));
        assert_eq!(plan.problems.len(), 320);
        assert!(plan.changed_users.is_empty());
    }
);

db_test!(
    should_refuse_exports_that_cannot_be_read,
    |db: Db| async move {
        let _ = db;
        let limits = Limits::default();
        assert!(!oneroster::is_roster(b"not a zip"));
        assert!(oneroster::is_roster(&fixture("first")));
        // A zip without a manifest is a workbook's business, not ours.
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("manifest.csv", options).unwrap();
            use std::io::Write;
            zip.write_all(b"propertyName,value\noneroster.version,1.0\n")
                .unwrap();
            zip.finish().unwrap();
        }
        assert_eq!(
            oneroster::read(buffer.get_ref(), limits).err(),
            Some(Error::RefusedAt(
                Code::OnerosterVersionUnsupported,
                vec!["1.0".into()]
            ))
        );
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("manifest.csv", options).unwrap();
            use std::io::Write;
            zip.write_all(b"propertyName,value\noneroster.version,1.2\nfile.users,bulk\n")
                .unwrap();
            zip.finish().unwrap();
        }
        assert_eq!(
            oneroster::read(buffer.get_ref(), limits).err(),
            Some(Error::RefusedAt(
                Code::OnerosterFileMissing,
                vec!["users.csv".into()]
            ))
        );
    }
);

db_test!(
    should_run_an_export_through_the_import_path,
    |db: Db| async move {
        use domain::entities::{import_run, role};
        use domain::import::{Applier, Mode, Options, Upload, UploadPreview};
        let demo = demo(&db).await;
        room(&db, 400).await;
        let teacher_role = role::Entity::find()
            .filter(role::Column::BuiltinKey.eq(domain::roles::LICENCE_MANAGER))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap()
            .public_id;
        let upload = Upload {
            file_name: "oneroster.zip".into(),
            content: fixture("first"),
            options: Options {
                mode: Mode::AddOnly,
                allow_deletes: false,
                sync: false,
            },
            locale: "nl".into(),
            teacher_role: Some(teacher_role),
        };
        // The preview is the plan.
        let Ok(UploadPreview::Roster(plan)) =
            domain::import::preview_upload(&db, &demo.admin, demo.root, &upload, Limits::default())
                .await
        else {
            panic!("not read as a OneRoster export");
        };
        assert_eq!((plan.new_users.len(), plan.grants_added.len()), (320, 20));
        // Started, then applied by the job in one step.
        let run = domain::import::start(&db, &demo.admin, demo.root, upload, Limits::default())
            .await
            .unwrap();
        let stored = import_run::Entity::find()
            .filter(import_run::Column::PublicId.eq(run))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.mode, "oneroster");
        let mut applier = Applier::load(&db, stored.id, 500).await.unwrap().unwrap();
        assert!(!applier.step(&db).await.unwrap());
        let status = domain::import::status(&db, &demo.admin, run).await.unwrap();
        assert_eq!(
            (status.status, status.added, status.errors),
            (wire::RunState::Done, 320, 0)
        );
        assert_eq!(own_users(&db, "3B").await, (25, 25));
        // The result file is users.csv with each row's outcome; no password is kept.
        let (name, bytes) = domain::import::result_file(&db, &demo.admin, run, "en")
            .await
            .unwrap();
        assert!(name.ends_with(".xlsx"), "{name}");
        assert!(bytes.len() > 1000);
        assert_counters_exact(&db).await;
    }
);
