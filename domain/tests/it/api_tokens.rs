//! API tokens and service accounts: shown once and stored hashed, last use, expiry,
//! revocation, accounts that cannot sign in, and tokens that can do what their roles allow.
use chrono::{Duration, NaiveDate};
use domain::api_tokens::{self, NewToken, TokenState};
use domain::entities::{api_token, user};
use domain::{auth, sites, Code, Db, Error, Principal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db_test;
use crate::helpers::*;

fn today() -> NaiveDate {
    wire::time::today()
}

fn form(name: &str, expires_on: &str) -> NewToken {
    NewToken {
        name: name.into(),
        expires_on: expires_on.into(),
        ..Default::default()
    }
}

db_test!(
    should_issue_a_token_shown_once_and_stored_hashed,
    |db: Db| async move {
        let demo = demo(&db).await;
        let party =
            api_tokens::create_service_account(&db, &demo.admin, demo.klimop, "Zermelo", true)
                .await
                .unwrap();
        assert!(party.service_account);
        assert!(party.password_hash.is_none());
        let issued = api_tokens::issue(
            &db,
            &demo.admin,
            party.public_id,
            form("Roster sync", ""),
            today(),
        )
        .await
        .unwrap();
        assert!(issued.secret.starts_with("lic_") && issued.secret.len() == 68);
        assert!(issued.secret.starts_with(&issued.token.hint));
        let stored = api_token::Entity::find().all(db.conn()).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].token_hash, issued.secret);
        assert!(!stored[0].token_hash.contains(&issued.secret[4..]));
        assert!(stored[0].last_used_at.is_none());

        // The token acts as the account, and its use is recorded.
        let principal = api_tokens::authenticate(&db, &issued.secret, today())
            .await
            .unwrap();
        assert_eq!(principal.user_id(), Some(party.id));
        let listed = api_tokens::list(&db, &demo.admin, demo.root, today())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].state, TokenState::Active);
        assert!(listed[0].last_used_at.is_some());
        assert!(listed[0].owner_is_service_account);

        // A service account cannot sign in: it has no password.
        assert_eq!(
            auth::sign_in(&db, &party.username, "", None)
                .await
                .unwrap_err(),
            Error::Refused(Code::InvalidCredentials)
        );

        // Revoked: refused at once; revoking again says it was.
        api_tokens::revoke(&db, &demo.admin, issued.token.public_id)
            .await
            .unwrap();
        assert_eq!(
            api_tokens::authenticate(&db, &issued.secret, today())
                .await
                .unwrap_err(),
            Error::Unauthenticated
        );
        assert_eq!(
            api_tokens::revoke(&db, &demo.admin, issued.token.public_id)
                .await
                .unwrap_err(),
            Error::Refused(Code::TokenRevoked)
        );
        let listed = api_tokens::list(&db, &demo.admin, demo.root, today())
            .await
            .unwrap();
        assert_eq!(listed[0].state, TokenState::Revoked);
    }
);

