//! Single sign-on links, sign-in with them, the profile and the user's own sessions.
use chrono::{Duration, Utc};
use domain::audit::Action;
use domain::auth::ProfileForm;
use domain::entities::audit_event;
use domain::sessions::{self, Meta};
use domain::sso::{self, Identity};
use domain::users::{self, BulkAction, Selection};
use domain::{Code, Db, Error, Principal};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::db_test;
use crate::helpers::*;

const GOOGLE: &str = "http://127.0.0.1:55601";
const MICROSOFT: &str = "http://127.0.0.1:55602";

fn identity(provider: &str, issuer: &str, subject: &str) -> Identity {
    Identity {
        provider: provider.into(),
        issuer: issuer.into(),
        subject: subject.into(),
        email: Some(format!("{subject}@example.test")),
        tenant: None,
        claims: Default::default(),
    }
}

/// A user in De Klimop (with a password unless `password` is empty) and them as principal.
async fn teacher(db: &Db, demo: &Demo, username: &str, password: &str) -> (Uuid, Principal) {
    let form = domain::users::NewUserForm {
        password: password.into(),
        ..user_form(username)
    };
    let created = users::create(db, &demo.admin, demo.klimop, form)
        .await
        .unwrap();
    let principal = Principal::load(db, created.id).await.unwrap();
    (created.public_id, principal)
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> Code {
    match result {
        Err(err) => err.code(),
        Ok(value) => panic!("expected a refusal, got {value:?}"),
    }
}

async fn journaled(db: &Db, action: Action) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action.code()))
        .count(db.conn())
        .await
        .unwrap()
}

db_test!(should_link_sign_in_and_unlink, |db: Db| async move {
    let demo = demo(&db).await;
    let (id, me) = teacher(&db, &demo, "an.leraar", "Leraar-2026-x").await;
    let first = identity("google", GOOGLE, "an-google");
    assert_eq!(
        refused(sso::sign_in(&db, &first, None).await),
        Code::SsoNotLinked
    );

    sso::link(&db, &me, first.clone()).await.unwrap();
    // Linking the same account again changes nothing.
    sso::link(&db, &me, first.clone()).await.unwrap();
    let linked = sso::sign_in(&db, &first, Some("127.0.0.9")).await.unwrap();
    assert_eq!(Some(linked.signed_in.user_id), me.user_id());
    let links = sso::mine(&db, &me).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].email.as_deref(), Some("an-google@example.test"));
    assert!(links[0].last_used_at.is_some());

    // Another account at the same provider replaces the link; the old one no longer works.
    let second = identity("google", GOOGLE, "an-google-2");
    sso::link(&db, &me, second.clone()).await.unwrap();
    assert_eq!(
        refused(sso::sign_in(&db, &first, None).await),
        Code::SsoNotLinked
    );
    // The same subject at another issuer is another person.
    let elsewhere = identity("microsoft", MICROSOFT, "an-google-2");
    assert_eq!(
        refused(sso::sign_in(&db, &elsewhere, None).await),
        Code::SsoNotLinked
    );
    sso::link(&db, &me, elsewhere.clone()).await.unwrap();
    let mut providers: Vec<String> = sso::mine(&db, &me)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.provider)
        .collect();
    providers.sort();
    assert_eq!(providers, ["google", "microsoft"]);

    sso::unlink(&db, &me, id, "google").await.unwrap();
    assert_eq!(
        refused(sso::sign_in(&db, &second, None).await),
        Code::SsoNotLinked
    );
    assert_eq!(
        refused(sso::unlink(&db, &me, id, "google").await),
        Code::NotFound
    );
    assert!(sso::sign_in(&db, &elsewhere, None).await.is_ok());

    assert_eq!(journaled(&db, Action::SsoLink).await, 3);
    assert_eq!(journaled(&db, Action::SsoUnlink).await, 1);
    assert_eq!(journaled(&db, Action::SsoSignIn).await, 2);
});

