//! External identifiers (SCIM externalId, ECK iD, OneRoster sourcedId): one per scheme per
//! user, unique per organisation, found only among users the principal may see, set under the
//! same two questions as any change to a user.
use domain::identifiers::{self, Scheme};
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
    should_keep_external_ids_unique_per_organisation_and_within_reach,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (emma, lotte) = (
            user(&db, "emma.willems").await,
            user(&db, "lotte.janssens").await,
        );
        let eck = "https://ketenid.nl/201703/8b1d8a3c";

        identifiers::set(&db, &demo.admin, emma, Scheme::EckId, &format!("  {eck} "))
            .await
            .unwrap();
        assert_eq!(
            identifiers::of_user(&db, &demo.admin, emma).await.unwrap(),
            vec![(Scheme::EckId, eck.to_string())]
        );
        assert_eq!(
            identifiers::find(&db, &demo.admin, demo.root, Scheme::EckId, eck)
                .await
                .unwrap(),
            Some(emma)
        );
        // Unique in the organisation for its scheme; the same text in another scheme is fine.
        assert_eq!(
            identifiers::set(&db, &demo.admin, lotte, Scheme::EckId, eck)
                .await
                .err(),
            Some(Error::Conflict(Code::ExternalIdTaken))
        );
        identifiers::set(&db, &demo.admin, lotte, Scheme::Scim, eck)
            .await
            .unwrap();
        assert_eq!(
            identifiers::find(&db, &demo.admin, demo.root, Scheme::Scim, eck)
                .await
                .unwrap(),
            Some(lotte)
        );

        // De Klimop's administrator neither finds Emma (De Regenboog) nor changes her ids; to them
        // she does not exist.
        let klimop = admin_of(&db, demo.klimop, "klimop.admin").await;
        assert_eq!(
            identifiers::find(&db, &klimop, demo.klimop, Scheme::EckId, eck)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            identifiers::set(&db, &klimop, emma, Scheme::EckId, "other")
                .await
                .err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            identifiers::of_user(&db, &demo.admin, emma).await.unwrap(),
            vec![(Scheme::EckId, eck.to_string())]
        );

        // Bad values change nothing; an empty one removes the id.
        for bad in ["a\nb".to_string(), "x".repeat(identifiers::MAX_LEN + 1)] {
            assert_eq!(
                identifiers::set(&db, &demo.admin, emma, Scheme::EckId, &bad)
                    .await
                    .err(),
                Some(Error::invalid("external_id", Code::ExternalIdInvalid))
            );
        }
        identifiers::set(&db, &demo.admin, emma, Scheme::EckId, "")
            .await
            .unwrap();
        assert!(identifiers::of_user(&db, &demo.admin, emma)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            identifiers::find(&db, &demo.admin, demo.root, Scheme::EckId, eck)
                .await
                .unwrap(),
            None
        );
        // Now free for Lotte.
        identifiers::set(&db, &demo.admin, lotte, Scheme::EckId, eck)
            .await
            .unwrap();
    }
);
