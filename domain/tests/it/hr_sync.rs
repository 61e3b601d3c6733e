//! Custom properties as columns of the main import, and HR synchronisation: an HR export
//! rewritten by the organisation's configuration, users matched on their personnel number,
//! new employees added with their number as username, and an employee the export places in
//! another site moved only when "automatically end old placements" is on (the journal says
//! so); without it the preview warns and the user stays.
use domain::entities::{audit_event, job, user};
use domain::import::sync::{self, SyncForm};
use domain::import::{self, Applier, Limits, Mode, Options, Upload};
use domain::properties::{self, DefinitionForm};
use domain::{Code, Db, Error, Principal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

fn upload(content: &str, sync: bool) -> Upload {
    Upload {
        file_name: "hr.csv".into(),
        content: content.as_bytes().to_vec(),
        options: Options {
            mode: Mode::AddAndUpdate,
            allow_deletes: false,
            sync,
        },
        locale: "en".into(),
        teacher_role: None,
    }
}

async fn preview(db: &Db, p: &Principal, site: Uuid, up: &Upload) -> import::Preview {
    let parsed =
        import::parse_for_site(db, p, site, &up.content, Limits::default(), up.options.sync)
            .await
            .unwrap();
    import::preview(db, p, site, &parsed, up.options)
        .await
        .unwrap()
}

/// Starts the import and applies it to its end, as the worker does.
async fn run(db: &Db, p: &Principal, site: Uuid, up: Upload) {
    import::start(db, p, site, up, Limits::default())
        .await
        .unwrap();
    let job = job::Entity::find()
        .filter(job::Column::Kind.eq(import::JOB_KIND))
        .order_by_desc(job::Column::Id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let run = serde_json::from_str::<import::ImportJob>(&job.payload)
        .unwrap()
        .run;
    let mut applier = Applier::load(db, run, 10).await.unwrap().unwrap();
    while applier.step(db).await.unwrap() {}
}

async fn find(db: &Db, username: &str) -> user::Model {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

async fn value(db: &Db, p: &Principal, username: &str, key: &str) -> Option<String> {
    properties::values_of(db, p, find(db, username).await.public_id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.definition.key == key)
        .and_then(|v| v.value)
}

async fn define(db: &Db, p: &Principal, root: Uuid, key: &str, kind: &str, label_en: &str) {
    properties::define(
        db,
        p,
        root,
        DefinitionForm {
            key: key.into(),
            label_nl: format!("{label_en} (nl)"),
            label_fr: format!("{label_en} (fr)"),
            label_en: label_en.into(),
            kind: kind.into(),
            choices: "Care\nKitchen".into(),
            required: false,
        },
    )
    .await
    .unwrap();
}

db_test!(
    should_import_property_columns_with_the_users,
    |db: Db| async move {
        let demo = demo(&db).await;
        let admin = &demo.admin;
        define(&db, admin, demo.root, "department", "choice", "Department").await;
        define(&db, admin, demo.root, "budget", "number", "Personal budget").await;
        // By key and by label; a bad value is refused on its row, naming the property.
        let file = "Actie;Gebruikersnaam;Voornaam;Achternaam;department;Personal budget\n\
                    +;nina.new;Nina;New;care;1250,50\n\
                    *;lotte.janssens;;;Kitchen;\n\
                    +;olaf.odd;Olaf;Odd;Garden;10\n";
        let up = upload(file, false);
        let checked = preview(&db, admin, demo.root, &up).await;
        assert_eq!(checked.planned.len(), 2);
        assert_eq!(checked.issues.len(), 1);
        assert_eq!(
            (
                checked.issues[0].row,
                checked.issues[0].code,
                checked.issues[0].details.clone()
            ),
            (
                4,
                Code::PropertyChoiceInvalid,
                vec!["department".to_string()]
            )
        );
        run(&db, admin, demo.root, up).await;
        assert_eq!(
            value(&db, admin, "nina.new", "department").await.as_deref(),
            Some("Care")
        );
        assert_eq!(
            value(&db, admin, "nina.new", "budget").await.as_deref(),
            Some("1250.5")
        );
        assert_eq!(
            value(&db, admin, "lotte.janssens", "department")
                .await
                .as_deref(),
            Some("Kitchen")
        );
        // The journal has the values with the user's changes.
        let update = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("user.update"))
            .filter(audit_event::Column::TargetLabel.contains("lotte.janssens"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert!(
            update.changes.contains("property:department"),
            "{}",
            update.changes
        );
        // Without the property an unknown column is still refused by name.
        let unknown = "Actie;Gebruikersnaam;Shoe size\n+;x.y;42\n";
        assert_eq!(
            import::parse_for_site(
                &db,
                &demo.admin,
                demo.root,
                unknown.as_bytes(),
                Limits::default(),
                false
            )
            .await
            .err(),
            Some(Error::RefusedAt(
                Code::ImportUnknownColumn,
                vec!["Shoe size".into()]
            ))
        );
    }
);

const HR_EXPORT: &str = "Emp No;Given name;Family name;Dept;Location;Salary;Leaves on\n\
                         HZ-1003;Sofie;Maes;Care;De Klimop;3100;08/31/2027\n\
                         HZ-2001;Nora;Nieuw;Kitchen;De Regenboog;2800;\n";

async fn configure(db: &Db, p: &Principal, root: Uuid, end_old_placements: bool) {
    sync::save_config(
        db,
        p,
        root,
        SyncForm {
            mapping:
                "Emp No = personnel_number\nGiven name = first_name\nFamily name = last_name\n\
                      Dept = department\nLocation = subsite\nLeaves on = expires_on"
                    .into(),
            match_on: "personnel_number".into(),
            date_format: "mdy".into(),
            end_old_placements,
        },
    )
    .await
    .unwrap();
}

db_test!(
    should_keep_an_employee_in_place_without_ending_old_placements,
    |db: Db| async move {
        let demo = demo(&db).await;
        let admin = &demo.admin;
        define(&db, admin, demo.root, "department", "choice", "Department").await;
        // Without a configuration there is nothing to sync with.
        let refused = import::parse_for_site(
            &db,
            admin,
            demo.root,
            HR_EXPORT.as_bytes(),
            Limits::default(),
            true,
        )
        .await;
        assert_eq!(refused.err(), Some(Error::Refused(Code::ImportNoConfig)));
        configure(&db, admin, demo.root, false).await;
        let sofie_before = find(&db, "sofie.maes").await;

        let up = upload(HR_EXPORT, true);
        let checked = preview(&db, admin, demo.root, &up).await;
        assert!(checked.issues.is_empty(), "{:?}", checked.issues);
        let actions: Vec<(String, import::Action)> = checked
            .planned
            .iter()
            .map(|p| (p.row.username.clone(), p.action))
            .collect();
        assert_eq!(
            actions,
            [
                ("sofie.maes".to_string(), import::Action::Update),
                ("hz-2001".to_string(), import::Action::Add),
            ]
        );
        assert_eq!(checked.warnings.len(), 1);
        assert_eq!(
            (
                checked.warnings[0].row,
                checked.warnings[0].code,
                checked.warnings[0].details.clone()
            ),
            (
                2,
                Code::ImportDoublePlacement,
                vec!["Scholengroep Horizon".to_string(), "De Klimop".to_string()]
            )
        );
        run(&db, admin, demo.root, up).await;
        let sofie = find(&db, "sofie.maes").await;
        assert_eq!(
            sofie.site_id, sofie_before.site_id,
            "she stays where she was"
        );
        assert_eq!(sofie.expires_on, "2027-08-31".parse().ok());
        assert_eq!(
            value(&db, admin, "sofie.maes", "department")
                .await
                .as_deref(),
            Some("Care")
        );
        let nora = find(&db, "hz-2001").await;
        assert_eq!(nora.personnel_number.as_deref(), Some("HZ-2001"));
        assert_eq!(
            (nora.first_name.as_str(), nora.last_name.as_str()),
            ("Nora", "Nieuw")
        );
        let regenboog = domain::sites::resolve(&db, demo.regenboog)
            .await
            .unwrap()
            .site;
        assert_eq!(nora.site_id, regenboog.id);
        // Matched on the number: a second run adds nobody twice.
        let again = preview(&db, admin, demo.root, &upload(HR_EXPORT, true)).await;
        assert_eq!(
            again
                .planned
                .iter()
                .filter(|p| p.action == import::Action::Add)
                .count(),
            0
        );
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_move_an_employee_when_old_placements_end_automatically,
    |db: Db| async move {
        let demo = demo(&db).await;
        let admin = &demo.admin;
        define(&db, admin, demo.root, "department", "choice", "Department").await;
        configure(&db, admin, demo.root, true).await;
        let up = upload(HR_EXPORT, true);
        let checked = preview(&db, admin, demo.root, &up).await;
        assert!(checked.warnings.is_empty());
        run(&db, admin, demo.root, up).await;
        let sofie = find(&db, "sofie.maes").await;
        let klimop = domain::sites::resolve(&db, demo.klimop).await.unwrap().site;
        assert_eq!(sofie.site_id, klimop.id, "moved, not duplicated");
        assert_eq!(
            user::Entity::find()
                .filter(user::Column::PersonnelNumber.eq("HZ-1003"))
                .all(db.conn())
                .await
                .unwrap()
                .len(),
            1
        );
        let moved = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("user.update"))
            .filter(audit_event::Column::TargetLabel.contains("sofie.maes"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert!(moved.changes.contains("\"site\""), "{}", moved.changes);
        assert!(moved.changes.contains("De Klimop"), "{}", moved.changes);
        assert_counters_exact(&db).await;
    }
);

db_test!(should_refuse_a_bad_configuration, |db: Db| async move {
    let demo = demo(&db).await;
    let admin = &demo.admin;
    let form = |mapping: &str, match_on: &str| SyncForm {
        mapping: mapping.into(),
        match_on: match_on.into(),
        date_format: "auto".into(),
        end_old_placements: false,
    };
    for (bad, want) in [
        (
            form("Emp No personnel_number", "personnel_number"),
            Error::RefusedAt(Code::ImportConfigLineInvalid, vec!["1".into()]),
        ),
        (
            form("Emp No = shoe_size", "personnel_number"),
            Error::RefusedAt(Code::ImportConfigTargetUnknown, vec!["shoe_size".into()]),
        ),
        (
            form("Name = first_name", "personnel_number"),
            Error::RefusedAt(Code::ImportMissingColumn, vec!["personnel_number".into()]),
        ),
        (
            form("", "username"),
            Error::invalid("mapping", Code::ImportConfigInvalid),
        ),
    ] {
        assert_eq!(
            sync::save_config(&db, admin, demo.root, bad).await.err(),
            Some(want)
        );
    }
    // Only the organisation's administrators configure it.
    let klimop_admin = admin_of(&db, demo.klimop, "klimop.admin").await;
    assert_eq!(
        sync::save_config(
            &db,
            &klimop_admin,
            demo.klimop,
            form("Nr = personnel_number", "personnel_number")
        )
        .await
        .err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        sync::config(&db, &klimop_admin, demo.klimop).await,
        Ok(None)
    );
});