db_test!(
    should_refuse_an_account_linked_to_another_user,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (_, an) = teacher(&db, &demo, "an.leraar", "Leraar-2026-x").await;
        let (_, bert) = teacher(&db, &demo, "bert.leraar", "Leraar-2026-y").await;
        let shared = identity("microsoft", MICROSOFT, "shared");
        sso::link(&db, &an, shared.clone()).await.unwrap();
        assert_eq!(
            refused(sso::link(&db, &bert, shared.clone()).await),
            Code::SsoLinkedElsewhere
        );
        assert!(sso::mine(&db, &bert).await.unwrap().is_empty());
        let linked = sso::sign_in(&db, &shared, None).await.unwrap();
        assert_eq!(Some(linked.signed_in.user_id), an.user_id());
    }
);

db_test!(
    should_refuse_deactivated_and_expired_users_at_sso_sign_in,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (id, me) = teacher(&db, &demo, "an.leraar", "Leraar-2026-x").await;
        let account = identity("google", GOOGLE, "an");
        sso::link(&db, &me, account.clone()).await.unwrap();

        users::set_active(&db, &demo.admin, id, false)
            .await
            .unwrap();
        assert_eq!(
            refused(sso::sign_in(&db, &account, None).await),
            Code::AccountInactive
        );
        users::set_active(&db, &demo.admin, id, true).await.unwrap();
        let yesterday = wire::time::local_date(Utc::now() - Duration::days(1));
        let select = || Selection::Users(vec![id]);
        users::bulk(
            &db,
            &demo.admin,
            demo.klimop,
            select(),
            BulkAction::SetExpiry(Some(yesterday)),
        )
        .await
        .unwrap();
        assert_eq!(
            refused(sso::sign_in(&db, &account, None).await),
            Code::AccountExpired
        );
        users::bulk(
            &db,
            &demo.admin,
            demo.klimop,
            select(),
            BulkAction::SetExpiry(None),
        )
        .await
        .unwrap();
        assert!(sso::sign_in(&db, &account, None).await.is_ok());
        // Refusals are not sign-ins: only the last one is journaled.
        assert_eq!(journaled(&db, Action::SsoSignIn).await, 1);
    }
);

db_test!(
    should_keep_the_last_link_of_a_user_without_password,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (id, me) = teacher(&db, &demo, "zonder.wachtwoord", "").await;
        sso::link(&db, &me, identity("google", GOOGLE, "zw"))
            .await
            .unwrap();
        assert_eq!(
            refused(sso::unlink(&db, &me, id, "google").await),
            Code::SsoLastSignInMethod
        );
        sso::link(&db, &me, identity("microsoft", MICROSOFT, "zw"))
            .await
            .unwrap();
        sso::unlink(&db, &me, id, "google").await.unwrap();
        // An administrator may remove it (e.g. the account was compromised).
        let seen = sso::links_of(&db, &demo.admin, id).await.unwrap();
        assert_eq!(seen.len(), 1);
        sso::unlink(&db, &demo.admin, id, "microsoft")
            .await
            .unwrap();
        assert!(sso::links_of(&db, &demo.admin, id)
            .await
            .unwrap()
            .is_empty());
    }
);

db_test!(
    should_drop_the_links_when_the_user_is_deleted,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (id, me) = teacher(&db, &demo, "an.leraar", "Leraar-2026-x").await;
        let account = identity("google", GOOGLE, "an");
        sso::link(&db, &me, account.clone()).await.unwrap();
        users::delete(&db, &demo.admin, id).await.unwrap();
        assert_eq!(
            refused(sso::sign_in(&db, &account, None).await),
            Code::SsoNotLinked
        );
        // The account is free again for someone else.
        let (_, bert) = teacher(&db, &demo, "bert.leraar", "Leraar-2026-y").await;
        sso::link(&db, &bert, account).await.unwrap();
    }
);

