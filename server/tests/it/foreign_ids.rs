//! Server functions called directly over HTTP by a subsite administrator (De Klimop) with the
//! ids of things outside their subtree: every one answers "not found" and changes nothing, and
//! no list or search returns anything from outside the subtree.
use domain::entities::{role, site, user};
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::support::http as http_support;

pub(crate) struct World {
    pub(crate) app: axum::Router,
    cookie: String,
    pub(crate) db: domain::Db,
    /// The Klimop administrator's own API token.
    pub(crate) token: String,
}

/// Demo data, De Klimop's administrator (signed in, and with an API token) and, in De
/// Regenboog, what they must never reach.
pub(crate) async fn world() -> (World, Ids) {
    world_on(&crate::support::databases::sqlite_url()).await
}

/// The same world on the database at `url`.
pub(crate) async fn world_on(url: &str) -> (World, Ids) {
    let db = domain::Db::connect_and_migrate(url).await.unwrap();
    domain::demo::seed(&db).await.unwrap();
    let by_name = |name: &'static str| {
        let db = db.clone();
        async move {
            site::Entity::find()
                .filter(site::Column::Name.eq(name))
                .one(db.conn())
                .await
                .unwrap()
                .unwrap()
        }
    };
    let klimop = by_name("De Klimop").await;
    let regenboog = by_name("De Regenboog").await;
    let root = by_name(domain::demo::ORGANISATION).await;
    // The Klimop administrator, with a password.
    let form = domain::users::NewUserForm {
        username: "klimop.admin".into(),
        first_name: "Kees".into(),
        last_name: "Klimop".into(),
        email: String::new(),
        password: "Klimop-2026".into(),
        ..Default::default()
    };
    let new_user = form.validate().await.unwrap();
    let txn = db.write().await.unwrap();
    let admin = domain::users::insert_unchecked(&*txn, klimop.id, new_user)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    domain::roles::grant_builtin_unchecked(
        db.conn(),
        admin.id,
        domain::roles::ADMINISTRATOR,
        klimop.id,
    )
    .await
    .unwrap();
    let foreign_role = role::ActiveModel {
        public_id: Set(Uuid::new_v4()),
        site_id: Set(Some(regenboog.id)),
        builtin_key: Set(None),
        name: Set("Regenboog helper".into()),
        permissions: Set("users.view".into()),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    let emma = user::Entity::find()
        .filter(user::Column::Username.eq("emma.willems"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let lotte = user::Entity::find()
        .filter(user::Column::Username.eq("lotte.janssens"))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();

    let foreign = foreign_things(&db, regenboog.public_id, &emma).await;
    let token = domain::api_tokens::issue_unchecked(
        &db,
        "klimop.admin",
        domain::api_tokens::NewToken {
            name: "Scripts".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        wire::time::today(),
    )
    .await
    .unwrap()
    .secret;

    let app = http_support::router(&db);
    let cookie = http_support::sign_in_as(&app, "klimop.admin", "Klimop-2026").await;
    (
        World {
            app,
            cookie,
            db,
            token,
        },
        Ids {
            root: root.public_id,
            regenboog: regenboog.public_id,
            klimop: klimop.public_id,
            emma: emma.public_id,
            lotte: lotte.public_id,
            admin: admin.public_id,
            foreign_role: foreign_role.public_id,
            foreign,
        },
    )
}

/// Things of De Regenboog (or of the organisation's root) made by the root's administrator:
/// a property, a group, an import run, a service account's token, Emma's application session
/// and linked sign-in.
async fn foreign_things(db: &domain::Db, regenboog: Uuid, emma: &user::Model) -> Foreign {
    let director = user::Entity::find()
        .filter(user::Column::Username.eq(domain::demo::ADMIN_USERNAME))
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    let boss = domain::Principal::load(db, director.id).await.unwrap();
    let root = domain::sites::home_site(db, &boss).await.unwrap();
    let property = domain::properties::define(
        db,
        &boss,
        root,
        domain::properties::DefinitionForm {
            key: "department".into(),
            label_nl: "Afdeling".into(),
            label_fr: "Département".into(),
            label_en: "Department".into(),
            kind: "text".into(),
            choices: String::new(),
            required: false,
        },
    )
    .await
    .unwrap()
    .public_id;
    let group = domain::groups::save(
        db,
        &boss,
        domain::groups::GroupForm {
            id: None,
            site: regenboog,
            name: "Regenboog staff".into(),
            conditions: Vec::new(),
            active: true,
            schedule: "manual".into(),
            grant_product: String::new(),
            grant_role: None,
            grant_site: None,
        },
    )
    .await
    .unwrap();
    let run = domain::import::start(
        db,
        &boss,
        regenboog,
        domain::import::Upload {
            file_name: "rows.csv".into(),
            content: b"Actie;Gebruikersnaam;Voornaam;Achternaam\n+;regen.new;Regen;New\n".to_vec(),
            options: domain::import::Options {
                mode: domain::import::Mode::AddOnly,
                allow_deletes: false,
                sync: false,
            },
            locale: "en".into(),
            teacher_role: None,
        },
        domain::import::Limits::default(),
    )
    .await
    .unwrap();
    let party = domain::api_tokens::create_service_account(db, &boss, regenboog, "Partner", true)
        .await
        .unwrap();
    let today = wire::time::today();
    let token = domain::api_tokens::issue(
        db,
        &boss,
        party.public_id,
        domain::api_tokens::NewToken {
            name: "Partner".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap()
    .token
    .public_id;
    domain::demo::seed_licences(db).await.unwrap();
    domain::licences::assign(db, &boss, emma.public_id, today)
        .await
        .unwrap();
    let as_emma = domain::Principal::load(db, emma.id).await.unwrap();
    let session = domain::applications::open(db, &as_emma, emma.public_id, "reader", None, today)
        .await
        .unwrap()
        .public_id;
    let device = domain::applications::register_device(
        db,
        &as_emma,
        emma.public_id,
        "reader",
        "emma-laptop",
        None,
        today,
    )
    .await
    .unwrap()
    .public_id;
    // A webhook endpoint of De Regenboog with one delivery (Emma's deactivation and back).
    domain::webhooks::allow_loopback(true);
    let webhook = domain::webhooks::register(
        db,
        &boss,
        domain::webhooks::NewEndpoint {
            site: Some(regenboog),
            url: "http://127.0.0.1:9/hooks".into(),
            events: vec!["user.deactivated".into()],
            description: String::new(),
        },
    )
    .await
    .unwrap()
    .endpoint
    .public_id;
    domain::users::set_active(db, &boss, emma.public_id, false)
        .await
        .unwrap();
    domain::users::set_active(db, &boss, emma.public_id, true)
        .await
        .unwrap();
    let delivery = domain::webhooks::deliveries(db, &boss, webhook)
        .await
        .unwrap()[0]
        .public_id;
    domain::sso::link(
        db,
        &as_emma,
        domain::sso::Identity {
            provider: "google".into(),
            issuer: "http://127.0.0.1:55601".into(),
            subject: "emma".into(),
            email: None,
            tenant: None,
            claims: Default::default(),
        },
    )
    .await
    .unwrap();
    // A federation of the organisation (its settings are not the caller's).
    let federation = domain::federation::save(
        db,
        &boss,
        regenboog,
        wire::Federation {
            id: None,
            name: "Entree".into(),
            issuer: "https://login.entree.example".into(),
            client_id: "licentia".into(),
            client_secret: String::new(),
            has_secret: false,
            scopes: String::new(),
            identify_by: wire::FederationIdentifier::Subject,
            identifier_claim: String::new(),
            email_domains: Vec::new(),
            create_users: false,
            site_claim: String::new(),
            class_claim: String::new(),
            roles: Vec::new(),
        },
    )
    .await
    .unwrap();
    // A rollover of De Regenboog (moving no one).
    let rollover = domain::rollover::start(
        db,
        &boss,
        regenboog,
        Vec::new(),
        domain::rollover::RolloverOptions {
            leave_on: today,
            archive: false,
            renew: false,
        },
        today,
    )
    .await
    .unwrap();
    Foreign {
        property,
        group,
        run,
        token,
        session,
        device,
        webhook,
        delivery,
        rollover,
        federation,
    }
}

struct Foreign {
    property: Uuid,
    group: Uuid,
    run: Uuid,
    token: Uuid,
    session: Uuid,
    device: Uuid,
    webhook: Uuid,
    delivery: Uuid,
    rollover: Uuid,
    federation: Uuid,
}

pub(crate) struct Ids {
    pub(crate) root: Uuid,
    pub(crate) regenboog: Uuid,
    pub(crate) klimop: Uuid,
    pub(crate) emma: Uuid,
    lotte: Uuid,
    admin: Uuid,
    foreign_role: Uuid,
    foreign: Foreign,
}

impl World {
    async fn call(&self, function: &str, body: String) -> (StatusCode, String) {
        let (status, bytes) = http_support::call(&self.app, &self.cookie, function, body).await;
        (status, String::from_utf8_lossy(&bytes).to_string())
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let (status, bytes) = http_support::get(&self.app, &self.cookie, path).await;
        (status, String::from_utf8_lossy(&bytes).to_string())
    }
}

const FOREIGN: [&str; 3] = ["Regenboog", "Horizon", "emma"];

fn assert_nothing_foreign(what: &str, body: &str) {
    for word in FOREIGN {
        assert!(!body.contains(word), "{what} leaks {word}: {body}");
    }
}

/// How a server function is tried with things outside the caller's subtree.
enum Row {
    /// Calls (URL-encoded or JSON body) that name something foreign: each answers 404
    /// `not_found` and changes nothing.
    Foreign(Vec<String>),
    /// Uploads (multipart fields, with a small file) naming a foreign site.
    Upload(Vec<(&'static str, String)>),
    /// The vendor's own work: a customer's administrator is refused (403 `forbidden`).
    Operator(String),
    /// Takes no id of anything (acts on the caller's own account or session, or is public):
    /// why it needs no foreign-id row.
    NoId(&'static str),
}

/// Every server function, by endpoint. A function missing here fails
/// `should_have_a_row_for_every_server_function_and_api_route`.
fn rows(ids: &Ids) -> Vec<(&'static str, Row)> {
    use Row::*;
    let f = &ids.foreign;
    let stranger = Uuid::nil();
    let list_filter = "filter[search]=&filter[include_subsites]=true&filter[sort]=name&filter[descending]=false&filter[page]=0";
    let journal_filter = "filter[actor]=&filter[action]=&filter[from]=&filter[to]=&filter[page]=0";
    let bulk = |site: Uuid, user: Uuid| {
        format!("site={site}&users[0]={user}&all_matching=false&action=activate&{list_filter}")
    };
    vec![
        // Sites.
        ("site_tree", NoId("lists the caller's own subtrees (see the listing test)")),
        (
            "site_outline",
            Foreign(vec![
                format!("site={}", ids.regenboog),
                format!("site={}", ids.root),
                format!("site={stranger}"),
            ]),
        ),
        (
            "site_children",
            Foreign(vec![
                format!("parent={}&offset=0", ids.regenboog),
                format!("parent={}&offset=0", ids.root),
                format!("parent={stranger}&offset=0"),
            ]),
        ),
        (
            "search_sites",
            Foreign(vec![
                format!("text=e&within={}", ids.regenboog),
                format!("text=e&within={}", ids.root),
                format!("text=e&within={stranger}"),
            ]),
        ),
        (
            "site_details",
            Foreign(vec![
                format!("site={}", ids.regenboog),
                format!("site={}", ids.root),
                format!("site={stranger}"),
            ]),
        ),
        (
            "update_site",
            Foreign(vec![format!(
                "site={}&name=Mine&seat_limit=2&registration_code=&expires_on=&registration_flow=immediate&allowed_domains=",
                ids.regenboog
            )]),
        ),
        ("delete_site", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "create_site",
            Foreign(vec![format!("parent={}&name=Mine&seat_limit=0", ids.regenboog)]),
        ),
        ("move_options", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "move_site",
            Foreign(vec![format!("site={}&new_parent={}", ids.regenboog, ids.klimop)]),
        ),
        // Users.
        (
            "list_users",
            Foreign(vec![
                format!("site={}&{list_filter}", ids.regenboog),
                format!("site={}&{list_filter}", ids.root),
            ]),
        ),
        (
            "count_users",
            Foreign(vec![
                format!("site={}&{list_filter}", ids.regenboog),
                format!("site={}&{list_filter}", ids.root),
            ]),
        ),
        (
            "create_user",
            Foreign(vec![format!(
                "site={}&username=intruder&first_name=I&last_name=N&email=&password=",
                ids.regenboog
            )]),
        ),
        (
            "set_user_active",
            Foreign(vec![format!("user={}&active=false", ids.emma)]),
        ),
        (
            "delete_user",
            Foreign(vec![format!("user={}", ids.emma), format!("user={}", ids.lotte)]),
        ),
        (
            "bulk_users",
            Foreign(vec![bulk(ids.regenboog, ids.emma), bulk(ids.klimop, ids.emma)]),
        ),
        ("licence_counters", Foreign(vec![format!("site={}", ids.regenboog)])),
        ("assign_licence", Foreign(vec![format!("user={}", ids.emma)])),
        ("unassign_licence", Foreign(vec![format!("user={}", ids.emma)])),
        ("pending_users", Foreign(vec![format!("site={}", ids.regenboog), format!("site={}", ids.root)])),
        (
            "decide_registration",
            Foreign(vec![
                format!("user={}&approve=true", ids.emma),
                format!("user={}&approve=false", ids.lotte),
            ]),
        ),
        ("user_app_sessions", Foreign(vec![format!("user={}", ids.emma)])),
        ("end_app_session", Foreign(vec![format!("session={}", f.session)])),
        ("user_devices", Foreign(vec![format!("user={}", ids.emma)])),
        ("remove_device", Foreign(vec![format!("device={}", f.device)])),
        (
            "webhooks_page",
            Foreign(vec![
                format!("site={}&vendor=false", ids.regenboog),
                format!("site={}&vendor=false", ids.root),
            ]),
        ),
        (
            "register_webhook",
            Foreign(vec![format!(
                r#"{{"site":"{}","url":"https://spy.example/","description":"","events":["user.created"]}}"#,
                ids.regenboog
            )]),
        ),
        (
            "set_webhook_enabled",
            Foreign(vec![format!("endpoint={}&enabled=false", f.webhook)]),
        ),
        ("remove_webhook", Foreign(vec![format!("endpoint={}", f.webhook)])),
        ("webhook_deliveries", Foreign(vec![format!("endpoint={}", f.webhook)])),
        ("redeliver_webhook", Foreign(vec![format!("delivery={}", f.delivery)])),
        ("user_links", Foreign(vec![format!("user={}", ids.emma)])),
        (
            "remove_user_link",
            Foreign(vec![format!("user={}&provider=google", ids.emma)]),
        ),
        ("user_factor_count", Foreign(vec![format!("user={}", ids.emma)])),
        ("reset_user_factors", Foreign(vec![format!("user={}", ids.emma)])),
        // Roles.
        ("list_roles", NoId("lists the roles the caller sees (see the listing test)")),
        ("user_grants", Foreign(vec![
            format!("user={}", ids.emma),
            format!("user={}&site={}", ids.admin, ids.regenboog),
        ])),
        (
            "set_user_grants",
            Foreign(vec![
                format!(r#"{{"user":"{}","site":"{}","roles":[]}}"#, ids.emma, ids.klimop),
                format!(r#"{{"user":"{}","site":"{}","roles":[]}}"#, ids.admin, ids.regenboog),
                format!(
                    r#"{{"user":"{}","site":"{}","roles":["{}"]}}"#,
                    ids.admin, ids.klimop, ids.foreign_role
                ),
            ]),
        ),
        (
            "create_role",
            Foreign(vec![format!(
                r#"{{"site":"{}","name":"Mine","permissions":["users.view"]}}"#,
                ids.regenboog
            )]),
        ),
        (
            "update_role",
            Foreign(vec![format!(
                r#"{{"role":"{}","name":"Mine","permissions":[]}}"#,
                ids.foreign_role
            )]),
        ),
        ("delete_role", Foreign(vec![format!("role={}", ids.foreign_role)])),
        (
            "role_members",
            Foreign(vec![format!("role={}", ids.foreign_role), format!("role={stranger}")]),
        ),
        // Journal.
        (
            "list_journal",
            Foreign(vec![format!("filter[site]={}&{journal_filter}", ids.regenboog)]),
        ),
        // Properties and groups.
        ("properties_page", Foreign(vec![format!("site={}", ids.regenboog)])),
        ("define_property", Foreign(vec![format!(
            "site={}&key=shoe&label_nl=Schoen&label_fr=Chaussure&label_en=Shoe&kind=text",
            ids.root
        )])),
        ("remove_property", Foreign(vec![format!("id={}", f.property)])),
        ("user_properties", Foreign(vec![format!("user={}", ids.emma)])),
        (
            "set_user_properties",
            Foreign(vec![format!(r#"{{"user":"{}","values":[]}}"#, ids.emma)]),
        ),
        ("preview_property_values", Upload(vec![("site", ids.regenboog.to_string())])),
        ("import_property_values", Upload(vec![("site", ids.regenboog.to_string())])),
        ("groups_page", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "save_group",
            Foreign(vec![
                format!(
                    r#"{{"group":{{"id":null,"site":"{}","name":"Mine","conditions":[],"active":true,"schedule":"manual","grant_product":"","grant_role":null,"grant_site":null}}}}"#,
                    ids.regenboog
                ),
                format!(
                    r#"{{"group":{{"id":"{}","site":"{}","name":"Mine","conditions":[],"active":true,"schedule":"manual","grant_product":"","grant_role":null,"grant_site":null}}}}"#,
                    f.group, ids.klimop
                ),
            ]),
        ),
        (
            "preview_group",
            Foreign(vec![
                format!(r#"{{"site":"{}","rule":[],"group":null}}"#, ids.regenboog),
                format!(r#"{{"site":"{}","rule":[],"group":"{}"}}"#, ids.klimop, f.group),
            ]),
        ),
        ("run_group", Foreign(vec![format!("id={}", f.group)])),
        ("remove_group", Foreign(vec![format!("id={}", f.group)])),
        // Import.
        (
            "preview_import",
            Upload(vec![("site", ids.regenboog.to_string()), ("mode", "add".into())]),
        ),
        (
            "start_import",
            Upload(vec![("site", ids.regenboog.to_string()), ("mode", "add".into())]),
        ),
        ("import_status", Foreign(vec![format!("run={}", f.run)])),
        ("import_problems", Foreign(vec![format!("run={}&locale=en", f.run)])),
        ("cancel_import", Foreign(vec![format!("run={}", f.run)])),
        ("recent_imports", Foreign(vec![format!("site={}", ids.regenboog)])),
        // The school-year rollover.
        (
            "load_rollover",
            Foreign(vec![
                format!("site={}", ids.regenboog),
                format!("site={}", ids.root),
            ]),
        ),
        (
            "preview_rollover",
            Foreign(vec![
                format!(r#"{{"site":"{}","choices":[],"leave_on":"2099-08-31","archive":false,"renew":false}}"#, ids.regenboog),
                format!(
                    r#"{{"site":"{}","choices":[{{"class":"{}","next":{{"kind":"leave"}}}}],"leave_on":"2099-08-31","archive":false,"renew":false}}"#,
                    ids.klimop, ids.regenboog
                ),
            ]),
        ),
        (
            "start_rollover",
            Foreign(vec![
                format!(r#"{{"site":"{}","choices":[],"leave_on":"2099-08-31","archive":false,"renew":false}}"#, ids.regenboog),
                format!(
                    r#"{{"site":"{}","choices":[{{"class":"{}","next":{{"kind":"leave"}}}}],"leave_on":"2099-08-31","archive":false,"renew":false}}"#,
                    ids.klimop, ids.regenboog
                ),
            ]),
        ),
        ("rollover_runs", Foreign(vec![format!("site={}", ids.regenboog)])),
        // Every customer's usage is the vendor's (refused as forbidden: see the domain's test).
        (
            "load_usage",
            Foreign(vec![
                format!("site={}&every_customer=false&product=&days=30", ids.regenboog),
                format!("site={}&every_customer=false&product=&days=30", ids.root),
            ]),
        ),
        ("undo_rollover", Foreign(vec![format!("rollover={}", f.rollover)])),
        ("load_sync_settings", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "save_sync_settings",
            Foreign(vec![format!(
                "site={}&mapping=&match_on=username&date_format=auto",
                ids.regenboog
            )]),
        ),
        // Registration.
        ("load_registration_form", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "save_registration_form",
            Foreign(vec![format!(
                "site={}&phone=off&address=off&personnel_number=off&birth_date=off&organisation_part=off",
                ids.regenboog
            )]),
        ),
        // The organisation's second-factor policy.
        ("load_factor_policy", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "save_factor_policy",
            Foreign(vec![format!(
                "site={}&who=optional&grace_days=14",
                ids.regenboog
            )]),
        ),
        // The organisation's federations.
        ("load_federations", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "save_federation",
            Foreign(vec![
                format!(
                    r#"{{"site":"{}","federation":{{"id":null,"name":"Spy","issuer":"https://spy.example","client_id":"x","scopes":"","identify_by":"sub","identifier_claim":"","email_domains":[],"create_users":true,"site_claim":"","class_claim":"","roles":[]}}}}"#,
                    ids.regenboog
                ),
                format!(
                    r#"{{"site":"{}","federation":{{"id":"{}","name":"Spy","issuer":"https://spy.example","client_id":"x","scopes":"","identify_by":"sub","identifier_claim":"","email_domains":[],"create_users":true,"site_claim":"","class_claim":"","roles":[]}}}}"#,
                    ids.klimop, f.federation
                ),
            ]),
        ),
        ("remove_federation", Foreign(vec![format!("federation={}", f.federation)])),
        (
            "preview_federation",
            Foreign(vec![format!("federation={}&claims=%7B%7D", f.federation)]),
        ),
        // Subscriptions and tokens.
        (
            "organisation_subscriptions",
            Foreign(vec![format!("site={}", ids.root), format!("site={}", ids.klimop)]),
        ),
        (
            "add_subscription",
            Foreign(vec![format!("site={}&serial=12345678", ids.root)]),
        ),
        ("api_tokens", Foreign(vec![format!("site={}", ids.regenboog)])),
        (
            "create_service_account",
            Foreign(vec![format!("site={}&name=Spy", ids.regenboog)]),
        ),
        (
            "issue_api_token",
            Foreign(vec![format!("owner={}&name=Spy", ids.emma)]),
        ),
        ("revoke_api_token", Foreign(vec![format!("token={}", f.token)])),
        // The caller's own account and sessions.
        ("my_profile", NoId("the caller's own profile")),
        ("my_factors", NoId("the caller's own second factors")),
        ("enrol_authenticator", NoId("the caller's own new second factor")),
        (
            "confirm_authenticator",
            Foreign(vec![format!("factor={stranger}&code=123456")]),
        ),
        ("remove_factor", Foreign(vec![format!("factor={stranger}")])),
        ("renew_recovery_codes", NoId("the caller's own recovery codes")),
        ("start_passkey", NoId("the caller's own new passkey")),
        (
            "finish_passkey",
            NoId("the caller's own new passkey, against the state in their session"),
        ),
        ("save_profile", NoId("the caller's own profile")),
        ("unlink_mine", NoId("the caller's own linked sign-in, by provider")),
        ("end_session", Foreign(vec!["handle=not-one-of-mine".into()])),
        ("end_other_sessions", NoId("the caller's own sessions")),
        ("my_institutions", NoId("the caller's own institution links")),
        ("withdraw_institution", Foreign(vec![format!("link={stranger}")])),
        ("my_overview", NoId("the caller's own overview")),
        ("request_licences", NoId("for the caller's own organisation")),
        ("my_announcements", NoId("the caller's own notices")),
        ("choose_updates", NoId("the caller's own choice")),
        ("change_password", NoId("the caller's own password")),
        ("current_user", NoId("who the caller is")),
        ("set_language", NoId("the caller's own language")),
        ("logout", NoId("ends the caller's own session")),
        // Public (no session needed).
        ("login", NoId("public: signs in by username and password")),
        (
            "login_second_factor",
            NoId("public: the code for the sign-in this session waits on"),
        ),
        ("passkeys_offered", NoId("public: whether this server offers passkeys")),
        (
            "start_passkey_proof",
            NoId("public: a challenge for the sign-in this session waits on"),
        ),
        (
            "finish_passkey_proof",
            NoId("public: the answer for the sign-in this session waits on"),
        ),
        ("start_passkey_sign_in", NoId("public: a challenge for any passkey")),
        (
            "finish_passkey_sign_in",
            NoId("public: the passkey's answer names its own user"),
        ),
        (
            "enrolment_due",
            NoId("public: the sign-in this session waits on to set up a factor"),
        ),
        (
            "finish_enrolment",
            NoId("public: ends the wait of this session's own sign-in"),
        ),
        ("sign_in_providers", NoId("public: the configured providers")),
        ("api_reference", NoId("public: the API's documentation")),
        ("check_serial", NoId("public: a serial number, answers only whether it can be claimed")),
        ("sign_up", NoId("public: creates a new organisation")),
        ("check_code", NoId("public: a registration code")),
        ("register", NoId("public: registers with a code")),
        ("confirm_email", NoId("public: a mailed single-use token")),
        ("request_reset", NoId("public: never tells whether the account exists")),
        ("password_link", NoId("public: a mailed single-use token")),
        ("set_password", NoId("public: a mailed single-use token")),
        (
            "issue_challenge",
            NoId("public: a fresh proof-of-work challenge, about nothing stored"),
        ),
        // The vendor's pages.
        ("list_subscriptions", Operator(String::new())),
        (
            "create_subscription",
            Operator("serial=123456&seats=5&valid_from=2026-01-01&valid_until=2026-12-31&contact_email=&locale=nl".into()),
        ),
        ("list_outbox", Operator(String::new())),
        (
            "list_customers",
            Operator(
                "filter[search]=&filter[sort]=name&filter[descending]=false&filter[page]=0".into(),
            ),
        ),
        ("load_customer", Operator(format!("customer={}", ids.root))),
        ("open_customer_support", Operator(format!("customer={}", ids.root))),
        ("list_renewals", Operator("within_days=30".into())),
        ("renewals_digest", Operator(String::new())),
        ("set_renewals_digest", Operator("wanted=true".into())),
        ("catalogue", Operator(String::new())),
        ("code_batches", Operator(String::new())),
        (
            "create_code_batch",
            Operator(format!("name=Spy&bundle={stranger}&days=30&size=5")),
        ),
        ("batch_codes", Operator(format!("batch={stranger}"))),
        ("revoke_code_batch", Operator(format!("batch={stranger}"))),
        ("redeem_code", NoId("redeems for the caller's own account; a code names no site")),
        ("create_product", Operator("key=spy&name=Spy".into())),
        ("create_bundle", Operator("name=Spy&products=reader".into())),
        (
            "set_bundle_limits",
            Operator(format!(
                "bundle={stranger}&max_devices=1&max_user_sessions=&max_sessions="
            )),
        ),
        ("purchase_inbox", Operator(String::new())),
        ("mark_request_handled", Operator(format!("request={stranger}"))),
        ("load_announcements", Operator(String::new())),
        (
            "post_announcement",
            Operator("kind=maintenance&title_nl=a&title_fr=a&title_en=a&body_nl=a&body_fr=a&body_en=a&starts_at=2026-01-01T00:00&ends_at=2099-01-01T00:00".into()),
        ),
        ("remove_announcement", Operator(format!("id={stranger}"))),
        ("institution_links", Operator(String::new())),
        (
            "link_institution",
            Operator("username=emma.willems&institution_number=123456".into()),
        ),
    ]
}

/// Every route of the HTTP API (method, path as documented): the calls naming something
/// foreign, or why a route names nothing.
fn api_rows(ids: &Ids) -> Vec<((&'static str, &'static str), Row)> {
    use Row::*;
    let f = &ids.foreign;
    vec![
        (("get", "/api/v1/me"), NoId("the token's own account")),
        (
            ("post", "/api/v1/authenticate"),
            NoId("by username and password; a foreign user is invalid credentials (api.rs)"),
        ),
        (
            ("get", "/api/v1/users/{user}/licence"),
            Foreign(vec![format!("/api/v1/users/{}/licence", ids.emma)]),
        ),
        (
            ("post", "/api/v1/users/{user}/licence-file"),
            Foreign(vec![format!(
                "/api/v1/users/{}/licence-file?product=reader",
                ids.emma
            )]),
        ),
        (
            ("get", "/api/v1/users/{user}/licence-key"),
            Foreign(vec![format!("/api/v1/users/{}/licence-key", ids.emma)]),
        ),
        (
            ("post", "/api/v1/users/{user}/devices"),
            Foreign(vec![format!("/api/v1/users/{}/devices", ids.emma)]),
        ),
        (
            ("get", "/api/v1/users/{user}/devices"),
            Foreign(vec![format!("/api/v1/users/{}/devices", ids.emma)]),
        ),
        (
            ("delete", "/api/v1/devices/{device}"),
            Foreign(vec![format!("/api/v1/devices/{}", f.device)]),
        ),
        (
            ("get", "/api/v1/keys"),
            NoId("public: the keys that verify licence files"),
        ),
        (
            ("post", "/api/v1/users/{user}/sessions"),
            Foreign(vec![format!("/api/v1/users/{}/sessions", ids.emma)]),
        ),
        (
            ("get", "/api/v1/users/{user}/sessions"),
            Foreign(vec![format!("/api/v1/users/{}/sessions", ids.emma)]),
        ),
        (
            ("put", "/api/v1/sessions/{session}"),
            Foreign(vec![format!("/api/v1/sessions/{}", f.session)]),
        ),
        (
            ("delete", "/api/v1/sessions/{session}"),
            Foreign(vec![format!("/api/v1/sessions/{}", f.session)]),
        ),
        (
            ("get", "/api/v1/users/{user}/settings/{product}"),
            Foreign(vec![format!("/api/v1/users/{}/settings/reader", ids.emma)]),
        ),
        (
            ("put", "/api/v1/users/{user}/settings/{product}"),
            Foreign(vec![format!("/api/v1/users/{}/settings/reader", ids.emma)]),
        ),
        (
            ("get", "/api/v1/sites"),
            NoId("lists the token's own subtrees"),
        ),
        (
            ("get", "/api/v1/sites/{site}/users"),
            Foreign(vec![
                format!("/api/v1/sites/{}/users", ids.regenboog),
                format!("/api/v1/sites/{}/users", ids.root),
            ]),
        ),
    ]
}

/// The SCIM routes (`licentia::scim::ROUTES`), as the API's.
fn scim_rows(ids: &Ids) -> Vec<((&'static str, &'static str), Row)> {
    use Row::*;
    let user = || Foreign(vec![format!("/scim/v2/Users/{}", ids.emma)]);
    // A group of another school, the connection's own site (no group of its own) and the root.
    let group = || {
        Foreign(vec![
            format!("/scim/v2/Groups/{}", ids.regenboog),
            format!("/scim/v2/Groups/{}", ids.klimop),
            format!("/scim/v2/Groups/{}", ids.root),
        ])
    };
    vec![
        (
            ("get", "/scim/v2/ServiceProviderConfig"),
            NoId("the server's description of itself"),
        ),
        (
            ("get", "/scim/v2/ResourceTypes"),
            NoId("the server's description of itself"),
        ),
        (
            ("get", "/scim/v2/ResourceTypes/{id}"),
            NoId("names a resource type of the server, not data"),
        ),
        (
            ("get", "/scim/v2/Schemas"),
            NoId("the server's description of itself"),
        ),
        (
            ("get", "/scim/v2/Schemas/{id}"),
            NoId("names a schema of the server, not data"),
        ),
        (
            ("post", "/scim/v2/.search"),
            NoId("answers 501: several resource types at once are not searched"),
        ),
        (
            ("get", "/scim/v2/Users"),
            NoId("lists the token's own site's subtree"),
        ),
        (
            ("post", "/scim/v2/Users"),
            NoId("creates in the token's own site"),
        ),
        (
            ("post", "/scim/v2/Users/.search"),
            NoId("searches the token's own site's subtree"),
        ),
        (("get", "/scim/v2/Users/{id}"), user()),
        (("put", "/scim/v2/Users/{id}"), user()),
        (("patch", "/scim/v2/Users/{id}"), user()),
        (("delete", "/scim/v2/Users/{id}"), user()),
        (
            ("get", "/scim/v2/Groups"),
            NoId("lists the sites below the token's own site"),
        ),
        (
            ("post", "/scim/v2/Groups"),
            NoId("creates below the token's own site"),
        ),
        (
            ("post", "/scim/v2/Groups/.search"),
            NoId("searches the sites below the token's own site"),
        ),
        (("get", "/scim/v2/Groups/{id}"), group()),
        (("put", "/scim/v2/Groups/{id}"), group()),
        (("patch", "/scim/v2/Groups/{id}"), group()),
        (("delete", "/scim/v2/Groups/{id}"), group()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_have_a_row_for_every_scim_route_and_refuse_foreign_ids() {
    let (w, ids) = world().await;
    let listed: std::collections::BTreeSet<(&str, &str)> =
        scim_rows(&ids).iter().map(|(route, _)| *route).collect();
    let routes: std::collections::BTreeSet<(&str, &str)> =
        licentia::scim::ROUTES.iter().copied().collect();
    assert_eq!(routes, listed, "every SCIM route needs a foreign-id row");
    for ((method, _), row) in scim_rows(&ids) {
        match row {
            Row::NoId(why) => assert!(why.len() > 10),
            Row::Foreign(paths) => {
                for path in paths {
                    // Writes carry what would deactivate a user or rename a group.
                    let body = matches!(method, "put" | "patch").then(|| scim_write(method));
                    let (status, bytes) =
                        http_support::api(&w.app, &w.token, &method.to_uppercase(), &path, body)
                            .await;
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(
                        status == StatusCode::NOT_FOUND && text.contains("\"not_found\""),
                        "{method} {path} → {status} {text}"
                    );
                }
            }
            _ => panic!("a SCIM route is NoId or Foreign"),
        }
    }
    // Nothing of Emma's changed (a foreign delete deactivates nobody).
    let emma = user::Entity::find()
        .filter(user::Column::PublicId.eq(ids.emma))
        .one(w.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(emma.active);
    // A more powerful user placed in De Klimop (a director, Administrator on the root): the
    // Klimop administrator's token neither reads nor deactivates them.
    let director = {
        let form = domain::users::NewUserForm {
            username: "klimop.director".into(),
            first_name: "Dina".into(),
            last_name: "Director".into(),
            ..Default::default()
        };
        let new_user = form.validate().await.unwrap();
        let klimop = domain::sites::resolve(&w.db, ids.klimop).await.unwrap();
        let txn = w.db.write().await.unwrap();
        let made = domain::users::insert_unchecked(&*txn, klimop.site.id, new_user)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let root = domain::sites::resolve(&w.db, ids.root).await.unwrap();
        domain::roles::grant_builtin_unchecked(
            w.db.conn(),
            made.id,
            domain::roles::ADMINISTRATOR,
            root.site.id,
        )
        .await
        .unwrap();
        made
    };
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let path = format!("/scim/v2/Users/{}", director.public_id);
        let body = matches!(method, "PUT" | "PATCH").then(|| scim_write(&method.to_lowercase()));
        let (status, bytes) = http_support::api(&w.app, &w.token, method, &path, body).await;
        assert!(
            status.is_client_error() && !not_the_callers_error(status, &bytes),
            "{method} {path} → {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        assert_ne!(status, StatusCode::NO_CONTENT);
    }
    let director = user::Entity::find_by_id(director.id)
        .one(w.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(director.active);
    // Nor does it place them in a group of its own.
    let (status, group) = http_support::api(
        &w.app,
        &w.token,
        "POST",
        "/scim/v2/Groups",
        Some(r#"{"displayName": "Klas 1A"}"#.into()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let group: serde_json::Value = serde_json::from_slice(&group).unwrap();
    let add = serde_json::json!({"Operations": [{"op": "add", "path": "members",
        "value": [{"value": director.public_id}]}]});
    let (status, _) = http_support::api(
        &w.app,
        &w.token,
        "PATCH",
        &format!("/scim/v2/Groups/{}", group["id"].as_str().unwrap()),
        Some(add.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let still = user::Entity::find_by_id(director.id)
        .one(w.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.site_id, director.site_id);
    // The root search is not offered: 501 with our code, whatever is sent.
    let (status, bytes) = http_support::api(
        &w.app,
        &w.token,
        "POST",
        "/scim/v2/.search",
        Some("{}".into()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert!(String::from_utf8_lossy(&bytes).contains("scim_not_implemented"));
    // Malformed requests are the caller's error, as on the API.
    let mut requests = Vec::new();
    for (method, template) in licentia::scim::ROUTES {
        if *template == "/scim/v2/.search" {
            continue;
        }
        for id in ["not-a-uuid", "%zz"] {
            let path = template.replace("{id}", id);
            requests.push((
                method.to_uppercase(),
                format!("{path}?filter=%zz&startIndex=x&count=-1"),
            ));
        }
    }
    assert_bearer_requests_refused_as_malformed(&w, requests, 60).await;
}

/// A SCIM write that would deactivate a user (PUT, PATCH) or rename a group.
fn scim_write(method: &str) -> String {
    match method {
        "put" => serde_json::json!({
            "userName": "taken.over", "displayName": "Taken over",
            "name": {"givenName": "T", "familyName": "O"}, "active": false
        }),
        _ => serde_json::json!({"Operations": [
            {"op": "replace", "value": {"active": false, "displayName": "Taken over"}}
        ]}),
    }
    .to_string()
}

/// Sends each (method, path) with every malformed body and the Klimop administrator's token:
/// only the caller's errors (at least `least` requests).
async fn assert_bearer_requests_refused_as_malformed(
    w: &World,
    requests: Vec<(String, String)>,
    least: usize,
) {
    let mut failures = Vec::new();
    let mut tried = 0;
    for (method, path) in requests {
        for (content_type, body) in malformed() {
            let (status, bytes) =
                http_support::api_raw(&w.app, &w.token, &method, &path, content_type, body).await;
            tried += 1;
            if not_the_callers_error(status, &bytes) {
                failures.push(format!(
                    "{method} {path} ({content_type}) → {status} {}",
                    String::from_utf8_lossy(&bytes)
                ));
            }
        }
    }
    assert_all_callers_errors(failures, tried, least);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_have_a_row_for_every_server_function_and_api_route() {
    let (_, ids) = world().await;
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let listed: std::collections::BTreeSet<String> = rows(&ids)
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    let why_not = rows(&ids)
        .into_iter()
        .map(|(name, row)| (name.to_string(), row))
        .chain(
            api_rows(&ids)
                .into_iter()
                .map(|((method, path), row)| (format!("{method} {path}"), row)),
        );
    for (name, row) in why_not {
        if let Row::NoId(why) = row {
            assert!(why.len() > 10, "{name}: say why it names nothing foreign");
        }
    }
    let missing: Vec<&String> = registered.difference(&listed).collect();
    let unknown: Vec<&String> = listed.difference(&registered).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "server functions without a foreign-id row: {missing:?}; rows without a function: {unknown:?}"
    );
    let document = serde_json::to_value(licentia::api::document()).unwrap();
    let mut routes = std::collections::BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    let listed: std::collections::BTreeSet<(String, String)> = api_rows(&ids)
        .iter()
        .map(|((m, p), _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(routes, listed, "every API route needs a foreign-id row");
}

/// Bodies no server function reads: empty of what it needs, garbage, wrong types, bad ids,
/// binary, JSON that is not JSON, multipart that is not multipart.
fn malformed() -> Vec<(&'static str, Vec<u8>)> {
    let form = "application/x-www-form-urlencoded";
    vec![
        (form, b"%zz%%".to_vec()),
        (
            form,
            b"site=not-a-uuid&user=7&users=x&page=-1&filter=1&action[]=".to_vec(),
        ),
        (form, b"site[]=1&site[x]=2&name[0][1]=3".to_vec()),
        (form, vec![0, 159, 146, 150, 255, 254, b'=', 1]),
        ("application/json", b"{not json".to_vec()),
        ("application/json", b"[1, 2, 3]".to_vec()),
        (
            "multipart/form-data; boundary=x",
            b"not multipart at all".to_vec(),
        ),
        ("multipart/form-data", b"--x\r\n\r\n".to_vec()),
        ("application/octet-stream", vec![0xde, 0xad, 0xbe, 0xef]),
    ]
}

/// Whether an answer to a malformed request is wrong: a 5xx, or a 4xx without a code.
fn not_the_callers_error(status: StatusCode, bytes: &[u8]) -> bool {
    let coded = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_string))
        .is_some();
    status.is_server_error() || (status.is_client_error() && !coded)
}

/// Fails with every wrong answer among `tried` requests (at least `least` of them).
fn assert_all_callers_errors(failures: Vec<String>, tried: usize, least: usize) {
    assert!(tried > least, "only {tried} requests tried");
    assert!(
        failures.is_empty(),
        "{} of {tried}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every server function (from the registered list: a new one is tried without a row) answers
/// malformed requests as the caller's error: a 4xx with a code, never a 5xx or no answer. A
/// body that happens to be readable for a function without arguments may succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_every_malformed_request_as_the_callers_error() {
    let (w, _) = world().await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        // Signed in afresh: a function that ends the session (signing out) ends it for itself.
        let cookie = http_support::sign_in_as(&w.app, "klimop.admin", "Klimop-2026").await;
        for (content_type, body) in malformed() {
            let method = method.as_str();
            let (status, bytes) = if method == "GET" {
                let query = String::from_utf8_lossy(&body).replace(' ', "%20");
                let query: String = query.chars().filter(|c| c.is_ascii_graphic()).collect();
                http_support::get(&w.app, &cookie, &format!("{path}?{query}")).await
            } else {
                http_support::raw(&w.app, &cookie, method, path, content_type, body.clone()).await
            };
            tried += 1;
            if not_the_callers_error(status, &bytes) {
                let shown = String::from_utf8_lossy(&body)
                    .chars()
                    .take(40)
                    .collect::<String>();
                failures.push(format!(
                    "{method} {path} ({content_type}: {shown:?}) → {status} {}",
                    String::from_utf8_lossy(&bytes)
                ));
            }
        }
    }
    assert_all_callers_errors(failures, tried, 500);
}

/// Every HTTP API route (from its OpenAPI document: a new one is tried too) answers malformed
/// requests as the caller's error: ids that are not ids, queries that are not queries, the
/// malformed bodies above. A 4xx with a code, never a 5xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_every_malformed_api_request_as_the_callers_error() {
    let (w, _) = world().await;
    let document = serde_json::to_value(licentia::api::document()).unwrap();
    let mut requests = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            for id in ["not-a-uuid", "%zz", "00000000-0000-0000-0000-000000000000"] {
                let path = template
                    .split('/')
                    .map(|part| if part.starts_with('{') { id } else { part })
                    .collect::<Vec<_>>()
                    .join("/");
                requests.push((
                    method.to_uppercase(),
                    format!("{path}?product=%zz&page=-1&page=x"),
                ));
            }
        }
    }
    assert_bearer_requests_refused_as_malformed(&w, requests, 250).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_not_found_for_every_foreign_id() {
    let (w, ids) = world().await;
    let mut failures = Vec::new();
    let not_found = |status: StatusCode, text: &str| {
        status == StatusCode::NOT_FOUND && text.contains("\"not_found\"")
    };
    for (function, row) in rows(&ids) {
        match row {
            Row::Foreign(bodies) => {
                for body in bodies {
                    let (status, text) = w.call(function, body.clone()).await;
                    if !not_found(status, &text) {
                        failures.push(format!("{function}({body}) → {status} {text}"));
                    }
                }
            }
            Row::Upload(fields) => {
                let (status, bytes) = http_support::call_multipart(
                    &w.app,
                    &w.cookie,
                    function,
                    &fields,
                    b"Actie;Gebruikersnaam\n+;spy\n",
                )
                .await;
                let text = String::from_utf8_lossy(&bytes);
                if !not_found(status, &text) {
                    failures.push(format!("{function}(upload {fields:?}) → {status} {text}"));
                }
            }
            Row::Operator(body) => {
                let (status, text) = w.call(function, body.clone()).await;
                if status != StatusCode::FORBIDDEN || !text.contains("\"forbidden\"") {
                    failures.push(format!(
                        "{function}({body}) → {status} {text} (operators only)"
                    ));
                }
            }
            Row::NoId(_) => {}
        }
    }
    for ((method, _), row) in api_rows(&ids) {
        let Row::Foreign(paths) = row else { continue };
        for path in paths {
            let body = match method {
                "post" => Some(r#"{"product":"reader","fingerprint":"spy"}"#.to_string()),
                "put" => Some("{}".to_string()),
                _ => None,
            };
            let (status, bytes) =
                http_support::api(&w.app, &w.token, &method.to_uppercase(), &path, body).await;
            let text = String::from_utf8_lossy(&bytes);
            if !not_found(status, &text) {
                failures.push(format!("{method} {path} → {status} {text}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // Nothing changed.
    assert!(domain::sites::seat_counter_mismatches(&w.db)
        .await
        .unwrap()
        .is_empty());
    let emma = user::Entity::find()
        .filter(user::Column::PublicId.eq(ids.emma))
        .one(w.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(emma.active);
    let links = domain::entities::sso_link::Entity::find()
        .filter(domain::entities::sso_link::Column::UserId.eq(emma.id))
        .all(w.db.conn())
        .await
        .unwrap();
    assert_eq!(links.len(), 1, "Emma's linked sign-in stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_list_and_search_only_inside_the_subtree() {
    let (w, ids) = world().await;
    let (status, tree) = w.call("site_tree", String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(tree.contains("De Klimop"));
    assert_nothing_foreign("site_tree", &tree);

    let (status, outline) = w.call("site_outline", String::new()).await;
    assert_eq!(status, StatusCode::OK, "{outline}");
    assert!(outline.contains("De Klimop"));
    assert_nothing_foreign("site_outline", &outline);
    for text in ["de", "horizon", "regenboog", "e"] {
        let (status, found) = w.call("search_sites", format!("text={text}")).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_nothing_foreign("search_sites", &found);
    }

    let (_, details) = w.call("site_details", String::new()).await;
    assert!(details.contains("De Klimop"));
    assert!(
        details.contains("\"parent_id\":null"),
        "the parent stays hidden: {details}"
    );

    for search in ["", "emma", "a"] {
        let body = format!(
            "filter[search]={search}&filter[include_subsites]=true&filter[sort]=name&filter[descending]=false&filter[page]=0"
        );
        let (status, users) = w.call("list_users", body).await;
        assert_eq!(status, StatusCode::OK, "{users}");
        assert_nothing_foreign("list_users", &users);
        assert!(!users.contains("directeur") && !users.contains("lotte"));
    }

    let (_, roles) = w.call("list_roles", String::new()).await;
    assert_nothing_foreign("list_roles", &roles);
    let administrator = role::Entity::find()
        .filter(role::Column::BuiltinKey.eq(domain::roles::ADMINISTRATOR))
        .one(w.db.conn())
        .await
        .unwrap()
        .unwrap();
    let (_, members) = w
        .call("role_members", format!("role={}", administrator.public_id))
        .await;
    assert!(members.contains("klimop.admin"));
    assert!(!members.contains("directeur"), "{members}");
    assert_nothing_foreign("role_members", &members);

    let (_, grants) = w.call("user_grants", format!("user={}", ids.admin)).await;
    assert_nothing_foreign("user_grants", &grants);

    let journal_filter = "filter[actor]=&filter[action]=&filter[from]=&filter[to]=&filter[page]=0";
    let (status, journal) = w.call("list_journal", journal_filter.into()).await;
    assert_eq!(status, StatusCode::OK, "{journal}");
    assert!(journal.contains("De Klimop"));
    assert_nothing_foreign("list_journal", &journal);

    let (status, csv) = w.get("/admin/journal.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("De Klimop"));
    // Sent in parts, it is still one file: the byte-order mark and the header once, first.
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert_eq!(csv.matches('\u{feff}').count(), 1);
    let header = csv.lines().next().unwrap_or_default();
    assert_eq!(csv.lines().filter(|l| *l == header).count(), 1);
    assert_nothing_foreign("journal.csv", &csv);
    let (status, _) = w
        .get(&format!("/admin/journal.csv?site={}", ids.regenboog))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_refuse_the_csv_export_without_sign_in() {
    let (w, _) = world().await;
    let anonymous = World {
        cookie: String::new(),
        ..w
    };
    let (status, _) = anonymous.get("/admin/journal.csv").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_keep_the_operator_pages_to_operators() {
    let (w, _) = world().await;
    for (function, body) in [
        ("list_subscriptions", String::new()),
        ("list_outbox", String::new()),
        (
            "create_subscription",
            "serial=123456&seats=5&valid_from=2026-01-01&valid_until=2026-12-31&contact_email=&locale=nl"
                .to_string(),
        ),
    ] {
        let (status, text) = w.call(function, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {text}");
        assert!(text.contains("\"forbidden\""), "{function}: {text}");
    }
    // The renewals files too; and without sign-in, the sign-in is asked for.
    for file in [
        "/operator/renewals.csv",
        "/operator/renewals.xlsx?within=90",
    ] {
        let (status, text) = w.get(file).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{file}: {text}");
        let anonymous = World {
            cookie: String::new(),
            app: w.app.clone(),
            db: w.db.clone(),
            token: String::new(),
        };
        let (status, _) = anonymous.get(file).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{file}");
    }
    let claimed = domain::onboarding::check_serial(&w.db, "123456").await;
    assert_eq!(
        claimed.err().map(|e| e.code()),
        Some(domain::Code::SerialUnknown)
    );
}

/// `issue_challenge` (the registration forms' check against robots) takes no id and hands out
/// nothing of anyone: a fresh, signed challenge each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_issue_challenges_that_name_nothing() {
    let (w, _) = world().await;
    let (status, first) = w.call("issue_challenge", String::new()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_nothing_foreign("issue_challenge", &first);
    let challenge: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(challenge["algorithm"], "SHA-256");
    let (_, second) = w.call("issue_challenge", String::new()).await;
    assert_ne!(first, second);
}
