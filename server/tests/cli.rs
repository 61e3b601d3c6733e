//! The command line: `licentia operator create` makes an operator who sees every organisation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
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
