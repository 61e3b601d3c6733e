//! Federations: a teacher unknown to Licentia signs in through their school's provider and is
//! created at the site with their institution number, in their class, with the role the rules
//! map their affiliation to; a pupil whose school is not known is refused, as is anyone when
//! the site is full; e-mail addresses identify only when verified and of a listed domain; a
//! rule grants only what its administrator may still grant; the preview tells all of it first.
use domain::entities::{audit_event, external_id, role_grant, site, user};
use domain::federation::{self, Claims};
use domain::sso::Identity;
use domain::{Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;
use wire::{Federation, FederationIdentifier, RoleRule};

use crate::db_test;
use crate::helpers::*;

const ISSUER: &str = "https://login.entree.example";

fn claims(pairs: &[(&str, &str)]) -> Claims {
    let mut claims = Claims::new();
    for (name, value) in pairs {
        claims
            .entry(name.to_string())
            .or_default()
            .push(value.to_string());
    }
    claims
}

fn identity(claims: Claims) -> Identity {
    Identity {
        provider: "federation".into(),
        issuer: ISSUER.into(),
        subject: claims
            .get("sub")
            .and_then(|v| v.first().cloned())
            .unwrap_or_else(|| "subject".into()),
        email: None,
        tenant: None,
        claims,
    }
}

fn teacher(eck: &str, brin: &str) -> Claims {
    claims(&[
        ("eckid", eck),
        ("nlEduPersonHomeOrganizationId", brin),
        ("eduPersonAffiliation", "employee"),
        ("eduPersonAffiliation", "member"),
        ("given_name", "Jan"),
        ("family_name", "De Smet"),
        ("email", &format!("{eck}@klimop.example")),
        ("email_verified", "true"),
    ])
}

async fn role(db: &Db, key: &str) -> Uuid {
    domain::entities::role::Entity::find()
        .filter(domain::entities::role::Column::BuiltinKey.eq(key))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id
}

async fn set_institution_number(db: &Db, site: Uuid, number: &str) {
    site::Entity::update_many()
        .col_expr(site::Column::InstitutionNumber, Expr::value(number))
        .filter(site::Column::PublicId.eq(site))
        .exec(db.conn())
        .await
        .unwrap();
}

/// Entree as De Klimop's group sets it up: ECK iD, creation on, BRIN → site, class → subsite,
/// staff → licence manager.
async fn entree(db: &Db) -> Federation {
    Federation {
        id: None,
        name: "Entree Federatie".into(),
        issuer: ISSUER.into(),
        client_id: "licentia".into(),
        client_secret: "s3cret".into(),
        has_secret: false,
        scopes: "federation".into(),
        identify_by: FederationIdentifier::EckId,
        identifier_claim: String::new(),
        email_domains: Vec::new(),
        create_users: true,
        site_claim: "nlEduPersonHomeOrganizationId".into(),
        class_claim: "class".into(),
        roles: vec![RoleRule {
            claim: "eduPersonAffiliation".into(),
            value: "Employee".into(),
            role: role(db, domain::roles::LICENCE_MANAGER).await,
        }],
    }
}

fn refused<T: std::fmt::Debug>(outcome: domain::Result<T>) -> Code {
    match outcome {
        Err(Error::Refused(code)) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Gives `holder` exactly one new role on the organisation's root, with these permissions.
async fn only_role(
    db: &Db,
    w: &Demo,
    holder: &Principal,
    name: &str,
    permissions: &[&str],
) -> Principal {
    let role = domain::roles::create(
        db,
        &w.admin,
        w.root,
        domain::roles::RoleForm {
            name: name.into(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        },
    )
    .await
    .unwrap();
    let id = holder.user_id().unwrap();
    let public_id = user::Entity::find_by_id(id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap()
        .public_id;
    domain::roles::set_user_grants(db, &w.admin, public_id, w.root, vec![role.id])
        .await
        .unwrap();
    Principal::load(db, id).await.unwrap()
}

async fn users_named(db: &Db, username: &str) -> u64 {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .count(db.conn())
        .await
        .unwrap()
}

db_test!(
    should_create_a_new_teacher_where_the_rules_place_them,
    |db: Db| async move {
        let w = demo(&db).await;
        set_institution_number(&db, w.klimop, "06AB").await;
        let class = domain::sites::create(
            &db,
            &w.admin,
            w.klimop,
            domain::sites::NewSiteForm {
                name: "3A".into(),
                seat_limit: "1".into(),
            },
        )
        .await
        .unwrap();
        let id = federation::save(&db, &w.admin, w.klimop, entree(&db).await)
            .await
            .unwrap();
        let listed = federation::list(&db, &w.admin, w.root).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].has_secret, "the secret is kept");
        assert!(listed[0].client_secret.is_empty(), "and never shown");
        assert_eq!(listed[0].identifier_claim, "eckid");
        assert_eq!(
            federation::endpoint(&db, id)
                .await
                .unwrap()
                .client_secret
                .as_deref(),
            Some("s3cret")
        );

        // The preview tells what a sign-in will do, and changes nothing.
        let mut sample = teacher("eck-1", "06ab");
        sample.insert("class".into(), vec!["3a".into()]);
        let json = serde_json::to_string(&sample).unwrap();
        let shown = federation::preview(&db, &w.admin, id, &json).await.unwrap();
        assert_eq!(shown.identifier.as_deref(), Some("eck-1"));
        assert!(shown.creates);
        assert_eq!(shown.site.as_deref(), Some("3A"));
        assert_eq!(shown.roles, vec!["@licence_manager".to_string()]);
        assert_eq!(shown.refusal, None);
        assert_eq!(users_named(&db, "eck-1@klimop.example").await, 0);

        // The sign-in creates the teacher in their class, licence manager of De Klimop.
        let signed = federation::sign_in(&db, id, &identity(sample.clone()), None)
            .await
            .unwrap();
        let created = user::Entity::find_by_id(signed.signed_in.user_id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(created.username, "eck-1@klimop.example");
        assert_eq!(
            (created.first_name.as_str(), created.last_name.as_str()),
            ("Jan", "De Smet")
        );
        let placed = domain::sites::resolve(&db, class.id).await.unwrap();
        assert_eq!(created.site_id, placed.site.id);
        let klimop = domain::sites::resolve(&db, w.klimop).await.unwrap();
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(created.id))
            .all(db.conn())
            .await
            .unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(
            grants[0].site_id, klimop.site.id,
            "the role holds on the school"
        );
        let eck = external_id::Entity::find()
            .filter(external_id::Column::UserId.eq(created.id))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (eck.scheme.as_str(), eck.value.as_str()),
            ("eck_id", "eck-1")
        );
        let journaled = audit_event::Entity::find()
            .filter(audit_event::Column::TargetLabel.contains("eck-1@klimop.example"))
            .all(db.conn())
            .await
            .unwrap();
        let actions: Vec<&str> = journaled.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"user.create") && actions.contains(&"grant.add"),
            "{actions:?}"
        );

        // The next sign-in finds the same user; the class is full now, which no longer matters.
        let again = federation::sign_in(&db, id, &identity(sample), None)
            .await
            .unwrap();
        assert_eq!(again.signed_in.user_id, created.id);
        let shown = federation::preview(&db, &w.admin, id, &json).await.unwrap();
        assert!(!shown.creates);
        assert!(shown.existing_user.is_some());
    }
);

