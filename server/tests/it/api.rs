//! The HTTP API v1 through the real router: a service account's token signs a user in for an
//! application, checks the licence, keeps a session and settings, lists sites and users; the
//! errors are JSON with the UI's codes, in the caller's language; a revoked token gets 401.
use axum::body::Body;
use chrono::{Duration, Utc};
use domain::api_tokens::{self, NewToken};
use domain::entities::subscription;
use domain::{sites, Db};
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::http as http_support;

struct World {
    db: Db,
    app: axum::Router,
    token: String,
    token_id: Uuid,
    admin: domain::Principal,
    klimop: Uuid,
    regenboog: Uuid,
}

async fn world() -> World {
    let dir = std::env::temp_dir().join(format!("licentia-api-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect_and_migrate(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    domain::demo::seed(&db).await.unwrap();
    let admin = domain::auth::sign_in(
        &db,
        domain::demo::ADMIN_USERNAME,
        domain::demo::ADMIN_PASSWORD,
        None,
    )
    .await
    .unwrap();
    let admin = domain::Principal::load(&db, admin.user_id).await.unwrap();
    let tree = sites::tree(&db, &admin).await.unwrap();
    let id = |name: &str| tree.iter().find(|s| s.name == name).unwrap().id;
    let (klimop, regenboog, root) = (
        id("De Klimop"),
        id("De Regenboog"),
        id(domain::demo::ORGANISATION),
    );
    // The vendor's product, and a subscription of the organisation that covers everything.
    let operator = domain::operators::create(
        &db,
        domain::users::NewUserForm {
            username: "operator".into(),
            first_name: "Olga".into(),
            last_name: "Operator".into(),
            password: "Operator-2026".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(operator.is_ok());
    let operator = domain::auth::sign_in(&db, "operator", "Operator-2026", None)
        .await
        .unwrap();
    let operator = domain::Principal::load(&db, operator.user_id)
        .await
        .unwrap();
    domain::products::create_product(&db, &operator, "reader", "Reader")
        .await
        .unwrap();
    let root_id = sites::resolve(&db, root).await.unwrap().site.id;
    let today = wire::time::today();
    subscription::ActiveModel {
        serial: Set("50000001".into()),
        seats: Set(10),
        valid_from: Set(today - Duration::days(10)),
        valid_until: Set(today + Duration::days(200)),
        locale: Set("nl".into()),
        site_id: Set(Some(root_id)),
        created_at: Set(Utc::now()),
        assigned: Set(0),
        bundle_id: Set(None),
        ..Default::default()
    }
    .insert(db.conn())
    .await
    .unwrap();
    domain::users::create(
        &db,
        &admin,
        klimop,
        domain::users::NewUserForm {
            username: "pupil.api".into(),
            first_name: "Pia".into(),
            last_name: "Pupil".into(),
            password: "Reading-2026".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let party = api_tokens::create_service_account(&db, &admin, klimop, "Reader app", true)
        .await
        .unwrap();
    let issued = api_tokens::issue(
        &db,
        &admin,
        party.public_id,
        NewToken {
            name: "Production".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap();
    World {
        app: http_support::router(&db),
        db: db.clone(),
        token: issued.secret,
        token_id: issued.token.public_id,
        admin,
        klimop,
        regenboog,
    }
}

async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    language: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(language) = language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) }))
    };
    (status, value)
}

#[tokio::test]
async fn should_serve_an_openapi_31_document_of_every_route() {
    let w = world().await;
    let (status, doc) = call(&w.app, "GET", "/api/openapi.json", None, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/me",
        "/api/v1/authenticate",
        "/api/v1/users/{user}/licence",
        "/api/v1/users/{user}/sessions",
        "/api/v1/sessions/{session}",
        "/api/v1/users/{user}/settings/{product}",
        "/api/v1/sites",
        "/api/v1/sites/{site}/users",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn should_serve_an_application_with_its_token() {
    let w = world().await;
    let t = Some(w.token.as_str());
    let (status, me) = call(&w.app, "GET", "/api/v1/me", t, None, None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["service_account"], true);
    assert_eq!(me["site_id"], w.klimop.to_string());

    // Sign a pupil in: the licence is claimed as at sign-in.
    let credentials =
        json!({ "username": "pupil.api", "password": "Reading-2026", "product": "reader" });
    let (status, signed) = call(
        &w.app,
        "POST",
        "/api/v1/authenticate",
        t,
        Some(credentials),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["user"]["username"], "pupil.api");
    assert_eq!(signed["licence"]["valid"], true);
    assert_eq!(signed["licence"]["status"], "active");
    assert_eq!(signed["licence"]["products"], json!(["reader"]));
    let pupil = signed["user"]["id"].as_str().unwrap().to_string();

    let wrong = json!({ "username": "pupil.api", "password": "nope" });
    let (status, error) = call(
        &w.app,
        "POST",
        "/api/v1/authenticate",
        t,
        Some(wrong),
        Some("fr-BE,fr;q=0.9"),
    )
    .await;
    assert!(
        error["message"].as_str().unwrap().contains("mot de passe"),
        "{error}"
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["code"], "invalid_credentials");
    assert!(!error["message"].as_str().unwrap().is_empty());
    // A user outside the token's subtree answers as a wrong password.
    let foreign = json!({ "username": "emma.willems", "password": "whatever" });
    let (status, error) = call(
        &w.app,
        "POST",
        "/api/v1/authenticate",
        t,
        Some(foreign),
        None,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );

    let (status, licence) = call(
        &w.app,
        "GET",
        &format!("/api/v1/users/{pupil}/licence?product=reader"),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(licence["valid"], true);

    // A session: open, heartbeat, listed, closed.
    let (status, session) = call(
        &w.app,
        "POST",
        &format!("/api/v1/users/{pupil}/sessions"),
        t,
        Some(json!({ "product": "reader" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let session_id = session["id"].as_str().unwrap().to_string();
    let (status, _) = call(
        &w.app,
        "PUT",
        &format!("/api/v1/sessions/{session_id}"),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = call(
        &w.app,
        "GET",
        &format!("/api/v1/users/{pupil}/sessions"),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let (status, _) = call(
        &w.app,
        "DELETE",
        &format!("/api/v1/sessions/{session_id}"),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, gone) = call(
        &w.app,
        "PUT",
        &format!("/api/v1/sessions/{session_id}"),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, gone["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    // Settings.
    let settings = format!("/api/v1/users/{pupil}/settings/reader");
    let (status, _) = call(
        &w.app,
        "PUT",
        &settings,
        t,
        Some(json!({ "speed": 1.5 })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, stored) = call(&w.app, "GET", &settings, t, None, None).await;
    assert_eq!(stored, json!({ "speed": 1.5 }));
    let (status, error) = call(&w.app, "PUT", &settings, t, Some(json!("text")), None).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("settings_not_an_object")
        )
    );

    // Sites and users of its subtree only.
    let (_, sites) = call(&w.app, "GET", "/api/v1/sites", t, None, None).await;
    let names: Vec<&str> = sites
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["De Klimop"]);
    let (status, page) = call(
        &w.app,
        "GET",
        &format!("/api/v1/sites/{}/users?search=pupil", w.klimop),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(
        page["next"],
        serde_json::Value::Null,
        "one page: none follows"
    );
    // A place in the list is one an earlier answer gave: anything else is refused.
    let (status, error) = call(
        &w.app,
        "GET",
        &format!("/api/v1/sites/{}/users?after=made-up", w.klimop),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, error) = call(
        &w.app,
        "GET",
        &format!("/api/v1/sites/{}/users", w.regenboog),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn should_answer_errors_as_json_in_the_callers_language() {
    let w = world().await;
    let t = Some(w.token.as_str());
    let (status, error) = call(&w.app, "GET", "/api/v1/me", None, None, Some("nl")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["code"], "unauthenticated");
    let dutch = error["message"].as_str().unwrap().to_string();
    let (_, error) = call(&w.app, "GET", "/api/v1/me", None, None, Some("fr")).await;
    assert_ne!(
        error["message"].as_str().unwrap(),
        dutch,
        "the message follows Accept-Language"
    );
    let (status, error) = call(
        &w.app,
        "GET",
        "/api/v1/users/not-a-uuid/licence",
        t,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    // A request that cannot be read is answered so only to a caller whose token holds.
    for path in [
        "/api/v1/users/not-a-uuid/licence",
        &format!(
            "/api/v1/users/{}/licence?product=a&product=b",
            Uuid::new_v4()
        ),
    ] {
        let forged = Some("lic_0000000000");
        let (status, error) = call(&w.app, "GET", path, forged, None, None).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthenticated")),
            "{path}"
        );
    }
    let (status, error) = call(&w.app, "GET", "/api/v1/nothing/here", t, None, None).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, error) = call(
        &w.app,
        "POST",
        "/api/v1/authenticate",
        t,
        Some(json!({ "user": 1 })),
        None,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, error) = call(
        &w.app,
        "GET",
        &format!("/api/v1/users/{}/licence?product=nope", Uuid::new_v4()),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    // Revoked: the next call is refused.
    api_tokens::revoke(&w.db, &w.admin, w.token_id)
        .await
        .unwrap();
    let (status, _) = call(&w.app, "GET", "/api/v1/me", t, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// An application's failed sign-ins of a user are counted per calling account and user: they
/// end in 429 for the application, never in a locked web sign-in for the user.
#[tokio::test]
async fn should_not_lock_the_web_sign_in_after_an_applications_failures() {
    let w = world().await;
    let t = Some(w.token.as_str());
    let wrong = json!({ "username": "pupil.api", "password": "nope" });
    for _ in 0..domain::auth::throttle::APPLICATION_THRESHOLD {
        let (status, _) = call(
            &w.app,
            "POST",
            "/api/v1/authenticate",
            t,
            Some(wrong.clone()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let right = json!({ "username": "pupil.api", "password": "Reading-2026" });
    let (status, error) = call(&w.app, "POST", "/api/v1/authenticate", t, Some(right), None).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    // The pupil signs in on the page as usual.
    let cookie = http_support::sign_in_as(&w.app, "pupil.api", "Reading-2026").await;
    assert!(cookie.starts_with("licentia_session="));
}

/// A user who must choose a new password: every server function but the password change and
/// who-am-I, and every API call with their token, answer `password_change_required` (403)
/// until the password is changed; an application signing them in is told so.
#[tokio::test]
async fn should_refuse_everything_until_a_required_password_change() {
    let w = world().await;
    domain::users::create(
        &w.db,
        &w.admin,
        w.klimop,
        domain::users::NewUserForm {
            username: "nina.nieuw".into(),
            first_name: "Nina".into(),
            last_name: "Nieuw".into(),
            password: "Eerste-keer-2026".into(),
            must_change_password: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let today = wire::time::today();
    let own = api_tokens::issue_unchecked(
        &w.db,
        "nina.nieuw",
        NewToken {
            name: "Own".into(),
            expires_on: String::new(),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap()
    .secret;
    let refused = |status: StatusCode, body: &Value| {
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("password_change_required")),
            "{body}"
        );
    };
    let server_fn = |cookie: String, function: &'static str, body: &'static str| {
        let app = w.app.clone();
        async move {
            let (status, bytes) =
                http_support::call(&app, &cookie, function, body.to_string()).await;
            let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            (status, value)
        }
    };

    let cookie = http_support::sign_in_as(&w.app, "nina.nieuw", "Eerste-keer-2026").await;
    // Every page leads to the password change before it renders (not only once hydrated).
    for (page, next) in [
        ("/", "/"),
        ("/admin?site=x", "/admin%3Fsite%3Dx"),
        ("/profile", "/profile"),
    ] {
        let response = w
            .app
            .clone()
            .oneshot(
                http::Request::get(page)
                    .header(http::header::COOKIE, &cookie)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{page}: {}",
            response.status()
        );
        assert_eq!(
            response.headers()[http::header::LOCATION],
            format!("/password/change?next={next}").as_str(),
            "{page}"
        );
    }
    let (status, _) = http_support::get(&w.app, &cookie, "/password/change").await;
    assert_eq!(status, StatusCode::OK, "the change itself renders");
    let (status, body) = server_fn(cookie.clone(), "my_profile", "").await;
    refused(status, &body);
    let (status, body) = server_fn(cookie.clone(), "my_overview", "").await;
    refused(status, &body);
    let (status, body) = http_support::get(&w.app, &cookie, "/admin/users/export.csv").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body:?}");
    // Who is signed in can be read (the page sends them to change the password).
    let (status, me) = server_fn(cookie.clone(), "current_user", "").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["must_change_password"], true);
    // The API: their own token is refused; an application signing them in is told.
    let (status, body) = call(&w.app, "GET", "/api/v1/me", Some(&own), None, None).await;
    refused(status, &body);
    let credentials = json!({ "username": "nina.nieuw", "password": "Eerste-keer-2026" });
    let (status, signed) = call(
        &w.app,
        "POST",
        "/api/v1/authenticate",
        Some(&w.token),
        Some(credentials),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["must_change_password"], true);

    let (status, next) = server_fn(
        cookie,
        "change_password",
        "current=Eerste-keer-2026&password=Eigen-keuze-2026&confirm=Eigen-keuze-2026&next=/",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    let cookie = http_support::sign_in_as(&w.app, "nina.nieuw", "Eigen-keuze-2026").await;
    let (status, body) = server_fn(cookie.clone(), "my_profile", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(&w.app, "GET", "/api/v1/me", Some(&own), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "nina.nieuw");
    let credentials = json!({ "username": "nina.nieuw", "password": "Eigen-keuze-2026" });
    let (_, signed) = call(
        &w.app,
        "POST",
        "/api/v1/authenticate",
        Some(&w.token),
        Some(credentials),
        None,
    )
    .await;
    assert_eq!(signed["must_change_password"], false, "{signed}");
}

#[tokio::test]
async fn should_issue_licence_files_that_verify_with_the_published_keys() {
    let w = world().await;
    let t = Some(w.token.as_str());
    let (_, page) = call(
        &w.app,
        "GET",
        &format!("/api/v1/sites/{}/users", w.klimop),
        t,
        None,
        None,
    )
    .await;
    let pupil = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "pupil.api")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    let path = format!("/api/v1/users/{pupil}/licence-file?product=reader");
    // No licence yet: refused with its code.
    let (status, body) = call(&w.app, "POST", &path, t, None, Some("en")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "no_valid_licence");
    domain::licences::assign(&w.db, &w.admin, pupil, wire::time::today())
        .await
        .unwrap();
    let (status, file) = call(&w.app, "POST", &path, t, None, None).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    // The keys need no token.
    let (status, keys) = call(&w.app, "GET", "/api/v1/keys", None, None, None).await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    assert_eq!(keys["keys"][0]["kid"], file["kid"]);
    let jwks: domain::licence_files::Jwks = serde_json::from_value(keys).unwrap();
    let claims = domain::licence_files::verify(
        file["file"].as_str().unwrap(),
        &jwks,
        None,
        None,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(claims.sub, pupil);
    assert_eq!(claims.products, vec!["reader".to_string()]);
    assert_eq!(file["valid_until"], json!(claims.valid_until));
    // Bad parameters: 422 with the field's code, 400 for what cannot be read.
    for (query, status, code) in [
        (
            "seal=device",
            StatusCode::UNPROCESSABLE_ENTITY,
            "device_fingerprint_invalid",
        ),
        (
            "ttl=60",
            StatusCode::UNPROCESSABLE_ENTITY,
            "licence_file_ttl_invalid",
        ),
        (
            // Beyond chrono's range (schemathesis found the panic).
            "ttl=-271976836152166016",
            StatusCode::UNPROCESSABLE_ENTITY,
            "licence_file_ttl_invalid",
        ),
        ("seal=sideways", StatusCode::BAD_REQUEST, "invalid_request"),
        (
            "product=unknown-thing",
            StatusCode::NOT_FOUND,
            "product_unknown",
        ),
    ] {
        let path = format!("/api/v1/users/{pupil}/licence-file?{query}");
        let (got, body) = call(&w.app, "POST", &path, t, None, None).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{query}: {body}"
        );
    }
    // The licence key opens a sealed file; without a token there is neither.
    let (status, key) = call(
        &w.app,
        "GET",
        &format!("/api/v1/users/{pupil}/licence-key"),
        t,
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{key}");
    let (status, _) = call(&w.app, "POST", &path, None, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
