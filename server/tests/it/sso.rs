//! Single sign-on against a real OpenID provider (oidc-provider from npm, two issuers on
//! 127.0.0.1 standing in for Google and Microsoft, started by `scripts/start-oidc.sh`). Licentia
//! runs on a real port; a cookie-keeping HTTP client plays the browser and follows redirects
//! by hand, so a test can stop, wait or replay at any step. The provider misbehaves on purpose
//! for accounts named `tamper-sig…`, `wrong-nonce…`, `wrong-aud…`, `expired-token…` and
//! `expired-code…` (see end2end/oidc/provider.mjs).
//!
//! A third issuer stands in for Microsoft's endpoint for every tenant (`organizations`): its
//! discovery names the issuer `…/{tenantid}/v2.0`, and each token its own tenant.
//!
//! Needs `LICENTIA_TEST_OIDC_GOOGLE`, `_MICROSOFT` and `_ENTRA`; without them the tests
//! are skipped, unless `LICENTIA_REQUIRE_OIDC=1` (as in CI), where they fail.
use domain::entities::{session, user};
use domain::sso::Identity;
use domain::{Db, Principal};
use licentia::sso::providers::Provider;
use reqwest::{header, redirect, Client, StatusCode, Url};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::support::process;

struct Issuers {
    google: String,
    microsoft: String,
    /// Microsoft's endpoint for every tenant: a per-tenant issuer in each token.
    entra: String,
}

fn issuers() -> Option<Issuers> {
    let google = std::env::var("LICENTIA_TEST_OIDC_GOOGLE").ok();
    let microsoft = std::env::var("LICENTIA_TEST_OIDC_MICROSOFT").ok();
    let entra = std::env::var("LICENTIA_TEST_OIDC_ENTRA").ok();
    match (google, microsoft, entra) {
        (Some(google), Some(microsoft), Some(entra)) => Some(Issuers {
            google,
            microsoft,
            entra,
        }),
        _ if std::env::var("LICENTIA_REQUIRE_OIDC").is_ok_and(|v| v == "1") => {
            panic!("LICENTIA_REQUIRE_OIDC=1 but no test provider: run scripts/start-oidc.sh")
        }
        _ => None,
    }
}

struct Licentia {
    base: String,
    db: Db,
    issuers: Issuers,
}

fn provider(key: &str, issuer: &str) -> Provider {
    Provider {
        key: key.into(),
        display_name: key.into(),
        icon: "/icons/sso.svg".into(),
        issuer: issuer.into(),
        client_id: "licentia".into(),
        client_secret: Some("licentia-test-secret".into()),
        scopes: Vec::new(),
    }
}

/// Licentia on a free port over a fresh SQLite database with the demo organisation; a third
/// provider, `down`, points at a port where nothing listens.
async fn licentia() -> Option<Licentia> {
    let issuers = issuers()?;
    let dir = std::env::temp_dir().join(format!("licentia-sso-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let db = Db::connect_and_migrate(&url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    let port = process::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut config = licentia::config::Config::from_env();
    config.public_url = Some(base.clone());
    config.sso_providers = vec![
        provider("google", &issuers.google),
        provider("microsoft", &issuers.microsoft),
        provider("entra", &issuers.entra),
        provider(
            "down",
            &format!("http://127.0.0.1:{}", process::free_port()),
        ),
    ];
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let router = licentia::routes::app(&config, db.clone(), leptos);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Some(Licentia { base, db, issuers })
}

/// A browser: its own cookies, redirects one at a time.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> Url {
    let to = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| {
            panic!(
                "no redirect from {} ({})",
                response.url(),
                response.status()
            )
        });
    response.url().join(to).unwrap()
}

