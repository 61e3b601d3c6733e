//! Institution linking: a school's number on its site, an operator's link of an account to
//! it, the user's view and withdrawal of consent, and the refusals.
use domain::institutions;
use domain::sites::SiteForm;
use domain::{sites, Code, Db, Error, Principal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

async fn operator(db: &Db) -> Principal {
    operator_named(db, "operator").await
}

async fn number_site(
    db: &Db,
    admin: &Principal,
    site: uuid::Uuid,
    number: &str,
) -> Result<(), Error> {
    let current = sites::details(db, admin, site).await.unwrap();
    sites::update(
        db,
        admin,
        site,
        SiteForm {
            name: current.node.name,
            seat_limit: current.node.seat_limit.to_string(),
            registration_flow: current.registration_flow.to_string(),
            institution_number: number.into(),
            ..Default::default()
        },
    )
    .await
    .map(|_| ())
}

db_test!(
    should_link_show_and_withdraw_an_institution,
    |db: Db| async move {
        let demo = demo(&db).await;
        let operator = operator(&db).await;
        number_site(&db, &demo.admin, demo.klimop, "041234")
            .await
            .unwrap();
        // Another site cannot take the same number; a bad number is refused.
        assert_eq!(
            number_site(&db, &demo.admin, demo.regenboog, "041234")
                .await
                .unwrap_err(),
            Error::invalid("institution_number", Code::InstitutionNumberTaken)
        );
        assert_eq!(
            number_site(&db, &demo.admin, demo.regenboog, "no spaces")
                .await
                .unwrap_err(),
            Error::invalid("institution_number", Code::InstitutionNumberInvalid)
        );

        let linked = institutions::link(&db, &operator, "lotte.janssens", "041234")
            .await
            .unwrap();
        assert_eq!(linked.institution, "De Klimop");
        assert_eq!(
            institutions::link(&db, &operator, "lotte.janssens", "041234")
                .await
                .unwrap_err(),
            Error::invalid("username", Code::InstitutionAlreadyLinked)
        );
        assert_eq!(
            institutions::link(&db, &operator, "lotte.janssens", "999")
                .await
                .unwrap_err(),
            Error::invalid("institution_number", Code::InstitutionUnknown)
        );
        assert_eq!(
            institutions::link(&db, &operator, "nobody", "041234")
                .await
                .unwrap_err(),
            Error::invalid("username", Code::UserUnknown)
        );
        // Only operators link.
        assert_eq!(
            institutions::link(&db, &demo.admin, "pieter.claes", "041234")
                .await
                .unwrap_err(),
            Error::Forbidden
        );

        let lotte = domain::entities::user::Entity::find()
            .filter(domain::entities::user::Column::Username.eq("lotte.janssens"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let lotte = Principal::load(&db, lotte.id).await.unwrap();
        let mine = institutions::mine(&db, &lotte).await.unwrap();
        assert_eq!(mine.len(), 1);
        // Nobody else withdraws it; she does.
        assert_eq!(
            institutions::withdraw(&db, &demo.admin, mine[0].public_id)
                .await
                .unwrap_err(),
            Error::NotFound
        );
        institutions::withdraw(&db, &lotte, mine[0].public_id)
            .await
            .unwrap();
        assert!(institutions::mine(&db, &lotte).await.unwrap().is_empty());
        let journal = domain::audit::list(&db, &demo.admin, Default::default())
            .await
            .unwrap();
        let actions: Vec<&str> = journal.entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"institution.link"), "{actions:?}");
        assert!(actions.contains(&"institution.withdraw"), "{actions:?}");
    }
);
