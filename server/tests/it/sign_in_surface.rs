//! The sign-in surface through the real router over HTTP: cross-site requests refused (the
//! sign-in included), security headers on pages, server functions and the API, the client
//! address behind trusted proxies only, device cookies through a flood of failures from the
//! browser's address, and `Secure` cookies for an https public URL.
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use licentia::config::Config;
use tower::ServiceExt;
use uuid::Uuid;

async fn database() -> domain::Db {
    let dir = std::env::temp_dir().join(format!("licentia-surface-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = domain::Db::connect_and_migrate(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    domain::demo::seed(&db).await.unwrap();
    db
}

fn router(db: &domain::Db, configure: impl FnOnce(&mut Config)) -> axum::Router {
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("licentia")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let mut config = Config::from_env();
    config.public_url = None;
    config.secure_cookies = false;
    config.trusted_proxies = Default::default();
    configure(&mut config);
    licentia::routes::app(&config, db.clone(), leptos)
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

async fn send(app: &axum::Router, request: Request<Body>) -> Answer {
    let what = format!("{} {}", request.method(), request.uri());
    let limit = std::time::Duration::from_secs(60);
    let response = tokio::time::timeout(limit, app.clone().oneshot(request))
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer"))
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = tokio::time::timeout(limit, response.into_body().collect())
        .await
        .unwrap_or_else(|_| panic!("{what}: body never ended"))
        .unwrap()
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

/// A sign-in through `/api/login` with extra headers (name, value).
fn login(username: &str, password: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .body(Body::from(format!(
            "username={username}&password={password}&next=/admin"
        )))
        .unwrap()
}

fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = format!("{peer}:50000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

const RIGHT: &str = domain::demo::ADMIN_PASSWORD;

#[tokio::test]
async fn should_refuse_cross_site_state_changes_and_accept_same_origin_ones() {
    let db = database().await;
    let app = router(&db, |_| {});
    let refused = [
        vec![
            ("origin", "https://evil.example"),
            ("host", "licentia.test"),
        ],
        vec![("origin", "null"), ("host", "licentia.test")],
        vec![("sec-fetch-site", "cross-site"), ("host", "licentia.test")],
        vec![
            ("origin", "http://licentia.test"),
            ("host", "licentia.test"),
            ("sec-fetch-site", "cross-site"),
        ],
    ];
    for headers in &refused {
        // The sign-in itself: no login CSRF.
        let answer = send(&app, login("directeur", RIGHT, headers)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(answer.cookie("licentia_session").is_none());
        assert!(!answer.body.contains("sqlite") && !answer.body.contains("panic"));
        // Any server function.
        let mut request = Request::post("/api/logout").header(header::ACCEPT, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let answer = send(&app, request.body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    // Downloads, whatever the method.
    let answer = send(
        &app,
        Request::get("/admin/users/export.csv")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // Same origin (by Host, or by the public URL), and clients that send neither header.
    let accepted = [
        vec![
            ("origin", "http://licentia.test"),
            ("host", "licentia.test"),
        ],
        vec![
            ("origin", "http://licentia.test"),
            ("host", "licentia.test"),
            ("sec-fetch-site", "same-origin"),
        ],
        vec![("sec-fetch-site", "same-origin")],
        vec![],
    ];
    for headers in &accepted {
        let answer = send(&app, login("directeur", RIGHT, headers)).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{headers:?}: {}",
            answer.body
        );
        assert!(answer.cookie("licentia_session").is_some());
    }
    let public = router(&db, |c| {
        c.public_url = Some("https://licentia.example".into())
    });
    let answer = send(
        &public,
        login(
            "directeur",
            RIGHT,
            &[
                ("origin", "https://licentia.example"),
                ("host", "127.0.0.1:3000"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    // Following a link from another site to a page is fine.
    let answer = send(
        &app,
        Request::get("/login")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    // The bearer-token API takes no cookies and is not guarded: its own refusal (no token).
    let answer = send(
        &app,
        Request::post("/api/v1/authenticate")
            .header("origin", "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"username":"directeur","password":"x"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

fn nonce_of(policy: &str) -> String {
    policy
        .split(['\'', ' '])
        .find_map(|part| part.strip_prefix("nonce-"))
        .unwrap_or_else(|| panic!("no nonce in {policy}"))
        .to_string()
}

fn assert_common_headers(answer: &Answer, what: &str) {
    assert_eq!(
        answer.header(header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(
        answer.header(header::REFERRER_POLICY),
        "same-origin",
        "{what}"
    );
    let policy = answer.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{what}: {policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
    assert!(!policy.contains("'unsafe-eval'"), "{what}: {policy}");
}

#[tokio::test]
async fn should_put_security_headers_on_pages_server_functions_and_the_api() {
    let db = database().await;
    let app = router(&db, |_| {});
    let page = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_common_headers(&page, "page");
    let policy = page.header(header::CONTENT_SECURITY_POLICY);
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    // Every inline script of the page carries the header's nonce (leptos_i18n's empty
    // placeholder runs nothing and needs none).
    let nonce = nonce_of(&policy);
    assert!(nonce.len() >= 16, "{nonce}");
    let scripts =
        page.body.matches("<script").count() - page.body.matches("<script></script>").count();
    assert!(scripts > 0, "{}", page.body);
    assert_eq!(
        page.body
            .matches(&format!("<script nonce=\"{nonce}\""))
            .count()
            + page
                .body
                .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count(),
        scripts,
        "{}",
        page.body
    );
    // A new nonce for every response.
    let again = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_ne!(
        nonce_of(&again.header(header::CONTENT_SECURITY_POLICY)),
        nonce
    );
    // The redirect to the sign-in, and a missing file, too.
    let gate = send(&app, Request::get("/admin").body(Body::empty()).unwrap()).await;
    assert_eq!(gate.status, StatusCode::SEE_OTHER);
    assert_common_headers(&gate, "redirect");
    let missing = send(
        &app,
        Request::get("/missing.txt").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_common_headers(&missing, "missing file");

    let function = send(
        &app,
        Request::post("/api/current_user")
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(function.status, StatusCode::OK, "{}", function.body);
    assert_common_headers(&function, "server function");
    assert!(function
        .header(header::CONTENT_SECURITY_POLICY)
        .starts_with("default-src 'none'"));

    let api = send(
        &app,
        Request::get("/api/v1/me").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_common_headers(&api, "API");
    let document = send(
        &app,
        Request::get("/api/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_common_headers(&document, "OpenAPI document");
}

async fn throttle_keys(db: &domain::Db) -> Vec<String> {
    use sea_orm::EntityTrait;
    domain::entities::sign_in_throttle::Entity::find()
        .all(db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.key)
        .collect()
}

#[tokio::test]
async fn should_believe_forwarded_for_only_from_trusted_proxies() {
    let db = database().await;
    let app = router(&db, |c| {
        c.trusted_proxies = licentia::proxies::TrustedProxies::parse("10.0.0.1, 10.1.0.0/16");
    });
    let wrong = |peer: &str, forwarded: &'static str| {
        from_peer(
            login("directeur", "wrong", &[("x-forwarded-for", forwarded)]),
            peer,
        )
    };
    // Through two trusted proxies: the right-most untrusted address is the client.
    send(&app, wrong("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3")).await;
    // From an untrusted peer the header is ignored.
    send(&app, wrong("198.51.100.1", "203.0.113.10")).await;
    let keys = throttle_keys(&db).await;
    assert!(
        keys.contains(&"address:203.0.113.9".to_string()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"address:198.51.100.1".to_string()),
        "{keys:?}"
    );
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("6.6.6.6") || k.contains("203.0.113.10")),
        "{keys:?}"
    );

    // Without trusted proxies, never.
    let db = database().await;
    let app = router(&db, |_| {});
    send(&app, wrong("10.0.0.1", "203.0.113.9")).await;
    assert_eq!(
        throttle_keys(&db)
            .await
            .into_iter()
            .filter(|k| k.starts_with("address:"))
            .collect::<Vec<_>>(),
        ["address:10.0.0.1"]
    );
}

#[tokio::test]
async fn should_let_a_known_browser_sign_in_through_a_flood_from_its_address() {
    let db = database().await;
    let app = router(&db, |_| {});
    let school = "192.0.2.10";
    let first = send(&app, from_peer(login("directeur", RIGHT, &[]), school)).await;
    assert_eq!(first.status, StatusCode::OK);
    let device = first.cookie("licentia_device").expect("a device cookie");
    for part in ["HttpOnly", "Path=/api/login", "SameSite=Strict", "Max-Age="] {
        assert!(device.contains(part), "{device}");
    }
    assert!(!device.contains("Secure"), "{device}");
    let device = device.split(';').next().unwrap().to_string();

    for n in 0..60 {
        let guess = format!("guess{n}");
        send(&app, from_peer(login(&guess, "wrong", &[]), school)).await;
    }
    // A stranger from the school's address waits, with the right password.
    let stranger = send(&app, from_peer(login("directeur", RIGHT, &[]), school)).await;
    assert_eq!(
        stranger.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stranger.body
    );
    assert!(
        stranger.body.contains("too_many_attempts"),
        "{}",
        stranger.body
    );
    // The browser that signed in before does not.
    let known = send(
        &app,
        from_peer(login("directeur", RIGHT, &[("cookie", &device)]), school),
    )
    .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    assert!(known.cookie("licentia_session").is_some());
}

#[tokio::test]
async fn should_send_cookies_only_over_https_when_the_public_url_is_https() {
    let db = database().await;
    let app = router(&db, |c| {
        c.public_url = Some("https://licentia.example".into());
        c.secure_cookies = true;
    });
    let answer = send(&app, login("directeur", RIGHT, &[])).await;
    assert_eq!(answer.status, StatusCode::OK);
    for name in ["licentia_session", "licentia_device"] {
        let cookie = answer.cookie(name).unwrap();
        assert!(cookie.contains("Secure"), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
    }
    assert_eq!(
        answer.header(header::STRICT_TRANSPORT_SECURITY),
        "max-age=31536000"
    );
}

/// Many pages rendered at once, among server function calls and sign-ins, while another router
/// is built (as these tests do): every page ends. Generating the page routes again while pages
/// rendered left some of them waiting forever; they are generated once per process now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_finish_every_page_rendered_at_once() {
    let db = database().await;
    let app = router(&db, |_| {});
    let builder = {
        let db = db.clone();
        tokio::spawn(async move {
            for _ in 0..20 {
                let _ = router(&db, |_| {});
                tokio::task::yield_now().await;
            }
        })
    };
    let requests: Vec<_> = (0..300)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                // A few sign-ins only: the password pool is the process's, shared with the
                // tests running beside this one.
                let request = match n % 3 {
                    0 => Request::get("/login").body(Body::empty()).unwrap(),
                    2 if n < 30 => {
                        login("directeur", if n % 2 == 0 { RIGHT } else { "wrong" }, &[])
                    }
                    _ => Request::post("/api/current_user")
                        .header(header::ACCEPT, "application/json")
                        .body(Body::empty())
                        .unwrap(),
                };
                (n, send(&app, request).await)
            })
        })
        .collect();
    for request in requests {
        let (n, answer) = request.await.unwrap();
        if n % 3 == 0 {
            assert_eq!(answer.status, StatusCode::OK);
            assert!(answer.body.contains("</html>"), "{}", answer.body);
        }
    }
    builder.await.unwrap();
}
