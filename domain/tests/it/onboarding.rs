//! Onboarding: serial sign-up, registration codes in each flow, mailed links, invitations,
//! password resets and throttling. Every refusal checks its code and that nothing was written.
use chrono::Utc;
use domain::entities::{job, site, subscription, user, user_token};
use domain::mail::{Mail, Template};
use domain::onboarding::{self, RegistrationForm, SignUpForm};
use domain::sites::{self, SiteForm};
use domain::subscriptions::{self, SubscriptionForm};
use domain::{auth, users, Code, Db, Error, Principal};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::db_test;
use crate::helpers::*;

/// Rows that onboarding writes, to prove a refusal wrote nothing.
async fn snapshot(db: &Db) -> [u64; 5] {
    let c = db.conn();
    [
        site::Entity::find().count(c).await.unwrap(),
        user::Entity::find().count(c).await.unwrap(),
        job::Entity::find().count(c).await.unwrap(),
        user_token::Entity::find().count(c).await.unwrap(),
        subscription::Entity::find()
            .filter(subscription::Column::SiteId.is_not_null())
            .count(c)
            .await
            .unwrap(),
    ]
}

/// The newest queued mail.
async fn last_mail(db: &Db) -> Mail {
    let found = job::Entity::find()
        .order_by_desc(job::Column::Id)
        .one(db.conn())
        .await
        .unwrap()
        .expect("a queued mail");
    serde_json::from_str(&found.payload).unwrap()
}

fn token_of(mail: &Mail) -> String {
    match &mail.template {
        Template::VerifyEmail { token, .. }
        | Template::Invitation { token, .. }
        | Template::PasswordReset { token, .. } => token.clone(),
        other => panic!("no link in {other:?}"),
    }
}

async fn subscription(db: &Db, serial: &str, seats: u32, until: &str) {
    subscriptions::insert(
        db,
        SubscriptionForm {
            serial: serial.into(),
            seats: seats.to_string(),
            valid_from: "2019-01-01".into(),
            valid_until: until.into(),
            contact_email: "buyer@school.example".into(),
            locale: "fr".into(),
        },
    )
    .await
    .unwrap();
}

fn sign_up_form(serial: &str, username: &str) -> SignUpForm {
    SignUpForm {
        serial: serial.into(),
        organisation: "Basisschool De Linde".into(),
        first_name: "Els".into(),
        last_name: "Maes".into(),
        email: "els@linde.example".into(),
        username: username.into(),
        password: "Linde-bomen-2027".into(),
        privacy_accepted: true,
        locale: "en".into(),
        proof: None,
    }
}

db_test!(
    should_sign_up_with_a_serial_verify_and_sign_in_as_owner,
    |db: Db| async move {
        subscription(&db, "123456789", 25, "2099-12-31").await;
        let confirmation = last_mail(&db).await;
        assert_eq!(confirmation.to, "buyer@school.example");
        assert_eq!(confirmation.locale, "fr");
        assert!(matches!(
            confirmation.template,
            Template::SubscriptionCreated { seats: 25, .. }
        ));

        let info = onboarding::check_serial(&db, "1234-56789").await.unwrap();
        assert_eq!(info.seats, 25);
        onboarding::sign_up(&db, sign_up_form("123456789", "els.maes"))
            .await
            .unwrap();
        let refused = auth::sign_in(&db, "els.maes", "Linde-bomen-2027", None).await;
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some(Code::EmailNotVerified)
        );

        let mail = last_mail(&db).await;
        assert_eq!(
            (mail.to.as_str(), mail.locale.as_str()),
            ("els@linde.example", "en")
        );
        let confirmed = onboarding::confirm_email(&db, &token_of(&mail))
            .await
            .unwrap();
        assert_eq!(confirmed.username, "els.maes");
        assert!(!confirmed.awaiting_approval);

        let signed_in = auth::sign_in(&db, "els.maes", "Linde-bomen-2027", None)
            .await
            .unwrap();
        let principal = Principal::load(&db, signed_in.user_id).await.unwrap();
        let tree = sites::tree(&db, &principal).await.unwrap();
        assert_eq!(counts(&tree, "Basisschool De Linde"), "1/25");
        assert_counters_exact(&db).await;

        // Claimed once: a second sign-up with the same serial is refused, writing nothing.
        let before = snapshot(&db).await;
        let again = onboarding::sign_up(&db, sign_up_form("123456789", "other.admin")).await;
        assert_eq!(again.err().map(|e| e.code()), Some(Code::SerialClaimed));
        assert_eq!(snapshot(&db).await, before);
    }
);

