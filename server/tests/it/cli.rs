//! The command line: `licentia operator create` makes an operator who sees every organisation.
use std::process::Command;

use domain::entities::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

fn licentia(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_licentia"));
    command
        .env("LICENTIA_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    command
}

#[tokio::test]
async fn should_create_an_operator_who_sees_every_organisation() {
    let dir = std::env::temp_dir().join(format!("licentia-cli-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cli.db").display());

    let demo = licentia(&url).arg("demo").output().unwrap();
    assert!(demo.status.success(), "{demo:?}");

    // Without a password the operator is refused (nothing on standard input).
    let refused = licentia(&url)
        .args([
            "operator",
            "create",
            "--username",
            "olga",
            "--first-name",
            "Olga",
        ])
        .args(["--last-name", "Operator"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("password_too_short"));

    let created = licentia(&url)
        .args([
            "operator",
            "create",
            "--username",
            "olga",
            "--first-name",
            "Olga",
        ])
        .args(["--last-name", "Operator"])
        .env("LICENTIA_OPERATOR_PASSWORD", "Operator-2026")
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    assert!(String::from_utf8_lossy(&created.stdout).contains("Operator \"olga\" created"));

    let db = domain::Db::connect(&url).await.unwrap();
    let olga = user::Entity::find()
        .filter(user::Column::Username.eq("olga"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(olga.is_operator);
    let signed_in = domain::auth::sign_in(&db, "olga", "Operator-2026", None)
        .await
        .unwrap();
    let principal = domain::Principal::load(&db, signed_in.user_id)
        .await
        .unwrap();
    let names: Vec<String> = domain::sites::tree(&db, &principal)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    for name in [
        domain::demo::ORGANISATION,
        "De Regenboog",
        "De Klimop",
        "Licentia",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }

    let check = licentia(&url).arg("check").output().unwrap();
    assert!(check.status.success(), "{check:?}");
}

#[tokio::test]
async fn should_create_a_subscription_and_queue_its_confirmation() {
    let dir = std::env::temp_dir().join(format!("licentia-cli-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cli.db").display());
    let create = |serial: &str, until: &str| {
        licentia(&url)
            .args([
                "subscription",
                "create",
                "--serial",
                serial,
                "--seats",
                "20",
            ])
            .args(["--from", "2026-09-01", "--until", until])
            .args(["--email", "buyer@school.example", "--language", "en"])
            .output()
            .unwrap()
    };
    let created = create("2468 1357", "2027-08-31");
    assert!(created.status.success(), "{created:?}");
    assert!(String::from_utf8_lossy(&created.stdout).contains("Subscription 24681357 created"));

    // Refused, saying why: taken serial, reversed dates, bad serial.
    for (serial, until, code) in [
        ("24681357", "2027-08-31", "serial_taken"),
        ("11223344", "2026-01-01", "date_range_reversed"),
        ("12ab", "2027-08-31", "serial_invalid"),
    ] {
        let refused = create(serial, until);
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(code),
            "{refused:?}"
        );
    }

    let db = domain::Db::connect(&url).await.unwrap();
    let info = domain::onboarding::check_serial(&db, "24681357")
        .await
        .unwrap();
    assert_eq!(info.seats, 20);
    let mails = domain::entities::job::Entity::find()
        .all(db.conn())
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "one confirmation, none for the refusals");
    let mail: domain::mail::Mail = serde_json::from_str(&mails[0].payload).unwrap();
    assert_eq!(mail.to, "buyer@school.example");
    assert_eq!(
        domain::mail::render(&mail, "http://x").subject,
        "Your Licentia subscription 24681357"
    );
}

#[tokio::test]
async fn should_create_products_bundles_and_a_token() {
    let dir = std::env::temp_dir().join(format!("licentia-cli-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cli.db").display());
    let run = |args: &[&str]| licentia(&url).args(args).output().unwrap();
    assert!(run(&["demo"]).status.success());
    // The demo has `reader` and `speech` already.
    for (key, name) in [("atlas", "Atlas"), ("maths", "Maths")] {
        let created = run(&["product", "create", "--key", key, "--name", name]);
        assert!(created.status.success(), "{created:?}");
    }
    let refused = run(&["product", "create", "--key", "Reader!", "--name", "X"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("product_key_invalid"));
    let bundle = run(&[
        "product",
        "bundle",
        "--name",
        "Study Bundle",
        "--products",
        "atlas,maths",
    ]);
    assert!(bundle.status.success(), "{bundle:?}");
    let unknown = run(&[
        "product",
        "bundle",
        "--name",
        "Odd",
        "--products",
        "reader,nope",
    ]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("product_unknown"));
    let list = String::from_utf8_lossy(&run(&["product", "list"]).stdout).to_string();
    assert!(list.contains("product reader\tReader"), "{list}");
    assert!(
        list.contains("bundle  Ultimate Bundle\treader,speech"),
        "{list}"
    );

    let token = run(&[
        "token",
        "create",
        "--username",
        "directeur",
        "--name",
        "Tests",
    ]);
    assert!(token.status.success(), "{token:?}");
    let secret = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let db = domain::Db::connect(&url).await.unwrap();
    let today = wire::time::today();
    let principal = domain::api_tokens::authenticate(&db, &secret, today)
        .await
        .unwrap();
    let me = user::Entity::find_by_id(principal.user_id().unwrap())
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.username, "directeur");
    let nobody = run(&["token", "create", "--username", "nobody", "--name", "X"]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("not_found"));
}

#[tokio::test]
async fn should_run_dynamic_groups_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("licentia-cli-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cli.db").display());
    let run = |args: &[&str]| licentia(&url).args(args).output().unwrap();
    assert!(run(&["demo"]).status.success());
    let none = run(&["group", "run"]);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("no active group"));

    let db = domain::Db::connect(&url).await.unwrap();
    let admin_id = user::Entity::find()
        .filter(user::Column::Username.eq("directeur"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin = domain::Principal::load(&db, admin_id).await.unwrap();
    let root = domain::sites::home_site(&db, &admin).await.unwrap();
    domain::properties::define(
        &db,
        &admin,
        root,
        domain::properties::DefinitionForm {
            key: "team".into(),
            label_nl: "Team".into(),
            label_fr: "Équipe".into(),
            label_en: "Team".into(),
            kind: "text".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let lotte = user::Entity::find()
        .filter(user::Column::Username.eq("lotte.janssens"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    domain::properties::set_values(
        &db,
        &admin,
        lotte.public_id,
        &[("team".into(), "Blue".into())],
    )
    .await
    .unwrap();
    domain::groups::save(
        &db,
        &admin,
        domain::groups::GroupForm {
            site: root,
            name: "Blue team".into(),
            conditions: vec![domain::properties::filter::Condition {
                key: "team".into(),
                op: domain::properties::filter::Op::Equals,
                value: "blue".into(),
            }],
            active: true,
            schedule: "manual".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let first = run(&["group", "run", "--name", "Blue team"]);
    assert!(first.status.success(), "{first:?}");
    let printed = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        printed.contains("Blue team: 1 members, 1 joined, 0 left"),
        "{printed}"
    );
    let again = String::from_utf8_lossy(&run(&["group", "run"]).stdout).to_string();
    assert!(
        again.contains("Blue team: 1 members, 0 joined, 0 left"),
        "{again}"
    );
}

#[tokio::test]
async fn should_set_limits_and_manage_signing_keys() {
    let dir = std::env::temp_dir().join(format!("licentia-cli-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cli.db").display());
    assert!(licentia(&url)
        .arg("demo")
        .output()
        .unwrap()
        .status
        .success());
    let run = |args: &[&str]| licentia(&url).args(args).output().unwrap();
    let set = run(&[
        "limits",
        "--bundle",
        "Ultimate Bundle",
        "--devices",
        "2",
        "--sessions",
        "5",
    ]);
    assert!(set.status.success(), "{set:?}");
    let refused = run(&["limits", "--bundle", "Ultimate Bundle", "--devices", "0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("limit_invalid (max_devices)"));
    assert!(!run(&["limits", "--devices", "2"]).status.success());
    let db = domain::Db::connect(&url).await.unwrap();
    let (_, bundles) = domain::products::catalogue_unchecked(&db).await.unwrap();
    let ultimate = bundles
        .iter()
        .find(|b| b.name == "Ultimate Bundle")
        .unwrap();
    assert_eq!(
        ultimate.limits,
        domain::applications::Limits {
            devices: Some(2),
            user_sessions: None,
            sessions: Some(5),
        }
    );
    // Keys: the first rotation makes one that signs; a second retires it; the signing key
    // cannot be removed, a retired one can.
    let first = run(&["keys", "rotate"]);
    let first = String::from_utf8_lossy(&first.stdout).trim().to_string();
    let second = run(&["keys", "rotate"]);
    let second = String::from_utf8_lossy(&second.stdout).trim().to_string();
    let listed = String::from_utf8_lossy(&run(&["keys", "list"]).stdout).to_string();
    assert!(listed.starts_with(&format!("{second}\t")), "{listed}");
    assert!(listed.contains(&format!("{first}\t")) && listed.contains("retired"));
    assert!(!run(&["keys", "remove", &second]).status.success());
    assert!(run(&["keys", "remove", &first]).status.success());
    assert!(!String::from_utf8_lossy(&run(&["keys", "list"]).stdout).contains(&first));
}
