//! The vendor's organisation: marked by its flag (operators land there whatever customers are
//! called) and its name reserved (serial sign-up and renaming a root refuse it).
use domain::entities::{site, subscription, user};
use domain::onboarding::{self, SignUpForm};
use domain::sites::{self, SiteForm};
use domain::subscriptions::{self, SubscriptionForm};
use domain::{operators, Code, Db};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn operator_form(username: &str) -> domain::users::NewUserForm {
    domain::users::NewUserForm {
        password: "Operator-2026".into(),
        ..user_form(username)
    }
}

async fn site_of(db: &Db, username: &str) -> site::Model {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    site::Entity::find_by_id(found.site_id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
}

async fn sign_up_as(db: &Db, serial: &str, organisation: &str) -> Result<(), Code> {
    subscriptions::insert(
        db,
        SubscriptionForm {
            serial: serial.into(),
            seats: "10".into(),
            valid_from: "2019-01-01".into(),
            valid_until: "2099-12-31".into(),
            contact_email: "buyer@school.example".into(),
            locale: "nl".into(),
        },
    )
    .await
    .unwrap();
    onboarding::sign_up(
        db,
        SignUpForm {
            serial: serial.into(),
            organisation: organisation.into(),
            first_name: "Eva".into(),
            last_name: "Nant".into(),
            email: format!("eva{serial}@example.org"),
            username: format!("eva.{serial}"),
            password: "Schaduw-Vendor-2027".into(),
            privacy_accepted: true,
            locale: "nl".into(),
            proof: None,
        },
    )
    .await
    .map_err(|e| e.code())
}

db_test!(
    should_refuse_the_vendor_name_at_serial_sign_up,
    |db: Db| async move {
        // Before any operator exists the vendor's name is already reserved.
        assert_eq!(
            sign_up_as(&db, "1000001", " LICEN tia ").await,
            Err(Code::SiteNameReserved)
        );
        operators::create(&db, operator_form("olga")).await.unwrap();
        let vendor = site_of(&db, "olga").await;
        assert!(vendor.is_vendor);
        // The vendor renames its organisation: the new name is reserved as well.
        let renamed = sites::update(
            &db,
            &domain::Principal::load(&db, site_owner(&db, "olga").await)
                .await
                .unwrap(),
            vendor.public_id,
            SiteForm {
                name: "Acme Licensing".into(),
                seat_limit: vendor.seat_limit.to_string(),
                ..Default::default()
            },
        )
        .await;
        assert!(renamed.is_ok(), "{renamed:?}");
        for name in ["acme licensing", "Acme  Licensing", "Licentia"] {
            let sites_before = site::Entity::find().count(db.conn()).await.unwrap();
            assert_eq!(
                sign_up_as(&db, &format!("20000{}", name.len()), name).await,
                Err(Code::SiteNameReserved),
                "{name}"
            );
            assert_eq!(
                site::Entity::find().count(db.conn()).await.unwrap(),
                sites_before
            );
        }
        let claimed = subscription::Entity::find()
            .filter(subscription::Column::SiteId.is_not_null())
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(claimed, 0);
        // Another name is fine.
        assert_eq!(sign_up_as(&db, "3000001", "Licentia Academy").await, Ok(()));
    }
);

async fn site_owner(db: &Db, username: &str) -> i32 {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

db_test!(
    should_refuse_renaming_a_root_to_the_vendor_name,
    |db: Db| async move {
        let demo = demo(&db).await;
        operators::create(&db, operator_form("olga")).await.unwrap();
        let root = sites::details(&db, &demo.admin, demo.root).await.unwrap();
        let rename = |name: &str| SiteForm {
            name: name.into(),
            seat_limit: root.node.seat_limit.to_string(),
            ..Default::default()
        };
        for name in ["Licentia", "licentia", "  LICENTIA", "Li centia"] {
            let refused = sites::update(&db, &demo.admin, demo.root, rename(name)).await;
            assert_eq!(
                refused.err().map(|e| (e.field(), e.code())),
                Some((Some("name"), Code::SiteNameReserved)),
                "{name}"
            );
        }
        let kept = sites::details(&db, &demo.admin, demo.root).await.unwrap();
        assert_eq!(kept.node.name, domain::demo::ORGANISATION);
        // Any other name is accepted.
        sites::update(&db, &demo.admin, demo.root, rename("Scholengroep Licentia"))
            .await
            .unwrap();
    }
);

db_test!(
    should_place_operators_in_the_vendor_organisation_whatever_customers_are_called,
    |db: Db| async move {
        // A customer organisation that carries the vendor's name (from before the name was
        // reserved) exists first.
        let impostor = sites::insert_root(&db, "Licentia", 10).await.unwrap();
        operators::create(&db, operator_form("olga")).await.unwrap();
        operators::create(&db, operator_form("otto")).await.unwrap();
        let olga = site_of(&db, "olga").await;
        let otto = site_of(&db, "otto").await;
        assert_ne!(olga.id, impostor.id);
        assert!(olga.is_vendor && olga.parent_id.is_none());
        assert_eq!(olga.id, otto.id);
        let in_impostor = user::Entity::find()
            .filter(user::Column::SiteId.eq(impostor.id))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(in_impostor, 0);
        let flagged = site::Entity::find()
            .filter(site::Column::IsVendor.eq(true))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(flagged, 1);
    }
);

db_test!(
    should_flag_the_root_of_existing_operators_when_migrating,
    |db: Db| async move {
        demo(&db).await;
        operators::create(&db, operator_form("olga")).await.unwrap();
        let vendor = site_of(&db, "olga").await;
        // Back to the schema before the flag, and forward again: the migration finds the
        // vendor's organisation through its operators. (Every later migration is rolled back
        // on the way, so their `down` is exercised too.)
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        let flag = names
            .iter()
            .position(|n| n.contains("vendor_and_challenge"))
            .unwrap();
        let steps = u32::try_from(names.len() - flag).unwrap();
        let schema = db.schema_connection().await.unwrap();
        Migrator::down(&schema, Some(steps)).await.unwrap();
        assert!(!Migrator::get_pending_migrations(&schema)
            .await
            .unwrap()
            .is_empty());
        Migrator::up(&schema, None).await.unwrap();
        let flagged: Vec<i32> = site::Entity::find()
            .filter(site::Column::IsVendor.eq(true))
            .all(db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(flagged, vec![vendor.id]);
    }
);