db_test!(
    should_refuse_an_unknown_school_and_a_full_site,
    |db: Db| async move {
        let w = demo(&db).await;
        set_institution_number(&db, w.klimop, "06AB").await;
        let id = federation::save(&db, &w.admin, w.root, entree(&db).await)
            .await
            .unwrap();
        // A pupil of a school nobody set up here.
        let pupil = claims(&[
            ("eckid", "eck-pupil"),
            ("nlEduPersonHomeOrganizationId", "99ZZ"),
            ("eduPersonAffiliation", "student"),
        ]);
        assert_eq!(
            refused(federation::sign_in(&db, id, &identity(pupil), None).await),
            Code::FederationNoSite
        );
        // No institution claim at all: the same.
        let bare = claims(&[("eckid", "eck-bare")]);
        assert_eq!(
            refused(federation::sign_in(&db, id, &identity(bare), None).await),
            Code::FederationNoSite
        );
        // No identifier: told so.
        let nameless = claims(&[("nlEduPersonHomeOrganizationId", "06AB")]);
        assert_eq!(
            refused(federation::sign_in(&db, id, &identity(nameless), None).await),
            Code::FederationNoIdentifier
        );
        // De Klimop has three seats: three teachers come in, the fourth is refused.
        for n in 0..3 {
            federation::sign_in(
                &db,
                id,
                &identity(teacher(&format!("eck-t{n}"), "06AB")),
                None,
            )
            .await
            .unwrap();
        }
        let fourth = identity(teacher("eck-t3", "06AB"));
        assert_eq!(
            refused(federation::sign_in(&db, id, &fourth, None).await),
            Code::FederationSiteFull
        );
        assert_eq!(users_named(&db, "eck-t3@klimop.example").await, 0);
        let json = serde_json::to_string(&fourth.claims).unwrap();
        let shown = federation::preview(&db, &w.admin, id, &json).await.unwrap();
        assert_eq!(shown.refusal, Some(Code::FederationSiteFull));
        assert_counters_exact(&db).await;
        // Without creation, an unknown user is told to ask for an account.
        let mut closed = entree(&db).await;
        closed.id = Some(id);
        closed.create_users = false;
        federation::save(&db, &w.admin, w.root, closed)
            .await
            .unwrap();
        assert_eq!(
            refused(
                federation::sign_in(&db, id, &identity(teacher("eck-new", "06AB")), None).await
            ),
            Code::FederationUnknownUser
        );
        assert_eq!(
            federation::endpoint(&db, id)
                .await
                .unwrap()
                .client_secret
                .as_deref(),
            Some("s3cret"),
            "an empty secret keeps the stored one"
        );
    }
);