db_test!(
    should_list_and_end_the_users_own_sessions,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (_, me) = teacher(&db, &demo, "an.leraar", "Leraar-2026-x").await;
        let (_, other) = teacher(&db, &demo, "bert.leraar", "Leraar-2026-y").await;
        let later = Utc::now() + Duration::hours(1);
        for (id, user, minutes, method) in [
            ("laptop", &me, 30, "password"),
            ("phone", &me, 10, "google"),
            ("tablet", &me, 5, "password"),
            ("bert", &other, 1, "password"),
        ] {
            let meta = Meta {
                user_id: user.user_id(),
                signed_in_at: Some(Utc::now() - Duration::minutes(minutes)),
                user_agent: Some(format!("Browser on {id}")),
                client_address: Some("127.0.0.1".into()),
                method: Some(method.into()),
            };
            sessions::save(&db, id, meta, "{}".into(), later)
                .await
                .unwrap();
        }
        let listed = sessions::mine(&db, &me, Some("laptop")).await.unwrap();
        let agents: Vec<&str> = listed
            .iter()
            .filter_map(|s| s.user_agent.as_deref())
            .collect();
        assert_eq!(
            agents,
            ["Browser on tablet", "Browser on phone", "Browser on laptop"]
        );
        assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
        assert!(listed.iter().all(|s| !s.handle.contains("laptop")));

        let bert_handle = sessions::mine(&db, &other, None).await.unwrap()[0]
            .handle
            .clone();
        assert_eq!(
            refused(sessions::end(&db, &me, &bert_handle).await),
            Code::NotFound
        );
        let phone = listed[1].handle.clone();
        sessions::end(&db, &me, &phone).await.unwrap();
        assert!(sessions::load(&db, "phone").await.unwrap().is_none());
        assert_eq!(sessions::end_others(&db, &me, "laptop").await.unwrap(), 1);
        assert!(sessions::load(&db, "laptop").await.unwrap().is_some());
        assert!(sessions::load(&db, "bert").await.unwrap().is_some());
        assert_eq!(
            refused(sessions::mine(&db, &Principal::Anonymous, None).await),
            Code::Unauthenticated
        );
    }
);

db_test!(
    should_update_the_profile_and_guard_the_email_with_the_password,
    |db: Db| async move {
        let demo = demo(&db).await;
        let (_, me) = teacher(&db, &demo, "an.leraar", "Leraar-2026-x").await;
        let form = |email: &str, password: &str| ProfileForm {
            first_name: "Anna".into(),
            last_name: "Leraar".into(),
            email: email.into(),
            current_password: password.into(),
        };
        assert_eq!(
            refused(domain::auth::update_profile(&db, &me, form("anna@school.example", "")).await),
            Code::PasswordRequired
        );
        assert_eq!(
            refused(
                domain::auth::update_profile(&db, &me, form("anna@school.example", "fout")).await
            ),
            Code::CurrentPasswordWrong
        );
        assert_eq!(
            refused(domain::auth::update_profile(&db, &me, form("geen-adres", "")).await),
            Code::EmailInvalid
        );
        // Names alone need no password.
        domain::auth::update_profile(&db, &me, form("", ""))
            .await
            .unwrap();
        let profile = domain::auth::profile(&db, &me).await.unwrap();
        assert_eq!(profile.first_name, "Anna");
        assert_eq!(profile.email, None);
        domain::auth::update_profile(&db, &me, form("anna@school.example", "Leraar-2026-x"))
            .await
            .unwrap();
        let profile = domain::auth::profile(&db, &me).await.unwrap();
        assert_eq!(profile.email.as_deref(), Some("anna@school.example"));
        assert!(!profile.email_verified);
        assert!(profile.has_password);
        assert_eq!(profile.site_name, "De Klimop");
        assert_eq!(journaled(&db, Action::UserUpdate).await, 2);
    }
);