db_test!(
    should_refuse_bad_sign_ups_and_write_nothing,
    |db: Db| async move {
        subscription(&db, "555666", 5, "2099-12-31").await;
        subscription(&db, "777888", 5, "2020-12-31").await;
        let weak = |mut f: SignUpForm| {
            f.password = "wachtwoord".into();
            f
        };
        let no_privacy = |mut f: SignUpForm| {
            f.privacy_accepted = false;
            f
        };
        let no_email = |mut f: SignUpForm| {
            f.email = String::new();
            f
        };
        let before = snapshot(&db).await;
        for (form, code) in [
            (sign_up_form("12345", "a.b"), Code::SerialInvalid),
            (sign_up_form("999999", "a.b"), Code::SerialUnknown),
            (sign_up_form("777888", "a.b"), Code::SubscriptionExpired),
            (weak(sign_up_form("555666", "a.b")), Code::PasswordWeak),
            (
                no_privacy(sign_up_form("555666", "a.b")),
                Code::PrivacyNotAccepted,
            ),
            (no_email(sign_up_form("555666", "a.b")), Code::EmailRequired),
            (
                sign_up_form("555666", "directeur.x y"),
                Code::UsernameInvalid,
            ),
        ] {
            let refused = onboarding::sign_up(&db, form).await;
            assert_eq!(refused.err().map(|e| e.code()), Some(code));
            assert_eq!(snapshot(&db).await, before, "{code:?} wrote something");
        }
        // A username that exists already: refused after the serial was claimed in the
        // transaction, which rolls back (the serial stays free).
        demo(&db).await;
        let before = snapshot(&db).await;
        let taken = onboarding::sign_up(&db, sign_up_form("555666", "directeur")).await;
        assert_eq!(taken.err().map(|e| e.code()), Some(Code::UsernameTaken));
        assert_eq!(snapshot(&db).await, before);
        assert!(onboarding::check_serial(&db, "555666").await.is_ok());
    }
);

/// Gives De Klimop a registration code and flow (and optional allowed domains).
async fn open_klimop(db: &Db, demo: &Demo, code: &str, flow: &str, domains: &str, seats: i32) {
    let details = sites::details(db, &demo.admin, demo.klimop).await.unwrap();
    sites::update(
        db,
        &demo.admin,
        demo.klimop,
        SiteForm {
            name: details.node.name,
            seat_limit: seats.to_string(),
            registration_code: code.into(),
            expires_on: String::new(),
            registration_flow: flow.into(),
            allowed_domains: domains.into(),
            institution_number: String::new(),
        },
    )
    .await
    .unwrap();
}

fn registration(code: &str, username: &str, email: &str) -> RegistrationForm {
    RegistrationForm {
        code: code.into(),
        first_name: "Noor".into(),
        last_name: "Peeters".into(),
        email: email.into(),
        username: username.into(),
        password: "Zonnebloem-42".into(),
        locale: "nl".into(),
        extra: Default::default(),
    }
}

