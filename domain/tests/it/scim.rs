//! SCIM users read and listed as identity providers ask: the lookups before a create
//! (`userName eq`, `externalId eq`), any other filter, paging, and the site's bound.
use domain::identifiers::{self, Scheme};
use domain::scim::users;
use domain::{Code, Db, Error};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

async fn user(db: &Db, username: &str) -> Uuid {
    use domain::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id
}

db_test!(
    should_list_and_find_users_as_identity_providers_ask,
    |db: Db| async move {
        let demo = demo(&db).await;
        let emma = user(&db, "emma.willems").await;
        identifiers::set(&db, &demo.admin, emma, Scheme::Scim, "entra-7f3a")
            .await
            .unwrap();
        let list = |filter: Option<&'static str>, start: u64, count: u64| {
            let (db, admin) = (db.clone(), demo.admin.clone());
            async move {
                users::list(&db, &admin, demo.root, filter, start, count)
                    .await
                    .unwrap()
            }
        };
        let names = |page: &domain::scim::ScimPage| -> Vec<String> {
            page.resources.iter().map(|u| u.user_name.clone()).collect()
        };
        let everyone = list(None, 1, 100).await;
        assert!(everyone.total >= 5, "{everyone:?}");
        assert_eq!(everyone.resources.len() as u64, everyone.total);

        // The lookups before a create: by userName (any case) and by externalId (exact).
        let by_name = list(Some(r#"userName eq "Emma.Willems""#), 1, 100).await;
        assert_eq!(names(&by_name), ["emma.willems"]);
        assert_eq!(
            by_name.resources[0].external_id.as_deref(),
            Some("entra-7f3a")
        );
        let by_id = list(Some(r#"externalId eq "entra-7f3a""#), 1, 100).await;
        assert_eq!(names(&by_id), ["emma.willems"]);
        assert_eq!(
            list(Some(r#"externalId eq "ENTRA-7F3A""#), 1, 100)
                .await
                .total,
            0
        );
        // Any other filter, on the resource as SCIM shows it.
        let regenboog = list(
            Some(r#"emails.value ew "@horizon.example" and userName sw "emma""#),
            1,
            100,
        )
        .await;
        assert_eq!(names(&regenboog), ["emma.willems"]);
        assert_eq!(list(Some("externalId pr"), 1, 100).await.total, 1);
        // Pages count from 1; the total is of all matching.
        let second = list(None, 2, 2).await;
        assert_eq!(second.total, everyone.total);
        assert_eq!(second.start_index, 2);
        assert_eq!(second.resources, everyone.resources[1..3].to_vec());
        // A filter that is none.
        assert_eq!(
            users::list(&db, &demo.admin, demo.root, Some("userName eq"), 1, 10)
                .await
                .err(),
            Some(Error::invalid("filter", Code::ScimFilterInvalid))
        );

        // De Klimop's administrator: their site only; the root and Emma (De Regenboog) do not
        // exist for them.
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        let theirs = users::list(&db, &klimop, demo.klimop, None, 1, 100)
            .await
            .unwrap();
        assert!(theirs.resources.iter().all(|u| u.id != emma));
        assert_eq!(
            users::list(&db, &klimop, demo.root, None, 1, 100)
                .await
                .err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            users::get(&db, &klimop, emma).await.err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            users::get(&db, &demo.admin, emma).await.unwrap().user_name,
            "emma.willems"
        );
    }
);