impl Licentia {
    async fn sign_in_with_password(&self, browser: &Client, username: &str, password: &str) {
        let response = browser
            .post(format!("{}/api/login", self.base))
            .header(header::ACCEPT, "application/json")
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "password sign-in");
    }

    /// From Licentia's button through the provider's sign-in form (as `account`) to the
    /// callback URL the provider sends the browser back to, not yet visited.
    async fn to_callback(&self, browser: &Client, start: &str, account: &str) -> Url {
        let mut url: Url = format!("{}{start}", self.base).parse().unwrap();
        loop {
            if url.path().ends_with("/callback") {
                return url;
            }
            let response = browser.get(url.clone()).send().await.unwrap();
            if response.status().is_redirection() {
                url = location(&response);
                continue;
            }
            assert_eq!(response.status(), StatusCode::OK, "at {url}");
            assert!(
                url.path().starts_with("/interaction/"),
                "expected the provider's sign-in form, at {url}"
            );
            let posted = browser
                .post(url.clone())
                .form(&[("login", account)])
                .send()
                .await
                .unwrap();
            url = location(&posted);
        }
    }

    /// Visits the callback; answers where Licentia sends the browser next (path and query).
    async fn visit(&self, browser: &Client, callback: &Url) -> String {
        let response = browser.get(callback.clone()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "callback answer");
        let to = location(&response);
        match to.query() {
            Some(query) => format!("{}?{query}", to.path()),
            None => to.path().to_string(),
        }
    }

    async fn sign_in_with(&self, browser: &Client, provider: &str, account: &str) -> String {
        let start = format!("/auth/sso/{provider}?intent=sign_in&next=/admin");
        let callback = self.to_callback(browser, &start, account).await;
        self.visit(browser, &callback).await
    }

    /// Who the browser's session belongs to, per Licentia (none: signed out).
    async fn who(&self, browser: &Client) -> Option<String> {
        let response = browser
            .post(format!("{}/api/current_user", self.base))
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        let me: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        me.get("username")
            .and_then(|u| u.as_str())
            .map(str::to_string)
    }

    async fn user(&self, username: &str) -> user::Model {
        user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(self.db.conn())
            .await
            .unwrap()
            .unwrap()
    }

    async fn sessions_of(&self, username: &str) -> u64 {
        let id = self.user(username).await.id;
        session::Entity::find()
            .filter(session::Column::UserId.eq(id))
            .count(self.db.conn())
            .await
            .unwrap()
    }

    /// Links `account` at the Google stand-in to `username` directly in the domain, so that a
    /// refusal below cannot be "not linked".
    async fn link_directly(&self, username: &str, account: &str) {
        let principal = Principal::load(&self.db, self.user(username).await.id)
            .await
            .unwrap();
        let identity = Identity {
            provider: "google".into(),
            issuer: self.issuers.google.clone(),
            subject: account.into(),
            email: None,
            tenant: None,
            claims: Default::default(),
        };
        domain::sso::link(&self.db, &principal, identity)
            .await
            .unwrap();
    }
}

/// Where Licentia sends a browser that opens `path` (a start that goes nowhere): the query.
async fn sent_back(app: &Licentia, browser: &Client, path: &str) -> String {
    let response = browser
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    location(&response).query().unwrap_or_default().to_string()
}

fn account(prefix: &str) -> String {
    format!("{prefix}-{}", &Uuid::new_v4().simple().to_string()[..8])
}