db_test!(
    should_identify_by_e_mail_only_when_verified_and_of_a_listed_domain,
    |db: Db| async move {
        let w = demo(&db).await;
        let mut by_mail = entree(&db).await;
        by_mail.identify_by = FederationIdentifier::Email;
        by_mail.site_claim = String::new();
        by_mail.create_users = false;
        match federation::save(&db, &w.admin, w.root, by_mail.clone()).await {
            Err(Error::Validation { code, .. }) => {
                assert_eq!(code, Code::FederationEmailDomainsRequired)
            }
            other => panic!("expected the domains to be asked for, got {other:?}"),
        }
        by_mail.email_domains = vec!["Horizon.example".into()];
        let id = federation::save(&db, &w.admin, w.root, by_mail)
            .await
            .unwrap();
        let lotte = |verified: &str, address: &str| {
            identity(claims(&[("email", address), ("email_verified", verified)]))
        };
        let signed = federation::sign_in(
            &db,
            id,
            &lotte("true", "Lotte.Janssens@horizon.example"),
            None,
        )
        .await
        .unwrap();
        let found = user::Entity::find_by_id(signed.signed_in.user_id)
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            found.username, "lotte.janssens",
            "an existing user, by her address"
        );
        assert_eq!(
            refused(
                federation::sign_in(
                    &db,
                    id,
                    &lotte("false", "lotte.janssens@horizon.example"),
                    None
                )
                .await
            ),
            Code::FederationEmailUnverified
        );
        assert_eq!(
            refused(
                federation::sign_in(
                    &db,
                    id,
                    &lotte("true", "lotte.janssens@elsewhere.example"),
                    None
                )
                .await
            ),
            Code::FederationEmailUnverified
        );
        // Deactivated, she is refused as at any sign-in, and the preview says so.
        domain::users::set_active(&db, &w.admin, found.public_id, false)
            .await
            .unwrap();
        let her = lotte("true", "lotte.janssens@horizon.example");
        assert_eq!(
            refused(federation::sign_in(&db, id, &her, None).await),
            Code::AccountInactive
        );
        let json = serde_json::to_string(&her.claims).unwrap();
        let shown = federation::preview(&db, &w.admin, id, &json).await.unwrap();
        assert_eq!(shown.refusal, Some(Code::AccountInactive));
    }
);