db_test!(
    should_refuse_expired_unknown_and_inactive_tokens,
    |db: Db| async move {
        let demo = demo(&db).await;
        let party =
            api_tokens::create_service_account(&db, &demo.admin, demo.klimop, "Smartschool", false)
                .await
                .unwrap();
        let tomorrow = (today() + Duration::days(1)).to_string();
        let yesterday = (today() - Duration::days(1)).to_string();
        assert_eq!(
            api_tokens::issue(
                &db,
                &demo.admin,
                party.public_id,
                form("Old", &yesterday),
                today()
            )
            .await
            .unwrap_err(),
            Error::invalid("expires_on", Code::TokenExpiryPast)
        );
        assert_eq!(
            api_tokens::issue(&db, &demo.admin, party.public_id, form("  ", ""), today())
                .await
                .unwrap_err(),
            Error::invalid("name", Code::NameRequired)
        );
        let issued = api_tokens::issue(
            &db,
            &demo.admin,
            party.public_id,
            form("Day", &tomorrow),
            today(),
        )
        .await
        .unwrap();
        // The last day still works; the day after it does not.
        let last_day = today() + Duration::days(1);
        assert!(api_tokens::authenticate(&db, &issued.secret, last_day)
            .await
            .is_ok());
        assert_eq!(
            api_tokens::authenticate(&db, &issued.secret, last_day + Duration::days(1))
                .await
                .unwrap_err(),
            Error::Unauthenticated
        );
        for garbage in ["", "lic_", "lic_00", "Bearer x", &issued.secret[..20]] {
            assert_eq!(
                api_tokens::authenticate(&db, garbage, today())
                    .await
                    .unwrap_err(),
                Error::Unauthenticated,
                "{garbage}"
            );
        }
        // A deactivated account's tokens stop working.
        domain::users::set_active(&db, &demo.admin, party.public_id, false)
            .await
            .unwrap();
        assert_eq!(
            api_tokens::authenticate(&db, &issued.secret, today())
                .await
                .unwrap_err(),
            Error::Unauthenticated
        );
    }
);

db_test!(
    should_let_a_token_do_what_its_roles_allow,
    |db: Db| async move {
        let demo = demo(&db).await;
        let party =
            api_tokens::create_service_account(&db, &demo.admin, demo.klimop, "Reader app", true)
                .await
                .unwrap();
        let issued = api_tokens::issue(&db, &demo.admin, party.public_id, form("App", ""), today())
            .await
            .unwrap();
        let app = api_tokens::authenticate(&db, &issued.secret, today())
            .await
            .unwrap();
        // Its Application role holds on De Klimop and below, nowhere else.
        let tree = sites::tree(&db, &app).await.unwrap();
        let names: Vec<&str> = tree.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"De Klimop"), "{names:?}");
        assert!(!names.contains(&"De Regenboog"), "{names:?}");
        assert_eq!(
            domain::users::list(&db, &app, demo.regenboog, Default::default())
                .await
                .unwrap_err(),
            Error::NotFound
        );
        assert!(
            domain::users::list(&db, &app, demo.klimop, Default::default())
                .await
                .is_ok()
        );
        // It may not create users, nor tokens for anyone.
        assert_eq!(
            domain::users::create(&db, &app, demo.klimop, user_form("sneaky"))
                .await
                .unwrap_err(),
            Error::Forbidden
        );
        assert_eq!(
            api_tokens::issue(&db, &app, party.public_id, form("Mine", ""), today())
                .await
                .unwrap_err(),
            Error::Forbidden
        );
    }
);

db_test!(
    should_let_users_with_the_right_manage_their_own_tokens,
    |db: Db| async move {
        let demo = demo(&db).await;
        let admin_id = demo.admin.user_id().unwrap();
        let me = user::Entity::find_by_id(admin_id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let issued =
            api_tokens::issue(&db, &demo.admin, me.public_id, form("Scripts", ""), today())
                .await
                .unwrap();
        let mine = api_tokens::mine(&db, &demo.admin, today()).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].name, "Scripts");
        // A plain user holds no token right.
        let plain = user::Entity::find()
            .filter(user::Column::Username.eq("lotte.janssens"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let lotte = Principal::load(&db, plain.id).await.unwrap();
        assert_eq!(
            api_tokens::issue(&db, &lotte, plain.public_id, form("Mine", ""), today())
                .await
                .unwrap_err(),
            Error::NotFound
        );
        assert_eq!(
            api_tokens::revoke(&db, &lotte, issued.token.public_id)
                .await
                .unwrap_err(),
            Error::NotFound
        );
        // Deleting the account deletes its tokens.
        let sub = admin_of(&db, demo.root, "second.admin").await;
        domain::users::delete(&db, &sub, me.public_id)
            .await
            .unwrap();
        assert_eq!(
            api_token::Entity::find()
                .all(db.conn())
                .await
                .unwrap()
                .len(),
            0
        );
    }
);
