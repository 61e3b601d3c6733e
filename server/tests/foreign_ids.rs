//! Server functions called directly over HTTP by a subsite administrator (De Klimop) with the
//! ids of things outside their subtree: every one answers "not found" and changes nothing, and
//! no list or search returns anything from outside the subtree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use domain::entities::{role, site, user};
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

#[path = "support/http.rs"]
mod http_support;

struct World {
    app: axum::Router,
    cookie: String,
    db: domain::Db,
}

async fn world() -> (World, Ids) {
    let dir = std::env::temp_dir().join(format!("licentia-foreign-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let db = domain::Db::connect_and_migrate(&url).await.unwrap();
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

    let app = http_support::router(&db);
    let cookie = http_support::sign_in_as(&app, "klimop.admin", "Klimop-2026").await;
    (
        World { app, cookie, db },
        Ids {
            root: root.public_id,
            regenboog: regenboog.public_id,
            klimop: klimop.public_id,
            emma: emma.public_id,
            lotte: lotte.public_id,
            admin: admin.public_id,
            foreign_role: foreign_role.public_id,
        },
    )
}

struct Ids {
    root: Uuid,
    regenboog: Uuid,
    klimop: Uuid,
    emma: Uuid,
    lotte: Uuid,
    admin: Uuid,
    foreign_role: Uuid,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_answer_not_found_for_every_foreign_id() {
    let (w, ids) = world().await;
    let stranger = Uuid::new_v4();
    let list_filter = "filter[search]=&filter[include_subsites]=true&filter[sort]=name&filter[descending]=false&filter[page]=0";
    let calls: Vec<(&str, String)> = vec![
        ("site_details", format!("site={}", ids.regenboog)),
        ("site_details", format!("site={}", ids.root)),
        ("site_details", format!("site={stranger}")),
        (
            "update_site",
            format!(
                "site={}&name=Mine&seat_limit=2&registration_code=&expires_on=&registration_flow=immediate&allowed_domains=",
                ids.regenboog
            ),
        ),
        ("delete_site", format!("site={}", ids.regenboog)),
        (
            "create_site",
            format!("parent={}&name=Mine&seat_limit=0", ids.regenboog),
        ),
        ("move_options", format!("site={}", ids.regenboog)),
        (
            "move_site",
            format!("site={}&new_parent={}", ids.regenboog, ids.klimop),
        ),
        ("list_users", format!("site={}&{list_filter}", ids.regenboog)),
        ("list_users", format!("site={}&{list_filter}", ids.root)),
        (
            "create_user",
            format!(
                "site={}&username=intruder&first_name=I&last_name=N&email=&password=",
                ids.regenboog
            ),
        ),
        ("set_user_active", format!("user={}&active=false", ids.emma)),
        ("delete_user", format!("user={}", ids.emma)),
        ("delete_user", format!("user={}", ids.lotte)),
        ("user_grants", format!("user={}", ids.emma)),
        (
            "user_grants",
            format!("user={}&site={}", ids.admin, ids.regenboog),
        ),
        (
            "set_user_grants",
            format!(r#"{{"user":"{}","site":"{}","roles":[]}}"#, ids.emma, ids.klimop),
        ),
        (
            "set_user_grants",
            format!(r#"{{"user":"{}","site":"{}","roles":[]}}"#, ids.admin, ids.regenboog),
        ),
        (
            "set_user_grants",
            format!(
                r#"{{"user":"{}","site":"{}","roles":["{}"]}}"#,
                ids.admin, ids.klimop, ids.foreign_role
            ),
        ),
        (
            "create_role",
            format!(r#"{{"site":"{}","name":"Mine","permissions":["users.view"]}}"#, ids.regenboog),
        ),
        (
            "update_role",
            format!(r#"{{"role":"{}","name":"Mine","permissions":[]}}"#, ids.foreign_role),
        ),
        ("delete_role", format!("role={}", ids.foreign_role)),
        ("role_members", format!("role={}", ids.foreign_role)),
        ("role_members", format!("role={stranger}")),
        ("pending_users", format!("site={}", ids.regenboog)),
        ("pending_users", format!("site={}", ids.root)),
        ("decide_registration", format!("user={}&approve=true", ids.emma)),
        ("decide_registration", format!("user={}&approve=false", ids.lotte)),
        (
            "list_journal",
            format!("filter[site]={}&filter[actor]=&filter[action]=&filter[from]=&filter[to]=&filter[page]=0", ids.regenboog),
        ),
    ];
    let mut failures = Vec::new();
    for (function, body) in calls {
        let (status, text) = w.call(function, body.clone()).await;
        if status != StatusCode::NOT_FOUND || !text.contains("\"not_found\"") {
            failures.push(format!("{function}({body}) → {status} {text}"));
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_list_and_search_only_inside_the_subtree() {
    let (w, ids) = world().await;
    let (status, tree) = w.call("site_tree", String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(tree.contains("De Klimop"));
    assert_nothing_foreign("site_tree", &tree);

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