db_test!(
    should_grant_only_what_the_rules_administrator_may_still_grant,
    |db: Db| async move {
        let w = demo(&db).await;
        set_institution_number(&db, w.klimop, "06AB").await;
        // A Klimop administrator manages no settings of the organisation: no federations.
        let sub = admin_of(&db, w.klimop, "klimop.admin").await;
        assert!(matches!(
            federation::save(&db, &sub, w.klimop, entree(&db).await).await,
            Err(Error::Forbidden | Error::NotFound)
        ));
        assert!(federation::list(&db, &sub, w.klimop).await.is_err());
        // An organisation administrator saves the rule; a stranger cannot see it.
        let keeper = admin_of(&db, w.root, "group.admin").await;
        let id = federation::save(&db, &keeper, w.root, entree(&db).await)
            .await
            .unwrap();
        let json = serde_json::to_string(&teacher("eck-9", "06AB")).unwrap();
        assert!(matches!(
            federation::preview(&db, &sub, id, &json).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            federation::remove(&db, &sub, id).await,
            Err(Error::NotFound)
        ));
        // Their administrator role is exchanged for one that manages users but no licences: the
        // rule's licence manager role is left out from then on.
        only_role(
            &db,
            &w,
            &keeper,
            "Users only",
            &["sites.view", "users.view", "users.manage"],
        )
        .await;
        let shown = federation::preview(&db, &w.admin, id, &json).await.unwrap();
        assert!(shown.roles.is_empty());
        assert_eq!(shown.roles_left_out, vec!["@licence_manager".to_string()]);
        let signed = federation::sign_in(&db, id, &identity(teacher("eck-9", "06AB")), None)
            .await
            .unwrap();
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(signed.signed_in.user_id))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(grants, 0);
        // A provider must be https (this machine only where the server allows it).
        for bad in [
            "http://login.entree.example",
            "ftp://x.example",
            "https://",
            "https://a@b.example",
        ] {
            let mut draft = entree(&db).await;
            draft.issuer = bad.into();
            match federation::save(&db, &w.admin, w.root, draft).await {
                Err(Error::Validation { code, .. }) => {
                    assert_eq!(code, Code::IssuerInvalid, "{bad}")
                }
                other => panic!("{bad}: expected an invalid issuer, got {other:?}"),
            }
        }
        // Bad samples are told so.
        for bad in ["[1,2]", "not json", &"x".repeat(20_000)] {
            match federation::preview(&db, &w.admin, id, bad).await {
                Err(Error::Validation { code, .. }) => {
                    assert_eq!(code, Code::FederationClaimsInvalid)
                }
                other => panic!("expected invalid claims, got {other:?}"),
            }
        }
        federation::remove(&db, &w.admin, id).await.unwrap();
        assert!(federation::list(&db, &w.admin, w.root)
            .await
            .unwrap()
            .is_empty());
    }
);

db_test!(
    should_sign_in_only_users_its_administrator_could_manage,
    |db: Db| async move {
        let w = demo(&db).await;
        // An organisation administrator who manages settings, not users.
        let keeper = admin_of(&db, w.root, "settings.keeper").await;
        let keeper = only_role(
            &db,
            &w,
            &keeper,
            "Settings",
            &["sites.view", "settings.manage"],
        )
        .await;
        // Their own provider, vouching for the organisation's domain: creating users is not
        // theirs to allow...
        let mut by_mail = entree(&db).await;
        by_mail.identify_by = FederationIdentifier::Email;
        by_mail.email_domains = vec!["horizon.example".into()];
        by_mail.site_claim = String::new();
        by_mail.roles = Vec::new();
        assert!(matches!(
            federation::save(&db, &keeper, w.root, by_mail.clone()).await,
            Err(Error::Forbidden)
        ));
        by_mail.create_users = false;
        let id = federation::save(&db, &keeper, w.root, by_mail)
            .await
            .unwrap();
        // ...nor is signing in as the director (or anyone: they manage no user).
        let director = identity(claims(&[
            ("email", "directeur@horizon.example"),
            ("email_verified", "true"),
        ]));
        assert_eq!(
            refused(federation::sign_in(&db, id, &director, None).await),
            Code::FederationOutOfReach
        );
        let json = serde_json::to_string(&director.claims).unwrap();
        let shown = federation::preview(&db, &w.admin, id, &json).await.unwrap();
        assert_eq!(shown.refusal, Some(Code::FederationOutOfReach));
        assert!(shown.existing_user.is_some());
        // The same federation saved by the director signs the director in.
        let mut kept = federation::list(&db, &w.admin, w.root)
            .await
            .unwrap()
            .remove(0);
        kept.client_secret = String::new();
        federation::save(&db, &w.admin, w.root, kept).await.unwrap();
        federation::sign_in(&db, id, &director, None).await.unwrap();
    }
);