db_test!(
    should_register_with_a_code_in_each_flow,
    |db: Db| async move {
        let demo = demo(&db).await;
        let password = "Zonnebloem-42";

        open_klimop(&db, &demo, "klimop-2026", "immediate", "", 4).await;
        let info = onboarding::check_code(&db, "KLIMOP-2026").await.unwrap();
        assert_eq!(
            (info.site_name.as_str(), info.email_required),
            ("De Klimop", false)
        );
        let flow = onboarding::register(&db, registration("klimop-2026", "noor", ""))
            .await
            .unwrap();
        assert_eq!(flow.as_str(), "immediate");
        auth::sign_in(&db, "noor", password, None).await.unwrap();

        open_klimop(&db, &demo, "klimop-2026", "verify", "", 4).await;
        let refused = onboarding::register(&db, registration("klimop-2026", "vera", "")).await;
        assert_eq!(refused.err().map(|e| e.code()), Some(Code::EmailRequired));
        onboarding::register(
            &db,
            registration("klimop-2026", "vera", "vera@mail.example"),
        )
        .await
        .unwrap();
        let refused = auth::sign_in(&db, "vera", password, None).await;
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some(Code::EmailNotVerified)
        );
        let mail = last_mail(&db).await;
        onboarding::confirm_email(&db, &token_of(&mail))
            .await
            .unwrap();
        auth::sign_in(&db, "vera", password, None).await.unwrap();

        open_klimop(&db, &demo, "klimop-2026", "approval", "", 4).await;
        for name in ["arno", "bram"] {
            onboarding::register(
                &db,
                registration("klimop-2026", name, &format!("{name}@mail.example")),
            )
            .await
            .unwrap();
            let refused = auth::sign_in(&db, name, password, None).await;
            assert_eq!(
                refused.err().map(|e| e.code()),
                Some(Code::AwaitingApproval)
            );
        }
        let waiting = onboarding::pending(&db, &demo.admin, demo.klimop)
            .await
            .unwrap();
        let names: Vec<&str> = waiting.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["arno", "bram"]);
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(
            counts(&tree, "De Klimop"),
            "4/4",
            "pending users hold their seat"
        );

        onboarding::decide(&db, &demo.admin, waiting[0].public_id, true)
            .await
            .unwrap();
        let approved = last_mail(&db).await;
        assert_eq!(approved.to, "arno@mail.example");
        assert!(matches!(
            approved.template,
            Template::RegistrationApproved { .. }
        ));
        auth::sign_in(&db, "arno", password, None).await.unwrap();

        onboarding::decide(&db, &demo.admin, waiting[1].public_id, false)
            .await
            .unwrap();
        assert!(matches!(
            last_mail(&db).await.template,
            Template::RegistrationRejected { .. }
        ));
        let gone = auth::sign_in(&db, "bram", password, None).await;
        assert_eq!(gone.err().map(|e| e.code()), Some(Code::InvalidCredentials));
        let tree = sites::tree(&db, &demo.admin).await.unwrap();
        assert_eq!(
            counts(&tree, "De Klimop"),
            "3/4",
            "a rejection frees the seat"
        );
        let twice = onboarding::decide(&db, &demo.admin, waiting[0].public_id, true).await;
        assert_eq!(twice.err().map(|e| e.code()), Some(Code::NotPending));
        assert_counters_exact(&db).await;
    }
);

db_test!(
    should_refuse_codes_that_no_longer_work_and_write_nothing,
    |db: Db| async move {
        let demo = demo(&db).await;
        open_klimop(&db, &demo, "klimop-2026", "immediate", "school.example", 3).await;
        let check = |code: &'static str, email: &'static str, want: Code| {
            let db = db.clone();
            async move {
                let before = snapshot(&db).await;
                let refused = onboarding::register(&db, registration(code, "nieuw", email)).await;
                assert_eq!(
                    refused.err().map(|e| e.code()),
                    Some(want),
                    "{code} {email}"
                );
                assert_eq!(snapshot(&db).await, before, "{want:?} wrote something");
            }
        };
        check(
            "nope-0000",
            "a@school.example",
            Code::RegistrationCodeUnknown,
        )
        .await;
        check(
            "klimop-2026",
            "a@elders.example",
            Code::EmailDomainNotAllowed,
        )
        .await;
        check("klimop-2026", "", Code::EmailRequired).await;

        // Changed code: the old one stops working.
        open_klimop(&db, &demo, "klimop-2027", "immediate", "school.example", 3).await;
        check(
            "klimop-2026",
            "a@school.example",
            Code::RegistrationCodeUnknown,
        )
        .await;

        // Full site: De Klimop has 3 seats and no users; fill it up.
        for name in ["vol.een", "vol.twee", "vol.drie"] {
            users::create(&db, &demo.admin, demo.klimop, user_form(name))
                .await
                .unwrap();
        }
        check("klimop-2027", "a@school.example", Code::SiteFull).await;

        // Expired: the root's date is inherited by De Klimop.
        let root = sites::details(&db, &demo.admin, demo.root).await.unwrap();
        site::Entity::update_many()
            .col_expr(
                site::Column::ExpiresOn,
                Expr::value(wire::time::today().pred_opt()),
            )
            .filter(site::Column::PublicId.eq(root.node.id))
            .exec(db.conn())
            .await
            .unwrap();
        check("klimop-2027", "a@school.example", Code::SiteExpired).await;
    }
);

