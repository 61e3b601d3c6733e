//! `licentia backup`: a consistent copy of a running SQLite database that opens as a database
//! with everything committed before it; refused for PostgreSQL (pg_dump) and over a file.
use domain::entities::user;
use domain::{Code, Db, Error};
use sea_orm::{EntityTrait, PaginatorTrait};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_copy_a_running_database_that_restores,
    |db: Db| async move {
        let demo = demo(&db).await;
        let file = std::env::temp_dir()
            .join("licentia-tests")
            .join(format!("backup-{}.db", Uuid::new_v4()));
        if db.backend() != sea_orm::DbBackend::Sqlite {
            assert_eq!(
                domain::backup::write(&db, &file).await.unwrap_err(),
                Error::Refused(Code::BackupNeedsSqlite)
            );
            return;
        }
        domain::users::create(&db, &demo.admin, demo.klimop, user_form("voor.de.kopie"))
            .await
            .unwrap();
        let users = user::Entity::find().count(db.conn()).await.unwrap();
        let bytes = domain::backup::write(&db, &file).await.unwrap();
        assert!(bytes > 0);
        assert_eq!(
            domain::backup::write(&db, &file).await.unwrap_err(),
            Error::Conflict(Code::BackupFileExists)
        );
        // Written after the copy: not in it.
        domain::users::create(&db, &demo.admin, demo.klimop, user_form("na.de.kopie"))
            .await
            .unwrap();
        let restored = Db::connect_and_migrate(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        assert_eq!(
            user::Entity::find().count(restored.conn()).await.unwrap(),
            users
        );
        let names: Vec<String> = user::Entity::find()
            .all(restored.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert!(names.contains(&"voor.de.kopie".to_string()));
        assert!(!names.contains(&"na.de.kopie".to_string()));
        // The copy is a working database: the seat counters agree with a recount.
        assert_counters_exact(&restored).await;
    }
);
