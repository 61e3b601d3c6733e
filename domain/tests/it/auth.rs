//! Signing in: right and wrong passwords, deactivated and expired accounts.
use domain::sites::{self, SiteForm};
use domain::{auth, demo, users, Code, Error, Principal};

use crate::db_test;
use crate::helpers::*;

db_test!(
    should_sign_in_with_the_right_password_only,
    |db: domain::Db| async move {
        demo(&db).await;
        let ok = auth::sign_in(&db, "Directeur", demo::ADMIN_PASSWORD, None)
            .await
            .unwrap();
        let principal = Principal::load(&db, ok.user_id).await.unwrap();
        assert!(matches!(principal, Principal::User(_)));
        for (name, password) in [
            ("directeur", "wrong-password"),
            ("nobody", demo::ADMIN_PASSWORD),
            ("lotte.janssens", ""),
        ] {
            let refused = auth::sign_in(&db, name, password, None).await;
            assert!(
                matches!(refused, Err(Error::Refused(Code::InvalidCredentials))),
                "{name}"
            );
        }
    }
);

db_test!(
    should_refuse_deactivated_and_expired_users,
    |db: domain::Db| async move {
        let demo = demo(&db).await;
        let mut form = user_form("teacher");
        form.password = "correct horse".into();
        let teacher = users::create(&db, &demo.admin, demo.klimop, form)
            .await
            .unwrap();
        auth::sign_in(&db, "teacher", "correct horse", None)
            .await
            .unwrap();

        users::set_active(&db, &demo.admin, teacher.public_id, false)
            .await
            .unwrap();
        let refused = auth::sign_in(&db, "teacher", "correct horse", None).await;
        assert!(matches!(
            refused,
            Err(Error::Refused(Code::AccountInactive))
        ));
        assert!(matches!(
            Principal::load(&db, teacher.id).await.unwrap(),
            Principal::Anonymous
        ));
        users::set_active(&db, &demo.admin, teacher.public_id, true)
            .await
            .unwrap();

        // The root's date, inherited by De Klimop, has passed.
        sites::update(
            &db,
            &demo.admin,
            demo.root,
            SiteForm {
                name: "Scholengroep Horizon".into(),
                seat_limit: "20".into(),
                expires_on: "2020-07-31".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let expired = auth::sign_in(&db, "teacher", "correct horse", None).await;
        assert!(
            matches!(expired, Err(Error::Refused(Code::AccountExpired))),
            "{expired:?}"
        );
    }
);
