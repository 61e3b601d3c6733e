//! What the import benchmarks share: a fresh organisation with room, the peak memory.
#![allow(dead_code)]
use std::path::Path;

use uuid::Uuid;

/// A fresh database with one organisation that has room for every row, and its administrator.
pub async fn fresh(dir: &Path, rows: usize) -> (domain::Db, domain::Principal, Uuid, i32) {
    let url = format!(
        "sqlite://{}",
        dir.join(format!("{}.db", Uuid::new_v4())).display()
    );
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
    domain::roles::ensure_builtin(db.conn()).await.unwrap();
    let limit = i32::try_from(rows + 10).unwrap();
    let root = domain::sites::insert_root(&db, "Bench", limit)
        .await
        .unwrap();
    let admin = domain::users::NewUserForm {
        username: "bench.admin".into(),
        first_name: "Bench".into(),
        last_name: "Admin".into(),
        ..Default::default()
    }
    .validate()
    .await
    .unwrap();
    let txn = db.write().await.unwrap();
    let admin = domain::users::insert_unchecked(&*txn, root.id, admin)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        admin.id,
        domain::roles::ADMINISTRATOR,
        root.id,
    )
    .await
    .unwrap();
    let principal = domain::Principal::load(&db, admin.id).await.unwrap();
    (db, principal, root.public_id, root.id)
}

pub fn peak_memory_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