db_test!(
    should_reset_a_password_once_within_the_hour_and_end_sessions,
    |db: Db| async move {
        let demo = demo(&db).await;
        let jobs = || async { job::Entity::find().count(db.conn()).await.unwrap() };
        // Unknown accounts get the same answer, and no mail.
        auth::request_reset(&db, "niemand", "nl").await.unwrap();
        auth::request_reset(&db, "niemand@nergens.example", "nl")
            .await
            .unwrap();
        assert_eq!(jobs().await, 0);

        auth::request_reset(&db, "Directeur", "fr").await.unwrap();
        let mail = last_mail(&db).await;
        assert_eq!(mail.to, "directeur@horizon.example");
        let token = token_of(&mail);
        assert_eq!(auth::token_owner(&db, &token).await.unwrap(), "directeur");

        let admin_id = demo.admin.user_id().unwrap();
        domain::sessions::save(
            &db,
            "open-session",
            domain::sessions::Meta {
                user_id: Some(admin_id),
                ..Default::default()
            },
            "{}".into(),
            Utc::now() + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
        let weak = auth::set_password_with_token(&db, &token, "12345678", "12345678").await;
        assert_eq!(weak.err().map(|e| e.code()), Some(Code::PasswordWeak));
        let mismatch = auth::set_password_with_token(&db, &token, "Nieuw-wachtwoord-9", "x").await;
        assert_eq!(
            mismatch.err().map(|e| e.code()),
            Some(Code::PasswordMismatch)
        );
        auth::set_password_with_token(&db, &token, "Nieuw-wachtwoord-9", "Nieuw-wachtwoord-9")
            .await
            .unwrap();
        assert!(domain::sessions::load(&db, "open-session")
            .await
            .unwrap()
            .is_none());
        let old = auth::sign_in(&db, "directeur", domain::demo::ADMIN_PASSWORD, None).await;
        assert_eq!(old.err().map(|e| e.code()), Some(Code::InvalidCredentials));
        auth::sign_in(&db, "directeur", "Nieuw-wachtwoord-9", None)
            .await
            .unwrap();

        let reused =
            auth::set_password_with_token(&db, &token, "Ander-wachtwoord-9", "Ander-wachtwoord-9")
                .await;
        assert_eq!(reused.err().map(|e| e.code()), Some(Code::LinkUsed));
        let unknown =
            auth::set_password_with_token(&db, "abc", "Ander-wachtwoord-9", "Ander-wachtwoord-9")
                .await;
        assert_eq!(unknown.err().map(|e| e.code()), Some(Code::LinkInvalid));

        // An hour later the link is dead.
        auth::request_reset(&db, "directeur@horizon.example", "nl")
            .await
            .unwrap();
        let late = token_of(&last_mail(&db).await);
        user_token::Entity::update_many()
            .col_expr(
                user_token::Column::ExpiresAt,
                Expr::value(Utc::now() - chrono::Duration::seconds(1)),
            )
            .exec(db.conn())
            .await
            .unwrap();
        let expired =
            auth::set_password_with_token(&db, &late, "Ander-wachtwoord-9", "Ander-wachtwoord-9")
                .await;
        assert_eq!(expired.err().map(|e| e.code()), Some(Code::LinkExpired));
        auth::sign_in(&db, "directeur", "Nieuw-wachtwoord-9", None)
            .await
            .unwrap();
    }
);

db_test!(
    should_invite_by_mail_or_set_a_password_to_change,
    |db: Db| async move {
        let demo = demo(&db).await;
        let mut form = user_form("invited");
        form.email = "invited@horizon.example".into();
        form.invite = true;
        form.locale = "fr".into();
        users::create(&db, &demo.admin, demo.root, form)
            .await
            .unwrap();
        let mail = last_mail(&db).await;
        assert_eq!(
            (mail.to.as_str(), mail.locale.as_str()),
            ("invited@horizon.example", "fr")
        );
        let Template::Invitation {
            ref inviter,
            ref site,
            ..
        } = mail.template
        else {
            panic!("not an invitation: {mail:?}");
        };
        assert_eq!(
            (inviter.as_str(), site.as_str()),
            ("directeur", "Scholengroep Horizon")
        );
        auth::set_password_with_token(
            &db,
            &token_of(&mail),
            "Mijn-eigen-keuze-1",
            "Mijn-eigen-keuze-1",
        )
        .await
        .unwrap();
        auth::sign_in(&db, "invited", "Mijn-eigen-keuze-1", None)
            .await
            .unwrap();

        let mut no_mail = user_form("no.mail");
        no_mail.invite = true;
        let refused = users::create(&db, &demo.admin, demo.root, no_mail).await;
        assert_eq!(refused.err().map(|e| e.code()), Some(Code::EmailRequired));

        let mut set = user_form("must.change");
        set.password = "Tijdelijk-123".into();
        set.must_change_password = true;
        users::create(&db, &demo.admin, demo.root, set)
            .await
            .unwrap();
        let first = auth::sign_in(&db, "must.change", "Tijdelijk-123", None)
            .await
            .unwrap();
        assert!(first.must_change_password);
        let principal = Principal::load(&db, first.user_id).await.unwrap();
        let wrong = auth::change_password(
            &db,
            &principal,
            "nope",
            "Nieuw-en-eigen-4",
            "Nieuw-en-eigen-4",
        )
        .await;
        assert_eq!(
            wrong.err().map(|e| e.code()),
            Some(Code::CurrentPasswordWrong)
        );
        auth::change_password(
            &db,
            &principal,
            "Tijdelijk-123",
            "Nieuw-en-eigen-4",
            "Nieuw-en-eigen-4",
        )
        .await
        .unwrap();
        let later = auth::sign_in(&db, "must.change", "Nieuw-en-eigen-4", None)
            .await
            .unwrap();
        assert!(!later.must_change_password);
    }
);

db_test!(
    should_slow_down_repeated_failures_per_account_and_address,
    |db: Db| async move {
        let demo = demo(&db).await;
        let right = domain::demo::ADMIN_PASSWORD;
        let mut other = user_form("tweede");
        other.password = right.into();
        users::create(&db, &demo.admin, demo.root, other)
            .await
            .unwrap();
        for _ in 0..auth::throttle::ACCOUNT_THRESHOLD {
            let wrong = auth::sign_in(&db, "directeur", "wrong", Some("10.0.0.1")).await;
            assert_eq!(
                wrong.err().map(|e| e.code()),
                Some(Code::InvalidCredentials)
            );
        }
        // Even the right password waits now, from any address.
        let waiting = auth::sign_in(&db, "directeur", right, Some("10.0.0.2")).await;
        let Err(Error::RefusedAt(Code::TooManyAttempts, seconds)) = waiting else {
            panic!("not throttled: {waiting:?}");
        };
        let seconds: i64 = seconds[0].parse().unwrap();
        assert!((1..=5).contains(&seconds), "{seconds}");
        // Other accounts are not affected.
        auth::sign_in(&db, "tweede", right, Some("10.0.0.1"))
            .await
            .unwrap();

        // When the wait is over, a success clears the account's counter.
        domain::entities::sign_in_throttle::Entity::update_many()
            .col_expr(
                domain::entities::sign_in_throttle::Column::BlockedUntil,
                Expr::value(Utc::now() - chrono::Duration::seconds(1)),
            )
            .exec(db.conn())
            .await
            .unwrap();
        auth::sign_in(&db, "directeur", right, Some("10.0.0.2"))
            .await
            .unwrap();
        let wrong = auth::sign_in(&db, "directeur", "wrong", Some("10.0.0.2")).await;
        assert_eq!(
            wrong.err().map(|e| e.code()),
            Some(Code::InvalidCredentials),
            "counter cleared"
        );

        // Per address: many accounts guessed from one address.
        for n in 0..auth::throttle::ADDRESS_THRESHOLD {
            let _ = auth::sign_in(&db, &format!("guess{n}"), "wrong", Some("10.9.9.9")).await;
        }
        let blocked = auth::sign_in(&db, "tweede", right, Some("10.9.9.9")).await;
        assert_eq!(blocked.err().map(|e| e.code()), Some(Code::TooManyAttempts));
        auth::sign_in(&db, "tweede", right, Some("10.0.0.3"))
            .await
            .unwrap();
    }
);

db_test!(
    should_ask_what_the_sites_registration_form_asks,
    |db: Db| async move {
        use domain::onboarding::{ExtraAnswers, FieldRule, RegistrationFields};
        let demo = demo(&db).await;
        open_klimop(&db, &demo, "klimop-2026", "immediate", "", 10).await;
        // A class below De Klimop to register in.
        let class = sites::create(
            &db,
            &demo.admin,
            demo.klimop,
            sites::NewSiteForm {
                name: "Klas 3B".into(),
                seat_limit: "5".into(),
            },
        )
        .await
        .unwrap();
        onboarding::set_form(
            &db,
            &demo.admin,
            demo.klimop,
            RegistrationFields {
                phone: FieldRule::Required,
                birth_date: FieldRule::Optional,
                organisation_part: FieldRule::Required,
                newsletter: true,
                disclaimer: "  I follow the school rules.  ".into(),
                beside_sign_in: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let info = onboarding::check_code(&db, "klimop-2026").await.unwrap();
        assert!(info.fields.beside_sign_in);
        assert_eq!(info.fields.disclaimer, "I follow the school rules.");
        let parts: Vec<(String, usize)> =
            info.parts.iter().map(|(_, n, d)| (n.clone(), *d)).collect();
        assert_eq!(
            parts,
            [("De Klimop".to_string(), 0), ("Klas 3B".to_string(), 1)]
        );

        let good = ExtraAnswers {
            phone: "+32 3 123 45 67".into(),
            birth_date: "2012-05-04".into(),
            part: Some(class.id),
            newsletter: true,
            disclaimer_accepted: true,
            ..Default::default()
        };
        let with = |extra: ExtraAnswers| RegistrationForm {
            extra,
            ..registration("klimop-2026", "noor.p", "")
        };
        for (extra, want) in [
            (
                ExtraAnswers {
                    phone: String::new(),
                    ..good.clone()
                },
                Error::invalid("phone", Code::FieldRequired),
            ),
            (
                ExtraAnswers {
                    phone: "call me".into(),
                    ..good.clone()
                },
                Error::invalid("phone", Code::PhoneInvalid),
            ),
            (
                ExtraAnswers {
                    disclaimer_accepted: false,
                    ..good.clone()
                },
                Error::invalid("disclaimer", Code::DisclaimerNotAccepted),
            ),
            (
                ExtraAnswers {
                    part: None,
                    ..good.clone()
                },
                Error::invalid("part", Code::FieldRequired),
            ),
            (
                ExtraAnswers {
                    part: Some(demo.regenboog),
                    ..good.clone()
                },
                Error::invalid("part", Code::PartUnknown),
            ),
            (
                ExtraAnswers {
                    birth_date: "2999-01-01".into(),
                    ..good.clone()
                },
                Error::invalid("birth_date", Code::BirthDateInFuture),
            ),
        ] {
            assert_eq!(
                onboarding::register(&db, with(extra)).await.err(),
                Some(want)
            );
        }
        assert_eq!(
            onboarding::register(&db, with(good))
                .await
                .unwrap()
                .as_str(),
            "immediate"
        );
        let noor = domain::entities::user::Entity::find()
            .filter(domain::entities::user::Column::Username.eq("noor.p"))
            .one(db.conn())
            .await
            .unwrap()
            .unwrap();
        let class_site = sites::resolve(&db, class.id).await.unwrap().site;
        assert_eq!(noor.site_id, class_site.id, "registered in the part chosen");
        assert_eq!(noor.phone.as_deref(), Some("+32 3 123 45 67"));
        assert_eq!(noor.birth_date, "2012-05-04".parse().ok());
        assert!(noor.newsletter);
        assert!(noor.disclaimer_accepted_at.is_some());
        assert_counters_exact(&db).await;
        // Only who edits the site sets its form.
        let regenboog_admin = admin_of(&db, demo.regenboog, "regenboog.admin").await;
        assert_eq!(
            onboarding::set_form(
                &db,
                &regenboog_admin,
                demo.klimop,
                RegistrationFields::default()
            )
            .await
            .err(),
            Some(Error::NotFound)
        );
    }
);
