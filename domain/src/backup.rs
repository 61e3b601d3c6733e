//! A consistent copy of a running SQLite database (`VACUUM INTO`: a snapshot, compacted, that
//! other connections keep writing past). PostgreSQL has its own tool for this (`pg_dump`).
use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend};

use crate::error::{Code, Error, Result};
use crate::Db;

/// Writes the copy to `file` (which must not exist) and answers its size in bytes.
pub async fn write(db: &Db, file: &Path) -> Result<u64> {
    if db.backend() != DbBackend::Sqlite {
        return Err(Error::Refused(Code::BackupNeedsSqlite));
    }
    if file.exists() {
        return Err(Error::Conflict(Code::BackupFileExists));
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Internal(format!("create {dir:?}: {e}")))?;
    }
    let target = file.to_string_lossy().replace('\'', "''");
    db.conn()
        .execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await?;
    std::fs::metadata(file)
        .map(|m| m.len())
        .map_err(|e| Error::Internal(format!("backup {file:?}: {e}")))
}