const ADMIN: &str = domain::demo::ADMIN_USERNAME;
const PASSWORD: &str = domain::demo::ADMIN_PASSWORD;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_link_sign_in_and_unlink_with_a_real_provider() {
    let Some(app) = licentia().await else { return };
    let alice = account("alice");

    // Signed in with a password, link the Google stand-in from the profile.
    let tab = browser();
    app.sign_in_with_password(&tab, ADMIN, PASSWORD).await;
    let callback = app
        .to_callback(&tab, "/auth/sso/google?intent=link", &alice)
        .await;
    assert_eq!(app.visit(&tab, &callback).await, "/profile?linked=google");
    let admin = app.user(ADMIN).await;
    let links = domain::sso::links_of(
        &app.db,
        &Principal::load(&app.db, admin.id).await.unwrap(),
        admin.public_id,
    )
    .await
    .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        links[0].email.as_deref(),
        Some(&*format!("{alice}@example.test"))
    );

    // A fresh browser signs in with it, and gets a session of its own.
    let other = browser();
    let before = app.sessions_of(ADMIN).await;
    assert_eq!(app.sign_in_with(&other, "google", &alice).await, "/admin");
    assert_eq!(app.who(&other).await.as_deref(), Some(ADMIN));
    assert_eq!(app.sessions_of(ADMIN).await, before + 1);

    // Unlinked, the same account is refused and no session appears.
    domain::sso::unlink(
        &app.db,
        &Principal::load(&app.db, admin.id).await.unwrap(),
        admin.public_id,
        "google",
    )
    .await
    .unwrap();
    let third = browser();
    let answer = app.sign_in_with(&third, "google", &alice).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_not_linked"),
        "{answer}"
    );
    assert_eq!(app.who(&third).await, None);
    assert_eq!(app.sessions_of(ADMIN).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_tampered_or_foreign_id_tokens_without_a_session() {
    let Some(app) = licentia().await else { return };
    for prefix in ["tamper-sig", "wrong-nonce", "wrong-aud", "expired-token"] {
        let name = account(prefix);
        app.link_directly(ADMIN, &name).await;
        let before = app.sessions_of(ADMIN).await;
        let tab = browser();
        let answer = app.sign_in_with(&tab, "google", &name).await;
        assert!(
            answer.starts_with("/login?sso_error=sso_failed"),
            "{prefix}: {answer}"
        );
        assert_eq!(app.who(&tab).await, None, "{prefix}");
        assert_eq!(app.sessions_of(ADMIN).await, before, "{prefix}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_an_expired_code() {
    let Some(app) = licentia().await else { return };
    let name = account("expired-code");
    app.link_directly(ADMIN, &name).await;
    let tab = browser();
    let start = "/auth/sso/google?intent=sign_in&next=/admin";
    let callback = app.to_callback(&tab, start, &name).await;
    // The stand-in lets this account's codes live one second.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let answer = app.visit(&tab, &callback).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_failed"),
        "{answer}"
    );
    assert_eq!(app.who(&tab).await, None);
    assert_eq!(app.sessions_of(ADMIN).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_a_replayed_or_foreign_state() {
    let Some(app) = licentia().await else { return };
    let name = account("bob");
    app.link_directly(ADMIN, &name).await;
    let start = "/auth/sso/google?intent=sign_in&next=/admin";
    let victim = browser();
    let callback = app.to_callback(&victim, start, &name).await;

    // Another browser (an attacker holding the URL) has no such flow: refused, no session.
    let attacker = browser();
    let answer = app.visit(&attacker, &callback).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_expired"),
        "{answer}"
    );
    assert_eq!(app.who(&attacker).await, None);
    assert_eq!(app.sessions_of(ADMIN).await, 0);

    // The browser that started it signs in once; replaying the same answer is refused.
    assert_eq!(app.visit(&victim, &callback).await, "/admin");
    assert_eq!(app.sessions_of(ADMIN).await, 1);
    let replay = browser();
    let answer = app.visit(&replay, &callback).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_expired"),
        "{answer}"
    );
    let answer = app.visit(&victim, &callback).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_expired"),
        "{answer}"
    );
    assert_eq!(app.sessions_of(ADMIN).await, 1);

    // A state from an earlier flow of the same browser is not the one it holds now.
    let tab = browser();
    let first = app.to_callback(&tab, start, &name).await;
    let _second = app.to_callback(&tab, start, &name).await;
    let answer = app.visit(&tab, &first).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_failed"),
        "{answer}"
    );
    assert_eq!(app.who(&tab).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_linking_an_account_of_another_user() {
    let Some(app) = licentia().await else { return };
    let shared = account("shared");
    app.link_directly(ADMIN, &shared).await;
    // Lotte, a teacher of the demo, tries to link the same account.
    let form = domain::users::NewUserForm {
        password: "Lotte-Leraar-2026".into(),
        ..Default::default()
    };
    let lotte = app.user("lotte.janssens").await;
    let txn = app.db.write().await.unwrap();
    let hash = domain::auth::password::hash(form.password).await.unwrap();
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(hash),
        )
        .filter(user::Column::Id.eq(lotte.id))
        .exec(&*txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let tab = browser();
    app.sign_in_with_password(&tab, "lotte.janssens", "Lotte-Leraar-2026")
        .await;
    let callback = app
        .to_callback(&tab, "/auth/sso/google?intent=link", &shared)
        .await;
    assert_eq!(
        app.visit(&tab, &callback).await,
        "/profile?sso_error=sso_linked_elsewhere"
    );
    // Still signed in as herself; the account still belongs to the administrator.
    assert_eq!(app.who(&tab).await.as_deref(), Some("lotte.janssens"));
    let fresh = browser();
    assert_eq!(app.sign_in_with(&fresh, "google", &shared).await, "/admin");
    assert_eq!(app.who(&fresh).await.as_deref(), Some(ADMIN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_a_deactivated_user_and_survive_an_unreachable_provider() {
    let Some(app) = licentia().await else { return };
    let name = account("carla");
    app.link_directly("lotte.janssens", &name).await;
    let lotte = app.user("lotte.janssens").await;
    user::Entity::update_many()
        .col_expr(user::Column::Active, sea_orm::sea_query::Expr::value(false))
        .filter(user::Column::Id.eq(lotte.id))
        .exec(app.db.conn())
        .await
        .unwrap();
    let tab = browser();
    let answer = app.sign_in_with(&tab, "google", &name).await;
    assert!(
        answer.starts_with("/login?sso_error=account_inactive"),
        "{answer}"
    );
    assert_eq!(app.who(&tab).await, None);

    // Nothing listens at the `down` provider: a clear refusal, and the server goes on.
    let response = tab
        .get(format!("{}/auth/sso/down?intent=sign_in", app.base))
        .send()
        .await
        .unwrap();
    let to = location(&response);
    assert_eq!(to.path(), "/login");
    assert!(to
        .query()
        .unwrap_or_default()
        .starts_with("sso_error=sso_unavailable"));
    assert!(sent_back(&app, &tab, "/auth/sso/nobody?intent=sign_in")
        .await
        .starts_with("sso_error=sso_provider_unknown"));
    let fresh = browser();
    app.sign_in_with_password(&fresh, ADMIN, PASSWORD).await;
    assert_eq!(app.who(&fresh).await.as_deref(), Some(ADMIN));
}

const TENANT_A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const TENANT_B: &str = "bbbbbbbb-0000-4000-8000-00000000000b";

/// Microsoft for every school at once: accounts of two tenants link and sign in through one
/// provider, each identified by its tenant's issuer; a token whose issuer is another tenant's
/// than its `tid` is refused; an organisation that names its tenants refuses the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_accept_every_tenant_by_its_own_issuer_and_only_the_organisations_own() {
    let Some(app) = licentia().await else { return };
    let alice = account("alice");
    let tab = browser();
    app.sign_in_with_password(&tab, ADMIN, PASSWORD).await;
    let callback = app
        .to_callback(&tab, "/auth/sso/entra?intent=link", &alice)
        .await;
    assert_eq!(app.visit(&tab, &callback).await, "/profile?linked=entra");
    let link = domain::entities::sso_link::Entity::find()
        .filter(domain::entities::sso_link::Column::Provider.eq("entra"))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        link.issuer,
        format!("{}/{TENANT_A}/v2.0", app.issuers.entra),
        "the tenant's own issuer identifies the account"
    );
    let other = browser();
    assert_eq!(app.sign_in_with(&other, "entra", &alice).await, "/admin");
    assert_eq!(app.who(&other).await.as_deref(), Some(ADMIN));

    // The issuer of tenant A with the id of tenant B: refused.
    let forger = account("wrong-tid");
    let tab = browser();
    app.sign_in_with_password(&tab, ADMIN, PASSWORD).await;
    let callback = app
        .to_callback(&tab, "/auth/sso/entra?intent=link", &forger)
        .await;
    let answer = app.visit(&tab, &callback).await;
    assert!(answer.contains("sso_error=sso_failed"), "{answer}");

    // The organisation accepts only tenant B: alice (tenant A) is refused, without a session.
    let admin = Principal::load(&app.db, app.user(ADMIN).await.id)
        .await
        .unwrap();
    let root = domain::sites::public_id_of(&app.db, app.user(ADMIN).await.site_id)
        .await
        .unwrap();
    let mut policy = domain::factors::policy_of(&app.db, &admin, root)
        .await
        .unwrap();
    policy.tenants = vec![TENANT_B.to_uppercase()];
    domain::factors::set_policy(&app.db, &admin, root, policy.clone())
        .await
        .unwrap();
    let third = browser();
    let answer = app.sign_in_with(&third, "entra", &alice).await;
    assert!(
        answer.starts_with("/login?sso_error=sso_tenant_not_allowed"),
        "{answer}"
    );
    assert_eq!(app.who(&third).await, None);
    // Tenant B's accounts may be linked and sign in.
    let bob = format!("{}@tenant-b", account("bob"));
    let tab = browser();
    app.sign_in_with_password(&tab, ADMIN, PASSWORD).await;
    let callback = app
        .to_callback(&tab, "/auth/sso/entra?intent=link", &bob)
        .await;
    assert_eq!(app.visit(&tab, &callback).await, "/profile?linked=entra");
    let fourth = browser();
    assert_eq!(app.sign_in_with(&fourth, "entra", &bob).await, "/admin");
    // A tenant id that is not one is refused with a clear code, and nothing changes.
    policy.tenants = vec!["contoso.onmicrosoft.com".into()];
    let refused = domain::factors::set_policy(&app.db, &admin, root, policy).await;
    assert!(
        matches!(refused, Err(domain::Error::Validation { .. })),
        "{refused:?}"
    );
    let kept = domain::factors::policy_of(&app.db, &admin, root)
        .await
        .unwrap();
    assert_eq!(kept.tenants, vec![TENANT_B.to_string()]);
}

/// A federation against the real provider, asking its `federation` scope for the school's
/// attributes: a new teacher of De Klimop signs in and is created there with the mapped role;
/// a pupil whose institution number no site has is refused with that reason, and no session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_create_a_teacher_through_a_federation_and_refuse_an_unknown_school() {
    use domain::entities::{role, role_grant, site};
    use sea_orm::sea_query::Expr;
    let Some(app) = licentia().await else { return };
    // The test provider is on this machine, which a server must allow.
    domain::webhooks::allow_loopback(true);
    let admin = Principal::load(&app.db, app.user(ADMIN).await.id)
        .await
        .unwrap();
    site::Entity::update_many()
        .col_expr(site::Column::InstitutionNumber, Expr::value("06AB"))
        .filter(site::Column::Name.eq("De Klimop"))
        .exec(app.db.conn())
        .await
        .unwrap();
    let klimop = site::Entity::find()
        .filter(site::Column::Name.eq("De Klimop"))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    let manager = role::Entity::find()
        .filter(role::Column::BuiltinKey.eq(domain::roles::LICENCE_MANAGER))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    let id = domain::federation::save(
        &app.db,
        &admin,
        klimop.public_id,
        wire::Federation {
            id: None,
            name: "Entree (test)".into(),
            issuer: app.issuers.google.clone(),
            client_id: "licentia".into(),
            client_secret: "licentia-test-secret".into(),
            has_secret: false,
            scopes: "federation".into(),
            identify_by: wire::FederationIdentifier::EckId,
            identifier_claim: String::new(),
            email_domains: Vec::new(),
            create_users: true,
            site_claim: "nlEduPersonHomeOrganizationId".into(),
            class_claim: "class".into(),
            roles: vec![wire::RoleRule {
                claim: "eduPersonAffiliation".into(),
                value: "employee".into(),
                role: manager.public_id,
            }],
        },
    )
    .await
    .unwrap();
    let start = format!("/auth/federation/{id}?next=/admin");

    let eck = account("eck");
    let teacher = format!(
        "{};eckid={eck};nlEduPersonHomeOrganizationId=06ab;eduPersonAffiliation=member;\
         eduPersonAffiliation=employee;given_name=Jan;family_name=De Smet;email={eck}@klimop.example",
        account("teacher")
    );
    let tab = browser();
    let callback = app.to_callback(&tab, &start, &teacher).await;
    assert_eq!(app.visit(&tab, &callback).await, "/admin");
    let username = format!("{eck}@klimop.example");
    assert_eq!(app.who(&tab).await.as_deref(), Some(username.as_str()));
    let created = app.user(&username).await;
    assert_eq!(created.site_id, klimop.id);
    assert_eq!(created.first_name, "Jan");
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(created.id))
        .all(app.db.conn())
        .await
        .unwrap();
    assert_eq!(
        grants
            .iter()
            .map(|g| (g.role_id, g.site_id))
            .collect::<Vec<_>>(),
        vec![(manager.id, klimop.id)]
    );
    // The same teacher again: the same account.
    let again = browser();
    let callback = app.to_callback(&again, &start, &teacher).await;
    assert_eq!(app.visit(&again, &callback).await, "/admin");
    assert_eq!(app.who(&again).await.as_deref(), Some(username.as_str()));

    let pupil = format!(
        "{};eckid={};nlEduPersonHomeOrganizationId=99ZZ;eduPersonAffiliation=student",
        account("pupil"),
        account("eck")
    );
    let other = browser();
    let callback = app.to_callback(&other, &start, &pupil).await;
    let answer = app.visit(&other, &callback).await;
    assert!(
        answer.starts_with("/login?sso_error=federation_no_site"),
        "{answer}"
    );
    assert_eq!(app.who(&other).await, None);
    // A federation that does not exist sends the browser back with a reason, not to a provider.
    let stranger = browser();
    let unknown = format!("/auth/federation/{}", Uuid::new_v4());
    assert!(sent_back(&app, &stranger, &unknown)
        .await
        .contains("sso_error=sso_provider_unknown"));
    // Nor does an address that names no id at all.
    assert!(sent_back(&app, &stranger, "/auth/federation/not-an-id")
        .await
        .contains("sso_error=sso_provider_unknown"));
}
